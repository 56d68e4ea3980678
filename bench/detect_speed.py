#!/usr/bin/env python3
"""Speed of `eimfs detect` against the Python pipelines a researcher would use today.

    python3 bench/detect_speed.py [--hours 24] [--excerpt-hours 1] [--workdir DIR] [--skip-neural]

1. Writes a 24 h x 19 channel x 256 Hz EDF (about 850 MB; cached in --workdir): infant-like
   background (1/f-shaped, delta-dominant, 20-40 µV), rhythmic focal seizures every 20 min in
   changing regions, 50 Hz mains, labels `EEG Fp1-Ref` … plus ECG.
2. `eimfs detect` end to end (release build: read, decimate, features, classifier, assembly, all
   output files), with both cores and pinned to one core (`taskset -c 0`, RAYON_NUM_THREADS=1);
   median of --repeat runs; peak RSS of the process (GNU time's %M, else wait4). Every timed run
   of every tool is preceded by an untimed read of its file (see `warm`).
3. The MNE + scipy pipeline (same process run, same file): `mne.io.read_raw_edf(preload=True)`,
   4th-order Butterworth 0.5-30 Hz `sosfiltfilt` per channel, then per channel and 8-s window with
   1-s hop: Welch band powers (delta, theta, alpha, beta; `scipy.signal.welch`, 2-s segments) and
   line length, windows vectorised one hour at a time. Run once (it takes minutes).
4. The NEURAL feature set (`neural-py-eeg` 0.1.4: its own preprocessing — bipolar montage,
   artefact removal, filtering, downsampling — and `generate_all_features`) on a 1 h excerpt,
   in its own venv (created under --workdir, pinned, unless NEURAL_PYTHON names one), against
   `eimfs detect` on the same excerpt.

Prints real-time factors, peak RSS and ratios; the last line is `eimfs/mne-scipy: X`.
"""

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (signal.py): keep it off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LABELS = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "F7", "F8", "T3", "T4", "T5", "T6", "Fz", "Cz", "Pz"]
FS = 256
NEURAL_REQS = ["neural-py-eeg==0.1.4", "pandas==2.3.3", "mne==1.13.2", "numpy==2.4.6", "scipy==1.17.1"]


def edf_header(n_records, labels, fs, phys=3276.7, record_s=1):
    ns = len(labels) + 1
    h = b"0       "
    h += b"X X X X".ljust(80)
    h += b"Startdate 01-JAN-2026 X X eimfs_bench".ljust(80)
    h += b"01.01.26" + b"00.00.00"
    h += str(256 * (ns + 1)).encode().ljust(8)
    h += b"EDF+C".ljust(44)
    h += str(n_records).encode().ljust(8) + str(record_s).encode().ljust(8) + str(ns).encode().ljust(4)
    all_labels = labels + ["EDF Annotations"]
    field = lambda vals, w: b"".join(v.encode().ljust(w)[:w] for v in vals)
    h += field(all_labels, 16)
    h += field(["AgAgCl electrode"] * (ns - 1) + [""], 80)
    h += field(["uV"] * (ns - 1) + [""], 8)
    h += field([f"{-phys}"] * (ns - 1) + ["-1"], 8)
    h += field([f"{phys}"] * (ns - 1) + ["1"], 8)
    h += field(["-32768"] * ns, 8)
    h += field(["32767"] * ns, 8)
    h += field(["HP:0.1Hz LP:70Hz"] * (ns - 1) + [""], 80)
    h += field([str(fs * record_s)] * (ns - 1) + ["30"], 8)
    h += field([""] * ns, 32)
    assert len(h) == 256 * (ns + 1)
    return h


def make_edf(path, hours, fs=FS, seed=7):
    """Infant-like 19-channel EEG with periodic focal seizures, written record by record."""
    labels = [f"EEG {e}-Ref" for e in LABELS] + ["ECG EKG"]
    n_rec = int(hours * 3600)
    rng = np.random.default_rng(seed)
    tmp = Path(str(path) + ".part")
    block = 600  # seconds per write
    from scipy.signal import lfilter

    zi = [np.zeros(2) for _ in labels]
    with open(tmp, "wb") as f:
        f.write(edf_header(n_rec, labels, fs))
        for b0 in range(0, n_rec, block):
            nb = min(block, n_rec - b0)
            n = nb * fs
            t = (b0 * fs + np.arange(n)) / fs
            data = np.empty((len(labels), n), dtype=np.float64)
            common = rng.standard_normal(n)
            for c in range(len(labels) - 1):
                w = 0.6 * rng.standard_normal(n) + 0.4 * common
                # 1/f-like, delta-dominant background (two-pole low-pass), ~30 µV.
                y, zi[c] = lfilter([1.0], [1.0, -1.6, 0.64], w, zi=zi[c])
                data[c] = 3.0 * y + 2.0 * np.sin(2 * np.pi * 50.0 * t)
            # A 60-s rhythmic 2.5 Hz discharge every 20 min in a region that changes.
            for s0 in range(b0 - b0 % 1200, b0 + nb, 1200):
                a, z = s0 + 600, s0 + 660
                lo, hi = max(a, b0), min(z, b0 + nb)
                if lo >= hi:
                    continue
                chans = [[12, 14], [3, 5], [8, 9], [11, 15], [0, 10]][(s0 // 1200) % 5]
                idx = slice((lo - b0) * fs, (hi - b0) * fs)
                tt = t[idx] - a
                wave = 120.0 * np.sin(2 * np.pi * (2.5 + 0.01 * tt) * tt) * np.minimum(1.0, tt / 5.0)
                for c in chans:
                    data[c, idx] += wave
            data[-1] = 400.0 * (np.sin(2 * np.pi * 2.0 * t) > 0.995)
            dig = np.clip(np.round(data / 0.1), -32768, 32767).astype("<i2")
            # Records: 19+1 signals of fs samples, then 30 samples (60 bytes) of annotations.
            recs = dig.reshape(len(labels), nb, fs).transpose(1, 0, 2).reshape(nb, -1)
            ann = np.zeros((nb, 60), dtype=np.uint8)
            for k in range(nb):
                tal = f"+{b0 + k}\x14\x14\x00".encode()
                ann[k, : len(tal)] = np.frombuffer(tal, dtype=np.uint8)
            out = np.concatenate([recs.view(np.uint8).reshape(nb, -1), ann], axis=1)
            f.write(out.tobytes())
    os.replace(tmp, path)


def excerpt_edf(src, dst, hours):
    """The first `hours` of a file written by make_edf."""
    n_rec = int(hours * 3600)
    with open(src, "rb") as f:
        head = bytearray(f.read(256))
        ns = int(head[252:256])
        head += f.read(256 * ns)
        rec_bytes = (ns - 1) * FS * 2 + 60
        data = f.read(n_rec * rec_bytes)
    head[236:244] = str(n_rec).encode().ljust(8)
    with open(dst, "wb") as g:
        g.write(head)
        g.write(data)


GNU_TIME = Path("/usr/bin/time").exists()


def run_measured(cmd, env=None, cpu=None):
    """Run a command; return (wall seconds, peak RSS MB, stdout).

    The peak RSS is the command's own, read by GNU time (`/usr/bin/time -f %M`) when installed: a
    process started directly from this one starts as a copy of this Python process, whose resident
    memory would otherwise set a floor under the figure wait4 reports (about 45 MB here)."""
    full = (["taskset", "-c", str(cpu)] if cpu is not None else []) + cmd
    marker = "eimfs-bench-maxrss-kb:"
    if GNU_TIME:
        full = ["/usr/bin/time", "-f", f"{marker}%M"] + full
    t0 = time.perf_counter()
    p = subprocess.Popen(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(full)}\n{err}")
    rss_kb = ru.ru_maxrss
    if GNU_TIME:
        rss_kb = int([l for l in err.splitlines() if l.startswith(marker)][-1][len(marker):])
    return wall, rss_kb / 1024.0, out


MNE_SCIPY = r"""
import sys, time, numpy as np, mne, scipy.signal as ss
t0 = time.perf_counter()
raw = mne.io.read_raw_edf(sys.argv[1], preload=True, verbose="error")
picks = [i for i, n in enumerate(raw.ch_names) if n.startswith("EEG")]
data = raw.get_data(picks=picks) * 1e6
fs = raw.info["sfreq"]
t_read = time.perf_counter() - t0
sos = ss.butter(4, [0.5, 30.0], btype="bandpass", fs=fs, output="sos")
for c in range(data.shape[0]):
    data[c] = ss.sosfiltfilt(sos, data[c])
t_filt = time.perf_counter() - t0 - t_read
win, hop = int(8 * fs), int(fs)
bands = [(0.5, 4), (4, 8), (8, 13), (13, 30)]
n_win = (data.shape[1] - win) // hop + 1
feats = np.empty((data.shape[0], n_win, len(bands) + 1), dtype=np.float32)
per_batch = 3600
for c in range(data.shape[0]):
    x = data[c]
    views = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    for b0 in range(0, n_win, per_batch):
        w = views[b0:b0 + per_batch]
        f, p = ss.welch(w, fs=fs, nperseg=int(2 * fs), axis=-1)
        df = f[1] - f[0]
        for k, (lo, hi) in enumerate(bands):
            m = (f >= lo) & (f < hi)
            feats[c, b0:b0 + len(w), k] = p[:, m].sum(axis=1) * df
        feats[c, b0:b0 + len(w), -1] = np.abs(np.diff(w, axis=1)).sum(axis=1)
t_feat = time.perf_counter() - t0 - t_read - t_filt
print(f"{t_read:.3f} {t_filt:.3f} {t_feat:.3f} {n_win}")
"""

NEURAL = r"""
import sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
from NEURAL_py_EEG import preprocessing_EEG, generate_all_features
data_st = preprocessing_EEG.main_preprocessing(sys.argv[1], Fs_new=64)[0]
t_pre = time.perf_counter() - t0
out = generate_all_features.generate_all_features(data_st)
t_all = time.perf_counter() - t0
print(f"{t_pre:.3f} {t_all:.3f} {len(data_st['ch_labels'])}")
"""


def neural_python(workdir):
    if os.environ.get("NEURAL_PYTHON"):
        return os.environ["NEURAL_PYTHON"]
    venv = Path(workdir) / "venv-neural"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *NEURAL_REQS], check=True)
    return str(py)


def score_discharges(binary, work, edf, secs):
    """SzCORE event scores of the detections against the file's known discharges (make_edf: a 60-s
    discharge starting 600 s into every 20 min)."""
    ref = work / f"{edf.stem}_discharges.tsv"
    rows = ["onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration"]
    rows += [f"{s0 + 600}.0\t60.0\tsz\tn/a\tn/a\tn/a\t{secs:.1f}" for s0 in range(0, int(secs) - 660 + 1, 1200)]
    ref.write_text("\n".join(rows) + "\n")
    hyp = work / "out" / f"{edf.stem}_events.tsv"
    out = subprocess.run([binary, "score", "--ref", str(ref), "--hyp", str(hyp), "--json"], check=True, capture_output=True, text=True).stdout
    ev = json.loads(out)["overall"]["pooled"]["event"]
    print(f"SzCORE events against the known discharges: {ev['tp']} of {ev['refTrue']} found, {ev['fp']} false detections")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--excerpt-hours", type=float, default=1.0)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "eimfs-bench"))
    ap.add_argument("--bin", default=None, help="eimfs binary (default: build target/release/eimfs)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-neural", action="store_true")
    ap.add_argument("--skip-mne", action="store_true")
    ap.add_argument("--write-edf", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_edf:
        make_edf(Path(args.write_edf), args.hours)
        return

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "eimfs"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "release" / "eimfs")
    edf = work / f"bench_{args.hours:g}h.edf"
    if not edf.exists():
        print(f"writing {edf} ...", flush=True)
        # In a child process: a child started from this process starts with this process's
        # memory, so a peak RSS read from wait4 would count the arrays that wrote the file.
        subprocess.run([sys.executable, __file__, "--write-edf", str(edf), "--hours", str(args.hours)], check=True)
    secs = args.hours * 3600
    print(f"recording: {edf.name}, {args.hours:g} h x 19 EEG channels (+ECG) x {FS} Hz, {edf.stat().st_size / 1e6:.0f} MB")
    def warm(path):
        """Read the file (untimed) so that the timed run reads it from the page cache: on the
        shared dev VM the cache loses most of a file within about 20 s even with memory free, so
        one warm-up before all runs left later runs reading from disk (24-h file: 1.66 s warm
        against 2.83 s 25 s later). Every timed run of every tool is preceded by this."""
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass

    def eimfs(path, cpu=None, threads=None):
        warm(path)
        env = dict(os.environ)
        if threads:
            env["RAYON_NUM_THREADS"] = str(threads)
        out = work / "out"
        if out.exists():
            shutil.rmtree(out)
        return run_measured([binary, "detect", str(path), "--out", str(out), "--quiet"], env=env, cpu=cpu)

    rows = []
    both = [eimfs(edf) for _ in range(args.repeat)]
    one = [eimfs(edf, cpu=0, threads=1) for _ in range(args.repeat)]
    t2, r2 = statistics.median(w for w, _, _ in both), max(r for _, r, _ in both)
    t1, r1 = statistics.median(w for w, _, _ in one), max(r for _, r, _ in one)
    rows.append(("eimfs detect, 2 cores", t2, secs / t2, r2))
    rows.append(("eimfs detect, 1 core", t1, secs / t1, r1))
    summary = json.loads((work / "out" / f"{edf.stem}_summary.json").read_text())
    print(f"eimfs found {summary['seizure_count']} seizures (the file holds {int(secs // 1200)} rhythmic discharges)")
    score_discharges(binary, work, edf, secs)

    t_mne = None
    if not args.skip_mne:
        warm(edf)
        wall, rss, out = run_measured([sys.executable, "-c", MNE_SCIPY, str(edf)])
        tr, tf, tfe, nwin = out.strip().splitlines()[-1].split()
        t_mne = wall
        rows.append(("MNE read + scipy filter + Welch/LL", wall, secs / wall, rss))
        print(f"mne-scipy: read {float(tr):.1f} s, filter {float(tf):.1f} s, features {float(tfe):.1f} s over {nwin} windows")

    t_neural = None
    if not args.skip_neural:
        ex = work / f"bench_excerpt_{args.excerpt_hours:g}h.edf"
        if not ex.exists():
            excerpt_edf(edf, ex, args.excerpt_hours)
        esecs = args.excerpt_hours * 3600
        py = neural_python(work)
        warm(ex)
        wall, rss, out = run_measured([py, "-c", NEURAL, str(ex)])
        t_neural = wall
        tp, ta, nch = out.strip().splitlines()[-1].split()  # NEURAL prints notices before
        rows.append((f"NEURAL features, {args.excerpt_hours:g} h excerpt ({nch} bipolar ch)", wall, esecs / wall, rss))
        ex_runs = [eimfs(ex) for _ in range(args.repeat)]
        te = statistics.median(w for w, _, _ in ex_runs)
        rows.append((f"eimfs detect, {args.excerpt_hours:g} h excerpt, 2 cores", te, esecs / te, max(r for _, r, _ in ex_runs)))

    print()
    print(f"{'pipeline':<52} {'wall s':>9} {'x real time':>12} {'peak RSS MB':>12}")
    for name, w, rt, rss in rows:
        print(f"{name:<52} {w:>9.2f} {rt:>12.0f} {rss:>12.0f}")
    print()
    print(f"eimfs 1 core: {secs / t1:.0f}x real time (target >= 10000x), peak RSS {r1:.0f} MB (target <= 500 MB)")
    if t_neural is not None:
        print(f"eimfs/neural (1 h excerpt, 19 vs {nch} channels): {t_neural / te:.0f}")
    if t_mne is not None:
        print(f"eimfs 1 core/mne-scipy: {t_mne / t1:.1f}")
        print(f"eimfs/mne-scipy: {t_mne / t2:.1f}")


if __name__ == "__main__":
    main()
