//! `eimfs report` end to end: a small EDF and detector files in, one HTML file out.

mod common;
use common::{eimfs, shared};
use std::path::Path;

use eimfs_core::{Electrode, Recording, RegionVisit, SeizureMap, Signal};

/// 2 minutes of 19 referential channels with a 3 Hz discharge on T3 from 40 to 70 s.
fn write_inputs(dir: &Path) {
    let fs = 128.0;
    let n = (120.0 * fs) as usize;
    let mut rec = Recording::default();
    for (k, e) in Electrode::ALL.into_iter().enumerate() {
        let x: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let bg = 10.0 * ((t * (7.0 + k as f64)).sin() + 0.5 * (t * 1.3 + k as f64).cos());
                let ictal = if e == Electrode::T3 && (40.0..70.0).contains(&t) {
                    120.0 * (2.0 * std::f64::consts::PI * 3.0 * t).sin()
                } else {
                    0.0
                };
                (bg + ictal) as f32
            })
            .collect();
        rec.signals.push(Signal::new(format!("EEG {}-REF", e.name()), "uV", fs, x));
    }
    eimfs_edf::write_recording(dir.join("clip.edf"), &rec, &eimfs_edf::RecordingWriteOptions::default()).unwrap();
    let lt = Electrode::T3.region();
    let s = SeizureMap {
        id: 1,
        onset: 40.0,
        offset: 70.0,
        confidence: Some(0.8),
        onset_electrodes: vec![Electrode::T3],
        onset_regions: vec![lt],
        onset_hemisphere: lt.hemisphere,
        visits: vec![RegionVisit { region: lt, start: 40.0, end: 70.0 }],
        hemisphere_switches: 0,
        overlaps: vec![],
        generalised: false,
    };
    std::fs::create_dir_all(dir.join("det")).unwrap();
    std::fs::write(dir.join("det/clip_seizures.json"), serde_json::json!({ "seizures": [s] }).to_string()).unwrap();
}

#[test]
fn writes_one_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let (edf, det) = (dir.path().join("clip.edf"), dir.path().join("det"));
    let out = eimfs(&["report", edf.to_str().unwrap(), "--detections", det.to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = det.join("clip_report.html");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), path.to_str().unwrap());
    let html = std::fs::read_to_string(&path).unwrap();
    for id in ["recording", "timeline", "burden", "migration", "examples", "seizures"] {
        assert!(html.contains(&format!(r#"<section id="{id}">"#)), "section {id}");
    }
    assert!(!html.contains("<section id=\"evaluation\">"), "no truth, no section 7");
    assert!(html.contains("No verdict (no detector summary)"));
    assert!(html.contains("first seizure, also the longest"));
    assert!(!html.contains("<script") && !html.contains("https://") && !html.contains("<link"));
    // No temporary file left behind.
    assert_eq!(std::fs::read_dir(&det).unwrap().count(), 2);

    // A user template.
    let tpl = dir.path().join("mine.html");
    std::fs::write(&tpl, "{{ file }}: {{ table | length }} seizure(s), first at {{ table[0].onset }}").unwrap();
    let mine = dir.path().join("mine_out.html");
    let out = eimfs(&[
        "report",
        edf.to_str().unwrap(),
        "--detections",
        det.to_str().unwrap(),
        "--template",
        tpl.to_str().unwrap(),
        "--out",
        mine.to_str().unwrap(),
        "--no-quality",
        "-q",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "clip.edf: 1 seizure(s), first at 0:00:40");

    let out = eimfs(&["report", "--print-template"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("{% include \"report.css\" %}"));
}

#[test]
fn missing_detections_fail_with_a_clear_message_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let edf = dir.path().join("clip.edf");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = eimfs(&["report", edf.to_str().unwrap(), "--detections", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("clip_seizures.json: no detections for recording `clip` (none found)"), "{err}");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    // A malformed seizure map names the file.
    std::fs::write(empty.join("clip_seizures.json"), "{\"seizures\": [{\"id\": 1}]}").unwrap();
    let out = eimfs(&["report", edf.to_str().unwrap(), "--detections", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("clip_seizures.json") && err.contains("missing field"), "{err}");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 1);
}

#[test]
fn reports_a_real_clip_after_detect() {
    // A real neonatal clip (Helsinki, seizure in all 30 s by the experts' majority): detect, then
    // report with the experts' events as the reference.
    let Some(shared) = shared() else { return };
    let clip = shared.join("data/helsinki-dev/helsinki_eeg9_00265s.edf");
    let reference = shared.join("data/helsinki-dev/helsinki_eeg9_00265s_events.tsv");
    let dir = tempfile::tempdir().unwrap();
    let det = dir.path().join("det");
    let out = eimfs(&["detect", clip.to_str().unwrap(), "--out", det.to_str().unwrap(), "-q"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html_path = dir.path().join("clip.html");
    let out = eimfs(&[
        "report",
        clip.to_str().unwrap(),
        "--detections",
        det.to_str().unwrap(),
        "--truth",
        reference.to_str().unwrap(),
        "--out",
        html_path.to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&html_path).unwrap();
    for id in ["recording", "timeline", "burden", "migration", "examples", "seizures", "evaluation"] {
        assert!(html.contains(&format!(r#"<section id="{id}">"#)), "section {id}");
    }
    assert!(html.contains("helsinki_eeg9_00265s.edf"));
    // The experts' seizure (no locations): scored by SzCORE, localisation not assessed.
    assert!(html.contains("1 seizure event(s) as SzCORE scores them, without locations"), "truth line");
    let text = html.split("<section id=\"seizures\">").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(text.contains("true event"), "the detected seizure is marked as a true event");
    assert!(!text.contains("no match"));
    assert!(html.contains("reference seizure events</dt><dd>1<"), "glance: the reference events");
    assert!(html.len() < 10_000_000);
    assert!(!html.contains("<script") && !html.contains("https://") && !html.contains("<link"));
}
