"""`eimfs detect` on damaged copies of a real EDF+ file: a clear error or a normal run, never a
crash, never partial outputs, never a change to the input.

Takes a Helsinki clip (../shared/data/helsinki-dev, or $EIMFS_SHARED; skipped when absent) and
writes N seeded damaged copies of it: random bytes in the header, a header field overwritten with
random digits and signs, the file cut at a random byte, random bytes appended, random bytes in the
data records (including the EDF+ annotation signal). Runs `$EIMFS_BIN -q detect COPY --out DIR`
on each and requires

* exit code 0 or 1 and no panic message (a crash is exit code 101 with "panicked");
* on an error: a message that names the file, and no file left in the output directory;
* on success: the four outputs;
* the damaged copy unchanged afterwards.

Prints the counts and exits non-zero on any failure.

    python3 ci/checks/detect_bad_files.py [N] [SEED]
"""

import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("EIMFS_BIN", str(ROOT / "target" / "debug" / "eimfs"))
SHARED = Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))
CLIP = SHARED / "data" / "helsinki-dev" / "helsinki_eeg5_00001s.edf"
NUMERIC = b"0123456789 .-+eE"
KINDS = ("header byte", "header field", "truncated", "extended", "data bytes")


def damage(data, header_bytes, rng):
    """A damaged copy of `data` and what was done to it."""
    d = bytearray(data)
    kind = rng.choice(KINDS)
    if kind == "header byte":
        for _ in range(rng.randint(1, 4)):
            d[rng.randrange(header_bytes)] = rng.choice(list(NUMERIC) + [rng.randrange(256)])
    elif kind == "header field":
        at, n = rng.randrange(256, header_bytes), rng.choice([4, 8, 16, 80])
        d[at:at + n] = bytes(rng.choice(NUMERIC) for _ in range(n))
    elif kind == "truncated":
        d = d[:rng.randrange(len(d))]
    elif kind == "extended":
        d += bytes(rng.randrange(256) for _ in range(rng.randint(1, 5000)))
    else:
        for _ in range(50):
            d[rng.randrange(header_bytes, len(d))] = rng.randrange(256)
    return bytes(d), kind


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    if not CLIP.exists():
        print(f"skipped: {CLIP} not found")
        return 0
    data = CLIP.read_bytes()
    header_bytes = int(data[184:192])
    rng = random.Random(seed)
    counts = {"ran": 0, "refused": 0}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i in range(n):
            copy, kind = damage(data, header_bytes, rng)
            path = tmp / f"damaged_{i}.edf"
            path.write_bytes(copy)
            out = tmp / "out"
            shutil.rmtree(out, ignore_errors=True)
            r = subprocess.run([BIN, "-q", "detect", str(path), "--out", str(out)], capture_output=True, text=True, timeout=120)
            what = f"copy {i} ({kind})"
            written = sorted(os.listdir(out)) if out.exists() else []
            if "panicked" in r.stderr or r.returncode not in (0, 1):
                failures.append(f"{what}: exit code {r.returncode}: {r.stderr.strip()[-300:]}")
            elif r.returncode == 0:
                counts["ran"] += 1
                if len(written) != 4:
                    failures.append(f"{what}: ran but wrote {written}")
            else:
                counts["refused"] += 1
                if path.name not in r.stderr:
                    failures.append(f"{what}: the error does not name the file: {r.stderr.strip()[-300:]}")
                if written:
                    failures.append(f"{what}: refused but left {written}")
            if hashlib.sha256(path.read_bytes()).digest() != hashlib.sha256(copy).digest():
                failures.append(f"{what}: the input file was modified")
            path.unlink()
    print(f"{n} damaged copies of {CLIP.name} (seed {seed}): {counts['ran']} analysed, {counts['refused']} refused with an error naming the file")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
