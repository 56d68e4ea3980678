//! The error type of this crate.

use std::path::PathBuf;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A simulation parameter is invalid.
    #[error("invalid simulation parameter `{field}`: {message}")]
    InvalidParameter {
        /// The offending parameter (e.g. `duration`, `variant`, `fs`).
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },

    /// An input file (scenario, lead field) is malformed: names the file, the line and the field.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong (names the field) and what was expected.
        message: String,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
