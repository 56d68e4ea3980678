//! Every header error gives one exact message: file, byte offset, field, expected, found.

mod common;

use common::*;
use eimfs_edf::{EdfFile, Error};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Open `bytes` as a file and return the error message.
fn err(bytes: &[u8]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.edf", bytes);
    let e = EdfFile::open(&p).expect_err("the file must be rejected");
    (e.to_string(), p.display().to_string())
}

/// A valid file with one field replaced.
fn with(f: impl FnOnce(&mut RawEdf)) -> Vec<u8> {
    let mut e = small_edf_plus(3);
    f(&mut e);
    e.to_bytes()
}

#[test]
fn valid_base_file_opens() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ok.edf", &small_edf_plus(3).to_bytes());
    let f = EdfFile::open(&p).unwrap();
    assert_eq!(f.n_records(), 3);
    assert!(f.warnings().is_empty(), "{:?}", f.warnings());
}

#[test]
fn missing_file() {
    let e = EdfFile::open("/nonexistent/dir/x.edf").unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
    assert_eq!(e.to_string(), "/nonexistent/dir/x.edf: No such file or directory (os error 2)");
}

#[test]
fn not_an_edf_file() {
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00".to_vec();
    zip.resize(1000, 0);
    let (m, p) = err(&zip);
    assert_eq!(
        m,
        format!(
            "{p}: not an EDF or BDF file: bytes 0-7 are \"PK\\x03\\x04\\x14\\x00\\x00\\x00\", expected \"0       \" (EDF) or \"\\xFFBIOSEMI\" (BDF)"
        )
    );
    let (m, p) = err(b"hello");
    assert_eq!(m, format!("{p}: not an EDF or BDF file: bytes 0-7 are \"hello\", expected \"0       \" (EDF) or \"\\xFFBIOSEMI\" (BDF)"));
    let (m, p) = err(b"");
    assert_eq!(
        m,
        format!("{p}: truncated header: the file has 0 bytes but its header needs 256 bytes (the fixed part of the header is 256 bytes)")
    );
}

#[test]
fn truncated_header() {
    let full = small_edf_plus(3).to_bytes();
    let (m, p) = err(&full[..100]);
    assert_eq!(
        m,
        format!("{p}: truncated header: the file has 100 bytes but its header needs 256 bytes (the fixed part of the header is 256 bytes)")
    );
    let (m, p) = err(&full[..600]);
    assert_eq!(
        m,
        format!(
            "{p}: truncated header: the file has 600 bytes but its header needs 1024 bytes (256 bytes plus 256 for each of the 3 signals)"
        )
    );
}

#[test]
fn header_byte_count_wrong() {
    let (m, p) = err(&with(|e| e.header_bytes = Some(b"700".to_vec())));
    assert_eq!(
        m,
        format!(
            "{p}: byte 184, header field \"number of bytes in header record\": expected 1024 (256 × (1 + 3 signals)), found \"700     \""
        )
    );
}

#[test]
fn number_of_signals() {
    let (m, p) = err(&with(|e| e.n_signals = Some(b"0".to_vec())));
    assert_eq!(m, format!("{p}: byte 252, header field \"number of signals\": expected a positive integer, found \"0   \""));
    let (m, p) = err(&with(|e| e.n_signals = Some(b"x".to_vec())));
    assert_eq!(m, format!("{p}: byte 252, header field \"number of signals\": expected a positive integer, found \"x   \""));
}

#[test]
fn non_numeric_number_of_records() {
    let (m, p) = err(&with(|e| e.n_records = b"abc".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 236, header field \"number of data records\": expected a non-negative integer (or -1 while recording), found \"abc     \""
        )
    );
    let (m, p) = err(&with(|e| e.n_records = b"-5".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 236, header field \"number of data records\": expected a non-negative integer (or -1 while recording), found \"-5      \""
        )
    );
}

#[test]
fn record_duration() {
    let zero = "expected a positive number of seconds (0 only in annotation-only files)";
    let (m, p) = err(&with(|e| e.duration = b"0".to_vec()));
    assert_eq!(m, format!("{p}: byte 244, header field \"duration of a data record\": {zero}, found \"0       \""));
    let (m, p) = err(&with(|e| e.duration = b"-1".to_vec()));
    assert_eq!(m, format!("{p}: byte 244, header field \"duration of a data record\": {zero}, found \"-1      \""));
    let (m, p) = err(&with(|e| e.duration = b"1,5".to_vec()));
    assert_eq!(m, format!("{p}: byte 244, header field \"duration of a data record\": expected a number of seconds, found \"1,5     \""));
}

#[test]
fn non_numeric_signal_fields() {
    // signal fields of 3 signals: label 256.., transducer 304.., unit 544.., physical min 568..,
    // physical max 592.., digital min 616.., digital max 640.., prefilter 664.., spr 904..
    let (m, p) = err(&with(|e| e.signals[1].dig_min = b"x12".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 624, signal 2 of 3 (\"EEG Fp2\") field \"digital minimum\": expected an integer from -32768 to 32767 (EDF), found \"x12     \""
        )
    );
    let (m, p) = err(&with(|e| e.signals[0].phys_min = b"abc".to_vec()));
    assert_eq!(
        m,
        format!("{p}: byte 568, signal 1 of 3 (\"EEG Fp1\") field \"physical minimum\": expected a decimal number, found \"abc     \"")
    );
    let (m, p) = err(&with(|e| e.signals[0].phys_max = b"inf".to_vec()));
    assert_eq!(
        m,
        format!("{p}: byte 592, signal 1 of 3 (\"EEG Fp1\") field \"physical maximum\": expected a decimal number, found \"inf     \"")
    );
    let (m, p) = err(&with(|e| e.signals[2].spr = b"ten".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 920, signal 3 of 3 (\"EDF Annotations\") field \"number of samples in each data record\": expected a positive integer, found \"ten     \""
        )
    );
}

#[test]
fn samples_per_record_must_be_positive() {
    for v in ["0", "-3"] {
        let (m, p) = err(&with(|e| e.signals[0].spr = v.as_bytes().to_vec()));
        assert_eq!(
            m,
            format!(
                "{p}: byte 904, signal 1 of 3 (\"EEG Fp1\") field \"number of samples in each data record\": expected a positive integer, found \"{v:<8}\""
            )
        );
    }
}

#[test]
fn digital_range() {
    let (m, p) = err(&with(|e| {
        e.signals[0].dig_min = b"100".to_vec();
        e.signals[0].dig_max = b"100".to_vec();
    }));
    assert_eq!(
        m,
        format!(
            "{p}: byte 640, signal 1 of 3 (\"EEG Fp1\") field \"digital maximum\": expected a value greater than the digital minimum (100), found \"100     \""
        )
    );
    let (m, p) = err(&with(|e| e.signals[0].dig_max = b"-40000".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 640, signal 1 of 3 (\"EEG Fp1\") field \"digital maximum\": expected an integer from -32768 to 32767 (EDF), found \"-40000  \""
        )
    );
}

#[test]
fn bdf_digital_range_is_24_bit() {
    let mut b = RawEdf::bdf(vec![RawSignal::new("EEG Fp1", 2, (-1.0, 1.0), (-8388609, 100))], 1, "1");
    b.data = vec![0; 6];
    let (m, p) = err(&b.to_bytes());
    assert_eq!(
        m,
        format!(
            "{p}: byte 376, signal 1 of 1 (\"EEG Fp1\") field \"digital minimum\": expected an integer from -8388608 to 8388607 (BDF), found \"-8388609\""
        )
    );
}

#[test]
fn physical_min_equals_max() {
    let (m, p) = err(&with(|e| {
        e.signals[1].phys_min = b"5".to_vec();
        e.signals[1].phys_max = b"5.0".to_vec();
    }));
    assert_eq!(
        m,
        format!(
            "{p}: byte 600, signal 2 of 3 (\"EEG Fp2\") field \"physical maximum\": expected a value different from the physical minimum (5), found \"5.0     \""
        )
    );
}

#[test]
fn non_ascii_header_bytes() {
    let (m, p) = err(&with(|e| e.patient = "X F X Zoë".as_bytes().to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 16, header field \"local patient identification\": expected printable ASCII (bytes 0x20-0x7E), as EDF requires, found byte 0xC3"
        )
    );
    let (m, p) = err(&with(|e| e.signals[1].label = b"EEG \xB5V".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 276, signal 2 of 3 field \"label\": expected printable ASCII (bytes 0x20-0x7E), as EDF requires, found byte 0xB5"
        )
    );
    let (m, p) = err(&with(|e| e.signals[2].prefilter = b"\tHP".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 824, signal 3 of 3 field \"prefiltering\": expected printable ASCII (bytes 0x20-0x7E), as EDF requires, found byte 0x09"
        )
    );
}

#[test]
fn start_date_and_time() {
    let (m, p) = err(&with(|e| e.date = b"32.13.26".to_vec()));
    assert_eq!(
        m,
        format!(
            "{p}: byte 168, header field \"startdate\": expected a date dd.mm.yy (or dd.mm.yy with yy = \"yy\" after 2084 in EDF+), found \"32.13.26\""
        )
    );
    let (m, p) = err(&with(|e| e.time = b"25.00.00".to_vec()));
    assert_eq!(m, format!("{p}: byte 176, header field \"starttime\": expected a time hh.mm.ss, found \"25.00.00\""));
    let (m, p) = err(&with(|e| e.time = b"1200".to_vec()));
    assert_eq!(m, format!("{p}: byte 176, header field \"starttime\": expected a time hh.mm.ss, found \"1200    \""));
}

#[test]
fn read_requests_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ok.edf", &small_edf_plus(3).to_bytes());
    let f = EdfFile::open(&p).unwrap();
    let mut buf = [0f32; 8];
    let e = f.read_physical(&[2], 0..1, &mut [&mut buf[..]]).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: channel 2 out of range: the file has 2 data signals (indices 0-1)", p.display()));
    let e = f.read_physical(&[0], 2..4, &mut [&mut buf[..]]).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: records 2..4 out of range: the file has 3 data records", p.display()));
    let e = f.read_physical(&[0], 0..2, &mut [&mut buf[..]]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: output buffer 0 (channel 0 \"EEG Fp1\") has 8 samples, expected 8 per record × 2 records = 16", p.display())
    );
}
