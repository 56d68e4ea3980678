//! `eimfs report`: one self-contained HTML report of a recording and its detections.

use crate::Ctx;
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// Arguments of `eimfs report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The recording (EDF, EDF+ or BDF) that was analysed.
    #[arg(value_name = "FILE", required_unless_present = "print_template")]
    pub file: Option<PathBuf>,
    /// Output directory of `eimfs detect` for this recording (holds `<stem>_seizures.json`,
    /// `<stem>_events.tsv`, `<stem>_summary.json`, `<stem>_probability.tsv`).
    #[arg(long, value_name = "DIR", required_unless_present = "print_template")]
    pub detections: Option<PathBuf>,
    /// Ground truth: a `_truth.json` of seizure maps (as `eimfs simulate` writes, with
    /// `<name>_events.tsv` beside it used as the reference events) or a reference events TSV.
    /// Adds SzCORE scores, localisation accuracy, and misses and false detections on the timeline.
    #[arg(long, value_name = "PATH")]
    pub truth: Option<PathBuf>,
    /// Where to write the report (default: `<DIR>/<stem>_report.html`).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// A page template to use instead of the built-in one (minijinja / Jinja2 syntax; it may
    /// `{% include "report.css" %}`). Print the built-in one with `--print-template`.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Print the built-in template and stylesheet and exit.
    #[arg(long)]
    pub print_template: bool,
    /// Skip the quality pass over the whole recording (flat, noisy, mains channels).
    #[arg(long)]
    pub no_quality: bool,
}

/// Build the report of `file` and write it to `out`; used by `eimfs report` and `eimfs demo`.
pub fn make_report(
    file: &Path,
    detections: &Path,
    truth: Option<&Path>,
    template: Option<String>,
    skip_quality: bool,
    out: &Path,
    ctx: &Ctx,
) -> anyhow::Result<eimfs_report::ReportData> {
    let options = eimfs_report::BuildOptions { detections: detections.to_path_buf(), truth: truth.map(Path::to_path_buf), skip_quality };
    let quality_bar = ctx.bar(1, "quality");
    let examples_bar = ctx.bar(1, "examples");
    examples_bar.set_length(3);
    let progress = |stage: eimfs_report::Stage, done: u64, total: u64| {
        let bar = match stage {
            eimfs_report::Stage::Quality => &quality_bar,
            eimfs_report::Stage::Examples => &examples_bar,
        };
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let data = eimfs_report::build(file, &options, &progress)?;
    quality_bar.finish_and_clear();
    examples_bar.finish_and_clear();
    let generated = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    let html = eimfs_report::render(&data, &eimfs_report::RenderOptions { template, generated: Some(generated), max_paths: 4 })?;
    eimfs_report::write_report(out, &html)?;
    Ok(data)
}

/// Run `eimfs report`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if args.print_template {
        println!(
            "{{# report.html: the page #}}\n{}\n{{# report.css: the stylesheet it includes #}}\n{}",
            eimfs_report::TEMPLATE,
            eimfs_report::STYLESHEET
        );
        return Ok(());
    }
    let template = args
        .template
        .as_deref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("{}: cannot read the template", p.display())))
        .transpose()?;
    let (Some(file), Some(detections)) = (args.file.as_deref(), args.detections.as_deref()) else {
        anyhow::bail!("eimfs report needs FILE and --detections DIR");
    };
    let stem = eimfs_report::input::stem_of(file);
    let out = args.out.clone().unwrap_or_else(|| detections.join(format!("{stem}_report.html")));
    let data = make_report(file, detections, args.truth.as_deref(), template, args.no_quality, &out, ctx)?;
    let flagged = data.recording.quality.iter().filter(|q| !q.problems.is_empty()).count();
    ctx.info(format!(
        "{} seizure(s) in {}; {} channel(s) with quality notes{}",
        data.seizures.len(),
        eimfs_report::svg::duration_label(data.recording.duration),
        flagged,
        data.evaluation.as_ref().map_or(String::new(), |e| format!(
            "; sensitivity {}, {} false detection(s)/24 h",
            if e.event.sensitivity.is_nan() { "n/a".into() } else { format!("{:.2}", e.event.sensitivity) },
            if e.event.fp_rate.is_nan() { "n/a".into() } else { format!("{:.1}", e.event.fp_rate) }
        ))
    ));
    println!("{}", out.display());
    Ok(())
}
