#!/usr/bin/env python3
"""eimfs-signal vs scipy.signal on 24 h of one 256 Hz channel (22 118 400 samples).

Times, in one run on the same data: zero-phase band-pass (butter 4, 0.5-30 Hz, sosfiltfilt),
Welch PSD of the whole day (nperseg 512), Welch per 8 s window (10 800 windows) and polyphase
resampling 256 -> 200 Hz. Each is the median of REPEATS runs (default 5). eimfs runs through the
`signal_bench` example (built with --release); outputs are checked against scipy's.

    python3 bench/signal.py [REPEATS]       # uses /work/venv or the current python's scipy

The last line is the headline ratio (sosfiltfilt): `eimfs/scipy: X` (scipy time / eimfs time).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.signal as ss

ROOT = pathlib.Path(__file__).resolve().parents[1]
FS = 256
N = 24 * 3600 * FS
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def median_time(f):
    ts, out = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2], out


def main():
    rng = np.random.default_rng(7)
    t = np.arange(N)
    x = (100 + 30 * np.sin(t * 0.05) + rng.uniform(-10, 10, N)).astype(np.float32)

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "eimfs-signal", "--example", "signal_bench"],
                   cwd=ROOT, check=True)
    exe = ROOT / "target" / "release" / "examples" / "signal_bench"
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "x.f32"
        x.astype("<f4").tofile(path)
        res = subprocess.run([str(exe), str(path), str(FS), str(REPEATS)], check=True, capture_output=True, text=True)
    ours = {r["op"]: r for r in map(json.loads, res.stdout.splitlines())}

    sos = ss.butter(4, [0.5, 30], btype="bandpass", output="sos", fs=FS)
    x64 = x.astype(np.float64)
    peers = {}
    peers["sosfiltfilt"], y = median_time(lambda: ss.sosfiltfilt(sos, x64))
    check = {"sosfiltfilt": y[N // 2]}
    peers["welch"], (f, p) = median_time(lambda: ss.welch(x64, fs=FS, nperseg=512))
    check["welch"] = p[40]
    win = 8 * FS
    peers["welch_8s_windows"], pw = median_time(
        lambda: ss.welch(x64[: N // win * win].reshape(-1, win), fs=FS, nperseg=512, axis=-1)[1])
    check["welch_8s_windows"] = pw[:, 40].sum()
    peers["resample_poly"], yr = median_time(lambda: ss.resample_poly(x64, 25, 32))
    check["resample_poly"] = yr[len(yr) // 2]

    print(f"{N} samples ({N / FS / 3600:.0f} h at {FS} Hz), median of {REPEATS} runs")
    print(f"{'operation':<20} {'eimfs s':>9} {'scipy s':>9} {'eimfs Msamples/s':>17} {'scipy/eimfs':>12}  check")
    for op in ("sosfiltfilt", "welch", "welch_8s_windows", "resample_poly"):
        a, b = ours[op]["seconds"], peers[op]
        rel = abs(ours[op]["check"] - check[op]) / max(abs(check[op]), 1e-30)
        ok = "ok" if rel < 1e-5 else f"MISMATCH {rel:.1e}"
        print(f"{op:<20} {a:9.3f} {b:9.3f} {N / a / 1e6:17.1f} {b / a:12.2f}  {ok}")
    print(f"eimfs/scipy: {peers['sosfiltfilt'] / ours['sosfiltfilt']['seconds']:.2f}")


if __name__ == "__main__":
    main()
