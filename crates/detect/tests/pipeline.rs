//! The streaming analysis on synthetic recordings: flat stretches, EDF+D gaps, sampling rates.

use eimfs_core::{Recording, Signal};
use eimfs_detect::{Config, detect};
use eimfs_edf::{EdfWriter, Format, RecordingWriteOptions, SignalSpec, WriterConfig, write_recording};

const ELECTRODES: [&str; 19] =
    ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"];

fn background(n: usize, seed: u64, fs: f64) -> Vec<f32> {
    // Sum of a few incommensurate sines plus pseudo-random noise: 20-40 µV, broadband.
    let mut s = seed.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
    let mut prev = 0.0f32;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5;
            prev = 0.85 * prev + 25.0 * u;
            let t = i as f64 / fs;
            prev + (10.0 * (2.0 * std::f64::consts::PI * (1.3 + seed as f64 * 0.07) * t).sin()) as f32
        })
        .collect()
}

fn rec(seconds: usize, fs: f64) -> Recording {
    let mut r = Recording::default();
    for (i, e) in ELECTRODES.iter().enumerate() {
        r.signals.push(Signal::new(format!("EEG {e}-Ref"), "uV", fs, background(seconds * fs as usize, i as u64 + 1, fs)));
    }
    r
}

fn index(e: &str) -> usize {
    ELECTRODES.iter().position(|x| *x == e).unwrap()
}

#[test]
fn an_electrode_that_comes_off_is_left_out_while_it_is_flat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("off.edf");
    let mut r = rec(240, 256.0);
    // T3 disconnected (flat) from 100 to 160 s.
    r.signals[index("T3")].samples[100 * 256..160 * 256].iter_mut().for_each(|v| *v = 0.0);
    write_recording(&path, &r, &RecordingWriteOptions::default()).unwrap();
    let det = detect(&path, &Config::default(), &|_, _| {}).unwrap();
    assert_eq!(det.analysis.n_seconds, 240);
    let d = det.analysis.derivations.iter().position(|d| d.label == "T3-Avg").unwrap();
    let p = &det.analysis.probability[d];
    // No probability while T3's own second is flat; back once the window is clear of it.
    for s in 101..159 {
        assert!(p[s].is_nan(), "second {s}: {}", p[s]);
    }
    for s in (0..96).chain(165..240) {
        assert!(!p[s].is_nan(), "second {s}");
    }
    // The other electrodes keep their probabilities throughout (T3 left out of their average).
    for (k, q) in det.analysis.probability.iter().enumerate() {
        if k != d {
            assert!(q.iter().all(|v| !v.is_nan()), "{}", det.analysis.derivations[k].label);
        }
    }
}

#[test]
fn an_electrode_connected_late_is_used_once_it_is_live() {
    // 20 minutes; T4 flat for the first 150 s (connected late), then live: it is not left out of
    // the whole recording, only while it is flat. Fp2 flat from 60 s to the end (off for most of
    // the recording): left out.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.edf");
    let mut r = rec(1200, 256.0);
    r.signals[index("T4")].samples[..150 * 256].iter_mut().for_each(|v| *v = 0.0);
    r.signals[index("Fp2")].samples[60 * 256..].iter_mut().for_each(|v| *v = 0.0);
    write_recording(&path, &r, &RecordingWriteOptions::default()).unwrap();
    let det = detect(&path, &Config::default(), &|_, _| {}).unwrap();
    let flat: Vec<String> = det.analysis.flat_electrodes.iter().map(|(e, _)| e.to_string()).collect();
    assert_eq!(flat, vec!["Fp2"]);
    let d = det.analysis.derivations.iter().position(|d| d.label == "T4-Avg").unwrap();
    assert!(det.analysis.derivations[d].used);
    let p = &det.analysis.probability[d];
    assert!(p[..149].iter().all(|v| v.is_nan()));
    assert!(p[160..].iter().all(|v| !v.is_nan()));
}

/// An EDF+D writer of the 19 referential electrodes at 256 Hz in 1-s records.
fn edf_d_writer(path: &std::path::Path, n_records: usize) -> EdfWriter {
    let specs: Vec<SignalSpec> =
        ELECTRODES.iter().map(|e| SignalSpec::for_data(&format!("EEG {e}-Ref"), "uV", 256, -500.0, 500.0, Format::Edf)).collect();
    let config = WriterConfig {
        format: Format::Edf,
        start: None,
        patient: String::new(),
        recording: String::new(),
        record_duration: 1.0,
        signals: specs,
        discontinuous: true,
    };
    EdfWriter::create(path, config, Vec::new(), Some(n_records)).unwrap()
}

#[test]
fn discontinuous_recordings_are_analysed_run_by_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gap.edf");
    let fs = 256.0;
    let mut w = edf_d_writer(&path, 120);
    // Records 0-59 at 0-59 s, records 60-119 at 90-149 s: a 30 s gap.
    let r = rec(120, fs);
    let data: Vec<&[f32]> = r.signals.iter().map(|s| &s.samples[..]).collect();
    let starts: Vec<f64> = (0..120).map(|i| if i < 60 { i as f64 } else { i as f64 + 30.0 }).collect();
    w.write_physical(&data, Some(&starts)).unwrap();
    w.finish().unwrap();
    let det = detect(&path, &Config::default(), &|_, _| {}).unwrap();
    assert_eq!(det.analysis.duration, 150.0);
    assert_eq!(det.analysis.n_seconds, 150);
    for p in &det.analysis.probability {
        assert!(p[..60].iter().all(|v| !v.is_nan()));
        assert!(p[60..90].iter().all(|v| v.is_nan()));
        assert!(p[90..150].iter().all(|v| !v.is_nan()));
    }
    assert!(det.probabilities.overall[60..90].iter().all(|v| v.is_nan()));
    assert!(det.probability_tsv().lines().nth(61).unwrap().starts_with("60\tn/a\tn/a"));
    // The gap is not recorded time: 120 s of EEG in 150 s of clock time.
    assert_eq!(det.analysis.recorded().iter().filter(|r| **r).count(), 120);
    assert_eq!(det.summary.hours, 120.0 / 3600.0);
    assert_eq!(det.summary.hourly[0].recorded_seconds, 120.0);
    let s = det.summary_json();
    assert_eq!((s["recording"]["analysed_seconds"].as_u64(), s["recording"]["duration"].as_f64()), (Some(120), Some(150.0)));
    assert_eq!(
        det.analysis.warnings,
        vec![
            "the recording has 1 gap(s) between data records (EDF+D), 30.000 s in all; 30 of its 150 seconds have no probability (a second that a gap touches is not analysed, nor one in which every electrode is flat) and do not count as recorded time"
        ]
    );
}

#[test]
fn records_out_of_time_order_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.edf");
    let mut w = edf_d_writer(&path, 60);
    let r = rec(60, 256.0);
    let data: Vec<&[f32]> = r.signals.iter().map(|s| &s.samples[..]).collect();
    let starts: Vec<f64> = (0..60).map(|i| i as f64).collect();
    w.write_physical(&data, Some(&starts)).unwrap();
    w.finish().unwrap();
    // The writer keeps records in order; move the second half (with its time-keeping TALs) to
    // the front: records stored at 30-59 s, then 0-29 s.
    let bytes = std::fs::read(&path).unwrap();
    let hb = 256 * (ELECTRODES.len() + 2);
    let rb = (bytes.len() - hb) / 60;
    let mut swapped = bytes[..hb].to_vec();
    swapped.extend_from_slice(&bytes[hb + 30 * rb..]);
    swapped.extend_from_slice(&bytes[hb..hb + 30 * rb]);
    std::fs::write(&path, &swapped).unwrap();
    let err = detect(&path, &Config::default(), &|_, _| {}).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "data record 30 (byte {}) starts at -30 s, before data record 29 ends (it starts at 29 s and lasts 1 s",
            hb + 30 * rb
        )),
        "{err}"
    );
    assert!(err.contains("out of time order or overlap"), "{err}");
    // Overlapping records (record 31 stored with the start of record 30, as a duplicate) are
    // refused too: their seconds would be analysed twice. The writer refuses that, so the
    // time-keeping TAL of record 31 is rewritten: "+31" becomes "+30".
    let path = dir.path().join("overlap.edf");
    let mut overlap = bytes.clone();
    let rec31 = &mut overlap[hb + 31 * rb..hb + 32 * rb];
    let at = rec31.windows(5).position(|w| w == b"+31\x14\x14").expect("record 31's time-keeping TAL");
    rec31[at + 2] = b'0';
    std::fs::write(&path, &overlap).unwrap();
    let err = detect(&path, &Config::default(), &|_, _| {}).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "data record 31 (byte {}) starts at 30 s, before data record 30 ends (it starts at 30 s and lasts 1 s",
            hb + 31 * rb
        )),
        "{err}"
    );
}

#[test]
fn features_do_not_depend_on_the_sampling_rate() {
    // The same band-limited content recorded at 256 and 512 Hz gives the same analysis.
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for fs in [256.0, 512.0] {
        let mut r = Recording::default();
        for (i, e) in ELECTRODES.iter().enumerate() {
            // Two rhythms plus a broadband floor (a sum of 40 sines up to 30 Hz, identical at both
            // rates), so that every analysed bin holds power.
            let x: Vec<f32> = (0..(120.0 * fs) as usize)
                .map(|n| {
                    let t = n as f64 / fs;
                    let f1 = 1.1 + 0.13 * i as f64;
                    let floor: f64 = (1..=40)
                        .map(|k| (2.0 * std::f64::consts::PI * (0.75 * k as f64 + 0.01 * i as f64) * t + k as f64 * 1.7).sin())
                        .sum();
                    (20.0 * (2.0 * std::f64::consts::PI * f1 * t).sin()
                        + 8.0 * (2.0 * std::f64::consts::PI * (7.0 + 0.3 * i as f64) * t + 0.5).sin()
                        + 0.8 * floor) as f32
                })
                .collect();
            r.signals.push(Signal::new(format!("EEG {e}-Ref"), "uV", fs, x));
        }
        let p = dir.path().join(format!("r{fs}.edf"));
        write_recording(&p, &r, &RecordingWriteOptions::default()).unwrap();
        paths.push(p);
    }
    let cfg = Config { keep_features: true, ..Config::default() };
    let a = detect(&paths[0], &cfg, &|_, _| {}).unwrap();
    let b = detect(&paths[1], &cfg, &|_, _| {}).unwrap();
    let (fa, fb) = (a.analysis.features.unwrap(), b.analysis.features.unwrap());
    assert_eq!(fa.len(), fb.len());
    // Spectral and amplitude features (not the full-rate ones, which see the rate) agree to 1 %.
    let nf = eimfs_detect::features::NF;
    let mut worst = 0.0f32;
    let mut compared = 0;
    let mut missing = 0;
    for (i, (x, y)) in fa.iter().zip(&fb).enumerate() {
        let f = i % nf;
        if f == 18 || f == 19 || (i / nf / 19) < 5 || (i / nf / 19) >= 115 {
            continue;
        }
        if x.is_nan() || y.is_nan() {
            // Two minutes are too short for a background: the same 8 background features are
            // missing at both rates.
            assert!(x.is_nan() && y.is_nan() && f >= eimfs_detect::features::NRAW, "feature {f}: {x} vs {y}");
            missing += 1;
            continue;
        }
        worst = worst.max((x - y).abs() / x.abs().max(1.0));
        compared += 1;
    }
    assert_eq!(missing, 110 * 19 * 8);
    assert_eq!(compared, 110 * 19 * (nf - 2 - 8));
    assert!(worst < 0.01 && worst > 0.0, "largest relative difference {worst}");
}

#[test]
fn midline_products_follow_the_discharge_not_slow_background_waves() {
    // A 4 Hz discharge under the vertex whose source lies on the right mesial wall: Cz sees it
    // most, and by paradoxical lateralisation the left parasagittal C3 (20 µV) follows it more
    // closely than the right C4 (10 µV). Over the right hemisphere and the vertex runs a
    // large 0.6 Hz background wave (80 µV), as in slow-dominant neonatal EEG. Products of the
    // raw signals would be decided by the slow wave (C4·Cz the larger, so the side taken would
    // be left); the analysis's products of first differences follow the discharge.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vertex.edf");
    let fs = 256.0;
    let mut r = rec(120, fs);
    let right = ["Fp2", "F4", "F8", "C4", "T4", "P4", "T6", "O2"];
    for (k, e) in ELECTRODES.iter().enumerate() {
        let slow = if right.contains(e) || *e == "Cz" { 80.0 } else { 0.0 };
        let fast = match *e {
            "Cz" => 60.0,
            "C3" => 20.0,
            "C4" => 10.0,
            _ => 0.0,
        };
        for (i, v) in r.signals[k].samples.iter_mut().enumerate() {
            let t = i as f64 / fs;
            let w = |f: f64| (2.0 * std::f64::consts::PI * f * t).sin();
            *v += (slow * w(0.6) + fast * w(4.0)) as f32;
        }
    }
    write_recording(&path, &r, &RecordingWriteOptions::default()).unwrap();
    let det = detect(&path, &Config::default(), &|_, _| {}).unwrap();
    let (mut l, mut rr) = (0.0f64, 0.0f64);
    for p in &det.analysis.midline_products[10..110] {
        let [pl, pr] = p[1]; // Cz with C3 and C4
        assert!(pl.is_finite() && pr.is_finite());
        l += pl as f64;
        rr += pr as f64;
    }
    assert!(l > 1.5 * rr, "Σ ΔC3·ΔCz {l} should exceed Σ ΔC4·ΔCz {rr} (the discharge's asymmetry)");
}
