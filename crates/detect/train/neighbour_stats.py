#!/usr/bin/env python3
"""How the correlation of each electrode with its 10-20 neighbours is distributed in the simulated
training corpus and in the Helsinki clips: the measurement behind giving the classifier only the
negative side of it (`neighbour_anticorrelation`, crates/detect/src/neighbours.rs; docs/detector.md,
Accuracy).

    python3 crates/detect/train/neighbour_stats.py --workdir W    # W: a train.py workdir (W/sim)

Recomputes the correlation independently of the detector, with numpy/scipy, from the EDFs: each
EEG channel to 64 Hz (scipy.signal.resample_poly), the common average of the 10-20 electrodes that
are not flat (standard deviation below 0.5 uV in the median second), first differences within
each 1-s block, and per second over the 8-s window [s - 4, s + 4): r = sum(a*b) / sqrt(sum(a^2) *
sum(b^2)) with each neighbour, the largest. (The detector's anti-alias filter and per-second flat
test differ in detail, so the figures agree with its feature to about a hundredth, not exactly.)

Prints the median and the share below 0 and below -0.2 for: simulated ictal and background
seconds (labels as train.py gives them: the ictal electrode while its region is ictal; artefacts
count as background), simulated electrode-off seconds (artf_elec, the electrode that is off,
4 s in from each end), and the Helsinki seconds that the experts' majority marks as seizure and
as seizure-free (every electrode). Needs pyedflib (ci/requirements.txt).
"""

import argparse
import json
import re
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyedflib
import scipy.signal as ss

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import train  # noqa: E402  (labels and the neighbour table; scikit-learn is not needed here)

FS = 64
FLAT_UV = 0.5
ALIASES = {"T7": "T3", "T8": "T4", "P7": "T5", "P8": "T6"}
NAMES = list(train.NEIGHBOURS_1020)
PATTERN = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(NAMES + list(ALIASES)) + r")(?![0-9])", re.IGNORECASE)


def electrode(label):
    m = PATTERN.search(label.replace("EEG", " "))
    if not m:
        return None
    name = next(n for n in NAMES + list(ALIASES) if n.lower() == m.group(1).lower())
    return ALIASES.get(name, name)


def largest_neighbour_r(edf):
    """Per used electrode, per second: the largest neighbour correlation. Returns (electrodes,
    array (electrodes, seconds))."""
    f = pyedflib.EdfReader(str(edf))
    try:
        sig = {}
        for i, lab in enumerate(f.getSignalLabels()):
            e = electrode(lab)
            if e is None or e in sig:
                continue
            fs = f.getSampleFrequency(i)
            q = Fraction(FS, int(round(fs))).limit_denominator(1000)
            sig[e] = ss.resample_poly(f.readSignal(i), q.numerator, q.denominator)
    finally:
        f.close()
    n_sec = min(len(x) for x in sig.values()) // FS
    els = [e for e in NAMES if e in sig]
    x = np.array([sig[e][: n_sec * FS] for e in els]).reshape(len(els), n_sec, FS)
    live = np.median(x.std(axis=2), axis=1) >= FLAT_UV
    els = [e for e, ok in zip(els, live) if ok]
    x = x[live]
    x = x - x.mean(axis=0, keepdims=True)
    d = np.diff(x, axis=2)  # (electrodes, seconds, 63)
    energy = (d * d).sum(axis=2)

    def window(v):  # sum over [s - 4, s + 4), clipped
        c = np.concatenate([np.zeros(v.shape[:-1] + (1,)), np.cumsum(v, axis=-1)], axis=-1)
        s = np.arange(n_sec)
        return c[..., np.minimum(s + 4, n_sec)] - c[..., np.maximum(s - 4, 0)]

    ew = window(energy)
    best = np.full((len(els), n_sec), np.nan)
    for a, ea in enumerate(els):
        for b, eb in enumerate(els):
            if b <= a or eb not in train.NEIGHBOURS_1020[ea]:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                r = window((d[a] * d[b]).sum(axis=1)) / np.sqrt(ew[a] * ew[b])
            best[a] = np.fmax(best[a], r)
            best[b] = np.fmax(best[b], r)
    return els, best


def summary(name, v):
    v = v[np.isfinite(v)]
    print(f"{name:<34} {len(v):>9} {np.median(v):>7.2f} {np.mean(v < 0):>8.3f} {np.mean(v < -0.2):>8.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", required=True, help="a train.py workdir (its sim/ holds the training corpus)")
    args = ap.parse_args()
    simdir = Path(args.workdir) / "sim"
    entries = json.loads((HERE / "manifest_train.json").read_text())["entries"]
    ictal, background, off = [], [], []
    for e in entries:
        els, r = largest_neighbour_r(simdir / f"{e['name']}.edf")
        truth = json.loads((simdir / f"{e['name']}_truth.json").read_text())
        meta = {"derivations": [{"electrodes": [el]} for el in els]}
        y = train.sim_labels(meta, truth, r.shape[1]).T  # (electrodes, seconds)
        ictal.append(r[y == 1])
        background.append(r[y == 0])
        for a in truth["artefacts"]:
            if a["kind"] != "ElectrodeOff":
                continue
            s0, s1 = int(np.ceil(a["onset"])) + 4, int(a["onset"] + a["duration"]) - 4
            for ch in a["channels"]:
                if ch in els and s1 > s0:
                    off.append(r[els.index(ch), s0:min(s1, r.shape[1])])
    lab = train.helsinki_labels()
    seizure, free = [], []
    for clip in sorted(lab):
        els, r = largest_neighbour_r(train.HELSINKI / f"{clip}.edf")
        maj = np.array([lab[clip][s][3] for s in range(r.shape[1])])
        seizure.append(r[:, maj == 1].ravel())
        free.append(r[:, maj == 0].ravel())
    print(f"{'largest neighbour correlation r':<34} {'seconds':>9} {'median':>7} {'r < 0':>8} {'r < -0.2':>8}")
    summary("simulated, ictal electrode", np.concatenate(ictal))
    summary("simulated, background", np.concatenate(background))
    summary("simulated, electrode off", np.concatenate(off))
    summary("Helsinki, seizure (majority)", np.concatenate(seizure))
    summary("Helsinki, seizure-free", np.concatenate(free))


if __name__ == "__main__":
    main()
