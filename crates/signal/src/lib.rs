//! Channel names, 10-20 montages, zero-phase and streaming filters, resampling and spectra for EEG.
//!
//! Part of eimfs; this crate is being built (see the issue tracker).

#![warn(missing_docs)]

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not implemented yet.
    #[error("not implemented yet: {0}")]
    Unimplemented(&'static str),
}
