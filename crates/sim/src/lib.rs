//! Simulator of epilepsy of infancy with migrating focal seizures: from the KCNT1 channel to scalp EEG.
//!
//! Part of eimfs; this crate is being built (see the issue tracker).
//!
//! - [`network`]: the stochastic delay-network engine (TVB semantics: sparse delayed coupling,
//!   Heun/Euler integrators, additive noise, Raw/SubSample/TemporalAverage/Projection monitors
//!   streamed to a sink), generic over a [`network::NodeModel`].
//! - [`epileptor`]: The Virtual Brain's 6-variable Epileptor as a node model.
//! - [`connectivity`]: structural connectivity (weights, tract lengths, centres) with TVB's zip
//!   format reader and writer.

#![warn(missing_docs)]

pub mod connectivity;
pub mod epileptor;
mod error;
pub mod network;

pub use error::{Error, Result};
