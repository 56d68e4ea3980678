//! `eimfs simulate`: simulate infant EEG with migrating focal seizures (and its sub-commands
//! `cells`, `sweep`, `regions`, `leadfield`).

use std::path::PathBuf;

use anyhow::Context as _;
use eimfs_sim::cells::{CellType, FiCurve, fi_curve, population_effects};
use eimfs_sim::channel::{Quinidine, Variant};
use eimfs_sim::output::{Config, simulate};
use eimfs_sim::scenario::{Scenario, parse_duration};

use crate::Ctx;

/// Arguments of `eimfs simulate`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub sub: Option<Sub>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Sub-commands of `eimfs simulate`.
#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// f–I curves of the model's neurons: wild type against a variant.
    Cells(CellsArgs),
    /// Dose–response: seizure burden against the gain-of-function level and the quinidine block.
    Sweep(SweepArgs),
    /// List the regions of the network (labels, scalp regions, electrodes, positions).
    Regions(RegionsArgs),
    /// Write the lead field of the infant head model in the `--leadfield` file format.
    Leadfield(LeadfieldArgs),
}

/// Options of a simulation run.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Duration: seconds, or with a unit (`90s`, `30m`, `2h`).
    #[arg(long, default_value = "2h", value_name = "DURATION", allow_hyphen_values = true)]
    pub duration: String,
    /// Random seed (the same seed gives the same files on any machine).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// KCNT1 variant: `wt`, `gof`, a published variant (`R428Q`, `A934T`, `G288S`), `gof@LEVEL` or
    /// `custom:g=SCALE,half=MM,f0=FRACTION`.
    #[arg(long, default_value = "gof")]
    pub variant: String,
    /// Quinidine concentration at the channel, µM (IC50 100 µM).
    #[arg(long, default_value_t = 0.0, value_name = "UM", allow_negative_numbers = true)]
    pub quinidine: f64,
    /// Output sampling rate, Hz (≥ 64).
    #[arg(long, default_value_t = 256.0, allow_negative_numbers = true)]
    pub fs: f64,
    /// Output directory.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,
    /// Base name of the output files (default: `sim_<variant>_seed<seed>`).
    #[arg(long)]
    pub name: Option<String>,
    /// Scenario mode: place seizures as a TOML file says (see docs/simulator.md).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// A TVB connectivity zip (e.g. tvb-data's connectivity_76.zip) instead of the default infant cortex.
    #[arg(long, value_name = "ZIP")]
    pub connectivity: Option<PathBuf>,
    /// A lead-field file (sensors × regions, see docs/simulator.md) instead of the spherical head.
    #[arg(long, value_name = "FILE")]
    pub leadfield: Option<PathBuf>,
    /// Mains frequency of the line-noise artefacts, Hz.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(50..=60))]
    pub mains: u32,
    /// No artefacts (amplifier noise only).
    #[arg(long)]
    pub no_artefacts: bool,
    /// Multiply all artefact rates by this factor.
    #[arg(long, default_value_t = 1.0, value_name = "X", allow_negative_numbers = true)]
    pub artefact_rate: f64,
    /// Synaptic kinetics factor of the regions in [0.1, 2]: the ictal rhythm is ≈ 7·K Hz
    /// (default: drawn from the seed between 0.25 and 1).
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub kinetics: Option<f64>,
    /// Background maturity in [0, 1]: 0 = neonatal spectrum, 1 = older infant (default: drawn
    /// from the seed).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub maturity: Option<f64>,
    /// Slow-wave dominance of the background in [0, 5]: amplitude of a 0.7 Hz sub-delta
    /// component relative to the calibrated background (default: drawn from the seed, 0–2.5).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub slow_dominance: Option<f64>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `eimfs simulate cells`.
#[derive(clap::Args, Debug)]
pub struct CellsArgs {
    /// Variant compared with the wild type.
    #[arg(long, default_value = "gof")]
    pub variant: String,
    /// Quinidine concentration for the variant, µM.
    #[arg(long, default_value_t = 0.0, value_name = "UM", allow_negative_numbers = true)]
    pub quinidine: f64,
    /// Largest injected current, µA/cm².
    #[arg(long, default_value_t = 8.0)]
    pub max_current: f64,
    /// Number of current steps.
    #[arg(long, default_value_t = 17)]
    pub steps: usize,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    /// Also write an SVG plot of the curves to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Arguments of `eimfs simulate sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Simulated duration per point.
    #[arg(long, default_value = "2h", allow_hyphen_values = true)]
    pub duration: String,
    /// Seeds per point (1..=N).
    #[arg(long, default_value_t = 2)]
    pub seeds: u64,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `eimfs simulate regions`.
#[derive(clap::Args, Debug)]
pub struct RegionsArgs {
    /// A TVB connectivity zip instead of the default infant cortex.
    #[arg(long, value_name = "ZIP")]
    pub connectivity: Option<PathBuf>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `eimfs simulate leadfield`.
#[derive(clap::Args, Debug)]
pub struct LeadfieldArgs {
    /// Output file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A TVB connectivity zip instead of the default infant cortex.
    #[arg(long, value_name = "ZIP")]
    pub connectivity: Option<PathBuf>,
    /// Also print the first N series coefficients cₙ of the head model as JSON on stdout (for
    /// cross-checks).
    #[arg(long, value_name = "N")]
    pub series: Option<usize>,
}

/// A positive duration argument: seconds, or `90s`, `30m`, `2h`, `1h30m`.
pub(crate) fn duration_arg(s: &str) -> anyhow::Result<f64> {
    let d = parse_duration(s).map_err(|m| anyhow::anyhow!("invalid parameter `duration`: {m}"))?;
    anyhow::ensure!(d > 0.0, "invalid parameter `duration`: must be positive, got {s}");
    Ok(d)
}

fn network(conn: &Option<PathBuf>) -> anyhow::Result<eimfs_sim::cortex::Network> {
    Ok(match conn {
        None => eimfs_sim::cortex::Network::infant_default(),
        Some(p) => {
            let c = eimfs_sim::connectivity::Connectivity::from_tvb_zip(p)?;
            eimfs_sim::cortex::Network::from_connectivity(c, &p.display().to_string())?
        }
    })
}

/// Run `eimfs simulate`.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match args.sub {
        Some(Sub::Cells(a)) => cells(a, ctx),
        Some(Sub::Sweep(a)) => sweep(a, ctx),
        Some(Sub::Regions(a)) => regions(a),
        Some(Sub::Leadfield(a)) => leadfield(a, ctx),
        None => run_sim(args.run, ctx),
    }
}

fn run_sim(a: RunArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let variant = Variant::parse(&a.variant)?;
    anyhow::ensure!(a.mains == 50 || a.mains == 60, "invalid parameter `mains`: 50 or 60 Hz, got {}", a.mains);
    let net = network(&a.connectivity)?;
    let scenario = match &a.scenario {
        Some(p) => Some(Scenario::read(p, &net)?),
        None => None,
    };
    let duration = if a.duration == "2h" && scenario.as_ref().and_then(|s| s.duration).is_some() {
        scenario.as_ref().and_then(|s| s.duration).unwrap_or(7200.0)
    } else {
        duration_arg(&a.duration)?
    };
    anyhow::ensure!(a.fs.is_finite() && a.fs >= 64.0, "invalid parameter `fs`: must be at least 64 Hz, got {}", a.fs);
    anyhow::ensure!(
        a.artefact_rate.is_finite() && a.artefact_rate >= 0.0,
        "invalid parameter `artefact-rate`: must be >= 0, got {}",
        a.artefact_rate
    );
    let name = a.name.clone().unwrap_or_else(|| format!("sim_{}_seed{}", variant.name.replace([':', '@', ',', '='], "_"), a.seed));
    anyhow::ensure!(!name.is_empty() && !name.contains('/'), "invalid parameter `name`: `{name}` (no slashes)");
    let mut cfg = Config {
        duration_s: duration,
        seed: a.seed,
        fs: a.fs,
        variant,
        quinidine_um: a.quinidine,
        scenario,
        connectivity: a.connectivity.clone(),
        leadfield: a.leadfield.clone(),
        kinetics: a.kinetics,
        background_maturity: a.maturity,
        background_slow_dominance: a.slow_dominance,
        ..Config::default()
    };
    cfg.artefacts.enabled = !a.no_artefacts;
    cfg.artefacts.mains_hz = a.mains as f64;
    cfg.artefacts.rate_scale = a.artefact_rate;
    let bar = ctx.bar(1000, "simulate");
    let t0 = std::time::Instant::now();
    let out = simulate(&cfg, &mut |f, stage| {
        bar.set_message(stage.to_string());
        bar.set_position((f * 1000.0) as u64);
    })?;
    bar.set_message("writing");
    let paths = out.write(&a.out, &name)?;
    bar.finish_and_clear();
    let t = &out.truth;
    let n = t.seizures.len();
    let migrating = t.seizures.iter().filter(|s| s.migrates()).count();
    let overlapping = t.seizures.iter().filter(|s| !s.overlaps.is_empty()).count();
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "files": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "duration_s": duration,
                "seizures": n,
                "migrating": migrating,
                "overlapping": overlapping,
                "artefacts": t.artefacts.len(),
                "wall_s": t0.elapsed().as_secs_f64(),
            }))?
        );
    } else {
        ctx.info(format!(
            "{}: {:.0} s simulated in {:.1} s: {n} seizures ({migrating} migrating, {overlapping} overlapping), {} artefacts",
            paths[0].display(),
            duration,
            t0.elapsed().as_secs_f64(),
            t.artefacts.len()
        ));
        for p in &paths[1..] {
            ctx.info(format!("  {}", p.display()));
        }
    }
    Ok(())
}

fn cells(a: CellsArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let variant = Variant::parse(&a.variant)?;
    anyhow::ensure!(a.steps >= 2 && a.steps <= 200, "invalid parameter `steps`: 2..=200");
    anyhow::ensure!(a.max_current.is_finite() && a.max_current > 0.0, "invalid parameter `max-current`: must be positive");
    let drug = Quinidine::micromolar(a.quinidine);
    let currents: Vec<f64> = (0..a.steps).map(|k| a.max_current * k as f64 / (a.steps - 1) as f64).collect();
    ctx.info("computing f–I curves (1 s steps after 2 s at rest) …");
    let mut curves: Vec<(FiCurve, FiCurve)> = Vec::new();
    for cell in CellType::ALL {
        let wt = fi_curve(cell, &Variant::wild_type(), Quinidine::none(), &currents);
        let var = fi_curve(cell, &variant, drug, &currents);
        curves.push((wt, var));
    }
    let effects = population_effects(&variant, drug);
    if let Some(p) = &a.svg {
        std::fs::write(p, svg_plot(&curves, &variant.name)).with_context(|| format!("writing {}", p.display()))?;
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "variant": variant,
                "quinidine_um": a.quinidine,
                "curves": curves.iter().flat_map(|(w, v)| [w, v]).collect::<Vec<_>>(),
                "population_effects": effects,
            }))?
        );
        return Ok(());
    }
    println!("variant {} ({}), quinidine {} µM", variant.name, variant.source, a.quinidine);
    for (wt, var) in &curves {
        println!();
        println!(
            "{} cell: rheobase {:.2} → {:.2} µA/cm², resting [Na]i {:.1} → {:.1} mM, Vrest {:.1} → {:.1} mV",
            wt.cell.name(),
            wt.rheobase,
            var.rheobase,
            wt.resting_na,
            var.resting_na,
            wt.resting_v,
            var.resting_v
        );
        println!("  I (µA/cm²)   wt (Hz)  {:>7} (Hz)   change", var.variant);
        let maxr = wt.rate.iter().chain(&var.rate).cloned().fold(1.0, f64::max);
        for k in 0..wt.current.len() {
            let bar = |r: f64, c: char| std::iter::repeat_n(c, (r / maxr * 30.0).round() as usize).collect::<String>();
            let change = if wt.rate[k] > 0.0 { format!("{:+.0} %", 100.0 * (var.rate[k] / wt.rate[k] - 1.0)) } else { "".into() };
            println!("  {:9.2} {:9.0} {:12.0}   {:>7}  {}", wt.current[k], wt.rate[k], var.rate[k], change, bar(wt.rate[k], '#'));
            println!("  {:9} {:9} {:12}   {:>7}  {}", "", "", "", "", bar(var.rate[k], '*'));
        }
    }
    println!();
    println!("population gains at the operating point (variant / wild type), used by the region model:");
    for e in &effects {
        println!(
            "  {:10} operating input {:5.2} µA/cm²: {:5.1} → {:5.1} Hz, gain {:.3}",
            e.cell.name(),
            e.operating_current,
            e.rate_wt,
            e.rate_variant,
            e.gain
        );
    }
    println!("(# wild type, * {})", variant.name);
    Ok(())
}

fn svg_plot(curves: &[(FiCurve, FiCurve)], name: &str) -> String {
    let (w, h) = (900.0, 300.0);
    let mut s =
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n");
    let pw = w / 3.0;
    for (k, (wt, var)) in curves.iter().enumerate() {
        let x0 = k as f64 * pw + 45.0;
        let (pw_in, ph_in, y0) = (pw - 60.0, h - 70.0, 30.0);
        let maxi = wt.current.last().copied().unwrap_or(1.0).max(1e-9);
        let maxr = wt.rate.iter().chain(&var.rate).cloned().fold(1.0, f64::max);
        s.push_str(&format!("<text x=\"{}\" y=\"18\" text-anchor=\"middle\">{} cell</text>\n", x0 + pw_in / 2.0, wt.cell.name()));
        s.push_str(&format!("<rect x=\"{x0}\" y=\"{y0}\" width=\"{pw_in}\" height=\"{ph_in}\" fill=\"none\" stroke=\"#999\"/>\n"));
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">I (µA/cm²), 0–{maxi}</text>\n",
            x0 + pw_in / 2.0,
            y0 + ph_in + 20.0
        ));
        s.push_str(&format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{maxr:.0} Hz</text>\n", x0 - 4.0, y0 + 10.0));
        for (c, col) in [(wt, "#1f77b4"), (var, "#d62728")] {
            let pts: Vec<String> = c
                .current
                .iter()
                .zip(&c.rate)
                .map(|(i, r)| format!("{:.1},{:.1}", x0 + i / maxi * pw_in, y0 + ph_in - r / maxr * ph_in))
                .collect();
            s.push_str(&format!("<polyline fill=\"none\" stroke=\"{col}\" stroke-width=\"2\" points=\"{}\"/>\n", pts.join(" ")));
        }
    }
    s.push_str(&format!(
        "<text x=\"10\" y=\"{}\" fill=\"#1f77b4\">wild type</text><text x=\"90\" y=\"{}\" fill=\"#d62728\">{name}</text>\n",
        h - 8.0,
        h - 8.0
    ));
    s.push_str("</svg>\n");
    s
}

fn sweep(a: SweepArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let d = duration_arg(&a.duration)?;
    anyhow::ensure!(a.seeds >= 1 && a.seeds <= 100, "invalid parameter `seeds`: 1..=100");
    let seeds: Vec<u64> = (1..=a.seeds).collect();
    let (levels, blocks) = eimfs_sim::sweep::default_points();
    // `wt` and `gof` are already the levels 0 and 1 of the first axis.
    let published = eimfs_sim::channel::Variant::published();
    ctx.info(format!("{} simulations of {:.0} s in parallel …", (levels.len() + blocks.len() + published.len()) * seeds.len(), d));
    let params = eimfs_sim::dynamic::NetworkParams::default();
    let mut rows = eimfs_sim::sweep::sweep(&levels, &blocks, d, &seeds, &params)?;
    rows.extend(eimfs_sim::sweep::variants(&published, d, &seeds, &params)?);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:>16} {:>7} {:>8} {:>10} {:>22} {:>13} {:>10}",
        "axis", "value", "variant", "quin (µM)", "gains pyr/sst/pv", "seizures/h", "ictal %"
    );
    for r in &rows {
        println!(
            "{:>16} {:>7.2} {:>8} {:>10.1} {:>22} {:>13.2} {:>10.2}",
            r.axis,
            r.value,
            r.variant,
            r.quinidine_um,
            format!("{:.2}/{:.2}/{:.2}", r.gains[0], r.gains[1], r.gains[2]),
            r.seizures_per_hour,
            100.0 * r.ictal_fraction
        );
    }
    Ok(())
}

fn regions(a: RegionsArgs) -> anyhow::Result<()> {
    let net = network(&a.connectivity)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&net.regions)?);
        return Ok(());
    }
    println!("{} ({} regions)", net.source, net.len());
    for r in &net.regions {
        println!(
            "{:24} {:12} {:4} ({:6.1}, {:6.1}, {:6.1}) mm",
            r.label,
            r.region.code(),
            r.electrode.name(),
            r.position[0],
            r.position[1],
            r.position[2]
        );
    }
    Ok(())
}

fn leadfield(a: LeadfieldArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let net = network(&a.connectivity)?;
    let head = eimfs_sim::head::SphereHead::infant();
    let pos: Vec<[f64; 3]> = net.regions.iter().map(|r| r.position).collect();
    let ori: Vec<[f64; 3]> = net.regions.iter().map(|r| r.orientation).collect();
    let mut lf = head.lead_field(&pos, &ori);
    lf.source_labels = net.regions.iter().map(|r| r.label.clone()).collect();
    std::fs::write(&a.out, lf.to_tsv()).with_context(|| format!("writing {}", a.out.display()))?;
    if let Some(n) = a.series {
        println!(
            "{}",
            serde_json::to_string(
                &serde_json::json!({ "radii_mm": head.radii, "sigmas": head.sigmas, "coefficients": head.coefficients(n) })
            )?
        );
    }
    ctx.info(format!("{}: 19 × {} gains (µV per nA·m, linked-mastoid reference)", a.out.display(), lf.n_sources));
    Ok(())
}
