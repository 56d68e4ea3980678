//! `eimfs score`: SzCORE event and sample scoring (as timescoring 0.0.7 computes it) and
//! onset-localisation scores of a hypothesis against a reference.

use crate::Ctx;
use anyhow::Context as _;
use eimfs_score::dataset::{self, Loader, Options};
use std::path::PathBuf;

/// How TSV rows become timescoring annotations.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LoaderArg {
    /// Seizure intervals at full precision (overlaps united) on timescoring's 10 Hz event grid.
    Events,
    /// Exactly as the SzCORE framework (szcore-evaluation): a 1 Hz mask, times truncated to whole seconds.
    Szcore,
}

/// Arguments of `eimfs score`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Reference: an SzCORE events TSV, or a directory of them (`<name>_events.tsv` or `<name>.tsv`, searched recursively).
    #[arg(long = "ref", value_name = "REF")]
    pub reference: PathBuf,
    /// Hypothesis: a TSV, or a directory paired with REF by recording name.
    #[arg(long = "hyp", value_name = "HYP")]
    pub hypothesis: PathBuf,
    /// Print the report as JSON on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// True seizure maps: a JSON file with a `seizures` list (the simulator's truth), or a directory of `<name>_truth.json`.
    /// Default: `<name>_truth.json` beside each reference, else the reference TSV's channels.
    #[arg(long, value_name = "PATH")]
    pub truth: Option<PathBuf>,
    /// Detected seizure maps: a `<stem>_seizures.json` file, or a directory of them.
    /// Default: `<name>_seizures.json` beside each hypothesis, else the hypothesis TSV's channels.
    #[arg(long, value_name = "PATH")]
    pub hyp_seizures: Option<PathBuf>,
    /// How TSV rows become annotations.
    #[arg(long, value_enum, default_value = "events")]
    pub loader: LoaderArg,
    /// Recording duration in seconds for TSVs without a recordingDuration value.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Cut or pad a hypothesis whose duration differs from the reference's by at most this many seconds (otherwise an error).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub duration_tolerance: f64,
    /// Subject of a recording: the K-th (0-based) `_`-separated token of its name
    /// (default: the `sub-<label>` token of a BIDS name, else the first token).
    #[arg(long, value_name = "K")]
    pub subject_token: Option<usize>,
    /// Fail when a reference has no hypothesis or a hypothesis no reference (default: warn; a missing hypothesis is scored as empty, as SzCORE does).
    #[arg(long)]
    pub strict: bool,
    /// Localisation matching: true seizures starting at most this many seconds apart are simultaneous, and their
    /// detections are paired by onset place when time cannot tell (0 = pair by time only).
    #[arg(long, value_name = "SECONDS", default_value_t = eimfs_score::localisation::DEFAULT_SIMULTANEOUS)]
    pub simultaneous: f64,
}

/// The migration verdict of a recording's seizure maps, by the rule `eimfs detect` reports
/// (`eimfs_detect::summary::migration`): the truth and the detections are judged alike.
fn migration_verdict(maps: &[eimfs_core::SeizureMap]) -> String {
    eimfs_detect::summary::migration(maps).verdict
}

/// Run `eimfs score`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if let Some(d) = args.duration {
        anyhow::ensure!(d.is_finite() && d > 0.0, "--duration must be a positive number of seconds, got {d}");
    }
    anyhow::ensure!(
        args.duration_tolerance.is_finite() && args.duration_tolerance >= 0.0,
        "--duration-tolerance must be >= 0 seconds, got {}",
        args.duration_tolerance
    );
    anyhow::ensure!(
        args.simultaneous.is_finite() && args.simultaneous >= 0.0,
        "--simultaneous must be >= 0 seconds, got {}",
        args.simultaneous
    );
    let opts = Options {
        loader: match args.loader {
            LoaderArg::Events => Loader::Events,
            LoaderArg::Szcore => Loader::Szcore,
        },
        duration: args.duration,
        duration_tolerance: args.duration_tolerance,
        strict: args.strict,
        subject_token: args.subject_token,
        matching: eimfs_score::localisation::MatchParams { simultaneous: args.simultaneous, ..Default::default() },
        verdict: Some(migration_verdict),
        ..Options::default()
    };
    let pairing = dataset::pair_inputs(&args.reference, &args.hypothesis, args.truth.as_deref(), args.hyp_seizures.as_deref())?;
    if !pairing.reference_only.is_empty() {
        ctx.info(format!(
            "warning: {} reference(s) without hypothesis, scored as empty hypotheses: {}",
            pairing.reference_only.len(),
            pairing.reference_only.join(", ")
        ));
    }
    if !pairing.hypothesis_only.is_empty() {
        let list: Vec<String> = pairing.hypothesis_only.iter().map(|p| p.display().to_string()).collect();
        ctx.info(format!("warning: {} hypothesis file(s) without reference, not scored: {}", list.len(), list.join(", ")));
    }
    let bar =
        if pairing.recordings.len() > 50 { ctx.bar(pairing.recordings.len() as u64, "scoring") } else { indicatif::ProgressBar::hidden() };
    let report = dataset::score_dataset(&pairing, &opts, |done, _| bar.set_position(done as u64))?;
    bar.finish_and_clear();

    let json = serde_json::to_string_pretty(&report).context("serialising the report")?;
    if let Some(out) = &args.out {
        let mut tmp = out.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, format!("{json}\n")).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, out)
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
            .with_context(|| format!("writing {}", out.display()))?;
    }
    if args.json {
        println!("{json}");
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}
