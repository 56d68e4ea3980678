//! What a report shows: plain data, filled by the loaders of [`crate::input`] (or by a caller
//! that has the data in memory) and turned into HTML by [`crate::render`].

use chrono::NaiveDateTime;
use eimfs_core::{Electrode, Region, SeizureMap};
use eimfs_score::{LocalisationScore, Scores};
use serde::Serialize;

/// Everything a report shows.
#[derive(Clone, Debug, Default)]
pub struct ReportData {
    /// The recording: file, start, duration, channels, quality.
    pub recording: RecordingSummary,
    /// Detected seizures, in order of onset.
    pub seizures: Vec<SeizureMap>,
    /// The detector's burden and migration summary (`<stem>_summary.json`), if given.
    pub summary: Option<Summary>,
    /// Per-second seizure probability (`<stem>_probability.tsv`), if given.
    pub probability: Option<Probability>,
    /// EEG of a few example seizures.
    pub examples: Vec<ExampleSeizure>,
    /// Comparison with the truth, when a truth is given.
    pub evaluation: Option<Evaluation>,
    /// Where the inputs came from (shown in the report's footer).
    pub sources: Vec<(String, String)>,
}

/// The recording as the report describes it.
#[derive(Clone, Debug, Default)]
pub struct RecordingSummary {
    /// File name as given by the user.
    pub file: String,
    /// File type (`EDF+C`, `BDF`…).
    pub file_type: String,
    /// Wall-clock start, if known.
    pub start: Option<NaiveDateTime>,
    /// Duration in seconds.
    pub duration: f64,
    /// Every data channel of the file.
    pub channels: Vec<ChannelInfo>,
    /// Montage the detector worked in, when its summary says so.
    pub detection_montage: Option<String>,
    /// Montage of the example EEG traces.
    pub display_montage: String,
    /// 10-20 electrodes missing from the file.
    pub missing_electrodes: Vec<Electrode>,
    /// Per-channel quality, EEG channels only.
    pub quality: Vec<ChannelQuality>,
    /// Gaps of an EDF+D file: (start, duration) in seconds.
    pub gaps: Vec<(f64, f64)>,
    /// Number of annotations in the file.
    pub annotations: usize,
}

/// One data channel of the file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChannelInfo {
    /// Label as written in the file.
    pub label: String,
    /// Kind (`EEG`, `ECG`, `respiration`…).
    pub kind: String,
    /// The 10-20 electrode it records (referential channels).
    pub electrode: Option<Electrode>,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// Physical unit.
    pub unit: String,
}

/// Quality of one EEG channel over the whole recording, with the problems found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChannelQuality {
    /// Channel label.
    pub label: String,
    /// Electrode, if the channel records one.
    pub electrode: Option<Electrode>,
    /// Median over 10-s epochs of the epoch's standard deviation, µV.
    pub median_sd: f64,
    /// Fraction of samples in flat runs (≥ 1 s of identical values).
    pub flat_fraction: f64,
    /// Fraction of samples at the digital limits.
    pub clipped_fraction: f64,
    /// Fraction of 10-s epochs whose SD exceeds 5 × the channel's median.
    pub artefact_epochs: f64,
    /// 10-s epochs assessed (outside seizures).
    pub epochs: usize,
    /// Of those, epochs that are nearly flat: SD below 1 µV or below a tenth of the median
    /// channel's SD (a disconnected electrode picks up only amplifier noise).
    pub near_flat_epochs: usize,
    /// Median fraction of 1–70 Hz power at the mains frequency (50 or 60 Hz ± 1 Hz).
    pub mains_fraction: f64,
    /// Mains frequency found (50 or 60), if any power there.
    pub mains_hz: f64,
    /// Median fraction of the 0.5–70 Hz power above 30 Hz.
    pub high_frequency_fraction: f64,
    /// Problems found, in words (empty: none).
    pub problems: Vec<String>,
}

/// The detector's summary of burden and migration, as read from `<stem>_summary.json`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Clusters of seizures.
    pub clusters: Vec<Span>,
    /// How clusters are defined, in words.
    pub cluster_rule: Option<String>,
    /// Status epilepticus episodes.
    pub status_epilepticus: Vec<Span>,
    /// How status epilepticus is defined, in words.
    pub status_rule: Option<String>,
    /// Total seizure time in seconds.
    pub total_seizure_time: Option<f64>,
    /// Longest seizure in seconds.
    pub longest_seizure: Option<f64>,
    /// Seizures per hour of analysed EEG, as the detector's summary gives it (EDF+D gaps and
    /// seconds without a probability are not counted as recorded time); without a summary the
    /// report divides by the recording's duration.
    pub seizures_per_hour: Option<f64>,
    /// Montage the detector used.
    pub montage: Option<String>,
    /// Derivations the detector used.
    pub channels_used: Vec<String>,
    /// Electrodes the detector found flat and left out.
    pub flat_electrodes: Vec<String>,
    /// The detector's model and sensitivity, in words.
    pub detector: Option<String>,
    /// The detector's warnings.
    pub warnings: Vec<String>,
    /// The migration verdict.
    pub migration: Option<MigrationVerdict>,
}

/// An interval of the recording with a label (a cluster, a status epilepticus episode).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Span {
    /// Start, seconds from the recording start.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Seizures in it, if known.
    pub seizures: Option<usize>,
    /// Why it is marked (e.g. the criterion met), if given.
    pub note: Option<String>,
}

/// Whether the recording shows migrating focal seizures, with the evidence.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MigrationVerdict {
    /// The verdict.
    pub migrating: bool,
    /// The detector's verdict code (`migrating`, `not_migrating`, `insufficient_evidence`,
    /// `no_seizures`), or `migrating` / `not_migrating` from a boolean.
    pub verdict: String,
    /// The detector's own wording, if given.
    pub statement: Option<String>,
    /// Evidence items (name, value) as the detector gives them.
    pub evidence: Vec<(String, String)>,
}

/// Per-second seizure probability: overall and per region.
#[derive(Clone, Debug, Default)]
pub struct Probability {
    /// Time of each row, seconds from the start.
    pub seconds: Vec<f64>,
    /// Overall probability per row.
    pub overall: Vec<f32>,
    /// Per-region columns.
    pub regions: Vec<(Region, Vec<f32>)>,
}

/// One derived EEG channel of an example.
#[derive(Clone, Debug, Default)]
pub struct TraceChannel {
    /// Label (`Fp1-F7`).
    pub label: String,
    /// The electrodes of the derivation.
    pub electrodes: Vec<Electrode>,
    /// Filtered samples in µV.
    pub samples: Vec<f32>,
}

/// The EEG of one example seizure.
#[derive(Clone, Debug)]
pub struct ExampleSeizure {
    /// Why this seizure is shown (`first seizure`, `longest seizure`, `migrating seizure`).
    pub why: String,
    /// The seizure.
    pub seizure: SeizureMap,
    /// Start of the traces, seconds from the recording start.
    pub start: f64,
    /// Sampling rate of the traces.
    pub fs: f64,
    /// Montage name.
    pub montage: String,
    /// Display filter, in words.
    pub filter: String,
    /// The channels, top to bottom.
    pub channels: Vec<TraceChannel>,
}

/// Detections compared with the truth.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Where the truth came from.
    pub truth_source: String,
    /// True seizures.
    pub truth: Vec<SeizureMap>,
    /// SzCORE event scoring.
    pub event: Scores,
    /// SzCORE sample scoring.
    pub sample: Scores,
    /// Onset localisation.
    pub localisation: LocalisationScore,
    /// Reference events as scored (after SzCORE merging/splitting): (start, end, detected).
    pub reference_events: Vec<(f64, f64, bool)>,
    /// Detections as scored: (start, end, false positive).
    pub detected_events: Vec<(f64, f64, bool)>,
}
