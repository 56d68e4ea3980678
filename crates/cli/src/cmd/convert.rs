//! `eimfs convert`: rewrite an EDF/BDF file as EDF+ or BDF+, optionally with a montage, a
//! channel selection, filters and resampling.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use eimfs_core::Electrode;
use eimfs_edf::{Chunk, EdfFile, EdfWriter, Format, RewriteOptions, SignalSpec, WriterConfig, rewrite};
use eimfs_signal::filter::DEFAULT_NOTCH_Q;
use eimfs_signal::montage::Combination;
use eimfs_signal::{Band, ChannelKind, ChannelMap, ChannelName, Montage, MontagePlan, ResampleStream, Resampler, Sos, ZeroPhaseStream};
use rayon::prelude::*;

use crate::Ctx;

/// Butterworth order of `--bandpass`.
const BANDPASS_ORDER: usize = 4;

/// Arguments of `eimfs convert`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Without options the output holds the same digital samples, signal headers, start time, record \
times (EDF+D stays EDF+D) and every annotation as the input: a lossless rewrite (BDF to EDF \
requantises to 16 bits). --channels alone keeps that lossless copy for the chosen channels.

With --montage, --bandpass, --notch or --resample the recording is processed in this order: \
montage, channel selection, band-pass and notch (zero-phase, EEG channels only), resampling (all \
channels); then written as EDF+C/BDF+C with physical ranges that hold the data (nothing clips). \
All annotations are kept. The file is streamed twice, a few MB at a time: a first pass finds each \
output signal's range, the second writes it, so memory stays bounded (under about 200 MB) however \
long the recording; the result equals filtering the whole recording at once (scipy's sosfiltfilt \
and resample_poly) to within float rounding. Gaps of EDF+D input are filled with zeros (a \
warning says how many): the output is continuous and its time axis matches the input's. Channels \
with other rates keep them unless --resample is given; signals that end up shorter than the \
longest are padded with their last value to whole records.

The output is written to OUT.tmp<pid> and renamed when complete; the input is never modified.

Examples:
  eimfs convert in.edf out.edf
  eimfs convert in.bdf out.bdf --channels 'Fp1,Fp2,T3,T4'
  eimfs convert in.edf banana.edf --montage double-banana --bandpass 0.5 30 --notch 50 --resample 128
  eimfs convert in.edf pairs.edf --montage 'Fp1-T3,T3-O1,Cz-Avg'")]
pub struct Args {
    /// Input EDF, EDF+ or BDF file.
    pub input: PathBuf,
    /// Output file: BDF+ if it ends in .bdf, EDF+ otherwise.
    pub output: PathBuf,
    /// Montage: as-recorded, average, double-banana, neonatal, or a derivation list such as
    /// 'Fp1-F7,F7-T3,Cz-Avg'. Non-EEG channels are kept after the derivations.
    #[arg(long, value_name = "NAME")]
    pub montage: Option<String>,
    /// Keep only these channels, comma-separated: labels (case-insensitive), electrode names
    /// (T7 finds 'EEG T3-REF'), or 1-based indices as `eimfs info` lists them. With --montage
    /// the names are the derivations' (e.g. Fp1-F7).
    #[arg(long, value_name = "LIST")]
    pub channels: Option<String>,
    /// Resample every channel to this rate (polyphase, as scipy's resample_poly).
    #[arg(long, value_name = "HZ")]
    pub resample: Option<f64>,
    /// Zero-phase Butterworth band-pass (order 4, forward-backward as scipy's sosfiltfilt) on
    /// the EEG channels.
    #[arg(long, num_args = 2, value_names = ["LO", "HI"])]
    pub bandpass: Option<Vec<f64>>,
    /// Zero-phase notch (Q = 30, as scipy's iirnotch) at this frequency on the EEG channels.
    #[arg(long, value_name = "HZ")]
    pub notch: Option<f64>,
    /// Data records decoded per chunk on the processing path (default: about 4 MB of file);
    /// for tests.
    #[arg(long, value_name = "N", hide = true)]
    pub chunk_records: Option<usize>,
}

/// Index of the channel an item of `--channels` names among `labels`.
fn find_channel(labels: &[String], item: &str) -> Option<usize> {
    let names: Vec<ChannelName> = labels.iter().map(|l| ChannelName::parse(l)).collect();
    labels
        .iter()
        .position(|l| l.trim() == item)
        .or_else(|| labels.iter().position(|l| l.trim().eq_ignore_ascii_case(item)))
        .or_else(|| names.iter().position(|n| n.canonical.eq_ignore_ascii_case(item)))
        .or_else(|| {
            let e = Electrode::from_name(item)?;
            let hits: Vec<usize> = names.iter().enumerate().filter(|(_, n)| n.electrode == Some(e)).map(|(i, _)| i).collect();
            (hits.len() == 1).then(|| hits[0])
        })
        .or_else(|| item.parse::<usize>().ok().filter(|&i| i >= 1 && i <= labels.len()).map(|i| i - 1))
}

/// Pick channels from a comma-separated list (see `--channels`).
fn select(labels: &[String], list: &str, what: &Path) -> anyhow::Result<Vec<usize>> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match find_channel(labels, item) {
            Some(i) => out.push(i),
            None => bail!(
                "--channels: no channel {item:?} in {} (channels: {})",
                what.display(),
                labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
    if out.is_empty() {
        bail!("--channels: empty channel list");
    }
    Ok(out)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Run `eimfs convert`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if same_file(&args.input, &args.output) {
        bail!("{}: output is the input file; eimfs never modifies its input", args.output.display());
    }
    let f = EdfFile::open(&args.input)?;
    for w in f.warnings() {
        ctx.info(format!("warning: {}: {w}", args.input.display()));
    }
    let format = Format::from_path(&args.output);
    let processing = args.montage.is_some() || args.resample.is_some() || args.bandpass.is_some() || args.notch.is_some();
    let summary = if processing {
        process(&f, &args, format, ctx)?
    } else {
        let labels: Vec<String> = f.signals().iter().map(|s| s.label.clone()).collect();
        let channels = args.channels.as_deref().map(|l| select(&labels, l, &args.input)).transpose()?;
        let data_bytes = f.n_records() as u64 * f.header().record_bytes as u64;
        let bar = if data_bytes >= 64 << 20 { ctx.bar(f.n_records() as u64, "converting") } else { indicatif::ProgressBar::hidden() };
        let s = rewrite(&f, &args.output, &RewriteOptions { format, channels }, &|n| bar.inc(n as u64))
            .with_context(|| format!("converting {} to {}", args.input.display(), args.output.display()))?;
        bar.finish_and_clear();
        s
    };
    for w in &summary.warnings {
        ctx.info(format!("warning: {}: {w}", args.output.display()));
    }
    let out = EdfFile::open(&args.output)?;
    ctx.info(format!(
        "wrote {}: {}, {} channels, {} records of {} s, {} annotations",
        args.output.display(),
        out.file_type(),
        out.signals().len(),
        out.n_records(),
        out.record_duration(),
        summary.n_annotations
    ));
    Ok(())
}

/// Bytes of file data decoded per chunk on the processing path.
const CHUNK_BYTES: usize = 1 << 20;

/// The processing path's output signals use the same record duration rule as
/// [`eimfs_edf::write_recording`]: the shortest of these (in this order of preference) that gives
/// every signal a whole number of samples per record.
const RECORD_DURATIONS: [f64; 9] = [1.0, 2.0, 4.0, 5.0, 10.0, 0.5, 0.25, 0.2, 0.1];

/// Where an output signal's samples come from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    /// A file channel (index into [`EdfFile::signals`]).
    File(usize),
    /// Derivation `j` of the montage plan.
    Derivation(usize),
}

/// One output signal of the processing path and how it is made.
#[derive(Clone, Debug)]
struct OutSignal {
    label: String,
    unit: String,
    transducer: String,
    prefilter: String,
    /// Rate written (the source's, or `--resample`'s).
    fs: f64,
    source: Source,
    /// Zero-phase filter (EEG signals with `--bandpass`/`--notch`).
    filter: Option<Sos>,
    /// Rate change (`--resample` to a rate other than the source's).
    resampler: Option<Resampler>,
    /// Source physical range, kept for signals that come through unchanged (the written range is
    /// this widened to the data).
    range: Option<(f64, f64)>,
}

/// What the processing path reads and writes.
struct Setup {
    /// File channels decoded, in this order.
    read: Vec<usize>,
    /// The montage, when an output signal is a derivation, and the positions in `read` of its
    /// inputs.
    montage: Option<(MontagePlan, Vec<usize>)>,
    outputs: Vec<OutSignal>,
}

/// The file channel of a derivation's first input (whose unit, rate, transducer and prefilter
/// the derivation takes, as [`Montage::apply`] does).
fn first_input(plan: &MontagePlan, c: Combination) -> usize {
    let p = match c {
        Combination::Channel(p) | Combination::Negated(p) | Combination::Difference(p, _) | Combination::MinusAverage(p) => p,
    };
    plan.inputs()[p]
}

/// The check [`Montage::apply`] makes: all input channels share one sampling rate (the one most of
/// them have; the first that differs is named). Equal rates mean equal samples per record, hence
/// equal lengths.
fn check_montage_rates(plan: &MontagePlan, signals: &[eimfs_edf::SignalHeader]) -> Result<(), eimfs_signal::Error> {
    let key = |i: usize| format!("{} Hz", signals[i].fs);
    let mut counts: Vec<(String, usize, usize)> = Vec::new(); // (rate, count, first channel)
    for &i in plan.inputs() {
        let k = key(i);
        match counts.iter_mut().find(|c| c.0 == k) {
            Some(c) => c.1 += 1,
            None => counts.push((k, 1, i)),
        }
    }
    let Some(best) = counts.iter().max_by_key(|c| (c.1, std::cmp::Reverse(c.2))) else {
        return Ok(());
    };
    match plan.inputs().iter().find(|&&i| key(i) != best.0) {
        Some(&i) => Err(eimfs_signal::Error::ChannelMismatch {
            label: signals[i].label.trim().to_string(),
            what: "sampling rate",
            found: key(i),
            expected: format!("{} (as {})", best.0, signals[best.2].label.trim()),
        }),
        None => Ok(()),
    }
}

/// Resolve the options against the file: the output signals in order, their sources, filters,
/// rates and kept ranges (montage, then channel selection, then filters, then resampling).
fn setup(f: &EdfFile, args: &Args, ctx: &Ctx) -> anyhow::Result<Setup> {
    let signals = f.signals();
    let mut outputs: Vec<OutSignal> = signals
        .iter()
        .enumerate()
        .map(|(c, s)| OutSignal {
            label: s.label.clone(),
            unit: s.unit.clone(),
            transducer: s.transducer.clone(),
            prefilter: s.prefilter.clone(),
            fs: s.fs,
            source: Source::File(c),
            filter: None,
            resampler: None,
            range: Some((s.physical_min.min(s.physical_max), s.physical_min.max(s.physical_max))),
        })
        .collect();

    let mut plan = None;
    if let Some(m) = &args.montage {
        let montage = Montage::parse(m)?;
        let context = || format!("montage {m} on {}", args.input.display());
        let labels: Vec<&str> = signals.iter().map(|s| s.label.as_str()).collect();
        let map = ChannelMap::from_labels(&labels).with_context(context)?;
        let p = montage.plan(&map, &[]).with_context(context)?;
        check_montage_rates(&p, signals).with_context(context)?;
        let before = outputs;
        outputs = p
            .derivations()
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let src = &before[first_input(&p, d.combination)];
                OutSignal { label: d.label.clone(), source: Source::Derivation(j), range: None, ..src.clone() }
            })
            .collect();
        // Then the non-EEG channels, unchanged.
        for (c, n) in map.names().iter().enumerate() {
            if !matches!(n.kind, ChannelKind::Eeg | ChannelKind::Annotations) {
                outputs.push(before[c].clone());
            }
        }
        // A signal keeps its source range only if it is a source channel unchanged (same label,
        // as in the as-recorded montage and the non-EEG channels).
        let derived = !matches!(montage, Montage::AsRecorded);
        for o in &mut outputs {
            let eeg = ChannelName::parse(&o.label).kind == ChannelKind::Eeg;
            o.range = match before.iter().find(|b| b.label == o.label) {
                Some(b) if !(derived && eeg) => b.range,
                _ => None,
            };
        }
        plan = Some(p);
    }
    if let Some(list) = &args.channels {
        let labels: Vec<String> = outputs.iter().map(|o| o.label.clone()).collect();
        let keep = select(&labels, list, &args.input)?;
        outputs = keep.iter().map(|&i| outputs[i].clone()).collect();
    }

    // Filters on the EEG signals.
    let band = match args.bandpass.as_deref() {
        Some([lo, hi]) => Some((*lo, *hi)),
        Some(_) => bail!("--bandpass takes two frequencies: LO HI"),
        None => None,
    };
    if band.is_some() || args.notch.is_some() {
        let mut note = String::new();
        if let Some((lo, hi)) = band {
            note.push_str(&format!("HP:{lo}Hz LP:{hi}Hz"));
        }
        if let Some(n) = args.notch {
            note.push_str(&format!("{}N:{n}Hz", if note.is_empty() { "" } else { " " }));
        }
        let mut n_eeg = 0;
        for o in outputs.iter_mut().filter(|o| ChannelName::parse(&o.label).kind == ChannelKind::Eeg) {
            n_eeg += 1;
            let mut sos: Option<Sos> = None;
            if let Some((lo, hi)) = band {
                sos = Some(
                    Sos::butter(BANDPASS_ORDER, Band::Bandpass(lo, hi), o.fs)
                        .with_context(|| format!("--bandpass on {:?} ({} Hz)", o.label, o.fs))?,
                );
            }
            if let Some(n) = args.notch {
                let notch = Sos::notch(n, DEFAULT_NOTCH_Q, o.fs).with_context(|| format!("--notch on {:?} ({} Hz)", o.label, o.fs))?;
                sos = Some(match sos {
                    Some(b) => b.then(&notch),
                    None => notch,
                });
            }
            o.filter = sos;
            o.range = None;
            let mut p = if o.prefilter.is_empty() { note.clone() } else { format!("{} {note}", o.prefilter) };
            if p.len() > 80 {
                ctx.info(format!("warning: prefiltering field of {:?} cut to 80 characters", o.label));
                let mut cut = 80;
                while !p.is_char_boundary(cut) {
                    cut -= 1;
                }
                p.truncate(cut);
            }
            o.prefilter = p;
        }
        if n_eeg == 0 {
            ctx.info("warning: no EEG channels: --bandpass/--notch change nothing");
        }
    }

    if let Some(target) = args.resample {
        for o in outputs.iter_mut().filter(|o| o.fs != target) {
            o.resampler =
                Some(Resampler::from_rates(o.fs, target).with_context(|| format!("--resample {target} for {:?} ({} Hz)", o.label, o.fs))?);
            o.fs = target;
            o.range = None;
        }
    }

    // What to decode: the montage's inputs if a derivation is kept, then the file channels
    // written as they are.
    let mut read: Vec<usize> = Vec::new();
    let montage = match plan {
        Some(p) if outputs.iter().any(|o| matches!(o.source, Source::Derivation(_))) => {
            read.extend_from_slice(p.inputs());
            let pos: Vec<usize> = (0..read.len()).collect();
            Some((p, pos))
        }
        _ => None,
    };
    for o in &outputs {
        if let Source::File(c) = o.source
            && !read.contains(&c)
        {
            read.push(c);
        }
    }
    Ok(Setup { read, montage, outputs })
}

/// Record start times of a file with gaps, to place records as [`EdfFile::read_recording`]
/// does: each record at `round(start × fs)`, zeros in the gaps.
struct Timeline {
    /// Start of each record in seconds.
    starts: Vec<f64>,
    /// `later[r]`: the earliest start of records `r..` (later records may overwrite samples
    /// from there on, so earlier samples are final).
    later: Vec<f64>,
}

impl Timeline {
    fn new(f: &EdfFile) -> Option<Timeline> {
        if !f.has_gaps() {
            return None;
        }
        let starts = f.record_starts();
        let mut later = starts.clone();
        for r in (0..later.len().saturating_sub(1)).rev() {
            later[r] = later[r].min(later[r + 1]);
        }
        Some(Timeline { starts, later })
    }
}

/// Turns the decoded records of one channel into its continuous sample stream.
struct Placer {
    spr: usize,
    fs: f64,
    /// Absolute sample index of `pending[0]` (files with gaps).
    base: usize,
    /// Placed samples that a later record may still overwrite.
    pending: Vec<f32>,
    /// Length of the placed signal.
    total: usize,
}

impl Placer {
    fn new(s: &eimfs_edf::SignalHeader, t: Option<&Timeline>) -> Placer {
        let mut p = Placer { spr: s.samples_per_record, fs: s.fs, base: 0, pending: Vec::new(), total: 0 };
        if let Some(t) = t
            && let Some(&last) = t.starts.last()
        {
            p.total = p.pos(last) + p.spr;
        }
        p
    }

    /// Sample index of a record starting at `start` seconds (as `read_recording` computes it).
    fn pos(&self, start: f64) -> usize {
        (start * self.fs).round() as usize
    }

    /// Place the records `records` (samples `data`) and append the samples that are final.
    fn push(&mut self, records: std::ops::Range<usize>, data: &[f32], t: Option<&Timeline>, out: &mut Vec<f32>) {
        let Some(t) = t else {
            out.extend_from_slice(data);
            return;
        };
        let spr = self.spr;
        for (k, r) in records.enumerate() {
            let p = self.pos(t.starts[r]);
            let end = (p + spr).min(self.total);
            if end > p {
                // p ≥ base: `base` never passes the start of a record still to come.
                let need = end - self.base;
                if self.pending.len() < need {
                    self.pending.resize(need, 0.0);
                }
                self.pending[p - self.base..end - self.base].copy_from_slice(&data[k * spr..k * spr + (end - p)]);
            }
            let safe = match t.later.get(r + 1) {
                Some(&s) => self.pos(s).min(self.total),
                None => self.total,
            };
            let emit = safe.saturating_sub(self.base).min(self.pending.len());
            out.extend(self.pending.drain(..emit));
            self.base += emit;
        }
    }

    /// End of the file: append the rest (trailing zeros included).
    fn finish(&mut self, t: Option<&Timeline>, out: &mut Vec<f32>) {
        if t.is_some() {
            self.pending.resize(self.total - self.base, 0.0);
            out.append(&mut self.pending);
            self.base = self.total;
        }
    }
}

/// Where a lane's input comes from.
#[derive(Clone, Copy, Debug)]
enum Input {
    /// Position in [`Setup::read`].
    Read(usize),
    /// Montage derivation.
    Derivation(usize),
}

/// The streaming state of one output signal: filter, then resampler; `out` collects the output
/// samples not yet consumed.
struct Lane {
    label: String,
    input: Input,
    zero_phase: Option<ZeroPhaseStream>,
    resample: Option<ResampleStream>,
    mid: Vec<f32>,
    out: Vec<f32>,
}

impl Lane {
    fn push(&mut self, x: &[f32]) -> anyhow::Result<()> {
        match (&mut self.zero_phase, &mut self.resample) {
            (None, None) => self.out.extend_from_slice(x),
            (None, Some(r)) => r.push(x, &mut self.out),
            (Some(z), None) => z.push(x, &mut self.out).with_context(|| format!("filtering {:?}", self.label))?,
            (Some(z), Some(r)) => {
                self.mid.clear();
                z.push(x, &mut self.mid).with_context(|| format!("filtering {:?}", self.label))?;
                r.push(&self.mid, &mut self.out);
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(z) = &mut self.zero_phase {
            self.mid.clear();
            z.finish(&mut self.mid).with_context(|| format!("filtering {:?}", self.label))?;
            match &mut self.resample {
                Some(r) => r.push(&self.mid, &mut self.out),
                None => self.out.extend_from_slice(&self.mid),
            }
        }
        if let Some(r) = &mut self.resample {
            r.finish(&mut self.out);
        }
        Ok(())
    }
}

/// One streaming pass over the file: decode `records_per_chunk` records at a time, place them
/// (gaps), compute the montage, filter and resample every output signal (in parallel), and hand
/// the lanes to `sink` after each chunk (and once more after the end of the file, when every
/// stream has been flushed). Returns the lanes for the caller to take what is left.
fn pass(
    f: &EdfFile,
    s: &Setup,
    timeline: Option<&Timeline>,
    records_per_chunk: usize,
    bar: &indicatif::ProgressBar,
    mut sink: impl FnMut(&mut [Lane]) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Lane>> {
    let pos = |c: usize| s.read.iter().position(|&r| r == c).expect("read holds every source");
    let mut lanes: Vec<Lane> = Vec::with_capacity(s.outputs.len());
    for o in &s.outputs {
        let zero_phase = match &o.filter {
            Some(sos) => Some(ZeroPhaseStream::new(sos.clone()).with_context(|| format!("filtering {:?}", o.label))?),
            None => None,
        };
        lanes.push(Lane {
            label: o.label.clone(),
            input: match o.source {
                Source::File(c) => Input::Read(pos(c)),
                Source::Derivation(j) => Input::Derivation(j),
            },
            zero_phase,
            resample: o.resampler.as_ref().map(Resampler::stream),
            mid: Vec::new(),
            out: Vec::new(),
        });
    }
    let signals = f.signals();
    let mut placers: Vec<Placer> = s.read.iter().map(|&c| Placer::new(&signals[c], timeline)).collect();
    let mut placed: Vec<Vec<f32>> = vec![Vec::new(); s.read.len()];
    let mut derived: Vec<Vec<f32>> = match &s.montage {
        Some((p, _)) => vec![Vec::new(); p.derivations().len()],
        None => Vec::new(),
    };
    let mut chunks = f.chunks(&s.read, records_per_chunk)?;
    let mut chunk = Chunk::default();
    loop {
        let more = chunks.next_into(&mut chunk);
        for ((pl, out), data) in placers.iter_mut().zip(&mut placed).zip(&chunk.data) {
            out.clear();
            if more {
                pl.push(chunk.records.clone(), data, timeline, out);
            } else {
                pl.finish(timeline, out);
            }
        }
        if let Some((plan, at)) = &s.montage {
            let inputs: Vec<&[f32]> = at.iter().map(|&p| placed[p].as_slice()).collect();
            plan.apply_chunk(&inputs, &mut derived)?;
        }
        lanes
            .par_iter_mut()
            .map(|lane| {
                let x = match lane.input {
                    Input::Read(p) => &placed[p],
                    Input::Derivation(j) => &derived[j],
                };
                lane.push(x)?;
                if !more {
                    lane.finish()?;
                }
                Ok(())
            })
            .collect::<anyhow::Result<Vec<()>>>()?;
        sink(&mut lanes)?;
        if !more {
            return Ok(lanes);
        }
        bar.inc(chunk.records.len() as u64);
    }
}

/// Write the whole records that every lane has samples for (at most up to `n_records`) and drop
/// them from the lanes.
fn write_ready(lanes: &mut [Lane], spr: &[usize], n_records: usize, written: &mut usize, w: &mut EdfWriter) -> eimfs_edf::Result<()> {
    let k = lanes.iter().zip(spr).map(|(l, &n)| l.out.len() / n).min().unwrap_or(0).min(n_records - *written);
    if k > 0 {
        let data: Vec<&[f32]> = lanes.iter().zip(spr).map(|(l, &n)| &l.out[..k * n]).collect();
        w.write_physical(&data, None)?;
        for (l, &n) in lanes.iter_mut().zip(spr) {
            l.out.drain(..k * n);
        }
        *written += k;
    }
    Ok(())
}

/// Per output signal: samples, finite minimum and maximum, last sample.
#[derive(Clone, Copy, Debug)]
struct Extent {
    n: usize,
    lo: f64,
    hi: f64,
    last: f32,
}

/// The processing path, streamed: a first pass computes every output signal to find its length
/// and range (so that the header can be written first and nothing clips), a second computes them
/// again (bit for bit the same) and writes them. Memory is bounded by a chunk of records plus the
/// filters' and resamplers' histories, whatever the file's length.
fn process(f: &EdfFile, args: &Args, format: Format, ctx: &Ctx) -> anyhow::Result<eimfs_edf::WriteSummary> {
    let s = setup(f, args, ctx)?;
    let gaps = f.gaps();
    if !gaps.is_empty() {
        ctx.info(format!(
            "warning: {}: {} gaps of EDF+D ({} s in all) are filled with zeros; the output is continuous",
            args.input.display(),
            gaps.len(),
            gaps.iter().map(|g| g.duration).sum::<f64>()
        ));
    }
    let timeline = Timeline::new(f);
    let path = &args.output;
    let whole = |x: f64| (x - x.round()).abs() < 1e-9 && x.round() >= 1.0;
    let dur = RECORD_DURATIONS.into_iter().find(|d| s.outputs.iter().all(|o| whole(o.fs * d))).with_context(|| {
        format!(
            "writing {}: no record duration of 0.1-10 s gives every signal a whole number of samples per record (rates {})",
            path.display(),
            s.outputs.iter().map(|o| format!("{} Hz", o.fs)).collect::<Vec<_>>().join(", ")
        )
    })?;
    let spr: Vec<usize> = s.outputs.iter().map(|o| (o.fs * dur).round() as usize).collect();

    let per = args.chunk_records.unwrap_or_else(|| f.records_per_chunk(CHUNK_BYTES)).max(1);
    let data_bytes = f.n_records() as u64 * f.header().record_bytes as u64;
    let bar = if data_bytes >= 16 << 20 { ctx.bar(2 * f.n_records() as u64, "scanning") } else { indicatif::ProgressBar::hidden() };

    // Pass 1: lengths and ranges.
    let mut ext = vec![Extent { n: 0, lo: f64::INFINITY, hi: f64::NEG_INFINITY, last: 0.0 }; s.outputs.len()];
    pass(f, &s, timeline.as_ref(), per, &bar, |lanes| {
        for (e, lane) in ext.iter_mut().zip(lanes.iter_mut()) {
            for &x in lane.out.iter().filter(|x| x.is_finite()) {
                e.lo = e.lo.min(x as f64);
                e.hi = e.hi.max(x as f64);
            }
            if let Some(&x) = lane.out.last() {
                e.last = x;
            }
            e.n += lane.out.len();
            lane.out.clear();
        }
        Ok(())
    })?;
    let n_records = ext.iter().zip(&spr).map(|(e, &k)| e.n.div_ceil(k)).max().unwrap_or(0);

    // Pass 2: write.
    bar.set_message("writing");
    let specs: Vec<SignalSpec> = s
        .outputs
        .iter()
        .zip(&ext)
        .zip(&spr)
        .map(|((o, e), &k)| {
            let (mut lo, mut hi) = (e.lo, e.hi);
            if let Some((a, b)) = o.range {
                lo = lo.min(a.min(b));
                hi = hi.max(a.max(b));
            }
            let mut spec = SignalSpec::for_data(&o.label, &o.unit, k, lo, hi, format);
            spec.transducer = o.transducer.clone();
            spec.prefilter = o.prefilter.clone();
            spec
        })
        .collect();
    let config = WriterConfig {
        format,
        start: Some(f.start()),
        patient: f.header().patient.clone(),
        recording: f.header().recording.clone(),
        record_duration: dur,
        signals: specs,
        discontinuous: false,
    };
    let write_context = || format!("writing {}", path.display());
    let mut w = EdfWriter::create(path, config, f.annotations().to_vec(), Some(n_records)).with_context(write_context)?;
    let mut written = 0usize;
    let mut lanes = pass(f, &s, timeline.as_ref(), per, &bar, |lanes| {
        write_ready(lanes, &spr, n_records, &mut written, &mut w).with_context(write_context)
    })?;
    // Signals shorter than the longest are padded with their last value to whole records, as
    // `write_recording` does.
    let mut padded = Vec::new();
    for ((lane, e), &k) in lanes.iter_mut().zip(&ext).zip(&spr) {
        let total = n_records * k;
        if e.n < total {
            padded.push(format!(
                "signal {} padded with {} copies of its last value to fill {n_records} records of {dur} s",
                lane.label,
                total - e.n
            ));
        }
        let left = (n_records - written) * k;
        lane.out.resize(left, e.last);
    }
    write_ready(&mut lanes, &spr, n_records, &mut written, &mut w).with_context(write_context)?;
    debug_assert_eq!(written, n_records);
    let mut summary = w.finish().with_context(write_context)?;
    bar.finish_and_clear();
    // Both passes compute the same samples, so the ranges hold them all.
    for (c, o) in summary.clipped.iter().zip(&s.outputs) {
        if *c > 0 {
            summary.warnings.push(format!("{c} samples of {} clipped: the two passes disagreed (please report this)", o.label));
        }
    }
    summary.warnings.extend(padded);
    Ok(summary)
}
