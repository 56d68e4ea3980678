#!/usr/bin/env python3
"""Before/after check for speed work on `eimfs detect`: same outputs from two binaries.

    python3 bench/detect_equivalence.py --old OLD_EIMFS --new NEW_EIMFS [--tol 1e-5] [FILE.edf ...]

Runs `eimfs detect FILE --out DIR --quiet` with both binaries on every file given (default: the
Helsinki clips in ../shared/data/helsinki-dev/) and compares all four outputs:
`_probability.tsv` value by value (largest absolute difference; NaN must match NaN),
`_seizures.json`, `_summary.json` (numbers to --tol, everything else exactly) and `_events.tsv`
(exactly). Prints one line per file and exits non-zero when anything differs by more than --tol
or the events differ. Speed work is expected to give identical files ("identical" column).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared():
    return Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))


def run(binary, edf, out):
    t0 = time.perf_counter()
    subprocess.run([binary, "detect", str(edf), "--out", str(out), "--quiet"], check=True)
    return time.perf_counter() - t0


def tsv_diff(a, b):
    """Largest absolute difference between two probability tables (same shape required)."""
    la, lb = a.read_text().splitlines(), b.read_text().splitlines()
    if len(la) != len(lb) or la[0] != lb[0]:
        return math.inf
    worst = 0.0
    for ra, rb in zip(la[1:], lb[1:]):
        fa, fb = ra.split("\t"), rb.split("\t")
        if len(fa) != len(fb):
            return math.inf
        for x, y in zip(fa, fb):
            if x == y:
                continue
            try:
                u, v = float(x), float(y)
            except ValueError:
                return math.inf
            if math.isnan(u) != math.isnan(v):
                return math.inf
            if not math.isnan(u):
                worst = max(worst, abs(u - v))
    return worst


def json_diff(a, b, path="$"):
    """(largest numeric difference, first structural difference or None)."""
    if isinstance(a, bool) or isinstance(b, bool) or not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if type(a) is not type(b):
            return 0.0, path
        if isinstance(a, dict):
            if a.keys() != b.keys():
                return 0.0, path
            worst, where = 0.0, None
            for k in a:
                w, p = json_diff(a[k], b[k], f"{path}.{k}")
                worst, where = max(worst, w), where or p
            return worst, where
        if isinstance(a, list):
            if len(a) != len(b):
                return 0.0, f"{path} (length {len(a)} vs {len(b)})"
            worst, where = 0.0, None
            for i, (x, y) in enumerate(zip(a, b)):
                w, p = json_diff(x, y, f"{path}[{i}]")
                worst, where = max(worst, w), where or p
            return worst, where
        return 0.0, (None if a == b else path)
    return abs(float(a) - float(b)), None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = [Path(f) for f in args.files] or sorted((shared() / "data" / "helsinki-dev").glob("*.edf"))
    if not files:
        sys.exit("no EDF files given and none in ../shared/data/helsinki-dev/")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="eimfs-equiv-"))
    bad = 0
    n_identical = 0
    print(f"{'file':<34} {'old s':>7} {'new s':>7} {'identical':>9} {'max |dp|':>10} {'json max':>10}  verdict")
    for edf in files:
        oa, ob = work / "old" / edf.stem, work / "new" / edf.stem
        ta = run(args.old, edf, oa)
        tb = run(args.new, edf, ob)
        stem = edf.stem
        same = all((oa / f"{stem}{s}").read_bytes() == (ob / f"{stem}{s}").read_bytes() for s in ("_probability.tsv", "_seizures.json", "_summary.json", "_events.tsv"))
        dp = tsv_diff(oa / f"{stem}_probability.tsv", ob / f"{stem}_probability.tsv")
        jw, jwhere = 0.0, None
        for s in ("_seizures.json", "_summary.json"):
            w, p = json_diff(json.loads((oa / f"{stem}{s}").read_text()), json.loads((ob / f"{stem}{s}").read_text()))
            jw, jwhere = max(jw, w), jwhere or (p and f"{s}: {p}")
        events_same = (oa / f"{stem}_events.tsv").read_text() == (ob / f"{stem}_events.tsv").read_text()
        ok = dp <= args.tol and jw <= args.tol and jwhere is None and events_same
        bad += not ok
        n_identical += same
        verdict = "ok" if ok else f"DIFFERS ({jwhere or ('events' if not events_same else 'values')})"
        print(f"{stem[:34]:<34} {ta:>7.2f} {tb:>7.2f} {str(same):>9} {dp:>10.2e} {jw:>10.2e}  {verdict}", flush=True)
    print(f"{len(files)} files: {n_identical} byte-identical, {len(files) - bad} within {args.tol:g}, {bad} differing")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
