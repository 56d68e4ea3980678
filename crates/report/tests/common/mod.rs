pub mod edf;
pub mod synthetic;
