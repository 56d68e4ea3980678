#!/usr/bin/env python3
"""Does `eimfs detect` call an electrode that is off (broadband noise) ictal?

    python3 bench/electrode_off.py --bin target/release/eimfs [--model M.json] [--workdir DIR]

Needs numpy and pyedflib (the CI venv, ci/requirements.txt).

1. Simulates 20 min of a wild-type recording without seizures (`eimfs simulate --variant wt
   --seed 5`, a seed no training corpus uses) and replaces T4 from 300 s to 900 s by white noise of
   80 uV RMS.
2. Takes five seizure-free Helsinki clips (../shared/data/helsinki-dev: eeg10, eeg3, eeg48, eeg49,
   eeg55; they are in the built-in model's training data as clean negatives) and replaces T4 by the
   same noise from 10 s to the end.
3. Runs `eimfs detect` on each file, without and with the noise, and prints the mean and maximum
   overall probability over the noisy span and the number of detected seizures.

The last line gives the mean probability over the noisy span of the simulated recording.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# bench/ holds scripts named like standard modules (signal.py): keep it off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import pyedflib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))
CLIPS = ["eeg10_00001s", "eeg3_00001s", "eeg48_00001s", "eeg49_00001s", "eeg55_00001s"]
NOISE_UV = 80.0


def run(cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{r.stderr}")


def with_noise(src, dst, start_s, end_s, seed=3):
    """A copy of `src` with T4 replaced by white noise of NOISE_UV RMS over [start_s, end_s)."""
    r = pyedflib.EdfReader(str(src))
    n = r.signals_in_file
    headers = [r.getSignalHeader(i) for i in range(n)]
    signals = [r.readSignal(i) for i in range(n)]
    r.close()
    t4 = [i for i, h in enumerate(headers) if "T4" in h["label"] or "T8" in h["label"]][0]
    fs = headers[t4]["sample_frequency"]
    a, b = int(start_s * fs), min(int(end_s * fs), len(signals[t4]))
    x = signals[t4].copy()
    x[a:b] = np.random.default_rng(seed).normal(0.0, NOISE_UV, b - a)
    signals[t4] = np.clip(x, headers[t4]["physical_min"], headers[t4]["physical_max"])
    for h in headers:
        h.pop("sample_rate", None)  # pyedflib's deprecated alias; sample_frequency is the rate
    w = pyedflib.EdfWriter(str(dst), n, file_type=pyedflib.FILETYPE_EDFPLUS)
    w.setSignalHeaders(headers)
    w.writeSamples(signals)
    w.close()


def detect(binary, model, edf, out):
    run([binary, "detect", edf, "--out", out, "--quiet", *(["--model", model] if model else [])])
    stem = Path(edf).stem
    with open(Path(out) / f"{stem}_probability.tsv") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    p = [float(r[1]) if r[1] != "n/a" else math.nan for r in rows]
    n = len(json.loads((Path(out) / f"{stem}_seizures.json").read_text())["seizures"])
    return p, n


def span_stats(p, a, b):
    v = [x for x in p[a:b] if not math.isnan(x)]
    return (sum(v) / len(v), max(v)) if v else (math.nan, math.nan)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "eimfs"))
    ap.add_argument("--model", default=None, help="detect with this model instead of the built-in one")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "eimfs-electrode-off"))
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    out = work / "out"

    cases = []  # (name, clean file, noisy file, noisy span in seconds)
    wt = work / "wt.edf"
    if not wt.exists():
        run([args.bin, "simulate", "--variant", "wt", "--duration", "20m", "--seed", "5", "--out", work, "--name", "wt", "--quiet"])
    with_noise(wt, work / "wt_T4off.edf", 300, 900)
    cases.append(("simulated wild type, seed 5", wt, work / "wt_T4off.edf", (300, 900)))
    for c in CLIPS:
        src = SHARED / "data" / "helsinki-dev" / f"helsinki_{c}.edf"
        dst = work / f"helsinki_{c}_T4off.edf"
        with_noise(src, dst, 10, 30)
        cases.append((f"Helsinki {c.split('_')[0]}", src, dst, (10, 30)))

    print(f"T4 replaced by white noise of {NOISE_UV:g} uV RMS; probability over the noisy span ({args.bin}{', model ' + args.model if args.model else ''})")
    print(f"{'recording':<30} {'span s':>9} {'clean mean/max':>15} {'seizures':>8} {'noisy mean/max':>15} {'seizures':>8}")
    headline = None
    for name, clean, noisy, (a, b) in cases:
        pc, nc = detect(args.bin, args.model, clean, out)
        pn, nn = detect(args.bin, args.model, noisy, out)
        mc, xc = span_stats(pc, a, b)
        mn, xn = span_stats(pn, a, b)
        print(f"{name:<30} {f'{a}-{b}':>9} {f'{mc:.3f} / {xc:.3f}':>15} {nc:>8} {f'{mn:.3f} / {xn:.3f}':>15} {nn:>8}")
        if headline is None:
            headline = (mn, nn)
    print(f"electrode off, simulated recording: mean probability {headline[0]:.3f}, {headline[1]} seizure(s)")


if __name__ == "__main__":
    main()
