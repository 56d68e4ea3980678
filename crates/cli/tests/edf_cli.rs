//! `eimfs info` and `eimfs convert` end to end: output, JSON, exit codes, error messages.

mod common;
use common::eimfs;
use std::path::{Path, PathBuf};

use eimfs_core::{Annotation, Recording, Signal};
use eimfs_edf::{EdfFile, RecordingWriteOptions, write_recording};

/// 4 s, Fp1/F7/T3 at 256 Hz (T3 flat for 2 s), ECG, two annotations.
fn sample(dir: &Path) -> PathBuf {
    let n = 1024;
    let mut rec = Recording {
        // (the CLI does not depend on chrono: build the date-time through its serde form)
        start: serde_json::from_str("\"2026-01-02T03:04:05\"").unwrap(),
        ..Default::default()
    };
    for (k, label) in ["EEG Fp1-REF", "EEG F7-REF", "EEG T7-REF"].iter().enumerate() {
        let x: Vec<f32> = (0..n).map(|i| if k == 2 && i < 512 { 5.0 } else { ((i * (k + 1)) as f32 * 0.1).sin() * 50.0 }).collect();
        rec.signals.push(Signal::new(*label, "uV", 256.0, x));
    }
    rec.signals.push(Signal::new("ECG EKG-REF", "uV", 256.0, (0..n).map(|i| (i % 200) as f32).collect()));
    let mut a = Annotation::new(1.5, Some(2.0), "seizure");
    a.channel = Some("EEG T7-REF".into());
    rec.annotations.push(a);
    rec.annotations.push(Annotation::new(3.0, None, "artefact"));
    let p = dir.join("in.edf");
    write_recording(&p, &rec, &RecordingWriteOptions::default()).unwrap();
    p
}

#[test]
fn info_human_json_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    let ps = p.to_str().unwrap();
    let out = eimfs(&["info", ps]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Type         EDF+C (16-bit samples)"), "{text}");
    assert!(text.contains("Start        2026-01-02 03:04:05"), "{text}");
    assert!(text.contains("Duration     4 s (0:00:04): 4 records of 1 s"), "{text}");
    assert!(text.contains("Annotations  2"), "{text}");
    assert!(text.contains("seizure  [EEG T7-REF]"), "{text}");
    // normalised name and type: T7 is T3
    assert!(text.lines().any(|l| l.contains("EEG T7-REF") && l.contains(" T3 ") && l.contains("EEG")), "{text}");

    let out = eimfs(&["info", ps, "--json", "--stats", "--annotations", "1"]);
    assert!(out.status.success());
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["file_type"], "EDF+C");
    assert_eq!(j["n_records"], 4);
    assert_eq!(j["annotations"]["count"], 2);
    assert_eq!(j["annotations"]["listed"].as_array().unwrap().len(), 1);
    assert_eq!(j["annotations"]["listed"][0]["channel"], "EEG T7-REF");
    let t3 = &j["channels"][2];
    assert_eq!((t3["name"].as_str(), t3["type"].as_str()), (Some("T3"), Some("EEG")));
    assert_eq!(t3["stats"]["n_flat"], 512);
    assert_eq!(t3["stats"]["flat_fraction"], 0.5);
    assert_eq!(j["channels"][3]["type"], "ECG");
    assert!((j["channels"][3]["stats"]["max"].as_f64().unwrap() - 199.0).abs() < 0.01);
}

#[test]
fn info_errors_and_usage() {
    let out = eimfs(&["info", "/nonexistent/x.edf"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "error: /nonexistent/x.edf: No such file or directory (os error 2)\n");
    let out = eimfs(&["info"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.edf");
    std::fs::write(&bad, b"not an EDF file at all").unwrap();
    let out = eimfs(&["info", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an EDF or BDF file: bytes 0-7 are \"not an E\""));
}

#[test]
fn convert_lossless_channels_montage_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    let ps = p.to_str().unwrap();
    let out_path = dir.path().join("out.bdf");
    let out = eimfs(&["convert", "-q", ps, out_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (a, b) = (EdfFile::open(&p).unwrap(), EdfFile::open(&out_path).unwrap());
    assert_eq!(b.file_type().as_str(), "BDF+C");
    assert_eq!(a.annotations(), b.annotations());
    for c in 0..4 {
        let (mut x, mut y) = (vec![0; 1024], vec![0; 1024]);
        a.read_digital(&[c], 0..4, &mut [&mut x[..]]).unwrap();
        b.read_digital(&[c], 0..4, &mut [&mut y[..]]).unwrap();
        assert_eq!(x, y);
    }

    // channel selection by electrode name (T3 finds EEG T7-REF), index and label
    let sel = dir.path().join("sel.edf");
    let out = eimfs(&["convert", "-q", ps, sel.to_str().unwrap(), "--channels", "t3,1,ECG EKG-REF"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let labels: Vec<String> = EdfFile::open(&sel).unwrap().signals().iter().map(|s| s.label.clone()).collect();
    assert_eq!(labels, ["EEG T7-REF", "EEG Fp1-REF", "ECG EKG-REF"]);

    // a user montage: derivations, then the non-EEG channels
    let m = dir.path().join("m.edf");
    let out = eimfs(&["convert", "-q", ps, m.to_str().unwrap(), "--montage", "Fp1-F7,F7-T3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let f = EdfFile::open(&m).unwrap();
    let labels: Vec<&str> = f.signals().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["Fp1-F7", "F7-T3", "ECG EKG-REF"]);
    assert_eq!(f.annotations().len(), 2);

    // errors
    let out = eimfs(&["convert", ps, ps]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("error: {ps}: output is the input file; eimfs never modifies its input\n"));
    let out = eimfs(&["convert", ps, m.to_str().unwrap(), "--montage", "double-banana"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing electrode(s) Fp2"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = eimfs(&["convert", ps, m.to_str().unwrap(), "--channels", "Oz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: --channels: no channel \"Oz\" in "));
    let out = eimfs(&["convert", ps, m.to_str().unwrap(), "--bandpass", "1"]);
    assert_eq!(out.status.code(), Some(2));
}
