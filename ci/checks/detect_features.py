#!/usr/bin/env python3
"""Cross-check of the detector's features against an independent numpy/scipy implementation.

Writes a 5-minute 19-channel EDF (256 Hz: random 1/f-like background, a rhythmic discharge
on some channels, a burst of 40 Hz "muscle", a step "pop", an electrode off), runs `eimfs detect --features`, and
recomputes every feature from the EDF with pyedflib, scipy.signal.firwin (the anti-alias FIR),
numpy (the neighbour anticorrelation), and scipy.signal.welch (the Welch spectrum of each 8-s window, nperseg 128, 50 % overlap,
periodic Hann, constant detrend), following the definitions in crates/detect/src/features.rs.
Exits non-zero when any feature differs beyond its tolerance.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyedflib
import scipy.signal as ss

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("EIMFS_BIN", str(ROOT / "target" / "debug" / "eimfs"))
ELECTRODES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"]
FS = 256
SECONDS = 300
NAMES = None  # from the sidecar
BANDS = [(1, 7), (8, 15), (16, 25), (26, 49)]
LO, HI = 1, 49
DF = 0.5
# 10-20 neighbours: the table of the training script (crates/detect/train/train.py, numpy only at
# import), the same as crates/detect/src/neighbours.rs's (a mismatch fails the comparison below).
sys.path.insert(0, str(ROOT / "crates" / "detect" / "train"))
from train import NEIGHBOURS_1020 as NEIGHBOURS  # noqa: E402


def make_signal(rng):
    n = SECONDS * FS
    t = np.arange(n) / FS
    common = rng.standard_normal(n)
    data = []
    for c, e in enumerate(ELECTRODES):
        w = 0.7 * rng.standard_normal(n) + 0.3 * common
        y = ss.lfilter([1.0], [1.0, -1.5, 0.58], w) * 4.0
        y += 1.5 * np.sin(2 * np.pi * 50 * t + c)
        if e in ("T3", "T5", "C3"):
            a, z = 100 * FS, 160 * FS
            tt = t[a:z] - 100
            y[a:z] += 90 * np.sin(2 * np.pi * (3.0 + 0.02 * tt) * tt) * np.minimum(1, tt / 4)
        if e in ("F8", "T4"):
            a, z = 200 * FS, 205 * FS
            y[a:z] += 30 * rng.standard_normal(z - a) * np.sin(2 * np.pi * 40 * t[a:z])
        if e == "O2":
            y[250 * FS:] += 80.0
        if e == "P4":
            # An electrode off: broadband noise instead of EEG (anticorrelated with its
            # neighbours in the common average).
            a, z = 30 * FS, 90 * FS
            y[a:z] = 80.0 * rng.standard_normal(z - a)
        data.append(y + 10.0 * c)
    return np.array(data)


def write_edf(path, data):
    w = pyedflib.EdfWriter(str(path), len(ELECTRODES) + 1, file_type=pyedflib.FILETYPE_EDFPLUS)
    heads = []
    for e in ELECTRODES + ["EKG"]:
        lab = f"EEG {e}-Ref" if e != "EKG" else "ECG EKG"
        heads.append(dict(label=lab, dimension="uV", sample_frequency=FS, physical_min=-3000.0, physical_max=3000.0, digital_min=-32768, digital_max=32767, transducer="", prefilter=""))
    w.setSignalHeaders(heads)
    ekg = 300 * (np.sin(2 * np.pi * 2 * np.arange(data.shape[1]) / FS) > 0.99)
    w.writeSamples([*data, ekg])
    w.close()


def decimate(x):
    """The detector's anti-alias FIR (81 taps, Kaiser 7.857, cut-off 1/4) evaluated at every 4th
    sample, centred, with the signal extended by its edge values."""
    h = ss.firwin(81, 1 / 4, window=("kaiser", 7.857))
    n_out = -(-len(x) // 4)
    xp = np.concatenate([np.full(40, x[0]), x, np.full(4 * n_out + 40 - len(x), x[-1])])
    y = np.array([h @ xp[4 * k: 4 * k + 81] for k in range(n_out)])
    return y


def block_stats(x, hf_inputs):
    """Per 1-s block of a 64 Hz derivation: var, LL, TK, d1, d2, psd (bins 0..51), peak bin."""
    nb = len(x) // 64
    out = []
    win = ss.get_window("hann", 128)
    scale = 1.0 / (64.0 * (win ** 2).sum())
    for b in range(nb):
        cur = x[b * 64:(b + 1) * 64]
        mean = cur.mean()
        var = ((cur - mean) ** 2).mean()
        ext = np.concatenate([[x[b * 64 - 1]], cur]) if b > 0 else cur
        d = np.diff(ext)
        ll = np.abs(d).sum() * 64 / len(d)
        d1 = (d ** 2).mean()
        dd = ext[2:] - 2 * ext[1:-1] + ext[:-2]
        d2 = (dd ** 2).mean()
        m = ext - mean
        te = (m[1:-1] ** 2 - m[:-2] * m[2:]).mean()
        if b > 0:
            seg = x[(b - 1) * 64:(b + 1) * 64]
            X = np.fft.rfft((seg - seg.mean()) * win)
            p = np.abs(X) ** 2 * scale
            p[1:-1] *= 2
            psd = p[:52]
            peak = LO + int(np.argmax(psd[LO:HI + 1]))
        else:
            psd, peak = None, 0
        out.append(dict(var=var, ll=ll, te=te, d1=d1, d2=d2, psd=psd, peak=peak, hf=hf_inputs[b][0], pop=hf_inputs[b][1]))
    return out


def window(blocks, s):
    lo, hi = max(0, s - 4), min(len(blocks), s + 4)
    bs = blocks[lo:hi]
    var = np.mean([b["var"] for b in bs])
    ll = np.mean([b["ll"] for b in bs])
    te = np.mean([b["te"] for b in bs])
    d1 = np.mean([b["d1"] for b in bs])
    d2 = np.mean([b["d2"] for b in bs])
    hf = np.mean([b["hf"] for b in bs])
    pop = np.max([b["pop"] for b in bs])
    segs = [b for b in bs[1:] if b["psd"] is not None]
    psd = np.mean([b["psd"] for b in segs], axis=0)
    band = lambda a, z: psd[a:z + 1].sum() * DF
    total = band(LO, HI)
    bp = [band(a, z) for a, z in BANDS]
    cum = np.cumsum(psd[LO:HI + 1] * DF)
    sef = (LO + int(np.argmax(cum >= 0.9 * total))) * DF
    pk = LO + int(np.argmax(psd[LO:HI + 1]))
    p = psd[LO:HI + 1] / psd[LO:HI + 1].sum()
    ent = -(p[p > 0] * np.log(p[p > 0])).sum() / np.log(HI - LO + 1)
    conc = (psd[pk - 1] + psd[pk] + psd[pk + 1]) * DF / total
    stable = np.mean([abs(b["peak"] - pk) <= 2 for b in segs])
    mob = np.sqrt(d1 / var)
    comp = np.sqrt(d2 / d1) / mob
    # Aperiodic fit and the most prominent peak above it (1-20 Hz).
    k = np.arange(LO, HI + 1)
    x = np.log10(k * DF)
    y = np.log10(np.maximum(psd[LO:HI + 1], 1e-12))
    slope, icpt = np.polyfit(x, y, 1)
    resid = y - (icpt + slope * x)
    kk = np.arange(2, 41)
    pr = resid[kk - LO]
    prom, prom_f = pr.max(), kk[np.argmax(pr)] * DF
    # Autocorrelation from the spectrum (bins from 1 Hz), first zero crossing, peak after it.
    spec = np.zeros(65)
    spec[2:52] = psd[2:52]
    r = np.fft.irfft(spec, n=128)
    acf = 0.0
    if r[0] > 0:
        z = next((t for t in range(1, 65) if r[t] <= 0), None)
        if z is not None:
            acf = max(0.0, r[z:65].max()) / r[0]
    lg = lambda v: np.log10(max(v, 0.0) + 1e-3)
    return [0.5 * lg(var), lg(ll), lg(te), *[lg(v) for v in bp], *[v / total for v in bp], sef, pk * DF, ent, conc, stable, mob, comp, hf, pop, slope, prom, prom_f, acf]


def main():
    rng = np.random.default_rng(20261121)
    data = make_signal(rng)
    with tempfile.TemporaryDirectory() as tmp:
        edf = Path(tmp) / "features_check.edf"
        write_edf(edf, data)
        npy = Path(tmp) / "f.npy"
        r = subprocess.run([BIN, "detect", str(edf), "--out", tmp, "--features", str(npy), "--quiet"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"eimfs detect failed: {r.stderr}")
        got = np.load(npy)
        meta = json.loads(npy.with_suffix(".json").read_text())
        raw = pyedflib.highlevel.read_edf(str(edf))[0]
    names = meta["features"]
    labels = [d["label"] for d in meta["derivations"]]
    assert labels == [f"{e}-Avg" for e in ELECTRODES], labels
    n_sec = SECONDS
    assert got.shape == (n_sec, 19, len(names)), got.shape
    # Reference features.
    eeg = raw[:19]
    dec = np.array([decimate(x) for x in eeg])
    # Full-rate statistics per input channel and second.
    hfpop = []
    for c in range(19):
        x = eeg[c]
        per = []
        for b in range(n_sec):
            seg = x[b * FS:(b + 1) * FS]
            ext = np.concatenate([[x[b * FS - 1]], seg]) if b > 0 else seg
            d = np.diff(ext)
            dp = (d ** 2).mean() * FS * FS
            ms = np.abs(d).max() * FS
            db = dec[c][b * 64:(b + 1) * 64]
            e_dec = (np.diff(db) ** 2).sum() / 63 * 64 * 64
            per.append((np.log10((dp + 1) / (e_dec + 1)), np.log10(ms / (np.sqrt(dp) + 1) + 1)))
        hfpop.append(per)
    car = dec - dec.mean(axis=0)
    want = np.zeros_like(got)
    for d in range(19):
        blocks = block_stats(car[d], hfpop[d])
        for s in range(n_sec):
            want[s, d, :24] = window(blocks, s)
    # Background: minute medians of the background features, 25th percentile over minutes.
    bg_idx = [1, 0, 3, 4, 5, 6]
    for d in range(19):
        med = np.array([np.median(want[m * 60:(m + 1) * 60, d, bg_idx], axis=0) for m in range(n_sec // 60)])
        for s in range(n_sec):
            m = s // 60
            rows = med[max(0, m - 10):m + 5]
            want[s, d, 24:30] = want[s, d, bg_idx] - np.quantile(rows, 0.25, axis=0)
    for s in range(n_sec):
        want[s, :, 30] = want[s, :, 1] - np.median(want[s, :, 1])
        want[s, :, 31] = np.median(want[s, :, 24])
        want[s, :, 32] = np.mean(want[s, :, 24] > np.log10(2))
    # Neighbour anticorrelation: per block, first differences within the block; per window
    # [s - 4, s + 4), the Pearson correlation (no mean removed) of the differences of each pair of
    # 10-20 neighbours; per derivation the largest r over its neighbours, as max(0, -r).
    diffs = np.diff(car.reshape(19, n_sec, 64).astype(np.float64), axis=2)  # (deriv, block, 63)
    for s in range(n_sec):
        w = diffs[:, max(0, s - 4):min(n_sec, s + 4), :].reshape(19, -1)
        for d, e in enumerate(ELECTRODES):
            r = [np.dot(w[d], w[j]) / np.sqrt(np.dot(w[d], w[d]) * np.dot(w[j], w[j])) for j, f in enumerate(ELECTRODES) if f in NEIGHBOURS[e]]
            want[s, d, 33] = max(0.0, -max(r))
    # Compare.
    failures = 0
    tol = {"peak_frequency": 0.0, "spectral_edge_90": 0.0, "peak_stability": 0.0, "ctx_fraction_elevated": 0.0, "prominent_frequency": 0.0,
           # log10 of the bin powers by a polynomial logarithm (2e-5) and f32 sums.
           "spectral_slope": 1e-4, "peak_prominence": 1e-4, "acf_peak": 1e-4}
    print(f"{'feature':<24} {'max abs diff':>12} {'tolerance':>10} {'mismatch %':>10}")
    for k, name in enumerate(names):
        diff = np.abs(got[..., k].astype(np.float64) - want[..., k])
        scale = np.maximum(1.0, np.abs(want[..., k]))
        t = tol.get(name, 2e-5)
        # A value missing on one side only is a mismatch too (NaN compares false with anything).
        both_nan = np.isnan(got[..., k]) & np.isnan(want[..., k])
        bad = ~(diff <= t * scale + (1e-9 if t == 0 else 0)) & ~both_nan
        frac = bad.mean()
        # Discrete features may flip on near-ties between f32 and f64: allow 0.5 %.
        allowed = 0.005 if t == 0.0 else 0.0
        ok = frac <= allowed
        failures += not ok
        print(f"{name:<24} {diff.max():>12.3g} {t:>10.0e} {100 * frac:>10.2f} {'ok' if ok else 'FAIL'}")
    print(f"{got.shape[0]} s x {got.shape[1]} derivations x {got.shape[2]} features compared with numpy/scipy")
    # The electrode off (P4, 30-90 s) is what the neighbour feature is for: anticorrelated with
    # its neighbours in every window inside it, and nowhere else.
    k = names.index("neighbour_anticorrelation")
    p4 = ELECTRODES.index("P4")
    inside, outside = got[34:86, p4, k], np.concatenate([got[:26, p4, k], got[94:, p4, k]])
    print(f"neighbour_anticorrelation of P4: {inside.min():.2f}-{inside.max():.2f} while off, at most {outside.max():.2f} otherwise")
    if not (inside.min() > 0.15 and outside.max() < 0.5 * inside.min()):
        sys.exit("the electrode off on P4 is not told apart by neighbour_anticorrelation")
    if failures:
        sys.exit(f"{failures} feature(s) differ from the reference")
    print("detector features agree with the numpy/scipy reference")


if __name__ == "__main__":
    main()
