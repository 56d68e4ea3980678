//! The EDF / EDF+ / BDF / BDF+ header: types and parsing.
//!
//! Layout (all fields printable ASCII, left-aligned, space-padded):
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | version: `0` (EDF) or `\xFFBIOSEMI` (BDF) |
//! | 8 | 80 | local patient identification |
//! | 88 | 80 | local recording identification |
//! | 168 | 8 | start date `dd.mm.yy` |
//! | 176 | 8 | start time `hh.mm.ss` |
//! | 184 | 8 | number of bytes in the header = 256 × (1 + number of signals) |
//! | 192 | 44 | reserved (`EDF+C`, `EDF+D`, `BDF+C`, `BDF+D` for the `+` variants) |
//! | 236 | 8 | number of data records (`-1` while recording) |
//! | 244 | 8 | duration of a data record in seconds |
//! | 252 | 4 | number of signals `ns` |
//!
//! followed by `ns` × 16 label, 80 transducer, 8 physical dimension, 8 physical minimum, 8 physical
//! maximum, 8 digital minimum, 8 digital maximum, 80 prefiltering, 8 samples per record, 32
//! reserved (each field for all signals before the next field).

use std::fmt;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use crate::error::{Error, Result, show_bytes};

/// Size of the fixed part of the header.
pub(crate) const FIXED: usize = 256;

/// The flavour of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FileType {
    /// EDF (1992): 16-bit samples, no annotation signals.
    Edf,
    /// EDF+ continuous.
    EdfPlusC,
    /// EDF+ discontinuous: data records may be separated by gaps.
    EdfPlusD,
    /// BDF (BioSemi): 24-bit samples.
    Bdf,
    /// BDF+ continuous.
    BdfPlusC,
    /// BDF+ discontinuous.
    BdfPlusD,
}

impl FileType {
    /// True for BDF and BDF+ (24-bit samples).
    pub fn is_bdf(self) -> bool {
        matches!(self, FileType::Bdf | FileType::BdfPlusC | FileType::BdfPlusD)
    }
    /// True for EDF+ and BDF+.
    pub fn is_plus(self) -> bool {
        !matches!(self, FileType::Edf | FileType::Bdf)
    }
    /// True for EDF+D and BDF+D.
    pub fn is_discontinuous(self) -> bool {
        matches!(self, FileType::EdfPlusD | FileType::BdfPlusD)
    }
    /// Bytes per sample: 2 (EDF) or 3 (BDF).
    pub fn sample_bytes(self) -> usize {
        if self.is_bdf() { 3 } else { 2 }
    }
    /// The name users know: `EDF`, `EDF+C`, `EDF+D`, `BDF`, `BDF+C`, `BDF+D`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Edf => "EDF",
            FileType::EdfPlusC => "EDF+C",
            FileType::EdfPlusD => "EDF+D",
            FileType::Bdf => "BDF",
            FileType::BdfPlusC => "BDF+C",
            FileType::BdfPlusD => "BDF+D",
        }
    }
    /// Label of the annotation signals in this kind of file.
    pub fn annotation_label(self) -> &'static str {
        if self.is_bdf() { "BDF Annotations" } else { "EDF Annotations" }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The header of one signal, as written in the file (labels etc. with trailing spaces removed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignalHeader {
    /// Label, e.g. `EEG Fp1-Ref`.
    pub label: String,
    /// Transducer type, e.g. `AgAgCl electrode`.
    pub transducer: String,
    /// Physical dimension (unit), e.g. `uV`.
    pub unit: String,
    /// Physical minimum: the physical value of `digital_min`.
    pub physical_min: f64,
    /// Physical maximum: the physical value of `digital_max`.
    pub physical_max: f64,
    /// Digital minimum.
    pub digital_min: i32,
    /// Digital maximum.
    pub digital_max: i32,
    /// Prefiltering, e.g. `HP:0.1Hz LP:75Hz`.
    pub prefilter: String,
    /// Samples of this signal in each data record.
    pub samples_per_record: usize,
    /// The signal's reserved field.
    pub reserved: String,
    /// Sampling rate in Hz: `samples_per_record / record_duration` (0 if the duration is 0).
    pub fs: f64,
    /// True for `EDF Annotations` / `BDF Annotations` signals (they hold text, not samples).
    pub is_annotation: bool,
    /// Byte offset of this signal's samples inside a data record.
    pub(crate) record_offset: usize,
}

impl SignalHeader {
    /// Physical units per digital step: `(physical_max - physical_min) / (digital_max - digital_min)`.
    pub fn gain(&self) -> f64 {
        (self.physical_max - self.physical_min) / (self.digital_max as f64 - self.digital_min as f64)
    }
    /// Physical value of digital 0: `physical_min - gain × digital_min`, so that
    /// `physical = gain × digital + offset` (the EDFlib / pyedflib convention).
    pub fn offset(&self) -> f64 {
        self.physical_min - self.gain() * self.digital_min as f64
    }
    /// Physical value of a digital sample.
    pub fn to_physical(&self, digital: i32) -> f64 {
        self.gain() * digital as f64 + self.offset()
    }
}

/// The parsed file header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Header {
    /// EDF, EDF+C, EDF+D, BDF, BDF+C or BDF+D.
    pub file_type: FileType,
    /// Local patient identification (80 characters, trailing spaces removed). In EDF+ it is
    /// structured: `code sex birthdate name [additional]`, `X` for unknown subfields.
    pub patient: String,
    /// Local recording identification. In EDF+: `Startdate dd-MMM-yyyy admincode technician
    /// equipment [additional]`.
    pub recording: String,
    /// Start date and time from the header, to the second (the EDF+ sub-second offset is in the
    /// first data record: see [`crate::EdfFile::start`]). For EDF+ the 4-digit year of the
    /// recording field is used when present.
    pub start: NaiveDateTime,
    /// Header size in bytes, `256 × (1 + signals.len())`.
    pub header_bytes: usize,
    /// Reserved field (starts with `EDF+C` etc. in the `+` variants).
    pub reserved: String,
    /// Number of data records as the header states it (`-1` = unknown).
    pub n_records_header: i64,
    /// Duration of a data record in seconds.
    pub record_duration: f64,
    /// Duration of a data record in nanoseconds (exact for the decimal written in the file).
    pub record_duration_ns: i64,
    /// All signals in file order, annotation signals included.
    pub signals: Vec<SignalHeader>,
    /// Bytes per data record.
    pub record_bytes: usize,
}

/// EDF+ patient identification subfields (`X` = unknown is returned as `None`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PatientInfo {
    /// Hospital patient code.
    pub code: Option<String>,
    /// `M` or `F`.
    pub sex: Option<String>,
    /// Birth date as written, `dd-MMM-yyyy`.
    pub birthdate: Option<String>,
    /// Name (underscores stand for spaces in the file; they are returned as spaces).
    pub name: Option<String>,
    /// Anything after the four subfields.
    pub additional: String,
}

/// EDF+ recording identification subfields.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RecordingInfo {
    /// Start date as written, `dd-MMM-yyyy`.
    pub startdate: Option<String>,
    /// Hospital administration code of the investigation.
    pub admincode: Option<String>,
    /// Technician.
    pub technician: Option<String>,
    /// Equipment.
    pub equipment: Option<String>,
    /// Anything after the four subfields.
    pub additional: String,
}

fn subfield(s: Option<&str>) -> Option<String> {
    match s {
        None | Some("X") | Some("") => None,
        Some(v) => Some(v.replace('_', " ")),
    }
}

impl Header {
    /// Data signals (annotation signals excluded), in file order.
    pub fn data_signals(&self) -> impl Iterator<Item = &SignalHeader> {
        self.signals.iter().filter(|s| !s.is_annotation)
    }

    /// The EDF+ patient subfields, if this is an EDF+/BDF+ file.
    pub fn patient_info(&self) -> Option<PatientInfo> {
        if !self.file_type.is_plus() {
            return None;
        }
        let mut it = self.patient.splitn(5, ' ');
        Some(PatientInfo {
            code: subfield(it.next()),
            sex: subfield(it.next()),
            birthdate: subfield(it.next()),
            name: subfield(it.next()),
            additional: it.next().unwrap_or("").trim().to_string(),
        })
    }

    /// The EDF+ recording subfields, if this is an EDF+/BDF+ file.
    pub fn recording_info(&self) -> Option<RecordingInfo> {
        if !self.file_type.is_plus() {
            return None;
        }
        let rest = self.recording.strip_prefix("Startdate ")?;
        let mut it = rest.splitn(5, ' ');
        Some(RecordingInfo {
            startdate: subfield(it.next()),
            admincode: subfield(it.next()),
            technician: subfield(it.next()),
            equipment: subfield(it.next()),
            additional: it.next().unwrap_or("").trim().to_string(),
        })
    }
}

// ------------------------------------------------------------------------------------------------
// parsing

struct P<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    ns: usize,
}

const FIXED_FIELDS: [(usize, usize, &str); 10] = [
    (0, 8, "version"),
    (8, 80, "local patient identification"),
    (88, 80, "local recording identification"),
    (168, 8, "startdate"),
    (176, 8, "starttime"),
    (184, 8, "number of bytes in header record"),
    (192, 44, "reserved"),
    (236, 8, "number of data records"),
    (244, 8, "duration of a data record"),
    (252, 4, "number of signals"),
];

/// Signal fields: (width, name).
const SIGNAL_FIELDS: [(usize, &str); 10] = [
    (16, "label"),
    (80, "transducer type"),
    (8, "physical dimension"),
    (8, "physical minimum"),
    (8, "physical maximum"),
    (8, "digital minimum"),
    (8, "digital maximum"),
    (80, "prefiltering"),
    (8, "number of samples in each data record"),
    (32, "reserved"),
];

impl<'a> P<'a> {
    fn err(&self, offset: usize, field: String, expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::Field { path: self.path.to_path_buf(), offset: offset as u64, field, expected: expected.into(), found: found.into() }
    }

    fn fixed_name(offset: usize) -> String {
        let (_, _, name) =
            FIXED_FIELDS.iter().copied().find(|(o, w, _)| offset >= *o && offset < o + w).expect("offset inside the fixed header");
        format!("header field \"{name}\"")
    }

    /// (field index, signal index) of a byte inside the signal header.
    fn signal_field_at(&self, offset: usize) -> (usize, usize) {
        let mut start = FIXED;
        for (k, (w, _)) in SIGNAL_FIELDS.iter().enumerate() {
            let end = start + w * self.ns;
            if offset < end {
                return (k, (offset - start) / w);
            }
            start = end;
        }
        unreachable!("offset inside the signal header")
    }

    fn signal_name(&self, field: usize, signal: usize, labels: Option<&[String]>) -> String {
        let label = labels.and_then(|l| l.get(signal)).map(|l| format!(" (\"{l}\")")).unwrap_or_default();
        format!("signal {} of {}{} field \"{}\"", signal + 1, self.ns, label, SIGNAL_FIELDS[field].1)
    }

    /// Offset of field `k` of signal `i`.
    fn sig_off(&self, k: usize, i: usize) -> usize {
        let before: usize = SIGNAL_FIELDS[..k].iter().map(|(w, _)| w * self.ns).sum();
        FIXED + before + SIGNAL_FIELDS[k].0 * i
    }

    fn sig_raw(&self, k: usize, i: usize) -> &'a [u8] {
        let o = self.sig_off(k, i);
        &self.bytes[o..o + SIGNAL_FIELDS[k].0]
    }
}

/// Field text with trailing (and, for numbers, leading) spaces removed. Bytes are ASCII here.
fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).trim_end().to_string()
}

fn check_ascii(p: &P<'_>, range: std::ops::Range<usize>, name: impl Fn(usize) -> String) -> Result<()> {
    if let Some(i) = p.bytes[range.clone()].iter().position(|&b| !(32..=126).contains(&b)) {
        let off = range.start + i;
        return Err(p.err(off, name(off), "printable ASCII (bytes 0x20-0x7E), as EDF requires", format!("byte 0x{:02X}", p.bytes[off])));
    }
    Ok(())
}

/// Parse an integer field: optional sign, digits, surrounding spaces allowed.
pub(crate) fn parse_int(raw: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(raw).ok()?.trim();
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse::<i64>().ok()
}

/// Parse a decimal field (`-3276.8`, `1e-3`, `.5`), surrounding spaces allowed. No inf/nan.
pub(crate) fn parse_float(raw: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(raw).ok()?.trim();
    if s.is_empty()
        || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        || !s.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Parse a decimal number of seconds into nanoseconds, exactly for up to 9 decimals (rounded
/// half away from zero beyond). Accepts an optional sign. `None` if not a plain decimal.
pub(crate) fn parse_seconds_ns(s: &[u8]) -> Option<i64> {
    let (neg, body) = match s.first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[..0]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.iter().chain(frac).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in int {
        v = v.checked_mul(10)?.checked_add((d - b'0') as i64)?;
    }
    v = v.checked_mul(1_000_000_000)?;
    let mut f: i64 = 0;
    for k in 0..9 {
        f = f * 10 + frac.get(k).map(|d| (d - b'0') as i64).unwrap_or(0);
    }
    if frac.get(9).is_some_and(|&d| d >= b'5') {
        f += 1;
    }
    v = v.checked_add(f)?;
    Some(if neg { -v } else { v })
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Parse `dd-MMM-yyyy` (EDF+ recording field).
fn parse_plus_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 11 || b[2] != b'-' || b[6] != b'-' {
        return None;
    }
    let d: u32 = s[0..2].parse().ok()?;
    let m = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(&s[3..6]))? as u32 + 1;
    let y: i32 = s[7..11].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Two digits at `o` as a number.
fn two_digits(b: &[u8], o: usize) -> Option<u32> {
    let (a, c) = (b[o], b[o + 1]);
    (a.is_ascii_digit() && c.is_ascii_digit()).then(|| ((a - b'0') * 10 + (c - b'0')) as u32)
}

/// Parse the whole header. `bytes` holds at least the first 256 bytes; `file_size` is the size of
/// the file. Returns the header; `warnings` receives recoverable problems.
pub(crate) fn parse(path: &Path, bytes: &[u8], file_size: u64, warnings: &mut Vec<String>) -> Result<Header> {
    if file_size < FIXED as u64 || bytes.len() < FIXED {
        // Not even the fixed header: say "not EDF" when the first bytes already show it.
        let n = bytes.len().min(8);
        let is_edf_start = bytes[..n] == b"0       "[..n] || bytes[..n] == b"\xFFBIOSEMI"[..n];
        if !is_edf_start {
            return Err(Error::NotEdf { path: path.to_path_buf(), found: show_bytes(&bytes[..n]) });
        }
        return Err(Error::TruncatedHeader {
            path: path.to_path_buf(),
            size: file_size,
            needed: FIXED as u64,
            what: "the fixed part of the header is 256 bytes".into(),
        });
    }
    let bdf = if &bytes[0..8] == b"\xFFBIOSEMI" {
        true
    } else if bytes[0] == b'0' && bytes[1..8].iter().all(|&b| b == b' ') {
        false
    } else {
        return Err(Error::NotEdf { path: path.to_path_buf(), found: show_bytes(&bytes[0..8]) });
    };

    let mut p = P { path, bytes, ns: 0 };
    check_ascii(&p, 8..FIXED, P::fixed_name)?;

    // number of signals
    let ns_raw = &bytes[252..256];
    let ns = match parse_int(ns_raw) {
        Some(n) if n >= 1 => n as usize,
        _ => {
            return Err(p.err(252, P::fixed_name(252), "a positive integer", show_bytes(ns_raw)));
        }
    };
    p.ns = ns;

    // header size
    let hb_raw = &bytes[184..192];
    let needed = FIXED * (ns + 1);
    match parse_int(hb_raw) {
        Some(n) if n == needed as i64 => {}
        _ => {
            return Err(p.err(184, P::fixed_name(184), format!("{needed} (256 × (1 + {ns} signals))"), show_bytes(hb_raw)));
        }
    }
    if file_size < needed as u64 || bytes.len() < needed {
        return Err(Error::TruncatedHeader {
            path: path.to_path_buf(),
            size: file_size,
            needed: needed as u64,
            what: format!("256 bytes plus 256 for each of the {ns} signals"),
        });
    }
    check_ascii(&p, FIXED..needed, |off| {
        let (k, i) = p.signal_field_at(off);
        p.signal_name(k, i, None)
    })?;

    // reserved: file type
    let reserved = text(&bytes[192..236]);
    let file_type = match (bdf, reserved.get(0..5).unwrap_or("")) {
        (false, "EDF+C") => FileType::EdfPlusC,
        (false, "EDF+D") => FileType::EdfPlusD,
        (false, _) => FileType::Edf,
        (true, "BDF+C") | (true, "EDF+C") => FileType::BdfPlusC,
        (true, "BDF+D") | (true, "EDF+D") => FileType::BdfPlusD,
        (true, _) => FileType::Bdf,
    };
    let sb = file_type.sample_bytes();

    // number of records
    let nr_raw = &bytes[236..244];
    let n_records_header = match parse_int(nr_raw) {
        Some(n) if n >= -1 => n,
        _ => {
            return Err(p.err(236, P::fixed_name(236), "a non-negative integer (or -1 while recording)", show_bytes(nr_raw)));
        }
    };

    // record duration (validated after the labels: 0 is allowed for annotation-only files)
    let dur_raw = &bytes[244..252];
    let record_duration = parse_float(dur_raw).ok_or_else(|| p.err(244, P::fixed_name(244), "a number of seconds", show_bytes(dur_raw)))?;
    let dur_txt = std::str::from_utf8(dur_raw).unwrap_or("").trim().as_bytes();
    let record_duration_ns = parse_seconds_ns(dur_txt).unwrap_or((record_duration * 1e9).round() as i64);

    // signals
    let labels: Vec<String> = (0..ns).map(|i| text(p.sig_raw(0, i))).collect();
    let ann_label = file_type.annotation_label();
    let mut signals = Vec::with_capacity(ns);
    let mut record_bytes = 0usize;
    let (dlo, dhi) = if bdf { (-8_388_608i64, 8_388_607i64) } else { (-32_768i64, 32_767i64) };
    for i in 0..ns {
        let name = |k: usize| p.signal_name(k, i, Some(&labels));
        let is_annotation = labels[i] == "EDF Annotations" || (bdf && labels[i] == "BDF Annotations");
        let float = |k: usize| -> Result<f64> {
            let raw = p.sig_raw(k, i);
            parse_float(raw).ok_or_else(|| p.err(p.sig_off(k, i), name(k), "a decimal number", show_bytes(raw)))
        };
        let int_in = |k: usize, lo: i64, hi: i64, what: &str| -> Result<i64> {
            let raw = p.sig_raw(k, i);
            match parse_int(raw) {
                Some(v) if v >= lo && v <= hi => Ok(v),
                _ => Err(p.err(p.sig_off(k, i), name(k), what.to_string(), show_bytes(raw))),
            }
        };
        let physical_min = float(3)?;
        let physical_max = float(4)?;
        if physical_max == physical_min {
            return Err(p.err(
                p.sig_off(4, i),
                name(4),
                format!("a value different from the physical minimum ({})", text(p.sig_raw(3, i)).trim()),
                show_bytes(p.sig_raw(4, i)),
            ));
        }
        let fmt_name = if bdf { "BDF" } else { "EDF" };
        let range_what = format!("an integer from {dlo} to {dhi} ({fmt_name})");
        let digital_min = int_in(5, dlo, dhi, &range_what)? as i32;
        let digital_max = int_in(6, dlo, dhi, &range_what)? as i32;
        if digital_max <= digital_min {
            return Err(p.err(
                p.sig_off(6, i),
                name(6),
                format!("a value greater than the digital minimum ({digital_min})"),
                show_bytes(p.sig_raw(6, i)),
            ));
        }
        let spr = int_in(8, 1, i32::MAX as i64, "a positive integer")? as usize;
        signals.push(SignalHeader {
            label: labels[i].clone(),
            transducer: text(p.sig_raw(1, i)),
            unit: text(p.sig_raw(2, i)),
            physical_min,
            physical_max,
            digital_min,
            digital_max,
            prefilter: text(p.sig_raw(7, i)),
            samples_per_record: spr,
            reserved: text(p.sig_raw(9, i)),
            fs: 0.0,
            is_annotation,
            record_offset: record_bytes,
        });
        record_bytes += spr * sb;
    }

    let annotation_only = signals.iter().all(|s| s.is_annotation);
    if record_duration < 0.0 || (record_duration == 0.0 && !annotation_only) || record_duration_ns <= 0 && !annotation_only {
        return Err(p.err(244, P::fixed_name(244), "a positive number of seconds (0 only in annotation-only files)", show_bytes(dur_raw)));
    }
    for s in &mut signals {
        s.fs = if record_duration > 0.0 { s.samples_per_record as f64 / record_duration } else { 0.0 };
    }
    if !file_type.is_plus() && signals.iter().any(|s| s.is_annotation) {
        warnings.push(format!(
            "plain {} file (reserved field does not start with {}+C/D) has an \"{}\" signal: read as EDF+ annotations",
            if bdf { "BDF" } else { "EDF" },
            if bdf { "BDF" } else { "EDF" },
            ann_label
        ));
    }
    if file_type.is_plus() && !signals.iter().any(|s| s.is_annotation) {
        warnings.push(format!("{file_type} file has no \"{ann_label}\" signal (EDF+ requires one); read without annotations"));
    }

    // start date and time
    let start = parse_start(&p, &file_type, warnings)?;
    let patient = text(&bytes[8..88]);
    let recording = text(&bytes[88..168]);

    Ok(Header {
        file_type,
        patient,
        recording,
        start,
        header_bytes: needed,
        reserved,
        n_records_header,
        record_duration,
        record_duration_ns: record_duration_ns.max(0),
        signals,
        record_bytes,
    })
}

fn parse_start(p: &P<'_>, file_type: &FileType, warnings: &mut Vec<String>) -> Result<NaiveDateTime> {
    let b = p.bytes;
    let date_raw = &b[168..176];
    let time_raw = &b[176..184];
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b' ';
    // EDF+ recording field start date (4-digit year), if any.
    let recording = text(&b[88..168]);
    let plus_date = if file_type.is_plus() {
        recording
            .strip_prefix("Startdate ")
            .and_then(|r| r.split(' ').next())
            .filter(|d| *d != "X")
            .map(|d| (d.to_string(), parse_plus_date(d)))
    } else {
        None
    };

    let date_err =
        || p.err(168, P::fixed_name(168), "a date dd.mm.yy (or dd.mm.yy with yy = \"yy\" after 2084 in EDF+)", show_bytes(date_raw));
    if !sep(date_raw[2]) || !sep(date_raw[5]) {
        return Err(date_err());
    }
    let day = two_digits(date_raw, 0).ok_or_else(date_err)?;
    let month = two_digits(date_raw, 3).ok_or_else(date_err)?;
    let yy = two_digits(date_raw, 6);
    let date = match (yy, &plus_date) {
        (_, Some((_, Some(pd)))) => {
            // EDF+: the recording field carries the 4-digit year; it must agree with dd.mm.yy.
            use chrono::Datelike;
            let agrees = pd.day() == day && pd.month() == month && yy.is_none_or(|yy| pd.year().rem_euclid(100) as u32 == yy);
            if agrees {
                *pd
            } else {
                let yy = yy.ok_or_else(date_err)?;
                let year = if yy >= 85 { 1900 + yy as i32 } else { 2000 + yy as i32 };
                let d = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(date_err)?;
                warnings.push(format!(
                    "EDF+ recording field start date {} disagrees with the header start date {}; using the header date",
                    pd.format("%d-%b-%Y").to_string().to_uppercase(),
                    String::from_utf8_lossy(date_raw)
                ));
                d
            }
        }
        (Some(yy), plus) => {
            if let Some((txt, None)) = plus {
                warnings.push(format!("EDF+ recording field start date \"{txt}\" is not dd-MMM-yyyy; using the header date"));
            }
            let year = if yy >= 85 { 1900 + yy as i32 } else { 2000 + yy as i32 };
            NaiveDate::from_ymd_opt(year, month, day).ok_or_else(date_err)?
        }
        (None, _) => return Err(date_err()),
    };

    let time_err = || p.err(176, P::fixed_name(176), "a time hh.mm.ss", show_bytes(time_raw));
    if !sep(time_raw[2]) || !sep(time_raw[5]) {
        return Err(time_err());
    }
    let h = two_digits(time_raw, 0).ok_or_else(time_err)?;
    let m = two_digits(time_raw, 3).ok_or_else(time_err)?;
    let s = two_digits(time_raw, 6).ok_or_else(time_err)?;
    let time = NaiveTime::from_hms_opt(h, m, s).ok_or_else(time_err)?;
    Ok(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_ns() {
        assert_eq!(parse_seconds_ns(b"+0"), Some(0));
        assert_eq!(parse_seconds_ns(b"+1.5"), Some(1_500_000_000));
        assert_eq!(parse_seconds_ns(b"-0.0394531"), Some(-39_453_100));
        assert_eq!(parse_seconds_ns(b"12.0000000015"), Some(12_000_000_002));
        assert_eq!(parse_seconds_ns(b".25"), Some(250_000_000));
        assert_eq!(parse_seconds_ns(b"+"), None);
        assert_eq!(parse_seconds_ns(b"1a"), None);
        assert_eq!(parse_seconds_ns(b"1.2.3"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_int(b"  -12   "), Some(-12));
        assert_eq!(parse_int(b"+7"), Some(7));
        assert_eq!(parse_int(b"1 2"), None);
        assert_eq!(parse_int(b"    "), None);
        assert_eq!(parse_float(b"-3276.8 "), Some(-3276.8));
        assert_eq!(parse_float(b"1e-3"), Some(0.001));
        assert_eq!(parse_float(b"inf"), None);
        assert_eq!(parse_float(b"0,5"), None);
        assert_eq!(parse_plus_date("04-APR-2011"), NaiveDate::from_ymd_opt(2011, 4, 4));
        assert_eq!(parse_plus_date("31-FEB-2011"), None);
    }
}
