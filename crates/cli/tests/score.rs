//! `eimfs score` end to end: tables, JSON, exit codes and error messages.

mod common;
use common::eimfs;
use std::path::Path;

const HEADER: &str = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn scores_a_pair_as_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("rec_events.tsv"), dir.path().join("det_events.tsv"));
    write(&r, &format!("{HEADER}100\t40\tsz_foc\tn/a\tT3,C3\tn/a\t3600\n1000\t30\tsz\tn/a\tFp2\tn/a\t3600\n"));
    write(&h, &format!("{HEADER}110\t40\tsz\t0.9\tT7\tn/a\t3600\n2000\t10\tsz\t0.5\tO1\tn/a\t3600\n"));
    let (rs, hs) = (r.to_str().unwrap(), h.to_str().unwrap());

    let out = eimfs(&["score", "--ref", rs, "--hyp", hs]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("rec "), "{table}");
    assert!(table.contains("0.500  0.500  0.500    24.00"), "{table}");

    let report_path = dir.path().join("report.json");
    let out = eimfs(&["score", "--ref", rs, "--hyp", hs, "--json", "--out", report_path.to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rec = &v["recordings"][0];
    assert_eq!(rec["name"], "rec");
    assert_eq!((rec["event"]["tp"].as_u64(), rec["event"]["fp"].as_u64(), rec["event"]["refTrue"].as_u64()), (Some(1), Some(1), Some(2)));
    assert_eq!(rec["event"]["fpRate"], 24.0);
    // Samples: reference 70 s, hypothesis 50 s, 30 s in common.
    assert_eq!(
        (rec["sample"]["tp"].as_u64(), rec["sample"]["fp"].as_u64(), rec["sample"]["refTrue"].as_u64()),
        (Some(30), Some(20), Some(70))
    );
    assert_eq!(rec["localisation"]["matched"], 1);
    assert_eq!(rec["localisation"]["hemisphere_accuracy"], 1.0);
    assert_eq!(rec["localisation"]["truth_source"]["kind"], "tsv_channels");
    // Migration verdicts by the detector's rule: the reference has onsets in two regions of both
    // hemispheres (L-temporal, R-frontal), the hypothesis two left-sided ones (L-temporal,
    // L-occipital) and no seizure that moves.
    assert_eq!(rec["localisation"]["verdict"]["reference"], "migrating");
    assert_eq!(rec["localisation"]["verdict"]["hypothesis"], "not_migrating");
    assert_eq!(rec["localisation"]["verdict"]["agree"], false);
    let ov = &v["overall"]["localisation"]["verdict"];
    assert_eq!((ov["recordings"].as_u64(), ov["agree"].as_u64(), ov["accuracy"].as_f64()), (Some(1), Some(0), Some(0.0)));
    assert_eq!(ov["disagree"][0], "rec");
    assert!(table.contains("| migrating -> not_migrating  (differ)"), "{table}");
    assert!(table.contains("verdict  reference and hypothesis agree on 0 of 1 recordings (0.000); differ: rec"), "{table}");
    assert_eq!(v["overall"]["event"]["sensitivity"], 0.5);
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(written, v);
}

#[test]
fn malformed_tsv_exits_1_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("r.tsv"), dir.path().join("h.tsv"));
    write(&r, &format!("{HEADER}100\t40\tsz\tn/a\tn/a\tn/a\t3600\n1x0\t30\tsz\tn/a\tn/a\tn/a\t3600\n"));
    write(&h, &format!("{HEADER}100\t40\tsz\tn/a\tn/a\tn/a\t3600\n"));
    let out = eimfs(&["score", "--ref", r.to_str().unwrap(), "--hyp", h.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim(), format!("error: {}:3: field `onset`: expected a number of seconds, found `1x0`", r.display()));

    write(&r, "onset\tduration\n1\t2\n");
    let out = eimfs(&["score", "--ref", r.to_str().unwrap(), "--hyp", h.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":1: missing column `eventType`"));

    // No duration anywhere, then given on the command line.
    write(&r, &format!("{HEADER}100\t40\tsz\tn/a\tn/a\tn/a\tn/a\n"));
    write(&h, &format!("{HEADER}100\t40\tsz\tn/a\tn/a\tn/a\tn/a\n"));
    let out = eimfs(&["score", "--ref", r.to_str().unwrap(), "--hyp", h.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration SECONDS"));
    let out = eimfs(&["score", "--ref", r.to_str().unwrap(), "--hyp", h.to_str().unwrap(), "--duration", "600", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recordings"][0]["event"]["numSamples"], 6000);
}
