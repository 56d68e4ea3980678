//! The real neonatal EEG clips in `../shared/data/helsinki-dev/`: every clip opens cleanly, its
//! annotations match the events TSV written beside it, statistics agree with a direct
//! computation, and a rewrite is lossless. With `CI=true` a missing data directory fails.

use std::path::PathBuf;

use eimfs_core::EventsFile;
use eimfs_edf::{EdfFile, FileType, Format, RewriteOptions, StatsOptions, rewrite};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("EIMFS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let clips = dir.join("data/helsinki-dev");
    if clips.is_dir() {
        return Some(clips);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared data missing: {} (set EIMFS_SHARED)", clips.display());
    }
    eprintln!("skipping: shared data not found at {}", clips.display());
    None
}

#[test]
fn helsinki_clips() {
    let Some(dir) = shared() else { return };
    let mut clips: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "edf")).collect();
    clips.sort();
    assert_eq!(clips.len(), 16);
    let tmp = tempfile::tempdir().unwrap();
    let mut with_seizure = 0;
    for p in &clips {
        let f = EdfFile::open(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(f.warnings().is_empty(), "{name}: {:?}", f.warnings());
        assert_eq!(f.file_type(), FileType::EdfPlusC, "{name}");
        assert_eq!((f.n_records(), f.record_duration(), f.signals().len()), (30, 1.0, 21), "{name}");
        assert!(f.signals().iter().all(|s| s.fs == 256.0 && s.unit == "uV"), "{name}");
        assert_eq!(f.signals().iter().filter(|s| s.label.starts_with("EEG ")).count(), 19, "{name}");

        // Annotations = seizure events of the TSV.
        let events = EventsFile::read(p.with_file_name(name.replace(".edf", "_events.tsv"))).unwrap();
        let sz: Vec<(f64, f64)> = events.seizures().map(|e| (e.onset, e.duration)).collect();
        let ann: Vec<(f64, f64)> = f.annotations().iter().map(|a| (a.onset, a.duration.unwrap())).collect();
        assert_eq!(ann, sz, "{name}");
        assert!(f.annotations().iter().all(|a| a.text == "seizure (majority of 3 experts)"));
        with_seizure += usize::from(!sz.is_empty());

        // Statistics = direct computation on the decoded samples.
        let rec = f.read_recording().unwrap();
        let st = f.stats(&StatsOptions::default(), &|_| {}).unwrap();
        for (s, c) in rec.signals.iter().zip(&st) {
            let n = s.samples.len() as f64;
            let mean = s.samples.iter().map(|&x| x as f64).sum::<f64>() / n;
            let rms = (s.samples.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / n).sqrt();
            let max = s.samples.iter().fold(f32::MIN, |m, &x| m.max(x)) as f64;
            assert_eq!(c.n_samples, 7680);
            assert!((c.mean - mean).abs() < 1e-4 * rms.max(1.0), "{name} {}: {} {}", s.label, c.mean, mean);
            assert!((c.rms - rms).abs() < 1e-4 * rms.max(1.0));
            assert!((c.max - max).abs() < 1e-4 * max.abs().max(1.0));
        }

        // Lossless rewrite.
        let out = tmp.path().join(&name);
        rewrite(&f, &out, &RewriteOptions { format: Format::Edf, channels: None }, &|_| {}).unwrap();
        let g = EdfFile::open(&out).unwrap();
        assert!(g.warnings().is_empty());
        assert_eq!(g.annotations(), f.annotations());
        assert_eq!(g.start(), f.start());
        for c in 0..21 {
            let (mut a, mut b) = (vec![0; 7680], vec![0; 7680]);
            f.read_digital(&[c], 0..30, &mut [&mut a[..]]).unwrap();
            g.read_digital(&[c], 0..30, &mut [&mut b[..]]).unwrap();
            assert_eq!(a, b, "{name} channel {c}");
            assert_eq!(f.signals()[c].label, g.signals()[c].label);
        }
    }
    assert_eq!(with_seizure, 7);
}
