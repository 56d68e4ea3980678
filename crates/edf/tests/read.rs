//! Reading: EDF+D gaps, several annotation signals, BDF 24-bit, truncated files, record count
//! -1, sub-second start, mixed rates, chunks, statistics.

mod common;

use common::*;
use eimfs_edf::{EdfFile, FileType, Gap, StatsOptions};
use std::path::PathBuf;

fn save(e: &RawEdf) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.edf");
    e.write(&p);
    (dir, p)
}

#[test]
fn edf_plus_c_values_and_channel_linked_annotation() {
    let (_d, p) = save(&small_edf_plus(3));
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.file_type(), FileType::EdfPlusC);
    assert_eq!(f.signals().len(), 2);
    assert_eq!(f.signals()[1].label, "EEG Fp2");
    assert_eq!(f.signals()[0].fs, 8.0);
    assert_eq!(f.signals()[0].transducer, "AgAgCl electrode");
    assert_eq!(f.signals()[0].prefilter, "HP:0.5Hz LP:70Hz");
    assert_eq!(f.start().to_string(), "2026-11-21 05:03:32");
    assert_eq!(f.duration(), 3.0);
    let mut d = [0i32; 24];
    f.read_digital(&[1], 0..3, &mut [&mut d[..]]).unwrap();
    assert_eq!(&d[8..11], &[-100, -101, -102]);
    let mut x = vec![0f32; 8];
    f.read_physical(&[0], 2..3, &mut [&mut x[..]]).unwrap();
    // gain = 6553.5 / 65535 = 0.1, offset = -3276.8 + 3276.8 = 0: 200..207 → 20.0..20.7
    assert!((x[0] - 20.0).abs() < 1e-5 && (x[7] - 20.7).abs() < 1e-5, "{x:?}");
    let a = f.annotations();
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].onset, a[0].duration, a[0].text.as_str()), (1.5, Some(0.25), "spike"));
    assert_eq!(a[0].channel.as_deref(), Some("EEG Fp1"));
}

/// EDF+D: records at 0, 1 and 5 s (a 3 s gap), annotations in two annotation signals, more than
/// one annotation per record, UTF-8 text.
fn discontinuous() -> RawEdf {
    let mut e = RawEdf::edf(
        vec![
            RawSignal::new("EEG C3", 4, (-100.0, 100.0), (-1000, 1000)),
            RawSignal::annotations("EDF Annotations", 40, false),
            RawSignal::new("ECG", 2, (-5.0, 5.0), (-500, 500)),
            RawSignal::annotations("EDF Annotations", 20, false),
        ],
        3,
        "1",
    );
    e.reserved = b"EDF+D".to_vec();
    e.recording = b"Startdate 21-NOV-2026 EEG123 tech amp extra info".to_vec();
    let starts = ["+0.25", "+1.25", "+5.25"];
    for (r, s) in starts.iter().enumerate() {
        push_i16(&mut e.data, &[r as i32 * 10, 1, -1, 999]);
        let tal = match r {
            0 => format!("{s}\x14\x14\x00+0.5\x14Sz onset\x14arousal\x14\x00+0.75\x152\x14脑波\x14\x00"),
            2 => format!("{s}\x14\x14\x00+5.5\x14Sz end@@EEG C3\x14\x00"),
            _ => format!("{s}\x14\x14\x00"),
        };
        e.data.extend(tal_bytes(tal.as_bytes(), 80));
        push_i16(&mut e.data, &[-500, 500]);
        let tal2 = if r == 1 { "+1.5\x150\x14second signal\x14\x00".to_string() } else { String::new() };
        e.data.extend(tal_bytes(tal2.as_bytes(), 40));
    }
    e
}

#[test]
fn edf_plus_d_gaps_and_several_annotation_signals() {
    let (_d, p) = save(&discontinuous());
    let f = EdfFile::open(&p).unwrap();
    assert!(f.warnings().is_empty(), "{:?}", f.warnings());
    assert_eq!(f.file_type(), FileType::EdfPlusD);
    assert_eq!(f.signals().iter().map(|s| s.label.as_str()).collect::<Vec<_>>(), ["EEG C3", "ECG"]);
    // The time-keeping TAL of the first record is the sub-second start.
    assert_eq!(f.start_offset(), 0.25);
    assert_eq!(f.start().to_string(), "2026-11-21 05:03:32.250");
    assert_eq!(f.record_starts(), vec![0.0, 1.0, 5.0]);
    assert_eq!(f.gaps(), vec![Gap { start: 2.0, duration: 3.0, before_record: 2 }]);
    assert_eq!(f.duration(), 6.0);
    let got: Vec<(f64, Option<f64>, &str, Option<&str>)> =
        f.annotations().iter().map(|a| (a.onset, a.duration, a.text.as_str(), a.channel.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (0.25, None, "Sz onset", None),
            (0.25, None, "arousal", None),
            (0.5, Some(2.0), "脑波", None),
            (1.25, Some(0.0), "second signal", None),
            (5.25, None, "Sz end", Some("EEG C3")),
        ]
    );
    let info = f.header().recording_info().unwrap();
    assert_eq!(info.admincode.as_deref(), Some("EEG123"));
    assert_eq!(info.equipment.as_deref(), Some("amp"));
    assert_eq!(info.additional, "extra info");
    // The whole recording places records at their times, gaps filled with 0.
    let rec = f.read_recording().unwrap();
    let c3 = &rec.signals[0].samples;
    assert_eq!(c3.len(), 6 * 4);
    let step = 0.1f32;
    assert!((c3[4] - 10.0 * step).abs() < 1e-5);
    assert!(c3[8..20].iter().all(|&v| v == 0.0));
    assert!((c3[20] - 20.0 * step).abs() < 1e-5);
    assert!((c3[23] - 99.9).abs() < 1e-4);
    assert_eq!(rec.annotations.len(), 5);
}

#[test]
fn bdf_24_bit_sign_handling() {
    let mut b = RawEdf::bdf(
        vec![
            RawSignal::new("EEG Cz", 6, (-8388608.0, 8388607.0), (-8388608, 8388607)),
            RawSignal::annotations("BDF Annotations", 10, true),
        ],
        1,
        "1",
    );
    b.reserved = b"BDF+C".to_vec();
    let v = [-8388608, -1, 0, 1, 8388607, -2];
    push_i24(&mut b.data, &v);
    b.data.extend(tal_bytes(b"+0\x14\x14\x00+0.5\x14mark\x14\x00", 30));
    let (_d, p) = save(&b);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.file_type(), FileType::BdfPlusC);
    let mut d = vec![0i32; 6];
    f.read_digital(&[0], 0..1, &mut [&mut d[..]]).unwrap();
    assert_eq!(d, v);
    let mut x = vec![0f32; 6];
    f.read_physical(&[0], 0..1, &mut [&mut x[..]]).unwrap();
    // gain 1, offset 0: the physical values are the digital ones.
    assert_eq!(x, [-8388608.0, -1.0, 0.0, 1.0, 8388607.0, -2.0]);
    assert_eq!(f.annotations()[0].text, "mark");
}

#[test]
fn number_of_records_minus_one() {
    let mut e = small_edf_plus(4);
    e.n_records = b"-1".to_vec();
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.n_records(), 4);
    assert_eq!(f.header().n_records_header, -1);
    assert_eq!(
        f.warnings(),
        ["number of data records is -1 (the recorder did not close the file?): reading the 4 complete records in the file"]
    );
    assert_eq!(f.annotations().len(), 1);
}

#[test]
fn truncated_data_reads_complete_records() {
    let mut e = small_edf_plus(5);
    let rb = 8 * 2 * 2 + 60;
    e.data.truncate(3 * rb + 17);
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.n_records(), 3);
    assert_eq!(
        f.warnings(),
        [
            format!(
                "the header announces 5 data records of {rb} bytes but the file ({} bytes) holds only 3 complete records: the file is truncated; reading the 3 complete records",
                1024 + 3 * rb + 17
            ),
            format!("17 bytes after the last complete data record (an incomplete record of {rb} bytes) are ignored"),
        ]
    );
    let mut d = [0i32; 24];
    f.read_digital(&[0], 0..3, &mut [&mut d[..]]).unwrap();
    assert_eq!(d[23], 207);
}

#[test]
fn file_longer_than_header_says() {
    let mut e = small_edf_plus(4);
    e.n_records = b"2".to_vec();
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.n_records(), 2);
    assert_eq!(f.warnings(), ["the file holds 4 complete data records but the header announces 2: ignoring the 184 bytes after record 2"]);
}

#[test]
fn plain_edf_two_digit_year_and_mixed_rates() {
    let mut e = RawEdf::edf(
        vec![RawSignal::new("Fp1", 200, (-500.0, 500.0), (-2048, 2047)), RawSignal::new("SpO2", 1, (0.0, 100.0), (0, 1000))],
        2,
        "2",
    );
    e.date = b"03.04.99".to_vec();
    e.patient = b"free text patient".to_vec();
    for r in 0..2 {
        push_i16(&mut e.data, &vec![-2048 + r; 200]);
        push_i16(&mut e.data, &[975 + r]);
    }
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.file_type(), FileType::Edf);
    assert_eq!(f.start().to_string(), "1999-04-03 05:03:32");
    assert_eq!(f.signals()[0].fs, 100.0);
    assert_eq!(f.signals()[1].fs, 0.5);
    assert!(f.header().patient_info().is_none());
    assert_eq!(f.header().patient, "free text patient");
    let rec = f.read_recording().unwrap();
    assert_eq!(rec.signals[0].samples.len(), 400);
    assert_eq!(rec.signals[1].samples, vec![97.5, 97.6]);
    assert_eq!(rec.signals[0].samples[0], -500.0);
    assert!(rec.annotations.is_empty());
}

#[test]
fn chunks_equal_whole_reads_and_bounded_requests() {
    let (_d, p) = save(&small_edf_plus(7));
    let f = EdfFile::open(&p).unwrap();
    let mut whole = vec![0f32; 56];
    f.read_physical(&[1], 0..7, &mut [&mut whole[..]]).unwrap();
    let chunks: Vec<_> = f.chunks(&[1, 0], 3).unwrap().collect();
    assert_eq!(chunks.iter().map(|c| c.records.clone()).collect::<Vec<_>>(), vec![0..3, 3..6, 6..7]);
    assert_eq!(chunks.iter().map(|c| c.start).collect::<Vec<_>>(), vec![0.0, 3.0, 6.0]);
    let joined: Vec<f32> = chunks.iter().flat_map(|c| c.data[0].clone()).collect();
    assert_eq!(joined, whole);
    assert_eq!(chunks[2].data[1].len(), 8);
}

#[test]
fn subsecond_start_and_negative_onset() {
    let mut e = small_edf_plus(2);
    // Rewrite the TALs: first record at +0.125, an annotation before the start.
    let rb = 8 * 2 * 2 + 60;
    for r in 0..2 {
        let tal = if r == 0 { "+0.125\x14\x14\x00-2\x14before\x14\x00".to_string() } else { "+1.125\x14\x14\x00".to_string() };
        let at = r * rb + 32;
        e.data.splice(at..at + 60, tal_bytes(tal.as_bytes(), 60));
    }
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert!(f.warnings().is_empty(), "{:?}", f.warnings());
    assert_eq!(f.start().to_string(), "2026-11-21 05:03:32.125");
    assert_eq!(f.annotations()[0].onset, -2.125);
}

#[test]
fn malformed_tals_are_warnings() {
    let mut e = small_edf_plus(2);
    let rb = 8 * 2 * 2 + 60;
    let at = rb + 32;
    e.data.splice(at..at + 60, tal_bytes(b"+1\x14\x14\x00+x\x14bad onset\x14\x00+1.2\x14ok\x14\x00", 60));
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.annotations().len(), 1);
    assert_eq!(f.annotations()[0].text, "ok");
    assert_eq!(f.warnings(), ["data record 1, annotation signal 1 (byte 1153): TAL onset \"+x\" is not a number of seconds: TAL skipped"]);
}

#[test]
fn continuous_file_with_wrong_timekeeping_warns() {
    let mut e = small_edf_plus(3);
    let rb = 8 * 2 * 2 + 60;
    let at = 2 * rb + 32;
    e.data.splice(at..at + 60, tal_bytes(b"+7\x14\x14\x00", 60));
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.record_starts(), vec![0.0, 1.0, 2.0]);
    assert_eq!(f.warnings(), ["EDF+C data record 2 has time-keeping TAL 7 s, expected 2 s for a continuous file; read as continuous"]);
}

#[test]
fn statistics() {
    // 256 Hz, 3 records of 1 s: a ramp, then 300 identical samples spanning records 1-2 (flat),
    // then values at the digital limits (clipped).
    let mut e = RawEdf::edf(vec![RawSignal::new("EEG O1", 256, (-100.0, 100.0), (-1000, 1000))], 3, "1");
    let mut v: Vec<i32> = (0..400).map(|i| i - 200).collect();
    v.extend(std::iter::repeat_n(42, 300));
    v.extend((0..68).map(|i| if i % 2 == 0 { 1000 } else { -1000 }));
    assert_eq!(v.len(), 768);
    push_i16(&mut e.data, &v);
    let (_d, p) = save(&e);
    let f = EdfFile::open(&p).unwrap();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let s = f
        .stats(&StatsOptions::default(), &|n| {
            calls.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
    assert_eq!(calls.into_inner(), 3);
    let s = &s[0];
    let phys: Vec<f64> = v.iter().map(|&d| d as f64 * 0.1).collect();
    let mean = phys.iter().sum::<f64>() / 768.0;
    let rms = (phys.iter().map(|x| x * x).sum::<f64>() / 768.0).sqrt();
    assert_eq!(s.n_samples, 768);
    assert!((s.min + 100.0).abs() < 1e-9 && (s.max - 100.0).abs() < 1e-9);
    assert!((s.mean - mean).abs() < 1e-9, "{} {}", s.mean, mean);
    assert!((s.rms - rms).abs() < 1e-9);
    assert_eq!(s.flat_run_samples, 256);
    assert_eq!(s.n_flat, 300);
    assert_eq!(s.n_clipped, 68);
    assert!((s.clipped_fraction - 68.0 / 768.0).abs() < 1e-12);
    // With a 2 s threshold the 300-sample run is not flat.
    let s2 = f.stats(&StatsOptions { flat_seconds: 2.0 }, &|_| {}).unwrap();
    assert_eq!(s2[0].n_flat, 0);
}

#[test]
fn input_is_never_modified() {
    let (_d, p) = save(&discontinuous());
    let before = std::fs::read(&p).unwrap();
    let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
    {
        let f = EdfFile::open(&p).unwrap();
        f.read_recording().unwrap();
        f.stats(&StatsOptions::default(), &|_| {}).unwrap();
        let _ = f.chunks(&[0], 1).unwrap().count();
    }
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), mtime);
}
