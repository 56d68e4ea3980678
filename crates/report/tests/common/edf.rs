//! A small synthetic EDF with known seizures and known faults, plus the detector's files for it.

#![allow(dead_code)]

use std::path::Path;

use eimfs_core::{Electrode, Event, EventsFile, Hemisphere, Lobe, Recording, Region, RegionVisit, SeizureMap, Signal};

use super::synthetic::Rng;

pub const FS: f64 = 256.0;
pub const DURATION: f64 = 600.0;

pub fn lt() -> Region {
    Region::new(Lobe::Temporal, Hemisphere::Left)
}
pub fn rc() -> Region {
    Region::new(Lobe::Central, Hemisphere::Right)
}
pub fn ro() -> Region {
    Region::new(Lobe::Occipital, Hemisphere::Right)
}

/// Seizure 1: left temporal (T3, T5) 120–170 s, spreading to right central (C4) 140–175 s.
/// Seizure 2: right occipital (O2) 400–430 s. Seizure 3 (in the truth only, missed): left
/// temporal 540–555 s.
pub fn true_seizures() -> Vec<SeizureMap> {
    let mk = |id, onset, offset, el: Electrode, visits: Vec<RegionVisit>| SeizureMap {
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
    };
    vec![
        mk(
            1,
            120.0,
            175.0,
            Electrode::T3,
            vec![RegionVisit { region: lt(), start: 120.0, end: 170.0 }, RegionVisit { region: rc(), start: 140.0, end: 175.0 }],
        ),
        mk(2, 400.0, 430.0, Electrode::O2, vec![RegionVisit { region: ro(), start: 400.0, end: 430.0 }]),
        mk(3, 540.0, 555.0, Electrode::T3, vec![RegionVisit { region: lt(), start: 540.0, end: 555.0 }]),
    ]
}

/// What a detector found: seizures 1 and 2, slightly shifted, with confidence.
pub fn detected_seizures() -> Vec<SeizureMap> {
    let mut v = true_seizures();
    v.truncate(2);
    for s in &mut v {
        s.onset += 2.0;
        s.visits[0].start += 2.0;
        s.confidence = Some(0.9);
    }
    v
}

fn amplitude(truth: &[SeizureMap], e: Electrode, t: f64) -> f64 {
    // Ictal rhythm where the truth says, 3 Hz, 150 µV.
    for s in truth {
        for v in &s.visits {
            if t >= v.start
                && t < v.end
                && e.region() == v.region
                && s.onset_electrodes.iter().chain([Electrode::T5, Electrode::C4].iter()).any(|x| *x == e)
            {
                return 150.0 * (2.0 * std::f64::consts::PI * 3.0 * (t - v.start)).sin();
            }
        }
    }
    0.0
}

/// The recording: 19 referential channels (`EEG Fp1-Ref`…) plus ECG; O1 flat (disconnected),
/// F8 with 50 Hz mains interference, P4 off (amplifier noise only) from 300 to 360 s.
pub fn recording(seed: u64) -> Recording {
    let mut rng = Rng::new(seed);
    let truth = true_seizures();
    let n = (DURATION * FS) as usize;
    let mut rec = Recording { start: chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap().and_hms_opt(13, 20, 0), ..Default::default() };
    for e in Electrode::ALL {
        let mut x = vec![0f32; n];
        if e != Electrode::O1 {
            let mut b = 0.0;
            for (i, v) in x.iter_mut().enumerate() {
                let t = i as f64 / FS;
                b = 0.95 * b + 6.0 * rng.normal();
                let mains = if e == Electrode::F8 { 60.0 * (2.0 * std::f64::consts::PI * 50.0 * t).sin() } else { 0.0 };
                *v = (b + mains + amplitude(&truth, e, t)) as f32;
                // P4 comes off from 300 to 360 s: amplifier noise only.
                if e == Electrode::P4 && (300.0..360.0).contains(&t) {
                    *v = (0.3 * rng.normal()) as f32;
                }
            }
        }
        rec.signals.push(Signal::new(format!("EEG {}-Ref", e.modern_name()), "uV", FS, x));
    }
    let ecg: Vec<f32> = (0..n).map(|i| if i % 200 < 5 { 800.0 } else { 0.0 }).collect();
    rec.signals.push(Signal::new("ECG EKG", "uV", FS, ecg));
    rec
}

fn events(maps: &[SeizureMap]) -> EventsFile {
    EventsFile {
        events: maps
            .iter()
            .map(|m| Event {
                onset: m.onset,
                duration: m.duration(),
                event_type: "sz_foc".into(),
                confidence: m.confidence,
                channels: m.onset_electrodes.iter().map(|e| e.name().to_string()).collect(),
            })
            .collect(),
        date_time: None,
        recording_duration: Some(DURATION),
    }
}

/// Write `dir/rec.edf`, the detector's files in `dir/det/` and the truth in `dir/truth/`.
pub fn write_all(dir: &Path) {
    eimfs_edf::write_recording(dir.join("rec.edf"), &recording(3), &eimfs_edf::RecordingWriteOptions::default()).unwrap();
    let det = dir.join("det");
    let truth = dir.join("truth");
    std::fs::create_dir_all(&det).unwrap();
    std::fs::create_dir_all(&truth).unwrap();
    let json = |maps: &[SeizureMap]| serde_json::json!({ "seizures": maps }).to_string();
    std::fs::write(det.join("rec_seizures.json"), json(&detected_seizures())).unwrap();
    events(&detected_seizures()).write(det.join("rec_events.tsv")).unwrap();
    std::fs::write(
        det.join("rec_summary.json"),
        r#"{"montage": "double-banana", "clusters": [], "status_epilepticus": [],
            "migration": {"migrating": false, "statement": "2 seizures, 2 onset regions: too few to call migration",
                          "evidence": {"distinct_onset_regions": 2, "both_hemispheres": true}}}"#,
    )
    .unwrap();
    let mut p = String::from("second\toverall\tL-temporal\tR-central\n");
    for t in 0..DURATION as usize {
        let inside = detected_seizures().iter().any(|s| (t as f64) >= s.onset && (t as f64) < s.offset);
        p.push_str(&format!("{t}\t{}\t{}\t0.01\n", if inside { 0.95 } else { 0.02 }, if inside { 0.9 } else { 0.01 }));
    }
    std::fs::write(det.join("rec_probability.tsv"), p).unwrap();
    std::fs::write(truth.join("rec_truth.json"), json(&true_seizures())).unwrap();
    events(&true_seizures()).write(truth.join("rec_events.tsv")).unwrap();
}
