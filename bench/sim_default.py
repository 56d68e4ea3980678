"""Wall time of a default 2-hour, 19-channel simulation (`eimfs simulate --duration 2h`).

Runs the release binary (build it first: `cargo build --release`) three times with seeds 1-3 on
this machine and prints the median wall time, the simulated-to-wall ratio and, as the last line,
the headline ratio against the 2-minute target of issue 3 (`eimfs/target: X`, X > 1 = faster
than the target). The simulation itself is single-threaded (the network engine); the cell-level
f-I curves use rayon.

    python bench/sim_default.py [path/to/eimfs]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EIMFS_BIN", "target/release/eimfs")
TARGET_S = 120.0
DURATION_S = 7200.0


def main():
    walls = []
    with tempfile.TemporaryDirectory() as d:
        for seed in (1, 2, 3):
            t0 = time.perf_counter()
            subprocess.run([BIN, "-q", "simulate", "--duration", "2h", "--seed", str(seed), "--out", d, "--name", f"b{seed}"], check=True)
            walls.append(time.perf_counter() - t0)
            print(f"seed {seed}: {walls[-1]:.1f} s wall for 2 h simulated ({DURATION_S / walls[-1]:.0f}x real time)")
    med = statistics.median(walls)
    print(f"median {med:.1f} s wall, {DURATION_S / med:.0f}x real time; target {TARGET_S:.0f} s")
    print(f"eimfs/target: {TARGET_S / med:.2f}")


if __name__ == "__main__":
    main()
