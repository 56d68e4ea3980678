"""`eimfs score` against timescoring 0.0.7 on a seeded corpus of reference/hypothesis pairs.

Writes every edge case of ci/fixtures/score_cases.py plus 1,200 seeded random pairs as SzCORE
TSVs (`<name>_events.tsv`) into a reference and a hypothesis directory, runs
`$EIMFS_BIN score --ref DIR --hyp DIR --json` once per loader (events, szcore), scores each pair
with timescoring (EventScoring, SampleScoring) on the loader's annotation, and asserts identical
tp, fp, refTrue, numSamples and sensitivity/precision/F1/fpRate to 1e-9 (NaN equals NaN). It then
checks the per-subject scores and the overall subject average against a Python reimplementation
of szcore-evaluation's aggregation. Exits non-zero on any difference.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "ci", "fixtures"))
import score_cases as sc  # noqa: E402

SEED = 4242
N_RANDOM = 1200
METRICS = ("sensitivity", "precision", "f1", "fpRate")


def main():
    binary = os.environ.get("EIMFS_BIN", os.path.join(ROOT, "target", "debug", "eimfs"))
    if not os.path.exists(binary):
        print(f"FAIL: eimfs binary not found at {binary} (set EIMFS_BIN)")
        return 1
    rng = random.Random(SEED)
    edges = sc.edge_pairs()
    pairs = [dict(p) for p in edges] + [sc.random_pair(rng) for _ in range(N_RANDOM)]
    sc.name_pairs(pairs, rng)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        ref_dir, hyp_dir = os.path.join(tmp, "ref"), os.path.join(tmp, "hyp")
        os.makedirs(ref_dir)
        os.makedirs(hyp_dir)
        for p in pairs:
            sc.write_tsv(os.path.join(ref_dir, p["name"] + "_events.tsv"), p["ref"], p["duration"])
            if p["hyp"] is not None:
                sc.write_tsv(os.path.join(hyp_dir, p["name"] + "_events.tsv"), p["hyp"], p["hyp_duration"])
        # a hypothesis without reference must be reported and not scored
        sc.write_tsv(os.path.join(hyp_dir, "orphan_events.tsv"), [], 100.0)

        for loader in ("events", "szcore"):
            t0 = time.perf_counter()
            run = subprocess.run([binary, "score", "--ref", ref_dir, "--hyp", hyp_dir, "--json", "--loader", loader],
                                 capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            if run.returncode != 0:
                print(f"FAIL: eimfs score --loader {loader} exited {run.returncode}: {run.stderr}")
                return 1
            report = json.loads(run.stdout)
            got = {r["name"]: r for r in report["recordings"]}
            missing = {p["name"] for p in pairs} - set(got)
            if missing:
                failures.append(f"[{loader}] recordings not scored: {sorted(missing)[:5]}")
            if [os.path.basename(h) for h in report["unmatched"]["hypothesis_only"]] != ["orphan_events.tsv"]:
                failures.append(f"[{loader}] hypothesis_only = {report['unmatched']['hypothesis_only']}")
            expected_ref_only = sorted(p["name"] for p in pairs if p["hyp"] is None)
            if sorted(report["unmatched"]["reference_only"]) != expected_ref_only:
                failures.append(f"[{loader}] reference_only = {report['unmatched']['reference_only']}")

            # per recording
            t1 = time.perf_counter()
            expected = []
            for p in pairs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    ev, sa = sc.score_pair(p, loader)
                ev["fs"], sa["fs"] = 10, 1
                expected.append({"name": p["name"], "event": ev, "sample": sa})
                r = got.get(p["name"])
                if r is None:
                    continue
                for kind, want in (("event", ev), ("sample", sa)):
                    for k in ("tp", "fp", "refTrue", "numSamples"):
                        if r[kind][k] != want[k]:
                            failures.append(f"[{loader}] {p['name']} ({p['label']}): {kind} {k} eimfs {r[kind][k]} timescoring {want[k]}")
                    for k in METRICS:
                        if not sc.nan_equal(r[kind][k], want[k]):
                            failures.append(f"[{loader}] {p['name']} ({p['label']}): {kind} {k} eimfs {r[kind][k]} timescoring {want[k]}")
            python_time = time.perf_counter() - t1

            # per subject and overall, against the Python reimplementation of the aggregation
            subjects, overall = sc.aggregate(expected)
            got_subjects = {s["subject"]: s for s in report["subjects"]}
            if sorted(got_subjects) != sorted(subjects):
                failures.append(f"[{loader}] subjects differ: {sorted(set(got_subjects) ^ set(subjects))[:5]}")
            for sub, want in subjects.items():
                s = got_subjects.get(sub)
                if s is None:
                    continue
                for kind in ("event", "sample"):
                    for k in ("tp", "fp", "refTrue", "numSamples"):
                        if s[kind][k] != want[kind][k]:
                            failures.append(f"[{loader}] subject {sub}: {kind} {k} eimfs {s[kind][k]} python {want[kind][k]}")
                    for k in METRICS:
                        if not sc.nan_equal(s[kind][k], want[kind][k]):
                            failures.append(f"[{loader}] subject {sub}: {kind} {k} eimfs {s[kind][k]} python {want[kind][k]}")
            for kind in ("event", "sample"):
                for k, v in overall[kind].items():
                    if not sc.nan_equal(report["overall"][kind][k], v):
                        failures.append(f"[{loader}] overall {kind} {k}: eimfs {report['overall'][kind][k]} python {v}")
            n_sub = len(subjects)
            print(f"[{loader}] {len(pairs)} pairs ({len(edges)} edge cases, {N_RANDOM} random), {n_sub} subjects: "
                  f"eimfs {elapsed:.2f} s (one run, debug build), timescoring {python_time:.2f} s; "
                  f"overall event sensitivity {overall['event']['sensitivity']:.4f}, "
                  f"sample F1 {overall['sample']['f1']:.4f}")

    if failures:
        print(f"FAIL: {len(failures)} differences")
        for f in failures[:40]:
            print("  " + f)
        return 1
    n_checks = 2 * len(pairs)
    print(f"OK: {n_checks} pair scorings ({len(pairs)} pairs x 2 loaders, {len(edges)} edge cases each) identical to "
          f"timescoring 0.0.7 (tp, fp, refTrue, numSamples; metrics to 1e-9), per-subject and overall averages "
          f"identical to the Python aggregation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
