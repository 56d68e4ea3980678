//! `eimfs detect`: find every seizure, map where it starts and where it migrates, summarise the
//! seizure burden and give the migration verdict.

use std::path::PathBuf;

use anyhow::Context as _;
use eimfs_detect::{Config, Model, Sensitivity, detect, write_outputs};
use eimfs_signal::Montage;

use crate::Ctx;

/// Operating point.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SensitivityArg {
    /// Fewer false alarms; may miss faint seizures.
    Low,
    /// The tuned operating point.
    Default,
    /// More seizures found, more false alarms.
    High,
}

/// Arguments of `eimfs detect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The recording: EDF, EDF+ (C or D) or BDF.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Montage: `auto` (common average of the referential 10-20 electrodes, or the bipolar channels as recorded),
    /// `average`, `double-banana`, `neonatal`, `as-recorded`, or a list such as `Fp1-F7,F7-T3,...`.
    #[arg(long, value_name = "NAME", default_value = "auto")]
    pub montage: String,
    /// Output directory (created if missing); files are named after the recording.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Operating point.
    #[arg(long, value_enum, default_value = "default")]
    pub sensitivity: SensitivityArg,
    /// Also write a copy of the recording with the detections as EDF+ annotations (`@@channel` links).
    #[arg(long, value_name = "OUT.edf")]
    pub annotate: Option<PathBuf>,
    /// Use this model file instead of the built-in one (see docs/detector.md).
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,
    /// Write every feature row to this .npy file (plus a .json sidecar), for training (NaN rows
    /// where the classifier gave no probability).
    #[arg(long, value_name = "FILE.npy", hide = true)]
    pub features: Option<PathBuf>,
}

/// Run `eimfs detect`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let montage = match args.montage.trim().to_ascii_lowercase().as_str() {
        "auto" => None,
        _ => Some(Montage::parse(&args.montage).with_context(|| format!("--montage {}", args.montage))?),
    };
    let model = match &args.model {
        Some(p) => Model::from_file(p)?,
        None => Model::embedded(),
    };
    let sensitivity = match args.sensitivity {
        SensitivityArg::Low => Sensitivity::Low,
        SensitivityArg::Default => Sensitivity::Default,
        SensitivityArg::High => Sensitivity::High,
    };
    let config = Config { montage, sensitivity, model, keep_features: args.features.is_some() };
    let bar = ctx.bar(1, "detect");
    let progress = |done: u64, total: u64| {
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let t0 = std::time::Instant::now();
    let det = detect(&args.file, &config, &progress)?;
    bar.finish_and_clear();
    let paths = write_outputs(&det, &args.file, &args.out, args.annotate.as_deref(), args.features.as_deref())?;
    if !ctx.quiet {
        for w in &det.analysis.warnings {
            eprintln!("warning: {w}");
        }
        if !det.analysis.flat_electrodes.is_empty() {
            let flat: Vec<String> = det.analysis.flat_electrodes.iter().map(|(e, l)| format!("{e} ({l})")).collect();
            eprintln!("note: flat electrode(s) left out: {}", flat.join(", "));
        }
        let s = &det.summary;
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "{}: {:.1} h analysed in {:.2} s ({:.0}x real time), montage {}, {} derivations",
            det.file,
            s.hours,
            secs,
            det.analysis.duration / secs.max(1e-9),
            det.analysis.montage,
            det.analysis.derivations.iter().filter(|d| d.used).count()
        );
        eprintln!(
            "{} seizure(s), {:.1}/h, {:.0} s of seizure in all (longest {:.0} s), {} cluster(s), {} status epilepticus episode(s)",
            s.seizure_count,
            s.seizures_per_hour,
            s.total_seizure_seconds,
            s.longest_seizure_seconds.unwrap_or(0.0),
            s.clusters.len(),
            s.status_epilepticus.len()
        );
        eprintln!("migration: {} ({})", s.migration.verdict, s.migration.reasons.join("; "));
        let mut files = vec![paths.events, paths.probability, paths.seizures, paths.summary];
        files.extend(paths.annotated);
        files.extend(paths.features);
        for f in files {
            eprintln!("wrote {}", f.display());
        }
    }
    Ok(())
}
