//! The error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing EDF/BDF files.
///
/// Header errors name the file, the byte offset of the offending field, the field, what was
/// expected and what was found, so that a user can open the file in a hex editor and see it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened, mapped, read or written.
    #[error("{path}: {cause}", path = path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause (part of the message, so not also reported as the error's source).
        cause: std::io::Error,
    },

    /// The first 8 bytes are neither the EDF nor the BDF version field.
    #[error(
        "{path}: not an EDF or BDF file: bytes 0-7 are {found}, expected \"0       \" (EDF) or \"\\xFFBIOSEMI\" (BDF)",
        path = path.display()
    )]
    NotEdf {
        /// File.
        path: PathBuf,
        /// The first bytes, printed with non-printable bytes escaped.
        found: String,
    },

    /// The file ends before the header does.
    #[error(
        "{path}: truncated header: the file has {size} bytes but its header needs {needed} bytes ({what})",
        path = path.display()
    )]
    TruncatedHeader {
        /// File.
        path: PathBuf,
        /// File size in bytes.
        size: u64,
        /// Bytes the header needs.
        needed: u64,
        /// Which part of the header is cut off.
        what: String,
    },

    /// A header field is invalid.
    #[error("{path}: byte {offset}, {field}: expected {expected}, found {found}", path = path.display())]
    Field {
        /// File.
        path: PathBuf,
        /// Byte offset of the field (or of the offending byte) from the start of the file.
        offset: u64,
        /// The field, e.g. `header field "number of data records"` or
        /// `signal 3 of 22 ("EEG F3-Ref") field "digital minimum"`.
        field: String,
        /// What a valid field holds.
        expected: String,
        /// What the file holds (quoted text, or a description such as `byte 0xC3`).
        found: String,
    },

    /// The file has no complete data record (nothing to read).
    #[error("{path}: {message}", path = path.display())]
    NoData {
        /// File.
        path: PathBuf,
        /// Explanation with sizes.
        message: String,
    },

    /// A caller asked for something the file does not have (channel or record out of range,
    /// wrong buffer length).
    #[error("{0}")]
    Argument(String),

    /// A writer was given an invalid header or data (label too long, range that cannot be
    /// written in 8 characters, wrong number of samples, ...).
    #[error("{path}: cannot write: {message}", path = path.display())]
    Write {
        /// Output file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Print bytes for an error message: printable ASCII as is, everything else as `\xNN`, in quotes.
pub(crate) fn show_bytes(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        if (32..127).contains(&c) && c != b'"' && c != b'\\' {
            s.push(c as char);
        } else {
            s.push_str(&format!("\\x{c:02X}"));
        }
    }
    s.push('"');
    s
}
