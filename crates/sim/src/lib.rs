//! Simulator of epilepsy of infancy with migrating focal seizures: from the KCNT1 channel to scalp EEG.
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
