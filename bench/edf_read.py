#!/usr/bin/env python3
"""EDF read benchmark: eimfs against edfio, MNE and pyedflib on a 24 h EDF+ file.

Writes a 24 h x 19 channel x 256 Hz EDF+C file (about 850 MB, 1 s records, an annotation every
10 minutes) to bench/out/ (kept for later runs), warms the page cache by reading it once, then
times a full decode of every sample by each reader in its own process and reports file MB/s
(1 MB = 10^6 bytes of file) and the process's peak RSS (wait4 ru_maxrss):

  eimfs info --stats            every sample read and reduced to per-channel statistics
                                (release build; the path this benchmark is about)
  eimfs whole (f32)             EdfFile::read_recording: all signals as physical f32 in memory
  eimfs stream (f32)            EdfFile::chunks: 16 MB chunks decoded to f32, bounded memory
  edfio                         read_edf + .data of every signal, all kept (float64)
  MNE                           read_raw_edf(preload=True) (float64)
  pyedflib                      readSignal of every signal, all kept (float64)

Peers' times are measured inside their process around the read (interpreter start-up and imports
excluded); eimfs times are the whole process (open + decode). Median of --runs runs; RSS is the
largest of the runs. The last line is the headline ratio `eimfs/edfio: X` (eimfs info --stats
throughput over edfio's).

Run from the repository:  python3 bench/edf_read.py [--runs 3] [--skip-slow]
It uses the Python of the first venv found with the peers installed (.venv from `bash .ci/run`,
then bench/out/venv, created from ci/requirements.txt if needed) and builds eimfs in release mode.
"""

import os
import sys

# bench/ holds other scripts that could shadow standard modules.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PEERS = ("numpy", "edfio", "mne", "pyedflib")


def have_peers(python: Path) -> bool:
    code = "import " + ", ".join(PEERS)
    return python.exists() and subprocess.run([str(python), "-c", code], capture_output=True).returncode == 0


def find_python() -> Path:
    for p in (Path(sys.executable), ROOT / ".venv" / "bin" / "python", OUT / "venv" / "bin" / "python"):
        if have_peers(p):
            return p
    venv = OUT / "venv"
    print(f"creating {venv} from ci/requirements.txt ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "ci" / "requirements.txt")], check=True)
    return venv / "bin" / "python"


def field(s: str, w: int) -> bytes:
    b = s.encode("ascii")
    assert len(b) <= w
    return b + b" " * (w - len(b))


def write_edf(path: Path, hours: int = 24, nch: int = 19, fs: int = 256) -> None:
    """EDF+C, 1 s records, EEG-like int16 data, one annotation every 10 minutes."""
    import numpy as np

    labels = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"]
    ann_spr = 30  # 60 bytes of TALs per record
    ns = nch + 1
    n_rec = hours * 3600
    h = field("0", 8) + field("X X X X", 80) + field("Startdate 01-JAN-2026 X X eimfs_bench", 80)
    h += field("01.01.26", 8) + field("00.00.00", 8) + field(str(256 * (ns + 1)), 8) + field("EDF+C", 44)
    h += field(str(n_rec), 8) + field("1", 8) + field(str(ns), 4)
    sig = [(f"EEG {l}-REF", "uV", "-3276.8", "3276.7", "-32768", "32767", str(fs)) for l in labels[:nch]]
    sig.append(("EDF Annotations", "", "-1", "1", "-32768", "32767", str(ann_spr)))
    for k, w in [(0, 16), (None, 80), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (None, 80), (6, 8), (None, 32)]:
        for s in sig:
            h += field("" if k is None else s[k], w)
    rng = np.random.default_rng(20261121)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.write(h)
        per = 3600
        t = np.arange(per * fs) / fs
        for hour in range(hours):
            # alpha/theta rhythms plus noise, about 30 uV RMS (0.1 uV per digital step)
            x = np.empty((nch, per * fs), dtype=np.int16)
            for c in range(nch):
                sig_uv = 20 * np.sin(2 * np.pi * (6 + c % 5) * t + c) + 10 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0, 15, t.size)
                x[c] = np.clip(np.round(sig_uv * 10), -32768, 32767)
            data = np.ascontiguousarray(x.reshape(nch, per, fs).transpose(1, 0, 2)).view(np.uint8).reshape(per, -1)
            ann = np.zeros((per, 2 * ann_spr), dtype=np.uint8)
            for r in range(per):
                sec = hour * 3600 + r
                tal = f"+{sec}\x14\x14\x00"
                if sec % 600 == 0:
                    tal += f"+{sec}.5\x1530\x14seizure {sec // 600}@@EEG T3-REF\x14\x00"
                b = tal.encode()
                ann[r, : len(b)] = np.frombuffer(b, dtype=np.uint8)
            f.write(np.hstack([data, ann]).tobytes())
    tmp.rename(path)


def measure(cmd, wall: bool):
    """Run `cmd`; return (seconds, peak RSS in bytes, stdout). `wall`: time the whole process,
    else parse `seconds=` from its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if p.returncode != 0:
            raise RuntimeError(f"{cmd} failed ({p.returncode}): {err.read().decode()[-2000:]}")
    secs = elapsed
    if not wall:
        secs = float(text.split("seconds=")[1].split()[0])
    return secs, ru.ru_maxrss * 1024, text


PEER_CODE = {
    "edfio": (
        "import sys, time, edfio\n"
        "t = time.perf_counter(); e = edfio.read_edf(sys.argv[1])\n"
        "data = [s.data for s in e.signals]\n"
        "n = sum(d.size for d in data); c = sum(float(d[0]) + float(d[-1]) for d in data)\n"
        "print(f'seconds={time.perf_counter() - t} samples={n} checksum={c}')\n"
    ),
    "MNE": (
        "import sys, time, mne\n"
        "t = time.perf_counter(); raw = mne.io.read_raw_edf(sys.argv[1], preload=True, verbose='error')\n"
        "d = raw.get_data(); print(f'seconds={time.perf_counter() - t} samples={d.size} checksum={d[:, 0].sum() + d[:, -1].sum()}')\n"
    ),
    "pyedflib": (
        "import sys, time, pyedflib\n"
        "t = time.perf_counter(); r = pyedflib.EdfReader(sys.argv[1])\n"
        "data = [r.readSignal(i) for i in range(r.signals_in_file)]\n"
        "n = sum(d.size for d in data); c = sum(float(d[0]) + float(d[-1]) for d in data)\n"
        "print(f'seconds={time.perf_counter() - t} samples={n} checksum={c}')\n"
    ),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per reader (median reported)")
    ap.add_argument("--hours", type=int, default=24, help="length of the test file")
    ap.add_argument("--skip-slow", action="store_true", help="one run only for MNE and pyedflib")
    a = ap.parse_args()

    python = find_python()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"bench_{a.hours}h_19ch_256hz.edf"
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        subprocess.run([str(python), __file__, "--write-only", str(path), str(a.hours)], check=True)
    size = path.stat().st_size
    print("building eimfs (release) ...", flush=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "eimfs"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "eimfs-edf", "--example", "edf_read"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    eimfs, example = target / "eimfs", target / "examples" / "edf_read"

    with open(path, "rb") as f:  # warm the page cache
        while f.read(64 << 20):
            pass
    readers = [
        ("eimfs info --stats", [eimfs, "info", "--stats", "--quiet", path], True),
        ("eimfs whole (f32)", [example, "whole", path], True),
        ("eimfs stream (f32)", [example, "stream", path], True),
    ] + [(name, [python, "-c", code, path], False) for name, code in PEER_CODE.items()]
    results = {}
    print(f"\nfile: {path.name}, {size / 1e6:.0f} MB, {os.cpu_count()} CPUs, {a.runs} runs each, warm page cache\n")
    print(f"{'reader':<22} {'MB/s':>8} {'median s':>9} {'peak RSS':>10}")
    for name, cmd, wall in readers:
        runs = 1 if a.skip_slow and name in ("MNE", "pyedflib") else a.runs
        secs, rss = [], []
        for _ in range(runs):
            s, m, _ = measure(cmd, wall)
            secs.append(s)
            rss.append(m)
        med = statistics.median(secs)
        results[name] = (size / 1e6 / med, med, max(rss))
        print(f"{name:<22} {size / 1e6 / med:8.0f} {med:9.2f} {max(rss) / 2**20:8.0f} MB", flush=True)
    e, p = results["eimfs info --stats"][0], results["edfio"][0]
    print(f"\neimfs whole/edfio: {results['eimfs whole (f32)'][0] / p:.2f}")
    print(f"eimfs/edfio: {e / p:.2f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--write-only":
        write_edf(Path(sys.argv[2]), hours=int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
