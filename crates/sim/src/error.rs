//! The error type of this crate.

use std::path::PathBuf;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not implemented yet.
    #[error("not implemented yet: {0}")]
    Unimplemented(&'static str),

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A connectivity zip archive could not be opened or one of its members could not be read.
    #[error("{path}: {message}")]
    Zip {
        /// The zip archive.
        path: PathBuf,
        /// What went wrong (names the member when there is one).
        message: String,
    },

    /// A required member file is missing from a connectivity zip archive.
    #[error("{path}: no member named like `{member}` (TVB matches member names containing it); the archive holds: {available}")]
    ZipMemberMissing {
        /// The zip archive.
        path: PathBuf,
        /// The name looked for (e.g. `weights`).
        member: String,
        /// The members the archive holds, comma separated.
        available: String,
    },

    /// A value in a text table (a member of a connectivity zip, or another text file) could not be parsed.
    #[error("{path}: {member}: line {line}, column {column}: expected {expected}, found `{found}`")]
    Parse {
        /// The file (the zip archive for a member).
        path: PathBuf,
        /// The member inside the archive (or the file name).
        member: String,
        /// 1-based line number.
        line: usize,
        /// 1-based column (in characters) where the offending token starts.
        column: usize,
        /// What was expected there.
        expected: String,
        /// What was found.
        found: String,
    },

    /// A table has the wrong shape (number of rows or columns).
    #[error("{path}: {member}: {message}")]
    Shape {
        /// The file (the zip archive for a member).
        path: PathBuf,
        /// The member inside the archive (or the file name).
        member: String,
        /// Expected versus found shape, with the line when it is a row problem.
        message: String,
    },

    /// A connectivity is inconsistent (field names the offending field, e.g. `weights[3][7]`).
    #[error("invalid connectivity: {field}: {message}")]
    InvalidConnectivity {
        /// The offending field (with indices when relevant).
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },

    /// A simulation (network engine) parameter is invalid.
    #[error("invalid simulation parameter `{field}`: {message}")]
    InvalidParameter {
        /// The offending parameter (e.g. `dt`, `monitors[1].period`, `x0[12]`).
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
