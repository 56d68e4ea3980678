//! Unit tests of the engine with small linear models whose trajectories are known exactly.

use super::*;
use crate::epileptor::{Epileptor, EpileptorParams};

/// ẋ = s + λ x + k c, coupling source x, observables (x, 2x).
#[derive(Clone)]
struct Lin {
    s: Vec<f64>,
    lambda: Vec<f64>,
    k: Vec<f64>,
    bounds: Vec<StateBound>,
}

impl Lin {
    fn new(n: usize) -> Self {
        Lin { s: vec![0.0; n], lambda: vec![0.0; n], k: vec![0.0; n], bounds: Vec::new() }
    }
}

impl NodeModel for Lin {
    type State = [f64; 1];
    type Coupling = [f64; 1];
    const STATE_NAMES: &'static [&'static str] = &["x"];
    fn n_nodes(&self) -> usize {
        self.s.len()
    }
    fn coupling_source(&self, _node: usize, x: &[f64; 1]) -> [f64; 1] {
        *x
    }
    fn dfun(&self, i: usize, x: &[f64; 1], c: &[f64; 1]) -> [f64; 1] {
        [self.s[i] + self.lambda[i] * x[0] + self.k[i] * c[0]]
    }
    fn bounds(&self) -> Vec<StateBound> {
        self.bounds.clone()
    }
    fn n_observables(&self) -> usize {
        2
    }
    fn observable_names(&self) -> Vec<String> {
        vec!["x".into(), "2x".into()]
    }
    fn observe(&self, _i: usize, x: &[f64; 1], out: &mut [f64]) {
        out[0] = x[0];
        out[1] = 2.0 * x[0];
    }
}

/// n regions, weights and tract lengths given as row-major matrices.
fn conn(n: usize, weights: Vec<f64>, tracts: Vec<f64>) -> Connectivity {
    Connectivity::new((0..n).map(|i| format!("n{i}")).collect(), weights, tracts, vec![[0.0; 3]; n]).unwrap()
}

fn unconnected(n: usize) -> Connectivity {
    conn(n, vec![0.0; n * n], vec![0.0; n * n])
}

#[test]
fn delayed_linear_coupling_reads_the_right_past_step() {
    // node 1 ramps (ẋ = 1); node 0 integrates node 1 delayed by 3 steps (weight from 1 to 0).
    let c = conn(2, vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 1.5, 1.5, 0.0]);
    let mut m = Lin::new(2);
    m.s[1] = 1.0;
    m.k[0] = 1.0;
    let dt = 0.5;
    let mut sim = Simulation::builder(m, Linear { a: 1.0, b: 0.0 }, &c)
        .speed(1.0) // 1.5 mm at 1 mm/ms = 1.5 ms = 3 steps
        .dt(dt)
        .integrator(Integrator::Euler)
        .initial_state_all([0.0])
        .build()
        .unwrap();
    assert_eq!(sim.horizon(), 4);
    assert_eq!(sim.n_connections(), 1);
    let mut x0 = 0.0;
    for n in 1..=20u64 {
        sim.run(1, &mut NullSink);
        // c0(n) = x1(n − 1 − 3), x1(m) = 0.5 m for m ≥ 0 and 0 before
        let m = n as f64 - 4.0;
        let c0 = if m > 0.0 { 0.5 * m } else { 0.0 };
        assert_eq!(sim.last_coupling()[0][0], c0, "coupling at step {n}");
        x0 += dt * c0;
        assert_eq!(sim.state()[0][0], x0, "x0 at step {n}");
        assert_eq!(sim.state()[1][0], 0.5 * n as f64, "x1 at step {n}");
    }
    assert_eq!(sim.step(), 20);
    assert_eq!(sim.time(), 10.0);
}

#[test]
fn delays_are_rounded_half_to_even_like_numpy_rint() {
    // 2.5 steps → 2, 3.5 steps → 4, 0.4 → 0
    for (tract, expected_horizon) in [(1.25, 3), (1.75, 5), (0.2, 1)] {
        let c = conn(2, vec![0.0, 1.0, 0.0, 0.0], vec![0.0, tract, tract, 0.0]);
        let sim = Simulation::builder(Lin::new(2), Linear::default(), &c).speed(1.0).dt(0.5).initial_state_all([0.0]).build().unwrap();
        assert_eq!(sim.horizon(), expected_horizon, "tract {tract}");
    }
}

#[test]
fn difference_coupling_uses_the_receivers_current_value() {
    let c = conn(2, vec![0.0, 2.0, 0.0, 0.0], vec![0.0, 1.0, 1.0, 0.0]); // 2 steps at dt 0.5
    let mut m = Lin::new(2);
    m.s[1] = 1.0;
    m.s[0] = -1.0; // node 0 decreases: x0(n) = 10 − 0.5 n
    let mut sim = Simulation::builder(m, Difference { a: 0.25 }, &c)
        .speed(1.0)
        .dt(0.5)
        .integrator(Integrator::Euler)
        .initial_state(vec![[10.0], [0.0]])
        .build()
        .unwrap();
    for n in 1..=10u64 {
        sim.run(1, &mut NullSink);
        let x1_delayed = (0.5 * (n as f64 - 3.0)).max(0.0);
        let x0_current = 10.0 - 0.5 * (n as f64 - 1.0);
        assert_eq!(sim.last_coupling()[0][0], 0.25 * 2.0 * (x1_delayed - x0_current), "step {n}");
        assert_eq!(sim.last_coupling()[1][0], 0.0, "a row without afferents gets post(0)");
    }
}

#[test]
fn history_function_sets_the_past() {
    let c = conn(2, vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 1.5, 1.5, 0.0]); // 3 steps
    let sim_hist = |f: fn(usize, usize) -> [f64; 1]| {
        let mut sim = Simulation::builder(Lin::new(2), Linear { a: 1.0, b: 0.0 }, &c)
            .speed(1.0)
            .dt(0.5)
            .initial_state_all([0.0])
            .history(f)
            .build()
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            sim.run(1, &mut NullSink);
            seen.push(sim.last_coupling()[0][0]);
        }
        seen
    };
    // node 1 was at −k·100 at step −k: step n reads x1(n − 4) = −(4 − n)·100, then x1(0) = 0
    assert_eq!(sim_hist(|k, node| [if node == 1 { -(k as f64) * 100.0 } else { 0.0 }]), [-300.0, -200.0, -100.0, 0.0]);
}

#[test]
fn heun_is_second_order_exact_on_a_linear_ode() {
    let c = unconnected(1);
    let mut m = Lin::new(1);
    m.lambda[0] = -1.0;
    let mut sim = Simulation::builder(m, Linear::default(), &c).dt(0.5).initial_state_all([1.0]).build().unwrap();
    // x(n) = (1 + λdt + (λdt)²/2)^n = 0.625^n, exact in binary for n ≤ 22
    let mut expected = 1.0;
    for n in 1..=20 {
        sim.run(1, &mut NullSink);
        expected *= 0.625;
        assert_eq!(sim.state()[0][0], expected, "step {n}");
    }
    // Euler: (1 + λdt)^n = 0.5^n
    let mut m = Lin::new(1);
    m.lambda[0] = -1.0;
    let mut sim =
        Simulation::builder(m, Linear::default(), &c).dt(0.5).integrator(Integrator::Euler).initial_state_all([1.0]).build().unwrap();
    sim.run(10, &mut NullSink);
    assert_eq!(sim.state()[0][0], 0.5f64.powi(10));
}

#[test]
fn heun_noise_has_tvb_amplitude_and_the_same_increment_in_both_stages() {
    let n = 20_000;
    let c = unconnected(n);
    let dt = 0.05;
    let nsig = 0.3;
    // dfun = 0: one step adds exactly the noise increment √(2·nsig·dt)·N(0,1)
    let mut a = Simulation::builder(Lin::new(n), Linear::default(), &c)
        .dt(dt)
        .noise(Noise::per_variable(vec![nsig]))
        .seed(11)
        .initial_state_all([0.0])
        .build()
        .unwrap();
    assert!(a.is_stochastic());
    a.run(1, &mut NullSink);
    let eta: Vec<f64> = a.state().iter().map(|s| s[0]).collect();
    let var = eta.iter().map(|v| v * v).sum::<f64>() / n as f64;
    let expected = 2.0 * nsig * dt;
    assert!((var - expected).abs() < 5.0 * expected * (2.0 / n as f64).sqrt(), "variance {var}, expected {expected}");
    // ẋ = λx with the same seed draws the same η: Heun gives
    // x1 = x0 (1 + λdt + λ²dt²/2) + η (1 + λdt/2) only if predictor and corrector share η.
    let mut m = Lin::new(n);
    m.lambda = vec![-2.0; n];
    let mut b = Simulation::builder(m, Linear::default(), &c)
        .dt(dt)
        .noise(Noise::per_variable(vec![nsig]))
        .seed(11)
        .initial_state_all([1.0])
        .build()
        .unwrap();
    b.run(1, &mut NullSink);
    let l = -2.0 * dt;
    for i in 0..n {
        let expected = (1.0 + l + l * l / 2.0) + eta[i] * (1.0 + l / 2.0);
        assert!((b.state()[i][0] - expected).abs() < 1e-14, "node {i}: {} vs {expected}", b.state()[i][0]);
    }
    // zero nsig is deterministic, and per-node nsig puts noise only where asked
    let mut d = Simulation::builder(Lin::new(3), Linear::default(), &unconnected(3))
        .noise(Noise::PerNode(vec![0.0, 0.5, 0.0]))
        .initial_state_all([0.0])
        .build()
        .unwrap();
    d.run(5, &mut NullSink);
    assert_eq!(d.state()[0][0], 0.0);
    assert_ne!(d.state()[1][0], 0.0);
    assert_eq!(d.state()[2][0], 0.0);
    let z = Simulation::builder(Lin::new(3), Linear::default(), &unconnected(3))
        .noise(Noise::per_variable(vec![0.0]))
        .initial_state_all([0.0])
        .build()
        .unwrap();
    assert!(!z.is_stochastic());
}

#[test]
fn seeds_reproduce_and_differ_and_chunking_does_not_matter() {
    let c = conn(3, vec![0.0, 0.5, 0.2, 0.3, 0.0, 0.1, 0.4, 0.6, 0.0], vec![0.0, 12.0, 30.0, 12.0, 0.0, 7.0, 30.0, 7.0, 0.0]);
    let build = |seed: u64| {
        Simulation::builder(Epileptor::new(3), Difference { a: 1.0 }, &c)
            .dt(0.05)
            .noise(Noise::per_variable(vec![0.0, 0.0, 0.0, 0.0003, 0.0003, 0.0]))
            .seed(seed)
            .initial_state_all([-1.4, -9.6, 3.0, -0.96, 0.0, -0.1])
            .build()
            .unwrap()
    };
    let mut a = build(5);
    let mut b = build(5);
    let mut d = build(6);
    a.run(3000, &mut NullSink);
    for _ in 0..30 {
        b.run(100, &mut NullSink);
    }
    d.run(3000, &mut NullSink);
    assert_eq!(a.state(), b.state(), "same seed, chunked run");
    assert_ne!(a.state(), d.state(), "different seed");
    // an observation-noise monitor does not change the dynamics
    let mut e = Simulation::builder(Epileptor::new(3), Difference { a: 1.0 }, &c)
        .dt(0.05)
        .noise(Noise::per_variable(vec![0.0, 0.0, 0.0, 0.0003, 0.0003, 0.0]))
        .seed(5)
        .initial_state_all([-1.4, -9.6, 3.0, -0.96, 0.0, -0.1])
        .monitor(Monitor::projection(vec![1.0; 6], 2, 1.0).with_obs_noise(0.2))
        .build()
        .unwrap();
    let mut rec = Recorder::new();
    e.run(3000, &mut rec);
    assert_eq!(a.state(), e.state());
    assert_eq!(rec.n_samples(0), 150);
}

#[test]
fn monitors_follow_tvb_timing_and_averaging() {
    // node i: ẋ = s_i, x_i(n) = s_i·dt·n with dt = 0.5
    let n = 3;
    let c = unconnected(n);
    let mut m = Lin::new(n);
    m.s = vec![1.0, 2.0, -4.0];
    let gain = vec![1.0, 0.5, f64::NAN, 0.0, 2.0, 1.0];
    let mut sim = Simulation::builder(m, Linear::default(), &c)
        .dt(0.5)
        .integrator(Integrator::Euler)
        .initial_state_all([0.0])
        .monitor(Monitor::Raw)
        .monitor(Monitor::sub_sample(2.0).with_voi(vec![1]))
        .monitor(Monitor::temporal_average(2.0))
        .monitor(Monitor::projection(gain.clone(), 2, 1.9).with_voi(vec![0]))
        .monitor(Monitor::projection(gain, 2, 1.0).with_reference(Reference::Average))
        .monitor(Monitor::temporal_average(1.9))
        .build()
        .unwrap();
    let info: Vec<_> = (0..sim.n_monitors()).map(|k| sim.monitor_info(k).unwrap().clone()).collect();
    assert_eq!(info.iter().map(|i| i.period_steps).collect::<Vec<_>>(), [1, 4, 4, 3, 2, 4], "round vs trunc");
    assert_eq!(info[1].voi, [1]);
    assert_eq!(info[3].n_columns, 2);
    assert_eq!(info[4].sample_len(), 4);
    let mut rec = Recorder::new();
    sim.run(12, &mut rec);
    let s = [1.0, 2.0, -4.0];
    let x = |i: usize, step: f64| s[i] * 0.5 * step;
    // Raw: every step, rows x then 2x
    assert_eq!(rec.n_samples(0), 12);
    assert_eq!(rec.times[0][4], 2.5);
    assert_eq!(&rec.data[0][4 * 6..5 * 6], &[x(0, 5.0), x(1, 5.0), x(2, 5.0), 2.0 * x(0, 5.0), 2.0 * x(1, 5.0), 2.0 * x(2, 5.0)]);
    // SubSample: steps 4, 8, 12, observable 2x
    assert_eq!(rec.times[1], [2.0, 4.0, 6.0]);
    assert_eq!(&rec.data[1][3..6], &[2.0 * x(0, 8.0), 2.0 * x(1, 8.0), 2.0 * x(2, 8.0)]);
    // TemporalAverage: mean of steps 5..8 = s·dt·6.5, time (8 − 2)·dt
    assert_eq!(rec.times[2], [1.0, 3.0, 5.0]);
    assert_eq!(rec.data[2][6..9], [x(0, 6.5), x(1, 6.5), x(2, 6.5)]);
    assert_eq!(rec.data[2][9..12], [2.0 * x(0, 6.5), 2.0 * x(1, 6.5), 2.0 * x(2, 6.5)]);
    // Projection (period 3 steps): steps 4..6 mean = s·dt·5; NaN gain → 0
    assert_eq!(rec.times[3], [0.75, 2.25, 3.75, 5.25]);
    let m5 = [x(0, 5.0), x(1, 5.0), x(2, 5.0)];
    let eeg = [1.0 * m5[0] + 0.5 * m5[1], 2.0 * m5[1] + 1.0 * m5[2]];
    assert_eq!(&rec.data[3][2..4], &eeg);
    // Projection with average reference, both observables, period 2: steps 3..4 → mean s·dt·3.5
    let m35 = [x(0, 3.5), x(1, 3.5), x(2, 3.5)];
    let raw = [1.0 * m35[0] + 0.5 * m35[1], 2.0 * m35[1] + 1.0 * m35[2]];
    let mean = (raw[0] + raw[1]) / 2.0;
    assert_eq!(&rec.data[4][4..6], &[raw[0] - mean, raw[1] - mean]);
    assert_eq!(&rec.data[4][6..8], &[2.0 * raw[0] - 2.0 * mean, 2.0 * raw[1] - 2.0 * mean]);
    // sensor reference subtracts that sensor
    let mut m = Lin::new(n);
    m.s = vec![1.0, 2.0, -4.0];
    let mut sim = Simulation::builder(m, Linear::default(), &c)
        .dt(0.5)
        .integrator(Integrator::Euler)
        .initial_state_all([0.0])
        .monitor(Monitor::projection(vec![1.0, 0.5, 0.0, 0.0, 2.0, 1.0], 2, 1.0).with_voi(vec![0]).with_reference(Reference::Sensor(1)))
        .build()
        .unwrap();
    let mut rec = Recorder::new();
    sim.run(4, &mut rec);
    assert_eq!(rec.data[0][2..4], [raw[0] - raw[1], 0.0]);
}

#[test]
fn bounds_clamp_after_each_stage() {
    let mut m = Lin::new(1);
    m.s[0] = 1.0;
    m.bounds = vec![StateBound { var: 0, lo: f64::NEG_INFINITY, hi: 0.7 }];
    let mut sim = Simulation::builder(m, Linear::default(), &unconnected(1)).dt(0.5).initial_state_all([0.0]).build().unwrap();
    sim.run(1, &mut NullSink);
    assert_eq!(sim.state()[0][0], 0.5);
    sim.run(1, &mut NullSink);
    assert_eq!(sim.state()[0][0], 0.7);
    sim.run(5, &mut NullSink);
    assert_eq!(sim.state()[0][0], 0.7);
}

#[test]
fn single_precision_mode_stays_close_to_double() {
    let c = conn(3, vec![0.0, 0.5, 0.2, 0.3, 0.0, 0.1, 0.4, 0.6, 0.0], vec![0.0, 12.0, 30.0, 12.0, 0.0, 7.0, 30.0, 7.0, 0.0]);
    let run = |p: CouplingPrecision| {
        let m = Epileptor::uniform(3, EpileptorParams { ks: -0.2, kf: 0.1, kvf: 0.05, ..Default::default() });
        let mut s = Simulation::builder(m, Difference { a: 1.0 }, &c)
            .precision(p)
            .initial_state(vec![[-1.4, -9.6, 3.0, -0.96, 0.0, -0.1], [0.3, -2.0, 3.5, -0.5, 0.4, 0.0], [-1.0, -4.0, 2.5, -1.2, 0.1, 0.2]])
            .build()
            .unwrap();
        s.run(2000, &mut NullSink);
        s.state().to_vec()
    };
    let (a, b) = (run(CouplingPrecision::Double), run(CouplingPrecision::TvbSingle));
    assert_ne!(a, b);
    for (sa, sb) in a.iter().zip(&b) {
        for (x, y) in sa.iter().zip(sb) {
            assert!((x - y).abs() < 1e-4 * x.abs().max(1.0), "{x} vs {y}");
        }
    }
}

#[test]
fn numpy_pairwise_sum_order() {
    // below 8 terms: sequential from −0
    assert_eq!(numpy_pairwise_sum_f32(&[1.0, 2.0, 3.0]), 6.0);
    assert_eq!(numpy_pairwise_sum_f32(&[]).to_bits(), (-0.0f32).to_bits());
    // 8 interleaved accumulators: 2^24 + 1 + 1 ... differs from sequential summation
    let mut a = vec![1.0f32; 16];
    a[0] = 16_777_216.0; // 2^24: adding 1 in float32 rounds back (ties to even)
    let seq = a.iter().fold(0.0f32, |s, x| s + x);
    assert_eq!(seq, 16_777_216.0);
    // r0 = 2^24 + 1 → 2^24; r1..r7 = 2 each → (2^24 + 2) + 4 + 4 + ... = 2^24 + 14
    assert_eq!(numpy_pairwise_sum_f32(&a), 16_777_230.0);
    assert_eq!(numpy_reduceat_sum_f32(&[]), 0.0);
    assert_eq!(numpy_reduceat_sum_f32(&[3.5]), 3.5);
}

#[test]
fn invalid_parameters_are_named() {
    let c = unconnected(2);
    let err = |r: Result<Simulation<Lin, Linear>>| match r {
        Err(Error::InvalidParameter { field, message }) => format!("{field}: {message}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted"),
    };
    let b = || Simulation::builder(Lin::new(2), Linear::default(), &c).initial_state_all([0.0]);
    assert!(err(Simulation::builder(Lin::new(3), Linear::default(), &c).initial_state_all([0.0]).build()).starts_with("model:"));
    assert!(err(b().dt(0.0).build()).starts_with("dt:"));
    assert!(err(b().speed(-1.0).build()).starts_with("speed:"));
    assert!(err(Simulation::builder(Lin::new(2), Linear::default(), &c).build()).starts_with("initial_state:"));
    assert!(err(b().initial_state(vec![[0.0]]).build()).starts_with("initial_state:"));
    assert!(err(b().initial_state(vec![[0.0], [f64::NAN]]).build()).starts_with("initial_state[1][0]:"));
    assert!(err(b().noise(Noise::per_variable(vec![0.1, 0.1])).build()).starts_with("noise:"));
    assert!(err(b().noise(Noise::PerNode(vec![0.1, -0.1])).build()).starts_with("noise[1]:"));
    assert!(err(b().monitor(Monitor::Raw).monitor(Monitor::temporal_average(0.01)).build()).starts_with("monitors[1].period:"));
    assert!(err(b().monitor(Monitor::sub_sample(1.0).with_voi(vec![2])).build()).starts_with("monitors[0].voi[0]:"));
    assert!(err(b().monitor(Monitor::projection(vec![1.0; 3], 2, 1.0)).build()).starts_with("monitors[0].gain:"));
    assert!(
        err(b().monitor(Monitor::projection(vec![1.0; 4], 2, 1.0).with_reference(Reference::Sensor(2))).build())
            .starts_with("monitors[0].reference:")
    );
    let msg = err(b().monitor(Monitor::temporal_average(0.01)).build());
    assert!(msg.contains("shorter than one integration step"), "{msg}");
}

/// The Epileptor without its vectorised path (node by node through `dfun`).
struct ScalarEpileptor(Epileptor);

impl NodeModel for ScalarEpileptor {
    type State = [f64; 6];
    type Coupling = [f64; 2];
    const STATE_NAMES: &'static [&'static str] = Epileptor::STATE_NAMES;
    fn n_nodes(&self) -> usize {
        self.0.n_nodes()
    }
    fn coupling_source(&self, node: usize, x: &[f64; 6]) -> [f64; 2] {
        self.0.coupling_source(node, x)
    }
    fn dfun(&self, node: usize, x: &[f64; 6], c: &[f64; 2]) -> [f64; 6] {
        self.0.dfun(node, x, c)
    }
    fn n_observables(&self) -> usize {
        self.0.n_observables()
    }
    fn observable_names(&self) -> Vec<String> {
        self.0.observable_names()
    }
    fn observe(&self, node: usize, x: &[f64; 6], out: &mut [f64]) {
        self.0.observe(node, x, out)
    }
}

#[test]
fn vectorised_and_node_by_node_paths_agree_bit_for_bit() {
    let n = 7; // one block of LANES = 4 and three nodes node by node
    let mut w = vec![0.0; n * n];
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j && (i + 2 * j) % 3 != 0 {
                w[i * n + j] = 0.1 + 0.05 * ((i * 7 + j) % 5) as f64;
                t[i * n + j] = 5.0 + ((i + j) * 13 % 40) as f64;
            }
        }
    }
    let c = conn(n, w, t);
    let mut m = Epileptor::uniform(n, EpileptorParams { ks: -0.2, kf: 0.1, kvf: 0.05, r: 0.002, ..Default::default() });
    {
        let mut p = m.params_mut();
        for (i, q) in p.iter_mut().enumerate() {
            q.x0 = -2.3 + 0.12 * i as f64;
        }
        p[2].modification = true; // a mixed block
        p[2].x0 = 3.0;
        p[5].modification = true;
        p[5].x0 = 3.2;
    }
    let init: Vec<[f64; 6]> = (0..n).map(|i| [-1.5 + 0.3 * i as f64, -9.0 + i as f64, 3.0 + 0.1 * i as f64, -0.9, 0.1, -0.1]).collect();
    let nsig = Noise::per_variable(vec![0.0, 0.0, 0.0, 0.0003, 0.0003, 0.0]);
    let mut a = Simulation::builder(m.clone(), Difference { a: 1.0 }, &c)
        .noise(nsig.clone())
        .seed(3)
        .initial_state(init.clone())
        .monitor(Monitor::temporal_average(1.0))
        .build()
        .unwrap();
    let mut p = Simulation::builder(m.clone(), Difference { a: 1.0 }, &c)
        .noise(nsig.clone())
        .seed(3)
        .initial_state(init.clone())
        .allow_avx2(false)
        .build()
        .unwrap();
    let mut b = Simulation::builder(ScalarEpileptor(m), Difference { a: 1.0 }, &c)
        .allow_avx2(false)
        .noise(nsig)
        .seed(3)
        .initial_state(init)
        .monitor(Monitor::temporal_average(1.0))
        .build()
        .unwrap();
    let (mut ra, mut rb) = (Recorder::new(), Recorder::new());
    a.run(6000, &mut ra);
    b.run(6000, &mut rb);
    p.run(6000, &mut NullSink);
    assert!(!b.uses_avx2() && !p.uses_avx2());
    assert_eq!(a.state(), b.state(), "vectorised (AVX2 if available) vs node by node (portable)");
    assert_eq!(a.state(), p.state(), "vectorised: AVX2 vs portable build");
    assert_eq!(ra.data, rb.data);
    assert!(a.state().iter().all(|s| s.iter().all(|v| v.is_finite())));
}
