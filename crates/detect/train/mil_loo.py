#!/usr/bin/env python3
"""Leave-one-clip-out experiment: multiple-instance pseudo-labels for the Helsinki seizure seconds.

Not used by the built-in model; it reproduces the "multiple-instance" row of the label
experiments in docs/detector.md (model eimfs-detect-2026-11-22.1: AUC 0.814, kappa 0.473 with
--top 0.25 --positive-share 0.1, against 0.811 / 0.451 for the shipped setting).

The experts label whole seconds, not channels, and a neonatal seizure is usually seen on a few
channels only, so labelling every derivation of a seizure second ictal teaches the classifier that
background is ictal. Here, for each held-out clip:

1. a base model is trained as train.py trains it (simulated rows, plus the seizure-free seconds of
   the other 15 clips at HELSINKI_SHARE of the weight; their seizure seconds get no weight);
2. in each seizure second of the other clips, the base model's top `--top` share of derivations
   (at least one) become ictal rows; the others stay unlabelled;
3. the final model is trained on (1) plus these rows, which get `--positive-share` of the Helsinki
   weight;
4. bench/accuracy.py's Helsinki evaluation scores the 16 held-out models.

Needs the cached corpus and features of a train.py run (`--workdir`, e.g. after
`python3 crates/detect/train/train.py --workdir W --loo`), the same eimfs binary, and the venv of
requirements.txt. Prints one line: AUC, kappa and per clip (majority seizure seconds, detected
seizure seconds, mean probability).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2] / "bench"))

import accuracy  # noqa: E402
import corpus  # noqa: E402
import eimfs_model  # noqa: E402
import train  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", required=True, help="train.py work directory (cached sim/ and features/)")
    ap.add_argument("--bin", default=None, help="eimfs binary (default: build target/release/eimfs)")
    ap.add_argument("--top", type=float, default=0.25, help="share of derivations of a seizure second taken as ictal")
    ap.add_argument("--positive-share", type=float, default=0.1, help="share of the Helsinki weight on the pseudo-labelled rows")
    ap.add_argument("--out", default=None, help="output directory (default: WORKDIR/mil-TOP-SHARE)")
    args = ap.parse_args()
    if not 0.0 < args.top <= 1.0 or not 0.0 <= args.positive_share < 1.0:
        raise SystemExit("--top must be in (0, 1] and --positive-share in [0, 1)")

    work = Path(args.workdir)
    binary = corpus.eimfs_binary(args.bin)
    out = Path(args.out) if args.out else work / f"mil-{args.top:g}-{args.positive_share:g}"
    loo = out / "loo"
    loo.mkdir(parents=True, exist_ok=True)
    entries = corpus.load_manifest(HERE / "manifest_train.json")
    missing = [e["name"] for e in entries if not (work / "sim" / f"{e['name']}_truth.json").exists()]
    if missing:
        raise SystemExit(f"{work / 'sim'}: {len(missing)} training recordings missing (first: {missing[0]}); run train.py --workdir {work} first")
    Xs, ys = train.collect(binary, entries, work / "sim", work / "features", np.random.default_rng(0))
    names = json.loads((work / "features" / f"{entries[0]['name']}.json").read_text())["features"]
    pp = json.loads((HERE.parent / "models" / "default.json").read_text())["postprocess"]
    lab = train.helsinki_labels()
    clips = {c: train.helsinki_clip(binary, work / "features", c, lab)[:2] for c in sorted(lab)}

    for held in sorted(clips):
        # 1. base model: simulated rows and the other clips' seizure-free seconds.
        Xn = np.concatenate([F[maj == 0].reshape(-1, len(names)) for c, (F, maj) in clips.items() if c != held])
        Xn = Xn[train.finite_rows(Xn, names)]
        X0 = np.concatenate([Xs, Xn])
        y0 = np.concatenate([ys, np.zeros(len(Xn), int)])
        r0 = np.concatenate([np.zeros(len(ys), bool), np.ones(len(Xn), bool)])
        base = train.fit(X0, y0, np.ones(len(y0)), r0, names, positive_share=0.0)
        # 2. pseudo-labels: the base model's most ictal derivations of each seizure second.
        Xp = []
        for c, (F, maj) in clips.items():
            if c == held:
                continue
            for s in np.flatnonzero(maj == 1):
                rows = F[s][train.finite_rows(F[s], names)]
                if len(rows) == 0:
                    continue
                p = eimfs_model.predict(base, rows)
                k = max(1, int(np.ceil(args.top * len(rows))))
                Xp.append(rows[np.argsort(-p, kind="stable")[:k]])
        Xp = np.concatenate(Xp)
        # 3. final model.
        X = np.concatenate([X0, Xp])
        y = np.concatenate([y0, np.ones(len(Xp), int)])
        real = np.concatenate([r0, np.ones(len(Xp), bool)])
        clf = train.fit(X, y, np.ones(len(y)), real, names, positive_share=args.positive_share)
        prov = {"command": "python3 crates/detect/train/mil_loo.py", "top": args.top, "positive_share": args.positive_share, "helsinki_excluded": held}
        eimfs_model.dump(eimfs_model.model_json(f"mil-loo-{held}", names, clf, pp, prov), loo / f"{held}.json")

    # 4. score the held-out clips.
    r = accuracy.helsinki(binary, loo, out)
    per = " ".join(f"{c.split('_')[1]}:{m}/{d}:{p:.2f}" for c, m, d, p in r["per_clip"])
    print(f"top {args.top:g} positive share {args.positive_share:g}: AUC {r['auc']:.3f} kappa {r['kappa_detector']:.3f}  {per}")


if __name__ == "__main__":
    main()
