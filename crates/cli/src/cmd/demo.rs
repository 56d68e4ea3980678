//! `eimfs demo`: the main job on an embedded default.

use crate::Ctx;
use std::path::PathBuf;

/// Arguments of `eimfs demo`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory for the simulated recording, detections, scores and report.
    #[arg(long, default_value = "eimfs-demo")]
    pub out: PathBuf,
    /// Random seed of the simulation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Run `eimfs demo`.
pub fn run(args: Args, _ctx: &Ctx) -> anyhow::Result<()> {
    eprintln!(
        "eimfs demo will: simulate a 2-hour infant EEG with a KCNT1 gain-of-function variant (seed {}),\n\
         detect and map every seizure in the EDF it writes, score against the simulator's truth, and\n\
         write {}/report.html. The simulator, detector and report are still being built.",
        args.seed,
        args.out.display()
    );
    anyhow::bail!("`eimfs demo` is not complete yet")
}
