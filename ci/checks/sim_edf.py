"""The simulator's EDF+ opens in pyedflib and MNE with every annotation.

Runs `eimfs simulate` in scenario mode (docs/scenario_example.toml, 10 minutes, artefacts on) and
checks, against the events TSV and the truth JSON written beside the EDF:
- pyedflib: 19 channels labelled `EEG <electrode>-Ref` in uV at 256 Hz, the expected duration, and
  exactly the annotations eimfs wrote (onsets, durations, texts; channel links `@@EEG X-Ref`);
- MNE: the same channels and the same annotations (onset within 1 ms, text, linked channel; MNE
  groups annotations that differ only by channel, they are expanded for the comparison);
- every seizure of the truth has its onset annotation and every artefact event its annotation.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

BIN = os.environ.get("EIMFS_BIN", "target/debug/eimfs")
HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "..", "docs", "scenario_example.toml")
NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"]


def main():
    import mne
    import pyedflib

    mne.set_log_level("ERROR")
    failures = []
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([BIN, "-q", "simulate", "--scenario", SCENARIO, "--seed", "3", "--out", d, "--name", "s"], check=True)
        edf = os.path.join(d, "s.edf")
        truth = json.load(open(os.path.join(d, "s_truth.json")))
        tsv = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "s_events.tsv"))][1:]

        f = pyedflib.EdfReader(edf)
        labels = f.getSignalLabels()
        if labels != [f"EEG {n}-Ref" for n in NAMES]:
            failures.append(f"labels {labels}")
        if any(f.getPhysicalDimension(i) != "uV" or f.getSampleFrequency(i) != 256 for i in range(19)):
            failures.append("units or sampling rate")
        if abs(f.getFileDuration() - 600) > 1e-6:
            failures.append(f"duration {f.getFileDuration()}")
        onsets, durations, texts = f.readAnnotations()
        x = f.readSignal(7)
        f.close()
        n_ann = len(onsets)
        n_links = sum("@@EEG " in t for t in texts)
        expected_links = sum(len(a["channels"]) for a in truth["artefacts"]) + sum(len(s["visits"]) for s in truth["seizures"])
        if n_links != expected_links:
            failures.append(f"pyedflib read {n_links} channel-linked annotations, expected {expected_links}")
        for s in truth["seizures"]:
            hit = [i for i, t in enumerate(texts) if t.startswith(f"sz_foc #{s['id']} onset")]
            if len(hit) != 1 or abs(onsets[hit[0]] - s["onset"]) > 1e-3 or abs(durations[hit[0]] - (s["offset"] - s["onset"])) > 1e-3:
                failures.append(f"seizure {s['id']} onset annotation")
        for row in tsv:
            onset, dur, etype = float(row[0]), float(row[1]), row[2]
            if etype.startswith("artf"):
                if not any(abs(o - onset) < 1e-3 and t.startswith(etype) for o, t in zip(onsets, texts)):
                    failures.append(f"artefact {etype} at {onset} missing")
        if len(truth["seizures"]) < 3:
            failures.append(f"only {len(truth['seizures'])} seizures in the scenario run")
        if not np.isfinite(x).all() or np.std(x) <= 0:
            failures.append("T3 data")

        raw = mne.io.read_raw_edf(edf, preload=True)
        if raw.ch_names != [f"EEG {n}-Ref" for n in NAMES]:
            failures.append(f"MNE channels {raw.ch_names}")
        # MNE groups annotations that differ only by their linked channel into one annotation
        # with several ch_names: expand them again to compare.
        ann = raw.annotations
        expanded = [(a["onset"], a["description"], c) for a in ann for c in (a["ch_names"] or ("",))]
        mine = [(o, t.split("@@")[0], t.split("@@")[1] if "@@" in t else "") for o, t in zip(onsets, texts)]
        if len(expanded) != n_ann:
            failures.append(f"MNE read {len(expanded)} (annotation, channel) pairs, pyedflib {n_ann}")
        else:
            a = sorted(expanded, key=lambda r: (round(r[0], 3), r[1], r[2]))
            b = sorted(mine, key=lambda r: (round(r[0], 3), r[1], r[2]))
            if any(abs(x[0] - y[0]) > 1e-3 or x[1] != y[1] or x[2] != y[2] for x, y in zip(a, b)):
                failures.append("MNE annotations (onset, text, channel) differ from pyedflib's")
        # MNE returns volts: the pyedflib (uV) and MNE (V) data agree.
        if np.max(np.abs(raw.get_data(picks=[7])[0] * 1e6 - x)) > 1e-3:
            failures.append("MNE and pyedflib data differ")
    print(f"pyedflib and MNE opened the simulated EDF+: 19 channels, {n_ann} annotations ({n_links} channel-linked), {len(truth['seizures'])} seizures, {len(truth['artefacts'])} artefacts")
    for m in failures:
        print("FAIL", m)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
