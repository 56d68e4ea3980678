//! Simulator of epilepsy of infancy with migrating focal seizures: from the KCNT1 channel to scalp EEG.
//!
//! The model chain, each level its own module:
//!
//! 1. [`channel`]: the Na⁺-activated K⁺ current of KCNT1, Na⁺ dynamics, variants, quinidine.
//! 2. [`cells`]: conductance-based pyramidal, SST-like and PV-like neurons and their f–I curves.
//!
//! See `docs/simulator.md` for equations, parameters and sources.
//!
//! # Example
//!
//! ```
//! use eimfs_sim::channel::{Quinidine, Variant};
//! let v = Variant::parse("gof").unwrap();
//! assert_eq!(v.name, "gof");
//! assert!(Quinidine::micromolar(1000.0).block() > 0.9);
//! ```

#![warn(missing_docs)]

pub mod cells;
pub mod channel;
mod error;
pub mod rng;

pub use error::{Error, Result};
