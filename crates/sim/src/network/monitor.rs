//! Monitors (what is recorded, TVB `tvb.simulator.monitors` semantics) and sinks (where the
//! samples go).
//!
//! Every monitor emits samples as flat slices in TVB's `(variable, node-or-sensor)` order:
//! `data[v * n_columns + c]` is observable `voi[v]` at node (or sensor) `c`. Samples are streamed
//! to a [`Sink`] as they are produced; nothing is stored by the engine, so a run of any length
//! needs only the memory of one sample per monitor.
//!
//! Steps are numbered from 1 (the initial state is step 0, at time 0). With `P` the monitor's
//! period in steps:
//!
//! | monitor | emits at | time stamp | value |
//! |---|---|---|---|
//! | [`Monitor::Raw`] | every step | `step·dt` | all observables |
//! | [`Monitor::SubSample`] | `step % P == 0` | `step·dt` | the state at that step |
//! | [`Monitor::TemporalAverage`] | `step % P == 0` | `(step − P/2)·dt` | mean of the last `P` steps |
//! | [`Monitor::Projection`] | `step % P == 0` | `(step − P/2)·dt` | `gain · mean of last P steps`, + noise, − reference |
//!
//! `P = round(period/dt)` (ties to even) for SubSample and TemporalAverage, `P = ⌊period/dt⌋` for
//! Projection, as in TVB (`iround` vs `int`).

use crate::{Error, Result};

/// Where monitor samples go. Implemented for closures `FnMut(usize, f64, &[f64])`
/// (monitor index, time in ms, data).
pub trait Sink {
    /// Receives one sample of monitor `monitor` (index in the order monitors were added) at
    /// `time` (ms), laid out as described in the module docs.
    fn record(&mut self, monitor: usize, time: f64, data: &[f64]);
}

impl<F: FnMut(usize, f64, &[f64])> Sink for F {
    #[inline]
    fn record(&mut self, monitor: usize, time: f64, data: &[f64]) {
        self(monitor, time, data)
    }
}

/// A sink that discards everything (for runs that only need the final state).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    #[inline]
    fn record(&mut self, _monitor: usize, _time: f64, _data: &[f64]) {}
}

/// A sink that keeps every sample in memory (for tests and short runs).
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// Per monitor: sample times (ms).
    pub times: Vec<Vec<f64>>,
    /// Per monitor: samples concatenated (each of `rows × columns` values).
    pub data: Vec<Vec<f64>>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of samples recorded for `monitor`.
    pub fn n_samples(&self, monitor: usize) -> usize {
        self.times.get(monitor).map_or(0, Vec::len)
    }
}

impl Sink for Recorder {
    fn record(&mut self, monitor: usize, time: f64, data: &[f64]) {
        if self.times.len() <= monitor {
            self.times.resize_with(monitor + 1, Vec::new);
            self.data.resize_with(monitor + 1, Vec::new);
        }
        self.times[monitor].push(time);
        self.data[monitor].extend_from_slice(data);
    }
}

/// EEG reference of a [`Projection`] monitor (TVB `EEG.reference`).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Reference {
    /// Reference-free (ideal) potentials (TVB default).
    #[default]
    None,
    /// Average reference: the mean over all sensors is subtracted (sensors whose gain row was
    /// NaN and zeroed are included, as in TVB).
    Average,
    /// Referenced to one sensor (index into the gain's rows).
    Sensor(usize),
}

/// A lead-field projection monitor (TVB `Projection`/`EEG`): each sample is the gain matrix
/// applied to the observables, averaged over the period; non-finite gain coefficients are set
/// to zero (TVB zeroes the NaN rows of tvb-data's EEG projection).
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// Gain matrix, `n_sensors × n_nodes`, row-major (`gain[s * n_nodes + node]`).
    pub gain: Vec<f64>,
    /// Number of sensors (rows of `gain`).
    pub n_sensors: usize,
    /// Sampling period (ms).
    pub period: f64,
    /// Observables projected (indices into the model's observables); `None` = all.
    pub voi: Option<Vec<usize>>,
    /// Reference.
    pub reference: Reference,
    /// Standard deviation of white observation noise added to each sample before
    /// referencing (TVB's default EEG `obsnoise` adds `√dt · N(0,1)`, i.e. `dt.sqrt()` here);
    /// 0 for none. Drawn from its own random sub-stream, so it never changes the dynamics.
    pub obs_noise_std: f64,
}

/// What to record (see the module docs for timing).
#[derive(Clone, Debug, PartialEq)]
pub enum Monitor {
    /// Every step, all observables of all nodes (TVB `Raw`).
    Raw,
    /// Every `period` ms, the instantaneous observables (TVB `SubSample`).
    SubSample {
        /// Period (ms).
        period: f64,
        /// Observables recorded; `None` = all.
        voi: Option<Vec<usize>>,
    },
    /// Every `period` ms, the mean over the period (TVB `TemporalAverage`).
    TemporalAverage {
        /// Period (ms).
        period: f64,
        /// Observables recorded; `None` = all.
        voi: Option<Vec<usize>>,
    },
    /// Lead-field projection (TVB `EEG`/`MEG`/`iEEG`).
    Projection(Projection),
}

impl Monitor {
    /// TVB `SubSample(period)` of all observables.
    pub fn sub_sample(period: f64) -> Self {
        Monitor::SubSample { period, voi: None }
    }
    /// TVB `TemporalAverage(period)` of all observables.
    pub fn temporal_average(period: f64) -> Self {
        Monitor::TemporalAverage { period, voi: None }
    }
    /// TVB `EEG` with a region-level gain matrix (`n_sensors × n_nodes`, row-major), all
    /// observables, no reference and no observation noise.
    pub fn projection(gain: Vec<f64>, n_sensors: usize, period: f64) -> Self {
        Monitor::Projection(Projection { gain, n_sensors, period, voi: None, reference: Reference::None, obs_noise_std: 0.0 })
    }
    /// Restricts the monitor to these observables (ignored by `Raw`, which records all).
    pub fn with_voi(mut self, v: Vec<usize>) -> Self {
        match &mut self {
            Monitor::Raw => {}
            Monitor::SubSample { voi, .. } | Monitor::TemporalAverage { voi, .. } => *voi = Some(v),
            Monitor::Projection(p) => p.voi = Some(v),
        }
        self
    }
    /// Sets the reference of a projection monitor (no effect on others).
    pub fn with_reference(mut self, r: Reference) -> Self {
        if let Monitor::Projection(p) = &mut self {
            p.reference = r;
        }
        self
    }
    /// Sets the observation noise of a projection monitor (no effect on others).
    pub fn with_obs_noise(mut self, std: f64) -> Self {
        if let Monitor::Projection(p) = &mut self {
            p.obs_noise_std = std;
        }
        self
    }
}

/// Shape and timing of a configured monitor's samples.
#[derive(Clone, Debug, PartialEq)]
pub struct MonitorInfo {
    /// Rows of each sample: the observables recorded (indices into the model's observables).
    pub voi: Vec<usize>,
    /// Columns of each sample: nodes, or sensors for a projection.
    pub n_columns: usize,
    /// Period in integration steps.
    pub period_steps: u64,
    /// Sampling period in ms (`period_steps · dt`).
    pub sample_period: f64,
}

impl MonitorInfo {
    /// Values per sample (`voi.len() · n_columns`).
    pub fn sample_len(&self) -> usize {
        self.voi.len() * self.n_columns
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Raw,
    SubSample,
    TemporalAverage,
    Projection,
}

/// Runtime state of a monitor.
#[derive(Clone, Debug)]
pub(crate) struct MonitorState {
    pub kind: Kind,
    pub info: MonitorInfo,
    /// Running sums per (voi, node) for averaging monitors.
    pub acc: Vec<f64>,
    /// Output buffer (rows × columns).
    pub out: Vec<f64>,
    /// Projection: finite gain, transposed to node-major (`gain_t[node * n_sensors + s]`).
    pub gain_t: Vec<f64>,
    /// Projection: reference weights per sensor (empty = none).
    pub ref_vec: Vec<f64>,
    pub obs_noise_std: f64,
}

/// Sensors whose projection sums are formed together (in registers) by `emit_average`.
const SENSOR_BLOCK: usize = 16;

fn iround_ties_even(x: f64) -> f64 {
    x.round_ties_even()
}

fn check_voi(field: &str, voi: &Option<Vec<usize>>, n_obs: usize) -> Result<Vec<usize>> {
    match voi {
        None => Ok((0..n_obs).collect()),
        Some(v) => {
            if v.is_empty() {
                return Err(Error::InvalidParameter { field: format!("{field}.voi"), message: "empty list of observables".into() });
            }
            for (k, &i) in v.iter().enumerate() {
                if i >= n_obs {
                    return Err(Error::InvalidParameter {
                        field: format!("{field}.voi[{k}]"),
                        message: format!("observable index {i} out of range (the model has {n_obs})"),
                    });
                }
            }
            Ok(v.clone())
        }
    }
}

fn period_steps(field: &str, period: f64, dt: f64, truncate: bool) -> Result<u64> {
    if !(period.is_finite() && period > 0.0) {
        return Err(Error::InvalidParameter {
            field: format!("{field}.period"),
            message: format!("must be a positive number of ms, got {period}"),
        });
    }
    let q = period / dt;
    let p = if truncate { q.trunc() } else { iround_ties_even(q) };
    if p < 1.0 {
        return Err(Error::InvalidParameter {
            field: format!("{field}.period"),
            message: format!("{period} ms is shorter than one integration step (dt = {dt} ms)"),
        });
    }
    Ok(p as u64)
}

impl MonitorState {
    pub(crate) fn configure(index: usize, m: &Monitor, n_nodes: usize, n_obs: usize, dt: f64) -> Result<Self> {
        let field = format!("monitors[{index}]");
        let (kind, voi, n_columns, period_steps, gain, ref_vec, obs_noise_std) = match m {
            Monitor::Raw => (Kind::Raw, (0..n_obs).collect(), n_nodes, 1, Vec::new(), Vec::new(), 0.0),
            Monitor::SubSample { period, voi } => (
                Kind::SubSample,
                check_voi(&field, voi, n_obs)?,
                n_nodes,
                period_steps(&field, *period, dt, false)?,
                Vec::new(),
                Vec::new(),
                0.0,
            ),
            Monitor::TemporalAverage { period, voi } => (
                Kind::TemporalAverage,
                check_voi(&field, voi, n_obs)?,
                n_nodes,
                period_steps(&field, *period, dt, false)?,
                Vec::new(),
                Vec::new(),
                0.0,
            ),
            Monitor::Projection(p) => {
                if p.n_sensors == 0 {
                    return Err(Error::InvalidParameter {
                        field: format!("{field}.n_sensors"),
                        message: "a projection needs at least one sensor".into(),
                    });
                }
                if p.gain.len() != p.n_sensors * n_nodes {
                    return Err(Error::InvalidParameter {
                        field: format!("{field}.gain"),
                        message: format!(
                            "expected {} × {} = {} coefficients (sensors × nodes), got {}",
                            p.n_sensors,
                            n_nodes,
                            p.n_sensors * n_nodes,
                            p.gain.len()
                        ),
                    });
                }
                if !(p.obs_noise_std.is_finite() && p.obs_noise_std >= 0.0) {
                    return Err(Error::InvalidParameter {
                        field: format!("{field}.obs_noise_std"),
                        message: format!("must be finite and ≥ 0, got {}", p.obs_noise_std),
                    });
                }
                // TVB zeroes non-finite coefficients; stored node-major for the sample loop
                let mut gain = vec![0.0; p.gain.len()];
                for s in 0..p.n_sensors {
                    for node in 0..n_nodes {
                        let g = p.gain[s * n_nodes + node];
                        gain[node * p.n_sensors + s] = if g.is_finite() { g } else { 0.0 };
                    }
                }
                let ref_vec = match p.reference {
                    Reference::None => Vec::new(),
                    Reference::Average => vec![1.0 / p.n_sensors as f64; p.n_sensors],
                    Reference::Sensor(s) => {
                        if s >= p.n_sensors {
                            return Err(Error::InvalidParameter {
                                field: format!("{field}.reference"),
                                message: format!("sensor {s} out of range ({} sensors)", p.n_sensors),
                            });
                        }
                        let mut r = vec![0.0; p.n_sensors];
                        r[s] = 1.0;
                        r
                    }
                };
                (
                    Kind::Projection,
                    check_voi(&field, &p.voi, n_obs)?,
                    p.n_sensors,
                    period_steps(&field, p.period, dt, true)?,
                    gain,
                    ref_vec,
                    p.obs_noise_std,
                )
            }
        };
        let n_voi = voi.len();
        let acc = match kind {
            Kind::TemporalAverage | Kind::Projection => vec![0.0; n_voi * n_nodes],
            _ => Vec::new(),
        };
        Ok(MonitorState {
            kind,
            info: MonitorInfo { voi, n_columns, period_steps, sample_period: period_steps as f64 * dt },
            acc,
            out: vec![0.0; n_voi * n_columns],
            gain_t: gain,
            ref_vec,
            obs_noise_std,
        })
    }

    /// Whether this monitor needs the observables at `step`.
    #[inline]
    pub(crate) fn needs_obs(&self, step: u64) -> bool {
        match self.kind {
            Kind::Raw | Kind::TemporalAverage | Kind::Projection => true,
            Kind::SubSample => step.is_multiple_of(self.info.period_steps),
        }
    }

    /// Consumes the observables `obs` (variable-major: `obs[o * n_nodes + node]`) of step `step`;
    /// emits a sample to `sink` when due.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update<S: Sink + ?Sized>(
        &mut self,
        index: usize,
        step: u64,
        dt: f64,
        obs: &[f64],
        n_nodes: usize,
        rng: &mut super::rng::NormalRng,
        sink: &mut S,
    ) {
        let p = self.info.period_steps;
        match self.kind {
            Kind::Raw => {
                for (v, &o) in self.info.voi.iter().enumerate() {
                    self.out[v * n_nodes..(v + 1) * n_nodes].copy_from_slice(&obs[o * n_nodes..(o + 1) * n_nodes]);
                }
                sink.record(index, step as f64 * dt, &self.out);
            }
            Kind::SubSample => {
                if step.is_multiple_of(p) {
                    for (v, &o) in self.info.voi.iter().enumerate() {
                        self.out[v * n_nodes..(v + 1) * n_nodes].copy_from_slice(&obs[o * n_nodes..(o + 1) * n_nodes]);
                    }
                    sink.record(index, step as f64 * dt, &self.out);
                }
            }
            Kind::TemporalAverage | Kind::Projection => {
                for (v, &o) in self.info.voi.iter().enumerate() {
                    let row = &mut self.acc[v * n_nodes..(v + 1) * n_nodes];
                    for (a, x) in row.iter_mut().zip(&obs[o * n_nodes..(o + 1) * n_nodes]) {
                        *a += x;
                    }
                }
                if step.is_multiple_of(p) {
                    self.emit_average(index, step, dt, n_nodes, rng, sink);
                }
            }
        }
    }

    #[cold]
    fn emit_average<S: Sink + ?Sized>(
        &mut self,
        index: usize,
        step: u64,
        dt: f64,
        n_nodes: usize,
        rng: &mut super::rng::NormalRng,
        sink: &mut S,
    ) {
        let p = self.info.period_steps;
        let pf = p as f64;
        let time = (step as f64 - pf / 2.0) * dt;
        let n_voi = self.info.voi.len();
        if self.kind == Kind::TemporalAverage {
            for (o, a) in self.out.iter_mut().zip(self.acc.iter_mut()) {
                *o = *a / pf;
                *a = 0.0;
            }
        } else {
            let ns = self.info.n_columns;
            for v in 0..n_voi {
                let acc = &self.acc[v * n_nodes..(v + 1) * n_nodes];
                let out = &mut self.out[v * ns..(v + 1) * ns];
                // out[s] = Σ_node gain[s][node] · acc[node], summed from 0 in node order for
                // every sensor; sensors in blocks of SENSOR_BLOCK whose sums stay in registers
                // over the node loop (vectorised across sensors).
                let mut s0 = 0;
                while s0 + SENSOR_BLOCK <= ns {
                    let mut r = [0.0; SENSOR_BLOCK];
                    for (g, &a) in self.gain_t.chunks_exact(ns).zip(acc) {
                        let g: &[f64; SENSOR_BLOCK] = g[s0..s0 + SENSOR_BLOCK].try_into().unwrap();
                        for k in 0..SENSOR_BLOCK {
                            r[k] += g[k] * a;
                        }
                    }
                    out[s0..s0 + SENSOR_BLOCK].copy_from_slice(&r);
                    s0 += SENSOR_BLOCK;
                }
                if s0 < ns {
                    let rest = &mut out[s0..];
                    rest.iter_mut().for_each(|o| *o = 0.0);
                    for (g, &a) in self.gain_t.chunks_exact(ns).zip(acc) {
                        for (o, &gs) in rest.iter_mut().zip(&g[s0..]) {
                            *o += gs * a;
                        }
                    }
                }
                for o in out.iter_mut() {
                    *o /= pf;
                }
                if self.obs_noise_std > 0.0 {
                    for o in out.iter_mut() {
                        *o += self.obs_noise_std * rng.normal();
                    }
                }
                if !self.ref_vec.is_empty() {
                    let r: f64 = self.ref_vec.iter().zip(out.iter()).map(|(w, x)| w * x).sum();
                    for o in out.iter_mut() {
                        *o -= r;
                    }
                }
            }
            self.acc.iter_mut().for_each(|a| *a = 0.0);
        }
        sink.record(index, time, &self.out);
    }
}
