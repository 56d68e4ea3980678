//! EDF, EDF+ (C and D) and BDF/BDF+ reading and writing: memory-mapped, streaming, exact.
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
