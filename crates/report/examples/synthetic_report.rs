//! Write the report of a synthetic long recording (no EEG file needed), e.g. to measure how fast
//! a browser opens a 72-hour report: `cargo run -p eimfs-report --example synthetic_report --
//! OUT.html [HOURS] [SEIZURES]` (default 72 h, 1,440 seizures).

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().map(String::as_str).unwrap_or("synthetic_report.html");
    let hours: f64 = args.get(1).map(|s| s.parse().expect("HOURS is a number")).unwrap_or(72.0);
    let n: usize = args.get(2).map(|s| s.parse().expect("SEIZURES is a whole number")).unwrap_or(1440);
    let data = common::synthetic::report(hours, n, 7);
    let html = eimfs_report::render(&data, &eimfs_report::RenderOptions::default()).expect("render");
    eimfs_report::write_report(std::path::Path::new(out), &html).expect("write");
    println!("{out}: {} h, {} seizures, {:.2} MB", hours, data.seizures.len(), html.len() as f64 / 1e6);
}
