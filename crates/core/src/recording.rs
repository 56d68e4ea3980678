//! In-memory recordings.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::Annotation;

/// One signal (channel) of a recording, in physical units.
///
/// EEG samples are in microvolts. `label` is the label exactly as the source wrote it (for example
/// `EEG Fp1-REF`); normalising it to an electrode name is the job of `eimfs-signal`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Label as written in the source file (EDF allows 16 ASCII characters).
    pub label: String,
    /// Physical dimension, e.g. `uV`.
    pub unit: String,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// Samples in physical units.
    pub samples: Vec<f32>,
    /// Transducer type (EDF header field), often empty.
    pub transducer: String,
    /// Prefiltering (EDF header field), often empty.
    pub prefilter: String,
}

impl Signal {
    /// A signal with empty transducer and prefilter fields.
    pub fn new(label: impl Into<String>, unit: impl Into<String>, fs: f64, samples: Vec<f32>) -> Self {
        Signal { label: label.into(), unit: unit.into(), fs, samples, transducer: String::new(), prefilter: String::new() }
    }

    /// Duration in seconds (`samples.len() / fs`).
    pub fn duration(&self) -> f64 {
        if self.fs > 0.0 { self.samples.len() as f64 / self.fs } else { 0.0 }
    }
}

/// A recording held in memory: signals with their own rates plus annotations.
///
/// Long files (hours to days) should be streamed with `eimfs-edf` rather than loaded into a
/// `Recording`; this type is for clips, simulated data and derived signals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Wall-clock start of the recording (EDF stores local time without zone), including the
    /// sub-second offset of EDF+ when present.
    pub start: Option<NaiveDateTime>,
    /// Patient identification field (EDF+ structured `code sex birthdate name`, or free text).
    pub patient: String,
    /// Recording identification field (EDF+ `Startdate dd-MMM-yyyy admincode technician equipment`).
    pub recording: String,
    /// Data signals (annotation signals are not included; they are parsed into `annotations`).
    pub signals: Vec<Signal>,
    /// Annotations, sorted by onset.
    pub annotations: Vec<Annotation>,
}

impl Recording {
    /// Duration in seconds: the longest signal.
    pub fn duration(&self) -> f64 {
        self.signals.iter().map(Signal::duration).fold(0.0, f64::max)
    }

    /// The first signal whose label equals `label` exactly.
    pub fn signal(&self, label: &str) -> Option<&Signal> {
        self.signals.iter().find(|s| s.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_is_longest_signal() {
        let mut r = Recording::default();
        assert_eq!(r.duration(), 0.0);
        r.signals.push(Signal::new("a", "uV", 256.0, vec![0.0; 256 * 3]));
        r.signals.push(Signal::new("b", "uV", 1.0, vec![0.0; 4]));
        assert_eq!(r.duration(), 4.0);
        assert_eq!(r.signal("b").unwrap().fs, 1.0);
        assert!(r.signal("c").is_none());
    }
}
