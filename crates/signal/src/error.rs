//! The error type of this crate.

/// Errors of `eimfs-signal`. Each message says what was wrong and where (which label, electrode,
/// montage item, filter parameter or buffer).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A montage needs an electrode the recording does not have.
    #[error("montage {montage}: missing electrode(s) {electrode} (needed by {needed_by}); available channels: {available}")]
    MissingElectrode {
        /// Montage name.
        montage: String,
        /// Canonical electrode name, e.g. `T3`.
        electrode: String,
        /// The derivation(s) that need it, e.g. `F7-T3, T3-T5`.
        needed_by: String,
        /// The recording's channel labels, comma-separated.
        available: String,
    },
    /// A montage finds nothing to work on (no EEG channel, or no 10-20 electrode to average).
    #[error("montage {montage}: the recording has no {what}; available channels: {available}")]
    NoEeg {
        /// Montage name.
        montage: String,
        /// What is missing, e.g. `EEG channel`.
        what: String,
        /// The recording's channel labels, comma-separated.
        available: String,
    },
    /// Two or more channels claim the same electrode (e.g. `EEG T3-Ref` and `EEG T7-Ref`).
    #[error(
        "electrode {electrode} is recorded by more than one channel: {channels} (numbered from 1 as `eimfs info` lists them); keep one, e.g. with `eimfs convert IN OUT --channels` listing the channels to keep by label or number"
    )]
    AmbiguousElectrode {
        /// Canonical electrode name.
        electrode: String,
        /// The competing channels as `#number "label"` (numbered from 1), comma-separated.
        channels: String,
    },
    /// A channel list item matches no channel.
    #[error("no channel matches `{item}`; available channels: {available}")]
    UnknownChannel {
        /// The item as given.
        item: String,
        /// The recording's channel labels, comma-separated.
        available: String,
    },
    /// A channel list item matches more than one channel.
    #[error(
        "`{item}` matches more than one channel: {channels} (numbered from 1 as `eimfs info` lists them); use the full label or the number"
    )]
    AmbiguousChannel {
        /// The item as given.
        item: String,
        /// The matching channels as `#number "label"` (numbered from 1), comma-separated.
        channels: String,
    },
    /// A montage name or derivation list could not be parsed.
    #[error("cannot parse montage `{input}`: {reason}")]
    MontageParse {
        /// The text given.
        input: String,
        /// What was wrong, naming the offending item.
        reason: String,
    },
    /// Invalid filter parameters.
    #[error("invalid filter: {0}")]
    FilterDesign(String),
    /// Invalid resampling or spectrum parameters.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The input is too short for the operation.
    #[error("{what}: input has {len} samples, needs more than {needed}")]
    TooShort {
        /// Operation, e.g. `sosfiltfilt (padlen 27)`.
        what: String,
        /// Samples given.
        len: usize,
        /// Minimum exclusive length.
        needed: usize,
    },
    /// Channels that must be combined have different rates or lengths.
    #[error("channel {label}: {what} is {found}, expected {expected} (all channels of a montage must share rate and length)")]
    ChannelMismatch {
        /// Label of the offending channel.
        label: String,
        /// `sampling rate` or `length`.
        what: &'static str,
        /// Found value.
        found: String,
        /// Expected value.
        expected: String,
    },
    /// Buffers handed to a streaming call have the wrong count or length.
    #[error("buffer shape: {0}")]
    BufferShape(String),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
