//! Writing: lossless rewrite (EDF, EDF+D, BDF), annotation sizing, physical quantisation,
//! temporary files, header validation.

mod common;

use common::*;
use eimfs_core::{Annotation, Recording, Signal};
use eimfs_edf::{
    EdfFile, EdfWriter, FileType, Format, RecordingWriteOptions, RewriteOptions, SignalSpec, WriterConfig, rewrite, write_recording,
};
use std::path::{Path, PathBuf};

fn save(e: &RawEdf, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    e.write(&p);
    (dir, p)
}

fn digital(f: &EdfFile) -> Vec<Vec<i32>> {
    (0..f.signals().len())
        .map(|c| {
            let mut d = vec![0; f.n_samples(c)];
            f.read_digital(&[c], 0..f.n_records(), &mut [&mut d[..]]).unwrap();
            d
        })
        .collect()
}

fn rewrite_to(src: &Path, dst: &Path, format: Format) -> eimfs_edf::WriteSummary {
    let f = EdfFile::open(src).unwrap();
    rewrite(&f, dst, &RewriteOptions { format, channels: None }, &|_| {}).unwrap()
}

/// Same digital values, signal headers, start, record starts and annotations.
fn assert_same(a: &EdfFile, b: &EdfFile) {
    assert_eq!(digital(a), digital(b));
    assert_eq!(a.signals().len(), b.signals().len());
    for (x, y) in a.signals().iter().zip(b.signals()) {
        assert_eq!(
            (
                &x.label,
                &x.unit,
                x.physical_min,
                x.physical_max,
                x.digital_min,
                x.digital_max,
                x.samples_per_record,
                &x.prefilter,
                &x.transducer
            ),
            (
                &y.label,
                &y.unit,
                y.physical_min,
                y.physical_max,
                y.digital_min,
                y.digital_max,
                y.samples_per_record,
                &y.prefilter,
                &y.transducer
            )
        );
    }
    assert_eq!(a.start(), b.start());
    assert_eq!(a.record_starts(), b.record_starts());
    assert_eq!(a.annotations(), b.annotations());
}

#[test]
fn rewrite_edf_plus_c_is_lossless() {
    let (d, p) = save(&small_edf_plus(5), "in.edf");
    let out = d.path().join("out.edf");
    let s = rewrite_to(&p, &out, Format::Edf);
    assert_eq!((s.n_records, s.n_annotations), (5, 1));
    let (a, b) = (EdfFile::open(&p).unwrap(), EdfFile::open(&out).unwrap());
    assert!(b.warnings().is_empty(), "{:?}", b.warnings());
    assert_eq!(b.file_type(), FileType::EdfPlusC);
    assert_eq!(b.header().patient, "X X X X");
    assert_eq!(b.header().recording, "Startdate 21-NOV-2026 X X X");
    assert_same(&a, &b);
}

#[test]
fn rewrite_edf_plus_d_keeps_gaps_and_all_annotation_signals() {
    // records at 0.25 + {0, 1, 5} s, annotations spread over two annotation signals
    let mut e = RawEdf::edf(
        vec![
            RawSignal::new("EEG C3", 4, (-100.0, 100.0), (-1000, 1000)),
            RawSignal::annotations("EDF Annotations", 30, false),
            RawSignal::annotations("EDF Annotations", 20, false),
        ],
        3,
        "1",
    );
    e.reserved = b"EDF+D".to_vec();
    for (r, s) in ["+0.25", "+1.25", "+5.25"].iter().enumerate() {
        push_i16(&mut e.data, &[r as i32, -7, 1000, -1000]);
        e.data.extend(tal_bytes(format!("{s}\x14\x14\x00+{}\x14a{r}\x14b{r}\x14\x00", r + 1).as_bytes(), 60));
        e.data.extend(tal_bytes(format!("+{}.5\x150.5\x14c{r}@@EEG C3\x14\x00", r + 1).as_bytes(), 40));
    }
    let (d, p) = save(&e, "d.edf");
    let out = d.path().join("out.edf");
    rewrite_to(&p, &out, Format::Edf);
    let (a, b) = (EdfFile::open(&p).unwrap(), EdfFile::open(&out).unwrap());
    assert_eq!(b.file_type(), FileType::EdfPlusD);
    assert_eq!(b.record_starts(), vec![0.0, 1.0, 5.0]);
    assert_eq!(b.annotations().len(), 9);
    assert_eq!(b.header().signals.iter().filter(|s| s.is_annotation).count(), 1);
    assert_same(&a, &b);
}

#[test]
fn rewrite_bdf_is_lossless_and_edf_to_bdf_too() {
    let mut b = RawEdf::bdf(
        vec![RawSignal::new("EEG Cz", 3, (-262144.0, 262143.0), (-8388608, 8388607)), RawSignal::annotations("BDF Annotations", 12, true)],
        2,
        "0.5",
    );
    b.reserved = b"BDF+C".to_vec();
    for r in 0..2 {
        push_i24(&mut b.data, &[-8388608, -1 - r, 8388607]);
        let tal = if r == 0 { "+0\x14\x14\x00+0.1\x14x\x14\x00".to_string() } else { "+0.5\x14\x14\x00".to_string() };
        b.data.extend(tal_bytes(tal.as_bytes(), 36));
    }
    let (d, p) = save(&b, "in.bdf");
    let out = d.path().join("out.bdf");
    rewrite_to(&p, &out, Format::Bdf);
    let (x, y) = (EdfFile::open(&p).unwrap(), EdfFile::open(&out).unwrap());
    assert_eq!(y.file_type(), FileType::BdfPlusC);
    assert_eq!(y.header().signals[1].label, "BDF Annotations");
    assert_same(&x, &y);
    assert_eq!(digital(&y)[0], vec![-8388608, -1, 8388607, -8388608, -2, 8388607]);

    let (d2, p2) = save(&small_edf_plus(3), "in.edf");
    let out2 = d2.path().join("out.bdf");
    rewrite_to(&p2, &out2, Format::Bdf);
    let (x, y) = (EdfFile::open(&p2).unwrap(), EdfFile::open(&out2).unwrap());
    assert_eq!(y.file_type(), FileType::BdfPlusC);
    assert_same(&x, &y);
}

#[test]
fn bdf_to_edf_requantises_with_a_warning() {
    let mut b = RawEdf::bdf(vec![RawSignal::new("EEG Cz", 2, (-1000.0, 1000.0), (-8388608, 8388607))], 1, "1");
    push_i24(&mut b.data, &[-8388608, 4194304]);
    let (d, p) = save(&b, "in.bdf");
    let out = d.path().join("out.edf");
    let s = rewrite_to(&p, &out, Format::Edf);
    assert_eq!(
        s.warnings[0],
        "signal \"EEG Cz\": digital range -8388608..8388607 does not fit EDF; requantised to -32768..32767 over the same physical range (lossy)"
    );
    let y = EdfFile::open(&out).unwrap();
    let mut x = vec![0f32; 2];
    y.read_physical(&[0], 0..1, &mut [&mut x[..]]).unwrap();
    let step = 2000.0 / 65535.0;
    assert!((x[0] as f64 + 1000.0).abs() <= step && (x[1] as f64 - 500.0000298).abs() <= step, "{x:?}");
}

#[test]
fn channel_selection() {
    let (d, p) = save(&small_edf_plus(2), "in.edf");
    let out = d.path().join("out.edf");
    let f = EdfFile::open(&p).unwrap();
    rewrite(&f, &out, &RewriteOptions { format: Format::Edf, channels: Some(vec![1]) }, &|_| {}).unwrap();
    let y = EdfFile::open(&out).unwrap();
    assert_eq!(y.signals().len(), 1);
    assert_eq!(y.signals()[0].label, "EEG Fp2");
    assert_eq!(digital(&y)[0], digital(&f)[1]);
    assert_eq!(y.annotations(), f.annotations());
}

fn recording(seconds: usize, fs: f64) -> Recording {
    let n = (seconds as f64 * fs) as usize;
    let mut rec = Recording {
        start: chrono::NaiveDate::from_ymd_opt(2025, 2, 3).unwrap().and_hms_micro_opt(4, 5, 6, 789_000),
        patient: "MCH-0234567 F 02-MAY-2025 Baby_X".into(),
        recording: "neonatal unit".into(),
        ..Default::default()
    };
    rec.signals.push(Signal::new("Fp1", "uV", fs, (0..n).map(|i| (i as f32 * 0.37).sin() * 150.0).collect()));
    rec.signals.push(Signal::new("Resp", "mV", fs / 4.0, (0..n / 4).map(|i| 2.5 + i as f32 * 1e-3).collect()));
    rec
}

#[test]
fn thousands_of_annotations_in_one_record_are_all_kept() {
    let mut rec = recording(4, 64.0);
    for i in 0..2000 {
        let mut a = Annotation::new(0.001 * i as f64, if i % 3 == 0 { None } else { Some(0.5) }, format!("spike {i} ü"));
        if i % 7 == 0 {
            a.channel = Some("Fp1".into());
        }
        rec.annotations.push(a);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("many.edf");
    let s = write_recording(&out, &rec, &RecordingWriteOptions::default()).unwrap();
    assert_eq!(s.n_annotations, 2000);
    let f = EdfFile::open(&out).unwrap();
    assert!(f.warnings().is_empty(), "{:?}", f.warnings());
    assert_eq!(f.annotations().len(), 2000);
    let mut got = f.annotations().to_vec();
    got.sort_by(|a, b| a.onset.total_cmp(&b.onset).then(a.text.cmp(&b.text)));
    let mut want = rec.annotations.clone();
    want.sort_by(|a, b| a.onset.total_cmp(&b.onset).then(a.text.cmp(&b.text)));
    for (g, w) in got.iter().zip(&want) {
        assert!((g.onset - w.onset).abs() < 1e-9, "{g:?} {w:?}");
        assert_eq!((&g.text, g.duration, &g.channel), (&w.text, w.duration, &w.channel));
    }
}

#[test]
fn physical_roundtrip_within_one_step_and_start_subsecond() {
    let rec = recording(3, 256.0);
    let dir = tempfile::tempdir().unwrap();
    for (name, fmt) in [("r.edf", Format::Edf), ("r.bdf", Format::Bdf)] {
        let out = dir.path().join(name);
        write_recording(&out, &rec, &RecordingWriteOptions { format: fmt, ..Default::default() }).unwrap();
        let f = EdfFile::open(&out).unwrap();
        assert!(f.warnings().is_empty(), "{:?}", f.warnings());
        assert_eq!(f.start(), rec.start.unwrap());
        assert_eq!(f.header().patient, "MCH-0234567 F 02-MAY-2025 Baby_X");
        assert_eq!(f.header().recording, "Startdate 03-FEB-2025 X X X neonatal_unit");
        assert_eq!(f.record_duration(), 1.0);
        let back = f.read_recording().unwrap();
        for (a, b) in rec.signals.iter().zip(&back.signals) {
            let h = f.signals().iter().find(|s| s.label == a.label).unwrap();
            assert_eq!((b.fs, &b.unit), (a.fs, &a.unit));
            assert_eq!(b.samples.len(), a.samples.len());
            let step = h.gain();
            let worst = a.samples.iter().zip(&b.samples).map(|(x, y)| (x - y).abs() as f64).fold(0.0, f64::max);
            assert!(
                worst <= step * 0.5 + 1e-6 * a.samples.iter().fold(0f32, |m, v| m.max(v.abs())) as f64,
                "{name} {}: {worst} > {step}",
                a.label
            );
            // the data extremes are inside the physical range: nothing clipped
            assert!(h.physical_min <= a.samples.iter().fold(f32::MAX, |m, &v| m.min(v)) as f64);
            assert!(h.physical_max >= a.samples.iter().fold(f32::MIN, |m, &v| m.max(v)) as f64);
        }
    }
}

fn config() -> WriterConfig {
    WriterConfig {
        format: Format::Edf,
        start: None,
        patient: String::new(),
        recording: String::new(),
        record_duration: 1.0,
        signals: vec![SignalSpec::for_data("EEG Fz", "uV", 4, -10.0, 10.0, Format::Edf)],
        discontinuous: false,
    }
}

#[test]
fn annotations_added_while_streaming_enlarge_the_annotation_signal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.edf");
    let mut w = EdfWriter::create(&out, config(), vec![], None).unwrap();
    for r in 0..3 {
        w.write_digital(&[&[r, r, r, r]], None).unwrap();
    }
    for i in 0..50 {
        w.add_annotation(Annotation::new(2.0 + i as f64 * 0.01, None, format!("late annotation number {i}")));
    }
    let s = w.finish().unwrap();
    assert!(s.warnings.iter().any(|m| m.starts_with("annotation signal enlarged from ")), "{:?}", s.warnings);
    let f = EdfFile::open(&out).unwrap();
    assert_eq!(f.annotations().len(), 50);
    assert_eq!(digital(&f)[0], vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    assert_eq!(f.start().to_string(), "1985-01-01 00:00:00");
    assert_eq!(f.header().recording, "Startdate X X X X");
    assert!(!dir.path().join(format!("s.edf.tmp{}", std::process::id())).exists());
}

#[test]
fn unfinished_writer_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.edf");
    {
        let mut w = EdfWriter::create(&out, config(), vec![], None).unwrap();
        w.write_digital(&[&[1, 2, 3, 4]], None).unwrap();
        assert!(dir.path().join(format!("x.edf.tmp{}", std::process::id())).exists());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn writer_rejects_invalid_headers_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.edf");
    let mut c = config();
    c.signals[0].label = "EEG Fp1-REF-EEG F7-REF".into();
    let e = EdfWriter::create(&out, c, vec![], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: cannot write: signal 1 label \"EEG Fp1-REF-EEG F7-REF\" is longer than 16 characters", out.display())
    );
    let mut c = config();
    c.record_duration = 1.0 / 3.0;
    let e = EdfWriter::create(&out, c, vec![], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: cannot write: record duration 0.3333333333333333 s cannot be written exactly in 8 characters", out.display())
    );
    let mut w = EdfWriter::create(&out, config(), vec![], None).unwrap();
    let e = w.write_digital(&[&[1, 2, 3]], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: cannot write: signal 1 (EEG Fz): 3 samples is not a whole number of records of 4", out.display())
    );
    // values beyond 16 bits are clamped and counted
    w.write_digital(&[&[40000, -40000, 0, 1]], None).unwrap();
    let s = w.finish().unwrap();
    assert_eq!(s.clipped, vec![2]);
    assert_eq!(digital(&EdfFile::open(&out).unwrap())[0], vec![32767, -32768, 0, 1]);
}
