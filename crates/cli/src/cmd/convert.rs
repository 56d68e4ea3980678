//! `eimfs convert`: rewrite an EDF/BDF file as EDF+ or BDF+, optionally with a montage, a
//! channel selection, filters and resampling.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use eimfs_core::{Electrode, Recording};
use eimfs_edf::{EdfFile, Format, RecordingWriteOptions, RewriteOptions, rewrite, write_recording};
use eimfs_signal::filter::DEFAULT_NOTCH_Q;
use eimfs_signal::{
    ApplyOptions, Band, ChannelKind, ChannelName, Montage, Resampler, Sos, sosfiltfilt_into,
};
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

With --montage, --bandpass, --notch or --resample the recording is decoded into memory \
(4 bytes per sample), processed in this order: montage, channel selection, band-pass and notch \
(zero-phase, EEG channels only), resampling (all channels); then written as EDF+C/BDF+C with \
physical ranges that hold the data (nothing clips). All annotations are kept.

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
}

/// Index of the channel an item of `--channels` names among `labels`.
fn find_channel(labels: &[String], item: &str) -> Option<usize> {
    let names: Vec<ChannelName> = labels.iter().map(|l| ChannelName::parse(l)).collect();
    labels
        .iter()
        .position(|l| l.trim() == item)
        .or_else(|| {
            labels
                .iter()
                .position(|l| l.trim().eq_ignore_ascii_case(item))
        })
        .or_else(|| {
            names
                .iter()
                .position(|n| n.canonical.eq_ignore_ascii_case(item))
        })
        .or_else(|| {
            let e = Electrode::from_name(item)?;
            let hits: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.electrode == Some(e))
                .map(|(i, _)| i)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
        .or_else(|| {
            item.parse::<usize>()
                .ok()
                .filter(|&i| i >= 1 && i <= labels.len())
                .map(|i| i - 1)
        })
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
                labels
                    .iter()
                    .map(|l| format!("{l:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
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
        bail!(
            "{}: output is the input file; eimfs never modifies its input",
            args.output.display()
        );
    }
    let f = EdfFile::open(&args.input)?;
    for w in f.warnings() {
        ctx.info(format!("warning: {}: {w}", args.input.display()));
    }
    let format = Format::from_path(&args.output);
    let processing = args.montage.is_some()
        || args.resample.is_some()
        || args.bandpass.is_some()
        || args.notch.is_some();
    let summary = if processing {
        process(&f, &args, format, ctx)?
    } else {
        let labels: Vec<String> = f.signals().iter().map(|s| s.label.clone()).collect();
        let channels = args
            .channels
            .as_deref()
            .map(|l| select(&labels, l, &args.input))
            .transpose()?;
        let data_bytes = f.n_records() as u64 * f.header().record_bytes as u64;
        let bar = if data_bytes >= 64 << 20 {
            ctx.bar(f.n_records() as u64, "converting")
        } else {
            indicatif::ProgressBar::hidden()
        };
        let s = rewrite(
            &f,
            &args.output,
            &RewriteOptions { format, channels },
            &|n| bar.inc(n as u64),
        )
        .with_context(|| {
            format!(
                "converting {} to {}",
                args.input.display(),
                args.output.display()
            )
        })?;
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

/// The decoding path: montage, selection, filters, resampling, write.
fn process(
    f: &EdfFile,
    args: &Args,
    format: Format,
    ctx: &Ctx,
) -> anyhow::Result<eimfs_edf::WriteSummary> {
    let gib = f
        .signals()
        .iter()
        .map(|s| s.samples_per_record as f64)
        .sum::<f64>()
        * f.n_records() as f64
        * 4.0
        / (1u64 << 30) as f64;
    if gib > 1.0 {
        ctx.info(format!(
            "decoding {} into memory ({gib:.1} GiB)",
            args.input.display()
        ));
    }
    let mut rec: Recording = f.read_recording()?;
    let gaps = f.gaps();
    if !gaps.is_empty() {
        ctx.info(format!(
            "warning: {}: {} gaps of EDF+D ({} s in all) are filled with zeros; the output is continuous",
            args.input.display(),
            gaps.len(),
            gaps.iter().map(|g| g.duration).sum::<f64>()
        ));
    }
    // Source physical ranges, kept for signals that come through unchanged.
    let mut ranges: Vec<Option<(f64, f64)>> = f
        .signals()
        .iter()
        .map(|s| {
            Some((
                s.physical_min.min(s.physical_max),
                s.physical_min.max(s.physical_max),
            ))
        })
        .collect();

    if let Some(m) = &args.montage {
        let montage = Montage::parse(m)?;
        let before: Vec<(String, Option<(f64, f64)>)> = rec
            .signals
            .iter()
            .map(|s| s.label.clone())
            .zip(ranges.iter().copied())
            .collect();
        rec = montage
            .apply(
                &rec,
                &ApplyOptions {
                    exclude: Vec::new(),
                    keep_non_eeg: true,
                },
            )
            .with_context(|| format!("montage {m} on {}", args.input.display()))?;
        // A signal keeps its source range only if it is a source channel unchanged (same label,
        // as in the as-recorded montage and the non-EEG channels).
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
    if let Some(list) = &args.channels {
        let labels: Vec<String> = rec.signals.iter().map(|s| s.label.clone()).collect();
        let keep = select(&labels, list, &args.input)?;
        let signals = std::mem::take(&mut rec.signals);
        rec.signals = keep.iter().map(|&i| signals[i].clone()).collect();
        ranges = keep.iter().map(|&i| ranges[i]).collect();
    }

    // Filters on the EEG channels.
    let band = match args.bandpass.as_deref() {
        Some([lo, hi]) => Some((*lo, *hi)),
        Some(_) => bail!("--bandpass takes two frequencies: LO HI"),
        None => None,
    };
    if band.is_some() || args.notch.is_some() {
        let eeg: Vec<usize> = (0..rec.signals.len())
            .filter(|&i| ChannelName::parse(&rec.signals[i].label).kind == ChannelKind::Eeg)
            .collect();
        if eeg.is_empty() {
            ctx.info("warning: no EEG channels: --bandpass/--notch change nothing");
        }
        let mut note = String::new();
        if let Some((lo, hi)) = band {
            note.push_str(&format!("HP:{lo}Hz LP:{hi}Hz"));
        }
        if let Some(n) = args.notch {
            note.push_str(&format!(
                "{}N:{n}Hz",
                if note.is_empty() { "" } else { " " }
            ));
        }
        let results: Vec<anyhow::Result<()>> = rec
            .signals
            .par_iter_mut()
            .enumerate()
            .filter(|(i, _)| eeg.contains(i))
            .map(|(_, s)| {
                let mut sos: Option<Sos> = None;
                if let Some((lo, hi)) = band {
                    sos = Some(
                        Sos::butter(BANDPASS_ORDER, Band::Bandpass(lo, hi), s.fs).with_context(
                            || format!("--bandpass on {:?} ({} Hz)", s.label, s.fs),
                        )?,
                    );
                }
                if let Some(n) = args.notch {
                    let notch = Sos::notch(n, DEFAULT_NOTCH_Q, s.fs)
                        .with_context(|| format!("--notch on {:?} ({} Hz)", s.label, s.fs))?;
                    sos = Some(match sos {
                        Some(b) => b.then(&notch),
                        None => notch,
                    });
                }
                let sos = sos.expect("a filter was asked for");
                let mut out = vec![0f32; s.samples.len()];
                let mut scratch = Vec::new();
                sosfiltfilt_into(&sos, &s.samples, &mut out, &mut scratch)
                    .with_context(|| format!("filtering {:?}", s.label))?;
                s.samples = out;
                s.prefilter = if s.prefilter.is_empty() {
                    note.clone()
                } else {
                    format!("{} {note}", s.prefilter)
                };
                Ok(())
            })
            .collect();
        results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
        for &i in &eeg {
            ranges[i] = None;
            let sig = &mut rec.signals[i];
            let p = &mut sig.prefilter;
            if p.len() > 80 {
                ctx.info(format!(
                    "warning: prefiltering field of {:?} cut to 80 characters",
                    sig.label
                ));
                let mut cut = 80;
                while !p.is_char_boundary(cut) {
                    cut -= 1;
                }
                p.truncate(cut);
            }
        }
    }

    if let Some(target) = args.resample {
        for (s, r) in rec.signals.iter().zip(ranges.iter_mut()) {
            if s.fs != target {
                *r = None;
            }
        }
        let results: Vec<anyhow::Result<()>> = rec
            .signals
            .par_iter_mut()
            .filter(|s| s.fs != target)
            .map(|s| {
                let r = Resampler::from_rates(s.fs, target).with_context(|| {
                    format!("--resample {target} for {:?} ({} Hz)", s.label, s.fs)
                })?;
                s.samples = r.resample(&s.samples);
                s.fs = target;
                Ok(())
            })
            .collect();
        results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    }

    let options = RecordingWriteOptions {
        format,
        record_duration: None,
        ranges,
    };
    write_recording(&args.output, &rec, &options)
        .with_context(|| format!("writing {}", args.output.display()))
}
