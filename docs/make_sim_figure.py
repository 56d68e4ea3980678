"""Make the README picture of a simulated migrating seizure from eimfs's own output.

Usage (from the repository root, with the CI venv or any Python with numpy, pyedflib, matplotlib):

    cargo run --release -- simulate --duration 2h --seed 1 --out /tmp/sim --name fig
    python docs/make_sim_figure.py /tmp/sim/fig.edf /tmp/sim/fig_truth.json docs/img/sim_migrating_seizure.png

It picks the migrating seizure with the most distinct scalp regions (ties: the most hemisphere
switches, then the earliest), draws the 19 referential channels from 15 s before its onset to 15 s
after its offset (0.5–30 Hz), and marks, under the traces, each region the seizure visits with its
start and end, and on the traces the channels of each visited region while it is ictal.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyedflib  # noqa: E402
from scipy import signal  # noqa: E402

ORDER = ["Fp1", "F7", "F3", "T3", "C3", "T5", "P3", "O1", "Fz", "Cz", "Pz", "Fp2", "F8", "F4", "T4", "C4", "T6", "P4", "O2"]
REGION_OF = {
    "Fp1": "L-frontal", "F7": "L-frontal", "F3": "L-frontal", "C3": "L-central", "T3": "L-temporal", "T5": "L-temporal",
    "P3": "L-parietal", "O1": "L-occipital", "Fp2": "R-frontal", "F8": "R-frontal", "F4": "R-frontal", "C4": "R-central",
    "T4": "R-temporal", "T6": "R-temporal", "P4": "R-parietal", "O2": "R-occipital", "Fz": "midline", "Cz": "midline", "Pz": "midline",
}


def main(edf_path, truth_path, out_path):
    truth = json.load(open(truth_path))
    cands = [s for s in truth["seizures"] if 2 <= len({v["region"] for v in s["visits"]}) <= 5]
    if not cands:
        cands = [s for s in truth["seizures"] if len({v["region"] for v in s["visits"]}) >= 2]
    if not cands:
        raise SystemExit("no migrating seizure in this recording")
    sz = max(cands, key=lambda s: (min(s["hemisphere_switches"], 1), len({v["region"] for v in s["visits"]}), -s["onset"]))
    detail = truth["seizure_details"][sz["id"] - 1]
    f = pyedflib.EdfReader(edf_path)
    labels = f.getSignalLabels()
    fs = f.getSampleFrequency(0)
    t0, t1 = max(0.0, sz["onset"] - 15.0), sz["offset"] + 15.0
    i0, i1 = int(t0 * fs), int(t1 * fs)
    b, a = signal.butter(2, [0.5, 30.0], btype="band", fs=fs)
    data = {}
    for i, lab in enumerate(labels):
        name = lab.replace("EEG ", "").replace("-Ref", "")
        x = f.readSignal(i, start=max(0, i0 - int(5 * fs)), n=(i1 - i0) + int(5 * fs))
        data[name] = signal.filtfilt(b, a, x)[int(5 * fs) if i0 >= int(5 * fs) else 0:][: i1 - i0]
    f.close()
    t = t0 + np.arange(i1 - i0) / fs

    electrode_of = {r["label"]: r["electrode"] for r in truth["regions"]}
    colours = plt.cm.tab10.colors
    regions = []
    for v in sz["visits"]:
        if v["region"] not in regions:
            regions.append(v["region"])
    colour = {r: colours[k % 10] for k, r in enumerate(regions)}

    fig = plt.figure(figsize=(13, 11))
    gs = fig.add_gridspec(3, 1, height_ratios=[6, 1.3, 1.6])
    ax = fig.add_subplot(gs[0])
    axv = fig.add_subplot(gs[1], sharex=ax)
    axz = fig.add_subplot(gs[2])
    spacing = 250.0
    for k, ch in enumerate(ORDER):
        y0 = -k * spacing
        ax.plot(t, np.clip(data[ch], -1.4 * spacing, 1.4 * spacing) + y0, color="0.25", lw=0.5)
        for (label, _, _), v in zip(detail["network_visits"], sz["visits"]):
            if electrode_of[label] == ch:
                m = (t >= v["start"]) & (t <= v["end"])
                ax.plot(t[m], np.clip(data[ch][m], -1.4 * spacing, 1.4 * spacing) + y0, color=colour[v["region"]], lw=0.6)
        ax.text(t0 - 0.01 * (t1 - t0), y0, ch, ha="right", va="center", fontsize=9)
    ax.set_yticks([])
    ax.set_ylim(-(len(ORDER) - 0.3) * spacing, 1.5 * spacing)
    ax.plot([t1 - 3, t1 - 3], [spacing * 0.9, spacing * 0.9 - 100], color="k", lw=2)
    ax.text(t1 - 3.3, spacing * 0.4, "100 µV", ha="right", fontsize=8)
    ax.axvline(sz["onset"], color="k", ls="--", lw=0.8)
    ax.axvline(sz["offset"], color="k", ls="--", lw=0.8)
    ax.set_title(
        f"Simulated migrating seizure #{sz['id']} (KCNT1 gain of function, default infant cortex): "
        f"{' → '.join(regions)}, {sz['offset'] - sz['onset']:.0f} s, {sz['hemisphere_switches']} hemisphere switch(es)",
        fontsize=10,
    )
    for k, (label, s0, s1) in enumerate(detail["network_visits"]):
        v = sz["visits"][k]
        axv.barh(k, s1 - s0, left=s0, color=colour[v["region"]], height=0.7)
        axv.text(s1 + 0.3, k, f"{label} ({v['region']}, {electrode_of[label]})", va="center", fontsize=8)
    axv.set_ylim(len(detail["network_visits"]) - 0.4, -0.6)
    axv.set_yticks([])
    axv.set_xlabel("time (s) — referential channels (linked mastoids), 0.5–30 Hz; colour: nearest electrode of each visited region while it is ictal")
    axv.set_xlim(t0, t1)
    # Zoom: 8 s of the onset channel, from 2 s before onset, to show the rhythm.
    ch = sz["onset_electrodes"][0]
    m = (t >= sz["onset"] - 2.0) & (t <= sz["onset"] + 6.0)
    axz.plot(t[m], data[ch][m], color=colour[sz["visits"][0]["region"]], lw=0.8)
    axz.axvline(sz["onset"], color="k", ls="--", lw=0.8)
    axz.set_ylabel(f"{ch} (µV)")
    axz.set_xlabel(f"zoom: onset at {ch} ({detail['frequency_hz']:.1f} Hz ictal rhythm in the onset region)")
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    print(f"{out_path}: seizure {sz['id']} at {sz['onset']:.1f}-{sz['offset']:.1f} s, regions {regions}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
