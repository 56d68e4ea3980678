//! Self-contained HTML reports of seizures, burden and migration.
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
