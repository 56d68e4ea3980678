"""Cross-check of the simulator's infant four-shell lead field against MNE's spherical forward model.

eimfs computes the exact series solution for a dipole in concentric shells (brain, CSF, skull,
scalp); MNE approximates the same model with the Berg & Scherg three-dipole fit. This script writes
eimfs's lead field of the default infant network (`eimfs simulate leadfield`), recomputes it with
`mne.make_sphere_model` + `mne.make_forward_dipole` for the same dipoles, electrodes (BESA positions
on the 64 mm scalp) and linked-mastoid reference, and compares them.

Pass: the series coefficients have MNE's exact n-dependence (to 1e-9) and, for every region,
the relative RMS difference over the 19 channels to MNE's (Berg-Scherg) forward is < 2 %.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import mne

mne.set_log_level("ERROR")

BIN = os.environ.get("EIMFS_BIN", "target/debug/eimfs")
RADII = np.array([57.5, 59.5, 61.0, 64.0])  # mm, brain → scalp (crates/sim/src/head.rs)
SIGMAS = (0.33, 1.79, 0.1, 0.43)
MASTOIDS = np.array([[-0.85, -0.25, -0.46], [0.85, -0.25, -0.46]])
# BESA (theta, phi) of the 19 electrodes in eimfs_core::Electrode::ALL order.
NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"]
BESA = [(-92, -72), (92, 72), (-92, -36), (-60, -51), (46, 90), (60, 51), (92, 36), (-92, 0), (-46, 0), (0, 0),
        (46, 0), (92, 0), (-92, 36), (-60, 51), (46, -90), (60, -51), (92, -36), (-92, 72), (92, -72)]


def unit_positions():
    out = []
    for th, ph in BESA:
        t, p = np.radians(th), np.radians(ph)
        out.append([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)])
    return np.array(out)


def main():
    with tempfile.TemporaryDirectory() as d:
        lf_path = os.path.join(d, "lf.tsv")
        series = json.loads(subprocess.run([BIN, "-q", "simulate", "leadfield", "--out", lf_path, "--series", "60"], check=True, capture_output=True, text=True).stdout)
        regions = json.loads(subprocess.run([BIN, "simulate", "regions", "--json"], check=True, capture_output=True, text=True).stdout)
        rows = [l.split("\t") for l in open(lf_path) if not l.startswith("#")]
        header, body = rows[0], rows[1:]
        ours = {r[0]: np.array([float(x) for x in r[1:]]) for r in body}
        G_ours = np.array([ours[n] for n in NAMES])  # 19 × n, µV per nA·m
        labels = [h.strip() for h in header[1:]]
        assert labels == [r["label"] for r in regions], "region order differs"

    # 1) The exact series: eimfs's coefficients c_n must be proportional to MNE's exact multi-shell
    #    weights (2n+1)/n f_n (Zhang 1995), the same n-dependence to rounding.
    from mne.bem import _fwd_eeg_get_multi_sphere_model_coeffs

    m = {"layers": [{"sigma": s, "rel_rad": r / RADII[-1]} for s, r in zip(SIGMAS, RADII)]}
    f = _fwd_eeg_get_multi_sphere_model_coeffs(m, 61)
    nn = np.arange(1, 61)
    ratio = np.array(series["coefficients"]) / ((2 * nn + 1) / nn * f)
    spread = np.abs(ratio / ratio[0] - 1).max()
    print(f"series coefficients n=1..60 vs MNE's exact multi-shell weights: max relative deviation of the ratio {spread:.2e}")
    if spread > 1e-9:
        print("FAIL: the series differs from the exact multi-shell solution")
        return 1

    # 2) The full forward model (MNE approximates the series with Berg & Scherg's three dipoles).
    scalp = RADII[-1] / 1000.0
    ch = NAMES + ["M1", "M2"]
    pos = np.vstack([unit_positions(), MASTOIDS / np.linalg.norm(MASTOIDS, axis=1)[:, None]]) * scalp
    info = mne.create_info(ch, 256.0, "eeg")
    info.set_montage(mne.channels.make_dig_montage(ch_pos=dict(zip(ch, pos)), coord_frame="head"))
    sphere = mne.make_sphere_model(r0=(0.0, 0.0, 0.0), head_radius=scalp, relative_radii=tuple(RADII / RADII[-1]), sigmas=SIGMAS)
    n = len(regions)
    p = np.array([r["position"] for r in regions]) / 1000.0
    o = np.array([r["orientation"] for r in regions])
    dip = mne.Dipole(times=np.arange(n, dtype=float), pos=p, amplitude=np.full(n, 1e-9), ori=o, gof=np.full(n, 100.0))
    fwd, _ = mne.make_forward_dipole(dip, sphere, info, trans=None)
    G = fwd["sol"]["data"]  # (21, n) V per A·m, fixed orientation
    G = G - G[19:21].mean(axis=0)  # linked-mastoid reference
    G_mne = G[:19] * 1e-3  # V/(A·m) → µV/(nA·m)

    worst = 0.0
    for j in range(n):
        rel = np.sqrt(np.mean((G_ours[:, j] - G_mne[:, j]) ** 2)) / np.sqrt(np.mean(G_mne[:, j] ** 2))
        worst = max(worst, rel)
        print(f"  {labels[j]:24s} {rel:.5f}") if os.environ.get("VERBOSE") else None
        if rel > 0.02:
            print(f"FAIL {labels[j]}: relative RMS difference {rel:.4f}")
    peak_ours = np.abs(G_ours).max()
    print(f"compared {n} dipoles x 19 channels with MNE's 4-shell sphere: worst relative RMS difference {worst:.5f}; largest gain {peak_ours:.3f} uV/nAm")
    return 0 if worst <= 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
