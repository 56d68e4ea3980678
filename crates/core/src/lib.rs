//! Shared types of **eimfs**, the toolkit for epilepsy of infancy with migrating focal seizures.
//!
//! This crate holds the data that flows between the other eimfs crates and nothing else:
//!
//! * [`Recording`] and [`Signal`]: an EEG recording in physical units (µV for EEG), as read by
//!   `eimfs-edf`, produced by `eimfs-sim` and consumed by `eimfs-signal` / `eimfs-detect`.
//! * [`Annotation`]: an EDF+ style time-stamped note (onset, optional duration, text, optional
//!   linked channel — EDF+ writes channel links as `text@@ChannelLabel`).
//! * [`Event`] and [`EventsFile`]: seizure and artefact events in the SzCORE / HED-SCORE TSV
//!   format (`onset, duration, eventType, confidence, channels, dateTime, recordingDuration`).
//! * [`SeizureMap`]: where a seizure starts and the ordered regions it visits — the simulator's
//!   truth, the detector's output and what localisation scoring compares.
//! * [`Electrode`]: the 19 electrodes of the international 10-20 system, their positions on a unit
//!   sphere and their [`Region`] (lobe × hemisphere). Migration mapping reports in these regions.
//!
//! # Example
//!
//! ```
//! use eimfs_core::{Electrode, Hemisphere, Lobe, Recording, Signal};
//!
//! // Electrodes know their old and new names, position and region.
//! let t3 = Electrode::from_name("T7").unwrap();
//! assert_eq!(t3, Electrode::T3);
//! assert_eq!(t3.region().lobe, Lobe::Temporal);
//! assert_eq!(t3.region().hemisphere, Hemisphere::Left);
//!
//! // A recording is a list of signals with their own sampling rates.
//! let mut rec = Recording::default();
//! rec.signals.push(Signal::new("EEG Fp1-Ref", "uV", 256.0, vec![0.0; 512]));
//! assert_eq!(rec.duration(), 2.0);
//! ```

#![warn(missing_docs)]

mod electrode;
mod event;
mod recording;
mod seizure;

pub use electrode::{Electrode, Hemisphere, Lobe, Region};
pub use event::{Annotation, Event, EventsFile, TsvError};
pub use recording::{Recording, Signal};
pub use seizure::{RegionVisit, SeizureMap};
