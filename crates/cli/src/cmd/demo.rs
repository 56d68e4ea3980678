//! `eimfs demo`: the main job on an embedded default. Simulate two hours of infant EEG with a
//! KCNT1 gain-of-function variant, detect and map every seizure in the EDF that was written (read
//! back from disk like any user file), score the detections and their localisation against the
//! simulator's truth, and write one HTML report with every TSV/JSON beside it.

use crate::Ctx;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `eimfs demo`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory: `report.html`, the recording, the truth, the detections and the scores.
    #[arg(long, default_value = "eimfs-demo")]
    pub out: PathBuf,
    /// Random seed of the simulation (the same seed gives the same recording on any machine).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated duration: seconds, or with a unit (`30m`, `2h`).
    #[arg(long, default_value = "2h")]
    pub duration: String,
}

/// The recording's name inside the output directory.
pub const NAME: &str = "demo";

fn seconds(t: Instant) -> String {
    format!("{:.1} s", t.elapsed().as_secs_f64())
}

fn pct(x: f64) -> String {
    if x.is_nan() { "n/a".into() } else { format!("{:.0} %", 100.0 * x) }
}

fn metric(x: f64, d: usize) -> String {
    if x.is_nan() { "n/a".into() } else { format!("{x:.d$}") }
}

/// Move `from` to `to` (same file system: the output directory).
fn rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::rename(from, to).with_context(|| format!("moving {} to {}", from.display(), to.display()))
}

/// Run `eimfs demo`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let duration = super::simulate::duration_arg(&args.duration)?;
    let dir = args.out.clone();
    let truth_dir = dir.join("truth");
    let det_dir = dir.join("detections");
    for d in [&dir, &truth_dir, &det_dir] {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    ctx.info(format!(
        "eimfs demo: {} of infant EEG with a KCNT1 gain-of-function variant (seed {}) → {}",
        eimfs_report::svg::duration_label(duration),
        args.seed,
        dir.display()
    ));
    let t_all = Instant::now();

    // 1. Simulate and write the EDF, the events TSV and the truth JSON.
    let t = Instant::now();
    let cfg = eimfs_sim::output::Config { duration_s: duration, seed: args.seed, ..Default::default() };
    let bar = ctx.bar(1000, "simulate");
    let sim = eimfs_sim::output::simulate(&cfg, &mut |f, stage| {
        bar.set_message(format!("simulate: {stage}"));
        bar.set_position((f.clamp(0.0, 1.0) * 1000.0) as u64);
    })?;
    bar.set_message("simulate: writing");
    let [edf_tmp, truth_tsv, truth_json] = sim.write(&truth_dir, NAME)?;
    let true_n = sim.truth.seizures.len();
    let true_migrating = sim.truth.seizures.iter().filter(|s| s.migrates()).count();
    drop(sim);
    let edf = dir.join(format!("{NAME}.edf"));
    rename(&edf_tmp, &edf)?;
    bar.finish_and_clear();
    let t_sim = seconds(t);
    ctx.info(format!("simulated: {true_n} seizures ({true_migrating} migrating) in {t_sim}; {}", edf.display()));

    // 2. Detect in the EDF read back from disk, like any user file.
    let t = Instant::now();
    let bar = ctx.bar(1, "detect");
    let det = eimfs_detect::detect(&edf, &eimfs_detect::Config::default(), &|done, total| {
        bar.set_length(total.max(1));
        bar.set_position(done);
    })?;
    eimfs_detect::write_outputs(&det, &edf, &det_dir, None, None)?;
    bar.finish_and_clear();
    let verdict = det.summary.migration.verdict.clone();
    drop(det);
    let t_det = seconds(t);

    // 3. Score detections and localisation against the truth (as `eimfs score --json` does).
    let t = Instant::now();
    let stem = NAME;
    let det_tsv = det_dir.join(format!("{stem}_events.tsv"));
    let det_json = det_dir.join(format!("{stem}_seizures.json"));
    let pairing = eimfs_score::dataset::pair_inputs(&truth_tsv, &det_tsv, Some(&truth_json), Some(&det_json))?;
    let scores = eimfs_score::dataset::score_dataset(&pairing, &eimfs_score::Options::default(), |_, _| {})?;
    let score_path = dir.join(format!("{NAME}_score.json"));
    let json = serde_json::to_string_pretty(&scores).context("serialising the scores")?;
    eimfs_report::write_report(&score_path, &format!("{json}\n"))?;
    let t_score = seconds(t);

    // 4. The report.
    let t = Instant::now();
    let report_path = dir.join("report.html");
    let data = super::report::make_report(&edf, &det_dir, Some(&truth_json), None, false, &report_path, ctx)?;
    let t_report = seconds(t);

    let rec = scores.recordings.first().context("the demo recording was scored")?;
    let (ev, loc) = (&rec.event, rec.localisation.as_ref().map(|l| &l.score));
    if !ctx.quiet {
        let verdict_words = match verdict.as_str() {
            "migrating" => "migrating focal seizures",
            "not_migrating" => "no migrating focal seizures",
            "insufficient_evidence" => "not enough seizures to judge",
            "no_seizures" => "no seizures",
            v => v,
        };
        println!("eimfs demo, seed {}: {} simulated, KCNT1 gain of function", args.seed, eimfs_report::svg::duration_label(duration));
        println!(
            "  true seizures          {true_n} ({true_migrating} {} within the seizure)",
            if true_migrating == 1 { "migrates" } else { "migrate" }
        );
        println!(
            "  seizures found         {} detected; {} of {} true seizure events found (SzCORE)",
            data.seizures.len(),
            ev.tp,
            ev.ref_true
        );
        println!("  sensitivity            {}", metric(ev.sensitivity, 2));
        println!("  precision              {}", metric(ev.precision, 2));
        println!("  false detections       {} per 24 h", metric(ev.fp_rate, 1));
        match loc {
            Some(l) => println!(
                "  onset region correct   {} ({} of {} matched seizures)",
                pct(l.region_accuracy),
                l.region_correct,
                l.region_assessed
            ),
            None => println!("  onset region correct   n/a"),
        }
        println!("  migration verdict      {verdict_words}");
        println!("  time                   simulate {t_sim}, detect {t_det}, score {t_score}, report {t_report}; total {}", seconds(t_all));
        println!("  files                  {}/ (truth/, detections/, {NAME}.edf, {NAME}_score.json)", dir.display());
    }
    println!("report: {}", report_path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        // The demo takes `--duration` as `eimfs simulate` does.
        let parse = crate::cmd::simulate::duration_arg;
        assert_eq!(parse("2h").unwrap(), 7200.0);
        assert_eq!(parse("30m").unwrap(), 1800.0);
        assert_eq!(parse("90s").unwrap(), 90.0);
        assert_eq!(parse("5400").unwrap(), 5400.0);
        assert!(parse("-1h").is_err());
        assert!(parse("two hours").unwrap_err().to_string().contains("`duration`"));
    }
}
