//! A report built from files on disk: a synthetic EDF with known seizures and faults, the
//! detector's files and a truth.

mod common;

use common::edf;
use eimfs_core::Electrode;
use eimfs_report::{BuildOptions, RenderOptions, Stage, build, render};

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn report_of_a_recording_with_detections_and_truth() {
    let dir = tempfile::tempdir().unwrap();
    edf::write_all(dir.path());
    let options =
        BuildOptions { detections: dir.path().join("det"), truth: Some(dir.path().join("truth/rec_truth.json")), skip_quality: false };
    let seen = std::sync::Mutex::new(Vec::new());
    let data = build(&dir.path().join("rec.edf"), &options, &|stage, done, total| seen.lock().unwrap().push((stage, done, total))).unwrap();

    // 1. Recording and quality: O1 flat, F8 mains, nothing else.
    assert_eq!(data.recording.file, "rec.edf");
    assert_eq!(data.recording.file_type, "EDF+C");
    assert!((data.recording.duration - 600.0).abs() < 1e-9);
    assert_eq!(data.recording.channels.len(), 20);
    assert_eq!(data.recording.channels[19].kind, "ECG");
    assert!(data.recording.missing_electrodes.is_empty());
    assert_eq!(data.recording.quality.len(), 19);
    let flagged: Vec<(Option<Electrode>, &Vec<String>)> =
        data.recording.quality.iter().filter(|q| !q.problems.is_empty()).map(|q| (q.electrode, &q.problems)).collect();
    assert_eq!(flagged.len(), 3, "{flagged:?}");
    assert_eq!(flagged[0].0, Some(Electrode::F8));
    assert!(flagged[0].1[0].starts_with("mains interference at 50 Hz"), "{flagged:?}");
    // 60 epochs, of which 9 overlap the detected seizures (122–175 s, 402–430 s); 300–360 s off.
    assert_eq!(flagged[1].0, Some(Electrode::P4));
    assert_eq!(flagged[1].1, &vec!["nearly flat in 6 of 51 10-s epochs (1 min 00 s): disconnected for a while?".to_string()]);
    assert_eq!(flagged[2].0, Some(Electrode::O1));
    assert_eq!(flagged[2].1, &vec!["flat for the whole recording (disconnected or bridged electrode?)".to_string()]);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.iter().rfind(|s| s.0 == Stage::Quality).map(|s| (s.1, s.2)), Some((1200, 1200)));
    assert_eq!(seen.iter().rfind(|s| s.0 == Stage::Examples).map(|s| (s.1, s.2)), Some((2, 2)));

    // Detector files.
    assert_eq!(data.seizures.len(), 2);
    let summary = data.summary.as_ref().unwrap();
    assert!(!summary.migration.as_ref().unwrap().migrating);
    assert_eq!(summary.montage.as_deref(), Some("double-banana"));
    let p = data.probability.as_ref().unwrap();
    assert_eq!((p.seconds.len(), p.regions.len()), (600, 2));
    assert_eq!(p.overall[130], 0.95);

    // 5. Examples: two seizures (the first is also the longest and migrates), 18 bipolar
    // channels read back from the EDF; the ictal rhythm is where the truth put it.
    assert_eq!(data.examples.len(), 2);
    let ex = &data.examples[0];
    assert_eq!(ex.why, "first seizure, also the longest (it migrates)");
    assert_eq!(data.examples[1].why, "second-longest seizure");
    assert_eq!(ex.channels.len(), 18);
    assert_eq!(ex.channels[1].label, "F7-T3");
    assert!((ex.start - 112.0).abs() < 1e-9, "{}", ex.start);
    // 10 s before the onset, 45 s in all (the change of region at 140 s is inside).
    assert_eq!(ex.channels[0].samples.len(), (45.0 * 256.0) as usize);
    let ictal = |label: &str| {
        let c = ex.channels.iter().find(|c| c.label == label).unwrap();
        // 145–155 s: inside seizure 1 in all its regions (window starts at 112 s).
        rms(&c.samples[(33.0 * 256.0) as usize..(43.0 * 256.0) as usize])
    };
    // T3-T5: both ictal, in phase → small; F7-T3 and T5-O1 carry the rhythm; Fp2-F4 does not.
    assert!(ictal("F7-T3") > 80.0, "{}", ictal("F7-T3"));
    assert!(ictal("Fp2-F4") < 35.0, "{}", ictal("Fp2-F4"));
    assert!(ictal("C4-P4") > 80.0 && ictal("F4-C4") > 80.0);
    // The 50 Hz on F8 is removed by the 35 Hz low-pass.
    let f8 = ex.channels.iter().find(|c| c.label == "Fp2-F8").unwrap();
    let f8_rms = rms(&f8.samples[..(8.0 * 256.0) as usize]);
    assert!(f8_rms < 35.0, "{f8_rms}");

    // 7. Evaluation: 3 true seizures, 2 found, nothing false; regions right.
    let ev = data.evaluation.as_ref().unwrap();
    assert_eq!((ev.event.tp, ev.event.fp, ev.event.ref_true), (2, 0, 3));
    assert_eq!(ev.reference_events.iter().filter(|e| !e.2).count(), 1);
    assert_eq!(ev.reference_events.iter().find(|e| !e.2).map(|e| e.0), Some(540.0));
    assert_eq!((ev.localisation.matched, ev.localisation.region_correct), (2, 2));
    assert_eq!(ev.truth.len(), 3);

    let html = render(&data, &RenderOptions::default()).unwrap();
    for id in ["recording", "timeline", "burden", "migration", "examples", "seizures", "evaluation"] {
        assert!(html.contains(&format!(r#"<section id="{id}">"#)), "section {id}");
    }
    assert!(html.contains("No migrating focal seizures"));
    assert!(html.contains("<strong>EEG O1-Ref</strong> (O1): flat for the whole recording"), "quality note");
    assert!(html.contains("true seizure 0:09:00–0:09:15 (MISSED)"), "missed seizure on the timeline");
    assert!(html.contains(">0:09:00–0:09:15</p>"), "missed seizure listed");
    assert!(html.contains("<td class=\"n\">0.667</td>"), "event sensitivity 2/3");
    assert!(html.contains("2024-03-05 13:20:00"));
    assert!(html.contains("<td>13:22:02</td>"), "clock time of seizure 1");
    assert_eq!(html.matches(r#"class="fig traces""#).count(), 2);
    // The truth drawn as a second timeline in section 7, with its missed third seizure.
    assert_eq!(html.matches(r#"class="fig timeline""#).count(), 2);
    assert!(html.contains("Seizure 3 at 0:09:00, 15 s — L temporal"), "the missed true seizure on the truth timeline");
}

#[test]
fn missing_detections_are_named() {
    let dir = tempfile::tempdir().unwrap();
    edf::write_all(dir.path());
    std::fs::rename(dir.path().join("det/rec_seizures.json"), dir.path().join("det/other_seizures.json")).unwrap();
    let options = BuildOptions { detections: dir.path().join("det"), truth: None, skip_quality: true };
    let err = build(&dir.path().join("rec.edf"), &options, &|_, _, _| {}).unwrap_err().to_string();
    assert!(err.contains("rec_seizures.json: no detections for recording `rec` (found: other_seizures.json)"), "{err}");
    assert!(err.contains("eimfs detect"), "{err}");
}

#[test]
fn user_template_replaces_the_page() {
    let dir = tempfile::tempdir().unwrap();
    edf::write_all(dir.path());
    let options = BuildOptions { detections: dir.path().join("det"), truth: None, skip_quality: true };
    let data = build(&dir.path().join("rec.edf"), &options, &|_, _, _| {}).unwrap();
    let t = "<h1>{{ file }}</h1>{% for s in table %}<p>{{ s.id }} {{ s.onset }} {{ s.path }}</p>{% endfor %}<style>{% include \"report.css\" %}</style>";
    let html = render(&data, &RenderOptions { template: Some(t.into()), ..Default::default() }).unwrap();
    assert!(
        html.starts_with("<h1>rec.edf</h1><p>1 0:02:02 L temporal → R central (+18 s)</p><p>2 0:06:42 R occipital</p><style>:root"),
        "{html}"
    );
    let err = render(&data, &RenderOptions { template: Some("{% for x in %}".into()), ..Default::default() }).unwrap_err().to_string();
    assert!(err.starts_with("report template:") && err.contains("report.html:1"), "{err}");
}
