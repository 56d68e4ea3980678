//! Channel names, 10-20 montages, zero-phase and streaming filters, resampling and spectra for
//! EEG — the signal layer of **eimfs**.
//!
//! * [`names`]: channel labels as real files write them (`EEG Fp1-REF`, `EEG T7-LE`, `FP1-F7`,
//!   `ECG EKG`…) → [`ChannelName`] (kind, 10-20 electrode, reference or bipolar pair, canonical
//!   name); [`ChannelMap`] picks the referential channel of each of the 19 electrodes in a header
//!   and resolves user channel lists ([`ChannelMap::select`]).
//! * [`montage`]: as-recorded, common average, double banana (ACNS LB-18.1), neonatal
//!   double-distance, or a user list (`Fp1-F7,F7-T3`); applied to a whole
//!   [`Recording`](eimfs_core::Recording) or chunk by chunk for multi-day files.
//! * [`filter`]: Butterworth and notch filters as second-order sections, zero-phase
//!   ([`sosfiltfilt`], equal to scipy's), streaming causal ([`SosFilter`], equal to scipy's
//!   `sosfilt` however the input is chunked) and streaming zero-phase with bounded memory
//!   ([`ZeroPhaseStream`], equal to [`sosfiltfilt`] to ~1e-10) for multi-day files.
//! * [`resample`]: polyphase resampling by a rational factor ([`Resampler`], equal to
//!   `scipy.signal.resample_poly`), whole-signal or streaming.
//! * [`spectrum`]: Welch PSD ([`Welch`], equal to `scipy.signal.welch`, allocation-free after
//!   construction) and band power, peak frequency, spectral edge and entropy helpers.
//!
//! Numerical results are checked against scipy 1.17 by fixtures generated with
//! `ci/fixtures/signal_fixtures.py` (see `crates/signal/tests/`); every comparison passes at
//! 1e-6 relative to the reference's largest value, and the errors actually reached are
//! ≤ 3e-12 in f64 and ≤ 6e-8 (f32 rounding) with f32 data.
//!
//! # Example
//!
//! ```
//! use eimfs_core::{Electrode, Recording, Signal};
//! use eimfs_signal::{sosfiltfilt, Band, ChannelMap, Montage, Sos};
//!
//! // Labels as an EDF header writes them; T7 is the new name of T3.
//! let labels = ["EEG Fp1-REF", "EEG F7-REF", "EEG T7-REF", "ECG EKG-REF"];
//! let map = ChannelMap::from_labels(&labels).unwrap();
//! assert_eq!(map.channel(Electrode::T3), Some(2));
//!
//! // A user montage resolved against the file: read channels 0, 1, 2; output two derivations.
//! let plan = Montage::parse("Fp1-F7,F7-T3").unwrap().plan(&map, &[]).unwrap();
//! assert_eq!(plan.inputs(), &[0, 1, 2]);
//! assert_eq!(plan.labels(), ["Fp1-F7", "F7-T3"]);
//! let (fp1, f7, t3) = (vec![5.0f32; 512], vec![2.0f32; 512], vec![1.0f32; 512]);
//! let mut out = vec![Vec::new(); 2];
//! plan.apply_chunk(&[&fp1, &f7, &t3], &mut out).unwrap();
//! assert_eq!((out[0][0], out[1][0]), (3.0, 1.0));
//!
//! // The double banana needs electrodes this file lacks: the error names them.
//! let err = Montage::DoubleBanana.plan(&map, &[]).unwrap_err().to_string();
//! assert!(err.contains("missing electrode(s) Fp2, F3"), "{err}");
//!
//! // Zero-phase 0.5–30 Hz band-pass, as scipy.signal.sosfiltfilt(butter(4, [0.5, 30], 'bandpass', fs=256, output='sos'), x).
//! let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), 256.0).unwrap();
//! let x: Vec<f32> = (0..2560).map(|i| (i as f32 * 0.3).sin()).collect();
//! let y = sosfiltfilt(&sos, &x).unwrap();
//! assert_eq!(y.len(), x.len());
//! ```

#![warn(missing_docs)]

mod error;
pub mod filter;
pub mod montage;
pub mod names;
pub mod resample;
pub mod spectrum;

pub use error::{Error, Result};
pub use filter::{Band, Sample, Sos, SosFilter, ZeroPhaseStream, sosfilt, sosfiltfilt, sosfiltfilt_into};
pub use montage::{ApplyOptions, Derivation, DerivationSpec, Minus, Montage, MontagePlan};
pub use names::{ChannelKind, ChannelMap, ChannelName};
pub use resample::{Padding, ResampleStream, Resampler, resample_poly};
pub use spectrum::{Welch, WelchConfig, band_power, welch};
