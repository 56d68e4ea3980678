//! `eimfs convert`: rewrite an EDF/BDF file as EDF+ or BDF+.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use eimfs_edf::{rewrite, EdfFile, Format, RewriteOptions};

use crate::Ctx;

/// Arguments of `eimfs convert`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Without options the output holds the same digital samples, signal headers, \
start time, record times (EDF+D stays EDF+D) and every annotation as the input: a lossless rewrite \
(BDF to EDF requantises to 16 bits). The output is written to OUT.tmp<pid> and renamed when complete; \
the input is never modified.\n\nExamples:\n  eimfs convert in.edf out.edf\n  eimfs convert in.bdf out.bdf --channels 'EEG Fp1-Ref,EEG T3-Ref'")]
pub struct Args {
    /// Input EDF, EDF+ or BDF file.
    pub input: PathBuf,
    /// Output file: BDF+ if it ends in .bdf, EDF+ otherwise.
    pub output: PathBuf,
    /// Keep only these channels, comma-separated: labels as in the file (case-insensitive) or
    /// 1-based indices as `eimfs info` lists them.
    #[arg(long, value_name = "LIST")]
    pub channels: Option<String>,
}

/// Pick channels from a comma-separated list of labels or 1-based indices.
pub(crate) fn select_channels(f: &EdfFile, list: &str) -> anyhow::Result<Vec<usize>> {
    let labels: Vec<&str> = f.signals().iter().map(|s| s.label.as_str()).collect();
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let idx = labels
            .iter()
            .position(|l| *l == item)
            .or_else(|| labels.iter().position(|l| l.eq_ignore_ascii_case(item)))
            .or_else(|| item.parse::<usize>().ok().filter(|&i| i >= 1 && i <= labels.len()).map(|i| i - 1));
        match idx {
            Some(i) => out.push(i),
            None => bail!(
                "--channels: no channel {item:?} in {} (channels: {})",
                f.path().display(),
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
    let channels = args.channels.as_deref().map(|l| select_channels(&f, l)).transpose()?;
    let format = Format::from_path(&args.output);
    let data_bytes = f.n_records() as u64 * f.header().record_bytes as u64;
    let bar = if data_bytes >= 64 << 20 { ctx.bar(f.n_records() as u64, "converting") } else { indicatif::ProgressBar::hidden() };
    let summary = rewrite(&f, &args.output, &RewriteOptions { format, channels }, &|n| bar.inc(n as u64))
        .with_context(|| format!("converting {} to {}", args.input.display(), args.output.display()))?;
    bar.finish_and_clear();
    for w in &summary.warnings {
        ctx.info(format!("warning: {}: {w}", args.output.display()));
    }
    ctx.info(format!(
        "wrote {}: {}+{}, {} records of {} s, {} annotations",
        args.output.display(),
        format.name(),
        if f.file_type().is_discontinuous() { "D" } else { "C" },
        summary.n_records,
        f.record_duration(),
        summary.n_annotations
    ));
    Ok(())
}
