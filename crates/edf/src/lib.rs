//! EDF, EDF+ (C and D) and BDF/BDF+ reading and writing: memory-mapped, streaming, exact.
//!
//! * [`EdfFile`] opens a file read-only, checks its header (errors name the file, the byte
//!   offset, the field and what was expected), parses every annotation signal (all TALs, several
//!   annotations per record, durations or none, UTF-8, `text@@Channel` links, the time-keeping
//!   TALs that give the sub-second start and the gaps of EDF+D) and decodes any channels over any
//!   range of records straight into caller buffers ([`EdfFile::read_physical`],
//!   [`EdfFile::read_digital`]), chunk by chunk with bounded memory ([`EdfFile::chunks`]), whole
//!   ([`EdfFile::read_recording`]) or into data-quality statistics ([`EdfFile::stats`]).
//! * [`EdfWriter`] streams EDF+/BDF+ files; it sizes the annotation signal so that no annotation
//!   is ever dropped, writes `@@channel` links and time-keeping TALs, and renames a temporary
//!   file into place when complete. [`rewrite`] copies a file losslessly (digital values and
//!   annotations); [`write_recording`] writes an in-memory [`eimfs_core::Recording`] with
//!   physical ranges taken from the data, so nothing clips.
//!
//! Physical values follow the EDFlib/pyedflib convention `physical = gain × digital + offset`
//! with `gain = (physical_max − physical_min) / (digital_max − digital_min)` and
//! `offset = physical_min − gain × digital_min`, computed in f64 and returned as f32.
//!
//! # Example
//!
//! ```
//! use eimfs_core::{Annotation, Recording, Signal};
//! use eimfs_edf::{write_recording, EdfFile, FileType, RecordingWriteOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("demo.edf");
//!
//! // Write 3 s of a 256 Hz ramp with a channel-linked annotation ...
//! let mut rec = Recording::default();
//! let ramp: Vec<f32> = (0..768).map(|i| i as f32 / 8.0 - 40.0).collect();
//! rec.signals.push(Signal::new("EEG Fp1-Ref", "uV", 256.0, ramp));
//! let mut a = Annotation::new(1.25, Some(2.0), "seizure");
//! a.channel = Some("EEG Fp1-Ref".into());
//! rec.annotations.push(a);
//! write_recording(&path, &rec, &RecordingWriteOptions::default()).unwrap();
//!
//! // ... and read it back.
//! let f = EdfFile::open(&path).unwrap();
//! assert_eq!(f.file_type(), FileType::EdfPlusC);
//! assert_eq!((f.n_records(), f.signals()[0].fs), (3, 256.0));
//! assert_eq!(f.annotations()[0].channel.as_deref(), Some("EEG Fp1-Ref"));
//! let mut fp1 = vec![0f32; 256];
//! f.read_physical(&[0], 1..2, &mut [&mut fp1[..]]).unwrap();
//! let step = (f.signals()[0].physical_max - f.signals()[0].physical_min) / 65535.0;
//! assert!((fp1[0] as f64 - (256.0 / 8.0 - 40.0)).abs() <= step);
//! ```

#![warn(missing_docs)]

mod decode;
mod error;
mod header;
mod reader;
mod stats;
mod tal;
mod writer;

pub use decode::Sample;
pub use error::{Error, Result};
pub use header::{FileType, Header, PatientInfo, RecordingInfo, SignalHeader};
pub use reader::{Chunk, Chunks, EdfFile, Gap};
pub use stats::{ChannelStats, StatsOptions};
pub use writer::{
    EdfWriter, Format, RecordingWriteOptions, RewriteOptions, SignalSpec, WriteSummary, WriterConfig, rewrite, write_recording,
};
