//! Streaming EDF+/BDF+ writer.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDateTime, Timelike};
use eimfs_core::{Annotation, Recording};

use crate::error::{Error, Result};
use crate::header::{SignalHeader, parse_float};
use crate::tal;

/// Output sample format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// EDF+: 16-bit samples.
    Edf,
    /// BDF+: 24-bit samples.
    Bdf,
}

impl Format {
    /// Bytes per sample.
    pub fn sample_bytes(self) -> usize {
        match self {
            Format::Edf => 2,
            Format::Bdf => 3,
        }
    }
    /// Full digital range of the format.
    pub fn digital_range(self) -> (i32, i32) {
        match self {
            Format::Edf => (-32768, 32767),
            Format::Bdf => (-8_388_608, 8_388_607),
        }
    }
    /// `EDF` or `BDF`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Edf => "EDF",
            Format::Bdf => "BDF",
        }
    }
    /// BDF for paths ending in `.bdf` (any case), EDF otherwise.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("bdf") => Format::Bdf,
            _ => Format::Edf,
        }
    }
}

/// The header of one data signal to write.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalSpec {
    /// Label (at most 16 ASCII characters).
    pub label: String,
    /// Transducer type (at most 80 ASCII characters).
    pub transducer: String,
    /// Physical dimension (at most 8 ASCII characters), e.g. `uV`.
    pub unit: String,
    /// Physical value of `digital_min`.
    pub physical_min: f64,
    /// Physical value of `digital_max`.
    pub physical_max: f64,
    /// Digital minimum.
    pub digital_min: i32,
    /// Digital maximum.
    pub digital_max: i32,
    /// Prefiltering (at most 80 ASCII characters).
    pub prefilter: String,
    /// Samples per data record.
    pub samples_per_record: usize,
}

impl SignalSpec {
    /// The same header as a signal read from a file (lossless rewrite).
    pub fn from_header(s: &SignalHeader) -> SignalSpec {
        SignalSpec {
            label: s.label.clone(),
            transducer: s.transducer.clone(),
            unit: s.unit.clone(),
            physical_min: s.physical_min,
            physical_max: s.physical_max,
            digital_min: s.digital_min,
            digital_max: s.digital_max,
            prefilter: s.prefilter.clone(),
            samples_per_record: s.samples_per_record,
        }
    }

    /// A signal whose physical range is `[min, max]` of the data (widened by 1 unit when the data
    /// are constant) over the full digital range of `format`, so that nothing clips.
    pub fn for_data(label: &str, unit: &str, samples_per_record: usize, min: f64, max: f64, format: Format) -> SignalSpec {
        let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max { (min, max) } else { (-1.0, 1.0) };
        if lo == hi {
            lo -= 1.0;
            hi += 1.0;
        }
        let (dmin, dmax) = format.digital_range();
        SignalSpec {
            label: label.to_string(),
            transducer: String::new(),
            unit: unit.to_string(),
            physical_min: lo,
            physical_max: hi,
            digital_min: dmin,
            digital_max: dmax,
            prefilter: String::new(),
            samples_per_record,
        }
    }
}

/// What the file describes: everything of the header except the signals' data.
#[derive(Clone, Debug, PartialEq)]
pub struct WriterConfig {
    /// EDF+ or BDF+.
    pub format: Format,
    /// Start of the first sample. The sub-second part is written into the time-keeping
    /// annotations (EDF+), the rest into the header.
    pub start: Option<NaiveDateTime>,
    /// Patient identification. An EDF+ structured field (`code sex birthdate name ...`) is written
    /// as is; other text becomes `X X X <text>` (spaces as `_`).
    pub patient: String,
    /// Recording identification. An EDF+ field (`Startdate ...`) keeps its subfields (the date is
    /// set from `start`); other text becomes `Startdate <date> X X X <text>`.
    pub recording: String,
    /// Duration of a data record in seconds (must be written exactly in 8 characters).
    pub record_duration: f64,
    /// Data signals, in file order. The annotation signal is added after them.
    pub signals: Vec<SignalSpec>,
    /// Write EDF+D/BDF+D (records may be separated by gaps: give their start times).
    pub discontinuous: bool,
}

/// Summary returned by [`EdfWriter::finish`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteSummary {
    /// The file written.
    pub path: PathBuf,
    /// Data records written.
    pub n_records: usize,
    /// Annotations written (all of them, always).
    pub n_annotations: usize,
    /// Bytes of the annotation signal in each data record.
    pub annotation_bytes_per_record: usize,
    /// Per data signal, samples that did not fit the digital range and were clamped.
    pub clipped: Vec<u64>,
    /// Things the writer had to change (fields made EDF+-valid, texts cleaned, ...).
    pub warnings: Vec<String>,
}

/// A streaming EDF+/BDF+ writer.
///
/// Data records are appended as they come (`write_digital` / `write_physical`); annotations can
/// be given at creation or added any time before [`EdfWriter::finish`]. The annotation signal is
/// sized at the end so that every annotation fits (the records are rewritten once if the space
/// reserved at creation is not enough): no annotation is ever dropped. The file is written to
/// `<path>.tmp<pid>` and renamed to `path` by `finish`; dropping an unfinished writer deletes the
/// temporary file.
#[derive(Debug)]
pub struct EdfWriter {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
    config: WriterConfig,
    /// Header start (whole seconds) and sub-second offset written in the time-keeping TALs.
    header_start: NaiveDateTime,
    subsec_ns: i64,
    record_ns: i64,
    data_bytes: usize,
    annot_bytes: usize,
    n_records: usize,
    record_starts_ns: Vec<i64>,
    annotations: Vec<Annotation>,
    warnings: Vec<String>,
    clipped: Vec<u64>,
    buf: Vec<u8>,
    /// Effective (as written) physical ranges.
    gains: Vec<(f64, f64)>,
    /// The physical range fields as written.
    phys_txt: Vec<(String, String)>,
    /// Set once the file has been renamed into place.
    done: bool,
}

fn write_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Write { path: path.to_path_buf(), message: message.into() }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io { path: path.to_path_buf(), cause }
}

/// Direction of rounding when a number must be shortened to fit a header field.
#[derive(Clone, Copy, PartialEq)]
enum Round {
    Exact,
    Down,
    Up,
}

/// Format a number in at most `width` characters: exactly if possible, else rounded in the
/// given direction (never towards the data, so that nothing clips). `None` if impossible.
fn fmt_number(v: f64, width: usize, dir: Round) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let plain = format!("{v}");
    if plain.len() <= width {
        return Some(plain);
    }
    let exp = format!("{v:e}");
    if exp.len() <= width && parse_float(exp.as_bytes()) == Some(v) {
        return Some(exp);
    }
    if dir == Round::Exact {
        return None;
    }
    for d in (0..=width).rev() {
        let scale = 10f64.powi(d as i32);
        let mut r = match dir {
            Round::Down => (v * scale).floor() / scale,
            _ => (v * scale).ceil() / scale,
        };
        for _ in 0..3 {
            let s = format!("{r:.d$}");
            let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
            let back = parse_float(s.as_bytes())?;
            let ok = match dir {
                Round::Down => back <= v,
                _ => back >= v,
            };
            if s.len() <= width && ok {
                return Some(if s == "-0" { "0".into() } else { s });
            }
            if s.len() > width {
                break;
            }
            // floating point put us on the wrong side: one step further
            r = match dir {
                Round::Down => r - 1.0 / scale,
                _ => r + 1.0 / scale,
            };
        }
    }
    // Very large or very small magnitudes: mantissa and exponent, mantissa rounded outwards.
    let e = v.abs().log10().floor() as i32;
    for p in (0..=6usize).rev() {
        let m = v / 10f64.powi(e);
        let scale = 10f64.powi(p as i32);
        let m = match dir {
            Round::Down => (m * scale).floor() / scale,
            _ => (m * scale).ceil() / scale,
        };
        let s = format!("{m:.p$}e{e}");
        let back = parse_float(s.as_bytes())?;
        let ok = match dir {
            Round::Down => back <= v,
            _ => back >= v,
        };
        if s.len() <= width && ok {
            return Some(s);
        }
    }
    None
}

fn pad(s: &str, width: usize) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.resize(width, b' ');
    v
}

/// Check a text field: printable ASCII and at most `width` bytes.
fn ascii_field(path: &Path, s: &str, width: usize, what: &str) -> Result<String> {
    if let Some(c) = s.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(write_err(path, format!("{what} {s:?} has the character {c:?}: EDF headers are printable ASCII")));
    }
    if s.len() > width {
        return Err(write_err(path, format!("{what} {s:?} is longer than {width} characters")));
    }
    Ok(s.to_string())
}

/// Make free text fit an EDF+ subfield: ASCII, no spaces. Returns the text and whether it changed.
fn subfield_text(s: &str) -> (String, bool) {
    let out: String = s
        .trim()
        .chars()
        .map(|c| match c {
            ' ' => '_',
            c if (' '..='~').contains(&c) => c,
            _ => '?',
        })
        .collect();
    let changed = out != s.trim().replace(' ', "_");
    (out, changed)
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

fn plus_date(d: &NaiveDateTime) -> String {
    format!("{:02}-{}-{:04}", d.day(), MONTHS[d.month0() as usize], d.year())
}

fn is_plus_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[2] == b'-' && b[6] == b'-' && MONTHS.contains(&&s[3..6])
}

/// Limit a field to 80 bytes (warn when cut).
fn fit80(s: String, what: &str, warnings: &mut Vec<String>) -> String {
    if s.len() > 80 {
        warnings.push(format!("{what} longer than 80 characters: cut to {:?}", &s[..80]));
        s[..80].to_string()
    } else {
        s
    }
}

/// The EDF+ patient field for `patient`.
fn patient_field(patient: &str, warnings: &mut Vec<String>) -> String {
    let t: Vec<&str> = patient.split(' ').collect();
    let structured = t.len() >= 4
        && t[..4].iter().all(|x| !x.is_empty())
        && matches!(t[1], "M" | "F" | "X")
        && (t[2] == "X" || is_plus_date(t[2]))
        && patient.chars().all(|c| (' '..='~').contains(&c));
    if structured {
        return fit80(patient.to_string(), "patient field", warnings);
    }
    if patient.trim().is_empty() {
        return "X X X X".into();
    }
    let (txt, changed) = subfield_text(patient);
    if changed {
        warnings.push(format!("patient field {patient:?}: non-ASCII characters replaced by '?'"));
    }
    fit80(format!("X X X {txt}"), "patient field", warnings)
}

/// The EDF+ recording field for `recording` and the start date.
fn recording_field(recording: &str, start: Option<&NaiveDateTime>, warnings: &mut Vec<String>) -> String {
    let date = start.map_or("X".to_string(), plus_date);
    if let Some(rest) = recording.strip_prefix("Startdate ")
        && recording.chars().all(|c| (' '..='~').contains(&c))
    {
        // Keep admincode, technician, equipment and the rest; replace the date.
        let mut it = rest.splitn(2, ' ');
        let _old_date = it.next();
        let tail = it.next().unwrap_or("").trim();
        let mut parts: Vec<&str> = tail.splitn(4, ' ').collect();
        parts.retain(|p| !p.is_empty());
        while parts.len() < 3 {
            parts.push("X");
        }
        return fit80(format!("Startdate {date} {}", parts.join(" ")), "recording field", warnings);
    }
    if recording.trim().is_empty() {
        return format!("Startdate {date} X X X");
    }
    let (txt, changed) = subfield_text(recording);
    if changed {
        warnings.push(format!("recording field {recording:?}: non-ASCII characters replaced by '?'"));
    }
    fit80(format!("Startdate {date} X X X {txt}"), "recording field", warnings)
}

/// Assign annotations (their encoded lengths and target records) to records with `cap` bytes of
/// annotation signal each, `tk[r]` of which the time-keeping TAL uses. Annotations go to their
/// own record when there is room, else to the next records, else back-filled into earlier ones.
fn pack(lens: &[usize], targets: &[usize], tk: &[usize], cap: usize) -> Option<Vec<Vec<usize>>> {
    let n = tk.len();
    let mut order: Vec<usize> = (0..lens.len()).collect();
    order.sort_by_key(|&i| targets[i]);
    let mut assign = vec![Vec::new(); n];
    let mut used: Vec<usize> = tk.to_vec();
    if used.iter().any(|&u| u > cap) {
        return None;
    }
    let mut pending: VecDeque<usize> = VecDeque::new();
    let mut next = 0;
    for r in 0..n {
        while next < order.len() && targets[order[next]] <= r {
            pending.push_back(order[next]);
            next += 1;
        }
        while let Some(&a) = pending.front() {
            if used[r] + lens[a] <= cap {
                assign[r].push(a);
                used[r] += lens[a];
                pending.pop_front();
            } else {
                break;
            }
        }
    }
    for r in (0..n).rev() {
        while let Some(&a) = pending.back() {
            if used[r] + lens[a] <= cap {
                assign[r].push(a);
                used[r] += lens[a];
                pending.pop_back();
            } else {
                break;
            }
        }
    }
    pending.is_empty().then_some(assign)
}

impl EdfWriter {
    /// Start writing `path` (to a temporary file beside it). `annotations` may be empty and more
    /// can be added later; `expected_records`, when known, lets the writer size the annotation
    /// signal right away (no rewrite at the end).
    pub fn create(
        path: impl AsRef<Path>,
        config: WriterConfig,
        annotations: Vec<Annotation>,
        expected_records: Option<usize>,
    ) -> Result<EdfWriter> {
        let path = path.as_ref().to_path_buf();
        if config.signals.is_empty() {
            return Err(write_err(&path, "no data signals"));
        }
        let fmt_dur = fmt_number(config.record_duration, 8, Round::Exact).filter(|_| config.record_duration > 0.0).ok_or_else(|| {
            write_err(&path, format!("record duration {} s cannot be written exactly in 8 characters", config.record_duration))
        })?;
        let record_ns = crate::header::parse_seconds_ns(fmt_dur.as_bytes()).unwrap_or_else(|| tal::to_ns(config.record_duration));
        let (fmin, fmax) = config.format.digital_range();
        let mut gains = Vec::new();
        let mut phys_txt = Vec::new();
        if config.signals.len() > 9998 {
            return Err(write_err(&path, format!("{} signals: EDF holds at most 9998 plus the annotation signal", config.signals.len())));
        }
        for (i, s) in config.signals.iter().enumerate() {
            let what = format!("signal {} label", i + 1);
            ascii_field(&path, &s.label, 16, &what)?;
            if s.label == "EDF Annotations" || s.label == "BDF Annotations" {
                return Err(write_err(&path, format!("signal {} is labelled {:?}, reserved for the annotation signal", i + 1, s.label)));
            }
            ascii_field(&path, &s.transducer, 80, &format!("signal {} ({}) transducer", i + 1, s.label))?;
            ascii_field(&path, &s.unit, 8, &format!("signal {} ({}) physical dimension", i + 1, s.label))?;
            ascii_field(&path, &s.prefilter, 80, &format!("signal {} ({}) prefiltering", i + 1, s.label))?;
            if s.samples_per_record == 0 {
                return Err(write_err(&path, format!("signal {} ({}) has 0 samples per record", i + 1, s.label)));
            }
            if s.digital_min < fmin || s.digital_max > fmax || s.digital_min >= s.digital_max {
                return Err(write_err(
                    &path,
                    format!(
                        "signal {} ({}) digital range {}..{} is not an increasing range within {fmin}..{fmax} ({})",
                        i + 1,
                        s.label,
                        s.digital_min,
                        s.digital_max,
                        config.format.name()
                    ),
                ));
            }
            let (lo_dir, hi_dir) = if s.physical_min <= s.physical_max { (Round::Down, Round::Up) } else { (Round::Up, Round::Down) };
            let lo = fmt_number(s.physical_min, 8, lo_dir);
            let hi = fmt_number(s.physical_max, 8, hi_dir);
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return Err(write_err(
                    &path,
                    format!(
                        "signal {} ({}) physical range {}..{} cannot be written in 8 characters",
                        i + 1,
                        s.label,
                        s.physical_min,
                        s.physical_max
                    ),
                ));
            };
            let (lo_v, hi_v) = (parse_float(lo.as_bytes()).unwrap(), parse_float(hi.as_bytes()).unwrap());
            if lo_v == hi_v {
                return Err(write_err(&path, format!("signal {} ({}) physical minimum equals maximum ({lo})", i + 1, s.label)));
            }
            gains.push((lo_v, hi_v));
            phys_txt.push((lo, hi));
        }
        let sb = config.format.sample_bytes();
        let data_bytes: usize = config.signals.iter().map(|s| s.samples_per_record * sb).sum();
        let (header_start, subsec_ns) = match &config.start {
            Some(s) => (s.with_nanosecond(0).unwrap(), s.nanosecond() as i64),
            None => (chrono::NaiveDate::from_ymd_opt(1985, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(), 0),
        };
        // dd.mm.yy holds 1985-2084; later years are written "yy" with the year in the EDF+ field.
        if header_start.year() < 1985 {
            return Err(write_err(&path, format!("start year {} is before 1985, which EDF cannot store", header_start.year())));
        }
        let tmp = {
            let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(format!(".tmp{}", std::process::id()));
            path.with_file_name(name)
        };
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&tmp).map_err(io(&tmp))?;
        let n_sig = config.signals.len();
        let mut w = EdfWriter {
            path,
            tmp,
            file: Some(BufWriter::with_capacity(1 << 20, file)),
            config,
            header_start,
            subsec_ns,
            record_ns,
            data_bytes,
            annot_bytes: 0,
            n_records: 0,
            record_starts_ns: Vec::new(),
            annotations: Vec::new(),
            warnings: Vec::new(),
            clipped: vec![0; n_sig],
            buf: Vec::new(),
            gains,
            phys_txt,
            done: false,
        };
        for a in annotations {
            w.add_annotation(a);
        }
        w.annot_bytes = match expected_records {
            Some(n) if n > 0 => w.required_annot_bytes(n, |r| r as i64 * record_ns).unwrap_or(0),
            _ => 0,
        };
        if w.annot_bytes == 0 {
            // Unknown length: room for the time-keeping TAL plus a couple of annotations; the
            // records are rewritten at the end if that is not enough.
            let longest = w.annotations.iter().map(|a| w.tal_len(a)).max().unwrap_or(0);
            w.annot_bytes = round_up(24 + 2 * longest.max(40), sb);
        }
        let header = w.header_bytes(-1);
        w.file.as_mut().unwrap().write_all(&header).map_err(io(&w.tmp))?;
        Ok(w)
    }

    /// Add an annotation (onset in seconds from `config.start`). Texts keep any Unicode; bytes
    /// that EDF+ reserves (0x00, 0x14, 0x15) are replaced by spaces with a warning.
    pub fn add_annotation(&mut self, mut a: Annotation) {
        let bad = |s: &str| s.bytes().any(|b| matches!(b, 0 | 0x14 | 0x15));
        if bad(&a.text) || a.channel.as_deref().is_some_and(bad) {
            self.warnings.push(format!("annotation {:?} at {} s: control bytes 0x00/0x14/0x15 replaced by spaces", a.text, a.onset));
            a.text = clean_text(&a.text);
            a.channel = a.channel.as_deref().map(clean_text);
        }
        if let Some(d) = a.duration
            && (d.is_nan() || d < 0.0)
        {
            self.warnings.push(format!("annotation {:?} at {} s: negative or invalid duration {d} written as none", a.text, a.onset));
            a.duration = None;
        }
        if a.text.is_empty() && a.channel.is_none() {
            self.warnings.push(format!("empty annotation at {} s written as \"-\" (EDF+ readers skip empty texts)", a.onset));
            a.text = "-".into();
        }
        self.annotations.push(a);
    }

    fn tal_len(&self, a: &Annotation) -> usize {
        tal::encoded_len(tal::to_ns(a.onset) + self.subsec_ns, a.duration.map(tal::to_ns), &a.text, a.channel.as_deref())
    }

    fn tk_len(&self, start_ns: i64) -> usize {
        tal::format_seconds(start_ns + self.subsec_ns, true).len() + 3
    }

    /// Smallest annotation signal size (bytes per record) that holds every annotation given `n`
    /// records starting at `start(r)`.
    fn required_annot_bytes(&self, n: usize, start: impl Fn(usize) -> i64) -> Option<usize> {
        let sb = self.config.format.sample_bytes();
        let tk: Vec<usize> = (0..n).map(|r| self.tk_len(start(r))).collect();
        let lens: Vec<usize> = self.annotations.iter().map(|a| self.tal_len(a)).collect();
        let starts: Vec<i64> = (0..n).map(&start).collect();
        let targets: Vec<usize> = self
            .annotations
            .iter()
            .map(|a| {
                let t = tal::to_ns(a.onset);
                starts.partition_point(|&s| s <= t).saturating_sub(1)
            })
            .collect();
        let total: usize = tk.iter().sum::<usize>() + lens.iter().sum::<usize>();
        let mut cap = (tk.iter().max().copied().unwrap_or(0) + lens.iter().max().copied().unwrap_or(0)).max(total.div_ceil(n.max(1)));
        cap = round_up(cap, sb);
        for _ in 0..200 {
            if pack(&lens, &targets, &tk, cap).is_some() {
                return Some(cap);
            }
            cap = round_up(cap + cap / 8 + 1, sb);
        }
        None
    }

    fn header_bytes(&self, n_records: i64) -> Vec<u8> {
        let c = &self.config;
        let ns = c.signals.len() + 1;
        let mut warnings = Vec::new();
        let mut h = Vec::with_capacity(256 * (ns + 1));
        match c.format {
            Format::Edf => h.extend_from_slice(b"0       "),
            Format::Bdf => h.extend_from_slice(b"\xFFBIOSEMI"),
        }
        h.extend(pad(&patient_field(&c.patient, &mut warnings), 80));
        h.extend(pad(&recording_field(&c.recording, c.start.as_ref(), &mut warnings), 80));
        let s = &self.header_start;
        let yy = if (1985..=2084).contains(&s.year()) { format!("{:02}", s.year() % 100) } else { "yy".into() };
        h.extend(pad(&format!("{:02}.{:02}.{yy}", s.day(), s.month()), 8));
        h.extend(pad(&format!("{:02}.{:02}.{:02}", s.hour(), s.minute(), s.second()), 8));
        h.extend(pad(&(256 * (ns + 1)).to_string(), 8));
        let kind = match (c.format, c.discontinuous) {
            (Format::Edf, false) => "EDF+C",
            (Format::Edf, true) => "EDF+D",
            (Format::Bdf, false) => "BDF+C",
            (Format::Bdf, true) => "BDF+D",
        };
        h.extend(pad(kind, 44));
        h.extend(pad(&n_records.to_string(), 8));
        h.extend(pad(&fmt_number(c.record_duration, 8, Round::Exact).unwrap(), 8));
        h.extend(pad(&ns.to_string(), 4));
        let sb = c.format.sample_bytes();
        let ann_label = if c.format == Format::Bdf { "BDF Annotations" } else { "EDF Annotations" };
        let (fmin, fmax) = c.format.digital_range();
        let field = |h: &mut Vec<u8>, f: &dyn Fn(usize) -> String, width: usize| {
            for i in 0..c.signals.len() {
                h.extend(pad(&f(i), width));
            }
        };
        field(&mut h, &|i| c.signals[i].label.clone(), 16);
        h.extend(pad(ann_label, 16));
        field(&mut h, &|i| c.signals[i].transducer.clone(), 80);
        h.extend(pad("", 80));
        field(&mut h, &|i| c.signals[i].unit.clone(), 8);
        h.extend(pad("", 8));
        field(&mut h, &|i| self.phys_txt[i].0.clone(), 8);
        h.extend(pad("-1", 8));
        field(&mut h, &|i| self.phys_txt[i].1.clone(), 8);
        h.extend(pad("1", 8));
        field(&mut h, &|i| c.signals[i].digital_min.to_string(), 8);
        h.extend(pad(&fmin.to_string(), 8));
        field(&mut h, &|i| c.signals[i].digital_max.to_string(), 8);
        h.extend(pad(&fmax.to_string(), 8));
        field(&mut h, &|i| c.signals[i].prefilter.clone(), 80);
        h.extend(pad("", 80));
        field(&mut h, &|i| c.signals[i].samples_per_record.to_string(), 8);
        h.extend(pad(&(self.annot_bytes / sb).to_string(), 8));
        for _ in 0..ns {
            h.extend(pad("", 32));
        }
        debug_assert_eq!(h.len(), 256 * (ns + 1));
        h
    }

    /// Warnings from the patient/recording fields (computed once at finish).
    fn field_warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        patient_field(&self.config.patient, &mut w);
        recording_field(&self.config.recording, self.config.start.as_ref(), &mut w);
        w
    }

    /// Effective physical range of signal `i` as written in the header (the requested one,
    /// widened to fit 8 characters).
    pub fn physical_range(&self, i: usize) -> (f64, f64) {
        self.gains[i]
    }

    fn check_block(&self, lens: impl Iterator<Item = usize>, n_given: usize) -> Result<usize> {
        let sig = &self.config.signals;
        if n_given != sig.len() {
            return Err(write_err(&self.path, format!("{n_given} channels given, the file has {} data signals", sig.len())));
        }
        let mut records = None;
        for (i, len) in lens.enumerate() {
            let spr = sig[i].samples_per_record;
            if len % spr != 0 {
                return Err(write_err(
                    &self.path,
                    format!("signal {} ({}): {len} samples is not a whole number of records of {spr}", i + 1, sig[i].label),
                ));
            }
            let r = len / spr;
            match records {
                None => records = Some(r),
                Some(x) if x != r => {
                    return Err(write_err(
                        &self.path,
                        format!("signal {} ({}) has {r} records of samples, signal 1 has {x}", i + 1, sig[i].label),
                    ));
                }
                _ => {}
            }
        }
        Ok(records.unwrap_or(0))
    }

    fn push_starts(&mut self, n: usize, starts: Option<&[i64]>) -> Result<()> {
        match starts {
            Some(s) => {
                if !self.config.discontinuous {
                    return Err(write_err(&self.path, "record start times given for a continuous (EDF+C) file"));
                }
                if s.len() != n {
                    return Err(write_err(&self.path, format!("{} record start times for {n} records", s.len())));
                }
                for &t in s {
                    if let Some(&p) = self.record_starts_ns.last()
                        && t < p + self.record_ns
                    {
                        return Err(write_err(
                            &self.path,
                            format!(
                                "record {} starts at {} s, before the end of the previous record",
                                self.record_starts_ns.len(),
                                t as f64 / 1e9
                            ),
                        ));
                    }
                    self.record_starts_ns.push(t);
                }
            }
            None => {
                for _ in 0..n {
                    let t = match self.record_starts_ns.last() {
                        Some(&p) => p + self.record_ns,
                        None => 0,
                    };
                    self.record_starts_ns.push(t);
                }
            }
        }
        Ok(())
    }

    /// Append whole data records of digital values: one slice per data signal, each holding
    /// `k × samples_per_record` values (the same `k` for all). `starts` gives the record start
    /// times in seconds from `config.start` (EDF+D only); `None` continues after the last record.
    /// Values outside the format's range (16 or 24 bit) are clamped and counted.
    pub fn write_digital(&mut self, data: &[&[i32]], starts: Option<&[f64]>) -> Result<()> {
        let ns: Option<Vec<i64>> = starts.map(|s| s.iter().map(|&t| tal::to_ns(t)).collect());
        self.write_digital_ns(data, ns.as_deref())
    }

    /// [`EdfWriter::write_digital`] with record starts in nanoseconds.
    pub(crate) fn write_digital_ns(&mut self, data: &[&[i32]], starts: Option<&[i64]>) -> Result<()> {
        let n = self.check_block(data.iter().map(|d| d.len()), data.len())?;
        self.push_starts(n, starts)?;
        let (fmin, fmax) = self.config.format.digital_range();
        let bdf = self.config.format == Format::Bdf;
        for r in 0..n {
            self.buf.clear();
            for (i, (d, s)) in data.iter().zip(&self.config.signals).enumerate() {
                let spr = s.samples_per_record;
                for &v in &d[r * spr..(r + 1) * spr] {
                    let c = v.clamp(fmin, fmax);
                    if c != v {
                        self.clipped[i] += 1;
                    }
                    push_sample(&mut self.buf, c, bdf);
                }
            }
            self.finish_record()?;
        }
        Ok(())
    }

    /// Append whole data records of physical values (as [`EdfWriter::write_digital`]), quantised
    /// with each signal's ranges: `digital = round((x - physical_min) / gain + digital_min)`,
    /// clamped to the digital range (clamped samples are counted; NaN is written as the digital
    /// minimum and counted).
    pub fn write_physical(&mut self, data: &[&[f32]], starts: Option<&[f64]>) -> Result<()> {
        let n = self.check_block(data.iter().map(|d| d.len()), data.len())?;
        let ns: Option<Vec<i64>> = starts.map(|s| s.iter().map(|&t| tal::to_ns(t)).collect());
        self.push_starts(n, ns.as_deref())?;
        let bdf = self.config.format == Format::Bdf;
        let q: Vec<(f64, f64, i32, i32)> = self
            .config
            .signals
            .iter()
            .zip(&self.gains)
            .map(|(s, &(lo, hi))| {
                let inv = (s.digital_max as f64 - s.digital_min as f64) / (hi - lo);
                (lo, inv, s.digital_min, s.digital_max)
            })
            .collect();
        for r in 0..n {
            self.buf.clear();
            for (i, (d, s)) in data.iter().zip(&self.config.signals).enumerate() {
                let spr = s.samples_per_record;
                let (lo, inv, dmin, dmax) = q[i];
                for &x in &d[r * spr..(r + 1) * spr] {
                    let v = ((x as f64 - lo) * inv + dmin as f64).round();
                    let c = if v.is_nan() || v < dmin as f64 {
                        self.clipped[i] += 1;
                        dmin
                    } else if v > dmax as f64 {
                        self.clipped[i] += 1;
                        dmax
                    } else {
                        v as i32
                    };
                    push_sample(&mut self.buf, c, bdf);
                }
            }
            self.finish_record()?;
        }
        Ok(())
    }

    /// Write `self.buf` (data part) plus the time-keeping-only annotation area.
    fn finish_record(&mut self) -> Result<()> {
        let r = self.n_records;
        let start = self.record_starts_ns[r];
        tal::encode_timekeeping(start + self.subsec_ns, &mut self.buf);
        if self.buf.len() > self.data_bytes + self.annot_bytes {
            return Err(write_err(&self.path, "time-keeping annotation does not fit the annotation signal"));
        }
        self.buf.resize(self.data_bytes + self.annot_bytes, 0);
        let f = self.file.as_mut().expect("writer open");
        f.write_all(&self.buf).map_err(io(&self.tmp))?;
        self.n_records += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn n_records(&self) -> usize {
        self.n_records
    }

    /// Complete the file: place every annotation, write the final header, rename the temporary
    /// file to the output path.
    pub fn finish(mut self) -> Result<WriteSummary> {
        let mut file =
            self.file.take().expect("writer open").into_inner().map_err(|e| Error::Io { path: self.tmp.clone(), cause: e.into_error() })?;
        let n = self.n_records;
        if n == 0 && !self.annotations.is_empty() {
            return Err(write_err(&self.path, format!("{} annotations but no data records to hold them", self.annotations.len())));
        }
        let sb = self.config.format.sample_bytes();
        let starts = self.record_starts_ns.clone();
        let mut cap = self.annot_bytes;
        let lens: Vec<usize> = self.annotations.iter().map(|a| self.tal_len(a)).collect();
        let tk: Vec<usize> = starts.iter().map(|&s| self.tk_len(s)).collect();
        let targets: Vec<usize> =
            self.annotations.iter().map(|a| starts.partition_point(|&s| s <= tal::to_ns(a.onset)).saturating_sub(1)).collect();
        let assign = match pack(&lens, &targets, &tk, cap) {
            Some(a) => a,
            None => {
                cap = self
                    .required_annot_bytes(n, |r| starts[r])
                    .ok_or_else(|| write_err(&self.path, "annotations cannot be packed into the data records"))?;
                pack(&lens, &targets, &tk, cap).expect("required size packs")
            }
        };
        let rb_old = self.data_bytes + self.annot_bytes;
        let hb = 256 * (self.config.signals.len() + 2);
        if cap != self.annot_bytes {
            // Rewrite the records with a larger annotation signal.
            let old_annot = self.annot_bytes;
            self.annot_bytes = cap;
            let tmp2 = {
                let mut name = self.tmp.file_name().unwrap().to_os_string();
                name.push("b");
                self.tmp.with_file_name(name)
            };
            let out = File::create(&tmp2).map_err(io(&tmp2))?;
            let mut w = BufWriter::with_capacity(1 << 20, out);
            w.write_all(&self.header_bytes(n as i64)).map_err(io(&tmp2))?;
            let mut rec = vec![0u8; rb_old];
            for (r, which) in assign.iter().enumerate() {
                file.read_exact_at(&mut rec, (hb + r * rb_old) as u64).map_err(io(&self.tmp))?;
                let mut area = self.annotation_area(r, which);
                area.resize(cap, 0);
                w.write_all(&rec[..self.data_bytes]).map_err(io(&tmp2))?;
                w.write_all(&area).map_err(io(&tmp2))?;
            }
            w.flush().map_err(io(&tmp2))?;
            drop(w);
            let _ = std::fs::remove_file(&self.tmp);
            self.tmp = tmp2;
            self.warnings.push(format!(
                "annotation signal enlarged from {} to {} bytes per record to hold all {} annotations",
                old_annot,
                cap,
                self.annotations.len()
            ));
        } else {
            for (r, a) in assign.iter().enumerate() {
                if a.is_empty() {
                    continue;
                }
                let mut area = self.annotation_area(r, a);
                area.resize(cap, 0);
                let off = hb + r * rb_old + self.data_bytes;
                file.write_all_at(&area, off as u64).map_err(io(&self.tmp))?;
            }
            file.seek(SeekFrom::Start(0)).map_err(io(&self.tmp))?;
            file.write_all(&self.header_bytes(n as i64)).map_err(io(&self.tmp))?;
            file.flush().map_err(io(&self.tmp))?;
        }
        let _ = sb;
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(io(&self.path))?;
        self.done = true;
        let mut warnings = self.field_warnings();
        warnings.append(&mut self.warnings);
        for (i, &c) in self.clipped.iter().enumerate() {
            if c > 0 {
                warnings.push(format!(
                    "signal {} ({}): {c} samples outside the digital range were clamped",
                    i + 1,
                    self.config.signals[i].label
                ));
            }
        }
        Ok(WriteSummary {
            path: self.path.clone(),
            n_records: n,
            n_annotations: self.annotations.len(),
            annotation_bytes_per_record: cap,
            clipped: self.clipped.clone(),
            warnings,
        })
    }

    /// Time-keeping TAL of record `r` followed by the TALs of the given annotations.
    fn annotation_area(&self, r: usize, which: &[usize]) -> Vec<u8> {
        let mut v = Vec::new();
        tal::encode_timekeeping(self.record_starts_ns[r] + self.subsec_ns, &mut v);
        for &i in which {
            let a = &self.annotations[i];
            tal::encode_annotation(tal::to_ns(a.onset) + self.subsec_ns, a.duration.map(tal::to_ns), &a.text, a.channel.as_deref(), &mut v);
        }
        v
    }
}

impl Drop for EdfWriter {
    fn drop(&mut self) {
        if !self.done {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Replace the bytes TALs reserve (0x00, 0x14, 0x15) by spaces.
fn clean_text(s: &str) -> String {
    s.chars().map(|c| if matches!(c, '\0' | '\x14' | '\x15') { ' ' } else { c }).collect()
}

#[inline]
fn push_sample(buf: &mut Vec<u8>, v: i32, bdf: bool) {
    let b = v.to_le_bytes();
    if bdf {
        buf.extend_from_slice(&b[..3]);
    } else {
        buf.extend_from_slice(&b[..2]);
    }
}

fn round_up(x: usize, m: usize) -> usize {
    x.div_ceil(m) * m
}

/// Options of [`write_recording`].
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingWriteOptions {
    /// EDF+ or BDF+.
    pub format: Format,
    /// Record duration in seconds; `None` picks the shortest of 1, 2, 4, 5, 10, 0.5, 0.25, 0.2,
    /// 0.1 s that gives every signal a whole number of samples per record.
    pub record_duration: Option<f64>,
    /// Physical range per signal (index `i` for signal `i`); a missing or `None` entry uses the
    /// signal's data minimum and maximum. A given range that the data exceed is widened to the
    /// data, so nothing ever clips.
    pub ranges: Vec<Option<(f64, f64)>>,
}

impl Default for RecordingWriteOptions {
    fn default() -> Self {
        RecordingWriteOptions { format: Format::Edf, record_duration: None, ranges: Vec::new() }
    }
}

/// Write an in-memory recording as EDF+C/BDF+C with all its annotations. Signals shorter than the
/// longest are padded with their last value to whole records (with a warning).
pub fn write_recording(path: impl AsRef<Path>, rec: &Recording, options: &RecordingWriteOptions) -> Result<WriteSummary> {
    let path = path.as_ref();
    if rec.signals.is_empty() {
        return Err(write_err(path, "the recording has no signals"));
    }
    let whole = |x: f64| (x - x.round()).abs() < 1e-9 && x.round() >= 1.0;
    let dur = match options.record_duration {
        Some(d) => d,
        None => [1.0, 2.0, 4.0, 5.0, 10.0, 0.5, 0.25, 0.2, 0.1]
            .into_iter()
            .find(|d| rec.signals.iter().all(|s| whole(s.fs * d)))
            .ok_or_else(|| write_err(path, "no record duration of 0.1-10 s gives every signal a whole number of samples per record"))?,
    };
    let mut specs = Vec::new();
    let mut n_records = 0usize;
    for (i, s) in rec.signals.iter().enumerate() {
        let spr = s.fs * dur;
        if !whole(spr) {
            return Err(write_err(
                path,
                format!("signal {} ({}) at {} Hz has no whole number of samples in {dur} s records", i + 1, s.label, s.fs),
            ));
        }
        let spr = spr.round() as usize;
        n_records = n_records.max(s.samples.len().div_ceil(spr));
        let (mut lo, mut hi) = s
            .samples
            .iter()
            .filter(|x| x.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x as f64), b.max(x as f64)));
        if let Some(Some((a, b))) = options.ranges.get(i) {
            lo = lo.min(a.min(*b));
            hi = hi.max(a.max(*b));
        }
        let mut spec = SignalSpec::for_data(&s.label, &s.unit, spr, lo, hi, options.format);
        spec.transducer = s.transducer.clone();
        spec.prefilter = s.prefilter.clone();
        specs.push(spec);
    }
    let config = WriterConfig {
        format: options.format,
        start: rec.start,
        patient: rec.patient.clone(),
        recording: rec.recording.clone(),
        record_duration: dur,
        signals: specs,
        discontinuous: false,
    };
    let mut w = EdfWriter::create(path, config, rec.annotations.clone(), Some(n_records))?;
    let mut padded_warn = Vec::new();
    let block = 64usize;
    let mut r = 0;
    while r < n_records {
        let k = block.min(n_records - r);
        let mut bufs: Vec<Vec<f32>> = Vec::with_capacity(rec.signals.len());
        for (s, spec) in rec.signals.iter().zip(&w.config.signals) {
            let spr = spec.samples_per_record;
            let (a, b) = (r * spr, (r + k) * spr);
            let mut v: Vec<f32> = s.samples[a.min(s.samples.len())..b.min(s.samples.len())].to_vec();
            if v.len() < b - a {
                let last = s.samples.last().copied().unwrap_or(0.0);
                v.resize(b - a, last);
            }
            bufs.push(v);
        }
        let refs: Vec<&[f32]> = bufs.iter().map(|v| v.as_slice()).collect();
        w.write_physical(&refs, None)?;
        r += k;
    }
    for (s, spec) in rec.signals.iter().zip(&w.config.signals) {
        let total = n_records * spec.samples_per_record;
        if s.samples.len() < total {
            padded_warn.push(format!(
                "signal {} padded with {} copies of its last value to fill {n_records} records of {dur} s",
                s.label,
                total - s.samples.len()
            ));
        }
    }
    let mut summary = w.finish()?;
    summary.warnings.extend(padded_warn);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fit_eight_characters() {
        assert_eq!(fmt_number(-3276.8, 8, Round::Down).unwrap(), "-3276.8");
        assert_eq!(fmt_number(0.001, 8, Round::Exact).unwrap(), "0.001");
        assert_eq!(fmt_number(-1234.56789, 8, Round::Down).unwrap(), "-1234.57");
        assert_eq!(fmt_number(1234.56789, 8, Round::Up).unwrap(), "1234.568");
        assert_eq!(fmt_number(-1234.56789, 8, Round::Up).unwrap(), "-1234.56");
        assert_eq!(fmt_number(1e10, 8, Round::Exact).unwrap(), "1e10");
        assert_eq!(fmt_number(123456789.5, 8, Round::Up).unwrap(), "1.2346e8");
        assert_eq!(fmt_number(1.0 / 3.0, 8, Round::Exact), None);
        assert_eq!(fmt_number(1.0 / 3.0, 8, Round::Down).unwrap(), "0.333333");
        assert_eq!(fmt_number(-0.000001, 8, Round::Up).unwrap(), "-1e-6");
        assert_eq!(fmt_number(-0.00000123456, 8, Round::Up).unwrap(), "0");
        assert_eq!(fmt_number(-0.00000123456, 8, Round::Down).unwrap(), "-0.00001");
    }

    #[test]
    fn packing_spills_forward_then_back() {
        // 3 records, capacity 10, time-keeping 4 bytes each: 6 free bytes per record.
        let tk = [4, 4, 4];
        // Five 3-byte annotations all aimed at the last record: 2 fit there, the rest go back.
        let a = pack(&[3; 5], &[2; 5], &tk, 10).unwrap();
        assert_eq!(a.iter().map(|v| v.len()).sum::<usize>(), 5);
        assert_eq!(a[2].len(), 2);
        // Seven do not fit (only 6 slots).
        assert!(pack(&[3; 7], &[0; 7], &tk, 10).is_none());
    }

    #[test]
    fn header_identification_fields() {
        let mut w = Vec::new();
        assert_eq!(patient_field("", &mut w), "X X X X");
        assert_eq!(patient_field("MCH-0234567 F 02-MAY-1951 Haagse_Harry", &mut w), "MCH-0234567 F 02-MAY-1951 Haagse_Harry");
        assert_eq!(patient_field("baby boy", &mut w), "X X X baby_boy");
        assert_eq!(patient_field("Zoë", &mut w), "X X X Zo?");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap().and_hms_opt(5, 3, 32).unwrap();
        assert_eq!(recording_field("", Some(&d), &mut w), "Startdate 21-NOV-2026 X X X");
        assert_eq!(recording_field("Startdate 01-JAN-2000 X X Helsinki_clip", Some(&d), &mut w), "Startdate 21-NOV-2026 X X Helsinki_clip");
        assert_eq!(recording_field("ward 3", None, &mut w), "Startdate X X X X ward_3");
        assert_eq!(w.len(), 1);
    }
}

/// Options of [`rewrite`].
#[derive(Clone, Debug, PartialEq)]
pub struct RewriteOptions {
    /// Output format (EDF+ or BDF+).
    pub format: Format,
    /// Data channels to keep (indices into [`crate::EdfFile::signals`]), in output order;
    /// `None` keeps all.
    pub channels: Option<Vec<usize>>,
}

/// Copy an open file to `path` as EDF+/BDF+ without decoding to physical values: digital
/// samples, signal headers, record duration, record start times (EDF+D stays EDF+D), start time
/// (sub-second included) and every annotation are kept, so reading the output gives the same
/// digital values and annotations. EDF+ patient/recording fields are kept; plain EDF ones are
/// made EDF+-valid.
///
/// BDF to EDF keeps the digital values when the signal's digital range fits 16 bits; otherwise
/// that signal is requantised to 16 bits over the same physical range (lossy, with a warning).
/// `progress` is called with the number of records written since the last call.
pub fn rewrite(src: &crate::EdfFile, path: impl AsRef<Path>, options: &RewriteOptions, progress: &dyn Fn(usize)) -> Result<WriteSummary> {
    let path = path.as_ref();
    let channels: Vec<usize> = options.channels.clone().unwrap_or_else(|| (0..src.signals().len()).collect());
    src.check_channels(&channels)?;
    let format = options.format;
    let (fmin, fmax) = format.digital_range();
    let mut requantise = Vec::new();
    let mut notes = Vec::new();
    let specs: Vec<SignalSpec> = channels
        .iter()
        .map(|&c| {
            let h = &src.signals()[c];
            let mut spec = SignalSpec::from_header(h);
            let fits = h.digital_min >= fmin && h.digital_max <= fmax;
            requantise.push(!fits);
            if !fits {
                spec.digital_min = fmin;
                spec.digital_max = fmax;
                notes.push(format!(
                    "signal {:?}: digital range {}..{} does not fit {}; requantised to {fmin}..{fmax} over the same physical range (lossy)",
                    h.label,
                    h.digital_min,
                    h.digital_max,
                    format.name()
                ));
            }
            spec
        })
        .collect();
    let n = src.n_records();
    let discontinuous = src.file_type().is_discontinuous();
    let config = WriterConfig {
        format,
        start: Some(src.start()),
        patient: src.header().patient.clone(),
        recording: src.header().recording.clone(),
        record_duration: src.record_duration(),
        signals: specs,
        discontinuous,
    };
    let mut w = EdfWriter::create(path, config, src.annotations().to_vec(), Some(n))?;
    let spr: Vec<usize> = channels.iter().map(|&c| src.signals()[c].samples_per_record).collect();
    let per_record: usize = spr.iter().sum::<usize>() * src.file_type().sample_bytes();
    let block = ((4usize << 20) / per_record.max(1)).clamp(1, n.max(1));
    let mut dig: Vec<Vec<i32>> = spr.iter().map(|&s| vec![0; s * block]).collect();
    let mut phys: Vec<Vec<f32>> = Vec::new();
    let mut r = 0;
    while r < n {
        let k = block.min(n - r);
        {
            let mut outs: Vec<&mut [i32]> = dig.iter_mut().zip(&spr).map(|(d, &s)| &mut d[..s * k]).collect();
            src.read_digital(&channels, r..r + k, &mut outs)?;
        }
        if requantise.iter().any(|&q| q) {
            // Physical path for the requantised signals, digital for the rest.
            phys.resize(channels.len(), Vec::new());
            for (i, &c) in channels.iter().enumerate() {
                let h = &src.signals()[c];
                if requantise[i] {
                    let (g, o) = (h.gain(), h.offset());
                    let (lo, hi) = w.physical_range(i);
                    let inv = (fmax as f64 - fmin as f64) / (hi - lo);
                    for v in dig[i][..spr[i] * k].iter_mut() {
                        let x = g * *v as f64 + o;
                        *v = ((x - lo) * inv + fmin as f64).round().clamp(fmin as f64, fmax as f64) as i32;
                    }
                }
            }
        }
        let refs: Vec<&[i32]> = dig.iter().zip(&spr).map(|(d, &s)| &d[..s * k]).collect();
        let starts: Option<Vec<i64>> = discontinuous.then(|| (r..r + k).map(|i| src.record_start_ns(i)).collect());
        w.write_digital_ns(&refs, starts.as_deref())?;
        src.release(r..r + k);
        progress(k);
        r += k;
    }
    let mut summary = w.finish()?;
    summary.warnings.splice(0..0, notes);
    Ok(summary)
}
