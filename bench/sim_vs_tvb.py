#!/usr/bin/env python3
"""eimfs's network engine against The Virtual Brain on TVB's standard Epileptor demo.

    python3 bench/sim_vs_tvb.py            # creates bench/.venv-tvb on first use (needs PyPI)
    python3 bench/sim_vs_tvb.py --tvb-seconds 10 --repeats 5

The demo (TVB's "Exploring the Epileptor" tutorial): tvb-data's connectivity_76, conduction
speed 3 mm/ms, Difference coupling a = 1, Epileptor with Ks = -0.2, Kf = 0.1, r = 0.00015,
x0 = -2.4 except regions 62, 47, 40 (-1.6) and 69, 72 (-1.8), HeunStochastic dt = 0.05 ms with
nsig = [0, 0, 0, 3e-4, 3e-4, 0], monitors TemporalAverage (1 ms) and EEG (1 ms; tvb-data's
65-sensor surface projection summed per region through regionMapping_16k_76, NaN rows zeroed,
TVB's default observation noise). Both simulators start from the same random initial state
(constant history).

1. Noise-off agreement: the same network with HeunDeterministic over 1 s, TVB vs eimfs with the
   TVB-precision coupling (float32 history, as TVB) and with eimfs's default double precision;
   prints the max relative error |eimfs - tvb| / max(|tvb|, 1) over every TemporalAverage and EEG
   sample.
2. Speed: simulated seconds per wall second (and per CPU second) of TVB and of eimfs (release
   build of crates/sim/examples/tvb_epileptor.rs, one thread), same length, peak RSS of each
   process. The last line is the headline ratio of simulated seconds per wall second:
   `eimfs/tvb: X`.

tvb-library and tvb-data are GPL-3: they are only installed into the bench venv and run; eimfs
reads connectivity_76.zip at run time from the tvb-data install, and the gain matrix this script
writes to a temporary directory.
"""
import os
import sys

# bench/ holds other scripts (none should be named like a standard module) that would shadow standard modules: drop the
# script's own directory from the import path before importing anything else.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get("EIMFS_TVB_VENV", os.path.join(ROOT, "bench", ".venv-tvb"))
PINS = ["tvb-library==2.10.0", "tvb-data==3.0.0"]
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMBA_NUM_THREADS": "1"}

X0_DEMO = (-2.4, {62: -1.6, 47: -1.6, 40: -1.6, 69: -1.8, 72: -1.8})
PARAMS = {"Ks": -0.2, "Kf": 0.1, "r": 0.00015}
NSIG = [0.0, 0.0, 0.0, 0.0003, 0.0003, 0.0]
DT = 0.05
SPEED = 3.0
STATE_RANGE = [(-2.0, 1.0), (-20.0, 2.0), (2.0, 5.0), (-2.0, 0.0), (0.0, 2.0), (-1.0, 1.0)]


def ensure_venv():
    """Re-executes this script inside a venv that has tvb-library and tvb-data."""
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(py):
        print("creating %s with %s ..." % (VENV, " ".join(PINS)), flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + PINS)
    os.execve(py, [py] + sys.argv, dict(os.environ, **ONE_THREAD))


# ---------------------------------------------------------------------------------------------
# TVB side (runs in a child process so that its timing and peak RSS are its own)

def tvb_simulator(n_regions_check, ic, stochastic, obsnoise, monitors_period=1.0):
    import numpy as np
    from tvb.simulator import coupling, integrators, models, monitors, noise, simulator
    from tvb.datatypes import connectivity

    conn = connectivity.Connectivity.from_file("connectivity_76.zip")
    conn.speed = np.array([SPEED])
    n = conn.weights.shape[0]
    assert n == n_regions_check
    model = models.Epileptor(Ks=np.array([PARAMS["Ks"]]), Kf=np.array([PARAMS["Kf"]]),
                             r=np.array([PARAMS["r"]]))
    x0 = np.full(n, X0_DEMO[0])
    for i, v in X0_DEMO[1].items():
        x0[i] = v
    model.x0 = x0
    if stochastic:
        integ = integrators.HeunStochastic(dt=DT, noise=noise.Additive(nsig=np.array(NSIG)))
    else:
        integ = integrators.HeunDeterministic(dt=DT)
    eeg = monitors.EEG.from_file(period=monitors_period)
    if not obsnoise:
        eeg.obsnoise = None
    mons = [monitors.TemporalAverage(period=monitors_period), eeg]
    conn.configure()
    horizon = int(np.rint(conn.tract_lengths / SPEED / DT).max()) + 1
    hist = np.tile(np.asarray(ic).T[np.newaxis, :, :, np.newaxis], (horizon, 1, 1, 1))
    sim = simulator.Simulator(model=model, connectivity=conn, coupling=coupling.Difference(a=np.array([1.0])),
                              integrator=integ, monitors=mons, initial_conditions=hist)
    sim.configure()
    sim.current_step = 0  # count steps from 1 like eimfs (constant history: same buffer)
    return sim, eeg


def tvb_child(args):
    """Child: runs TVB as asked, writes results as JSON (+ binary arrays)."""
    import numpy as np
    job = json.load(open(args.tvb_child))
    ic = np.array(job["initial_state"])
    sim, eeg = tvb_simulator(76, ic, job["stochastic"], job["obsnoise"])
    out = {"gain_shape": list(eeg.gain.shape)}
    if job.get("gain_out"):
        np.ascontiguousarray(eeg.gain, dtype="<f8").tofile(job["gain_out"])
        # The region gain is tvb-data's surface projection summed per region; check it here.
        import tvb_data
        d = os.path.dirname(tvb_data.__file__)
        surf = np.load(os.path.join(d, "projectionMatrix", "projection_eeg_65_surface_16k.npy"))
        rmap = np.loadtxt(os.path.join(d, "regionMapping", "regionMapping_16k_76.txt"), dtype=int)
        own = np.zeros((surf.shape[0], 76))
        np.add.at(own.T, rmap, surf.T)
        own[~np.isfinite(own)] = 0.0
        out["gain_nan_rows"] = [int(i) for i in np.where(~np.isfinite(surf).all(axis=1))[0]]
        out["gain_matches_region_sum"] = bool(np.allclose(own, eeg.gain, rtol=1e-12, atol=0))
    c0 = time.process_time()
    t0 = time.perf_counter()
    (tt, tavg), (te, eegd) = sim.run(simulation_length=job["length_ms"])
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    out.update({
        "wall_s": wall, "cpu_s": cpu, "simulated_s": job["length_ms"] / 1000.0,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "samples": [len(tt), len(te)],
    })
    if job.get("data_out"):
        np.ascontiguousarray(tavg[..., 0], dtype="<f8").tofile(job["data_out"] + ".m0.f64")
        np.ascontiguousarray(eegd[..., 0], dtype="<f8").tofile(job["data_out"] + ".m1.f64")
    json.dump(out, open(job["result"], "w"))


def run_tvb(tmp, name, ic, stochastic, obsnoise, length_ms, gain_out=None, data_out=None):
    job = {"initial_state": ic, "stochastic": stochastic, "obsnoise": obsnoise,
           "length_ms": length_ms, "gain_out": gain_out, "data_out": data_out,
           "result": os.path.join(tmp, name + ".result.json")}
    path = os.path.join(tmp, name + ".job.json")
    json.dump(job, open(path, "w"))
    subprocess.check_call([sys.executable, os.path.abspath(__file__), "--tvb-child", path],
                          env=dict(os.environ, **ONE_THREAD), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return json.load(open(job["result"]))


# ---------------------------------------------------------------------------------------------
# eimfs side

def build_eimfs():
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "-p", "eimfs-sim",
                           "--example", "tvb_epileptor"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "examples", "tvb_epileptor")


def run_eimfs(exe, tmp, name, ic, gain, stochastic, obsnoise, length_ms, precision, output=None):
    import tvb_data
    zip_path = os.path.join(os.path.dirname(tvb_data.__file__), "connectivity", "connectivity_76.zip")
    x0 = [X0_DEMO[1].get(i, X0_DEMO[0]) for i in range(76)]
    cfg = {"connectivity": zip_path, "speed": SPEED, "dt": DT, "length_ms": length_ms,
           "coupling_a": 1.0, "precision": precision, "params": PARAMS, "x0": x0,
           "initial_state": ic, "nsig": NSIG if stochastic else None, "seed": 42,
           "tavg_period": 1.0,
           "eeg": {"gain": gain, "n_sensors": 65, "period": 1.0,
                   "obs_noise_std": DT ** 0.5 if obsnoise else 0.0},
           "output": output}
    path = os.path.join(tmp, name + ".json")
    json.dump(cfg, open(path, "w"))
    out = subprocess.run([exe, path], check=True, capture_output=True, text=True, env=dict(os.environ))
    return json.loads(out.stdout.strip().splitlines()[-1])


def max_rel_error(a, b):
    import numpy as np
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tvb-seconds", type=float, default=10.0,
                    help="simulated seconds for the speed run (TVB's demo runs 10 s)")
    ap.add_argument("--repeats", type=int, default=5, help="eimfs speed runs (median reported)")
    ap.add_argument("--tvb-repeats", type=int, default=1, help="TVB speed runs (median reported)")
    ap.add_argument("--tvb-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tvb_child:
        return tvb_child(args)
    ensure_venv()
    import numpy as np

    exe = build_eimfs()
    rs = np.random.RandomState(42)
    ic = [[float(rs.uniform(lo, hi)) for lo, hi in STATE_RANGE] for _ in range(76)]
    with tempfile.TemporaryDirectory(prefix="eimfs-tvb-") as tmp:
        gain = os.path.join(tmp, "gain_65x76.f64")

        # ---- 1. noise-off agreement over 1 s --------------------------------------------------
        ref = run_tvb(tmp, "det", ic, False, False, 1000.0, gain_out=gain,
                      data_out=os.path.join(tmp, "tvb_det"))
        print("TVB EEG gain: %s, tvb-data rows %s NaN (zeroed); equals the per-region sum of the "
              "surface projection: %s" % (ref["gain_shape"], ref["gain_nan_rows"],
                                          ref["gain_matches_region_sum"]))
        t_tavg = np.fromfile(os.path.join(tmp, "tvb_det.m0.f64"), "<f8")
        t_eeg = np.fromfile(os.path.join(tmp, "tvb_det.m1.f64"), "<f8")
        print("noise-off agreement, 76 regions, 1 s (%d TemporalAverage, %d EEG samples):"
              % tuple(ref["samples"]))
        for precision in ["tvb_single", "double"]:
            prefix = os.path.join(tmp, "eimfs_det_" + precision)
            run_eimfs(exe, tmp, "det_" + precision, ic, gain, False, False, 1000.0, precision, prefix)
            e_tavg = np.fromfile(prefix + ".m0.f64", "<f8")
            e_eeg = np.fromfile(prefix + ".m1.f64", "<f8")
            print("  eimfs %-10s max relative error: TemporalAverage %.2e, EEG %.2e"
                  % (precision, max_rel_error(e_tavg, t_tavg), max_rel_error(e_eeg, t_eeg)))

        # ---- 2. speed: the stochastic demo ------------------------------------------------------
        length = args.tvb_seconds * 1000.0
        tvb_runs = [run_tvb(tmp, "speed%d" % k, ic, True, True, length) for k in range(args.tvb_repeats)]
        eimfs_runs = {p: [run_eimfs(exe, tmp, "speed_%s%d" % (p, k), ic, gain, True, True, length, p)
                          for k in range(args.repeats)] for p in ["double", "tvb_single"]}

    def med(v):
        return float(np.median(v))

    tvb_wall = med([r["simulated_s"] / r["wall_s"] for r in tvb_runs])
    tvb_cpu = med([r["simulated_s"] / r["cpu_s"] for r in tvb_runs])
    print("speed, %.0f simulated s, HeunStochastic dt %.2f ms, TemporalAverage + EEG (1 ms):"
          % (args.tvb_seconds, DT))
    print("  %-24s %10s %10s %12s" % ("", "sim s/wall s", "sim s/CPU s", "peak RSS MB"))
    print("  %-24s %10.3f %10.3f %12.1f" % ("TVB 2.10 (median of %d)" % len(tvb_runs), tvb_wall,
                                            tvb_cpu, max(r["peak_rss_kb"] for r in tvb_runs) / 1024))
    ratios = {}
    for p, runs in eimfs_runs.items():
        w = med([r["sim_s_per_wall_s"] for r in runs])
        c = med([r["sim_s_per_cpu_s"] for r in runs])
        ratios[p] = (w / tvb_wall, c / tvb_cpu)
        print("  %-24s %10.3f %10.3f %12.1f" % ("eimfs %s (median of %d)" % (p, len(runs)), w, c,
                                                max(r["peak_rss_kb"] for r in runs) / 1024))
    print("  eimfs: %d regions, %d connections, max delay %d steps, AVX2 build: %s"
          % (runs[0]["regions"], runs[0]["connections"], runs[0]["horizon"] - 1, runs[0]["avx2"]))
    for p, (w, c) in ratios.items():
        print("  eimfs %s / TVB: %.1fx per wall second, %.1fx per CPU second" % (p, w, c))
    print("eimfs/tvb: %.1f" % ratios["double"][0])


if __name__ == "__main__":
    sys.exit(main())
