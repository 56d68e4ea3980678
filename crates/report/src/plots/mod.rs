//! The report's figures, each an inline SVG string.

pub mod burden;
pub mod head;
pub mod timeline;
pub mod traces;
