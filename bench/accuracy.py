#!/usr/bin/env python3
"""Accuracy of `eimfs detect`, on data it was not trained on.

    python3 bench/accuracy.py [--workdir DIR] [--train-workdir DIR] [--jobs 2] [--skip-sim] [--skip-helsinki]

1. **Simulated evaluation corpus** (bench/accuracy_manifest.json: 20 recordings, 40 h, seeds
   9000-9019; the training and validation corpora use seeds 1000-2999): dynamic-mode recordings
   (emergent seizures, several KCNT1 variant levels) and scenario-mode recordings designed as
   single-focus or migrating, all with artefacts, at 200-512 Hz. Each is simulated with
   `eimfs simulate`, analysed with `eimfs detect` (built-in model, default sensitivity) and scored
   with `eimfs score` against the simulator's truth: SzCORE event scoring with its defaults
   (timescoring 0.0.7 semantics), onset hemisphere and onset region (lobe x hemisphere) accuracy of
   matched seizures. The migration verdict of the detections is compared with the verdict of the
   true seizure maps; `eimfs score` computes both with the one documented rule
   (eimfs_detect::summary::migration, crates/detect/src/summary.rs).
2. **Helsinki clips** (../shared/data/helsinki-dev, 16 x 30 s, 3 experts): leave-one-clip-out —
   each clip is analysed with a model trained without it (`train.py --loo`, into
   --train-workdir/loo). Per-second AUC of the overall probability against the experts' majority,
   and Cohen's kappa of the detections (a second is positive when a detected seizure covers it)
   against the majority, next to each expert's kappa against the majority on the same seconds.

Prints the tables; the last lines give the headline figures.
"""

import sys
from pathlib import Path

# bench/ holds scripts named like standard modules (signal.py): keep it off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "crates" / "detect" / "train"))
import corpus  # noqa: E402
import train  # noqa: E402

SHARED = Path(os.environ.get("EIMFS_SHARED", ROOT.parent / "shared"))
HELSINKI = SHARED / "data" / "helsinki-dev"


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return r.stdout


# --- Helsinki statistics ------------------------------------------------------------------------
def auc(scores, labels):
    """Area under the ROC curve (Mann-Whitney U with ties counted half)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allv = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    return (r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def kappa(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    po = (a == b).mean()
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return (po - pe) / (1 - pe) if pe < 1 else float("nan")


def detect_held_out(binary, loo_dir, clip, out, montage=None, sensitivity=None):
    """Run `eimfs detect` on a Helsinki clip with the model trained without it (and `montage`,
    `sensitivity`): its probability table rows (strings, `second` first) and its seizure spans (s)."""
    model = loo_dir / f"{clip}.json"
    if not model.exists():
        raise SystemExit(f"missing leave-one-out model {model}: run python3 crates/detect/train/train.py --loo-only --workdir {loo_dir.parent}")
    cmd = [binary, "detect", str(HELSINKI / f"{clip}.edf"), "--out", str(out), "--model", str(model), "--quiet"]
    run(cmd + (["--montage", montage] if montage else []) + (["--sensitivity", sensitivity] if sensitivity else []))
    p = [l.split("\t") for l in (out / f"{clip}_probability.tsv").read_text().splitlines()[1:]]
    ev = [l.split("\t") for l in (out / f"{clip}_events.tsv").read_text().splitlines()[1:]]
    return p, [(float(e[0]), float(e[0]) + float(e[1])) for e in ev if e[2].startswith("sz")]


def helsinki(binary, loo_dir, work):
    """Leave-one-clip-out figures on the Helsinki clips: per-second AUC of the overall probability,
    Cohen's kappa of the detections (default sensitivity, and at --sensitivity low / high) and of
    each expert against the majority, and a per-clip table."""
    lab = {clip: [(sec, *v) for sec, v in sorted(secs.items())] for clip, secs in train.helsinki_labels().items()}
    probs, dets, maj, experts = [], [], [], [[], [], []]
    dets_at = {"low": [], "high": []}
    per_clip = []
    out = work / "helsinki"
    covered = lambda spans, sec: any(s0 <= sec + 0.5 < s1 for s0, s1 in spans)
    for clip in sorted(lab):
        p, spans = detect_held_out(binary, loo_dir, clip, out)
        labs = lab[clip]
        for (sec, a, b, c, m) in labs:
            pr = float(p[sec][1]) if p[sec][1] != "n/a" else 0.0
            probs.append(pr), dets.append(covered(spans, sec)), maj.append(m)
            for k, v in enumerate((a, b, c)):
                experts[k].append(v)
        for sens, d in dets_at.items():
            _, spans_s = detect_held_out(binary, loo_dir, clip, out, sensitivity=sens)
            d.extend(covered(spans_s, l[0]) for l in labs)
        per_clip.append((clip, sum(l[4] for l in labs), sum(covered(spans, l[0]) for l in labs), np.mean([float(x[1]) if x[1] != "n/a" else 0 for x in p])))
    return {
        "auc": auc(probs, maj),
        "kappa_detector": kappa(dets, maj),
        "kappa_detector_at": {sens: kappa(d, maj) for sens, d in dets_at.items()},
        "kappa_experts": [kappa(e, maj) for e in experts],
        "seconds": len(maj),
        "seizure_seconds": int(np.sum(maj)),
        "per_clip": per_clip,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "eimfs-accuracy"))
    ap.add_argument("--train-workdir", default=os.path.join(tempfile.gettempdir(), "eimfs-train"), help="where train.py --loo wrote loo/")
    ap.add_argument("--bin", default=None)
    ap.add_argument("--sim-bin", default=None)
    ap.add_argument("--model", default=None, help="detect with this model instead of the built-in one")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--skip-helsinki", action="store_true")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    binary = corpus.eimfs_binary(args.bin)
    sim_bin = args.sim_bin or binary
    headline = []

    if not args.skip_sim:
        entries = corpus.load_manifest(ROOT / "bench" / "accuracy_manifest.json")
        simdir = work / "sim"
        print(f"simulating {len(entries)} evaluation recordings ({sum(e['duration_s'] for e in entries) / 3600:g} h) into {simdir} ...", flush=True)
        with cf.ThreadPoolExecutor(args.jobs) as ex:
            list(ex.map(lambda e: corpus.ensure(e, simdir, sim_bin), entries))
        refdir, hypdir = work / "ref", work / "hyp"
        for d in (refdir, hypdir):
            if d.exists():
                shutil.rmtree(d)
            d.mkdir()
        extra = ["--model", args.model] if args.model else []

        def det(e):
            for suffix in ("_events.tsv", "_truth.json"):
                shutil.copy(simdir / f"{e['name']}{suffix}", refdir / f"{e['name']}{suffix}")
            run([binary, "detect", str(simdir / f"{e['name']}.edf"), "--out", str(hypdir), "--quiet", *extra])

        with cf.ThreadPoolExecutor(args.jobs) as ex:
            list(ex.map(det, entries))
        rep = json.loads(run([binary, "score", "--ref", str(refdir), "--hyp", str(hypdir), "--json"]))
        by_name = {r["name"]: r for r in rep["recordings"]}
        print()
        print(f"{'recording':<26} {'design':<13} {'h':>3} {'true':>5} {'det':>4} {'tp':>4} {'fp':>3} {'sens':>6} {'prec':>6} {'fp/24h':>7} {'hemi':>6} {'region':>6}  verdict (truth -> detected)")
        correct = 0
        # The detected seizures of each recording, read once.
        detected_maps = {e["name"]: json.loads((hypdir / f"{e['name']}_seizures.json").read_text())["seizures"] for e in entries}
        for e in entries:
            r = by_name[e["name"]]
            ev = r["event"]
            loc = r.get("localisation") or {}
            # The verdicts of the true and the detected seizure maps, both by the rule the
            # detector reports (`eimfs score` applies eimfs_detect::summary::migration to each).
            vp = loc["verdict"]
            tv, detected = vp["reference"], vp["hypothesis"]
            summary_verdict = json.loads((hypdir / f"{e['name']}_summary.json").read_text())["migration"]["verdict"]
            if summary_verdict != detected:
                raise SystemExit(f"{e['name']}: eimfs score's verdict of the detections ({detected}) differs from the detector's summary ({summary_verdict})")
            ok = vp["agree"]
            correct += ok
            n_det = len(detected_maps[e["name"]])
            f = lambda v: "  n/a" if v is None or v != v else f"{v:.3f}"
            print(f"{e['name']:<26} {e['design']:<13} {e['duration_s'] / 3600:>3g} {ev['refTrue']:>5} {n_det:>4} {ev['tp']:>4} {ev['fp']:>3} {f(ev['sensitivity']):>6} {f(ev['precision']):>6} {ev['fpRate']:>7.2f} {f(loc.get('hemisphere_accuracy')):>6} {f(loc.get('region_accuracy')):>6}  {tv} -> {detected}{'' if ok else '  WRONG'}")
        pooled = rep["overall"]["pooled"]["event"]
        mean = rep["overall"]["event"]
        lp = rep["overall"]["localisation"]["pooled"]
        hours = sum(e["duration_s"] for e in entries) / 3600
        print()
        print(f"simulated: {len(entries)} recordings, {hours:g} h, {pooled['refTrue']} true seizures (seeds {entries[0]['seed']}-{entries[-1]['seed']}, never used in training)")
        print(f"  event sensitivity {pooled['sensitivity']:.3f} (target >= 0.95), precision {pooled['precision']:.3f} (>= 0.90), "
              f"false positives {pooled['fpRate']:.2f} per 24 h (<= 2)   [pooled over recordings; recording means: "
              f"sens {mean['sensitivity']:.3f}, prec {mean['precision']:.3f}, fp/24h {mean['fpRate']:.2f}]")
        print(f"  onset hemisphere {lp['hemisphere_accuracy']:.3f} (>= 0.95) and onset region {lp['region_accuracy']:.3f} (>= 0.85) "
              f"of {lp['matched']} matched seizures; sequence agreement {lp['sequence_agreement']:.3f}")
        # The same with purely temporal matching (simultaneous onsets not paired by place; see
        # crates/score/src/localisation.rs), for comparison.
        rep_t = json.loads(run([binary, "score", "--ref", str(refdir), "--hyp", str(hypdir), "--json", "--simultaneous", "0"]))
        lt = rep_t["overall"]["localisation"]["pooled"]
        print(f"  (time-only matching, --simultaneous 0: onset hemisphere {lt['hemisphere_accuracy']:.3f}, onset region {lt['region_accuracy']:.3f} "
              f"of {lt['matched']} matched seizures)")
        # Onset-hemisphere errors by the detected onset electrode: on the midline (side from the
        # midline products, docs/detector.md step 4) or lateral.
        wrong, total = {"midline": 0, "lateral": 0}, {"midline": 0, "lateral": 0}
        for e in entries:
            loc = by_name[e["name"]].get("localisation") or {}
            det = {s["id"]: s for s in detected_maps[e["name"]]}
            for m in loc.get("matches", []):
                kind = "midline" if det[m["detected_id"]]["onset_electrodes"][0] in ("Fz", "Cz", "Pz") else "lateral"
                total[kind] += 1
                wrong[kind] += not m["hemisphere_correct"]
        print(f"  onset hemisphere wrong: {wrong['midline']} of {total['midline']} midline-detected onsets, "
              f"{wrong['lateral']} of {total['lateral']} lateral ones")
        print(f"  migration verdict correct on {correct}/{len(entries)} recordings ({correct / len(entries):.3f}, >= 0.95)")
        headline.append(f"sim: sens {pooled['sensitivity']:.3f} prec {pooled['precision']:.3f} fp/24h {pooled['fpRate']:.2f} "
                        f"hemisphere {lp['hemisphere_accuracy']:.3f} region {lp['region_accuracy']:.3f} verdict {correct / len(entries):.3f}")

    if not args.skip_helsinki:
        h = helsinki(binary, Path(args.train_workdir) / "loo", work)
        print()
        print("Helsinki clips, leave-one-clip-out (each clip analysed by a model trained without it):")
        print(f"{'clip':<24} {'majority sz s':>13} {'detected sz s':>13} {'mean p':>7}")
        for clip, m, d, mp in h["per_clip"]:
            print(f"{clip:<24} {m:>13} {d:>13} {mp:>7.3f}")
        ke = h["kappa_experts"]
        print(f"  per-second AUC vs majority: {h['auc']:.3f} (target >= 0.95) over {h['seconds']} s ({h['seizure_seconds']} seizure)")
        print(f"  Cohen's kappa vs majority: detector {h['kappa_detector']:.3f}; experts A {ke[0]:.3f}, B {ke[1]:.3f}, C {ke[2]:.3f} "
              f"(target: detector >= lowest expert {min(ke):.3f})")
        ka = h["kappa_detector_at"]
        print(f"  the detector's kappa at the other operating points: --sensitivity low {ka['low']:.3f}, high {ka['high']:.3f}")
        headline.append(f"helsinki LOO: AUC {h['auc']:.3f} kappa {h['kappa_detector']:.3f} (lowest expert {min(ke):.3f})")
    print()
    for l in headline:
        print(l)


if __name__ == "__main__":
    main()
