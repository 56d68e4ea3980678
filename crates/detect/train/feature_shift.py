#!/usr/bin/env python3
"""Where real background EEG lies in the simulated background's feature distribution.

    python3 crates/detect/train/feature_shift.py --workdir DIR [CLIP_TOKEN ...]

After `train.py --workdir DIR` (which caches the features of every recording under DIR/features),
prints for each detector feature its median over the seizure-free seconds of 12 simulated training
recordings (at least 30 s before and 60 s after any seizure; every 7th derivation-second) and, for
each Helsinki clip named (default: the 9 seizure-free clips), the clip's median and its percentile
in that simulated distribution. Percentiles near 0 or 100 mark features whose simulated
background does not cover the real one (docs/detector.md, "Accuracy").
"""

import argparse
import glob
import sys
import json
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import helsinki_labels  # noqa: E402


def used(sidecar):
    """The derivations the detector classifies (not flat, not left out), from a feature sidecar:
    an unused one (e.g. the Helsinki clips' flat Cz, the recording reference) has meaningless
    values."""
    return np.array([d["used"] for d in json.loads(Path(sidecar).read_text())["derivations"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("clips", nargs="*", help="Helsinki clip names (default: the seizure-free ones)")
    args = ap.parse_args()
    feat = Path(args.workdir) / "features"
    sim = Path(args.workdir) / "sim"
    clips = args.clips
    if not clips:
        clips = sorted(c for c, rows in helsinki_labels().items() if sum(r[3] for r in rows.values()) == 0)
    names = json.loads((feat / f"{clips[0]}.json").read_text())["features"]
    rows = []
    for f in sorted(glob.glob(str(feat / "train_*.npy")))[:12]:
        X = np.load(f)
        truth = json.loads((sim / f"{Path(f).stem}_truth.json").read_text())
        bad = np.zeros(X.shape[0], bool)
        for s in truth["seizures"]:
            bad[max(0, int(s["onset"]) - 30):int(s["offset"]) + 60] = True
        rows.append(X[~bad][:, used(Path(f).with_suffix(".json")), :].reshape(-1, len(names))[::7])
    simbg = np.concatenate(rows)
    real = {c: np.load(feat / f"{c}.npy")[:, used(feat / f"{c}.json"), :].reshape(-1, len(names)) for c in clips}
    short = [c.replace("helsinki_", "").split("_")[0] for c in clips]
    print(f"{'feature':24s} {'sim bg':>8s} " + " ".join(f"{s:>14s}" for s in short))
    for k, name in enumerate(names):
        a = np.sort(simbg[:, k][np.isfinite(simbg[:, k])])
        if len(a) == 0:
            continue
        cells = []
        for c in clips:
            v = real[c][:, k]
            if not np.isfinite(v).any():
                cells.append(f"{'missing':>14s}")
                continue
            m = np.nanmedian(v)
            cells.append(f"{m:8.3f} ({100 * np.searchsorted(a, m) / len(a):3.0f})")
        print(f"{name:24s} {np.median(a):8.3f} " + " ".join(cells))


if __name__ == "__main__":
    main()
