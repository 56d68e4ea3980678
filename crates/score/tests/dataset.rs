//! Dataset scoring: pairing, subjects, aggregation, localisation from JSON and TSV, and errors.

use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};
use eimfs_score::dataset::{self, Loader, MapSource, Options};
use std::path::Path;

const HEADER: &str = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n";

fn tsv(path: &Path, rows: &[(f64, f64, &str, &str)], duration: f64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut s = HEADER.to_string();
    for (o, d, t, ch) in rows {
        s += &format!("{o}\t{d}\t{t}\tn/a\t{ch}\t2026-01-01 00:00:00\t{duration}\n");
    }
    if rows.is_empty() {
        s += &format!("0\t{duration}\tbckg\tn/a\tn/a\t2026-01-01 00:00:00\t{duration}\n");
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn subjects_and_names() {
    assert_eq!(dataset::subject_of("sub-01_ses-02_task-szMonitoring_run-00"), "sub-01");
    assert_eq!(dataset::subject_of("site3_sub-17_run-1"), "sub-17");
    assert_eq!(dataset::subject_of("chb01_03"), "chb01");
    assert_eq!(dataset::subject_of("eeg12"), "eeg12");
    assert_eq!(dataset::subject_with("helsinki_eeg10_00001s", Some(1)), "eeg10");
    assert_eq!(dataset::subject_with("helsinki_eeg10_00001s", Some(0)), "helsinki");
    assert_eq!(dataset::subject_with("eeg12", Some(3)), "eeg12");
    assert_eq!(dataset::subject_with("sub-02_run-1", None), "sub-02");
    assert_eq!(dataset::recording_name(Path::new("a/sub-01_run-1_events.tsv")), "sub-01_run-1");
    assert_eq!(dataset::recording_name(Path::new("eeg12.tsv")), "eeg12");
}

#[test]
fn directories_are_paired_by_name_and_averaged_per_subject() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("ref"), dir.path().join("hyp"));
    // Reference in a BIDS tree, hypothesis flat (as `eimfs detect --out` writes it).
    tsv(&r.join("sub-01/ses-01/eeg/sub-01_ses-01_run-00_events.tsv"), &[(100.0, 40.0, "sz", "n/a"), (1000.0, 30.0, "sz", "n/a")], 3600.0);
    tsv(&r.join("sub-01/ses-01/eeg/sub-01_ses-01_run-01_events.tsv"), &[(50.0, 20.0, "sz_foc", "n/a")], 1800.0);
    tsv(&r.join("sub-02/ses-01/eeg/sub-02_ses-01_run-00_events.tsv"), &[], 7200.0);
    std::fs::write(r.join("participants.tsv"), "participant_id\nsub-01\n").unwrap(); // not an events file
    tsv(&h.join("sub-01_ses-01_run-00_events.tsv"), &[(110.0, 40.0, "sz", "n/a"), (2000.0, 10.0, "sz", "n/a")], 3600.0);
    tsv(&h.join("sub-02_ses-01_run-00_events.tsv"), &[(500.0, 20.0, "sz", "n/a")], 7200.0);
    tsv(&h.join("stray_events.tsv"), &[], 60.0);
    std::fs::write(h.join("sub-02_ses-01_run-00_probability.tsv"), "second\tp\n0\t0.1\n").unwrap();

    let pairing = dataset::pair_inputs(&r, &h, None, None).unwrap();
    let names: Vec<&str> = pairing.recordings.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["sub-01_ses-01_run-00", "sub-01_ses-01_run-01", "sub-02_ses-01_run-00"]);
    assert_eq!(pairing.reference_only, ["sub-01_ses-01_run-01"]);
    assert_eq!(pairing.hypothesis_only, [h.join("stray_events.tsv")]);

    let report = dataset::score_dataset(&pairing, &Options::default(), |_, _| {}).unwrap();
    let rec = &report.recordings;
    assert_eq!((rec[0].event.tp, rec[0].event.fp, rec[0].event.ref_true), (1, 1, 2));
    assert_eq!((rec[1].event.tp, rec[1].event.fp, rec[1].event.ref_true), (0, 0, 1));
    assert!(rec[1].hypothesis.is_none());
    assert_eq!((rec[2].event.tp, rec[2].event.fp, rec[2].event.ref_true), (0, 1, 0));
    assert!(rec[2].event.sensitivity.is_nan());

    // sub-01: tp 1, fp 1, refTrue 3 over 1.5 h; sub-02: tp 0, fp 1, refTrue 0 over 2 h.
    let s1 = &report.subjects[0];
    assert_eq!((s1.subject.as_str(), s1.recordings, s1.duration), ("sub-01", 2, 5400.0));
    assert_eq!((s1.event.tp, s1.event.fp, s1.event.ref_true, s1.event.num_samples), (1, 1, 3, 54_000));
    assert!((s1.event.sensitivity - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(s1.event.fp_rate, 16.0);
    let s2 = &report.subjects[1];
    assert_eq!((s2.event.precision, s2.event.f1, s2.event.fp_rate), (0.0, 0.0, 12.0));
    // Overall: nanmean over subjects; sub-02's NaN sensitivity is ignored.
    let ov = &report.overall;
    assert_eq!((ov.subjects, ov.recordings), (2, 3));
    assert!((ov.event.sensitivity - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(ov.event.sensitivity_std, 0.0);
    assert_eq!(ov.event.precision, 0.25);
    assert_eq!(ov.event.precision_std, 0.25);
    assert_eq!(ov.event.fp_rate, 14.0);
    assert_eq!(ov.event.fp_rate_std, 2.0);
    // Pooled: tp 1, fp 2, refTrue 3 over 3.5 h.
    assert_eq!((ov.pooled.event.tp, ov.pooled.event.fp, ov.pooled.event.ref_true), (1, 2, 3));
    assert!((ov.pooled.event.fp_rate - 2.0 / (12_600.0 / 86_400.0)).abs() < 1e-12);

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["recordings"][0]["event"]["refTrue"], 2);
    assert_eq!(json["recordings"][2]["event"]["sensitivity"], serde_json::Value::Null);
    assert_eq!(json["overall"]["event"]["fpRate_std"], 2.0);
    assert_eq!(json["method"]["loader"], "events");
    let table = report.to_table();
    assert!(table.contains("sub-01_ses-01_run-01"), "{table}");
    assert!(table.contains("references without hypothesis (scored as empty): sub-01_ses-01_run-01"), "{table}");

    let strict = Options { strict: true, ..Options::default() };
    let err = dataset::score_dataset(&pairing, &strict, |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("sub-01_ses-01_run-01") && err.contains("stray_events.tsv"), "{err}");
}

#[test]
fn loaders_differ_only_by_whole_second_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("r.tsv"), dir.path().join("h.tsv"));
    // The hypothesis starts 59.95 s after the reference ends: inside the 60 s tolerance on the
    // 10 Hz grid; truncated to whole seconds by the SzCORE loader it starts at 60 s after the
    // (truncated) offset 110 → 170 vs window end 170: outside.
    tsv(&r, &[(100.0, 10.5, "sz", "n/a")], 600.0);
    tsv(&h, &[(170.45, 5.0, "sz", "n/a")], 600.0);
    let pairing = dataset::pair_inputs(&r, &h, None, None).unwrap();
    let ev = dataset::score_dataset(&pairing, &Options::default(), |_, _| {}).unwrap();
    assert_eq!((ev.recordings[0].event.tp, ev.recordings[0].event.fp), (1, 0));
    let sz = dataset::score_dataset(&pairing, &Options { loader: Loader::Szcore, ..Options::default() }, |_, _| {}).unwrap();
    assert_eq!((sz.recordings[0].event.tp, sz.recordings[0].event.fp), (0, 1));
}

fn visit(r: Region, start: f64, end: f64) -> RegionVisit {
    RegionVisit { region: r, start, end }
}

fn smap(id: usize, onset: f64, offset: f64, el: Electrode, visits: Vec<RegionVisit>) -> SeizureMap {
    SeizureMap {
        id,
        onset,
        offset,
        confidence: None,
        onset_electrodes: vec![el],
        onset_regions: vec![el.region()],
        onset_hemisphere: el.hemisphere(),
        hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
        visits,
        overlaps: vec![],
        generalised: false,
    }
}

#[test]
fn localisation_from_truth_and_seizure_json_found_beside_the_tsvs() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("sim"), dir.path().join("det"));
    let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
    let lc = Region::new(Lobe::Central, Hemisphere::Left);
    let rf = Region::new(Lobe::Frontal, Hemisphere::Right);
    let ro = Region::new(Lobe::Occipital, Hemisphere::Right);
    tsv(
        &r.join("rec1_events.tsv"),
        &[(100.0, 60.0, "sz_foc", "T3,C3"), (130.0, 70.0, "sz_foc", "F4"), (1000.0, 30.0, "sz_foc", "O2")],
        3600.0,
    );
    let truth = vec![
        smap(1, 100.0, 160.0, Electrode::T3, vec![visit(lt, 100.0, 160.0), visit(lc, 120.0, 160.0)]),
        smap(2, 130.0, 200.0, Electrode::F4, vec![visit(rf, 130.0, 200.0)]),
        smap(3, 1000.0, 1030.0, Electrode::O2, vec![visit(ro, 1000.0, 1030.0)]),
    ];
    let truth_json = serde_json::json!({"recording": "rec1", "seizures": truth, "regions": []});
    std::fs::write(r.join("rec1_truth.json"), truth_json.to_string()).unwrap();
    tsv(&h.join("rec1_events.tsv"), &[(101.0, 57.0, "sz", "T3"), (131.0, 74.0, "sz", "F8"), (2000.0, 10.0, "sz", "O1")], 3600.0);
    let detected = vec![
        smap(1, 101.0, 158.0, Electrode::T3, vec![visit(lt, 101.0, 158.0), visit(rf, 140.0, 158.0)]),
        smap(2, 131.0, 205.0, Electrode::F8, vec![visit(rf, 131.0, 205.0), visit(ro, 150.0, 205.0)]),
        smap(3, 2000.0, 2010.0, Electrode::O1, vec![visit(Region::new(Lobe::Occipital, Hemisphere::Left), 2000.0, 2010.0)]),
    ];
    std::fs::write(h.join("rec1_seizures.json"), serde_json::json!({"seizures": detected}).to_string()).unwrap();

    let pairing = dataset::pair_inputs(&r, &h, None, None).unwrap();
    assert_eq!(pairing.recordings[0].truth_maps.as_deref(), Some(r.join("rec1_truth.json").as_path()));
    let report = dataset::score_dataset(&pairing, &Options::default(), |_, _| {}).unwrap();
    let loc = report.recordings[0].localisation.as_ref().unwrap();
    assert_eq!(loc.truth_source, MapSource::Json(r.join("rec1_truth.json")));
    assert_eq!(loc.detected_source, MapSource::Json(h.join("rec1_seizures.json")));
    let s = &loc.score;
    assert_eq!((s.true_seizures, s.detected_seizures, s.matched), (3, 3, 2));
    assert_eq!((s.hemisphere_correct, s.region_correct, s.region_assessed), (2, 2, 2));
    // [LT, LC] vs [LT, RF] → 0.5; [RF] vs [RF, RO] → 0.5.
    assert_eq!((s.sequence_assessed, s.sequence_agreement), (2, 0.5));
    assert_eq!(report.overall.localisation.as_ref().unwrap().pooled.hemisphere_accuracy, 1.0);
    // No verdict unless asked for.
    assert!(loc.verdict.is_none() && report.overall.localisation.as_ref().unwrap().verdict.is_none());
    // A recording-level verdict from the maps, here the number of distinct onset regions: truth
    // LT, RF, RO (3), detections LT, RF, LO (3); then the number of seizures that visit more
    // than one region: truth 1, detections 2.
    fn onset_regions(m: &[SeizureMap]) -> String {
        let mut r: Vec<Region> = m.iter().flat_map(|s| s.onset_regions.iter().copied()).collect();
        r.sort();
        r.dedup();
        r.len().to_string()
    }
    fn moving(m: &[SeizureMap]) -> String {
        m.iter().filter(|s| s.visits.len() > 1).count().to_string()
    }
    for (f, want) in [(onset_regions as dataset::VerdictFn, ("3", "3", true)), (moving, ("1", "2", false))] {
        let report = dataset::score_dataset(&pairing, &Options { verdict: Some(f), ..Options::default() }, |_, _| {}).unwrap();
        let v = report.recordings[0].localisation.as_ref().unwrap().verdict.clone().unwrap();
        assert_eq!((v.reference.as_str(), v.hypothesis.as_str(), v.agree), want);
        let all = report.overall.localisation.unwrap().verdict.unwrap();
        assert_eq!((all.recordings, all.agree, all.accuracy), (1, want.2 as usize, if want.2 { 1.0 } else { 0.0 }));
        assert_eq!(all.disagree.is_empty(), want.2);
    }

    // Without the JSONs, the TSV channels give onset scores but no sequence.
    std::fs::remove_file(r.join("rec1_truth.json")).unwrap();
    std::fs::remove_file(h.join("rec1_seizures.json")).unwrap();
    let pairing = dataset::pair_inputs(&r, &h, None, None).unwrap();
    let report = dataset::score_dataset(&pairing, &Options::default(), |_, _| {}).unwrap();
    let loc = report.recordings[0].localisation.as_ref().unwrap();
    assert_eq!(loc.truth_source, MapSource::TsvChannels(r.join("rec1_events.tsv")));
    let s = &loc.score;
    assert_eq!((s.matched, s.hemisphere_correct, s.region_correct, s.sequence_assessed), (2, 2, 2, 0));
    assert!(s.sequence_agreement.is_nan());
}

#[test]
fn bad_inputs_say_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (r, h) = (dir.path().join("r.tsv"), dir.path().join("h.tsv"));
    tsv(&h, &[(1.0, 2.0, "sz", "n/a")], 600.0);
    std::fs::write(&r, format!("{HEADER}1.0\t2.0\tsz\tn/a\tn/a\tn/a\t600\n\n5.0\tabc\tsz\tn/a\tn/a\tn/a\t600\n")).unwrap();
    let p = dataset::pair_inputs(&r, &h, None, None).unwrap();
    let err = dataset::score_dataset(&p, &Options::default(), |_, _| {}).unwrap_err().to_string();
    assert_eq!(err, format!("{}:4: field `duration`: expected a number of seconds, found `abc`", r.display()));

    std::fs::write(&r, format!("{HEADER}1.0\t2.0\tsz\tn/a\tn/a\tn/a\t600\n\n-5.0\t1\tsz\tn/a\tn/a\tn/a\t600\n")).unwrap();
    let err = dataset::score_dataset(&p, &Options::default(), |_, _| {}).unwrap_err().to_string();
    assert_eq!(err, format!("{}:4: field `onset`: expected a time >= 0 s from the recording start, found `-5`", r.display()));

    std::fs::write(&r, format!("{HEADER}1.0\t2.0\tsz\tn/a\tn/a\tn/a\tn/a\n")).unwrap();
    std::fs::write(&h, format!("{HEADER}1.0\t2.0\tsz\tn/a\tn/a\tn/a\tn/a\n")).unwrap();
    let err = dataset::score_dataset(&p, &Options::default(), |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("no recordingDuration") && err.contains("--duration"), "{err}");
    let ok = dataset::score_dataset(&p, &Options { duration: Some(600.0), ..Options::default() }, |_, _| {}).unwrap();
    assert_eq!(ok.recordings[0].duration, 600.0);
    assert_eq!(ok.recordings[0].sample.num_samples, 600);

    tsv(&r, &[(1.0, 2.0, "sz", "n/a")], 600.0);
    tsv(&h, &[(1.0, 2.0, "sz", "n/a")], 601.0);
    let err = dataset::score_dataset(&p, &Options::default(), |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("durations differ") && err.contains("--duration-tolerance"), "{err}");
    let ok = dataset::score_dataset(&p, &Options { duration_tolerance: 1.0, ..Options::default() }, |_, _| {}).unwrap();
    assert_eq!(ok.recordings[0].event.num_samples, 6000);

    let err = dataset::pair_inputs(&r, dir.path(), None, None).unwrap_err().to_string();
    assert!(err.contains("must both be TSV files or both directories"), "{err}");
    let err = dataset::pair_inputs(&r, &dir.path().join("missing.tsv"), None, None).unwrap_err().to_string();
    assert!(err.contains("missing.tsv"), "{err}");

    let (a, b) = (dir.path().join("A"), dir.path().join("B"));
    tsv(&a.join("x/rec_events.tsv"), &[], 10.0);
    tsv(&a.join("y/rec_events.tsv"), &[], 10.0);
    std::fs::create_dir_all(&b).unwrap();
    let err = dataset::pair_inputs(&a, &b, None, None).unwrap_err().to_string();
    assert!(err.starts_with("two files for recording `rec`"), "{err}");

    std::fs::write(dir.path().join("bad.json"), "{\"seizures\": [{\"id\": 1, \"onset\": 2}]}").unwrap();
    tsv(&r, &[(1.0, 2.0, "sz", "T3")], 600.0);
    tsv(&h, &[(1.0, 2.0, "sz", "T3")], 600.0);
    let p = dataset::pair_inputs(&r, &h, Some(&dir.path().join("bad.json")), None).unwrap();
    let err = dataset::score_dataset(&p, &Options::default(), |_, _| {}).unwrap_err().to_string();
    assert!(err.contains("bad.json") && err.contains("missing field"), "{err}");
}
