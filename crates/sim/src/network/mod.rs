//! The network engine: a stochastic delay-differential network integrator with The Virtual
//! Brain's semantics, generic over a [`NodeModel`] and a [`CouplingFunction`].
//!
//! # What one step does (TVB `Simulator.__call__`)
//! For step `n` (state `x(n−1)` → `x(n)`, `t = n·dt`):
//! 1. coupling `c_i = post(Σ_j w_ij · pre(x_i(n−1), x_j(n−1−d_ij)))` from the delay history
//!    (computed once per step and used by both Heun stages, as in TVB);
//! 2. the integrator: Heun (TVB `HeunDeterministic`/`HeunStochastic`) or Euler, with additive
//!    noise `√(2·nsig·dt) · N(0,1)` — the same increment in predictor and corrector — and the
//!    model's bounds applied after each stage;
//! 3. the new coupling values `coupling_source(x(n))` go into the history;
//! 4. monitors receive the observables and stream samples to the [`Sink`].
//!
//! Delays are `d_ij = rint(tract_length_ij / speed / dt)` steps (numpy `rint`: ties to even),
//! as TVB's `Connectivity.set_idelays`. Weights follow TVB's convention: `weights[i][j]` is the
//! connection *from j to i* (row = target).
//!
//! Initial history: by default the past of every node equals its initial state (a constant
//! history); [`SimulationBuilder::history`] sets any past trajectory (TVB, without initial
//! conditions, draws each past step uniformly in the model's state ranges).
//!
//! # Precision and agreement with TVB
//! TVB stores the delay history and the weights in float32 and sums the coupling in float32.
//! The default [`CouplingPrecision::Double`] keeps everything in f64 (a diffusive coupling is
//! summed as `Σ w x_j − x_i Σ w`, two partial sums per row); [`CouplingPrecision::TvbSingle`]
//! reproduces TVB's float32 arithmetic and summation order and agrees with TVB bit for bit on the
//! states (tests/epileptor_tvb.rs, bench/sim_vs_tvb.py).
//!
//! # Random numbers
//! Noise comes from one [`rng::NormalRng`] stream seeded by [`SimulationBuilder::seed`], drawn each
//! step node by node and, within a node, state variable by state variable, skipping zero
//! amplitudes; observation noise uses a separate sub-stream. Results are bit-identical on every
//! machine and whatever the build (portable or AVX2).
//!
//! # Speed
//! The step loop allocates nothing. The delay history holds only the coupling values, node by
//! node and twice over (`2·horizon` slots per node), so that every delayed read is one
//! precomputed offset plus the current slot, with no wrap-around test, and consecutive steps read
//! consecutive addresses (each cache line serves several steps). Only non-zero weights are
//! visited (CSR rows). Models that implement [`NodeModel::dfun_lanes`] (the Epileptor does) are
//! integrated [`LANES`] nodes at a time in structure-of-arrays form, which the compiler
//! vectorises (during a run their states stay in that form, and their coupling values and
//! observables are computed per block: [`NodeModel::coupling_source_lanes`],
//! [`NodeModel::observe_lanes`]); on x86-64 CPUs with AVX2 the whole step loop runs from a second build compiled for
//! AVX2 (chosen at run time; no FMA, so the results are the same). Observables are computed only
//! on steps where a monitor needs them, and a projection monitor accumulates node observables and
//! applies the gain once per sample (mathematically the same as TVB's per-step projection, which
//! it sums). On TVB's 76-region Epileptor demo one step takes 2–4 µs of CPU depending on the
//! machine's load, 56–61 times less than TVB's (bench/README.md).
//!
//! # Example
//! ```
//! use eimfs_sim::connectivity::Connectivity;
//! use eimfs_sim::epileptor::Epileptor;
//! use eimfs_sim::network::{Difference, Integrator, Monitor, Noise, Recorder, Simulation};
//!
//! // Two regions 30 mm apart, connected both ways.
//! let conn = Connectivity::new(
//!     vec!["a".into(), "b".into()],
//!     vec![0.0, 1.0, 1.0, 0.0],
//!     vec![0.0, 30.0, 30.0, 0.0],
//!     vec![[0.0, 0.0, 0.0], [30.0, 0.0, 0.0]],
//! )?;
//! let model = Epileptor::new(2);
//! let mut sim = Simulation::builder(model, Difference { a: 1.0 }, &conn)
//!     .speed(3.0) // mm/ms: 10 ms delay
//!     .dt(0.05)
//!     .integrator(Integrator::Heun)
//!     .noise(Noise::per_variable(vec![0.0, 0.0, 0.0, 0.0003, 0.0003, 0.0]))
//!     .seed(42)
//!     .initial_state_all([-1.4, -9.6, 3.0, -0.96, 0.0, -0.1])
//!     .monitor(Monitor::temporal_average(1.0))
//!     .build()?;
//! let mut rec = Recorder::new();
//! sim.run_for(100.0, &mut rec); // 100 ms
//! assert_eq!(rec.n_samples(0), 100);
//! assert_eq!(rec.data[0].len(), 100 * 2 * 2); // samples × observables (x2−x1, z) × nodes
//! # Ok::<(), eimfs_sim::Error>(())
//! ```

#![allow(clippy::needless_range_loop)] // index loops over nodes and variables are the clearest form here

mod coupling;
#[rustfmt::skip] // rustfmt 1.8 does not terminate on this file
pub mod detmath;
mod model;
mod monitor;
pub mod rng;

pub use coupling::{CouplingFunction, Difference, Linear};
pub use model::{LANES, NodeModel, StateBound, StateVec};
pub use monitor::{Monitor, MonitorInfo, NullSink, Projection, Recorder, Reference, Sink};

use crate::connectivity::Connectivity;
use crate::{Error, Result};
use monitor::MonitorState;
use rng::NormalRng;

/// The integration scheme (TVB `tvb.simulator.integrators`). Stochastic when the simulation has
/// non-zero [`Noise`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Integrator {
    /// Heun predictor–corrector (TVB `HeunDeterministic`, or `HeunStochastic` with noise).
    #[default]
    Heun,
    /// Forward Euler (TVB `EulerDeterministic`, or `EulerStochastic` with noise).
    Euler,
}

/// Numeric precision of the delay history and of the coupling sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CouplingPrecision {
    /// Double precision throughout (default): history, weights and sums in f64, each row summed
    /// in order of source node.
    #[default]
    Double,
    /// tvb-library's precision, reproduced bit for bit: its `SparseHistory` stores the delay
    /// history and the weights as float32, computes `pre` and `weight × pre` in float32 and sums
    /// each row in float32 with numpy's `add.reduceat` order (first term + pairwise sum of the
    /// rest); `post` is applied in double. Use it to compare with TVB; it also halves the
    /// history's memory traffic, at ~1e-7 relative precision of the coupling.
    TvbSingle,
}

/// Additive white noise (TVB `noise.Additive`): the increment added to state variable `k` of
/// node `i` at each step is `√(2·nsig·dt) · N(0,1)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Noise {
    /// Deterministic integration.
    #[default]
    None,
    /// One `nsig` per state variable (TVB's `nsig` of shape `(nvar,)`).
    PerVariable(Vec<f64>),
    /// One `nsig` per state variable and node: `nsig[node * nvar + var]` (TVB's `(nvar, nnode)`
    /// transposed to node-major).
    PerNode(Vec<f64>),
}

impl Noise {
    /// One `nsig` per state variable.
    pub fn per_variable(nsig: Vec<f64>) -> Self {
        Noise::PerVariable(nsig)
    }
}

/// A past-trajectory function `f(k, node)` (state of `node` at step −k).
type HistoryFn<'c, M> = Box<dyn FnMut(usize, usize) -> <M as NodeModel>::State + 'c>;

/// Configures and builds a [`Simulation`]. Obtain it from [`Simulation::builder`].
pub struct SimulationBuilder<'c, M: NodeModel, C: CouplingFunction> {
    model: M,
    coupling: C,
    conn: &'c Connectivity,
    speed: f64,
    dt: f64,
    integrator: Integrator,
    precision: CouplingPrecision,
    avx2: bool,
    noise: Noise,
    seed: u64,
    initial: Option<Vec<M::State>>,
    history: Option<HistoryFn<'c, M>>,
    monitors: Vec<Monitor>,
}

impl<'c, M: NodeModel, C: CouplingFunction> SimulationBuilder<'c, M, C> {
    /// Conduction speed in mm/ms (TVB default 3.0).
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }
    /// Integration step in ms (TVB's default is 0.01220703125; the Epileptor demo uses 0.05).
    pub fn dt(mut self, dt: f64) -> Self {
        self.dt = dt;
        self
    }
    /// The integration scheme.
    pub fn integrator(mut self, integrator: Integrator) -> Self {
        self.integrator = integrator;
        self
    }
    /// Precision of the delay history and coupling sums (default double).
    pub fn precision(mut self, precision: CouplingPrecision) -> Self {
        self.precision = precision;
        self
    }
    /// Whether the step loop may use its AVX2 build when the CPU has AVX2 (default true).
    /// Results are bit-identical either way (no fused multiply-add is used); this exists to test
    /// that and to measure the portable build.
    pub fn allow_avx2(mut self, allow: bool) -> Self {
        self.avx2 = allow;
        self
    }
    /// Additive noise (default none).
    pub fn noise(mut self, noise: Noise) -> Self {
        self.noise = noise;
        self
    }
    /// Seed of the random streams (integration noise; a jumped sub-stream for observation noise).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Initial state of every node (`states.len()` = number of nodes).
    pub fn initial_state(mut self, states: Vec<M::State>) -> Self {
        self.initial = Some(states);
        self
    }
    /// The same initial state for every node.
    pub fn initial_state_all(mut self, state: M::State) -> Self {
        self.initial = Some(vec![state; self.conn.n_regions()]);
        self
    }
    /// Past trajectory: `f(k, node)` is the state of `node` at step `−k` (k = 1 … horizon−1),
    /// of which only the coupling values are kept. Default: the initial state.
    pub fn history(mut self, f: impl FnMut(usize, usize) -> M::State + 'c) -> Self {
        self.history = Some(Box::new(f));
        self
    }
    /// Adds a monitor; samples carry its index (0, 1, … in the order added).
    pub fn monitor(mut self, m: Monitor) -> Self {
        self.monitors.push(m);
        self
    }

    /// Validates everything and builds the simulation.
    pub fn build(self) -> Result<Simulation<M, C>> {
        let SimulationBuilder {
            model,
            coupling,
            conn,
            speed,
            dt,
            integrator,
            precision,
            avx2,
            noise,
            seed,
            initial,
            mut history,
            monitors,
        } = self;
        let n = conn.n_regions();
        let nvar = M::State::LEN;
        let ncv = M::Coupling::LEN;
        let bad = |field: &str, message: String| Err(Error::InvalidParameter { field: field.into(), message });
        if M::STATE_NAMES.len() != nvar {
            return bad("model", format!("STATE_NAMES has {} names for {nvar} state variables", M::STATE_NAMES.len()));
        }
        if model.n_nodes() != n {
            return bad("model", format!("the model has parameters for {} nodes, the connectivity has {n} regions", model.n_nodes()));
        }
        if !(dt.is_finite() && dt > 0.0) {
            return bad("dt", format!("must be a positive number of ms, got {dt}"));
        }
        if !(speed.is_finite() && speed > 0.0) {
            return bad("speed", format!("must be a positive number of mm/ms, got {speed}"));
        }
        let n_obs = model.n_observables();
        if model.observable_names().len() != n_obs {
            return bad("model", format!("observable_names() has {} names for {n_obs} observables", model.observable_names().len()));
        }
        let bounds = model.bounds();
        for (k, b) in bounds.iter().enumerate() {
            if b.var >= nvar || b.lo.is_nan() || b.hi.is_nan() || b.lo > b.hi {
                return bad(&format!("model.bounds[{k}]"), format!("invalid bound {b:?} for {nvar} state variables"));
            }
        }

        // --- sparse delayed edges (CSR by target row) ------------------------------------------
        let mut row_start = Vec::with_capacity(n + 1);
        let mut edges: Vec<(usize, f64, usize)> = Vec::new(); // (source, weight, delay steps)
        let mut max_delay = 0usize;
        row_start.push(0u32);
        for i in 0..n {
            for j in 0..n {
                let w = conn.weight(i, j);
                if w != 0.0 {
                    let delay_ms = conn.tract_length(i, j) / speed;
                    let d = (delay_ms / dt).round_ties_even();
                    if !(0.0..1e9).contains(&d) {
                        return bad("speed", format!("delay of connection {j} → {i} is {d} steps"));
                    }
                    let d = d as usize;
                    max_delay = max_delay.max(d);
                    edges.push((j, w, d));
                }
            }
            row_start.push(edges.len() as u32);
        }
        let horizon = max_delay + 1;
        let stride = 2 * horizon * ncv;
        let hist_len = n.checked_mul(stride).filter(|&l| l <= (1usize << 31)).ok_or_else(|| Error::InvalidParameter {
            field: "speed".into(),
            message: format!("the delay history would need {} × {} values (max delay {max_delay} steps): increase dt or speed", n, stride),
        })?;
        let mut edge_w = Vec::with_capacity(edges.len());
        let mut edge_off = Vec::with_capacity(edges.len());
        for &(j, w, d) in &edges {
            edge_w.push(w);
            let off = j * stride + (horizon - d) * ncv;
            // The unchecked history reads of the step loop rely on this (slot ≤ horizon − 1).
            assert!(d < horizon && j < n && off + (horizon - 1) * ncv + ncv <= (j + 1) * stride);
            edge_off.push(off as u32);
        }

        // --- initial state and history ---------------------------------------------------------
        let state = match initial {
            Some(s) => s,
            None => return bad("initial_state", "no initial state given".into()),
        };
        if state.len() != n {
            return bad("initial_state", format!("{} node states for {n} nodes", state.len()));
        }
        for (i, s) in state.iter().enumerate() {
            if let Some(k) = s.as_ref().iter().position(|v| !v.is_finite()) {
                return bad(&format!("initial_state[{i}][{k}]"), format!("not finite: {}", s.as_ref()[k]));
            }
        }
        let single = precision == CouplingPrecision::TvbSingle;
        let mut hist = vec![0.0; if single { 0 } else { hist_len }];
        let mut hist32 = vec![0.0f32; if single { hist_len } else { 0 }];
        for i in 0..n {
            let c0 = model.coupling_source(i, &state[i]);
            for slot in 0..horizon {
                // slot 0 = step 0; slot horizon−k = step −k
                let cv = if slot == 0 {
                    c0
                } else {
                    match history.as_mut() {
                        Some(f) => {
                            let s = f(horizon - slot, i);
                            model.coupling_source(i, &s)
                        }
                        None => c0,
                    }
                };
                for copy in [slot, slot + horizon] {
                    let base = i * stride + copy * ncv;
                    if single {
                        for (h, v) in hist32[base..base + ncv].iter_mut().zip(cv.as_ref()) {
                            *h = *v as f32;
                        }
                    } else {
                        hist[base..base + ncv].copy_from_slice(cv.as_ref());
                    }
                }
            }
        }

        // --- noise -----------------------------------------------------------------------------
        let nsig: Option<Vec<f64>> = match &noise {
            Noise::None => None,
            Noise::PerVariable(v) => {
                if v.len() != nvar {
                    return bad("noise", format!("{} nsig values for {nvar} state variables", v.len()));
                }
                Some((0..n).flat_map(|_| v.iter().copied()).collect())
            }
            Noise::PerNode(v) => {
                if v.len() != nvar * n {
                    return bad("noise", format!("{} nsig values for {nvar} state variables × {n} nodes", v.len()));
                }
                Some(v.clone())
            }
        };
        let noise_amp: Vec<M::State> = match &nsig {
            Some(v) => {
                if let Some(k) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                    return bad(&format!("noise[{k}]"), format!("nsig must be finite and ≥ 0, got {}", v[k]));
                }
                v.chunks(nvar)
                    .map(|c| {
                        let mut a = M::State::zeros();
                        for (ak, &s) in a.as_mut().iter_mut().zip(c) {
                            // TVB: sqrt(dt) * N * sqrt(2 nsig)
                            *ak = dt.sqrt() * (2.0 * s).sqrt();
                        }
                        a
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let stochastic = noise_amp.iter().any(|a| a.as_ref().iter().any(|&v| v != 0.0));

        // --- monitors --------------------------------------------------------------------------
        let monitors = monitors.iter().enumerate().map(|(k, m)| MonitorState::configure(k, m, n, n_obs, dt)).collect::<Result<Vec<_>>>()?;

        let max_row = (0..n).map(|i| (row_start[i + 1] - row_start[i]) as usize).max().unwrap_or(0);
        let row_wsum: Vec<f64> = (0..n).map(|i| edge_w[row_start[i] as usize..row_start[i + 1] as usize].iter().sum()).collect();
        let edge_w32: Vec<f32> = if single { edge_w.iter().map(|&w| w as f32).collect() } else { Vec::new() };
        let mut rng = NormalRng::seed_from_u64(seed);
        let obs_rng = rng.split();
        Ok(Simulation {
            model,
            coupling,
            dt,
            n,
            integrator,
            stochastic,
            bounds,
            row_start,
            edge_w,
            edge_off,
            edge_w32,
            row_wsum,
            hist,
            hist32,
            terms32: vec![0.0f32; if single { max_row * ncv } else { 0 }],
            max_row,
            precision,
            use_avx2: avx2 && avx2_available(),
            horizon,
            stride,
            slot: 0,
            state,
            state_lanes: vec![<M::State as StateVec>::lanes_zeros(); if M::LANE_BATCHED { n / LANES } else { 0 }],
            coupling_buf: vec![M::Coupling::zeros(); n],
            noise_plan_start: {
                let mut v = vec![0u32];
                for b in 0..n / LANES {
                    let cnt = (0..LANES)
                        .map(|l| noise_amp.get(b * LANES + l).map_or(0, |a| a.as_ref().iter().filter(|x| **x != 0.0).count()))
                        .sum::<usize>();
                    v.push(v[b] + cnt as u32);
                }
                v
            },
            noise_plan: (0..n / LANES * LANES)
                .flat_map(|i| {
                    let a = noise_amp.get(i).copied().unwrap_or_else(M::State::zeros);
                    (0..nvar).filter(move |&k| a.as_ref()[k] != 0.0).map(move |k| ((i % LANES) as u8, k as u16, a.as_ref()[k]))
                })
                .collect(),
            noise_amp: if stochastic { noise_amp } else { Vec::new() },
            rng,
            obs_rng,
            obs: vec![0.0; n * n_obs],
            n_obs,
            monitors,
            step: 0,
        })
    }
}

/// A configured network simulation (see the module docs). Step it with [`run`](Self::run) or
/// [`run_for`](Self::run_for) as many times as wanted; between calls the state, the model's
/// parameters and the step count can be read and changed.
pub struct Simulation<M: NodeModel, C: CouplingFunction> {
    model: M,
    coupling: C,
    dt: f64,
    n: usize,
    integrator: Integrator,
    stochastic: bool,
    bounds: Vec<StateBound>,
    row_start: Vec<u32>,
    edge_w: Vec<f64>,
    edge_off: Vec<u32>,
    edge_w32: Vec<f32>,
    /// Σ_j w_ij per row (for diffusive couplings).
    row_wsum: Vec<f64>,
    hist: Vec<f64>,
    hist32: Vec<f32>,
    /// Scratch for single-precision row terms (`ncv × max_row`).
    terms32: Vec<f32>,
    max_row: usize,
    precision: CouplingPrecision,
    /// Run the AVX2 build of the step loop.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    use_avx2: bool,
    horizon: usize,
    stride: usize,
    /// History slot (in 0..horizon) of the latest stored step.
    slot: usize,
    state: Vec<M::State>,
    /// During a run: the state of nodes `0 .. LANES · len` in blocks of LANES nodes
    /// (structure-of-arrays; one block per [`NodeModel::dfun_lanes`] call). Empty for models
    /// that are not lane-batched.
    state_lanes: Vec<<M::State as StateVec>::Lanes>,
    coupling_buf: Vec<M::Coupling>,
    noise_amp: Vec<M::State>,
    /// Per block of LANES nodes: (lane, variable, amplitude) of the noisy variables in draw
    /// order (`noise_plan_start[b]..noise_plan_start[b + 1]`).
    noise_plan: Vec<(u8, u16, f64)>,
    noise_plan_start: Vec<u32>,
    rng: NormalRng,
    obs_rng: NormalRng,
    obs: Vec<f64>,
    n_obs: usize,
    monitors: Vec<MonitorState>,
    step: u64,
}

impl<M: NodeModel, C: CouplingFunction> Simulation<M, C> {
    /// Starts configuring a simulation of `model` on `conn` with the coupling function `coupling`.
    /// Defaults: speed 3 mm/ms, dt 0.05 ms, Heun, no noise, seed 0, no monitor; the initial state
    /// must be given.
    pub fn builder(model: M, coupling: C, conn: &Connectivity) -> SimulationBuilder<'_, M, C> {
        SimulationBuilder {
            model,
            coupling,
            conn,
            speed: 3.0,
            dt: 0.05,
            integrator: Integrator::Heun,
            precision: CouplingPrecision::Double,
            avx2: true,
            noise: Noise::None,
            seed: 0,
            initial: None,
            history: None,
            monitors: Vec::new(),
        }
    }

    /// The model (parameters).
    pub fn model(&self) -> &M {
        &self.model
    }
    /// The model, mutably: parameter changes take effect at the next step.
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }
    /// The coupling function.
    pub fn coupling_function(&self) -> &C {
        &self.coupling
    }
    /// The coupling function, mutably (e.g. to change the global coupling strength).
    pub fn coupling_function_mut(&mut self) -> &mut C {
        &mut self.coupling
    }
    /// Current state of every node (after [`step`](Self::step) steps).
    pub fn state(&self) -> &[M::State] {
        &self.state
    }
    /// Current state, mutably. Note the delay history keeps the coupling values already stored;
    /// a change is seen by other nodes from the next step on.
    pub fn state_mut(&mut self) -> &mut [M::State] {
        &mut self.state
    }
    /// The afferent coupling (after the coupling function) used in the last step.
    pub fn last_coupling(&self) -> &[M::Coupling] {
        &self.coupling_buf
    }
    /// Number of steps done so far.
    pub fn step(&self) -> u64 {
        self.step
    }
    /// Current time in ms (`step · dt`).
    pub fn time(&self) -> f64 {
        self.step as f64 * self.dt
    }
    /// Integration step (ms).
    pub fn dt(&self) -> f64 {
        self.dt
    }
    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.n
    }
    /// History length in steps (max delay + 1, TVB's `horizon`).
    pub fn horizon(&self) -> usize {
        self.horizon
    }
    /// Number of non-zero-weight connections visited per step.
    pub fn n_connections(&self) -> usize {
        self.edge_w.len()
    }
    /// Whether the step loop runs its AVX2 build.
    pub fn uses_avx2(&self) -> bool {
        self.use_avx2
    }
    /// Whether noise is on.
    pub fn is_stochastic(&self) -> bool {
        self.stochastic
    }
    /// Shape and timing of monitor `k`'s samples.
    pub fn monitor_info(&self, k: usize) -> Option<&MonitorInfo> {
        self.monitors.get(k).map(|m| &m.info)
    }
    /// Number of monitors.
    pub fn n_monitors(&self) -> usize {
        self.monitors.len()
    }

    /// Runs for `ms` milliseconds: `ceil(ms / dt)` steps, as TVB's `simulation_length`.
    pub fn run_for<S: Sink + ?Sized>(&mut self, ms: f64, sink: &mut S) {
        let steps = if ms > 0.0 { (ms / self.dt).ceil() as u64 } else { 0 };
        self.run(steps, sink);
    }

    /// Runs `n_steps` steps, streaming monitor samples to `sink`.
    pub fn run<S: Sink + ?Sized>(&mut self, n_steps: u64, sink: &mut S) {
        #[cfg(target_arch = "x86_64")]
        if self.use_avx2 {
            // SAFETY: the CPU supports AVX2 (checked by `build` with `is_x86_feature_detected!`).
            unsafe { self.run_avx2(n_steps, sink) };
            return;
        }
        self.run_dispatch(n_steps, sink);
    }

    /// The step loop compiled for AVX2 (without FMA, so every operation and its rounding is the
    /// same as in the portable build: results are bit-identical).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2<S: Sink + ?Sized>(&mut self, n_steps: u64, sink: &mut S) {
        self.run_dispatch(n_steps, sink);
    }

    #[inline(always)]
    fn run_dispatch<S: Sink + ?Sized>(&mut self, n_steps: u64, sink: &mut S) {
        let single = self.precision == CouplingPrecision::TvbSingle;
        match (self.integrator, self.stochastic, single) {
            (Integrator::Heun, false, false) => self.run_impl::<S, true, false, false>(n_steps, sink),
            (Integrator::Heun, true, false) => self.run_impl::<S, true, true, false>(n_steps, sink),
            (Integrator::Euler, false, false) => self.run_impl::<S, false, false, false>(n_steps, sink),
            (Integrator::Euler, true, false) => self.run_impl::<S, false, true, false>(n_steps, sink),
            (Integrator::Heun, false, true) => self.run_impl::<S, true, false, true>(n_steps, sink),
            (Integrator::Heun, true, true) => self.run_impl::<S, true, true, true>(n_steps, sink),
            (Integrator::Euler, false, true) => self.run_impl::<S, false, false, true>(n_steps, sink),
            (Integrator::Euler, true, true) => self.run_impl::<S, false, true, true>(n_steps, sink),
        }
    }

    #[inline(always)]
    fn run_impl<S: Sink + ?Sized, const HEUN: bool, const NOISE: bool, const SINGLE: bool>(&mut self, n_steps: u64, sink: &mut S) {
        // During the run the state of the lane-batched nodes lives in `state_lanes`.
        let n_blocks = self.state_lanes.len();
        for b in 0..n_blocks {
            for l in 0..LANES {
                for k in 0..M::State::LEN {
                    self.state_lanes[b].as_mut()[k][l] = self.state[b * LANES + l].as_ref()[k];
                }
            }
        }
        self.run_steps::<S, HEUN, NOISE, SINGLE>(n_steps, sink);
        for b in 0..n_blocks {
            for l in 0..LANES {
                for k in 0..M::State::LEN {
                    self.state[b * LANES + l].as_mut()[k] = self.state_lanes[b].as_ref()[k][l];
                }
            }
        }
    }

    #[inline(always)]
    fn run_steps<S: Sink + ?Sized, const HEUN: bool, const NOISE: bool, const SINGLE: bool>(&mut self, n_steps: u64, sink: &mut S) {
        for _ in 0..n_steps {
            if SINGLE {
                self.compute_coupling_single();
            } else {
                self.compute_coupling();
            }
            let step = self.step + 1;
            let need_obs = self.monitors.iter().any(|m| m.needs_obs(step));
            self.integrate::<HEUN, NOISE, SINGLE>(need_obs);
            self.step = step;
            if need_obs {
                let (n, dt) = (self.n, self.dt);
                for (k, m) in self.monitors.iter_mut().enumerate() {
                    m.update(k, step, dt, &self.obs, n, &mut self.obs_rng, sink);
                }
            }
        }
    }

    /// Coupling for the coming step from the history (latest values at `self.slot`).
    #[inline(always)]
    fn compute_coupling(&mut self) {
        let ncv = M::Coupling::LEN;
        let cur = self.slot * ncv;
        let latest = (self.slot + self.horizon) * ncv;
        let hist = &self.hist[..];
        let coupling = &self.coupling;
        for i in 0..self.n {
            let (e0, e1) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
            let xi_base = i * self.stride + latest;
            let xi = M::Coupling::from_slice(&hist[xi_base..xi_base + ncv]);
            let w = &self.edge_w[e0..e1];
            let off = &self.edge_off[e0..e1];
            // Two partial sums (even and odd connections), added at the end: a fixed order that
            // the compiler packs into one vector register for two connections at a time.
            let diffusive = coupling.diffusive_scale();
            let pre = |xi: f64, xj: f64| if diffusive.is_some() { xj } else { coupling.pre(xi, xj) };
            let (mut ae, mut ao) = (M::Coupling::zeros(), M::Coupling::zeros());
            let mut wc = w.chunks_exact(2);
            let mut oc = off.chunks_exact(2);
            for (w2, o2) in (&mut wc).zip(&mut oc) {
                let (b0, b1) = (o2[0] as usize + cur, o2[1] as usize + cur);
                debug_assert!(b0 + ncv <= hist.len() && b1 + ncv <= hist.len());
                for k in 0..ncv {
                    // SAFETY: `build` checked every offset: o = j·stride + (horizon − d)·ncv with
                    // 0 ≤ d < horizon, and cur ≤ (horizon − 1)·ncv, so o + cur + ncv ≤ (j + 1)·stride
                    // ≤ hist.len(). This is the innermost loop of the engine.
                    let (x0, x1) = unsafe { (*hist.get_unchecked(b0 + k), *hist.get_unchecked(b1 + k)) };
                    ae.as_mut()[k] += w2[0] * pre(xi.as_ref()[k], x0);
                    ao.as_mut()[k] += w2[1] * pre(xi.as_ref()[k], x1);
                }
            }
            if let (Some(&w), Some(&o)) = (wc.remainder().first(), oc.remainder().first()) {
                let b = o as usize + cur;
                debug_assert!(b + ncv <= hist.len());
                for k in 0..ncv {
                    // SAFETY: as above.
                    let x = unsafe { *hist.get_unchecked(b + k) };
                    ae.as_mut()[k] += w * pre(xi.as_ref()[k], x);
                }
            }
            let mut acc = M::Coupling::zeros();
            for k in 0..ncv {
                acc.as_mut()[k] = ae.as_ref()[k] + ao.as_ref()[k];
                if let Some(s) = diffusive.filter(|s| *s != 0.0) {
                    acc.as_mut()[k] -= s * xi.as_ref()[k] * self.row_wsum[i];
                }
            }
            let c = &mut self.coupling_buf[i];
            for k in 0..ncv {
                c.as_mut()[k] = coupling.post(acc.as_ref()[k]);
            }
        }
    }

    /// [`CouplingPrecision::TvbSingle`] coupling: float32 history, weights, terms and numpy's
    /// `reduceat` summation order.
    #[inline(always)]
    fn compute_coupling_single(&mut self) {
        let ncv = M::Coupling::LEN;
        let cur = self.slot * ncv;
        let latest = (self.slot + self.horizon) * ncv;
        let hist = &self.hist32[..];
        let coupling = &self.coupling;
        let max_row = self.max_row;
        for i in 0..self.n {
            let (e0, e1) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
            let len = e1 - e0;
            let xi_base = i * self.stride + latest;
            let xi = &hist[xi_base..xi_base + ncv];
            for (e, (&w, &o)) in self.edge_w32[e0..e1].iter().zip(&self.edge_off[e0..e1]).enumerate() {
                let base = o as usize + cur;
                debug_assert!(base + ncv <= hist.len());
                for k in 0..ncv {
                    // SAFETY: as in `compute_coupling` (offsets checked by `build`).
                    let xj = unsafe { *hist.get_unchecked(base + k) };
                    self.terms32[k * max_row + e] = w * coupling.pre_f32(xi[k], xj);
                }
            }
            let c = &mut self.coupling_buf[i];
            for k in 0..ncv {
                let terms = &self.terms32[k * max_row..k * max_row + len];
                c.as_mut()[k] = coupling.post(numpy_reduceat_sum_f32(terms) as f64);
            }
        }
    }

    #[inline(always)]
    fn apply_bounds(bounds: &[StateBound], x: &mut M::State) {
        for b in bounds {
            let v = &mut x.as_mut()[b.var];
            if *v < b.lo {
                *v = b.lo;
            }
            if *v > b.hi {
                *v = b.hi;
            }
        }
    }

    /// One integration step for all nodes, storing the new coupling values in the next history
    /// slot and (if `need_obs`) the observables.
    #[inline(always)]
    fn integrate<const HEUN: bool, const NOISE: bool, const SINGLE: bool>(&mut self, need_obs: bool) {
        let nvar = M::State::LEN;
        let ncv = M::Coupling::LEN;
        let dt = self.dt;
        let half_dt = 0.5 * dt; // (a·dt)·0.5 == (a·dt)/2 exactly, as TVB's `* dt / 2.0`
        let slot = if self.slot + 1 == self.horizon { 0 } else { self.slot + 1 };
        let (w0, w1) = (slot * ncv, (slot + self.horizon) * ncv);
        let has_bounds = !self.bounds.is_empty();
        let stride = self.stride;
        let n_obs = self.n_obs;
        let n = self.n;
        // Work on locals: keeps the generator state in registers (no aliasing with the arrays).
        let mut rng = self.rng.clone();
        let Simulation {
            model, state, state_lanes, coupling_buf, noise_amp, noise_plan, noise_plan_start, hist, hist32, obs, bounds, ..
        } = self;
        let model = &*model;
        let bounds = &bounds[..];

        let hist = &mut hist[..];
        let hist32 = &mut hist32[..];
        let obs = &mut obs[..];
        // After a node's new state is known: history and observables.
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        fn finish<M: NodeModel, const SINGLE: bool>(
            model: &M,
            i: usize,
            next: &M::State,
            (hist, hist32, stride, w0, w1): (&mut [f64], &mut [f32], usize, usize, usize),
            obs: &mut [f64],
            n_obs: usize,
            need_obs: bool,
        ) {
            let ncv = M::Coupling::LEN;
            let cv = model.coupling_source(i, next);
            let h0 = i * stride;
            if SINGLE {
                let h = &mut hist32[h0..h0 + stride];
                for k in 0..ncv {
                    let v = cv.as_ref()[k] as f32;
                    h[w0 + k] = v;
                    h[w1 + k] = v;
                }
            } else {
                let h = &mut hist[h0..h0 + stride];
                h[w0..w0 + ncv].copy_from_slice(cv.as_ref());
                h[w1..w1 + ncv].copy_from_slice(cv.as_ref());
            }
            if need_obs {
                // observables are kept variable-major (obs[o * n + node]) for the monitors
                let mut tmp = [0.0; MAX_OBS_STACK];
                let n = obs.len() / n_obs.max(1);
                if n_obs <= MAX_OBS_STACK {
                    model.observe(i, next, &mut tmp[..n_obs]);
                    for (o, v) in tmp[..n_obs].iter().enumerate() {
                        obs[o * n + i] = *v;
                    }
                } else {
                    let mut v = vec![0.0; n_obs];
                    model.observe(i, next, &mut v);
                    for (o, v) in v.iter().enumerate() {
                        obs[o * n + i] = *v;
                    }
                }
            }
        }

        let n_blocks = state_lanes.len();
        for b in 0..n_blocks {
            let i0 = b * LANES;
            // the block's state is kept in structure-of-arrays form during a run (`state_lanes`)
            let x = state_lanes[b];
            let mut c = <M::Coupling as StateVec>::lanes_zeros();
            for l in 0..LANES {
                for k in 0..ncv {
                    c.as_mut()[k][l] = coupling_buf[i0 + l].as_ref()[k];
                }
            }
            let mut noise = <M::State as StateVec>::lanes_zeros();
            if NOISE {
                // same draw order as the node-by-node path: node, then variable
                let (p0, p1) = (noise_plan_start[b] as usize, noise_plan_start[b + 1] as usize);
                for &(l, k, a) in &noise_plan[p0..p1] {
                    noise.as_mut()[k as usize][l as usize] = a * rng.normal();
                }
            }
            let m = model.dfun_lanes(i0, &x, &c);
            let mut next = <M::State as StateVec>::lanes_zeros();
            if HEUN {
                let mut inter = <M::State as StateVec>::lanes_zeros();
                for k in 0..nvar {
                    for l in 0..LANES {
                        let v = x.as_ref()[k][l] + dt * m.as_ref()[k][l];
                        inter.as_mut()[k][l] = if NOISE { v + noise.as_ref()[k][l] } else { v };
                    }
                }
                if has_bounds {
                    Self::apply_bounds_lanes(bounds, &mut inter);
                }
                let m2 = model.dfun_lanes(i0, &inter, &c);
                for k in 0..nvar {
                    for l in 0..LANES {
                        let dx = (m.as_ref()[k][l] + m2.as_ref()[k][l]) * half_dt;
                        let v = x.as_ref()[k][l] + dx;
                        next.as_mut()[k][l] = if NOISE { v + noise.as_ref()[k][l] } else { v };
                    }
                }
            } else {
                for k in 0..nvar {
                    for l in 0..LANES {
                        let v = x.as_ref()[k][l] + m.as_ref()[k][l] * dt;
                        next.as_mut()[k][l] = if NOISE { v + noise.as_ref()[k][l] } else { v };
                    }
                }
            }
            if has_bounds {
                Self::apply_bounds_lanes(bounds, &mut next);
            }
            state_lanes[b] = next;
            let cv = model.coupling_source_lanes(i0, &next);
            for l in 0..LANES {
                let h0 = (i0 + l) * stride;
                for k in 0..ncv {
                    let v = cv.as_ref()[k][l];
                    if SINGLE {
                        hist32[h0 + w0 + k] = v as f32;
                        hist32[h0 + w1 + k] = v as f32;
                    } else {
                        hist[h0 + w0 + k] = v;
                        hist[h0 + w1 + k] = v;
                    }
                }
            }
            if need_obs && n_obs > MAX_OBS_LANES {
                for l in 0..LANES {
                    let mut s = M::State::zeros();
                    for k in 0..nvar {
                        s.as_mut()[k] = next.as_ref()[k][l];
                    }
                    let mut v = vec![0.0; n_obs];
                    model.observe(i0 + l, &s, &mut v);
                    for (o, v) in v.iter().enumerate() {
                        obs[o * n + i0 + l] = *v;
                    }
                }
            } else if need_obs {
                // observables of the block at once, stored variable-major (obs[o * n + node])
                let mut t = [[0.0; LANES]; MAX_OBS_LANES];
                model.observe_lanes(i0, &next, &mut t[..n_obs]);
                for o in 0..n_obs {
                    obs[o * n + i0..o * n + i0 + LANES].copy_from_slice(&t[o]);
                }
            }
        }

        for i in n_blocks * LANES..n {
            let x = state[i];
            let c = &coupling_buf[i];
            let mut noise = M::State::zeros();
            if NOISE {
                let amp = &noise_amp[i];
                for k in 0..nvar {
                    let a = amp.as_ref()[k];
                    if a != 0.0 {
                        noise.as_mut()[k] = a * rng.normal();
                    }
                }
            }
            let m = model.dfun(i, &x, c);
            let mut next = M::State::zeros();
            if HEUN {
                let mut inter = M::State::zeros();
                for k in 0..nvar {
                    let v = x.as_ref()[k] + dt * m.as_ref()[k];
                    inter.as_mut()[k] = if NOISE { v + noise.as_ref()[k] } else { v };
                }
                if has_bounds {
                    Self::apply_bounds(bounds, &mut inter);
                }
                let m2 = model.dfun(i, &inter, c);
                for k in 0..nvar {
                    let dx = (m.as_ref()[k] + m2.as_ref()[k]) * half_dt;
                    let v = x.as_ref()[k] + dx;
                    next.as_mut()[k] = if NOISE { v + noise.as_ref()[k] } else { v };
                }
            } else {
                for k in 0..nvar {
                    let v = x.as_ref()[k] + m.as_ref()[k] * dt;
                    next.as_mut()[k] = if NOISE { v + noise.as_ref()[k] } else { v };
                }
            }
            if has_bounds {
                Self::apply_bounds(bounds, &mut next);
            }
            state[i] = next;
            finish::<M, SINGLE>(model, i, &next, (&mut *hist, &mut *hist32, stride, w0, w1), &mut *obs, n_obs, need_obs);
        }
        self.rng = rng;
        self.slot = slot;
    }

    #[inline(always)]
    fn apply_bounds_lanes(bounds: &[StateBound], x: &mut <M::State as StateVec>::Lanes) {
        for b in bounds {
            for v in x.as_mut()[b.var].iter_mut() {
                if *v < b.lo {
                    *v = b.lo;
                }
                if *v > b.hi {
                    *v = b.hi;
                }
            }
        }
    }
}

/// Observables per block of LANES nodes computed on the stack with `observe_lanes` (models with
/// more observe node by node).
const MAX_OBS_LANES: usize = 8;

/// Observables per node computed on the stack (models with more use a heap buffer).
const MAX_OBS_STACK: usize = 32;

fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// numpy's float32 `add.reduceat` of one segment: the first term plus numpy's pairwise sum of
/// the others (0 for an empty segment, as TVB's `zeros_like` for rows without connections).
#[inline]
pub(crate) fn numpy_reduceat_sum_f32(t: &[f32]) -> f32 {
    match t.len() {
        0 => 0.0,
        1 => t[0],
        _ => t[0] + numpy_pairwise_sum_f32(&t[1..]),
    }
}

/// numpy's `pairwise_sum` for float32 (`loops_utils.h`): sequential from −0 below 8 terms, eight
/// interleaved accumulators up to 128, halving (at a multiple of 8) above.
pub(crate) fn numpy_pairwise_sum_f32(a: &[f32]) -> f32 {
    let n = a.len();
    if n < 8 {
        let mut res = -0.0f32;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
        let mut i = 8;
        while i < n - n % 8 {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_pairwise_sum_f32(&a[..n2]) + numpy_pairwise_sum_f32(&a[n2..])
    }
}

#[cfg(test)]
mod tests;
