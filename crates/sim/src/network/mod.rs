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
//! # Speed
//! The step loop allocates nothing. The delay history holds only the coupling values, node by
//! node and twice over (`2·horizon` slots per node), so that every delayed read is one
//! precomputed offset plus the current slot, with no wrap-around test, and consecutive steps read
//! consecutive addresses (each cache line serves several steps). Only non-zero weights are
//! visited (CSR rows). Each node's Heun stages, noise, history write and observables are fused
//! in one pass. Observables are computed only on steps where a monitor needs them, and a
//! projection monitor accumulates node observables and applies the gain once per sample
//! (mathematically the same as TVB's per-step projection, which it sums).
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
pub mod detmath;
mod model;
mod monitor;
pub mod rng;

pub use coupling::{CouplingFunction, Difference, Linear};
pub use model::{NodeModel, StateBound, StateVec};
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
            message: format!(
                "the delay history would need {} × {} values (max delay {max_delay} steps): increase dt or speed",
                n, stride
            ),
        })?;
        let mut edge_w = Vec::with_capacity(edges.len());
        let mut edge_off = Vec::with_capacity(edges.len());
        for &(j, w, d) in &edges {
            edge_w.push(w);
            edge_off.push((j * stride + (horizon - d) * ncv) as u32);
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
        let monitors = monitors
            .iter()
            .enumerate()
            .map(|(k, m)| MonitorState::configure(k, m, n, n_obs, dt))
            .collect::<Result<Vec<_>>>()?;

        let max_row = (0..n).map(|i| (row_start[i + 1] - row_start[i]) as usize).max().unwrap_or(0);
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
            hist,
            hist32,
            terms32: vec![0.0f32; if single { max_row * ncv } else { 0 }],
            max_row,
            precision,
            horizon,
            stride,
            slot: 0,
            state,
            coupling_buf: vec![M::Coupling::zeros(); n],
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
    hist: Vec<f64>,
    hist32: Vec<f32>,
    /// Scratch for single-precision row terms (`ncv × max_row`).
    terms32: Vec<f32>,
    max_row: usize,
    precision: CouplingPrecision,
    horizon: usize,
    stride: usize,
    /// History slot (in 0..horizon) of the latest stored step.
    slot: usize,
    state: Vec<M::State>,
    coupling_buf: Vec<M::Coupling>,
    noise_amp: Vec<M::State>,
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

    fn run_impl<S: Sink + ?Sized, const HEUN: bool, const NOISE: bool, const SINGLE: bool>(
        &mut self,
        n_steps: u64,
        sink: &mut S,
    ) {
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
                let (n, n_obs, dt) = (self.n, self.n_obs, self.dt);
                for (k, m) in self.monitors.iter_mut().enumerate() {
                    m.update(k, step, dt, &self.obs, n_obs, n, &mut self.obs_rng, sink);
                }
            }
        }
    }

    /// Coupling for the coming step from the history (latest values at `self.slot`).
    #[inline]
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
            let mut acc = M::Coupling::zeros();
            let w = &self.edge_w[e0..e1];
            let off = &self.edge_off[e0..e1];
            for (&w, &o) in w.iter().zip(off) {
                let base = o as usize + cur;
                // The offsets were built so that base + ncv ≤ (j + 1) · stride ≤ hist.len().
                let xj = &hist[base..base + ncv];
                for k in 0..ncv {
                    acc.as_mut()[k] += w * coupling.pre(xi.as_ref()[k], xj[k]);
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
    #[inline]
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
                let xj = &hist[base..base + ncv];
                for k in 0..ncv {
                    self.terms32[k * max_row + e] = w * coupling.pre_f32(xi[k], xj[k]);
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
    #[inline]
    fn integrate<const HEUN: bool, const NOISE: bool, const SINGLE: bool>(&mut self, need_obs: bool) {
        let nvar = M::State::LEN;
        let ncv = M::Coupling::LEN;
        let dt = self.dt;
        let slot = if self.slot + 1 == self.horizon { 0 } else { self.slot + 1 };
        let has_bounds = !self.bounds.is_empty();
        for i in 0..self.n {
            let x = self.state[i];
            let c = self.coupling_buf[i];
            let mut noise = M::State::zeros();
            if NOISE {
                let amp = &self.noise_amp[i];
                for k in 0..nvar {
                    let a = amp.as_ref()[k];
                    if a != 0.0 {
                        noise.as_mut()[k] = a * self.rng.normal();
                    }
                }
            }
            let m = self.model.dfun(i, &x, &c);
            let mut next = M::State::zeros();
            if HEUN {
                let mut inter = M::State::zeros();
                for k in 0..nvar {
                    let v = x.as_ref()[k] + dt * m.as_ref()[k];
                    inter.as_mut()[k] = if NOISE { v + noise.as_ref()[k] } else { v };
                }
                if has_bounds {
                    Self::apply_bounds(&self.bounds, &mut inter);
                }
                let m2 = self.model.dfun(i, &inter, &c);
                for k in 0..nvar {
                    let dx = (m.as_ref()[k] + m2.as_ref()[k]) * dt * 0.5;
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
                Self::apply_bounds(&self.bounds, &mut next);
            }
            self.state[i] = next;
            let cv = self.model.coupling_source(i, &next);
            let b0 = i * self.stride + slot * ncv;
            let b1 = b0 + self.horizon * ncv;
            if SINGLE {
                for k in 0..ncv {
                    let v = cv.as_ref()[k] as f32;
                    self.hist32[b0 + k] = v;
                    self.hist32[b1 + k] = v;
                }
            } else {
                self.hist[b0..b0 + ncv].copy_from_slice(cv.as_ref());
                self.hist[b1..b1 + ncv].copy_from_slice(cv.as_ref());
            }
            if need_obs {
                let o = &mut self.obs[i * self.n_obs..(i + 1) * self.n_obs];
                self.model.observe(i, &next, o);
            }
        }
        self.slot = slot;
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
