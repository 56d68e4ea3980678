//! The whole chain: configuration → region dynamics → truth → scalp EEG → files.
//!
//! [`simulate`] returns a [`SimOutput`]: a [`Recording`] (19 referential channels `EEG Fp1-Ref` …
//! in µV, with the truth as EDF+ annotations), the SzCORE events ([`EventsFile`]) and the
//! [`Truth`]. [`SimOutput::write`] writes `<name>.edf`, `<name>_events.tsv` and
//! `<name>_truth.json` (each to a temporary name, renamed when complete).
//!
//! # Truth file schema (`<name>_truth.json`)
//! ```text
//! {
//!   "schema": "eimfs-sim-truth/1",
//!   "seizures": [SeizureMap …],            // eimfs_core::SeizureMap, ids 1…, in order of onset
//!   "seizure_details": [{ "id", "network_visits": [[label, start, end] …], "channels": [..],
//!                         "frequency_hz" } …],
//!   "regions": [{ "label", "region", "electrode", "position", "p_mean", "n_episodes",
//!                 "ictal_seconds", "ictal_fraction", "onsets", "max_na", "mean_rate",
//!                 "episodes": [[start, end] …], "rate_1hz": [..] } …],
//!   "artefacts": [{ "kind", "onset", "duration", "channels", "amplitude_uv", "seed" } …],
//!   "states": [{ "state": "quiet_sleep"|"active_sleep"|"wake", "start", "end" } …],
//!   "network": { "source", "n_regions", "speed_mm_per_ms", "labels" },
//!   "parameters": { "seed", "duration_s", "fs", "variant", "quinidine_um", "quinidine_block",
//!                   "gains", "population_effects", "network", "artefacts", "mode", "dt_ms",
//!                   "background_maturity", "kinetics",
//!                   "background_discontinuity", "sharp_transients_per_min",
//!                   "slow_waves_per_min", "background_slow_dominance", "leadfield" },
//!   "depression_1hz": [..], "facilitation_1hz": [..]
//! }
//! ```
//! Times are seconds from the recording start.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use eimfs_core::{Annotation, Electrode, Event, EventsFile, Recording, SeizureMap, Signal};
use serde::{Deserialize, Serialize};

use crate::artefacts::{self, Artefact, ArtefactConfig};
use crate::background::{self, StatePeriod};
use crate::cells::{PopulationEffect, population_effects};
use crate::channel::{KnaChannel, Quinidine, Variant};
use crate::cortex::Network;
use crate::dynamic::{self, NetworkParams, RegionTraces};
use crate::head::{LeadField, SphereHead};
use crate::region::Gains;
use crate::render;
use crate::scenario::Scenario;
use crate::truth::{self, RegionSummary, SeizureDetail};
use crate::{Error, Result};

/// Everything that defines a simulation.
#[derive(Clone, Debug)]
pub struct Config {
    /// Duration, s.
    pub duration_s: f64,
    /// Seed.
    pub seed: u64,
    /// Output sampling rate, Hz (≥ 64).
    pub fs: f64,
    /// KCNT1 variant.
    pub variant: Variant,
    /// Quinidine concentration, µM.
    pub quinidine_um: f64,
    /// Network and region parameters.
    pub network: NetworkParams,
    /// Artefacts.
    pub artefacts: ArtefactConfig,
    /// Scenario (scripted seizures) instead of the dynamic mode.
    pub scenario: Option<Scenario>,
    /// A TVB connectivity zip to use instead of the default infant cortex.
    pub connectivity: Option<PathBuf>,
    /// A lead-field file to use instead of the spherical head model.
    pub leadfield: Option<PathBuf>,
    /// Population gains to use instead of computing them from the cells (for sweeps that reuse
    /// them); `None` computes them.
    pub gains: Option<(Gains, Vec<PopulationEffect>)>,
    /// Maturity of the background in [0, 1] (see [`crate::background`]); `None` draws it from
    /// the seed.
    pub background_maturity: Option<f64>,
    /// Synaptic kinetics factor k of the regions ([`crate::region::RegionParams::kinetics`]): the
    /// ictal rhythm is ≈ 7·k Hz. `None` draws it from the seed ([`draw_kinetics`]).
    pub kinetics: Option<f64>,
    /// Texture of the background: discontinuity, sharp transients and slow waves (see
    /// [`crate::background`]); `None` draws it from the seed.
    pub background_texture: Option<background::Texture>,
    /// Slow-wave dominance of the background in [0, 5] (see [`crate::background`]); `None`
    /// draws it from the seed (0 to [`background::SLOW_DOMINANCE_MAX`]).
    pub background_slow_dominance: Option<f64>,
}

/// Range of the synaptic kinetics factor drawn per recording: ictal rhythms from ≈ 2 Hz
/// (delta) to ≈ 7 Hz (theta–alpha).
pub const KINETICS_RANGE: (f64, f64) = (0.25, 1.0);

/// The synaptic kinetics factor drawn from a recording's seed: uniform in [`KINETICS_RANGE`].
///
/// Why a range: synaptic currents are slower in immature cortex (GABA_A IPSCs decay 2–3× more
/// slowly in the first postnatal weeks than in the mature cortex, and AMPA/NMDA EPSCs are slower
/// too), so an infant's neural mass has smaller rate constants than Wendling's adult values,
/// and by how much varies with age. Recorded EIMFS seizures start as rhythmic alpha or theta
/// activity, and neonatal and infant seizures in general are often rhythmic theta or delta.
pub fn draw_kinetics(seed: u64) -> f64 {
    let (lo, hi) = KINETICS_RANGE;
    crate::rng::Stream::new(seed, 0x41E7).range(lo, hi)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            duration_s: 7200.0,
            seed: 1,
            fs: 256.0,
            variant: Variant::gain_of_function(),
            quinidine_um: 0.0,
            network: NetworkParams::default(),
            artefacts: ArtefactConfig::default(),
            scenario: None,
            connectivity: None,
            leadfield: None,
            gains: None,
            background_maturity: None,
            kinetics: None,
            background_texture: None,
            background_slow_dominance: None,
        }
    }
}

/// The ground truth of a simulation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Truth {
    /// Schema name and version.
    pub schema: String,
    /// Seizures.
    pub seizures: Vec<SeizureMap>,
    /// Extra per-seizure detail (network regions, involved channels, frequency).
    pub seizure_details: Vec<SeizureDetail>,
    /// Per-region summaries.
    pub regions: Vec<RegionSummary>,
    /// Artefact events.
    pub artefacts: Vec<Artefact>,
    /// Vigilance states.
    pub states: Vec<StatePeriod>,
    /// Network description.
    pub network: serde_json::Value,
    /// Parameters.
    pub parameters: serde_json::Value,
    /// Network depression, once per second.
    pub depression_1hz: Vec<f32>,
    /// Network facilitation, once per second.
    pub facilitation_1hz: Vec<f32>,
}

/// Outputs of [`simulate`].
#[derive(Clone, Debug)]
pub struct SimOutput {
    /// The EEG recording with annotations.
    pub recording: Recording,
    /// SzCORE events (seizures and artefacts).
    pub events: EventsFile,
    /// Ground truth.
    pub truth: Truth,
    /// The region traces (not written to files).
    pub traces: RegionTraces,
    /// The network that was simulated.
    pub network: Network,
}

/// Start time written to the files (a fixed, deterministic date).
pub fn start_time() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2024-01-01 20:00:00", "%Y-%m-%d %H:%M:%S").expect("valid date")
}

/// EDF label of an electrode's referential channel, as real files write it.
pub fn channel_label(e: Electrode) -> String {
    format!("EEG {}-Ref", e.name())
}

fn validate(cfg: &Config) -> Result<()> {
    let bad = |f: &str, m: String| Err(Error::InvalidParameter { field: f.into(), message: m });
    if !(cfg.duration_s.is_finite() && cfg.duration_s > 0.0) {
        return bad("duration", format!("must be a positive number of seconds, got {}", cfg.duration_s));
    }
    if cfg.duration_s > 7.0 * 86400.0 {
        return bad("duration", format!("at most 7 days, got {} s", cfg.duration_s));
    }
    if !(cfg.fs.is_finite() && cfg.fs >= 64.0 && cfg.fs <= 4096.0) {
        return bad("fs", format!("must be between 64 and 4096 Hz, got {}", cfg.fs));
    }
    if !(cfg.quinidine_um.is_finite() && cfg.quinidine_um >= 0.0) {
        return bad("quinidine", format!("must be a concentration >= 0 µM, got {}", cfg.quinidine_um));
    }
    if let Some(k) = cfg.kinetics
        && !(k.is_finite() && (0.1..=2.0).contains(&k))
    {
        return bad("kinetics", format!("must be between 0.1 and 2, got {k}"));
    }
    if let Some(t) = cfg.background_texture {
        let d = t.discontinuity;
        if !(d.is_finite() && (0.0..=1.0).contains(&d)) {
            return bad("discontinuity", format!("must be between 0 and 1, got {d}"));
        }
        for (name, r) in [("sharp transients", t.sharp_per_min), ("slow waves", t.slow_waves_per_min)] {
            if !(r.is_finite() && (0.0..=600.0).contains(&r)) {
                return bad(name, format!("must be between 0 and 600 per minute, got {r}"));
            }
        }
    }
    if let Some(s) = cfg.background_slow_dominance
        && !(s.is_finite() && (0.0..=5.0).contains(&s))
    {
        return bad("slow dominance", format!("must be between 0 and 5, got {s}"));
    }
    if let Some(m) = cfg.background_maturity
        && !(m.is_finite() && (0.0..=1.0).contains(&m))
    {
        return bad("maturity", format!("must be between 0 and 1, got {m}"));
    }
    if cfg.artefacts.mains_hz != 50.0 && cfg.artefacts.mains_hz != 60.0 {
        return bad("mains", format!("must be 50 or 60 Hz, got {}", cfg.artefacts.mains_hz));
    }
    cfg.variant.validate()
}

/// Dominant frequency (Hz) of an LFP segment between 0.5 and 20 Hz, by counting upward
/// crossings of the segment mean.
fn dominant_frequency(x: &[f32], fs: f64) -> f64 {
    if x.len() < 4 {
        return 0.0;
    }
    let m = x.iter().map(|v| *v as f64).sum::<f64>() / x.len() as f64;
    let ups = x.windows(2).filter(|w| (w[0] as f64) < m && (w[1] as f64) >= m).count();
    ups as f64 / (x.len() as f64 / fs)
}

/// Run the whole simulation. `progress(fraction, stage)` reports progress in \[0, 1\].
pub fn simulate(cfg: &Config, progress: &mut dyn FnMut(f64, &str)) -> Result<SimOutput> {
    validate(cfg)?;
    let drug = Quinidine::micromolar(cfg.quinidine_um);
    progress(0.0, "cells");
    let (gains, effects) = match &cfg.gains {
        Some(g) => g.clone(),
        None => {
            let eff = population_effects(&cfg.variant, drug);
            (Gains::from_effects(&eff), eff)
        }
    };
    let net = match &cfg.connectivity {
        None => Network::infant_default(),
        Some(p) => {
            let c = crate::connectivity::Connectivity::from_tvb_zip(p)?;
            Network::from_connectivity(c, &p.display().to_string())?
        }
    };
    let lf = match &cfg.leadfield {
        None => {
            let head = SphereHead::infant();
            let pos: Vec<[f64; 3]> = net.regions.iter().map(|r| r.position).collect();
            let ori: Vec<[f64; 3]> = net.regions.iter().map(|r| r.orientation).collect();
            let mut lf = head.lead_field(&pos, &ori);
            lf.source_labels = net.regions.iter().map(|r| r.label.clone()).collect();
            lf
        }
        Some(p) => {
            let lf = LeadField::read(p)?;
            if lf.n_sources != net.len() {
                return Err(Error::File {
                    path: p.clone(),
                    line: None,
                    message: format!("{} sources (columns) for a network of {} regions", lf.n_sources, net.len()),
                });
            }
            lf
        }
    };
    let mut params = cfg.network.clone();
    params.region.kinetics = cfg.kinetics.unwrap_or_else(|| draw_kinetics(cfg.seed));
    let forcing_fn;
    let forcing: Option<dynamic::Forcing<'_>> = match &cfg.scenario {
        Some(sc) => {
            // Scripted seizures only: no spontaneous onsets, no recruitment, no cluster feedback.
            params.region.zeta_sd = 0.0;
            params.region.ff_load = 0.0;
            params.facilitation_load = 0.0;
            params.depression_load = 0.0;
            params.heterogeneity = 0.0;
            params.region.p_mean -= 6.0;
            forcing_fn = move |t: f64, i: usize| sc.forcing(t, i);
            Some(&forcing_fn)
        }
        None => None,
    };
    let kna = KnaChannel::new(&cfg.variant, drug);
    let dur = cfg.duration_s;
    let traces =
        dynamic::run(&net, &params, gains, kna, dur, cfg.fs, cfg.seed, forcing, &mut |t| progress(0.05 + 0.8 * t / dur, "regions"))?;
    progress(0.85, "truth");
    let eps = truth::episodes(&traces);
    let groups = truth::group(&net, &eps);
    let mut maps = truth::seizure_maps(&net, &groups);
    progress(0.87, "eeg");
    let hemis: Vec<usize> = net.regions.iter().map(|r| if r.hemisphere == eimfs_core::Hemisphere::Right { 1 } else { 0 }).collect();
    let mut bg = match cfg.background_maturity {
        Some(m) => background::Background::with_maturity(hemis, cfg.fs, dur, cfg.seed, background::BACKGROUND_NAM, m),
        None => background::Background::new(hemis, cfg.fs, dur, cfg.seed, background::BACKGROUND_NAM),
    };
    if let Some(t) = cfg.background_texture {
        bg.set_texture(t);
    }
    if let Some(s) = cfg.background_slow_dominance {
        bg.set_slow_dominance(s);
    }
    let states = bg.states.clone();
    let (theta, rate_ictal) = (params.region.theta, params.region.rate_ictal);
    let synchrony = render::ictal_synchrony(&traces, theta, rate_ictal);
    let mut data = render::render(&traces, &lf, &mut bg, &synchrony);
    let arts = artefacts::draw(&cfg.artefacts, dur, &states, cfg.seed);
    artefacts::apply(&cfg.artefacts, &arts, &mut data, cfg.fs, cfg.seed);
    progress(0.95, "truth");
    let mut details = Vec::new();
    for (m, g) in maps.iter_mut().zip(&groups) {
        let ch = render::involved_channels(&traces, &lf, &data, g, &m.onset_electrodes, &synchrony);
        let first = &g[0];
        let i0 = (first.start * cfg.fs) as usize;
        let i1 = ((first.end * cfg.fs) as usize).min(traces.lfp[first.region].len());
        details.push(SeizureDetail {
            id: m.id,
            network_visits: g.iter().map(|e| (net.regions[e.region].label.clone(), e.start, e.end)).collect(),
            channels: ch.iter().map(|e| e.name().to_string()).collect(),
            frequency_hz: dominant_frequency(&traces.lfp[first.region][i0..i1.max(i0)], cfg.fs),
        });
    }
    // Recording.
    let mut rec = Recording {
        start: Some(start_time()),
        patient: "X X X sim_infant".into(),
        recording: format!("Startdate 01-JAN-2024 X eimfs-sim seed_{}", cfg.seed),
        ..Default::default()
    };
    for e in Electrode::ALL {
        let mut s = Signal::new(channel_label(e), "uV", cfg.fs, std::mem::take(&mut data[e.index()]));
        s.transducer = "simulated".into();
        s.prefilter = format!("HP:{}Hz", render::HIGHPASS_HZ);
        rec.signals.push(s);
    }
    let mut events = Vec::new();
    let mut ann = Vec::new();
    for (m, d) in maps.iter().zip(&details) {
        let mut ev = Event::new(m.onset, m.duration(), "sz_foc");
        ev.channels = d.channels.clone();
        events.push(ev);
        ann.push(Annotation::new(
            m.onset,
            Some(m.duration()),
            format!("sz_foc #{} onset {}", m.id, m.onset_regions.iter().map(|r| r.code()).collect::<Vec<_>>().join("+")),
        ));
        for (v, (label, _, _)) in m.visits.iter().zip(&d.network_visits) {
            let idx = net.regions.iter().position(|r| &r.label == label).unwrap_or(0);
            let el = net.regions[idx].electrode;
            ann.push(Annotation {
                onset: v.start,
                duration: Some(v.end - v.start),
                text: format!("sz_foc #{} region {} ({label})", m.id, v.region.code()),
                channel: Some(channel_label(el)),
            });
        }
    }
    for a in &arts {
        let mut ev = Event::new(a.onset, a.duration, a.kind.event_type());
        ev.channels = a.channels.iter().map(|e| e.name().to_string()).collect();
        events.push(ev);
        for e in &a.channels {
            ann.push(Annotation {
                onset: a.onset,
                duration: Some(a.duration),
                text: a.kind.event_type().into(),
                channel: Some(channel_label(*e)),
            });
        }
    }
    for st in &states {
        ann.push(Annotation::new(st.start, Some(st.end - st.start), format!("state {}", st.state.name())));
    }
    ann.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    rec.annotations = ann;
    events.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    let events = EventsFile { events, date_time: Some(start_time()), recording_duration: Some(dur) };
    let regions = truth::region_summaries(&net, &traces, &eps, &groups);
    let per_s = dynamic::SLOW_FS.round() as usize;
    let down = |v: &[f32]| v.chunks(per_s).map(|c| c.iter().sum::<f32>() / c.len() as f32).collect::<Vec<f32>>();
    let truth = Truth {
        schema: "eimfs-sim-truth/1".into(),
        seizures: maps,
        seizure_details: details,
        regions,
        artefacts: arts,
        states,
        network: serde_json::json!({
            "source": net.source,
            "n_regions": net.len(),
            "speed_mm_per_ms": net.speed,
            "labels": net.regions.iter().map(|r| r.label.clone()).collect::<Vec<_>>(),
        }),
        parameters: serde_json::json!({
            "seed": cfg.seed,
            "duration_s": dur,
            "fs": cfg.fs,
            "mode": if cfg.scenario.is_some() { "scenario" } else { "dynamic" },
            "variant": cfg.variant,
            "quinidine_um": cfg.quinidine_um,
            "quinidine_block": drug.block(),
            "gains": gains,
            "population_effects": effects,
            "network": params,
            "artefacts": cfg.artefacts,
            "dt_ms": traces.dt_ms,
            "background_maturity": bg.maturity,
            "kinetics": params.region.kinetics,
            "background_discontinuity": bg.discontinuity,
            "sharp_transients_per_min": bg.transient_rate_per_min,
            "slow_waves_per_min": bg.slow_wave_rate_per_min,
            "background_slow_dominance": bg.slow_dominance,
            "leadfield": cfg.leadfield.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "infant 4-shell sphere, linked mastoids".into()),
        }),
        depression_1hz: down(&traces.depression),
        facilitation_1hz: down(&traces.facilitation),
    };
    progress(1.0, "done");
    Ok(SimOutput { recording: rec, events, truth, traces, network: net })
}

fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io { path: path.into(), source };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

impl SimOutput {
    /// Write `<dir>/<name>.edf`, `<name>_events.tsv` and `<name>_truth.json`. Returns the paths.
    pub fn write(&self, dir: &Path, name: &str) -> Result<[PathBuf; 3]> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.into(), source })?;
        let edf = dir.join(format!("{name}.edf"));
        let tsv = dir.join(format!("{name}_events.tsv"));
        let json = dir.join(format!("{name}_truth.json"));
        // Fixed physical range so that every file of every seed has the same scaling: ±3000 µV
        // (0.09 µV resolution in EDF's 16 bits); larger values (none in practice) widen it.
        let opts = eimfs_edf::RecordingWriteOptions { ranges: vec![Some((-3000.0, 3000.0)); 19], ..Default::default() };
        eimfs_edf::write_recording(&edf, &self.recording, &opts).map_err(|e| Error::File {
            path: edf.clone(),
            line: None,
            message: e.to_string(),
        })?;
        self.events.write(&tsv).map_err(|e| Error::File { path: tsv.clone(), line: None, message: e.to_string() })?;
        let text = serde_json::to_string_pretty(&self.truth).map_err(|e| Error::File {
            path: json.clone(),
            line: None,
            message: e.to_string(),
        })?;
        atomic_write(&json, text.as_bytes())?;
        Ok([edf, tsv, json])
    }
}
