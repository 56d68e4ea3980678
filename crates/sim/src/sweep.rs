//! Dose–response: seizure burden against the gain-of-function level, against the quinidine block
//! and for each named variant, the simulations run in parallel (rayon; results do not depend on
//! the thread count).
//!
//! Burden is measured on the region dynamics and the truth only (no EEG rendering): seizures per
//! hour and the fraction of time with at least one seizure running.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::cells::population_effects;
use crate::channel::{KnaChannel, Quinidine, Variant};
use crate::cortex::Network;
use crate::dynamic::{self, NetworkParams};
use crate::region::Gains;
use crate::truth;

/// One row of the dose–response table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BurdenRow {
    /// What varies: `gof_level`, `quinidine_block` or `variant` (value = its conductance scale).
    pub axis: String,
    /// Its value.
    pub value: f64,
    /// Variant used.
    pub variant: String,
    /// Quinidine concentration, µM.
    pub quinidine_um: f64,
    /// Population gains (pyramidal, SST, PV).
    pub gains: [f64; 3],
    /// Seeds simulated.
    pub seeds: Vec<u64>,
    /// Seizures per hour (mean over seeds).
    pub seizures_per_hour: f64,
    /// Fraction of time in seizure (mean over seeds).
    pub ictal_fraction: f64,
}

/// Seizure count and ictal-time fraction of one run.
pub fn burden(net: &Network, params: &NetworkParams, gains: Gains, kna: KnaChannel, duration_s: f64, seed: u64) -> Result<(usize, f64)> {
    let tr = dynamic::run(net, params, gains, kna, duration_s, 64.0, seed, None, &mut |_| {})?;
    let eps = truth::episodes(&tr);
    let groups = truth::group(net, &eps);
    let maps = truth::seizure_maps(net, &groups);
    // Union of seizure intervals.
    let mut iv: Vec<(f64, f64)> = maps.iter().map(|m| (m.onset, m.offset)).collect();
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for (a, b) in iv {
        match cur {
            Some((ca, cb)) if a <= cb => cur = Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                cur = Some((a, b));
            }
            None => cur = Some((a, b)),
        }
    }
    if let Some((a, b)) = cur {
        total += b - a;
    }
    Ok((maps.len(), total / duration_s))
}

/// The default sweep: gain-of-function levels and quinidine blocks.
pub fn default_points() -> (Vec<f64>, Vec<f64>) {
    (vec![0.0, 0.5, 0.75, 1.0, 1.25, 1.5], vec![0.0, 0.25, 0.5, 0.75, 0.9])
}

/// Run the sweep: `levels` of [`Variant::gof_level`] without drug, and quinidine `blocks` on the
/// default `gof` variant; each point simulated for `duration_s` with every seed of `seeds`.
pub fn sweep(levels: &[f64], blocks: &[f64], duration_s: f64, seeds: &[u64], params: &NetworkParams) -> Result<Vec<BurdenRow>> {
    let mut points: Vec<(String, f64, Variant, Quinidine)> = Vec::new();
    for &l in levels {
        points.push(("gof_level".into(), l, Variant::gof_level(l), Quinidine::none()));
    }
    for &b in blocks {
        points.push(("quinidine_block".into(), b, Variant::gain_of_function(), Quinidine::for_block(b)));
    }
    run_points(points, duration_s, seeds, params)
}

/// Burden of each of `variants` (axis `variant`, value = its conductance scale) without drug,
/// e.g. [`Variant::published`].
pub fn variants(variants: &[Variant], duration_s: f64, seeds: &[u64], params: &NetworkParams) -> Result<Vec<BurdenRow>> {
    let points = variants.iter().map(|v| ("variant".to_string(), v.g_scale, v.clone(), Quinidine::none())).collect();
    run_points(points, duration_s, seeds, params)
}

fn run_points(
    points: Vec<(String, f64, Variant, Quinidine)>,
    duration_s: f64,
    seeds: &[u64],
    params: &NetworkParams,
) -> Result<Vec<BurdenRow>> {
    let net = Network::infant_default();
    // Cell-level gains per point (each is itself parallel inside).
    let gains: Vec<Gains> = points.iter().map(|(_, _, v, q)| Gains::from_effects(&population_effects(v, *q))).collect();
    let jobs: Vec<(usize, u64)> = (0..points.len()).flat_map(|p| seeds.iter().map(move |&s| (p, s))).collect();
    let results: Vec<Result<(usize, f64)>> = jobs
        .par_iter()
        .map(|&(p, s)| {
            let (_, _, v, q) = &points[p];
            burden(&net, params, gains[p], KnaChannel::new(v, *q), duration_s, s)
        })
        .collect();
    let mut rows = Vec::new();
    for (p, (axis, value, v, q)) in points.iter().enumerate() {
        let mine: Vec<&Result<(usize, f64)>> = jobs.iter().zip(&results).filter(|((pp, _), _)| *pp == p).map(|(_, r)| r).collect();
        let mut n = 0.0;
        let mut f = 0.0;
        for r in &mine {
            match r {
                Ok((c, fr)) => {
                    n += *c as f64;
                    f += fr;
                }
                Err(e) => return Err(crate::Error::InvalidParameter { field: "sweep".into(), message: e.to_string() }),
            }
        }
        let k = mine.len().max(1) as f64;
        rows.push(BurdenRow {
            axis: axis.clone(),
            value: *value,
            variant: v.name.clone(),
            quinidine_um: q.concentration_um,
            gains: [gains[p].pyramidal, gains[p].sst, gains[p].pv],
            seeds: seeds.to_vec(),
            seizures_per_hour: n / k / (duration_s / 3600.0),
            ictal_fraction: f / k,
        });
    }
    Ok(rows)
}
