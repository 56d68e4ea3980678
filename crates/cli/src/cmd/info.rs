//! `eimfs info`: describe an EDF/EDF+/BDF file, optionally with per-channel statistics.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use eimfs_core::Annotation;
use eimfs_edf::{ChannelStats, EdfFile, Gap, StatsOptions};
use eimfs_signal::ChannelName;
use serde::Serialize;

use crate::Ctx;

/// Arguments of `eimfs info`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  eimfs info rec.edf\n  eimfs info rec.bdf --stats\n  eimfs info rec.edf --json --annotations 100 > rec.json\n\n\
The JSON schema is documented in the README (section `eimfs info`)."
)]
pub struct Args {
    /// EDF, EDF+ (C or D), BDF or BDF+ file.
    pub file: PathBuf,
    /// Print JSON on stdout instead of the human-readable summary.
    #[arg(long)]
    pub json: bool,
    /// Read every sample and add per-channel min, max, mean, RMS and the fractions of flat and
    /// clipped samples.
    #[arg(long)]
    pub stats: bool,
    /// How many annotations to list (the count is always given).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub annotations: usize,
    /// With --stats: identical consecutive values lasting at least this many seconds count as flat.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub flat_seconds: f64,
}

/// Run `eimfs info`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if args.flat_seconds.is_nan() || args.flat_seconds <= 0.0 {
        anyhow::bail!("--flat-seconds must be positive, got {}", args.flat_seconds);
    }
    let f = EdfFile::open(&args.file)?;
    let stats = if args.stats {
        let data_bytes = f.n_records() as u64 * f.header().record_bytes as u64;
        let bar = if data_bytes >= 64 << 20 { ctx.bar(f.n_records() as u64, "reading") } else { indicatif::ProgressBar::hidden() };
        let s = f
            .stats(&StatsOptions { flat_seconds: args.flat_seconds }, &|n| bar.inc(n as u64))
            .with_context(|| format!("reading {}", args.file.display()))?;
        bar.finish_and_clear();
        Some(s)
    } else {
        None
    };
    let text = if args.json {
        serde_json::to_string_pretty(&to_json(&f, stats.as_deref(), args.annotations))? + "\n"
    } else {
        human(&f, stats.as_deref(), args.annotations, args.flat_seconds)
    };
    // A closed pipe (`eimfs info x.edf | head`) is not an error.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}

/// Seconds as `H:MM:SS.fff` (`.fff` only when not whole).
fn hms(s: f64) -> String {
    let ms = (s * 1000.0).round() as i64;
    let (h, m, sec, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if f == 0 { format!("{h}:{m:02}:{sec:02}") } else { format!("{h}:{m:02}:{sec:02}.{f:03}") }
}

/// A number with at most `sig` significant digits, no exponent for ordinary EEG magnitudes.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e7).contains(&a) {
        return format!("{x:.3e}");
    }
    let d = if a >= 1000.0 {
        1
    } else if a >= 10.0 {
        2
    } else {
        3
    };
    let s = format!("{x:.d$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

fn pct(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x == 0.0 {
        "0".into()
    } else if x < 0.0001 {
        "<0.01".into()
    } else {
        format!("{:.2}", x * 100.0)
    }
}

fn start_text(f: &EdfFile) -> String {
    let s = f.start();
    if f.start_offset().fract() != 0.0 || s.and_utc().timestamp_subsec_nanos() != 0 {
        s.format("%Y-%m-%d %H:%M:%S%.f").to_string()
    } else {
        s.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// The human-readable summary.
fn human(f: &EdfFile, stats: Option<&[ChannelStats]>, max_ann: usize, flat_seconds: f64) -> String {
    let h = f.header();
    let mut o = String::new();
    let bits = if f.file_type().is_bdf() { 24 } else { 16 };
    let n_ann_sig = h.signals.len() - f.signals().len();
    let _ = writeln!(o, "File         {}", f.path().display());
    let _ = writeln!(o, "Type         {} ({bits}-bit samples)", f.file_type());
    let _ = writeln!(o, "Start        {}", start_text(f));
    let _ = writeln!(
        o,
        "Duration     {} s ({}): {} records of {} s",
        num(f.duration()),
        hms(f.duration()),
        f.n_records(),
        num(f.record_duration())
    );
    let gaps = f.gaps();
    if !gaps.is_empty() {
        let total: f64 = gaps.iter().map(|g| g.duration).sum();
        let _ = writeln!(o, "Gaps         {} ({} s in all)", gaps.len(), num(total));
        for g in gaps.iter().take(5) {
            let _ = writeln!(o, "               at {} s for {} s (before record {})", num(g.start), num(g.duration), g.before_record);
        }
        if gaps.len() > 5 {
            let _ = writeln!(o, "               ...");
        }
    }
    let _ = writeln!(o, "Patient      {}", h.patient);
    let _ = writeln!(o, "Recording    {}", h.recording);
    let _ = writeln!(
        o,
        "Signals      {}{}",
        f.signals().len(),
        match n_ann_sig {
            0 => String::new(),
            1 => " (+1 annotation signal)".into(),
            n => format!(" (+{n} annotation signals)"),
        }
    );
    o.push('\n');

    // Channel table.
    let mut rows: Vec<Vec<String>> = vec![];
    let mut head: Vec<&str> = vec!["#", "Label", "Name", "Type", "Rate Hz", "Unit", "Phys min", "Phys max"];
    if stats.is_some() {
        head.extend(["Min", "Max", "Mean", "RMS", "Flat %", "Clip %"]);
    }
    rows.push(head.iter().map(|s| s.to_string()).collect());
    for (i, s) in f.signals().iter().enumerate() {
        let n = ChannelName::parse(&s.label);
        let mut r = vec![
            (i + 1).to_string(),
            s.label.clone(),
            n.canonical.clone(),
            n.kind.name().to_string(),
            num(s.fs),
            s.unit.clone(),
            num(s.physical_min),
            num(s.physical_max),
        ];
        if let Some(st) = stats {
            let c = &st[i];
            r.extend([num(c.min), num(c.max), num(c.mean), num(c.rms), pct(c.flat_fraction), pct(c.clipped_fraction)]);
        }
        rows.push(r);
    }
    let ncol = rows[0].len();
    let widths: Vec<usize> = (0..ncol).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let numeric = |c: usize| !matches!(c, 1 | 2 | 3 | 5);
    for r in &rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let w = widths[c];
            if numeric(c) {
                let _ = write!(line, " {cell:>w$}");
            } else {
                let _ = write!(line, " {cell:<w$}");
            }
        }
        let _ = writeln!(o, "{}", line.trim_end());
    }
    if stats.is_some() {
        let _ = writeln!(
            o,
            "  Flat %: samples in runs of identical values lasting at least {} s. Clip %: samples at the digital minimum or maximum.",
            num(flat_seconds)
        );
    }

    // Annotations.
    let a = f.annotations();
    let _ = writeln!(o, "\nAnnotations  {}", a.len());
    if !a.is_empty() && max_ann > 0 {
        let _ = writeln!(o, "  {:>12}  {:>10}  text", "onset s", "duration s");
        for x in a.iter().take(max_ann) {
            let d = x.duration.map(num).unwrap_or_else(|| "-".into());
            let ch = x.channel.as_deref().map(|c| format!("  [{c}]")).unwrap_or_default();
            let _ = writeln!(o, "  {:>12}  {:>10}  {}{}", num(x.onset), d, x.text, ch);
        }
        if a.len() > max_ann {
            let _ = writeln!(o, "  ... {} more (--annotations N lists more)", a.len() - max_ann);
        }
    }
    if !f.warnings().is_empty() {
        let _ = writeln!(o, "\nWarnings     {}", f.warnings().len());
        for w in f.warnings() {
            let _ = writeln!(o, "  {w}");
        }
    }
    o
}

/// `eimfs info --json`: one object per file (schema in the README; field order as here).
#[derive(Serialize)]
struct InfoJson<'a> {
    file: &'a Path,
    file_type: &'static str,
    bits: u32,
    start: String,
    duration: f64,
    n_records: usize,
    n_records_header: i64,
    record_duration: f64,
    patient: &'a str,
    recording: &'a str,
    gaps: Vec<Gap>,
    annotation_signals: usize,
    channels: Vec<ChannelJson<'a>>,
    annotations: AnnotationsJson<'a>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct ChannelJson<'a> {
    index: usize,
    label: &'a str,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    fs: f64,
    unit: &'a str,
    physical_min: f64,
    physical_max: f64,
    digital_min: i32,
    digital_max: i32,
    samples_per_record: usize,
    transducer: &'a str,
    prefilter: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<&'a ChannelStats>,
}

#[derive(Serialize)]
struct AnnotationsJson<'a> {
    count: usize,
    listed: &'a [Annotation],
}

fn to_json<'a>(f: &'a EdfFile, stats: Option<&'a [ChannelStats]>, max_ann: usize) -> InfoJson<'a> {
    let h = f.header();
    InfoJson {
        file: f.path(),
        file_type: f.file_type().as_str(),
        bits: if f.file_type().is_bdf() { 24 } else { 16 },
        start: f.start().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        duration: f.duration(),
        n_records: f.n_records(),
        n_records_header: h.n_records_header,
        record_duration: f.record_duration(),
        patient: &h.patient,
        recording: &h.recording,
        gaps: f.gaps(),
        annotation_signals: h.signals.len() - f.signals().len(),
        channels: f
            .signals()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n = ChannelName::parse(&s.label);
                ChannelJson {
                    index: i,
                    label: &s.label,
                    name: n.canonical,
                    kind: n.kind.name(),
                    fs: s.fs,
                    unit: &s.unit,
                    physical_min: s.physical_min,
                    physical_max: s.physical_max,
                    digital_min: s.digital_min,
                    digital_max: s.digital_max,
                    samples_per_record: s.samples_per_record,
                    transducer: &s.transducer,
                    prefilter: &s.prefilter,
                    stats: stats.map(|st| &st[i]),
                }
            })
            .collect(),
        annotations: AnnotationsJson { count: f.annotations().len(), listed: &f.annotations()[..max_ann.min(f.annotations().len())] },
        warnings: f.warnings(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(hms(30.0), "0:00:30");
        assert_eq!(hms(86400.5), "24:00:00.500");
        assert_eq!(num(-41.0), "-41");
        assert_eq!(num(3276.7), "3276.7");
        assert_eq!(num(0.123456), "0.123");
        assert_eq!(num(1e-6), "1.000e-6");
        assert_eq!(pct(0.5), "50.00");
        assert_eq!(pct(0.0), "0");
        assert_eq!(pct(1e-7), "<0.01");
    }
}
