//! Level 4b: running the network of regions — the `dynamic` mode (seizures emerge) and the
//! forcing used by the scenario mode.
//!
//! The regions ([`crate::region::RegionModel`]) run in the network engine ([`crate::network`]):
//! Heun stochastic integration, delayed coupling through the pyramidal rates (`Linear` coupling),
//! a temporal-average monitor at the output rate. The run is cut into blocks of
//! [`BLOCK_S`] seconds; between blocks the driver updates the **network depression** `D`, the one
//! brain-wide slow variable (an adenosine-like, activity-dependent reduction of the excitatory
//! drive of every region that builds up with each seizure and decays over tens of minutes; adenosine is
//! released during seizures and is an endogenous anticonvulsant: During & Spencer, Ann Neurol
//! 1992; Boison, Neuropharmacology 2005):
//!
//! ```text
//! Ḋ = k_D · mean_i h_i − D / τ_D
//! ```
//!
//! and the **network facilitation** `E`, a faster (τ_E = 10 min) activity-dependent increase of
//! the input to every region that acts after a delay of 90 s (post-ictal changes develop over
//! minutes), the "seizures beget seizures" feedback that turns single seizures into clusters:
//!
//! ```text
//! Ė = k_E · mean_i h_i · (1 − E) − E / τ_E
//! ```
//!
//! Nothing in this driver decides where or when a seizure starts: in the dynamic mode the forcing
//! is zero and seizures come from the regions' own dynamics, their heterogeneity, coupling and
//! noise.

use serde::{Deserialize, Serialize};

use crate::cortex::Network;
use crate::network::{Integrator, Linear, Monitor, Noise, Simulation, Sink};
use crate::region::{Gains, IX_RATE, IX_XI, NVAR, NodeParams, RegionModel, RegionParams};
use crate::rng::Stream;
use crate::{Error, Result};

/// Block length of the driver, s.
pub const BLOCK_S: f64 = 0.25;
/// Burn-in before the recorded run (fast variables settle, no slow loading), s.
pub const BURN_IN_S: f64 = 10.0;
/// Rate of the slow traces (rate, Na, Cl loads, depression), Hz.
pub const SLOW_FS: f64 = 10.0;

/// Parameters of the network run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkParams {
    /// Region parameters shared by all regions.
    pub region: RegionParams,
    /// Global coupling K (pulses/s of input per unit weight × pulses/s).
    pub coupling: f64,
    /// SD of the regions' mean input p̄ around `region.p_mean` (heterogeneous excitability), pulses/s.
    pub heterogeneity: f64,
    /// Depression loading k_D per unit mean ictal drive, s⁻¹.
    pub depression_load: f64,
    /// Depression decay τ_D, s.
    pub depression_tau: f64,
    /// Initial depression D(0).
    pub depression_initial: f64,
    /// Facilitation loading k_E per unit mean ictal drive, s⁻¹.
    pub facilitation_load: f64,
    /// Facilitation decay τ_E, s.
    pub facilitation_tau: f64,
    /// Delay before the facilitation acts, s (post-ictal changes develop over minutes; the delay
    /// keeps the facilitation from feeding the very seizure that loads it).
    pub facilitation_lag: f64,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            region: RegionParams::default(),
            coupling: 2.0,
            heterogeneity: 2.5,
            depression_load: 0.09,
            depression_tau: 2400.0,
            depression_initial: 0.0,
            facilitation_load: 0.3,
            facilitation_tau: 600.0,
            facilitation_lag: 90.0,
        }
    }
}

/// The simulated time courses of all regions.
#[derive(Clone, Debug, Default)]
pub struct RegionTraces {
    /// Output sampling rate of `lfp`, Hz.
    pub fs: f64,
    /// Per region: LFP proxy y1 − y2 − y3 (mV) at `fs`.
    pub lfp: Vec<Vec<f32>>,
    /// Per region at [`SLOW_FS`]: smoothed pyramidal rate (s⁻¹).
    pub rate: Vec<Vec<f32>>,
    /// Per region at [`SLOW_FS`]: population \[Na\] (mM).
    pub na: Vec<Vec<f32>>,
    /// Per region at [`SLOW_FS`]: fast Cl⁻ load.
    pub cl: Vec<Vec<f32>>,
    /// Per region at [`SLOW_FS`]: slow Cl⁻ load.
    pub cs: Vec<Vec<f32>>,
    /// Network depression at [`SLOW_FS`].
    pub depression: Vec<f32>,
    /// Network facilitation at [`SLOW_FS`].
    pub facilitation: Vec<f32>,
    /// Per region: mean input p̄ drawn from the seed (pulses/s).
    pub p_mean: Vec<f64>,
    /// Integration step, ms.
    pub dt_ms: f64,
}

impl RegionTraces {
    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.lfp.len()
    }
    /// Duration in seconds.
    pub fn duration(&self) -> f64 {
        self.lfp.first().map(|v| v.len() as f64 / self.fs).unwrap_or(0.0)
    }
}

/// Time-dependent forcing of regions (scenario mode): `forcing(t_s, region) ∈ [0, 1]`.
pub type Forcing<'a> = &'a dyn Fn(f64, usize) -> f64;

struct SlowAcc {
    /// Output samples seen so far.
    sample: usize,
    /// Samples in the current slow bin.
    count: usize,
    acc: Vec<f64>,
}

struct Collect<'a> {
    n: usize,
    fs: f64,
    out: &'a mut RegionTraces,
    slow: &'a mut SlowAcc,
}

impl Sink for Collect<'_> {
    fn record(&mut self, _monitor: usize, _time: f64, data: &[f64]) {
        let n = self.n;
        for i in 0..n {
            self.out.lfp[i].push(data[i] as f32);
        }
        let sl = &mut *self.slow;
        for k in 0..4 {
            for i in 0..n {
                sl.acc[k * n + i] += data[(k + 1) * n + i];
            }
        }
        sl.count += 1;
        sl.sample += 1;
        // Slow bin b covers output samples with floor(j · SLOW_FS / fs) = b.
        let bin_now = ((sl.sample - 1) as f64 * SLOW_FS / self.fs).floor();
        let bin_next = (sl.sample as f64 * SLOW_FS / self.fs).floor();
        if bin_next > bin_now {
            let c = sl.count as f64;
            for i in 0..n {
                self.out.rate[i].push((sl.acc[i] / c) as f32);
                self.out.na[i].push((sl.acc[n + i] / c) as f32);
                self.out.cl[i].push((sl.acc[2 * n + i] / c) as f32);
                self.out.cs[i].push((sl.acc[3 * n + i] / c) as f32);
            }
            sl.acc.iter_mut().for_each(|v| *v = 0.0);
            sl.count = 0;
        }
    }
}

/// Largest integration step, ms. The fastest process of the region model is the fast somatic
/// inhibition (g = 500 s⁻¹, 2 ms); Heun at ≤ 1 ms keeps g·dt ≤ 0.5.
pub const MAX_DT_MS: f64 = 1.0;

/// Integration step (ms) for an output rate: the largest step ≤ [`MAX_DT_MS`] that divides the
/// output period (the temporal-average monitor needs a whole number of steps per sample).
pub fn dt_for(fs: f64) -> f64 {
    let period = 1000.0 / fs;
    let k = (period / MAX_DT_MS).ceil().max(1.0);
    period / k
}

/// Draw the per-region mean inputs from the seed.
pub fn draw_nodes(n: usize, params: &NetworkParams, seed: u64) -> Vec<NodeParams> {
    let mut s = Stream::new(seed, 0x4E0DE);
    (0..n).map(|_| NodeParams { p_mean: params.region.p_mean + params.heterogeneity * s.normal(), b_scale: 1.0 }).collect()
}

/// Run the network for `duration_s` seconds at output rate `fs`.
///
/// `progress(t)` is called after each block with the simulated time in seconds. `forcing` is
/// `None` in the dynamic mode.
#[allow(clippy::too_many_arguments)]
pub fn run(
    net: &Network,
    params: &NetworkParams,
    gains: Gains,
    kna: crate::channel::KnaChannel,
    duration_s: f64,
    fs: f64,
    seed: u64,
    forcing: Option<Forcing<'_>>,
    progress: &mut dyn FnMut(f64),
) -> Result<RegionTraces> {
    if !(duration_s.is_finite() && duration_s > 0.0) {
        return Err(Error::InvalidParameter { field: "duration".into(), message: format!("must be positive, got {duration_s} s") });
    }
    if !(fs.is_finite() && fs >= 64.0) {
        return Err(Error::InvalidParameter { field: "fs".into(), message: format!("must be at least 64 Hz, got {fs}") });
    }
    let n = net.len();
    let nodes = draw_nodes(n, params, seed);
    let p_means: Vec<f64> = nodes.iter().map(|p| p.p_mean).collect();
    let mut model = RegionModel::new(params.region.clone(), gains, kna, nodes, params.coupling);
    model.depression = params.depression_initial;
    let dt = dt_for(fs);
    let xi_nsig = model.xi_nsig();
    let mut nsig = vec![0.0; NVAR];
    nsig[IX_XI] = xi_nsig;
    nsig[crate::region::IX_ZETA] = model.zeta_nsig();
    // Initial states: resting, with small random LFP offsets so the regions are not identical.
    let mut init_rng = Stream::new(seed, 0x1A17);
    let rest = model.resting_state();
    let init: Vec<[f64; NVAR]> = (0..n)
        .map(|_| {
            let mut x = rest;
            x[IX_XI] = 5.0 * init_rng.normal();
            x[crate::region::IX_ZETA] = params.region.zeta_sd * init_rng.normal();
            x
        })
        .collect();
    let mut sim = Simulation::builder(model, Linear { a: 1.0, b: 0.0 }, &net.conn)
        .speed(net.speed)
        .dt(dt)
        .integrator(Integrator::Heun)
        .noise(Noise::per_variable(nsig))
        .seed(seed)
        .initial_state(init)
        .monitor(Monitor::temporal_average(1000.0 / fs))
        .build()?;
    // Burn-in: settle the fast variables on the background state with the activity-dependent
    // loading switched off, then start from clean slow variables.
    {
        let m = sim.model_mut();
        let saved = (m.params.cl_load, m.params.na_load, m.params.cs_load);
        m.params.cl_load = 0.0;
        m.params.na_load = 0.0;
        m.params.cs_load = 0.0;
        sim.run_for(BURN_IN_S * 1000.0, &mut crate::network::NullSink);
        let m = sim.model_mut();
        (m.params.cl_load, m.params.na_load, m.params.cs_load) = saved;
        let na_eq = sim.model().pump.na_eq;
        for x in sim.state_mut() {
            x[crate::region::IX_CL] = 0.0;
            x[crate::region::IX_CS] = 0.0;
            x[crate::region::IX_NA] = na_eq;
        }
    }
    let n_samples = (duration_s * fs).round() as usize;
    let mut out = RegionTraces {
        fs,
        lfp: vec![Vec::with_capacity(n_samples); n],
        rate: vec![Vec::new(); n],
        na: vec![Vec::new(); n],
        cl: vec![Vec::new(); n],
        cs: vec![Vec::new(); n],
        depression: Vec::new(),
        facilitation: Vec::new(),
        p_mean: p_means,
        dt_ms: dt,
    };
    let steps_per_sample = ((1000.0 / fs) / dt).round() as u64;
    let samples_per_block = (BLOCK_S * fs).round().max(1.0) as usize;
    let mut done = 0usize;
    let mut d = params.depression_initial;
    let mut e = 0.0f64;
    let mut e_hist: Vec<f64> = Vec::new();
    let theta = params.region.theta;
    let rate_ictal = params.region.rate_ictal;
    let mut slow_count = 0usize;
    let mut slow = SlowAcc { sample: 0, count: 0, acc: vec![0.0; 4 * n] };
    while done < n_samples {
        let m = samples_per_block.min(n_samples - done);
        let t0 = done as f64 / fs;
        if let Some(f) = forcing {
            let fm = &mut sim.model_mut().forcing;
            for (i, v) in fm.iter_mut().enumerate() {
                *v = f(t0 + 0.5 * m as f64 / fs, i).clamp(0.0, 1.0);
            }
        }
        {
            let mut sink = Collect { n, fs, out: &mut out, slow: &mut slow };
            sim.run(m as u64 * steps_per_sample, &mut sink);
        }
        done += m;
        // Network depression from the current smoothed rates.
        let st = sim.state();
        let mean_h: f64 = st.iter().map(|x| ((x[IX_RATE] - theta) / (rate_ictal - theta)).clamp(0.0, 1.0)).sum::<f64>() / n as f64;
        let dt_block = m as f64 / fs;
        d += dt_block * (params.depression_load * mean_h - d / params.depression_tau);
        d = d.max(0.0);
        e += dt_block * (params.facilitation_load * mean_h * (1.0 - e) - e / params.facilitation_tau);
        e = e.clamp(0.0, 1.0);
        e_hist.push(e);
        let lag_blocks = (params.facilitation_lag / BLOCK_S).round() as usize;
        let e_eff = if e_hist.len() > lag_blocks { e_hist[e_hist.len() - 1 - lag_blocks] } else { 0.0 };
        sim.model_mut().depression = d;
        sim.model_mut().facilitation = e_eff;
        let new_slow = out.rate[0].len();
        while slow_count < new_slow {
            out.depression.push(d as f32);
            out.facilitation.push(sim.model().facilitation as f32);
            slow_count += 1;
        }
        progress(done as f64 / fs);
    }
    Ok(out)
}
