//! `eimfs detect` end to end: every Helsinki clip, the output files and their content, the
//! annotated copy, and clear errors without partial output on bad input.

mod common;
use common::{eimfs, shared};
use std::path::{Path, PathBuf};

use eimfs_core::{Recording, Signal};
use eimfs_edf::{EdfFile, RecordingWriteOptions, write_recording};

const ELECTRODES: [&str; 19] =
    ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz", "P4", "T6", "O1", "O2"];

/// Pseudo-random background (µV) for a synthetic channel.
fn noise(n: usize, seed: &mut u64, amp: f32) -> Vec<f32> {
    let mut prev = 0.0f32;
    (0..n)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = ((*seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5;
            prev = 0.9 * prev + amp * u;
            prev
        })
        .collect()
}

fn recording(labels: &[String], fs: f64, seconds: usize, flat: &[&str]) -> Recording {
    let mut seed = 7u64;
    let mut rec = Recording::default();
    for l in labels {
        let n = (fs as usize) * seconds;
        let x = if flat.iter().any(|f| l.contains(f)) { vec![0.0; n] } else { noise(n, &mut seed, 30.0) };
        rec.signals.push(Signal::new(l.clone(), "uV", fs, x));
    }
    rec
}

fn write(path: &Path, rec: &Recording) {
    write_recording(path, rec, &RecordingWriteOptions::default()).unwrap();
}

fn eeg_labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|e| format!("EEG {e}-Ref")).collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Run detect on `file` expecting failure; the error names `needle`; no file is left in `out`.
fn fails(file: &Path, extra: &[&str], needle: &str) {
    let out_dir = tempfile::tempdir().unwrap();
    let mut args = vec!["detect", file.to_str().unwrap(), "--out", out_dir.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = eimfs(&args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(files_in(out_dir.path()), Vec::<String>::new(), "partial output for {args:?}");
}

#[test]
fn every_helsinki_clip() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("data/helsinki-dev");
    let mut clips: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "edf")).collect();
    clips.sort();
    assert_eq!(clips.len(), 16);
    let out = tempfile::tempdir().unwrap();
    let mut flat_total = 0;
    for clip in &clips {
        let o = eimfs(&["detect", clip.to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{}: {}", clip.display(), String::from_utf8_lossy(&o.stderr));
        assert!(o.stderr.is_empty(), "--quiet prints nothing: {}", String::from_utf8_lossy(&o.stderr));
        let stem = clip.file_stem().unwrap().to_string_lossy().into_owned();
        // Probability: header + 30 rows of 13 columns, overall = max of the regions.
        let p = std::fs::read_to_string(out.path().join(format!("{stem}_probability.tsv"))).unwrap();
        let lines: Vec<&str> = p.lines().collect();
        assert_eq!(lines.len(), 31, "{stem}");
        assert_eq!(
            lines[0],
            "second\toverall\tL-frontal\tL-central\tL-temporal\tL-parietal\tL-occipital\tR-frontal\tR-central\tR-temporal\tR-parietal\tR-occipital\tmidline"
        );
        for (i, l) in lines[1..].iter().enumerate() {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 13);
            assert_eq!(f[0], i.to_string());
            let v: Vec<f64> = f[1..].iter().map(|x| x.parse().unwrap()).collect();
            assert!(v.iter().all(|x| (0.0..=1.0).contains(x)), "{stem} second {i}: {l}");
            let max = v[1..].iter().cloned().fold(0.0, f64::max);
            assert!((v[0] - max).abs() < 1e-9, "{stem} second {i}: overall {} max {max}", v[0]);
        }
        // Events: SzCORE header, recording duration 30 s, the file's start time (EDF header bytes 168-183).
        let ev = eimfs_core::EventsFile::read(out.path().join(format!("{stem}_events.tsv"))).unwrap();
        assert_eq!(ev.recording_duration, Some(30.0));
        let header = std::fs::read(clip).unwrap();
        let (date, time) = (std::str::from_utf8(&header[168..176]).unwrap(), std::str::from_utf8(&header[176..184]).unwrap());
        let start = format!("20{}-{}-{} {}:{}:{}", &date[6..8], &date[3..5], &date[0..2], &time[0..2], &time[3..5], &time[6..8]);
        assert_eq!(ev.date_time.map(|d| d.to_string()), Some(start), "{stem}");
        // JSON: average-referenced derivations of the 19 EEG channels but the flat one (the
        // recording reference, Cz or Fz, in 13 clips); ECG and respiration ignored.
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.path().join(format!("{stem}_summary.json"))).unwrap()).unwrap();
        assert_eq!(s["recording"]["montage"], "average");
        let n_flat = s["recording"]["flat_electrodes"].as_array().unwrap().len();
        assert!(n_flat <= 1, "{stem}: {}", s["recording"]["flat_electrodes"]);
        assert_eq!(s["recording"]["derivations"].as_array().unwrap().len() + n_flat, 19);
        flat_total += n_flat;
        assert_eq!(s["recording"]["analysed_seconds"], 30);
        assert_eq!(s["seizure_count"].as_u64().unwrap() as usize, ev.seizures().count());
        let verdict = s["migration"]["verdict"].as_str().unwrap();
        assert!(["no_seizures", "insufficient_evidence", "not_migrating", "migrating"].contains(&verdict));
        let z: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.path().join(format!("{stem}_seizures.json"))).unwrap()).unwrap();
        assert_eq!(z["seizures"].as_array().unwrap().len(), ev.seizures().count());
        assert_eq!(z["file"], format!("{stem}.edf"));
    }
    assert_eq!(files_in(out.path()).len(), 16 * 4);
    // The reference electrode is flat in 13 clips (Cz in 10, Fz in 3): flat in most seconds,
    // though in 5 of them it drifts enough to have an SD above 0.5 µV over the two minutes.
    assert_eq!(flat_total, 13);
}

#[test]
fn bipolar_montage_and_annotated_copy() {
    let Some(shared) = shared() else { return };
    let clip = shared.join("data/helsinki-dev/helsinki_eeg39_00001s.edf");
    let out = tempfile::tempdir().unwrap();
    let annotated = out.path().join("annotated.edf");
    let o = eimfs(&[
        "detect",
        clip.to_str().unwrap(),
        "--montage",
        "double-banana",
        "--sensitivity",
        "high",
        "--out",
        out.path().to_str().unwrap(),
        "--annotate",
        annotated.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("helsinki_eeg39_00001s_summary.json")).unwrap()).unwrap();
    assert_eq!(s["recording"]["montage"], "double-banana");
    // The 18 of the double banana but Fz-Cz and Cz-Pz: Cz is the clip's flat reference.
    assert_eq!(s["recording"]["derivations"].as_array().unwrap().len(), 16);
    assert_eq!(s["recording"]["flat_electrodes"].as_array().unwrap().len(), 1);
    assert_eq!(s["recording"]["sensitivity"], "high");
    // The copy keeps every signal, sample and annotation of the clip and adds the detections.
    let src = EdfFile::open(&clip).unwrap();
    let copy = EdfFile::open(&annotated).unwrap();
    assert_eq!(copy.signals().len(), src.signals().len());
    assert_eq!(copy.n_records(), src.n_records());
    let mut a = vec![0i32; 256 * 30];
    let mut b = vec![0i32; 256 * 30];
    for c in 0..src.signals().len() {
        src.read_digital(&[c], 0..30, &mut [&mut a[..]]).unwrap();
        copy.read_digital(&[c], 0..30, &mut [&mut b[..]]).unwrap();
        assert_eq!(a, b, "signal {c}");
    }
    for ann in src.annotations() {
        assert!(copy.annotations().contains(ann), "{ann:?}");
    }
    let z: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("helsinki_eeg39_00001s_seizures.json")).unwrap()).unwrap();
    let n = z["seizures"].as_array().unwrap().len();
    let added: Vec<_> = copy.annotations().iter().filter(|a| a.text.starts_with("eimfs seizure")).collect();
    assert_eq!(added.iter().filter(|a| a.channel.is_none()).count(), n);
    for a in added.iter().filter(|a| a.channel.is_some()) {
        let ch = a.channel.as_deref().unwrap();
        assert!(src.signals().iter().any(|s| s.label.trim() == ch), "linked to a channel of the file: {ch}");
    }
    // Writing over the input is refused and the input is untouched.
    let before = std::fs::read(&clip).unwrap();
    let o = eimfs(&["detect", clip.to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--annotate", clip.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("eimfs never modifies its input"));
    assert_eq!(std::fs::read(&clip).unwrap(), before);
}

#[test]
fn other_rates_labels_and_extra_channels() {
    // 500 Hz, modern names (T7/P7...), lower-case reference suffix, an ECG and a respiration
    // channel, two electrodes missing: 17 electrodes analysed.
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = ELECTRODES.iter().copied().filter(|e| *e != "O2" && *e != "Fz").collect();
    let mut labels: Vec<String> = names.iter().map(|e| format!("EEG {}-ref", modern(e))).collect();
    labels.push("ECG EKG".into());
    labels.push("Resp Effort".into());
    let f = dir.path().join("rate500.edf");
    write(&f, &recording(&labels, 500.0, 90, &[]));
    let out = dir.path().join("out");
    let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("rate500_summary.json")).unwrap()).unwrap();
    let d: Vec<&str> = s["recording"]["derivations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(d.len(), 17);
    assert!(d.contains(&"T3-Avg") && d.contains(&"T5-Avg") && !d.contains(&"O2-Avg"), "{d:?}");
    assert_eq!(s["recording"]["analysed_seconds"], 90);
    let p = std::fs::read_to_string(out.join("rate500_probability.tsv")).unwrap();
    // O2 is missing: the right occipital region has no electrode and its column is n/a.
    assert_eq!(p.lines().count(), 91);
    for l in p.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(f[11], "n/a", "{l}");
        assert!(f.iter().enumerate().all(|(i, v)| i == 11 || v.parse::<f64>().is_ok()), "{l}");
    }
}

#[test]
fn recordings_referenced_to_cz_are_referential() {
    // `EEG Fp1-Cz`, ...: 18 channels referenced to Cz, read as referential (common average of
    // the 18), not as 18 bipolar pairs; the summary says so.
    let dir = tempfile::tempdir().unwrap();
    let mut labels: Vec<String> = ELECTRODES.iter().filter(|e| **e != "Cz").map(|e| format!("EEG {e}-Cz")).collect();
    labels.push("ECG EKG".into());
    let f = dir.path().join("czref.edf");
    write(&f, &recording(&labels, 256.0, 60, &[]));
    let out = dir.path().join("out");
    let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("czref_summary.json")).unwrap()).unwrap();
    assert_eq!(s["recording"]["montage"], "average");
    let d: Vec<&str> = s["recording"]["derivations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(d.len(), 18);
    assert!(d.contains(&"Fp1-Avg") && !d.contains(&"Cz-Avg"), "{d:?}");
    let w = s["recording"]["warnings"].to_string();
    assert!(w.contains("written as a pair to Cz") && w.contains("EEG Fp1-Cz"), "{w}");
    // The neonatal montage's pairs to Cz are those channels.
    let out = dir.path().join("neo");
    let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet", "--montage", "neonatal"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn clipped_channels_are_named() {
    // T4 saturates at ±5 µV (its samples held at the file's limits much of the time): the
    // summary names it with its share of clipped samples; the other channels are not named.
    let dir = tempfile::tempdir().unwrap();
    let mut rec = recording(&eeg_labels(&ELECTRODES), 256.0, 60, &[]);
    let t4 = rec.signals.iter_mut().find(|s| s.label == "EEG T4-Ref").unwrap();
    t4.samples.iter_mut().for_each(|v| *v = v.clamp(-5.0, 5.0));
    let share = t4.samples.iter().filter(|v| v.abs() == 5.0).count() as f64 / t4.samples.len() as f64;
    assert!(share > 0.05, "{share}");
    let f = dir.path().join("clip.edf");
    write(&f, &rec);
    let out = dir.path().join("out");
    let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("clip_summary.json")).unwrap()).unwrap();
    let w: Vec<&str> = s["recording"]["warnings"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("clipped: more than 1 % of the samples at the limits of the digital range in the recording (amplifier"),
        "{}",
        w[0]
    );
    assert!(w[0].ends_with(&format!("EEG T4-Ref ({:.0} %)", 100.0 * share)), "{}", w[0]);
    // A recording of bipolar pairs only (the double banana as recorded): a clipped pair is named.
    let pairs = [
        "Fp1-F7", "F7-T3", "T3-T5", "T5-O1", "Fp2-F8", "F8-T4", "T4-T6", "T6-O2", "Fp1-F3", "F3-C3", "C3-P3", "P3-O1", "Fp2-F4", "F4-C4",
        "C4-P4", "P4-O2",
    ];
    let mut rec = recording(&pairs.iter().map(|p| format!("EEG {p}")).collect::<Vec<_>>(), 256.0, 60, &[]);
    let c = rec.signals.iter_mut().find(|s| s.label == "EEG F8-T4").unwrap();
    c.samples.iter_mut().for_each(|v| *v = v.clamp(-5.0, 5.0));
    let f = dir.path().join("bip.edf");
    write(&f, &rec);
    let out = dir.path().join("bip");
    let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("bip_summary.json")).unwrap()).unwrap();
    let w = s["recording"]["warnings"].to_string();
    assert!(w.contains("clipped: more than 1 % of the samples") && w.contains("EEG F8-T4 ("), "{w}");
    assert!(!w.contains("EEG Fp1-F7 ("), "{w}");
}

#[test]
fn millivolt_and_volt_files_are_read_as_microvolts() {
    // The same 90 s of EEG written in uV, mV and V, and with an empty physical dimension: the
    // detector scales to µV, so every file gives the same probabilities (a file in mV read as µV
    // would be 1000 times too small and every electrode flat).
    let dir = tempfile::tempdir().unwrap();
    let labels = eeg_labels(&ELECTRODES);
    let base = recording(&labels, 256.0, 90, &[]);
    let mut tables = Vec::new();
    for (unit, per_uv) in [("uV", 1.0f32), ("mV", 1e-3), ("V", 1e-6), ("", 1.0)] {
        let mut rec = base.clone();
        for s in rec.signals.iter_mut() {
            s.unit = unit.to_string();
            s.samples.iter_mut().for_each(|v| *v *= per_uv);
        }
        let name = if unit.is_empty() { "none".to_string() } else { unit.to_string() };
        let f = dir.path().join(format!("{name}.edf"));
        write(&f, &rec);
        let out = dir.path().join(format!("out_{name}"));
        let o = eimfs(&["detect", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{unit}: {}", String::from_utf8_lossy(&o.stderr));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(format!("{name}_summary.json"))).unwrap()).unwrap();
        let warnings = s["recording"]["warnings"].to_string();
        assert_eq!(warnings.contains("is not a voltage unit"), unit.is_empty(), "{unit}: {warnings}");
        assert_eq!(s["recording"]["derivations"].as_array().unwrap().len(), 19, "{unit}");
        let p = std::fs::read_to_string(out.join(format!("{name}_probability.tsv"))).unwrap();
        let values: Vec<f64> =
            p.lines().skip(1).flat_map(|l| l.split('\t').skip(1).map(|v| v.parse::<f64>().unwrap()).collect::<Vec<_>>()).collect();
        assert_eq!(values.len(), 90 * 12, "{unit}");
        tables.push(values);
    }
    for t in &tables[1..] {
        let worst = t.iter().zip(&tables[0]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 0.002, "largest probability difference {worst}");
    }
}

/// The 10-10 name of a classic 10-20 name.
fn modern(e: &str) -> &str {
    match e {
        "T3" => "T7",
        "T4" => "T8",
        "T5" => "P7",
        "T6" => "P8",
        e => e,
    }
}

#[test]
fn bad_input_gives_clear_errors_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Unreadable: missing file, not an EDF.
    fails(&d.join("missing.edf"), &[], "missing.edf");
    let txt = d.join("notes.edf");
    std::fs::write(&txt, "this is not an EDF file at all, just text that is long enough to be read as a header ...").unwrap();
    fails(&txt, &[], "not an EDF or BDF file");
    // No EEG channel.
    let f = d.join("noeeg.edf");
    write(&f, &recording(&["ECG EKG".to_string(), "Resp Effort".to_string()], 256.0, 60, &[]));
    fails(&f, &[], "no EEG channel");
    // Three electrodes.
    let f = d.join("three.edf");
    write(&f, &recording(&eeg_labels(&["Fp1", "C3", "O1"]), 256.0, 60, &[]));
    fails(&f, &[], "only 3 usable 10-20 electrode(s) (Fp1, C3, O1); seizure detection and localisation need at least 4");
    // Five electrodes, two flat: three usable.
    let f = d.join("flat.edf");
    write(&f, &recording(&eeg_labels(&["Fp1", "C3", "O1", "T4", "P4"]), 256.0, 60, &["T4", "P4"]));
    fails(&f, &[], "flat (SD < 0.5 µV in most seconds of the recording): T4 (EEG T4-Ref), P4 (EEG P4-Ref)");
    // A montage naming an electrode the file lacks.
    let f = d.join("nof7.edf");
    let names: Vec<&str> = ELECTRODES.iter().copied().filter(|e| *e != "F7").collect();
    write(&f, &recording(&eeg_labels(&names), 256.0, 60, &[]));
    fails(&f, &["--montage", "Fp1-F7,F7-T3,T3-T5"], "missing electrode(s) F7");
    fails(&f, &["--montage", "banana"], "missing electrode(s) F7");
    fails(&f, &["--montage", "Fp1-Xx"], "`Xx` is not one of the 19 10-20 electrodes");
    // Two channels for one electrode: named once, with the numbers `eimfs info` shows.
    let f = d.join("twice.edf");
    let mut labels = eeg_labels(&ELECTRODES);
    labels.insert(1, "EEG Fp1-Ref".to_string());
    write(&f, &recording(&labels, 256.0, 60, &[]));
    fails(&f, &[], "electrode Fp1 is recorded by more than one channel: #1 \"EEG Fp1-Ref\", #2 \"EEG Fp1-Ref\"");
    let err =
        String::from_utf8_lossy(&eimfs(&["detect", f.to_str().unwrap(), "--out", d.join("o2").to_str().unwrap()]).stderr).into_owned();
    assert_eq!(err.matches("more than one channel").count(), 1, "{err}");
    // Too short, too slow.
    let f = d.join("short.edf");
    write(&f, &recording(&eeg_labels(&ELECTRODES), 256.0, 5, &[]));
    fails(&f, &[], "lasts 5 s; detection needs at least 10 s");
    let f = d.join("slow.edf");
    write(&f, &recording(&eeg_labels(&ELECTRODES), 20.0, 60, &[]));
    fails(&f, &[], "has sampling rate 20 Hz: the detector needs at least 32 Hz");
    // A malformed model file.
    let ok = d.join("ok.edf");
    write(&ok, &recording(&eeg_labels(&ELECTRODES), 256.0, 60, &[]));
    let m = d.join("model.json");
    std::fs::write(&m, "{\"format\": \"eimfs-detect-model\", \"version\": 9}").unwrap();
    fails(&ok, &["--model", m.to_str().unwrap()], "model.json: not a valid model file");
    // The good file works into the same kind of directory.
    let out = d.join("out");
    let o = eimfs(&["detect", ok.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut got = files_in(&out);
    got.sort();
    assert_eq!(got, vec!["ok_events.tsv", "ok_probability.tsv", "ok_seizures.json", "ok_summary.json"]);
}
