//! `eimfs convert` with processing streams the file; its output must equal the whole-recording
//! pipeline built from the library functions (read_recording, Montage::apply, sosfiltfilt,
//! Resampler::resample, write_recording) on files of many chunks, mixed rates and EDF+D gaps.

mod common;
use common::eimfs;
use std::path::{Path, PathBuf};

use eimfs_core::{Annotation, Recording, Signal};
use eimfs_edf::{EdfFile, EdfWriter, Format, RecordingWriteOptions, SignalSpec, WriterConfig, write_recording};
use eimfs_signal::filter::DEFAULT_NOTCH_Q;
use eimfs_signal::{ApplyOptions, Band, ChannelKind, ChannelName, Montage, Resampler, Sos, sosfiltfilt};

const ELECTRODES: [&str; 19] =
    ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"];

/// EEG-like samples: rhythms, a slow drift, a 50 Hz line and a deterministic pseudo-noise.
fn wave(n: usize, fs: f64, k: usize) -> Vec<f32> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (k as u64 + 1);
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            let t = i as f64 / fs;
            let w = std::f64::consts::TAU;
            (30.0 * (w * (4.0 + k as f64 * 0.7) * t + k as f64).sin()
                + 15.0 * (w * 0.05 * t).sin()
                + 8.0 * (w * 50.0 * t).sin()
                + 20.0 * noise
                + 5.0 * k as f64) as f32
        })
        .collect()
}

/// 301 s EDF+C: the 19 electrodes at 256 Hz, ECG at 500 Hz, respiration at 25 Hz, annotations.
fn continuous(dir: &Path) -> PathBuf {
    let secs = 301;
    let mut rec = Recording {
        start: serde_json::from_str("\"2026-03-04T05:06:07.25\"").unwrap(),
        patient: "X F X baby".into(),
        ..Default::default()
    };
    for (k, e) in ELECTRODES.iter().enumerate() {
        let mut s = Signal::new(format!("EEG {e}-REF"), "uV", 256.0, wave(secs * 256, 256.0, k));
        s.prefilter = "HP:0.1Hz".into();
        rec.signals.push(s);
    }
    rec.signals.push(Signal::new("ECG EKG-REF", "uV", 500.0, wave(secs * 500, 500.0, 40)));
    rec.signals.push(Signal::new("Resp Effort", "mV", 25.0, wave(secs * 25, 25.0, 41)));
    for (t, text) in [(0.0, "start"), (12.5, "seizure"), (150.0, "artefact"), (300.9, "end")] {
        let mut a = Annotation::new(t, Some(2.0), text);
        if text == "seizure" {
            a.channel = Some("EEG T3-REF".into());
        }
        rec.annotations.push(a);
    }
    let p = dir.join("cont.edf");
    write_recording(&p, &rec, &RecordingWriteOptions::default()).unwrap();
    p
}

/// EDF+D: 1 s records in three runs separated by gaps of 2.25 s and 7.5 s; EEG at 256 and
/// 200 Hz, ECG at 100 Hz; an annotation inside a gap.
fn discontinuous(dir: &Path) -> PathBuf {
    let (fs, labels) = ([256usize, 200, 100], ["EEG Cz-REF", "EEG Pz-REF", "ECG"]);
    let runs = [(0.0, 90usize), (92.25, 101), (200.75, 80)];
    let n: usize = runs.iter().map(|r| r.1).sum();
    let signals = labels
        .iter()
        .zip(fs)
        .map(|(l, f)| SignalSpec {
            label: l.to_string(),
            transducer: String::new(),
            unit: "uV".into(),
            physical_min: -500.0,
            physical_max: 500.0,
            digital_min: -32768,
            digital_max: 32767,
            prefilter: String::new(),
            samples_per_record: f,
        })
        .collect();
    let config = WriterConfig {
        format: Format::Edf,
        start: serde_json::from_str("\"2026-03-04T05:06:07\"").unwrap(),
        patient: String::new(),
        recording: String::new(),
        record_duration: 1.0,
        signals,
        discontinuous: true,
    };
    let annotations =
        vec![Annotation::new(1.0, None, "first"), Annotation::new(91.0, Some(1.0), "in the gap"), Annotation::new(250.0, None, "late")];
    let p = dir.join("gaps.edf");
    let mut w = EdfWriter::create(&p, config, annotations, Some(n)).unwrap();
    let data: Vec<Vec<f32>> = fs.iter().enumerate().map(|(k, &f)| wave(n * f, f as f64, k)).collect();
    let mut r = 0;
    for (t0, len) in runs {
        let starts: Vec<f64> = (0..len).map(|i| t0 + i as f64).collect();
        let block: Vec<&[f32]> = data.iter().zip(fs).map(|(d, f)| &d[r * f..(r + len) * f]).collect();
        w.write_physical(&block, Some(&starts)).unwrap();
        r += len;
    }
    w.finish().unwrap();
    p
}

/// The whole-recording pipeline: what convert computed before it streamed.
struct Options<'a> {
    montage: Option<&'a str>,
    channels: Option<&'a [&'a str]>,
    bandpass: Option<(f64, f64)>,
    notch: Option<f64>,
    resample: Option<f64>,
}

fn reference(input: &Path, out: &Path, o: &Options) {
    let f = EdfFile::open(input).unwrap();
    let mut rec = f.read_recording().unwrap();
    let mut ranges: Vec<Option<(f64, f64)>> = f.signals().iter().map(|s| Some((s.physical_min, s.physical_max))).collect();
    if let Some(m) = o.montage {
        let montage = Montage::parse(m).unwrap();
        let before: Vec<(String, Option<(f64, f64)>)> = rec.signals.iter().map(|s| s.label.clone()).zip(ranges.iter().copied()).collect();
        let options = ApplyOptions { exclude: Vec::new(), keep_non_eeg: true };
        rec = montage.apply(&rec, &options).unwrap();
        let derived = !matches!(montage, Montage::AsRecorded);
        ranges = rec
            .signals
            .iter()
            .map(|s| {
                let src = before.iter().find(|(l, _)| *l == s.label)?;
                let eeg = ChannelName::parse(&s.label).kind == ChannelKind::Eeg;
                if derived && eeg { None } else { src.1 }
            })
            .collect();
    }
    if let Some(keep) = o.channels {
        let idx: Vec<usize> = keep.iter().map(|l| rec.signals.iter().position(|s| s.label == *l).unwrap()).collect();
        rec.signals = idx.iter().map(|&i| rec.signals[i].clone()).collect();
        ranges = idx.iter().map(|&i| ranges[i]).collect();
    }
    if o.bandpass.is_some() || o.notch.is_some() {
        let mut note = Vec::new();
        if let Some((lo, hi)) = o.bandpass {
            note.push(format!("HP:{lo}Hz LP:{hi}Hz"));
        }
        if let Some(n) = o.notch {
            note.push(format!("N:{n}Hz"));
        }
        let note = note.join(" ");
        for (s, r) in rec.signals.iter_mut().zip(ranges.iter_mut()) {
            if ChannelName::parse(&s.label).kind != ChannelKind::Eeg {
                continue;
            }
            let mut sos: Option<Sos> = o.bandpass.map(|(lo, hi)| Sos::butter(4, Band::Bandpass(lo, hi), s.fs).unwrap());
            if let Some(n) = o.notch {
                let notch = Sos::notch(n, DEFAULT_NOTCH_Q, s.fs).unwrap();
                sos = Some(match sos {
                    Some(b) => b.then(&notch),
                    None => notch,
                });
            }
            s.samples = sosfiltfilt(&sos.unwrap(), &s.samples).unwrap();
            s.prefilter = if s.prefilter.is_empty() { note.clone() } else { format!("{} {note}", s.prefilter) };
            *r = None;
        }
    }
    if let Some(target) = o.resample {
        for (s, r) in rec.signals.iter_mut().zip(ranges.iter_mut()) {
            if s.fs != target {
                s.samples = Resampler::from_rates(s.fs, target).unwrap().resample(&s.samples);
                s.fs = target;
                *r = None;
            }
        }
    }
    let options = RecordingWriteOptions { format: Format::from_path(out), record_duration: None, ranges };
    write_recording(out, &rec, &options).unwrap();
}

/// Compare two files written by convert and by the reference. Headers, annotations and record
/// layout must be equal; digital values equal (`exact`) or within one step. Returns the number of
/// samples that differ and the number compared.
fn compare(streamed: &Path, reference: &Path, exact: bool) -> (usize, usize) {
    let (a, b) = (EdfFile::open(streamed).unwrap(), EdfFile::open(reference).unwrap());
    let what = streamed.display();
    assert_eq!(a.file_type(), b.file_type(), "{what}");
    assert_eq!(a.n_records(), b.n_records(), "{what}");
    assert_eq!(a.record_duration(), b.record_duration(), "{what}");
    assert_eq!(a.start(), b.start(), "{what}");
    assert_eq!(a.header().patient, b.header().patient, "{what}");
    assert_eq!(a.annotations(), b.annotations(), "{what}");
    assert_eq!(a.signals().len(), b.signals().len(), "{what}");
    let (mut differ, mut total) = (0, 0);
    for (c, (x, y)) in a.signals().iter().zip(b.signals()).enumerate() {
        let l = &x.label;
        assert_eq!((&x.label, &x.unit, &x.transducer, &x.prefilter), (&y.label, &y.unit, &y.transducer, &y.prefilter), "{what}");
        assert_eq!(x.samples_per_record, y.samples_per_record, "{what} {l}");
        assert_eq!((x.digital_min, x.digital_max), (y.digital_min, y.digital_max), "{what} {l}");
        let step = (y.physical_max - y.physical_min) / (y.digital_max - y.digital_min) as f64;
        if exact {
            assert_eq!((x.physical_min, x.physical_max), (y.physical_min, y.physical_max), "{what} {l}");
        } else {
            // A range is the data's extreme value, which may move by an f32 rounding.
            assert!(
                (x.physical_min - y.physical_min).abs() <= step * 1e-3 && (x.physical_max - y.physical_max).abs() <= step * 1e-3,
                "{what} {l}: range {}..{} vs {}..{}",
                x.physical_min,
                x.physical_max,
                y.physical_min,
                y.physical_max
            );
        }
        let n = a.n_samples(c);
        let (mut u, mut v) = (vec![0i32; n], vec![0i32; n]);
        a.read_digital(&[c], 0..a.n_records(), &mut [&mut u[..]]).unwrap();
        b.read_digital(&[c], 0..b.n_records(), &mut [&mut v[..]]).unwrap();
        if exact {
            assert!(u == v, "{what} {l}: digital values differ");
        } else {
            for (i, (p, q)) in u.iter().zip(&v).enumerate() {
                assert!((p - q).abs() <= 1, "{what} {l} sample {i}: {p} vs {q}");
            }
        }
        differ += u.iter().zip(&v).filter(|(p, q)| p != q).count();
        total += n;
    }
    (differ, total)
}

fn run(input: &Path, out: &Path, args: &[&str]) {
    let mut all = vec!["convert", "-q", input.to_str().unwrap(), out.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = eimfs(&all);
    assert!(o.status.success(), "{all:?}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn streamed_processing_equals_whole_recording_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let input = continuous(dir.path());
    // 301 records in chunks of 8 (the last holds 5); the filters' 65 536-sample blocks end
    // mid-chunk.
    let cases: [(&str, Options, &[&str], bool); 5] = [
        (
            "full.edf",
            Options {
                montage: Some("double-banana"),
                channels: None,
                bandpass: Some((0.5, 30.0)),
                notch: Some(50.0),
                resample: Some(128.0),
            },
            &["--montage", "double-banana", "--bandpass", "0.5", "30", "--notch", "50", "--resample", "128"],
            false,
        ),
        (
            "full.bdf",
            Options {
                montage: Some("average"),
                channels: Some(&["Cz-Avg", "T3-Avg", "Resp Effort", "ECG EKG-REF"]),
                bandpass: Some((1.0, 45.0)),
                notch: None,
                resample: Some(200.0),
            },
            &["--montage", "average", "--channels", "Cz-Avg,T3-Avg,Resp Effort,ECG EKG-REF", "--bandpass", "1", "45", "--resample", "200"],
            false,
        ),
        (
            "notch.edf",
            Options { montage: None, channels: None, bandpass: None, notch: Some(50.0), resample: None },
            &["--notch", "50"],
            false,
        ),
        // Without filters the stream is bit for bit the whole-signal computation.
        (
            "banana.edf",
            Options { montage: Some("Fp1-T3,T3-O1,Cz-Avg,T4-Fp2"), channels: None, bandpass: None, notch: None, resample: None },
            &["--montage", "Fp1-T3,T3-O1,Cz-Avg,T4-Fp2"],
            true,
        ),
        (
            "resampled.edf",
            Options { montage: None, channels: None, bandpass: None, notch: None, resample: Some(100.0) },
            &["--resample", "100"],
            true,
        ),
    ];
    for (name, options, args, exact) in cases {
        let (streamed, whole) = (dir.path().join(name), dir.path().join(format!("ref_{name}")));
        let mut a = args.to_vec();
        a.extend_from_slice(&["--chunk-records", "8"]);
        run(&input, &streamed, &a);
        reference(&input, &whole, &options);
        let (differ, total) = compare(&streamed, &whole, exact);
        eprintln!("{name}: {differ} of {total} digital values differ by one step");
        // Zero-phase streaming equals sosfiltfilt to ~1e-10 relative: an f32 rounding may flip,
        // and only rarely the digital value.
        assert!(differ * 10_000 <= total, "{name}: {differ} of {total} differ");
    }
    // The default chunk size (one chunk for this file) gives the same file as chunks of 8
    // records: both passes are deterministic and independent of the chunking.
    let one = dir.path().join("one.edf");
    run(&input, &one, &["--montage", "double-banana", "--bandpass", "0.5", "30", "--notch", "50", "--resample", "128"]);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(dir.path().join("full.edf")).unwrap());
    let f = EdfFile::open(&one).unwrap();
    assert_eq!(f.n_records(), 301);
    assert_eq!(f.signals()[0].label, "Fp1-F7");
    assert_eq!(f.signals()[0].prefilter, "HP:0.1Hz HP:0.5Hz LP:30Hz N:50Hz");
    assert_eq!(f.signals()[19].label, "Resp Effort");
}

#[test]
fn streamed_processing_of_edf_plus_d_fills_gaps_like_read_recording() {
    let dir = tempfile::tempdir().unwrap();
    let input = discontinuous(dir.path());
    let f = EdfFile::open(&input).unwrap();
    assert_eq!(f.gaps().len(), 2);
    for (name, options, args) in [
        (
            "out_gaps.edf",
            Options { montage: None, channels: None, bandpass: Some((1.0, 40.0)), notch: None, resample: Some(128.0) },
            &["--bandpass", "1", "40", "--resample", "128"][..],
        ),
        (
            "out_gaps.bdf",
            Options { montage: None, channels: Some(&["ECG", "EEG Pz-REF"]), bandpass: None, notch: Some(50.0), resample: None },
            &["--channels", "ECG,EEG Pz-REF", "--notch", "50"][..],
        ),
    ] {
        let (streamed, whole) = (dir.path().join(name), dir.path().join(format!("ref_{name}")));
        let mut a = args.to_vec();
        a.extend_from_slice(&["--chunk-records", "9"]);
        let mut all = vec!["convert", input.to_str().unwrap(), streamed.to_str().unwrap()];
        all.extend_from_slice(&a);
        let o = eimfs(&all);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("2 gaps of EDF+D (9.75 s in all) are filled with zeros; the output is continuous"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        reference(&input, &whole, &options);
        let (differ, total) = compare(&streamed, &whole, false);
        eprintln!("{name}: {differ} of {total} digital values differ by one step");
        assert!(differ * 10_000 <= total, "{name}: {differ} of {total} differ");
        // 271 records over 280.75 s: the output covers the whole time axis, gaps included.
        let g = EdfFile::open(&streamed).unwrap();
        let want = if name.ends_with(".bdf") { "BDF+C" } else { "EDF+C" };
        assert_eq!(g.file_type().as_str(), want);
        assert_eq!(g.n_records(), 281);
        assert_eq!(g.annotations().len(), 3);
    }
}

#[test]
fn processing_errors_name_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    let input = discontinuous(dir.path());
    let out = dir.path().join("o.edf");
    // A montage over channels of different rates.
    let o = eimfs(&["convert", input.to_str().unwrap(), out.to_str().unwrap(), "--montage", "Cz-Pz"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("channel EEG Pz-REF: sampling rate is 200 Hz, expected 256 Hz (as EEG Cz-REF)"), "{err}");
    // A band edge above Nyquist of the 100 Hz ECG is fine (ECG is not filtered); above the
    // 200 Hz EEG channel's it is an error naming it.
    let o = eimfs(&["convert", input.to_str().unwrap(), out.to_str().unwrap(), "--bandpass", "1", "110"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--bandpass on \"EEG Pz-REF\" (200 Hz)"), "{err}");
    assert!(!out.exists());
}
