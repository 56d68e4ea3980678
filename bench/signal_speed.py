#!/usr/bin/env python3
"""eimfs-signal vs scipy.signal on 24 h of one 256 Hz channel (22 118 400 samples).

Times, in one run on the same data: zero-phase band-pass (butter 4, 0.5-30 Hz, sosfiltfilt),
Welch PSD of the whole day (nperseg 512), Welch per 8 s window (10 800 windows) and polyphase
resampling 256 -> 200 Hz. Each figure is the median of REPEATS rounds (default 5); a round runs
eimfs then scipy, so both see the same machine load. eimfs runs through the
`signal_bench` example (built with --release); outputs are checked against scipy's.

    python3 bench/signal_speed.py [REPEATS]       # uses /work/venv or the current python's scipy

The last line is the headline ratio (sosfiltfilt): `eimfs/scipy: X` (scipy CPU time / eimfs CPU time).
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


def main():
    rng = np.random.default_rng(7)
    t = np.arange(N)
    x = (100 + 30 * np.sin(t * 0.05) + rng.uniform(-10, 10, N)).astype(np.float32)

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "eimfs-signal", "--example", "signal_bench"],
                   cwd=ROOT, check=True)
    exe = ROOT / "target" / "release" / "examples" / "signal_bench"

    sos = ss.butter(4, [0.5, 30], btype="bandpass", output="sos", fs=FS)
    x64 = x.astype(np.float64)
    win = 8 * FS
    scipy_ops = {
        "sosfiltfilt": (lambda: ss.sosfiltfilt(sos, x64), lambda y: y[N // 2]),
        "welch": (lambda: ss.welch(x64, fs=FS, nperseg=512)[1], lambda p: p[40]),
        "welch_8s_windows": (lambda: ss.welch(x64[: N // win * win].reshape(-1, win), fs=FS, nperseg=512, axis=-1)[1],
                             lambda p: p[:, 40].sum()),
        "resample_poly": (lambda: ss.resample_poly(x64, 25, 32), lambda y: y[len(y) // 2]),
    }
    # Interleaved: each round runs eimfs (every operation, one process) then scipy, so both see
    # the same machine load; medians over the rounds.
    ours_t = {op: [] for op in scipy_ops}
    peer_t = {op: [] for op in scipy_ops}
    ours_c = {op: [] for op in scipy_ops}
    peer_c = {op: [] for op in scipy_ops}
    ours_check, check = {}, {}
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "x.f32"
        x.astype("<f4").tofile(path)
        for _ in range(REPEATS):
            res = subprocess.run([str(exe), str(path), str(FS), "1"], check=True, capture_output=True, text=True)
            for r in map(json.loads, res.stdout.splitlines()):
                ours_t[r["op"]].append(r["seconds"])
                ours_c[r["op"]].append(r["cpu_seconds"])
                ours_check[r["op"]] = r["check"]
            for op, (f, c) in scipy_ops.items():
                t0, c0 = time.perf_counter(), time.thread_time()
                out = f()
                peer_t[op].append(time.perf_counter() - t0)
                peer_c[op].append(time.thread_time() - c0)
                check[op] = c(out)
    med = lambda v: sorted(v)[len(v) // 2]

    print(f"{N} samples ({N / FS / 3600:.0f} h at {FS} Hz), median of {REPEATS} interleaved rounds")
    print("wall = elapsed time; cpu = CPU time of the computing thread (robust when the machine is busy)")
    print(f"{'operation':<18} {'eimfs wall':>10} {'scipy wall':>10} {'eimfs cpu':>10} {'scipy cpu':>10}"
          f" {'eimfs Ms/s (cpu)':>17} {'scipy/eimfs cpu':>16}  check")
    for op in scipy_ops:
        a, b = med(ours_t[op]), med(peer_t[op])
        ac, bc = med(ours_c[op]), med(peer_c[op])
        rel = abs(ours_check[op] - check[op]) / max(abs(check[op]), 1e-30)
        ok = "ok" if rel < 1e-5 else f"MISMATCH {rel:.1e}"
        print(f"{op:<18} {a:10.3f} {b:10.3f} {ac:10.3f} {bc:10.3f} {N / ac / 1e6:17.1f} {bc / ac:16.2f}  {ok}")
    print(f"eimfs/scipy: {med(peer_c['sosfiltfilt']) / med(ours_c['sosfiltfilt']):.2f}")


if __name__ == "__main__":
    main()
