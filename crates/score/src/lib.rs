//! Scoring of seizure detections the way the field does it: **SzCORE** event scoring and sample
//! scoring with the exact semantics of the `timescoring` 0.0.7 package (Dan et al., "SzCORE:
//! Seizure Community Open-Source Research Evaluation framework for the validation of
//! electroencephalography-based automated seizure detection algorithms", Epilepsia 2024), the
//! per-subject aggregation of the SzCORE evaluation framework (`szcore-evaluation`), and
//! onset-localisation scores for migrating focal seizures.
//!
//! * [`timescoring`]: [`Annotation`], [`event_scoring`], [`sample_scoring`], [`Scores`] — tp, fp,
//!   refTrue, sensitivity, precision, F1 and false positives per 24 h, identical to timescoring's
//!   (checked against it on thousands of generated cases, see `ci/checks/score_conformance.py`).
//! * [`localisation`]: onset hemisphere and region accuracy and sequence agreement of
//!   [`SeizureMap`](eimfs_core::SeizureMap)s matched one to one.
//! * [`dataset`]: SzCORE TSVs to annotations, pairing of reference and hypothesis directories,
//!   per-recording / per-subject / overall scores and the [`Report`] that `eimfs score` prints.
//!
//! # Example
//!
//! ```
//! use eimfs_score::{event_scoring, sample_scoring, Annotation, EventParams};
//!
//! // A one-hour recording; events are (start, stop) in seconds, masks at 10 Hz.
//! let n = 36_000;
//! let reference = Annotation::from_events(vec![(600.0, 640.0), (2000.0, 2030.0)], 10.0, n).unwrap();
//! // The first seizure is found 20 s late, the second missed, and one false alarm.
//! let hypothesis = Annotation::from_events(vec![(620.0, 650.0), (3000.0, 3010.0)], 10.0, n).unwrap();
//!
//! let ev = event_scoring(&reference, &hypothesis, &EventParams::default()).unwrap().scores;
//! assert_eq!((ev.tp, ev.fp, ev.ref_true), (1, 1, 2));
//! assert_eq!(ev.sensitivity, 0.5);
//! assert_eq!(ev.precision, 0.5);
//! assert_eq!(ev.fp_rate, 24.0); // one false alarm in one hour
//!
//! let s = sample_scoring(&reference, &hypothesis, 1.0).unwrap();
//! assert_eq!((s.tp, s.fp, s.ref_true), (20, 20, 70));
//! ```

#![warn(missing_docs)]

use std::path::PathBuf;

pub mod dataset;
pub mod localisation;
pub mod timescoring;

pub use dataset::{Loader, Options, Report};
pub use localisation::{LocalisationScore, MatchParams, score_localisation, sequence_agreement};
pub use timescoring::{Annotation, EventParams, EventScoring, Scores, event_scoring, sample_scoring};

/// Errors of this crate. Each says what is wrong and where (file, line, field).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A malformed events TSV (file, line, field).
    #[error(transparent)]
    Tsv(#[from] eimfs_core::TsvError),
    /// A field of an events TSV that parses but cannot be scored.
    #[error("{path}:{line}: field `{column}`: {message}, found `{value}`")]
    Field {
        /// File.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Column.
        column: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        message: &'static str,
    },
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A seizure-map JSON could not be parsed.
    #[error("{path}: {message} (expected an object with a `seizures` list of seizure maps)")]
    Json {
        /// File.
        path: PathBuf,
        /// Parser message with line and column.
        message: String,
    },
    /// No recording duration for a reference.
    #[error("{path}: no recordingDuration column value (and none in the hypothesis); give the duration with --duration SECONDS")]
    MissingDuration {
        /// Reference file.
        path: PathBuf,
    },
    /// Reference and hypothesis durations differ.
    #[error(
        "recording durations differ: {reference} has recordingDuration {reference_duration} s, {hypothesis} has {hypothesis_duration} s (allow a difference with --duration-tolerance SECONDS)"
    )]
    DurationMismatch {
        /// Reference file.
        reference: PathBuf,
        /// Hypothesis file.
        hypothesis: PathBuf,
        /// Reference duration, seconds.
        reference_duration: f64,
        /// Hypothesis duration, seconds.
        hypothesis_duration: f64,
    },
    /// Sample scoring of annotations of different lengths.
    #[error("the reference has {reference} samples at {fs} Hz but the hypothesis has {hypothesis}")]
    LengthMismatch {
        /// Reference samples.
        reference: usize,
        /// Hypothesis samples.
        hypothesis: usize,
        /// Rate, Hz.
        fs: f64,
    },
    /// A recording with no sample on the scoring grid.
    #[error("the recording is shorter than one sample at {fs} Hz")]
    EmptyRecording {
        /// Rate, Hz.
        fs: f64,
    },
    /// A sampling rate that is not positive and finite.
    #[error("invalid sampling rate {fs} Hz: expected a positive number")]
    InvalidRate {
        /// The rate.
        fs: f64,
    },
    /// An event time that is not finite.
    #[error("event ({start}, {stop}): times must be finite numbers of seconds")]
    NonFiniteEvent {
        /// Start.
        start: f64,
        /// Stop.
        stop: f64,
    },
    /// One input is a file and the other a directory.
    #[error("--ref {reference} and --hyp {hypothesis} must both be TSV files or both directories")]
    MixedInputs {
        /// Reference path.
        reference: PathBuf,
        /// Hypothesis path.
        hypothesis: PathBuf,
    },
    /// Two TSVs in one directory tree have the same recording name.
    #[error("two files for recording `{name}`: {first} and {second}")]
    DuplicateRecording {
        /// Recording name.
        name: String,
        /// First file.
        first: PathBuf,
        /// Second file.
        second: PathBuf,
    },
    /// A reference directory without TSV files.
    #[error("{dir}: no *_events.tsv or *.tsv files found")]
    NoRecordings {
        /// Directory.
        dir: PathBuf,
    },
    /// Unmatched recordings with `--strict`.
    #[error("unmatched recordings (--strict): references without hypothesis: [{}]; hypotheses without reference: [{}]",
        reference_only.join(", "), hypothesis_only.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Unmatched {
        /// Reference names without hypothesis.
        reference_only: Vec<String>,
        /// Hypothesis files without reference.
        hypothesis_only: Vec<PathBuf>,
    },
}
