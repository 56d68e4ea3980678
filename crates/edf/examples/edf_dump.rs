//! Dump what eimfs-edf reads from a file, for comparison with other readers (used by
//! `ci/checks/edf_crosscheck.py`).
//!
//! `cargo run -p eimfs-edf --example edf_dump -- FILE OUTDIR` writes `OUTDIR/header.json`
//! (header, signals, annotations, record starts, gaps, warnings) and, per data signal `i`,
//! `OUTDIR/phys_<i>.f32` (physical values, little-endian f32, from `read_recording`) and
//! `OUTDIR/dig_<i>.i32` (digital values, little-endian i32, from `read_digital`).
//! Errors are printed on stderr with exit code 1.

use std::io::Write;

use eimfs_edf::EdfFile;
use serde_json::json;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: edf_dump FILE OUTDIR");
        std::process::exit(2);
    }
    if let Err(e) = run(&args[1], &args[2]) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(path: &str, out: &str) -> Result<(), Box<dyn std::error::Error>> {
    let f = EdfFile::open(path)?;
    let out = std::path::Path::new(out);
    std::fs::create_dir_all(out)?;
    let rec = f.read_recording()?;
    let n = f.n_records();
    for (i, s) in rec.signals.iter().enumerate() {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out.join(format!("phys_{i}.f32")))?);
        for v in &s.samples {
            w.write_all(&v.to_le_bytes())?;
        }
        let mut d = vec![0i32; f.n_samples(i)];
        f.read_digital(&[i], 0..n, &mut [&mut d[..]])?;
        let mut w = std::io::BufWriter::new(std::fs::File::create(out.join(format!("dig_{i}.i32")))?);
        for v in &d {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    let h = f.header();
    let j = json!({
        "file_type": f.file_type().as_str(),
        "start": f.start().format("%Y-%m-%dT%H:%M:%S%.9f").to_string(),
        "start_offset": f.start_offset(),
        "n_records": n,
        "n_records_header": h.n_records_header,
        "record_duration": f.record_duration(),
        "duration": f.duration(),
        "patient": h.patient,
        "recording": h.recording,
        "signals": f.signals(),
        "annotations": f.annotations(),
        "record_starts": f.record_starts(),
        "gaps": f.gaps(),
        "warnings": f.warnings(),
    });
    std::fs::write(out.join("header.json"), serde_json::to_string_pretty(&j)?)?;
    Ok(())
}
