#!/usr/bin/env python3
"""Spectrum of background EEG: the Helsinki clips against simulated recordings.

    python3 bench/background_spectrum.py [SIM.edf ...]

Prints, for the 9 seizure-free Helsinki clips (../shared/data/helsinki-dev, or $EIMFS_SHARED) and
for each simulated recording given (an `eimfs simulate` EDF with its `_truth.json` beside it), the
12 double-banana derivations of the temporal and parasagittal chains (Welch, 4-s segments, half
overlap): the median power density over derivations (and windows), as log10 relative to its
0.5–30 Hz total at 0.5, 1, 2, 4, 8, 16 and 30 Hz; and medians over derivations of the delta
(0.5–4 Hz), theta (4–8), alpha (8–13) and beta (13–30) shares of 0.5–30 Hz power, the 90 %
spectral edge, the 1–20 Hz log-log slope and the 0.5–30 Hz RMS. Simulated recordings are cut into 30-s windows (every fourth one is used) that lie at least
30 s before and 60 s after any seizure and 2 s clear of any artefact of the truth. The tables in
docs/simulator.md ("Calibration") come from this script (with /work/venv's numpy, scipy, pyedflib).

    python3 bench/background_spectrum.py --bands [SIM.edf ...]

prints instead, per seizure-free Helsinki clip (and per simulated recording, over the same
windows), the medians over the 16 derivations of the double banana (temporal and parasagittal
chains) of the 0.5–1, 1–2, 2–4, 4–8 and 8–25 Hz shares of the 0.5–25 Hz power (Welch, 8-s
segments, half overlap, over each 30-s clip or window) and of the derivation RMS (µV): how much
of the background lies in the slowest delta ("slow-wave dominance" in docs/simulator.md).

    python3 bench/background_spectrum.py --spatial [SIM.edf ...]

prints how strongly neighbouring electrodes move together: in the common average of the 10-20
electrodes present, each band-passed (4th-order Butterworth, forward-backward) in 0.5-2, 2-4,
4-8, 8-13 and 13-25 Hz, the median over the 10-20 neighbour pairs (the detector's table,
crates/detect/train/train.py) of their correlation, then the median over clips or windows; for
the seizure-free Helsinki clips (whole clips), the seconds the experts' majority marks as seizure
(clips with at least 8 of them), and each simulated recording's clean 30-s windows as above and
its seizures. It measures how much too narrow the simulator's scalp fields are (one point dipole
per region): see docs/simulator.md, "Spatial correlation".
"""

import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pyedflib
from scipy.signal import welch

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))
HELSINKI = SHARED / "data" / "helsinki-dev"
sys.path.insert(0, str(ROOT / "crates" / "detect" / "train"))  # train.py: Helsinki labels, 10-20 neighbours
PAIRS = [("Fp1", "T3"), ("T3", "O1"), ("Fp2", "T4"), ("T4", "O2"), ("Fp1", "C3"), ("C3", "O1"),
         ("Fp2", "C4"), ("C4", "O2"), ("T3", "C3"), ("C3", "Cz"), ("Cz", "C4"), ("C4", "T4")]
FREQS = [0.5, 1, 2, 4, 8, 16, 30]
BANDS = [(0.5, 4), (4, 8), (8, 13), (13, 30.01)]


def load(path):
    """Referential EEG channels by 10-20 name, and the sampling rate."""
    f = pyedflib.EdfReader(str(path))
    try:
        fs = f.getSampleFrequency(0)
        out = {}
        for i, label in enumerate(f.getSignalLabels()):
            m = re.match(r"EEG\s+([A-Za-z0-9]+)", label)
            if m and f.getSampleFrequency(i) == fs:
                name = m.group(1)
                name = "Fp" + name[2:] if name.upper().startswith("FP") else name.capitalize()
                out[name] = f.readSignal(i)
        return out, fs
    finally:
        f.close()


def measures(x, fs):
    """(frequencies, PSD, [delta, theta, alpha, beta shares, SEF90, slope, RMS]) of one signal."""
    f, p = welch(x, fs, nperseg=int(4 * fs), noverlap=int(2 * fs))
    band = (f >= 0.5) & (f <= 30)
    total = p[band].sum()
    shares = [p[(f >= lo) & (f < hi)].sum() / total for lo, hi in BANDS]
    c = np.cumsum(p[band])
    sef = f[band][np.searchsorted(c, 0.9 * c[-1])]
    s = (f >= 1) & (f <= 20)
    slope = np.polyfit(np.log10(f[s]), np.log10(p[s]), 1)[0]
    rms = np.sqrt(total * (f[1] - f[0]))
    return f, p, shares + [sef, slope, rms]


def row(name, rows):
    f = rows[0][0]
    psd = np.median(np.array([r[1] for r in rows]), axis=0)
    band = (f >= 0.5) & (f <= 30)
    psd = psd / psd[band].sum()
    logp = [np.log10(psd[np.argmin(abs(f - q))]) for q in FREQS]
    m = np.median(np.array([r[2] for r in rows]), axis=0)
    cells = [f"{v:6.2f}" for v in logp] + [f"{v:6.3f}" for v in m[:4]] + [f"{m[4]:5.2f}", f"{m[5]:6.2f}", f"{m[6]:6.1f}"]
    print(f"{name:34s} {len(rows):5d} " + " ".join(cells))


def helsinki_majority():
    """Per Helsinki clip: the experts' majority label of each second (from the training code's
    reader of labels.tsv)."""
    from train import helsinki_labels

    return {clip: [secs[s][3] for s in sorted(secs)] for clip, secs in helsinki_labels().items()}


def clean_windows(path):
    """A simulated recording's channels, rate, truth, and the starts (samples) of every fourth 30-s
    window at least 30 s before and 60 s after any seizure and 2 s clear of any artefact."""
    x, fs = load(path)
    truth = json.loads(Path(path[:-4] + "_truth.json").read_text())
    n = len(next(iter(x.values())))
    bad = np.zeros(n, bool)
    for s in truth["seizures"]:
        bad[max(0, int((s["onset"] - 30) * fs)):int((s["offset"] + 60) * fs)] = True
    for a in truth.get("artefacts", []):
        bad[max(0, int((a["onset"] - 2) * fs)):int((a["onset"] + a.get("duration", 0) + 2) * fs)] = True
    win = int(30 * fs)
    return x, fs, truth, win, [st for st in range(0, n - win, 4 * win) if not bad[st:st + win].any()]


DOUBLE_BANANA = [("Fp1", "F7"), ("F7", "T3"), ("T3", "T5"), ("T5", "O1"), ("Fp2", "F8"), ("F8", "T4"), ("T4", "T6"), ("T6", "O2"),
                 ("Fp1", "F3"), ("F3", "C3"), ("C3", "P3"), ("P3", "O1"), ("Fp2", "F4"), ("F4", "C4"), ("C4", "P4"), ("P4", "O2")]
SLOW_BANDS = [(0.5, 1), (1, 2), (2, 4), (4, 8), (8, 25.01)]


def slow_shares(x, fs):
    """Band shares of 0.5-25 Hz power (SLOW_BANDS) and RMS of one 30-s derivation."""
    f, p = welch(x, fs, nperseg=int(8 * fs), noverlap=int(4 * fs))
    total = p[(f >= 0.5) & (f <= 25)].sum()
    return [p[(f >= lo) & (f < hi)].sum() / total for lo, hi in SLOW_BANDS] + [np.sqrt(np.var(x))]


def bands_main(paths):
    print(f"{'':34s} " + " ".join(f"{f'{lo:g}-{min(hi, 25):g}':>6s}" for lo, hi in SLOW_BANDS) + "    RMS")

    def out(name, rows):
        m = np.median(np.array(rows), axis=0)
        print(f"{name:34s} " + " ".join(f"{v:6.2f}" for v in m[:-1]) + f" {m[-1]:6.1f}")

    for clip, lab in sorted(helsinki_majority().items()):
        if sum(lab) > 0:
            continue
        x, fs = load(HELSINKI / f"{clip}.edf")
        out(clip, [slow_shares(x[a] - x[b], fs) for a, b in DOUBLE_BANANA if a in x and b in x])
    for path in paths:
        x, fs, truth, win, starts = clean_windows(path)
        per_window = [np.median([slow_shares(x[a][st:st + win] - x[b][st:st + win], fs) for a, b in DOUBLE_BANANA if a in x and b in x], axis=0)
                      for st in starts]
        pr = truth.get("parameters", {})
        label = Path(path).stem[:20] + f" m={pr.get('background_maturity', float('nan')):.2f} s={pr.get('background_slow_dominance', float('nan')):.2f}"
        if per_window:
            out(label, per_window)
        else:
            print(f"{label}: no seizure- and artefact-free 30-s window")


SPATIAL_BANDS = [(0.5, 2), (2, 4), (4, 8), (8, 13), (13, 25)]


def neighbour_correlations(x, fs, mask=None):
    """Per SPATIAL_BANDS: the median over 10-20 neighbour pairs of the correlation of their
    band-passed common-average signals (over the samples where `mask` is true, if given)."""
    from scipy.signal import butter, sosfiltfilt
    from train import NEIGHBOURS_1020

    els = [e for e in NEIGHBOURS_1020 if e in x]
    n = min(len(x[e]) for e in els)
    v = np.array([x[e][:n] for e in els])
    v = v - v.mean(axis=0)
    out = []
    for lo, hi in SPATIAL_BANDS:
        y = sosfiltfilt(butter(4, [lo, hi], "bandpass", fs=fs, output="sos"), v, axis=1)
        if mask is not None:
            y = y[:, mask[:n]]
        out.append(np.median([np.corrcoef(y[a], y[b])[0, 1] for a, ea in enumerate(els) for b, eb in enumerate(els)
                              if b > a and eb in NEIGHBOURS_1020[ea]]))
    return out


def spatial_main(paths):
    print(f"{'median neighbour correlation':34s} {'n':>5s} " + " ".join(f"{f'{lo:g}-{hi:g}':>6s}" for lo, hi in SPATIAL_BANDS))

    def out(name, rows):
        if rows:
            print(f"{name:34s} {len(rows):5d} " + " ".join(f"{v:6.2f}" for v in np.median(np.array(rows), axis=0)))
        else:
            print(f"{name:34s}     0")

    free, seizure = [], []
    for clip, lab in sorted(helsinki_majority().items()):
        x, fs = load(HELSINKI / f"{clip}.edf")
        if sum(lab) == 0:
            free.append(neighbour_correlations(x, fs))
        elif sum(lab) >= 8:
            mask = np.repeat(np.array(lab) == 1, int(fs))
            seizure.append(neighbour_correlations(x, fs, np.pad(mask, (0, max(0, len(next(iter(x.values()))) - len(mask))))))
    out("Helsinki, seizure-free clips", free)
    out("Helsinki, seizure seconds", seizure)
    for path in paths:
        x, fs, truth, win, starts = clean_windows(path)
        out(Path(path).stem[:24] + " background", [neighbour_correlations({e: v[st:st + win] for e, v in x.items()}, fs) for st in starts])
        n = len(next(iter(x.values())))
        rows = []
        for sz in truth["seizures"]:
            a, b = int(sz["onset"] * fs), min(n, int(sz["offset"] * fs))
            if b - a >= 8 * fs:
                lo, hi = max(0, a - int(10 * fs)), min(n, b + int(10 * fs))
                mask = np.zeros(hi - lo, bool)
                mask[a - lo:b - lo] = True
                rows.append(neighbour_correlations({e: v[lo:hi] for e, v in x.items()}, fs, mask))
        out(Path(path).stem[:24] + " seizures", rows)


def main():
    if sys.argv[1:2] == ["--spatial"]:
        spatial_main(sys.argv[2:])
        return
    if sys.argv[1:2] == ["--bands"]:
        bands_main(sys.argv[2:])
        return
    print(f"{'':34s} {'n':>5s} " + " ".join(f"{q:>6g}" for q in FREQS) + "  delta  theta  alpha   beta  SEF90  slope    RMS")
    labels = helsinki_majority()
    for want, name in [(0, "Helsinki, seizure-free clips"), (1, "Helsinki, seizure clips")]:
        rows = []
        for clip, lab in sorted(labels.items()):
            if (sum(lab) > len(lab) / 2) != bool(want):
                continue
            x, fs = load(HELSINKI / f"{clip}.edf")
            rows += [measures(x[a] - x[b], fs) for a, b in PAIRS if a in x and b in x]
        row(name, rows)
    for path in sys.argv[1:]:
        x, fs, truth, win, starts = clean_windows(path)
        rows = [measures(x[a][st:st + win] - x[b][st:st + win], fs) for st in starts for a, b in PAIRS if a in x and b in x]
        m = truth.get("parameters", {}).get("background_maturity")
        label = Path(path).stem + (f" (maturity {m:.2f})" if m is not None else "")
        if rows:
            row(label, rows)
        else:
            print(f"{label}: no seizure- and artefact-free 30-s window")


if __name__ == "__main__":
    main()
