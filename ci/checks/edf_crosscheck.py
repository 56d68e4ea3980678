#!/usr/bin/env python3
"""Cross-check eimfs EDF/EDF+/BDF reading, writing, `eimfs info --stats` and `eimfs convert`
against pyedflib, edfio, MNE and scipy.

Files checked:
  * the 16 real neonatal clips in $EIMFS_SHARED/data/helsinki-dev/;
  * every file shipped in pyedflib's wheel (pyedflib/tests/data/);
  * files written here by pyedflib (EDF+, BDF+; 3 annotation signals, several annotations per
    record, durations and none, UTF-8, @@channel) and edfio (EDF+, BDF+; sub-second start,
    @@channel, 600 annotations in 2 s), and hand-built EDF+D / BDF+D files (gaps, two annotation
    signals) since no peer writes EDF+D.

For each file, what eimfs reads (dumped by the `edf_dump` example of crates/edf) must equal what
pyedflib reads: labels, rates, ranges, digital values exactly, physical values within one digital
step, start time, annotations (onset, duration or none, text with @@channel). pyedflib refuses
EDF+D, so those are compared with edfio. Then `eimfs convert IN OUT` must be lossless (digital
values, headers, start, record times, annotations), pyedflib must read OUT the same, and MNE must
open OUT and find every annotation (with its @@channel). `eimfs info --json --stats` is compared
with numpy on pyedflib's samples, and `eimfs convert --montage double-banana --bandpass --notch
--resample` with scipy (butter/iirnotch + sosfiltfilt + resample_poly). Inputs are never modified.

Exit status 1 on any failure. Binary: $EIMFS_BIN (default target/debug/eimfs).
"""

import datetime
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
import edfio  # noqa: E402
import mne  # noqa: E402
import pyedflib  # noqa: E402
import scipy.signal as ss  # noqa: E402

mne.set_log_level("ERROR")

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("EIMFS_BIN", ROOT / "target" / "debug" / "eimfs"))
SHARED = Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

failures: list[str] = []
n_checks = 0


def check(cond, what: str) -> bool:
    global n_checks
    n_checks += 1
    if not cond:
        failures.append(what)
        print(f"  FAIL {what}")
    return bool(cond)


def run(args, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {r.returncode}: {r.stderr.strip()}")
    return r


def build_dump() -> Path:
    run(["cargo", "build", "--locked", "-q", "-p", "eimfs-edf", "--example", "edf_dump"], cwd=ROOT)
    return TARGET / "debug" / "examples" / "edf_dump"


DUMP = None
TMP = Path(tempfile.mkdtemp(prefix="edf_crosscheck_"))
_dump_n = 0


class Ours:
    """What eimfs-edf reads from a file."""

    def __init__(self, path: Path):
        global _dump_n
        _dump_n += 1
        out = TMP / f"dump{_dump_n}"
        run([DUMP, path, out])
        self.h = json.loads((out / "header.json").read_text())
        self.signals = self.h["signals"]
        n = len(self.signals)
        self.phys = [np.fromfile(out / f"phys_{i}.f32", "<f4") for i in range(n)]
        self.dig = [np.fromfile(out / f"dig_{i}.i32", "<i4") for i in range(n)]
        self.start = datetime.datetime.fromisoformat(self.h["start"][:26])
        self.start_ns = self.h["start"]

    def annotations(self):
        """(onset, duration or None, text with @@channel) sorted."""
        out = []
        for a in self.h["annotations"]:
            t = a["text"] + ("@@" + a["channel"] if a["channel"] else "")
            out.append((a["onset"], a["duration"], t))
        return sorted(out, key=lambda x: (round(x[0], 6), x[2]))


def same_annotations(a, b, tol, what):
    """a, b: lists of (onset, duration|None, text); durations None == None, tolerance on times."""
    ok = check(len(a) == len(b), f"{what}: {len(a)} vs {len(b)} annotations")
    if not ok:
        return False
    for x, y in zip(a, b):
        good = abs(x[0] - y[0]) <= tol and x[2] == y[2]
        good = good and ((x[1] is None and y[1] is None) or (x[1] is not None and y[1] is not None and abs(x[1] - y[1]) <= tol))
        if not check(good, f"{what}: annotation {x} vs {y}"):
            return False
    return True


def pyedflib_annotations(r):
    on, du, tx = r.readAnnotations()
    out = [(float(o), None if d < 0 else float(d), str(t)) for o, d, t in zip(on, du, tx)]
    return sorted(out, key=lambda x: (round(x[0], 6), x[2]))


def mne_read(path):
    p = str(path)
    return mne.io.read_raw_bdf(p) if p.lower().endswith(".bdf") else mne.io.read_raw_edf(p)


def mne_annotations(raw):
    a = raw.annotations
    out = []
    for o, d, t, ch in zip(a.onset, a.duration, a.description, a.ch_names):
        out.append((float(o), float(d), str(t) + ("@@" + ch[0] if len(ch) else "")))
    return sorted(out, key=lambda x: (round(x[0], 6), x[2]))


UNIT_SCALE = {"uV": 1e-6, "µV": 1e-6, "mV": 1e-3, "V": 1.0, "nV": 1e-9}


# ------------------------------------------------------------------------------------------------
def compare_pyedflib(path: Path, ours: Ours, what: str) -> None:
    """Labels, rates, ranges, digital and physical values, start, annotations as pyedflib reads."""
    r = pyedflib.EdfReader(str(path))
    try:
        labels = r.getSignalLabels()
        idx = [i for i, l in enumerate(labels) if l not in ("EDF Annotations", "BDF Annotations")]
        check(len(idx) == len(ours.signals), f"{what}: {len(idx)} data signals in pyedflib, {len(ours.signals)} in eimfs")
        worst = 0.0
        for k, i in enumerate(idx[: len(ours.signals)]):
            s = ours.signals[k]
            check(labels[i] == s["label"], f"{what}: label {labels[i]!r} vs {s['label']!r}")
            check(abs(r.getSampleFrequency(i) - s["fs"]) < 1e-9, f"{what} {s['label']}: fs {r.getSampleFrequency(i)} vs {s['fs']}")
            check(r.getPhysicalDimension(i) == s["unit"], f"{what} {s['label']}: unit")
            check(
                (r.getPhysicalMinimum(i), r.getPhysicalMaximum(i), r.getDigitalMinimum(i), r.getDigitalMaximum(i))
                == (s["physical_min"], s["physical_max"], s["digital_min"], s["digital_max"]),
                f"{what} {s['label']}: ranges",
            )
            d = r.readSignal(i, digital=True)
            check(np.array_equal(d, ours.dig[k]), f"{what} {s['label']}: digital values differ")
            x = r.readSignal(i)
            step = abs((s["physical_max"] - s["physical_min"]) / (s["digital_max"] - s["digital_min"]))
            if check(len(x) == len(ours.phys[k]), f"{what} {s['label']}: {len(x)} vs {len(ours.phys[k])} samples"):
                err = float(np.max(np.abs(x - ours.phys[k].astype(np.float64)))) if len(x) else 0.0
                worst = max(worst, err / step)
                check(err <= step, f"{what} {s['label']}: physical values differ by {err} > one digital step {step}")
        # start: pyedflib's getStartdatetime() drops the sub-second part by a factor 10 in 0.1.42,
        # so use its raw fields (starttime_subsecond is in units of 100 ns).
        start = datetime.datetime(
            r.startdate_year, r.startdate_month, r.startdate_day, r.starttime_hour, r.starttime_minute, r.starttime_second
        )
        ours_start = ours.h["start"]
        want = start.strftime("%Y-%m-%dT%H:%M:%S") + f".{r.starttime_subsecond * 100:09d}"
        check(ours_start == want, f"{what}: start {ours_start} vs pyedflib {want}")
        if r.filetype in (pyedflib.FILETYPE_EDFPLUS, pyedflib.FILETYPE_BDFPLUS):
            same_annotations(ours.annotations(), pyedflib_annotations(r), 2e-7, f"{what} annotations vs pyedflib")
        elif ours.h["annotations"]:
            # A plain EDF with an "EDF Annotations" signal (pyedflib's test_legacy.edf): pyedflib
            # reads it as a data signal; eimfs and MNE parse it as annotations.
            m = mne_annotations(mne_read(path))
            o = [(a[0], a[1] or 0.0, a[2]) for a in ours.annotations()]
            same_annotations(o, m, 1e-6, f"{what} annotations (plain EDF) vs MNE")
        print(f"  {what}: {len(ours.signals)} signals, {len(ours.h['annotations'])} annotations = pyedflib; worst |Δphysical| = {worst:.3f} step")
    finally:
        r.close()


def compare_edfio(path: Path, ours: Ours, what: str) -> None:
    """For EDF+D/BDF+D (pyedflib refuses them): digital values, labels, annotations as edfio."""
    e = edfio.read_bdf(path) if str(path).lower().endswith(".bdf") else edfio.read_edf(path)
    check([s.label for s in e.signals] == [s["label"] for s in ours.signals], f"{what}: labels vs edfio")
    for k, s in enumerate(e.signals):
        check(np.array_equal(s.digital, ours.dig[k]), f"{what} {s.label}: digital values vs edfio")
        check(abs(s.sampling_frequency - ours.signals[k]["fs"]) < 1e-9, f"{what} {s.label}: fs vs edfio")
    check(e.is_continuous == (not ours.h["gaps"]), f"{what}: gaps vs edfio.is_continuous")
    ea = sorted(
        [(a.onset, a.duration, a.text) for a in e.annotations], key=lambda x: (round(x[0], 6), x[2])
    )
    same_annotations(ours.annotations(), ea, 1e-9, f"{what} annotations vs edfio")
    sub = ours.h["start_offset"]
    check(abs(e.starttime.microsecond / 1e6 - sub) < 1e-6, f"{what}: sub-second start {sub} vs edfio {e.starttime}")
    print(f"  {what}: {len(ours.signals)} signals, {len(ea)} annotations, gaps {ours.h['gaps']} = edfio")


def compare_mne(path: Path, ours: Ours, what: str) -> None:
    """MNE opens the file, reads every annotation (with @@channel) and the same data."""
    raw = mne_read(path)
    m = mne_annotations(raw)
    o = [(a[0], a[1] or 0.0, a[2]) for a in ours.annotations()]
    same_annotations(o, m, 1e-6, f"{what} annotations vs MNE")
    data = raw.get_data()
    check(data.shape[0] == len(ours.signals), f"{what}: MNE has {data.shape[0]} channels")
    for k, s in enumerate(ours.signals):
        if len(ours.phys[k]) != data.shape[1]:
            continue  # MNE resamples mixed-rate files to the highest rate
        scale = UNIT_SCALE.get(s["unit"], 1.0)
        step = abs((s["physical_max"] - s["physical_min"]) / (s["digital_max"] - s["digital_min"]))
        err = float(np.max(np.abs(data[k] / scale - ours.phys[k]))) if data.shape[1] else 0.0
        check(err <= step * 1.01 + 1e-9, f"{what} {s['label']}: MNE data differ by {err} > {step}")
    print(f"  {what}: MNE reads {len(m)} annotations and the data")


def roundtrip(path: Path, ours: Ours, what: str, discontinuous: bool) -> None:
    """`eimfs convert IN OUT` is lossless; pyedflib (or edfio) and MNE read OUT."""
    out = TMP / ("rt_" + path.name)
    run([BIN, "convert", "--quiet", path, out])
    o2 = Ours(out)
    ty = ours.h["file_type"]
    want_type = ty if "+" in ty else ty + "+C"
    check(o2.h["file_type"] == want_type, f"{what}: converted type {o2.h['file_type']} (want {want_type})")
    for k, (a, b) in enumerate(zip(ours.signals, o2.signals)):
        keys = ["label", "unit", "transducer", "prefilter", "physical_min", "physical_max", "digital_min", "digital_max", "samples_per_record"]
        check(all(a[x] == b[x] for x in keys), f"{what}: signal {k} header changed: {a} -> {b}")
        check(np.array_equal(ours.dig[k], o2.dig[k]), f"{what}: signal {a['label']} digital values changed by convert")
    check(len(ours.signals) == len(o2.signals), f"{what}: signal count changed by convert")
    check(ours.h["start"] == o2.h["start"], f"{what}: start {ours.h['start']} -> {o2.h['start']}")
    check(ours.h["record_starts"] == o2.h["record_starts"], f"{what}: record start times changed")
    same_annotations(ours.annotations(), o2.annotations(), 1e-9, f"{what} convert annotations")
    if discontinuous:
        compare_edfio(out, o2, f"{what} -> convert")
    else:
        compare_pyedflib(out, o2, f"{what} -> convert")
        compare_mne(out, o2, f"{what} -> convert")
    print(f"  {what}: eimfs convert lossless ({sum(len(d) for d in o2.dig)} samples, {len(o2.h['annotations'])} annotations)")


# ------------------------------------------------------------------------------------------------
def flat_count(d: np.ndarray, run_len: int) -> int:
    if len(d) == 0:
        return 0
    change = np.flatnonzero(np.diff(d) != 0)
    starts = np.r_[0, change + 1]
    ends = np.r_[change + 1, len(d)]
    lens = ends - starts
    return int(lens[lens >= run_len].sum())


def check_stats(path: Path, what: str) -> None:
    """`eimfs info --json --stats` against numpy on pyedflib's samples."""
    j = json.loads(run([BIN, "info", "--json", "--stats", "--quiet", path]).stdout)
    r = pyedflib.EdfReader(str(path))
    try:
        labels = r.getSignalLabels()
        idx = [i for i, l in enumerate(labels) if l not in ("EDF Annotations", "BDF Annotations")]
        for k, i in enumerate(idx):
            c = j["channels"][k]
            st = c["stats"]
            x = r.readSignal(i)
            d = r.readSignal(i, digital=True)
            scale = max(float(np.max(np.abs(x))), 1e-12)
            ok = (
                st["n_samples"] == len(x)
                and abs(st["min"] - x.min()) <= 1e-9 * scale
                and abs(st["max"] - x.max()) <= 1e-9 * scale
                and abs(st["mean"] - x.mean()) <= 1e-9 * scale
                and abs(st["rms"] - math.sqrt(np.mean(x * x))) <= 1e-9 * scale
            )
            check(ok, f"{what} {c['label']}: stats {st} vs numpy min {x.min()} max {x.max()} mean {x.mean()}")
            run_len = max(2, math.ceil(c["fs"] * 1.0 - 1e-9))
            flat = flat_count(d, run_len)
            clipped = int(((d <= c["digital_min"]) | (d >= c["digital_max"])).sum())
            check(st["n_flat"] == flat, f"{what} {c['label']}: {st['n_flat']} flat samples vs numpy {flat}")
            check(st["n_clipped"] == clipped, f"{what} {c['label']}: {st['n_clipped']} clipped vs numpy {clipped}")
        print(f"  {what}: info --stats = numpy for {len(idx)} channels")
    finally:
        r.close()


DOUBLE_BANANA = [
    ("Fp1", "F7"), ("F7", "T3"), ("T3", "T5"), ("T5", "O1"), ("Fp1", "F3"), ("F3", "C3"), ("C3", "P3"), ("P3", "O1"),
    ("Fz", "Cz"), ("Cz", "Pz"), ("Fp2", "F4"), ("F4", "C4"), ("C4", "P4"), ("P4", "O2"), ("Fp2", "F8"), ("F8", "T4"),
    ("T4", "T6"), ("T6", "O2"),
]


def check_processing(path: Path, what: str) -> None:
    """convert --montage double-banana --bandpass 0.5 30 --notch 50 --resample 128 = scipy."""
    out = TMP / ("proc_" + path.name)
    run([BIN, "convert", "--quiet", path, out, "--montage", "double-banana", "--bandpass", "0.5", "30", "--notch", "50", "--resample", "128"])
    src = pyedflib.EdfReader(str(path))
    res = pyedflib.EdfReader(str(out))
    try:
        labels = src.getSignalLabels()
        elec = {}
        for i, l in enumerate(labels):
            parts = l.split()
            if len(parts) == 2 and parts[0] == "EEG":
                elec[parts[1].split("-")[0].upper()] = i
        fs = src.getSampleFrequency(0)
        sos = np.vstack([ss.butter(4, [0.5, 30], "bandpass", fs=fs, output="sos"), ss.tf2sos(*ss.iirnotch(50, 30, fs))])
        g = math.gcd(int(fs), 128)
        up, down = 128 // g, int(fs) // g
        out_labels = res.getSignalLabels()
        check(out_labels[:18] == [f"{a}-{b}" for a, b in DOUBLE_BANANA], f"{what}: montage labels {out_labels[:18]}")
        worst = 0.0
        for k, (a, b) in enumerate(DOUBLE_BANANA):
            y = src.readSignal(elec[a.upper()]) - src.readSignal(elec[b.upper()])
            y = ss.resample_poly(ss.sosfiltfilt(sos, y), up, down)
            z = res.readSignal(k)
            step = (res.getPhysicalMaximum(k) - res.getPhysicalMinimum(k)) / (res.getDigitalMaximum(k) - res.getDigitalMinimum(k))
            err = float(np.max(np.abs(y - z)))
            worst = max(worst, err / step)
            check(len(y) == len(z) and err <= step, f"{what} {a}-{b}: differs from scipy by {err} (step {step})")
        # non-EEG channels: resampled only
        for name in ("ECG", "Resp"):
            i = [j for j, l in enumerate(labels) if l.startswith(name)]
            o = [j for j, l in enumerate(out_labels) if l.startswith(name)]
            if i and o:
                y = ss.resample_poly(src.readSignal(i[0]), up, down)
                z = res.readSignal(o[0])
                step = (res.getPhysicalMaximum(o[0]) - res.getPhysicalMinimum(o[0])) / 65535
                err = float(np.max(np.abs(y - z)))
                check(err <= step, f"{what} {name}: resampled differs from scipy by {err} (step {step})")
        check(len(res.readAnnotations()[0]) == len(src.readAnnotations()[0]), f"{what}: processed file lost annotations")
        print(f"  {what}: montage + band-pass + notch + resample = scipy (worst {worst:.2f} output step)")
    finally:
        src.close()
        res.close()


# ------------------------------------------------------------------------------------------------
def field(s, w):
    b = s if isinstance(s, bytes) else s.encode("ascii")
    assert len(b) <= w, (s, w)
    return b + b" " * (w - len(b))


def write_plus_d(path: Path, bdf: bool) -> None:
    """EDF+D/BDF+D: records at +0.5, +1.5 and +6.5 s (a 4 s gap), two data signals at different
    rates, two annotation signals, several annotations per record, UTF-8, @@channel, a duration 0."""
    sb = 3 if bdf else 2
    dig = (-8388608, 8388607) if bdf else (-32768, 32767)
    ann = "BDF Annotations" if bdf else "EDF Annotations"
    sigs = [
        dict(label="EEG Cz-Ref", spr=16, pmin="-400", pmax="400", dmin=dig[0], dmax=dig[1], unit="uV"),
        dict(label="ECG", spr=4, pmin="-2.5", pmax="2.5", dmin=-2000, dmax=2000, unit="mV"),
        dict(label=ann, spr=120 // sb, pmin="-1", pmax="1", dmin=dig[0], dmax=dig[1], unit=""),
        dict(label=ann, spr=30, pmin="-1", pmax="1", dmin=dig[0], dmax=dig[1], unit=""),
    ]
    starts = ["+0.5", "+1.5", "+6.5"]
    tals1 = [
        "\x14Sz onset@@EEG Cz-Ref\x14\x00+0.75\x152.5\x14clonic\x14jerk\x14\x00",
        "\x14\x00+1.6\x14spike\x14\x00",
        "\x14\x00+7\x150\x14Sz end\x14\x00",
    ]
    tals2 = ["", "+2\x14\u00e9v\u00e9nement \u767a\u4f5c\x14\x00", ""]
    ns = len(sigs)
    h = field(b"\xffBIOSEMI" if bdf else "0", 8)
    h += field("X M 01-JAN-2026 Test_baby", 80) + field("Startdate 21-NOV-2026 X X X", 80)
    h += field("21.11.26", 8) + field("10.00.00", 8) + field(str(256 * (ns + 1)), 8)
    h += field("BDF+D" if bdf else "EDF+D", 44) + field("3", 8) + field("1", 8) + field(str(ns), 4)
    for key, w in [("label", 16), ("transducer", 80), ("unit", 8), ("pmin", 8), ("pmax", 8), ("dmin", 8), ("dmax", 8),
                   ("prefilter", 80), ("spr", 8), ("reserved", 32)]:
        for s in sigs:
            h += field(str(s.get(key, "")), w)
    rng = np.random.default_rng(7)
    data = b""
    for r in range(3):
        for k, s in enumerate(sigs):
            nbytes = s["spr"] * sb
            if k >= 2:
                t = ((starts[r] + "\x14" + tals1[r]) if k == 2 else tals2[r]).encode("utf-8")
                data += t + b"\x00" * (nbytes - len(t))
            else:
                v = rng.integers(s["dmin"], s["dmax"] + 1, s["spr"])
                v[0], v[-1] = s["dmin"], s["dmax"]
                data += b"".join(int(x).to_bytes(4, "little", signed=True)[:sb] for x in v)
    path.write_bytes(h + data)


def write_pyedflib(path: Path, bdf: bool) -> None:
    fs, n = 256, 12
    ftype = pyedflib.FILETYPE_BDFPLUS if bdf else pyedflib.FILETYPE_EDFPLUS
    dmax = 8388607 if bdf else 32767
    w = pyedflib.EdfWriter(str(path), 3, file_type=ftype)
    try:
        w.setSignalHeaders([
            dict(label="EEG Fp1-Ref", dimension="uV", sample_frequency=fs, physical_min=-500, physical_max=500,
                 digital_min=-dmax - 1, digital_max=dmax, transducer="AgAgCl", prefilter="HP:0.1Hz"),
            dict(label="EEG T3-Ref", dimension="uV", sample_frequency=fs, physical_min=-500, physical_max=500,
                 digital_min=-dmax - 1, digital_max=dmax),
            dict(label="Resp", dimension="mV", sample_frequency=32, physical_min=-5, physical_max=5,
                 digital_min=-2048, digital_max=2047),
        ])
        w.setStartdatetime(datetime.datetime(2024, 5, 6, 7, 8, 9))
        w.setPatientCode("P007")
        w.setEquipment("amp_1")
        w.set_number_of_annotation_signals(3)
        t = np.arange(fs * n) / fs
        w.writeSamples([np.sin(2 * np.pi * 3 * t) * 100, np.clip(np.sin(2 * np.pi * 7 * t) * 600, -500, 500),
                        np.cos(np.arange(32 * n) / 5) * 2])
        for k in range(8):
            w.writeAnnotation(2.0 + 0.01 * k, -1, f"spike {k}")
        w.writeAnnotation(3.5, 1.25, "Anfall \u00fc \u5a74\u513f")
        w.writeAnnotation(4.0, 0, "event@@EEG Fp1-Ref")
        w.writeAnnotation(11.5, 0.5, "Sz@@EEG T3-Ref")
    finally:
        w.close()


def write_edfio(path: Path, bdf: bool, many: bool = False) -> None:
    t = np.arange(256 * 10) / 256
    cls, sig = (edfio.Bdf, edfio.BdfSignal) if bdf else (edfio.Edf, edfio.EdfSignal)
    signals = [
        sig(np.sin(2 * np.pi * 5 * t) * 80, 256, label="EEG C3-REF", physical_dimension="uV"),
        sig(np.cos(2 * np.pi * 1 * t[::4]) * 3, 64, label="ECG EKG", physical_dimension="mV"),
    ]
    if many:
        anns = [edfio.EdfAnnotation(0.003 * k, None if k % 2 else 0.1, f"marker {k}") for k in range(600)]
    else:
        anns = [
            edfio.EdfAnnotation(0.0, None, "Recording starts"),
            edfio.EdfAnnotation(1.2, 3.0, "Sz@@EEG C3-REF"),
            edfio.EdfAnnotation(1.2, None, "same onset"),
            edfio.EdfAnnotation(5.123456, 0.0, "\u00e9pisode \u03b1"),
            edfio.EdfAnnotation(9.9, None, "end"),
        ]
    f = cls(signals, starttime=datetime.time(13, 14, 15, 250000), annotations=anns,
            recording=edfio.Recording(startdate=datetime.date(2025, 1, 2)))
    f.write(path)


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main() -> int:
    global DUMP
    if not BIN.exists():
        print(f"eimfs binary not found at {BIN} (set EIMFS_BIN)")
        return 1
    DUMP = build_dump()
    clips = sorted((SHARED / "data" / "helsinki-dev").glob("*.edf"))
    if len(clips) != 16:
        print(f"expected 16 clips in {SHARED / 'data' / 'helsinki-dev'}, found {len(clips)}")
        return 1
    pyedf_data = sorted((Path(pyedflib.__file__).parent / "tests" / "data").glob("*"))
    check(len(pyedf_data) == 7, f"pyedflib ships {len(pyedf_data)} test files (expected 7)")
    gen = TMP / "generated"
    gen.mkdir()
    made = []
    for name, fn in [
        ("pyedflib.edf", lambda p: write_pyedflib(p, False)),
        ("pyedflib.bdf", lambda p: write_pyedflib(p, True)),
        ("edfio.edf", lambda p: write_edfio(p, False)),
        ("edfio.bdf", lambda p: write_edfio(p, True)),
        ("edfio_600_annotations.edf", lambda p: write_edfio(p, False, many=True)),
        ("plus_d.edf", lambda p: write_plus_d(p, False)),
        ("plus_d.bdf", lambda p: write_plus_d(p, True)),
    ]:
        p = gen / name
        fn(p)
        made.append(p)
    inputs = clips + pyedf_data + made
    hashes = {p: sha(p) for p in inputs}

    for p in inputs:
        what = p.name
        print(f"{what}")
        try:
            ours = Ours(p)
            d = "+D" in ours.h["file_type"]
            if d:
                compare_edfio(p, ours, what)
            else:
                compare_pyedflib(p, ours, what)
            roundtrip(p, ours, what, d)
        except Exception as e:  # noqa: BLE001
            check(False, f"{what}: {type(e).__name__}: {e}")

    print("statistics (eimfs info --json --stats)")
    for p in clips + [x for x in pyedf_data if x.name != "test_legacy.edf"] + made[:5]:
        try:
            check_stats(p, p.name)
        except Exception as e:  # noqa: BLE001
            check(False, f"{p.name} stats: {type(e).__name__}: {e}")

    print("processing (eimfs convert --montage --bandpass --notch --resample)")
    for p in clips[:3]:
        try:
            check_processing(p, p.name)
        except Exception as e:  # noqa: BLE001
            check(False, f"{p.name} processing: {type(e).__name__}: {e}")

    for p, h in hashes.items():
        check(sha(p) == h, f"{p}: input file modified")

    print(f"\n{n_checks} checks on {len(inputs)} files ({len(clips)} Helsinki clips, {len(pyedf_data)} pyedflib test files, "
          f"{len(made)} written by pyedflib/edfio/by hand): {len(failures)} failed")
    for f in failures[:50]:
        print(f"  {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(code)
