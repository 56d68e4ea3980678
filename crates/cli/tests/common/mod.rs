//! Helpers shared by the CLI integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run the `eimfs` binary built for these tests.
pub fn eimfs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eimfs")).args(args).output().expect("eimfs runs")
}

/// The shared data directory (`EIMFS_SHARED`, else `../shared` beside the repository); fails in
/// CI (`CI=true`) and returns `None` locally when it is missing.
pub fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("EIMFS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if p.join("data/helsinki-dev").is_dir() {
        Some(p)
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared data not found at {} (set EIMFS_SHARED)", p.display());
    } else {
        eprintln!("skipping: shared data not found at {}", p.display());
        None
    }
}
