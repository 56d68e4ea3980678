//! The memory-mapped reader.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use eimfs_core::{Annotation, Recording, Signal};
use memmap2::Mmap;
use rayon::prelude::*;

use crate::decode::Sample;
use crate::error::{Error, Result};
use crate::header::{self, FileType, Header, SignalHeader};
use crate::tal;

/// Bytes decoded per parallel task in whole-file paths.
const BLOCK_BYTES: usize = 4 << 20;
/// Requests smaller than this are decoded on the calling thread.
const PAR_MIN_BYTES: usize = 8 << 20;
/// Requests at least this large release the mapped pages they have read (bounded RSS).
const RELEASE_MIN_BYTES: usize = 32 << 20;
/// Annotation parse problems reported individually; the rest are counted.
const MAX_TAL_WARNINGS: usize = 20;

/// A gap between two data records of an EDF+D/BDF+D file.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Gap {
    /// Start of the gap in seconds from the recording start (end of the record before it).
    pub start: f64,
    /// Length of the gap in seconds.
    pub duration: f64,
    /// Index of the first data record after the gap.
    pub before_record: usize,
}

/// A block of consecutive data records decoded by [`EdfFile::chunks`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chunk {
    /// The data records in this chunk.
    pub records: Range<usize>,
    /// Start of the first record in seconds from the recording start (see
    /// [`EdfFile::record_starts`]; differs from `records.start × record_duration` after a gap
    /// in EDF+D).
    pub start: f64,
    /// Physical samples, one vector per requested channel, in request order.
    pub data: Vec<Vec<f32>>,
}

/// An open EDF, EDF+ (C or D), BDF or BDF+ file.
///
/// The file is opened read-only and memory-mapped; samples are decoded on request straight into
/// caller buffers. Annotations (all annotation signals, all TALs) and the record start times are
/// parsed when the file is opened. Problems that do not prevent reading (record count `-1`,
/// truncated last record, malformed TALs, ...) are collected in [`EdfFile::warnings`].
///
/// Channel indices in this API count data signals only (annotation signals are not channels),
/// in file order, from 0.
///
/// The mapping assumes nobody truncates the file while it is open (as with any memory map, that
/// would end the process with SIGBUS).
#[derive(Debug)]
pub struct EdfFile {
    path: PathBuf,
    mmap: Mmap,
    header: Header,
    /// Data signals (copies of the header entries, in file order).
    signals: Vec<SignalHeader>,
    /// Header indices of the annotation signals.
    annotation_signals: Vec<usize>,
    n_records: usize,
    /// Time-keeping TAL of the first record, ns after the header start time.
    start_offset_ns: i64,
    /// Record start times in ns from `start()`, for discontinuous files.
    record_starts_ns: Option<Vec<i64>>,
    annotations: Vec<Annotation>,
    warnings: Vec<String>,
}

/// Fill `buf` from byte `offset` of `file`; false when that fails.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> bool {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset).is_ok()
}

#[cfg(not(unix))]
fn read_at(_file: &File, _buf: &mut [u8], _offset: u64) -> bool {
    false
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |cause| Error::Io { path: path.to_path_buf(), cause }
}

impl EdfFile {
    /// Open and check a file, parse its header, annotations and record times.
    pub fn open(path: impl AsRef<Path>) -> Result<EdfFile> {
        let path = path.as_ref();
        let mut file = File::open(path).map_err(io(path))?;
        let size = file.metadata().map_err(io(path))?.len();
        let mut head = Vec::with_capacity(header::FIXED);
        (&mut file).take(header::FIXED as u64).read_to_end(&mut head).map_err(io(path))?;
        let mut warnings = Vec::new();
        if head.len() >= header::FIXED {
            // Read the signal headers too (size known from the fixed header, checked by `parse`).
            if let Some(ns) = header::parse_int(&head[252..256]).filter(|&n| n > 0 && n < 1 << 20) {
                let want = header::FIXED as u64 * ns as u64;
                (&mut file).take(want).read_to_end(&mut head).map_err(io(path))?;
            }
        }
        let header = header::parse(path, &head, size, &mut warnings)?;
        // SAFETY: the file is opened read-only and never written through this mapping; see the
        // type documentation about concurrent truncation.
        let mmap = unsafe { Mmap::map(&file) }.map_err(io(path))?;

        let rb = header.record_bytes as u64;
        let data_bytes = size - header.header_bytes as u64;
        let complete = (data_bytes / rb) as usize;
        let trailing = data_bytes % rb;
        let h = header.n_records_header;
        let n_records = if h < 0 {
            warnings.push(format!(
                "number of data records is -1 (the recorder did not close the file?): reading the {complete} complete records in the file"
            ));
            complete
        } else if (h as u64) > complete as u64 {
            warnings.push(format!(
                "the header announces {h} data records of {rb} bytes but the file ({size} bytes) holds only {complete} complete records: the file is truncated; reading the {complete} complete records"
            ));
            complete
        } else {
            if (h as usize) < complete {
                warnings.push(format!(
                    "the file holds {complete} complete data records but the header announces {h}: ignoring the {} bytes after record {h}",
                    data_bytes - h as u64 * rb
                ));
            }
            h as usize
        };
        if trailing != 0 && n_records == complete {
            warnings.push(format!("{trailing} bytes after the last complete data record (an incomplete record of {rb} bytes) are ignored"));
        }

        let signals: Vec<SignalHeader> = header.data_signals().cloned().collect();
        let annotation_signals: Vec<usize> = header.signals.iter().enumerate().filter(|(_, s)| s.is_annotation).map(|(i, _)| i).collect();

        let mut f = EdfFile {
            path: path.to_path_buf(),
            mmap,
            header,
            signals,
            annotation_signals,
            n_records,
            start_offset_ns: 0,
            record_starts_ns: None,
            annotations: Vec::new(),
            warnings,
        };
        f.read_annotations(&file);
        Ok(f)
    }

    /// Parse every annotation signal of every record: annotations, time-keeping, gaps.
    ///
    /// Only the annotation signals' bytes are read (positioned reads from `file`, which avoid
    /// mapping the pages of the whole file; the mapping when a read fails).
    fn read_annotations(&mut self, file: &File) {
        let window = (RELEASE_MIN_BYTES / self.header.record_bytes).max(1);
        self.read_annotations_windowed(file, window);
    }

    /// [`EdfFile::read_annotations`] in windows of `window` records.
    fn read_annotations_windowed(&mut self, file: &File, window: usize) {
        if self.annotation_signals.is_empty() || self.n_records == 0 {
            return;
        }
        let hb = self.header.header_bytes;
        let rb = self.header.record_bytes;
        let sb = self.header.file_type.sample_bytes();
        let dur = self.header.record_duration_ns;
        // Windows of records parsed in parallel, then joined in record order: the same
        // annotations, time-keeping and warnings as one pass.
        let n_windows = self.n_records.div_ceil(window);
        let this = &*self;
        // The span of each record that holds the annotation signals.
        let span = {
            let sigs = self.annotation_signals.iter().map(|&si| &self.header.signals[si]);
            let lo = sigs.clone().map(|s| s.record_offset).min().unwrap_or(0);
            let hi = sigs.map(|s| s.record_offset + s.samples_per_record * sb).max().unwrap_or(0);
            lo..hi
        };
        let parse_window = |w: usize| {
            let (r0, r1) = (w * window, ((w + 1) * window).min(this.n_records));
            let mut tk: Vec<Option<i64>> = Vec::with_capacity(r1 - r0);
            let mut raw = Vec::new();
            let mut count = 0usize;
            let mut warnings = Vec::new();
            let mut buf = vec![0u8; span.len()];
            let mut mapped = false;
            for r in r0..r1 {
                let at = hb + r * rb + span.start;
                let ann: &[u8] = if read_at(file, &mut buf, at as u64) {
                    &buf
                } else {
                    mapped = true;
                    &this.mmap[at..at + span.len()]
                };
                let mut first_tk = None;
                for (k, &si) in this.annotation_signals.iter().enumerate() {
                    let s = &this.header.signals[si];
                    let o = s.record_offset - span.start;
                    let bytes = &ann[o..o + s.samples_per_record * sb];
                    let base = hb + r * rb + s.record_offset;
                    let mut warn = |o: usize, m: String| {
                        count += 1;
                        if count <= MAX_TAL_WARNINGS {
                            warnings.push(format!("data record {r}, annotation signal {} (byte {}): {m}", k + 1, base + o));
                        }
                    };
                    let parsed = tal::parse(bytes, k == 0, &mut warn);
                    if k == 0 {
                        first_tk = parsed.timekeeping_ns;
                    }
                    raw.extend(parsed.annotations);
                }
                tk.push(first_tk);
            }
            if mapped {
                this.release(r0..r1);
            }
            (tk, raw, count, warnings)
        };
        let parts: Vec<_> = if n_windows > 1 {
            (0..n_windows).into_par_iter().map(parse_window).collect()
        } else {
            (0..n_windows).map(parse_window).collect()
        };
        let mut tk: Vec<Option<i64>> = Vec::with_capacity(self.n_records);
        let mut raw = Vec::new();
        let mut tal_warnings = 0usize;
        let mut warnings = Vec::new();
        for (t, a, count, w) in parts {
            tk.extend(t);
            raw.extend(a);
            tal_warnings += count;
            warnings.extend(w.into_iter().take(MAX_TAL_WARNINGS - warnings.len()));
        }
        if tal_warnings > MAX_TAL_WARNINGS {
            warnings.push(format!("... and {} more annotation problems", tal_warnings - MAX_TAL_WARNINGS));
        }

        // Record start times from the time-keeping TALs.
        let start = tk[0].unwrap_or(0);
        self.start_offset_ns = start;
        if !(0..1_000_000_000).contains(&start) {
            warnings.push(format!(
                "the first data record starts {} s after the header start time (EDF+ expects less than 1 s)",
                tal::format_seconds(start, false)
            ));
        }
        let mut mismatches = 0usize;
        if self.header.file_type.is_discontinuous() {
            let mut starts = Vec::with_capacity(self.n_records);
            let mut prev: Option<i64> = None;
            for (r, t) in tk.iter().enumerate() {
                let s = match (t, prev) {
                    (Some(t), _) => t - start,
                    (None, Some(p)) => p + dur,
                    (None, None) => 0,
                };
                if let Some(p) = prev
                    && s < p + dur
                {
                    mismatches += 1;
                    if mismatches <= 5 {
                        warnings.push(format!(
                            "data record {r} starts at {} s, before the end of record {} ({} s): records overlap or are out of order",
                            tal::format_seconds(s, false),
                            r - 1,
                            tal::format_seconds(p + dur, false)
                        ));
                    }
                }
                starts.push(s);
                prev = Some(s);
            }
            self.record_starts_ns = Some(starts);
        } else if self.header.file_type.is_plus() {
            for (r, t) in tk.iter().enumerate() {
                if let Some(t) = t {
                    let expected = start + r as i64 * dur;
                    if *t != expected {
                        mismatches += 1;
                        if mismatches <= 5 {
                            warnings.push(format!(
                                "{} data record {r} has time-keeping TAL {} s, expected {} s for a continuous file; read as continuous",
                                self.header.file_type,
                                tal::format_seconds(*t, false),
                                tal::format_seconds(expected, false)
                            ));
                        }
                    }
                }
            }
        }
        if mismatches > 5 {
            warnings.push(format!("... {} record start problems in all", mismatches));
        }

        let mut annotations: Vec<Annotation> = raw
            .into_iter()
            .map(|a| Annotation {
                onset: (a.onset_ns - start) as f64 / 1e9,
                duration: a.duration_ns.map(|d| d as f64 / 1e9),
                text: a.text,
                channel: a.channel,
            })
            .collect();
        annotations.sort_by(|a, b| a.onset.total_cmp(&b.onset));
        self.annotations = annotations;
        self.warnings.extend(warnings);
    }

    /// The path the file was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parsed header (all signals, annotation signals included).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// EDF, EDF+C, EDF+D, BDF, BDF+C or BDF+D.
    pub fn file_type(&self) -> FileType {
        self.header.file_type
    }

    /// Recoverable problems found while opening (the library never prints).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The data signals (annotation signals excluded), in file order. Channel `i` of the read
    /// functions is `signals()[i]`.
    pub fn signals(&self) -> &[SignalHeader] {
        &self.signals
    }

    /// Number of complete data records that are read (see [`EdfFile::warnings`] when it differs
    /// from the header).
    pub fn n_records(&self) -> usize {
        self.n_records
    }

    /// Duration of a data record in seconds.
    pub fn record_duration(&self) -> f64 {
        self.header.record_duration
    }

    /// Start date and time of the first sample: the header start plus the EDF+ sub-second offset
    /// of the first data record's time-keeping annotation.
    pub fn start(&self) -> NaiveDateTime {
        self.header.start + Duration::nanoseconds(self.start_offset_ns)
    }

    /// The EDF+ start offset: the first record's time-keeping TAL in seconds (0 for plain EDF).
    pub fn start_offset(&self) -> f64 {
        self.start_offset_ns as f64 / 1e9
    }

    /// Start of every data record in seconds from [`EdfFile::start`]. For continuous files
    /// `i × record_duration`; for EDF+D/BDF+D the time-keeping annotations.
    pub fn record_starts(&self) -> Vec<f64> {
        match &self.record_starts_ns {
            Some(s) => s.iter().map(|&t| t as f64 / 1e9).collect(),
            None => (0..self.n_records).map(|r| (r as i64 * self.header.record_duration_ns) as f64 / 1e9).collect(),
        }
    }

    /// Start of data record `r` in nanoseconds from [`EdfFile::start`].
    pub(crate) fn record_start_ns(&self, r: usize) -> i64 {
        match &self.record_starts_ns {
            Some(s) => s[r],
            None => r as i64 * self.header.record_duration_ns,
        }
    }

    /// True when record start times are not `i × record_duration` (EDF+D with gaps).
    pub fn has_gaps(&self) -> bool {
        !self.gaps().is_empty()
    }

    /// The gaps between data records (EDF+D/BDF+D); empty for continuous files.
    pub fn gaps(&self) -> Vec<Gap> {
        let Some(s) = &self.record_starts_ns else {
            return Vec::new();
        };
        let dur = self.header.record_duration_ns;
        s.windows(2)
            .enumerate()
            .filter(|(_, w)| w[1] > w[0] + dur)
            .map(|(i, w)| Gap { start: (w[0] + dur) as f64 / 1e9, duration: (w[1] - w[0] - dur) as f64 / 1e9, before_record: i + 1 })
            .collect()
    }

    /// Time span in seconds from the start to the end of the last record (gaps included).
    pub fn duration(&self) -> f64 {
        if self.n_records == 0 {
            return 0.0;
        }
        (self.record_start_ns(self.n_records - 1) + self.header.record_duration_ns) as f64 / 1e9
    }

    /// All annotations of all annotation signals, sorted by onset; onsets in seconds from
    /// [`EdfFile::start`]. Time-keeping annotations are not included.
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// Samples of channel `channel` in the records that are read.
    pub fn n_samples(&self, channel: usize) -> usize {
        self.signals[channel].samples_per_record * self.n_records
    }

    /// Check channel indices.
    pub(crate) fn check_channels(&self, channels: &[usize]) -> Result<()> {
        for &c in channels {
            if c >= self.signals.len() {
                return Err(Error::Argument(format!(
                    "{}: channel {c} out of range: the file has {} data signals (indices 0-{})",
                    self.path.display(),
                    self.signals.len(),
                    self.signals.len().saturating_sub(1)
                )));
            }
        }
        Ok(())
    }

    /// Check a read request.
    fn check(&self, channels: &[usize], records: &Range<usize>, lens: &[usize]) -> Result<()> {
        if records.start > records.end || records.end > self.n_records {
            return Err(Error::Argument(format!(
                "{}: records {}..{} out of range: the file has {} data records",
                self.path.display(),
                records.start,
                records.end,
                self.n_records
            )));
        }
        if lens.len() != channels.len() {
            return Err(Error::Argument(format!("{}: {} output buffers for {} channels", self.path.display(), lens.len(), channels.len())));
        }
        self.check_channels(channels)?;
        for (k, (&c, &len)) in channels.iter().zip(lens).enumerate() {
            let s = &self.signals[c];
            let want = s.samples_per_record * records.len();
            if len != want {
                return Err(Error::Argument(format!(
                    "{}: output buffer {k} (channel {c} \"{}\") has {len} samples, expected {} per record × {} records = {want}",
                    self.path.display(),
                    s.label,
                    s.samples_per_record,
                    records.len()
                )));
            }
        }
        Ok(())
    }

    /// Decode physical values (`gain × digital + offset`, the EDFlib/pyedflib convention; digital
    /// values outside the digital range are not clamped) of `channels` over `records` into `out`,
    /// one buffer per channel of exactly `samples_per_record × records.len()` samples.
    ///
    /// Large requests are decoded in parallel and release the file pages they have read, so the
    /// process keeps only the output in memory.
    pub fn read_physical(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [f32]]) -> Result<()> {
        let lens: Vec<usize> = out.iter().map(|o| o.len()).collect();
        self.check(channels, &records, &lens)?;
        let release = records.len() * self.header.record_bytes >= RELEASE_MIN_BYTES;
        self.decode(channels, records, out, release);
        Ok(())
    }

    /// Like [`EdfFile::read_physical`] but the raw digital values (i32, sign-extended for BDF).
    pub fn read_digital(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [i32]]) -> Result<()> {
        let lens: Vec<usize> = out.iter().map(|o| o.len()).collect();
        self.check(channels, &records, &lens)?;
        let release = records.len() * self.header.record_bytes >= RELEASE_MIN_BYTES;
        self.decode(channels, records, out, release);
        Ok(())
    }

    /// Decode (checked by the caller), in parallel blocks when large.
    fn decode<T: Sample>(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [T]], release: bool) {
        let rb = self.header.record_bytes;
        if records.len() * rb < PAR_MIN_BYTES || rayon::current_num_threads() < 2 {
            self.decode_seq(channels, records.clone(), out);
            if release {
                self.release(records);
            }
            return;
        }
        let block = (BLOCK_BYTES / rb).max(1);
        let nblocks = records.len().div_ceil(block);
        let mut per_block: Vec<Vec<&mut [T]>> = (0..nblocks).map(|_| Vec::with_capacity(channels.len())).collect();
        for (o, &c) in out.iter_mut().zip(channels) {
            let spr = self.signals[c].samples_per_record;
            for (b, piece) in o.chunks_mut(spr * block).enumerate() {
                per_block[b].push(piece);
            }
        }
        per_block.into_par_iter().enumerate().for_each(|(b, mut pieces)| {
            let r0 = records.start + b * block;
            let r1 = (r0 + block).min(records.end);
            self.decode_seq(channels, r0..r1, &mut pieces);
            if release {
                self.release(r0..r1);
            }
        });
    }

    fn decode_seq<T: Sample>(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [T]]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { self.decode_seq_avx2(channels, records, out) };
            return;
        }
        self.decode_seq_body(channels, records, out)
    }

    /// [`EdfFile::decode_seq_body`] compiled for AVX2 (the x86-64 baseline lacks the vector
    /// conversions and products the kernels use).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn decode_seq_avx2<T: Sample>(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [T]]) {
        self.decode_seq_body(channels, records, out)
    }

    #[inline(always)]
    fn decode_seq_body<T: Sample>(&self, channels: &[usize], records: Range<usize>, out: &mut [&mut [T]]) {
        let hb = self.header.header_bytes;
        let rb = self.header.record_bytes;
        let bdf = self.header.file_type.is_bdf();
        let sb = self.header.file_type.sample_bytes();
        let params: Vec<(usize, usize, f64, f64)> = channels
            .iter()
            .map(|&c| {
                let s = &self.signals[c];
                (s.record_offset, s.samples_per_record, s.gain(), s.offset())
            })
            .collect();
        for (k, r) in records.clone().enumerate() {
            let rec = &self.mmap[hb + r * rb..hb + (r + 1) * rb];
            for (o, &(off, spr, g, b)) in out.iter_mut().zip(&params) {
                T::decode(&rec[off..off + spr * sb], bdf, g, b, &mut o[k * spr..(k + 1) * spr]);
            }
        }
    }

    /// Bytes of data record `r` (all signals).
    pub(crate) fn record_bytes(&self, r: usize) -> &[u8] {
        let hb = self.header.header_bytes;
        let rb = self.header.record_bytes;
        &self.mmap[hb + r * rb..hb + (r + 1) * rb]
    }

    /// Drop the mapped pages that lie entirely inside `records` from this process's memory
    /// (they stay in the page cache and are mapped again if read again).
    pub(crate) fn release(&self, records: Range<usize>) {
        if records.is_empty() {
            return;
        }
        const PAGE: usize = 4096;
        let hb = self.header.header_bytes;
        let rb = self.header.record_bytes;
        let a = (hb + records.start * rb).div_ceil(PAGE) * PAGE;
        let b = ((hb + records.end * rb) / PAGE) * PAGE;
        if b > a {
            // SAFETY: read-only shared file mapping and no reference into this range outlives the
            // caller's decode: pages are simply read again from the file if touched.
            let _ = unsafe { self.mmap.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, a, b - a) };
        }
    }

    /// Iterate over the file in chunks of `records_per_chunk` data records (the last may be
    /// shorter), decoding physical values of `channels`. Memory stays bounded by one chunk: the
    /// mapped pages of each chunk are released after decoding.
    pub fn chunks(&self, channels: &[usize], records_per_chunk: usize) -> Result<Chunks<'_>> {
        self.check_channels(channels)?;
        if records_per_chunk == 0 {
            return Err(Error::Argument("records_per_chunk must be at least 1".into()));
        }
        Ok(Chunks { file: self, channels: channels.to_vec(), next: 0, per: records_per_chunk })
    }

    /// A number of records per chunk that makes chunks of about `bytes` of file data.
    pub fn records_per_chunk(&self, bytes: usize) -> usize {
        (bytes / self.header.record_bytes).max(1)
    }

    /// Read the whole file into memory: every data signal in physical units (one `f32` per
    /// sample) plus annotations. For EDF+D files with gaps each record is placed at its start time
    /// and the gaps are filled with 0.0 (see [`EdfFile::gaps`]); continuous files are decoded as
    /// they are. Uses all cores; memory is the output only.
    pub fn read_recording(&self) -> Result<Recording> {
        let n = self.n_records;
        let all: Vec<usize> = (0..self.signals.len()).collect();
        let mut bufs: Vec<Vec<f32>> = self.signals.iter().map(|s| vec![0.0f32; s.samples_per_record * n]).collect();
        {
            let mut outs: Vec<&mut [f32]> = bufs.iter_mut().map(|b| b.as_mut_slice()).collect();
            let release = n * self.header.record_bytes >= RELEASE_MIN_BYTES;
            self.decode(&all, 0..n, &mut outs, release);
        }
        if self.has_gaps() {
            let starts: Vec<i64> = (0..n).map(|r| self.record_start_ns(r)).collect();
            for (b, s) in bufs.iter_mut().zip(&self.signals) {
                let spr = s.samples_per_record;
                let pos = |r: usize| ((starts[r] as f64 / 1e9) * s.fs).round() as usize;
                let total = if n == 0 { 0 } else { pos(n - 1) + spr };
                let mut placed = vec![0.0f32; total];
                for r in 0..n {
                    let p = pos(r);
                    let end = (p + spr).min(total);
                    placed[p..end].copy_from_slice(&b[r * spr..r * spr + (end - p)]);
                }
                *b = placed;
            }
        }
        let signals = self
            .signals
            .iter()
            .zip(bufs)
            .map(|(s, samples)| Signal {
                label: s.label.clone(),
                unit: s.unit.clone(),
                fs: s.fs,
                samples,
                transducer: s.transducer.clone(),
                prefilter: s.prefilter.clone(),
            })
            .collect();
        Ok(Recording {
            start: Some(self.start()),
            patient: self.header.patient.clone(),
            recording: self.header.recording.clone(),
            signals,
            annotations: self.annotations.clone(),
        })
    }
}

/// Iterator over chunks of data records: see [`EdfFile::chunks`].
#[derive(Debug)]
pub struct Chunks<'a> {
    file: &'a EdfFile,
    channels: Vec<usize>,
    next: usize,
    per: usize,
}

impl Chunks<'_> {
    /// Decode the next chunk into `chunk`, reusing its buffers (no allocation once they have
    /// grown): the allocation-free alternative to [`Iterator::next`]. Returns false at the end.
    ///
    /// ```no_run
    /// # let f = eimfs_edf::EdfFile::open("rec.edf").unwrap();
    /// let all: Vec<usize> = (0..f.signals().len()).collect();
    /// let mut chunks = f.chunks(&all, f.records_per_chunk(16 << 20)).unwrap();
    /// let mut chunk = eimfs_edf::Chunk::default();
    /// while chunks.next_into(&mut chunk) {
    ///     // chunk.data[c] holds channel all[c] over chunk.records
    /// }
    /// ```
    pub fn next_into(&mut self, chunk: &mut Chunk) -> bool {
        let f = self.file;
        if self.next >= f.n_records {
            return false;
        }
        let r0 = self.next;
        let r1 = (r0 + self.per).min(f.n_records);
        self.next = r1;
        chunk.data.resize_with(self.channels.len(), Vec::new);
        for (d, &c) in chunk.data.iter_mut().zip(&self.channels) {
            d.resize(f.signals[c].samples_per_record * (r1 - r0), 0.0);
        }
        {
            let mut outs: Vec<&mut [f32]> = chunk.data.iter_mut().map(|d| d.as_mut_slice()).collect();
            f.decode(&self.channels, r0..r1, &mut outs, true);
        }
        chunk.records = r0..r1;
        chunk.start = f.record_start_ns(r0) as f64 / 1e9;
        true
    }
}

impl Iterator for Chunks<'_> {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let mut chunk = Chunk::default();
        self.next_into(&mut chunk).then_some(chunk)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.file.n_records - self.next).div_ceil(self.per);
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectorised_decode_equals_portable_decode() {
        let dir = tempfile::tempdir().unwrap();
        for (name, format) in [("a.edf", crate::Format::Edf), ("a.bdf", crate::Format::Bdf)] {
            let p = dir.path().join(name);
            let mut rec = Recording::default();
            let x: Vec<f32> = (0..1000).map(|i| ((i * 7919) % 2001) as f32 - 1000.0).collect();
            rec.signals.push(Signal::new("a", "uV", 100.0, x));
            let o = crate::RecordingWriteOptions { format, ..Default::default() };
            crate::write_recording(&p, &rec, &o).unwrap();
            let f = EdfFile::open(&p).unwrap();
            let (mut a, mut b) = (vec![0f32; 1000], vec![0f32; 1000]);
            f.decode_seq(&[0], 0..10, &mut [&mut a[..]]);
            f.decode_seq_body(&[0], 0..10, &mut [&mut b[..]]);
            assert_eq!(a, b);
            let (mut c, mut d) = (vec![0i32; 1000], vec![0i32; 1000]);
            f.decode_seq(&[0], 0..10, &mut [&mut c[..]]);
            f.decode_seq_body(&[0], 0..10, &mut [&mut d[..]]);
            assert_eq!(c, d);
            assert!((a[999] - (((999 * 7919) % 2001) as f32 - 1000.0)).abs() < 0.02);
        }
    }

    /// An EDF+D file of `n` records of 1 s (one 2-sample signal, 60 annotation bytes): a gap of
    /// 10 s before record 50, an annotation in every third record and a malformed TAL in every
    /// fourth (25 problems: more than are reported one by one).
    fn windowed_test_file(path: &Path, n: usize) {
        let ns = 2;
        let field = |vals: [&str; 2], w: usize| -> Vec<u8> {
            vals.iter()
                .flat_map(|v| {
                    let mut b = v.as_bytes().to_vec();
                    b.resize(w, b' ');
                    b
                })
                .collect()
        };
        let mut h = Vec::new();
        for (v, w) in [
            ("0", 8),
            ("X X X X", 80),
            ("Startdate 21-NOV-2026 X X X", 80),
            ("21.11.26", 8),
            ("05.03.32", 8),
            (&(256 * (ns + 1)).to_string()[..], 8),
            ("EDF+D", 44),
            (&n.to_string()[..], 8),
            ("1", 8),
            ("2", 4),
        ] {
            let mut b = v.as_bytes().to_vec();
            b.resize(w, b' ');
            h.extend(b);
        }
        h.extend(field(["EEG Cz", "EDF Annotations"], 16));
        h.extend(field(["", ""], 80));
        h.extend(field(["uV", ""], 8));
        h.extend(field(["-100", "-1"], 8));
        h.extend(field(["100", "1"], 8));
        h.extend(field(["-1000", "-32768"], 8));
        h.extend(field(["1000", "32767"], 8));
        h.extend(field(["", ""], 80));
        h.extend(field(["2", "30"], 8));
        h.extend(field(["", ""], 32));
        for r in 0..n {
            h.extend([(r % 256) as u8, 0, 0, 0]);
            let t = if r < 50 { r } else { r + 10 };
            let mut tal = format!("+{t}\x14\x14\x00");
            if r % 3 == 0 {
                tal.push_str(&format!("+{t}.5\x14note {r}\x14\x00"));
            }
            if r % 4 == 0 {
                tal.push_str("+x\x14bad\x14\x00");
            }
            let mut b = tal.into_bytes();
            b.resize(60, 0);
            h.extend(b);
        }
        std::fs::write(path, h).unwrap();
    }

    #[test]
    fn annotations_parsed_in_windows_equal_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.edf");
        windowed_test_file(&p, 100);
        let whole = EdfFile::open(&p).unwrap();
        assert_eq!(whole.file_type(), FileType::EdfPlusD);
        assert_eq!(whole.annotations().len(), 34);
        assert_eq!(whole.annotations()[33].text, "note 99");
        assert_eq!(whole.annotations()[33].onset, 109.5);
        assert_eq!(whole.gaps(), vec![Gap { start: 50.0, duration: 10.0, before_record: 50 }]);
        assert_eq!(whole.warnings().len(), 21);
        assert!(whole.warnings()[0].starts_with("data record 0, annotation signal 1 (byte 790): "), "{}", whole.warnings()[0]);
        assert!(whole.warnings()[19].starts_with("data record 76, "), "{}", whole.warnings()[19]);
        assert_eq!(whole.warnings()[20], "... and 5 more annotation problems");
        let file = File::open(&p).unwrap();
        for window in [1, 2, 3, 7, 30, 99, 100, 1000] {
            let mut f = EdfFile::open(&p).unwrap();
            f.annotations.clear();
            f.warnings.clear();
            f.record_starts_ns = None;
            f.start_offset_ns = -1;
            f.read_annotations_windowed(&file, window);
            assert_eq!(f.annotations(), whole.annotations(), "window {window}");
            assert_eq!(f.warnings(), whole.warnings(), "window {window}");
            assert_eq!(f.record_starts_ns, whole.record_starts_ns, "window {window}");
            assert_eq!(f.start_offset_ns, whole.start_offset_ns, "window {window}");
        }
    }
}
