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

    python3 crates/detect/train/helsinki_checks.py --periodicity

measures the two missed seizures that docs/detector.md describes ("What the missed clips show"):
on bipolar derivations filtered 0.5-30 Hz (4th-order Butterworth, zero phase) over the seizure,
the Welch peak (8-s segments), the largest autocorrelation at lags 0.4-2.5 s and the 2.5-97.5 %
peak-to-peak amplitude. Needs pyedflib (as in ci/requirements.txt).

    python3 crates/detect/train/helsinki_checks.py --periodicity-auc

asks whether a long-lag periodicity measure would separate the seizure seconds of all 16 clips:
per second, on the 8-s window around it, per channel of the common average (10-20 electrodes not
flat, 0.5-25 Hz, 64 Hz), the largest autocorrelation at lags 0.6-2.5 s of the signal and of its
envelope (|first difference| averaged over 0.125 s), taken after the autocorrelation's first zero
crossing or not; the maximum over channels per second; its AUC against the experts' majority and
each clip's mean.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2] / "bench"))

import corpus  # noqa: E402
import train  # noqa: E402
from accuracy import auc, detect_held_out  # noqa: E402

MONTAGES = ["average", "double-banana", "neonatal"]
# (clip, derivation, seizure span in s) read in docs/detector.md.
PERIODIC = [
    ("helsinki_eeg39_00001s", ("F7", "T3"), (2, 24)),
    ("helsinki_eeg39_00001s", ("T3", "T5"), (2, 24)),
    ("helsinki_eeg44_00194s", ("P4", "O2"), (2, 19)),
    ("helsinki_eeg44_00194s", ("T3", "T5"), (2, 19)),
]


def periodicity(items):
    """Print the rhythm and amplitude of each (EDF path, (electrode, electrode), (t0, t1))."""
    import pyedflib
    from scipy.signal import butter, sosfiltfilt, welch

    for path, (a, b), (t0, t1) in items:
        clip = Path(path).stem
        with pyedflib.EdfReader(str(path)) as f:
            labels = [l.upper().replace("EEG ", "").replace("-REF", "").strip() for l in f.getSignalLabels()]
            i, j = labels.index(a.upper()), labels.index(b.upper())
            fs = f.getSampleFrequency(i)
            x = f.readSignal(i) - f.readSignal(j)
        x = sosfiltfilt(butter(4, [0.5, 30.0], btype="band", fs=fs, output="sos"), x)[int(t0 * fs) : int(t1 * fs)]
        x = x - x.mean()
        fr, p = welch(x, fs=fs, nperseg=int(8 * fs))
        band = (fr > 0.3) & (fr < 15)
        r = np.correlate(x, x, "full")[len(x) - 1 :]
        r /= r[0]
        lags = np.arange(len(r)) / fs
        m = (lags >= 0.4) & (lags <= 2.5)
        k = int(np.argmax(r[m]))
        p2p = np.percentile(x, 97.5) - np.percentile(x, 2.5)
        print(f"{clip} {a}-{b} {t0:g}-{t1:g} s: Welch peak {fr[band][np.argmax(p[band])]:.2f} Hz, autocorrelation {r[m][k]:.2f} at {lags[m][k]:.2f} s, {p2p:.0f} µV peak to peak")


def periodicity_auc(lo=0.6, hi=2.5, fs=64):
    """Per-second AUC of long-lag periodicity measures (see the module doc)."""
    import pyedflib
    from scipy.signal import butter, resample_poly, sosfiltfilt

    electrodes = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "F7", "F8", "T3", "T4", "T5", "T6", "Fz", "Cz", "Pz"]
    sos = butter(4, [0.5, 25.0], btype="band", fs=fs, output="sos")
    lags = np.arange(int(lo * fs), int(hi * fs))

    def acf(w):
        w = w - w.mean()
        n = len(w)
        r = np.correlate(w, w, "full")[n - 1 :]
        r = r / (r[0] + 1e-12) * n / (n - np.arange(n))  # per overlapping sample
        below = np.nonzero(r[1:] <= 0)[0]
        z = below[0] + 1 if len(below) else len(r)
        after = r[max(z, lags[0]) : lags[-1] + 1]
        return r[lags].max(), (after.max() if len(after) else 0.0)

    lab = train.helsinki_labels()
    names = ["signal", "signal after zero", "envelope", "envelope after zero"]
    scores, majority = {n: [] for n in names}, []
    for clip in sorted(lab):
        with pyedflib.EdfReader(str(train.HELSINKI / f"{clip}.edf")) as f:
            labels = [l.upper().replace("EEG ", "").split("-")[0].strip() for l in f.getSignalLabels()]
            x = np.array([resample_poly(f.readSignal(labels.index(e.upper())), fs, int(f.getSampleFrequency(labels.index(e.upper()))))
                          for e in electrodes if e.upper() in labels])
        sd = np.median(x[:, : x.shape[1] // fs * fs].reshape(len(x), -1, fs).std(axis=2), axis=1)
        x = x[sd >= 0.5]  # the flat recording reference left out, as the detector does
        x = sosfiltfilt(sos, x - x.mean(axis=0), axis=1)
        k = int(0.125 * fs)
        env = np.array([np.convolve(np.abs(np.diff(c)), np.ones(k) / k, "same") for c in x])
        n = x.shape[1] // fs
        clip_scores = {nm: [] for nm in names}
        for s in range(n):
            a = min(max(0, s - 4), n - 8)
            per = np.array([acf(c[a * fs : (a + 8) * fs]) + acf(e[a * fs : (a + 8) * fs]) for c, e in zip(x, env)])
            for i, nm in enumerate(names):
                clip_scores[nm].append(per[:, i].max())
            majority.append(lab[clip][s][3])
        for nm in names:
            scores[nm] += clip_scores[nm]
        seizure = "seizure" if any(lab[clip][s][3] for s in range(n)) else "       "
        print(f"{clip:24} {seizure} " + "  ".join(f"{nm} {np.mean(v):.2f}" for nm, v in clip_scores.items()))
    for nm in names:
        print(f"AUC, largest autocorrelation of the {nm} at lags {lo}-{hi} s (maximum over channels): {auc(scores[nm], majority):.3f}")


def probabilities(binary, loo, montage, out):
    """Per clip: the probability table (seconds × [overall, regions...]) of its held-out model."""
    tables = {}
    for clip in sorted(train.helsinki_labels()):
        rows, _ = detect_held_out(binary, loo, clip, out, montage)
        tables[clip] = np.array([[0.0 if v == "n/a" else float(v) for v in r[1:]] for r in rows])
    return tables


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loo", help="directory of the 16 leave-one-clip-out models")
    ap.add_argument("--periodicity", action="store_true", help="measure the periodic discharges of the missed clips instead")
    ap.add_argument("--edf", nargs=4, metavar=("EDF", "A-B", "T0", "T1"), help="with --periodicity: measure this derivation of this file over T0-T1 s instead")
    ap.add_argument("--periodicity-auc", action="store_true", help="per-second AUC of long-lag periodicity measures on all 16 clips instead")
    ap.add_argument("--bin", default=None, help="eimfs binary (default: build target/release/eimfs)")
    args = ap.parse_args()
    if args.periodicity_auc:
        periodicity_auc()
        return
    if args.periodicity:
        if args.edf:
            path, deriv, t0, t1 = args.edf
            periodicity([(path, tuple(deriv.split("-", 1)), (float(t0), float(t1)))])
        else:
            periodicity([(train.HELSINKI / f"{c}.edf", d, span) for c, d, span in PERIODIC])
        return
    if not args.loo:
        ap.error("--loo is required (or --periodicity)")
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
