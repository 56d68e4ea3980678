//! The Epileptor network against The Virtual Brain (tvb-library 2.10).
//!
//! The reference traces were produced by TVB itself from networks of our own making
//! (`ci/fixtures/tvb_epileptor_reference.py`; see that script for the exact configuration) and
//! are checked in under `tests/data/tvb_epileptor_{a,b}.{json,f64}`. Here eimfs runs the same
//! networks (read from the same TVB zip files), model parameters, initial state, coupling,
//! integrator, dt and monitors, and every stored sample of every monitor must agree.
//!
//! Error measure: `|eimfs − tvb| / max(|tvb|, 1)` for every value, i.e. relative for values of
//! magnitude ≥ 1 and absolute below (the Epileptor's variables are of order 1–20; a pure
//! relative test is meaningless where a trace crosses zero). The issue asks for 1e-6.
//!
//! TVB keeps its delay history and weights in float32 and sums the coupling in float32. With
//! [`CouplingPrecision::TvbSingle`] eimfs reproduces that and agrees to 1e-12 (in practice
//! bit for bit on the states; the EEG differs by summation order, ~1e-15). With the default
//! double precision the difference is TVB's float32 rounding as amplified by the dynamics
//! (measured ≤ 2.3e-5 here), bounded at 1e-4.

use eimfs_sim::connectivity::Connectivity;
use eimfs_sim::epileptor::{Epileptor, EpileptorObservable as O, EpileptorParams};
use eimfs_sim::network::{CouplingFunction, CouplingPrecision, Difference, Integrator, Linear, Monitor, Noise, Reference, Simulation};
use serde_json::Value;
use std::path::PathBuf;

const TOL: f64 = 1e-12;
/// With eimfs' default double-precision coupling the runs differ from TVB's float32 coupling by
/// TVB's own rounding (~6e-8 relative per stored value), which the dynamics amplify.
const TOL_DOUBLE: f64 = 1e-4;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

struct TvbRun {
    meta: Value,
    blob: Vec<f64>,
}

impl TvbRun {
    fn load(run: &str) -> TvbRun {
        let dir = data_dir();
        let meta: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("tvb_epileptor_{run}.json"))).unwrap()).unwrap();
        let bytes = std::fs::read(dir.join(format!("tvb_epileptor_{run}.f64"))).unwrap();
        let blob = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
        TvbRun { meta, blob }
    }
    /// (shape, values) of a stored array.
    fn array(&self, key: &str) -> (Vec<usize>, &[f64]) {
        let a = &self.meta["arrays"][key];
        let shape: Vec<usize> = a["shape"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let off = a["offset"].as_u64().unwrap() as usize;
        let len: usize = shape.iter().product();
        (shape, &self.blob[off..off + len])
    }
    fn f(&self, path: &[&str]) -> f64 {
        let mut v = &self.meta;
        for p in path {
            v = &v[*p];
        }
        v.as_f64().unwrap_or_else(|| panic!("{path:?} is not a number"))
    }
}

fn model_from(reference: &TvbRun, n: usize) -> Epileptor {
    let p = |k: &str| reference.f(&["params", k]);
    let params = EpileptorParams {
        a: p("a"),
        b: p("b"),
        c: p("c"),
        d: p("d"),
        r: p("r"),
        x0: 0.0,
        iext: p("Iext"),
        slope: p("slope"),
        iext2: p("Iext2"),
        tau: p("tau"),
        aa: p("aa"),
        bb: p("bb"),
        kvf: p("Kvf"),
        kf: p("Kf"),
        ks: p("Ks"),
        tt: p("tt"),
        modification: reference.meta["modification"].as_bool().unwrap(),
    };
    let vois: Vec<&str> = reference.meta["variables_of_interest"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(vois, ["x1", "y1", "z", "x2", "y2", "g", "x2 - x1"]);
    Epileptor::uniform(n, params).with_x0(reference.array("x0").1).unwrap().with_observables(vec![
        O::X1,
        O::Y1,
        O::Z,
        O::X2,
        O::Y2,
        O::G,
        O::X2MinusX1,
    ])
}

fn monitors_from(reference: &TvbRun, n: usize) -> Vec<Monitor> {
    reference.meta["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let period = m["period"].as_f64().unwrap();
            let voi: Vec<usize> = m["voi"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            match m["kind"].as_str().unwrap() {
                "Raw" => Monitor::Raw,
                "SubSample" => Monitor::sub_sample(period).with_voi(voi),
                "TemporalAverage" => Monitor::temporal_average(period).with_voi(voi),
                "EEG" => {
                    let (shape, gain) = reference.array(m["gain"].as_str().unwrap());
                    assert_eq!(shape[1], n);
                    assert!(gain.iter().any(|g| g.is_nan()), "the reference gain keeps its NaN");
                    let r = match m["reference"].as_str() {
                        Some("average") => Reference::Average,
                        None => Reference::None,
                        Some(other) => panic!("reference {other}"),
                    };
                    Monitor::projection(gain.to_vec(), shape[0], period).with_voi(voi).with_reference(r)
                }
                k => panic!("monitor kind {k}"),
            }
        })
        .collect()
}

/// Runs eimfs on the reference's configuration; returns per monitor (times, data) truncated to
/// the stored number of samples, and the worst error.
fn run_and_compare<C: CouplingFunction>(run: &str, coupling: C, precision: CouplingPrecision) -> f64 {
    let reference = TvbRun::load(run);
    let conn = Connectivity::from_tvb_zip(data_dir().join(reference.meta["connectivity"].as_str().unwrap())).unwrap();
    let n = conn.n_regions();
    let model = model_from(&reference, n);
    let (shape, ic) = reference.array("initial_state");
    assert_eq!(shape, [n, 6]);
    let initial: Vec<[f64; 6]> = ic.chunks(6).map(|c| c.try_into().unwrap()).collect();
    let monitors = monitors_from(&reference, n);
    let n_mon = monitors.len();
    let mut b = Simulation::builder(model, coupling, &conn)
        .speed(reference.f(&["speed"]))
        .dt(reference.f(&["dt"]))
        .integrator(Integrator::Heun)
        .precision(precision)
        .initial_state(initial);
    if reference.meta["integrator"] == "HeunStochastic" {
        b = b.noise(Noise::per_variable(vec![0.0; 6])); // nsig = 0, as the reference
    }
    for m in monitors {
        b = b.monitor(m);
    }
    let mut sim = b.build().unwrap();
    assert_eq!(sim.horizon() as u64, reference.meta["horizon"].as_u64().unwrap(), "history length (max delay + 1)");

    let keep: Vec<usize> = (0..n_mon).map(|k| reference.array(&format!("m{k}_times")).0[0]).collect();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); n_mon];
    let mut data: Vec<Vec<f64>> = vec![Vec::new(); n_mon];
    let mut sink = |m: usize, t: f64, d: &[f64]| {
        if times[m].len() < keep[m] {
            times[m].push(t);
            data[m].extend_from_slice(d);
        }
    };
    let n_steps = reference.meta["n_steps"].as_u64().unwrap();
    sim.run_for(reference.f(&["length_ms"]), &mut sink);
    assert_eq!(sim.step(), n_steps);

    let tol = match precision {
        CouplingPrecision::TvbSingle => TOL,
        CouplingPrecision::Double => TOL_DOUBLE,
    };
    let mut worst = 0.0f64;
    for k in 0..n_mon {
        let kind = reference.meta["monitors"][k]["kind"].as_str().unwrap();
        let (_, t_ref) = reference.array(&format!("m{k}_times"));
        let (shape, d_ref) = reference.array(&format!("m{k}_data"));
        assert_eq!(times[k].len(), t_ref.len(), "{run} monitor {k} ({kind}): number of samples");
        for (i, (a, b)) in times[k].iter().zip(t_ref).enumerate() {
            assert!((a - b).abs() < 1e-9, "{run} monitor {k} ({kind}) sample {i}: time {a} vs TVB {b}");
        }
        assert_eq!(data[k].len(), d_ref.len(), "{run} monitor {k} ({kind}): values (TVB shape {shape:?})");
        let mut worst_k = 0.0f64;
        for (i, (a, b)) in data[k].iter().zip(d_ref).enumerate() {
            let e = (a - b).abs() / b.abs().max(1.0);
            assert!(
                e <= tol,
                "{run} monitor {k} ({kind}) sample {} value {}: eimfs {a} vs TVB {b} (error {e:e})",
                i / (shape[1] * shape[2]),
                i % (shape[1] * shape[2])
            );
            worst_k = worst_k.max(e);
        }
        eprintln!("{run} {precision:?} monitor {k} ({kind}, {} samples): worst error {worst_k:e}", t_ref.len());
        worst = worst.max(worst_k);
    }
    worst
}

#[test]
fn run_a_difference_coupling_heun_deterministic_matches_tvb() {
    let reference = TvbRun::load("a");
    assert_eq!(reference.meta["coupling"]["kind"], "Difference");
    let c = Difference { a: reference.f(&["coupling", "a"]) };
    let worst = run_and_compare("a", c, CouplingPrecision::TvbSingle);
    assert!(worst <= TOL);
    let worst_double = run_and_compare("a", c, CouplingPrecision::Double);
    assert!(worst_double <= TOL_DOUBLE);
}

#[test]
fn run_b_linear_coupling_modified_epileptor_matches_tvb() {
    let reference = TvbRun::load("b");
    assert_eq!(reference.meta["coupling"]["kind"], "Linear");
    assert!(reference.meta["modification"].as_bool().unwrap());
    let c = Linear { a: reference.f(&["coupling", "a"]), b: reference.f(&["coupling", "b"]) };
    let worst = run_and_compare("b", c, CouplingPrecision::TvbSingle);
    assert!(worst <= TOL);
    let worst_double = run_and_compare("b", c, CouplingPrecision::Double);
    assert!(worst_double <= TOL_DOUBLE);
}

#[test]
fn reference_networks_are_read_from_tvb_zips() {
    let c = Connectivity::from_tvb_zip(data_dir().join("tvb_net8.zip")).unwrap();
    assert_eq!(c.n_regions(), 8);
    assert_eq!(c.labels()[0], "l_reg0");
    assert_eq!(c.labels()[7], "r_reg7");
    assert_eq!(c.cortical().unwrap(), [true, true, true, true, true, true, true, false]);
    assert_eq!(c.hemispheres().unwrap(), [false, true, false, true, false, true, false, true]);
    assert_eq!(c.tract_length(2, 2), 17.3);
    assert_eq!(c.weight(2, 2), 0.4);
    for o in c.orientations().unwrap() {
        assert!(((o[0] * o[0] + o[1] * o[1] + o[2] * o[2]).sqrt() - 1.0).abs() < 1e-12);
    }
    assert!(c.areas().unwrap().iter().all(|a| (100.0..900.0).contains(a)));
    // tract lengths symmetric apart from the diagonal
    for i in 0..8 {
        for j in 0..8 {
            assert_eq!(c.tract_length(i, j), c.tract_length(j, i));
        }
    }
}
