#!/usr/bin/env python3
"""Two checks of a set of leave-one-clip-out Helsinki models (`train.py --loo` writes them to
WORKDIR/loo): the per-second AUC against the experts' majority

1. with each montage (`eimfs detect --montage M`; the models were trained on the default common
   average), and
2. with the per-second score taken as the mean of the k most probable regions of the
   `_probability.tsv` table instead of its `overall` column (the most probable region).

    python3 crates/detect/train/helsinki_checks.py --loo WORKDIR/loo [--bin target/release/eimfs]

Prints one line per montage and per score; the figures in docs/detector.md ("Two checks of the
shipped setting's leave-one-out models") come from this script.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2] / "bench"))

import corpus  # noqa: E402
import train  # noqa: E402
from accuracy import auc  # noqa: E402

MONTAGES = ["average", "double-banana", "neonatal"]


def probabilities(binary, loo, montage, out):
    """Per clip: the probability table (seconds × [overall, regions...]) of its held-out model."""
    tables = {}
    for clip in sorted(train.helsinki_labels()):
        subprocess.run([binary, "-q", "detect", str(train.HELSINKI / f"{clip}.edf"), "--out", str(out), "--model", str(loo / f"{clip}.json"), "--montage", montage], check=True)
        rows = [l.split("\t")[1:] for l in (out / f"{clip}_probability.tsv").read_text().splitlines()[1:]]
        tables[clip] = np.array([[0.0 if v == "n/a" else float(v) for v in r] for r in rows])
    return tables


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loo", required=True, help="directory of the 16 leave-one-clip-out models")
    ap.add_argument("--bin", default=None, help="eimfs binary (default: build target/release/eimfs)")
    args = ap.parse_args()
    binary = corpus.eimfs_binary(args.bin)
    loo = Path(args.loo)
    lab = train.helsinki_labels()
    majority = np.concatenate([[lab[c][s][3] for s in sorted(lab[c])] for c in sorted(lab)])
    with tempfile.TemporaryDirectory() as tmp:
        for montage in MONTAGES:
            tables = probabilities(binary, loo, montage, Path(tmp) / montage)
            p = np.concatenate([tables[c][: len(lab[c]), 0] for c in sorted(lab)])
            print(f"montage {montage}: AUC {auc(list(p), list(majority)):.3f}")
            if montage != "average":
                continue
            regions = np.concatenate([tables[c][: len(lab[c]), 1:] for c in sorted(lab)])
            ranked = -np.sort(-regions, axis=1)
            for k in range(1, 5):
                print(f"  score = mean of the {k} most probable regions: AUC {auc(list(ranked[:, :k].mean(axis=1)), list(majority)):.3f}")
            print(f"  score = mean of all {regions.shape[1]} regions: AUC {auc(list(regions.mean(axis=1)), list(majority)):.3f}")


if __name__ == "__main__":
    main()
