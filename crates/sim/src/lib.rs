//! Simulator of epilepsy of infancy with migrating focal seizures: from the KCNT1 channel to scalp EEG.
//!
//! The model chain, each level its own module:
//!
//! 1. [`channel`]: the Na⁺-activated K⁺ current of KCNT1, Na⁺ dynamics, variants, quinidine.
//! 2. [`cells`]: conductance-based pyramidal, SST-like and PV-like neurons and their f–I curves.
//! 3. [`region`]: the Wendling neural mass with the variant's population gains and the slow
//!    activity-dependent processes that start, sustain and end seizures.
//! 4. [`cortex`]: the default infant cortex (regions under the 10-20 electrodes) or a TVB
//!    connectivity.
//! 5. [`head`]: the infant four-shell spherical head and its lead field to the 10-20 electrodes.
//!
//! Engine and peers (see also the `tvb` helper's modules):
//! - [`network`]: the stochastic delay-network engine (TVB semantics: sparse delayed coupling,
//!   Heun/Euler integrators, additive noise, Raw/SubSample/TemporalAverage/Projection monitors
//!   streamed to a sink), generic over a [`network::NodeModel`].
//! - [`epileptor`]: The Virtual Brain's 6-variable Epileptor as a node model.
//! - [`connectivity`]: structural connectivity (weights, tract lengths, centres) with TVB's zip
//!   format reader and writer.
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

pub mod artefacts;
pub mod background;
pub mod cells;
pub mod channel;
pub mod connectivity;
pub mod cortex;
pub mod dynamic;
pub mod epileptor;
mod error;
pub mod head;
pub mod network;
pub mod output;
pub mod region;
pub mod render;
pub mod rng;
pub mod scenario;
pub mod sweep;
pub mod truth;

pub use error::{Error, Result};
