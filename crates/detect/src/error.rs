//! The error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong detecting seizures in a recording. Each variant says what is
/// wrong and where (file, channel, field).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The recording could not be read (header, data) or the annotated copy not written.
    #[error(transparent)]
    Edf(#[from] eimfs_edf::Error),

    /// A channel-name, montage or resampling problem (ambiguous electrode, montage naming a
    /// missing electrode, unsupported rate).
    #[error("{path}: {source}", path = path.display())]
    Signal {
        /// The recording.
        path: PathBuf,
        /// Cause.
        source: eimfs_signal::Error,
    },

    /// The recording has no EEG channel at all.
    #[error("{path}: no EEG channel: the file's signals are [{labels}]; eimfs needs referential 10-20 EEG channels (e.g. `EEG Fp1-Ref`) or bipolar 10-20 derivations (e.g. `Fp1-F7`)", path = path.display())]
    NoEeg {
        /// The recording.
        path: PathBuf,
        /// The labels of its signals.
        labels: String,
    },

    /// Fewer than 4 usable 10-20 electrodes.
    #[error("{path}: only {usable} usable 10-20 electrode(s) ({which}); seizure detection and localisation need at least {needed}{detail}", path = path.display())]
    TooFewElectrodes {
        /// The recording.
        path: PathBuf,
        /// Number of usable electrodes.
        usable: usize,
        /// Number needed.
        needed: usize,
        /// The usable electrodes.
        which: String,
        /// Why others are not usable (flat channels, missing electrodes).
        detail: String,
    },

    /// A channel's sampling rate cannot be brought to the analysis rate.
    #[error("{path}: channel {channel:?} has sampling rate {fs} Hz: {reason}", path = path.display())]
    Rate {
        /// The recording.
        path: PathBuf,
        /// Channel label.
        channel: String,
        /// Its rate.
        fs: f64,
        /// What is wrong.
        reason: String,
    },

    /// The data records of an EDF+D file are not in time order, or overlap.
    #[error("{path}: data record {record} (byte {offset}) starts at {start} s, before data record {previous_record} ends (it starts at {previous_start} s and lasts {record_duration} s; times from the start of record 0): the records are out of time order or overlap, and detection reads them in time order, each second once", path = path.display(), previous_record = record - 1)]
    RecordOrder {
        /// The recording.
        path: PathBuf,
        /// The first record (from 0) that starts before the one stored before it.
        record: usize,
        /// Its start, seconds from the recording start.
        start: f64,
        /// The previous record's start, seconds.
        previous_start: f64,
        /// The duration of a data record, seconds.
        record_duration: f64,
        /// Byte offset of the record in the file.
        offset: u64,
    },

    /// No second of the recording could be analysed: every derivation has a flat input in every
    /// second, or the gaps of an EDF+D file leave no second to analyse.
    #[error("{path}: no second could be analysed: {why}", path = path.display())]
    NothingAnalysed {
        /// The recording.
        path: PathBuf,
        /// Why: the derivations and the flat electrode they share, or the gaps.
        why: String,
    },

    /// The recording is too short to analyse.
    #[error("{path}: the recording lasts {duration} s; detection needs at least {needed} s of EEG", path = path.display())]
    TooShort {
        /// The recording.
        path: PathBuf,
        /// Its duration in seconds.
        duration: f64,
        /// Minimum duration in seconds.
        needed: f64,
    },

    /// A classifier model file is malformed.
    #[error("model {source_name}: {message}")]
    Model {
        /// Where the model came from (file path or `embedded`).
        source_name: String,
        /// What is wrong.
        message: String,
    },

    /// A configuration value is invalid.
    #[error("invalid setting `{field}`: {message}")]
    Config {
        /// The setting.
        field: &'static str,
        /// What is wrong.
        message: String,
    },

    /// An output file could not be written.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
