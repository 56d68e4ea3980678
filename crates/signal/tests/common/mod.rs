//! Shared helpers of the eimfs-signal integration tests: the scipy fixtures written by
//! `ci/fixtures/signal_fixtures.py`.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

pub fn manifest() -> Value {
    let path = data_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run ci/fixtures/signal_fixtures.py)", path.display()));
    serde_json::from_str(&text).expect("manifest.json is valid JSON")
}

/// A raw little-endian f64 file referenced as `{"file": ..., "n": ...}`.
pub fn load(v: &Value) -> Vec<f64> {
    let name = v["file"].as_str().expect("file name");
    let bytes = std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(bytes.len() % 8, 0, "{name}: not a whole number of f64");
    let out: Vec<f64> = bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
    assert_eq!(out.len() as u64, v["n"].as_u64().unwrap(), "{name}: length");
    out
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

pub fn rows6(v: &Value) -> Vec<[f64; 6]> {
    v.as_array()
        .expect("array of sections")
        .iter()
        .map(|r| {
            let r = f64s(r);
            [r[0], r[1], r[2], r[3], r[4], r[5]]
        })
        .collect()
}

/// max |a − b| / max |b|: the error relative to the reference's scale.
pub fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let diff = a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    if scale == 0.0 { diff } else { diff / scale }
}

/// Tolerance of every scipy comparison (relative to the reference's largest magnitude).
pub const TOL: f64 = 1e-6;
