"""Simulated corpora for training, validating and evaluating the detector.

A corpus is a manifest: a list of recordings, each simulated by `eimfs simulate` from its entry
(mode, seed, duration, variant, artefact rate, sampling rate, mains, and for the scenario mode the
scripted seizures). Manifests are JSON files in the repository:

* crates/detect/train/manifest_train.json  seeds 1000-1999 (classifier training)
* crates/detect/train/manifest_val.json    seeds 2000-2999 (post-processing tuning)
* bench/accuracy_manifest.json             seeds 9000-9999 (evaluation only; never trained on)

`python3 crates/detect/train/corpus.py --write` regenerates the three manifests (deterministic).
`python3 crates/detect/train/corpus.py --write-slow PATH` writes an experimental training manifest:
the training corpus plus six recordings whose synaptic kinetics are fixed at 0.1-0.22 (ictal
rhythms near 1-2 Hz, 1.1 Hz measured at 0.123; the default per-recording draw, 0.25-1, gives
~1.8-7 Hz), for
`train.py --manifest PATH` (docs/detector.md: tried on 2026-11-22, not kept).
The simulated files themselves are not committed; `ensure(entry, dir, sim_bin)` makes them.

Scenario recordings are either *single-focus* (every seizure starts in the same network region;
some spread to a neighbour) or *migrating* (onsets in several regions of both hemispheres, seizures
whose discharge moves from region to region, across hemispheres, and new seizures starting
elsewhere before the last one ended).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# Network regions of the simulator's default infant cortex (`eimfs simulate regions`).
LATERAL = ["prefrontal", "inferior_frontal", "dorsal_frontal", "central", "mid_temporal", "posterior_temporal", "parietal", "occipital"]
MESIAL = ["mesial_frontal", "paracentral", "precuneus"]
# Neighbours within a hemisphere (patch centres closer than ~30 mm).
NEIGHBOURS = {
    "prefrontal": ["inferior_frontal", "dorsal_frontal", "mesial_frontal"],
    "inferior_frontal": ["prefrontal", "dorsal_frontal", "mid_temporal", "central"],
    "dorsal_frontal": ["prefrontal", "inferior_frontal", "mesial_frontal", "central"],
    "mesial_frontal": ["prefrontal", "dorsal_frontal", "paracentral"],
    "central": ["dorsal_frontal", "inferior_frontal", "paracentral", "mid_temporal", "parietal"],
    "paracentral": ["mesial_frontal", "central", "precuneus"],
    "mid_temporal": ["inferior_frontal", "central", "posterior_temporal"],
    "posterior_temporal": ["mid_temporal", "parietal", "occipital"],
    "parietal": ["central", "posterior_temporal", "precuneus", "occipital"],
    "precuneus": ["paracentral", "parietal", "occipital"],
    "occipital": ["posterior_temporal", "parietal", "precuneus"],
}


def _scenario(rng, duration, style):
    """Scripted seizures for a scenario recording of `duration` seconds."""
    side = rng.choice(["L", "R"])
    focus = f"{side}_{rng.choice(LATERAL + MESIAL[:1])}"
    seizures = []
    t = float(rng.uniform(60, 240))
    last_end = 0.0
    while t < duration - 150:
        if style == "single":
            name = focus.split("_", 1)[1]
            path = [focus]
            if rng.random() < 0.35:
                path.append(f"{side}_{rng.choice(NEIGHBOURS[name])}")
            dwell = [float(rng.uniform(20, 70))] + [float(rng.uniform(15, 40)) for _ in path[1:]]
        else:
            n = int(rng.choice([1, 2, 2, 3, 3, 4]))
            s = rng.choice(["L", "R"])
            r = str(rng.choice(LATERAL + MESIAL))
            path = [f"{s}_{r}"]
            for _ in range(n - 1):
                if rng.random() < 0.4:
                    s = "R" if s == "L" else "L"  # cross to the other hemisphere
                    r = str(rng.choice(LATERAL))
                else:
                    r = str(rng.choice(NEIGHBOURS[r]))
                if f"{s}_{r}" not in path:
                    path.append(f"{s}_{r}")
            dwell = [float(rng.uniform(15, 45)) for _ in path]
        overlap = float(rng.uniform(2, 6))
        seizures.append({"onset": round(t, 1), "path": path, "dwell": [round(d, 1) for d in dwell], "overlap": round(overlap, 1)})
        length = sum(dwell) - overlap * (len(dwell) - 1)
        last_end = t + length
        if style == "migrating" and rng.random() < 0.25:
            # A new seizure elsewhere before this one ends (two overlapping seizures).
            t = t + float(rng.uniform(10, max(11, length - 10)))
        else:
            t = last_end + float(rng.choice([rng.uniform(30, 180), rng.uniform(180, 600)]))
    return seizures


# (mode/style, count, duration s) of the training corpus.
TRAIN_PLAN = [("dynamic", 14, 3600), ("wt", 2, 3600), ("single", 7, 3600), ("migrating", 7, 3600)]


def make_manifest(split):
    """The recordings of a split: `train`, `val`, `eval`, or the experimental `train_slow`."""
    base = {"train": 1000, "train_slow": 1000, "val": 2000, "eval": 9000}[split]
    rng = np.random.default_rng(base)
    plan = {
        # (mode/style, count, duration s)
        "train": TRAIN_PLAN,
        "val": [("dynamic", 3, 3600), ("single", 2, 3600), ("migrating", 2, 3600)],
        "eval": [("dynamic", 8, 7200), ("single", 6, 7200), ("migrating", 6, 7200)],
        # The training plan plus slow-kinetics recordings, appended (the others stay the same).
        "train_slow": TRAIN_PLAN + [("slow_dynamic", 3, 3600), ("slow_migrating", 3, 3600)],
    }[split]
    out = []
    k = 0
    prefix = "train" if split == "train_slow" else split
    for kind, count, duration in plan:
        slow = kind.startswith("slow_")
        kind = kind.removeprefix("slow_")
        for _ in range(count):
            seed = base + k
            k += 1
            fs = float(rng.choice([256.0] * 6 + [200.0, 500.0, 512.0]))
            entry = {
                "name": f"{prefix}_{'slow_' if slow else ''}{kind}_{seed}",
                "seed": seed,
                "duration_s": duration,
                "fs": fs,
                "mains": int(rng.choice([50, 50, 60])),
                "artefact_rate": float(rng.choice([0.5, 1.0, 1.0, 2.0, 3.0])),
                "variant": "wt" if kind == "wt" else ("gof" if kind != "dynamic" or rng.random() < 0.6 else f"gof@{rng.choice([0.8, 1.2, 1.5])}"),
                "mode": "dynamic" if kind in ("dynamic", "wt") else "scenario",
                "design": {"dynamic": "dynamic", "wt": "no_seizures", "single": "single_focus", "migrating": "migrating"}[kind],
                "scenario": _scenario(rng, duration, kind) if kind in ("single", "migrating") else None,
            }
            if slow:
                entry["kinetics"] = round(float(rng.uniform(0.1, 0.22)), 3)
            out.append(entry)
    return out


def scenario_toml(entry):
    lines = [f"duration = {entry['duration_s']}", ""]
    for s in entry["scenario"]:
        lines.append("[[seizure]]")
        lines.append(f"onset = {s['onset']}")
        lines.append("path = [" + ", ".join(f'"{p}"' for p in s["path"]) + "]")
        lines.append("dwell = [" + ", ".join(str(d) for d in s["dwell"]) + "]")
        lines.append(f"overlap = {s['overlap']}")
        lines.append("")
    return "\n".join(lines)


def ensure(entry, directory, sim_bin):
    """Simulate a manifest entry into `directory` unless already there; returns (edf, truth, events)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    name = entry["name"]
    edf, truth, events = d / f"{name}.edf", d / f"{name}_truth.json", d / f"{name}_events.tsv"
    if edf.exists() and truth.exists() and events.exists():
        return edf, truth, events
    cmd = [sim_bin, "simulate", "--quiet", "--duration", str(entry["duration_s"]), "--seed", str(entry["seed"]), "--variant", entry["variant"],
           "--fs", f"{entry['fs']:g}", "--mains", str(entry["mains"]), "--artefact-rate", str(entry["artefact_rate"]), "--out", str(d), "--name", name]
    if entry.get("kinetics") is not None:
        cmd += ["--kinetics", f"{entry['kinetics']:g}"]
    if entry["scenario"] is not None:
        toml = d / f"{name}_scenario.toml"
        toml.write_text(scenario_toml(entry))
        cmd += ["--scenario", str(toml)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"simulation {name} failed: {r.stderr.strip()}")
    return edf, truth, events


def write_manifests():
    for split, path in [("train", HERE / "manifest_train.json"), ("val", HERE / "manifest_val.json"), ("eval", ROOT / "bench" / "accuracy_manifest.json")]:
        m = make_manifest(split)
        hours = sum(e["duration_s"] for e in m) / 3600
        doc = {"split": split, "generator": "crates/detect/train/corpus.py", "recordings": len(m), "hours": hours, "entries": m}
        path.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(m)} recordings, {hours:g} h, seeds {m[0]['seed']}-{m[-1]['seed']}")


def eimfs_binary(path=None):
    """`path`, or the release binary of this checkout (built with cargo when `path` is None)."""
    if path is not None:
        return str(path)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "eimfs"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "release" / "eimfs")


def load_manifest(path):
    return json.loads(Path(path).read_text())["entries"]


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_manifests()
    elif "--write-slow" in sys.argv and sys.argv.index("--write-slow") + 1 < len(sys.argv):
        out = Path(sys.argv[sys.argv.index("--write-slow") + 1])
        m = make_manifest("train_slow")
        doc = {"split": "train_slow", "generator": "crates/detect/train/corpus.py --write-slow", "recordings": len(m), "hours": sum(e["duration_s"] for e in m) / 3600, "entries": m}
        out.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"{out}: {len(m)} recordings, seeds {m[0]['seed']}-{m[-1]['seed']}")
    else:
        print(__doc__)
