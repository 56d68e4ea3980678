//! Seizure detection, onset localisation and migration mapping in long infant EEG — the clinical
//! core of **eimfs**.
//!
//! [`detect`] reads an EDF/EDF+/BDF recording of any length in bounded memory and returns every
//! seizure with its spatial map ([`SeizureMap`]: onset electrodes, region and hemisphere, the
//! ordered regions it visits, hemisphere switches, overlaps, generalisation), per-second ictal
//! probabilities overall and per region, and a [`Summary`] of seizure burden, clusters, status
//! epilepticus and the **migration verdict** with its evidence. [`write_outputs`] writes them as
//! `<stem>_events.tsv` (SzCORE/HED-SCORE), `<stem>_probability.tsv`, `<stem>_seizures.json` and
//! `<stem>_summary.json`, all or nothing.
//!
//! # Method
//!
//! The design follows the feature-based neonatal detectors that reach expert-level agreement
//! (Temko et al., Clin Neurophysiol 2011: 55 features on 8-s epochs, SVM, per-channel probability,
//! maximum over channels, moving-average smoothing; Tapani et al., Int J Neural Syst 2019: the
//! Helsinki detector, AUC 0.99; Tsuchida/ACNS 2013 for the ≥ 10 s seizure definition) and adds what
//! EIMFS needs: where each seizure starts and where it goes.
//!
//! 1. **Streaming front end** ([`decimate`], [`pipeline`]): channels are picked by name (any label
//!    style, extra ECG/respiration channels ignored, missing electrodes tolerated, flat ones left
//!    out; at least 4 usable 10-20 electrodes), brought to 64 Hz right after decoding (an 80 dB
//!    anti-alias FIR for integer factors, scipy-equal polyphase resampling otherwise), then
//!    re-referenced (default: common average of the available electrodes, so each derivation is
//!    one electrode; bipolar montages work too).
//! 2. **Features** ([`features`]) per channel and second on 8-s windows with a 1-s hop: line length
//!    (Esteller et al. 2001), RMS, Teager–Kaiser nonlinear energy, band powers (delta, theta, alpha,
//!    beta) and their ratios, spectral edge, peak frequency, spectral entropy, peak concentration
//!    and peak stability (rhythmicity: ictal discharges are "repetitive, evolving, stereotyped"),
//!    Hjorth mobility and complexity, full-rate high-frequency excess and slope crest (muscle,
//!    mains, electrode pops), each amplitude feature also relative to the channel's own running
//!    background (so the classifier generalises across infants, ages, montages and amplifiers),
//!    and context against the other channels at the same second (focal vs global). Spectra are
//!    computed once per second on 2-s segments and shared by the 7 windows that contain them
//!    (Welch's method, 0.5 Hz resolution), not re-computed per window.
//! 3. **Classifier** ([`model`]): gradient-boosted trees (or a logistic regression) from a small
//!    versioned JSON file built into the binary, evaluated by our own code (equal to
//!    scikit-learn's `predict_proba`), giving each channel's ictal probability per second.
//!    Training is reproducible from `crates/detect/train/` on simulator output and the Helsinki
//!    clips (see `docs/detector.md`).
//! 4. **Assembly** ([`assemble`]): per-electrode → per-region (lobe × hemisphere) probability,
//!    hysteresis per region with a minimum duration, grouping of region stretches into seizures
//!    (spread to neighbouring regions and hand-over migration continue a seizure; a new onset
//!    elsewhere while one runs is a new, overlapping seizure), the onset electrode as the largest
//!    one-second line-length rise over background around the onset, midline onsets lateralised by
//!    the paradoxical lateralisation of mesial sources, seizures shorter than 10 s dropped (ACNS).
//! 5. **Summary** ([`summary`]): seizures per hour, clusters, total and longest seizure time,
//!    status epilepticus (ILAE 2015 / ACNS neonatal criteria) and the migration verdict.
//!
//! # Example
//!
//! ```
//! use eimfs_core::{Recording, Signal};
//! use eimfs_detect::{detect, Config};
//!
//! // Two minutes of 19-channel EEG (pseudo-random background, 256 Hz, µV)…
//! let names = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"];
//! let mut rec = Recording::default();
//! let mut seed = 1u32;
//! for n in names {
//!     let x: Vec<f32> = (0..256 * 120).map(|_| { seed = seed.wrapping_mul(1664525).wrapping_add(1013904223); (seed >> 8) as f32 / 16777216.0 * 40.0 - 20.0 }).collect();
//!     rec.signals.push(Signal::new(format!("EEG {n}-Ref"), "uV", 256.0, x));
//! }
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("demo.edf");
//! eimfs_edf::write_recording(&path, &rec, &Default::default()).unwrap();
//!
//! // … analysed: 120 seconds, 19 electrodes, common average reference.
//! let det = detect(&path, &Config::default(), &|_, _| {}).unwrap();
//! assert_eq!(det.analysis.n_seconds, 120);
//! assert_eq!(det.analysis.derivations.len(), 19);
//! assert_eq!(det.probabilities.overall.len(), 120);
//! assert!(det.events().to_tsv().starts_with("onset\tduration\teventType"));
//! ```

#![warn(missing_docs)]

pub mod assemble;
pub mod decimate;
mod error;
pub mod features;
pub mod model;
pub mod neighbours;
pub mod output;
pub mod pipeline;
pub mod summary;

use std::fmt::Write as _;
use std::path::Path;

use eimfs_core::{Electrode, Event, EventsFile, Region, SeizureMap};
use eimfs_signal::Montage;
use rayon::prelude::*;

pub use assemble::Probabilities;
pub use error::{Error, Result};
pub use model::{Model, PostProcess};
pub use output::{OutputPaths, write_outputs};
pub use pipeline::{Analysis, AnalysisOptions, DerivationInfo};
pub use summary::Summary;

/// How readily seizures are reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Fewer false alarms, may miss faint seizures (thresholds raised).
    Low,
    /// The tuned operating point.
    #[default]
    Default,
    /// More seizures, more false alarms (thresholds lowered).
    High,
}

impl Sensitivity {
    /// Parse `low`, `default` or `high`.
    pub fn parse(s: &str) -> Option<Sensitivity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Sensitivity::Low),
            "default" | "medium" | "normal" => Some(Sensitivity::Default),
            "high" => Some(Sensitivity::High),
            _ => None,
        }
    }

    /// Threshold shift for a model's post-processing settings.
    pub fn shift(self, pp: &PostProcess) -> f64 {
        match self {
            Sensitivity::Low => pp.sensitivity_shift,
            Sensitivity::Default => 0.0,
            Sensitivity::High => -pp.sensitivity_shift,
        }
    }
}

/// Settings of [`detect`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Montage (`None`: automatic, see [`AnalysisOptions::montage`]).
    pub montage: Option<Montage>,
    /// Operating point.
    pub sensitivity: Sensitivity,
    /// The model (default: [`Model::embedded`]).
    pub model: Model,
    /// Keep every feature row (for training; see [`write_outputs`]).
    pub keep_features: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { montage: None, sensitivity: Sensitivity::Default, model: Model::embedded(), keep_features: false }
    }
}

/// Everything found in one recording.
#[derive(Clone, Debug)]
pub struct Detection {
    /// Per-derivation analysis.
    pub analysis: Analysis,
    /// Per-electrode, per-region and overall probabilities.
    pub probabilities: Probabilities,
    /// The seizures, in order of onset (ids from 1).
    pub seizures: Vec<SeizureMap>,
    /// Burden, clusters, status epilepticus, migration verdict.
    pub summary: Summary,
    /// Name of the model used.
    pub model_name: String,
    /// Operating point used.
    pub sensitivity: Sensitivity,
    /// The recording's file name.
    pub file: String,
    /// Per seizure: the involved electrodes (onset electrodes first).
    pub involved: Vec<Vec<Electrode>>,
}

/// Detect, localise and map the seizures of a recording.
///
/// `progress(done, total)` reports data records processed.
pub fn detect(path: &Path, config: &Config, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Detection> {
    let options = AnalysisOptions { montage: config.montage.clone(), keep_features: config.keep_features };
    let analysis = pipeline::analyse(path, &config.model, &options, progress)?;
    let pp = &config.model.postprocess;
    let probabilities = assemble::aggregate(&analysis, pp.smooth_seconds);
    let shift = config.sensitivity.shift(pp);
    let seizures = assemble::seizures(&probabilities, pp, shift);
    let off = (pp.threshold_off + shift).clamp(0.01, 0.99) as f32;
    let involved = seizures
        .iter()
        .map(|s| {
            let mut es: Vec<Electrode> = s.onset_electrodes.clone();
            let (a, b) = (s.onset as usize, (s.offset as usize).min(analysis.n_seconds));
            for v in &s.visits {
                for e in v.region.electrodes() {
                    let Some(p) = probabilities.electrode[e.index()].as_ref() else {
                        continue;
                    };
                    let (va, vb) = ((v.start as usize).max(a), (v.end as usize).min(b));
                    if !es.contains(&e) && p[va..vb.max(va)].iter().any(|&x| x >= off) {
                        es.push(e);
                    }
                }
            }
            es
        })
        .collect();
    let summary = summary::summarise(&seizures, &analysis.recorded(), analysis.start);
    let file = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Detection {
        analysis,
        probabilities,
        seizures,
        summary,
        model_name: config.model.name.clone(),
        sensitivity: config.sensitivity,
        file,
        involved,
    })
}

fn push_prob(s: &mut String, v: f32) {
    if v.is_nan() {
        s.push_str("n/a");
    } else {
        push_fixed3(s, v);
    }
}

/// `write!(s, "{v:.3}")`, faster for the values of the probability table. For a non-negative
/// `f32` below 10⁶, `v × 1000` is exact in `f64` (24 + 10 significant bits), so rounding it to the
/// nearest integer, halfway cases to even as the formatter does (they occur: 0.0625 → `0.062`),
/// gives the digits `{:.3}` prints. Other values (negative, −0, large, infinite) go to `write!`.
fn push_fixed3(s: &mut String, v: f32) {
    if !(v.is_sign_positive() && v < 1e6) {
        let _ = write!(s, "{v:.3}");
        return;
    }
    let r = (v as f64 * 1000.0).round_ties_even() as u32;
    let (int, frac) = (r / 1000, r % 1000);
    let mut buf = [0u8; 12];
    let mut i = buf.len();
    for d in [frac % 10, frac / 10 % 10, frac / 100] {
        i -= 1;
        buf[i] = b'0' + d as u8;
    }
    i -= 1;
    buf[i] = b'.';
    let mut n = int;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

impl Detection {
    /// The seizures as an SzCORE/HED-SCORE events file: one `sz_foc` row per seizure with its
    /// confidence and involved channels (onset electrodes first); a single `bckg` row when there
    /// is none.
    pub fn events(&self) -> EventsFile {
        let events = self
            .seizures
            .iter()
            .zip(&self.involved)
            .map(|(s, inv)| Event {
                onset: s.onset,
                duration: s.duration(),
                event_type: "sz_foc".into(),
                confidence: s.confidence,
                channels: inv.iter().map(|e| e.name().to_string()).collect(),
            })
            .collect();
        EventsFile { events, date_time: Some(self.analysis.start), recording_duration: Some(self.analysis.duration) }
    }

    /// The per-second probability table: `second`, `overall`, then one column per region code
    /// ([`Region::ALL`] order); `n/a` where there is no data or no electrode in a region.
    pub fn probability_tsv(&self) -> String {
        let n = self.analysis.n_seconds;
        let mut s = String::with_capacity(16 + n * 80);
        s.push_str("second\toverall");
        for r in Region::ALL {
            s.push('\t');
            s.push_str(r.code());
        }
        s.push('\n');
        // Rows formatted in parallel blocks, joined in order.
        const ROWS_PER_TASK: usize = 4096;
        let blocks: Vec<String> = (0..n)
            .into_par_iter()
            .step_by(ROWS_PER_TASK)
            .map(|t0| {
                let mut s = String::with_capacity(ROWS_PER_TASK * 80);
                for t in t0..(t0 + ROWS_PER_TASK).min(n) {
                    let _ = write!(s, "{t}\t");
                    push_prob(&mut s, self.probabilities.overall[t]);
                    for r in &self.probabilities.region {
                        s.push('\t');
                        match r {
                            Some(p) => push_prob(&mut s, p[t]),
                            None => s.push_str("n/a"),
                        }
                    }
                    s.push('\n');
                }
                s
            })
            .collect();
        for b in blocks {
            s.push_str(&b);
        }
        s
    }

    /// `<stem>_seizures.json`: the recording, the montage and model, and per seizure its
    /// [`SeizureMap`] plus duration, region sequence, inter-onset delays and involved channels.
    pub fn seizures_json(&self) -> serde_json::Value {
        let seizures: Vec<serde_json::Value> = self
            .seizures
            .iter()
            .zip(&self.involved)
            .map(|(s, inv)| {
                let mut v = serde_json::to_value(s).expect("seizure maps serialise");
                let o = v.as_object_mut().expect("a map is an object");
                o.insert("duration".into(), serde_json::json!(s.duration()));
                o.insert("region_sequence".into(), serde_json::json!(s.region_sequence()));
                o.insert("inter_onset_delays".into(), serde_json::json!(s.inter_onset_delays()));
                o.insert("moves_within".into(), serde_json::json!(summary::moves_within(s)));
                o.insert("channels".into(), serde_json::json!(inv));
                v
            })
            .collect();
        serde_json::json!({
            "file": self.file,
            "start": self.analysis.start.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            "duration": self.analysis.duration,
            "montage": self.analysis.montage,
            "model": self.model_name,
            "sensitivity": self.sensitivity,
            "seizures": seizures,
        })
    }

    /// `<stem>_summary.json`: the [`Summary`] plus what was analysed.
    pub fn summary_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.summary).expect("summaries serialise");
        let used: Vec<&str> = self.analysis.derivations.iter().filter(|d| d.used).map(|d| d.label.as_str()).collect();
        let o = v.as_object_mut().expect("an object");
        o.insert(
            "recording".into(),
            serde_json::json!({
                "file": self.file,
                "start": self.analysis.start.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                "duration": self.analysis.duration,
                "analysed_seconds": (self.summary.hours * 3600.0).round() as usize,
                "montage": self.analysis.montage,
                "derivations": used,
                "flat_electrodes": self.analysis.flat_electrodes.iter().map(|(e, l)| format!("{e} ({l})")).collect::<Vec<_>>(),
                "model": self.model_name,
                "sensitivity": self.sensitivity,
                "warnings": self.analysis.warnings,
            }),
        );
        v
    }
}

#[cfg(test)]
mod fixed3_tests {
    use super::push_fixed3;
    use std::fmt::Write as _;

    fn check(v: f32) {
        let mut a = String::new();
        push_fixed3(&mut a, v);
        let mut b = String::new();
        let _ = write!(b, "{v:.3}");
        assert_eq!(a, b, "value {v:e} (bits {:#010x})", v.to_bits());
    }

    #[test]
    fn fast_fixed_point_equals_the_formatter() {
        // Every f32 around the rounding boundaries (2k + 1) / 2000 up to 2 and near 10^6 (the
        // exact halves among them: odd multiples of 1/16), pseudo-random values over the whole
        // fast range, the edges and the fallbacks.
        for k in (0..4000u32).chain(1_999_990_000..2_000_000_000) {
            let t = (2 * k + 1) as f64 / 2000.0;
            let c = t as f32;
            let mut lo = c;
            let mut hi = c;
            for _ in 0..4 {
                check(lo);
                check(hi);
                lo = f32::from_bits(lo.to_bits() - 1);
                hi = f32::from_bits(hi.to_bits() + 1);
            }
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f32::from_bits((x >> 32) as u32 & 0x7fff_ffff);
            if v < 1e6 {
                check(v);
            }
            check((x as u32 >> 8) as f32 / (1u32 << 24) as f32);
        }
        for v in [
            0.0625,
            0.1875,
            2.0625,
            0.0,
            1.0,
            0.9995,
            0.0005,
            0.00049999,
            999_999.94,
            1e6,
            -0.0,
            -0.0004,
            -1.5,
            f32::INFINITY,
            f32::MIN_POSITIVE,
            1e-45,
        ] {
            check(v);
        }
        let mut s = String::new();
        push_fixed3(&mut s, 0.25);
        assert_eq!(s, "0.250");
    }
}
