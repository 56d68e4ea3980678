//! SzCORE event and sample scoring (as timescoring computes it) and onset-localisation scores.
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
