//! From per-channel probabilities to seizures with their spatial maps.
//!
//! 1. **Electrodes.** The probability of an electrode is the mean over the derivations that
//!    involve it (one for the common average; two neighbouring pairs in a bipolar chain, so the
//!    electrode common to two ictal derivations — the phase-reversal electrode — scores highest),
//!    smoothed by a centred moving average of `smooth_seconds`.
//! 2. **Regions** (lobe × hemisphere, [`Region::ALL`]): the maximum over the region's electrodes.
//!    The overall probability is the maximum over regions.
//! 3. **Region stretches**: hysteresis per region (on at `threshold_on`, off below
//!    `threshold_off`), stretches closer than `gap_close_seconds` joined, shorter than
//!    `min_region_seconds` dropped.
//! 4. **Seizures.** Stretches are taken in order of start. A stretch continues a seizure when a
//!    neighbouring region of that seizure ([`adjacent`]: sharing a border on the scalp, or the
//!    homologous region across the midline) is ictal when it starts (or stopped less than
//!    [`JOIN_TOLERANCE`] s before): the discharge spreads or moves on, recruited by ongoing ictal
//!    activity. Otherwise it starts a **new seizure** — also when another seizure is running
//!    elsewhere; the two then overlap: the ILAE description of EIMFS ("a new seizure may start
//!    elsewhere before the last ends") is reported as two seizures, not one. The same region
//!    becoming ictal again after a pause is new activity, which continues a seizure only if a
//!    neighbour recruits it. Two such seizures that start within [`COEXTENSIVE_TOLERANCE`] s of
//!    each other and also end within it are one discharge seen in places that are not
//!    neighbours — a diffuse or bilateral discharge, or a midline one attributed to the other
//!    hemisphere — and are merged ([`merge_coextensive`]): overlapping EIMFS seizures start and
//!    end at their own times, while a single discharge that starts and stops everywhere at once
//!    would otherwise count twice in the burden. Seizures shorter than `min_seizure_seconds`
//!    (ACNS: 10 s) are dropped. Apart from that merge, this is the grouping the simulator applies
//!    to its ground truth with the network's connections (`eimfs-sim` truth), on scalp regions
//!    instead of network nodes.
//! 5. **Onset.** Window features blur the onset by a few seconds, and the smoothed probabilities
//!    of regions that light up together cross their threshold a few seconds apart; so the onset
//!    region is not simply the first stretch. Among the regions whose stretches start within
//!    [`ONSET_SPREAD`] s of the seizure's onset, the onset electrode is the one whose one-second
//!    line length rises most over its own background from [`ONSET_LOOKBACK`] s before the onset
//!    to [`ONSET_WINDOW`] s after it (the
//!    electrode nearest to the source sees the largest ictal amplitude; line length relative to
//!    background as in the energy ratio of the epileptogenicity index, Bartolomei et al., Brain
//!    2008); its region is the onset region, and the region's other electrodes within
//!    [`ONSET_ELECTRODE_MARGIN`] of it are onset electrodes too.
//! 6. **Map.** Visits (region, start, end) in order of start, hemisphere switches, overlaps with
//!    other seizures (by id) and generalisation (at some moment ≥ 60 % of the recorded lateral
//!    regions of each hemisphere active at once). Midline stretches (Fz, Cz, Pz) are attributed to
//!    the mesial cortex of one hemisphere (the lobe of the leading midline electrode: Fz frontal,
//!    Cz central, Pz parietal), the side by the paradoxical lateralisation of mesial sources (see
//!    `lateralise`); only a perfectly symmetric stretch stays `midline`. The per-second probability table keeps its `midline`
//!    column.

use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};

use crate::model::PostProcess;
use crate::pipeline::Analysis;
use rayon::prelude::*;

/// A stretch continues a seizure when a neighbouring region of it is ictal at the stretch's start
/// or stopped less than this many seconds before (stretch ends are smoothed estimates).
pub const JOIN_TOLERANCE: f64 = 2.0;
/// Seizures (groups of stretches) whose onsets are at most this many seconds apart and whose ends
/// are too are one discharge, merged ([`merge_coextensive`]).
pub const COEXTENSIVE_TOLERANCE: usize = 2;
/// Seconds from a seizure's onset over which its onset electrode is chosen (the loudest rise of
/// line length over the electrode's own background).
pub const ONSET_WINDOW: usize = 6;
/// Seconds before a seizure's (smoothed) onset included in the onset window: the smoothed
/// probability crosses its threshold a second or two after the first ictal second, which in
/// many seizures carries the largest, most focal discharge.
pub const ONSET_LOOKBACK: usize = 3;
/// Region stretches starting at most this many seconds after a seizure's onset are candidates for
/// its onset region (the smoothed probabilities of regions that light up together cross their
/// threshold a few seconds apart).
pub const ONSET_SPREAD: usize = 5;
/// Electrodes of the onset region whose rise is within this much (`log10`, ≈ ×1.26) of the
/// loudest are onset electrodes too.
pub const ONSET_ELECTRODE_MARGIN: f32 = 0.1;
/// Fraction of each hemisphere's recorded lateral regions active at once that makes a seizure
/// generalised.
pub const GENERALISED_FRACTION: f64 = 0.6;

/// Probabilities per second after aggregation.
#[derive(Clone, Debug)]
pub struct Probabilities {
    /// Per electrode ([`Electrode::ALL`] order) and second, smoothed; `None` for electrodes that
    /// are not analysed.
    pub electrode: Vec<Option<Vec<f32>>>,
    /// Per region ([`Region::ALL`] order) and second; `None` for regions without an analysed
    /// electrode.
    pub region: Vec<Option<Vec<f32>>>,
    /// Overall probability per second (NaN where no data).
    pub overall: Vec<f32>,
    /// Per electrode and second: line-length rise over background (unsmoothed).
    pub onset_activity: Vec<Option<Vec<f32>>>,
    /// Per second: products of each midline electrode with its parasagittal neighbours
    /// ([`crate::pipeline::Analysis::midline_products`]).
    pub midline_products: Vec<[[f32; 2]; 3]>,
}

/// Centred moving average of odd width `w`, ignoring NaN (NaN stays NaN).
pub fn smooth(x: &[f32], w: usize) -> Vec<f32> {
    let h = w / 2;
    let n = x.len();
    let mut out = vec![f32::NAN; n];
    let mut sum = 0.0f64;
    let mut cnt = 0usize;
    // Sliding window [i − h, i + h].
    let add = |v: f32, sum: &mut f64, cnt: &mut usize, sign: i32| {
        if !v.is_nan() {
            *sum += sign as f64 * v as f64;
            if sign > 0 {
                *cnt += 1;
            } else {
                *cnt -= 1;
            }
        }
    };
    for &v in &x[..h.min(n)] {
        add(v, &mut sum, &mut cnt, 1);
    }
    for i in 0..n {
        if i + h < n {
            add(x[i + h], &mut sum, &mut cnt, 1);
        }
        if i > h {
            add(x[i - h - 1], &mut sum, &mut cnt, -1);
        }
        if !x[i].is_nan() && cnt > 0 {
            out[i] = (sum / cnt as f64) as f32;
        }
    }
    out
}

fn nan_max(a: f32, b: f32) -> f32 {
    if a.is_nan() {
        b
    } else if b.is_nan() {
        a
    } else {
        a.max(b)
    }
}

/// Aggregate derivation probabilities to electrodes, regions and overall.
pub fn aggregate(a: &Analysis, smooth_seconds: usize) -> Probabilities {
    let n = a.n_seconds;
    let mean_over = |src: &Vec<Vec<f32>>, e: Electrode| -> Option<Vec<f32>> {
        let ds: Vec<usize> =
            a.derivations.iter().enumerate().filter(|(_, d)| d.used && d.electrodes.contains(&e)).map(|(i, _)| i).collect();
        if ds.is_empty() {
            return None;
        }
        Some(
            (0..n)
                .map(|s| {
                    let (mut sum, mut k) = (0.0f32, 0usize);
                    for &d in &ds {
                        let v = src[d][s];
                        if !v.is_nan() {
                            sum += v;
                            k += 1;
                        }
                    }
                    if k == 0 { f32::NAN } else { sum / k as f32 }
                })
                .collect(),
        )
    };
    // Electrodes and regions in parallel (each one's values computed as they would be alone).
    let electrode: Vec<Option<Vec<f32>>> =
        Electrode::ALL.par_iter().map(|&e| mean_over(&a.probability, e).map(|p| smooth(&p, smooth_seconds))).collect();
    let onset_activity: Vec<Option<Vec<f32>>> = Electrode::ALL.par_iter().map(|&e| mean_over(&a.onset_activity, e)).collect();
    let region: Vec<Option<Vec<f32>>> = Region::ALL
        .par_iter()
        .map(|r| {
            let es: Vec<&Vec<f32>> = r.electrodes().filter_map(|e| electrode[e.index()].as_ref()).collect();
            if es.is_empty() {
                return None;
            }
            Some((0..n).map(|s| es.iter().fold(f32::NAN, |m, p| nan_max(m, p[s]))).collect())
        })
        .collect();
    let overall = (0..n).map(|s| region.iter().flatten().fold(f32::NAN, |m, p| nan_max(m, p[s]))).collect();
    Probabilities { electrode, region, overall, onset_activity, midline_products: a.midline_products.clone() }
}

/// One region's ictal stretch `[start, end)` in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stretch {
    /// Region the stretch is attributed to: the scalp region, except for midline stretches,
    /// attributed to the mesial cortex of one hemisphere (see the module docs).
    pub region: Region,
    /// Scalp region whose electrodes showed the stretch (`midline` for Fz, Cz, Pz).
    pub scalp: Region,
    /// First ictal second.
    pub start: usize,
    /// One past the last ictal second.
    pub end: usize,
    /// Mean probability over the stretch.
    pub mean: f32,
}

/// Hysteresis stretches of one probability trace (see the module docs).
pub fn stretches(p: &[f32], on: f64, off: f64, gap_close: f64, min_len: f64) -> Vec<(usize, usize)> {
    let mut raw: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (s, &v) in p.iter().enumerate() {
        let v = if v.is_nan() { 0.0 } else { v as f64 };
        match start {
            None if v >= on => start = Some(s),
            Some(a) if v < off => {
                raw.push((a, s));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        raw.push((a, p.len()));
    }
    // Extend each stretch backwards while the probability stays above `off` (hysteresis is
    // symmetric: the onset is where the rise began, not where it crossed `on`).
    for st in raw.iter_mut() {
        while st.0 > 0 && (p[st.0 - 1] as f64) >= off {
            st.0 -= 1;
        }
    }
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for st in raw {
        match merged.last_mut() {
            Some(last) if (st.0 as f64) - (last.1 as f64) < gap_close => last.1 = last.1.max(st.1),
            _ => merged.push(st),
        }
    }
    merged.retain(|&(a, b)| (b - a) as f64 >= min_len);
    merged
}

/// Regions next to each other on the scalp (sharing a border in the 10-20 layout), plus the
/// homologous region across the midline and the midline strip next to every lateral region it
/// borders.
pub fn adjacent(a: Region, b: Region) -> bool {
    use Lobe::*;
    if a == b {
        return true;
    }
    if a.lobe == Midline || b.lobe == Midline {
        let other = if a.lobe == Midline { b } else { a };
        return matches!(other.lobe, Frontal | Central | Parietal | Midline);
    }
    if a.hemisphere != b.hemisphere {
        return a.lobe == b.lobe;
    }
    let pair = |x: Lobe, y: Lobe| (a.lobe == x && b.lobe == y) || (a.lobe == y && b.lobe == x);
    pair(Frontal, Central)
        || pair(Frontal, Temporal)
        || pair(Central, Temporal)
        || pair(Central, Parietal)
        || pair(Temporal, Parietal)
        || pair(Temporal, Occipital)
        || pair(Parietal, Occipital)
}

/// A seizure under construction.
#[derive(Clone, Debug)]
struct Building {
    stretches: Vec<Stretch>,
    end: usize,
    /// Indices (into `stretches`, in order) of the stretches that may still recruit: those
    /// whose end is within [`JOIN_TOLERANCE`] of the latest start seen.
    live: Vec<usize>,
}

/// Group region stretches into seizures (see the module docs). Returns groups of stretches in
/// order of start.
///
/// Stretches are taken in order of start, so a stretch that ended more than [`JOIN_TOLERANCE`]
/// s before the current start can never recruit again: such stretches (and seizures left with
/// none) are dropped from the search, which keeps the grouping linear in the number of
/// stretches for long recordings (the search order, hence the result, is unchanged).
pub fn group(mut all: Vec<Stretch>) -> Vec<Vec<Stretch>> {
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.mean.total_cmp(&a.mean)).then(a.region.cmp(&b.region)));
    let mut seizures: Vec<Building> = Vec::new();
    // Seizures with a live stretch, in increasing index order.
    let mut active: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        // Stretches starting in the same second are placed together: each joins a seizure when
        // it can (possibly through another of the batch), the strongest of the rest starts a new
        // seizure that the others may then join.
        let start = all[i].start;
        let j = i + all[i..].iter().take_while(|s| s.start == start).count();
        let a = start as f64;
        active.retain(|&t| {
            let s = &mut seizures[t];
            let Building { stretches, live, .. } = s;
            live.retain(|&k| a <= stretches[k].end as f64 + JOIN_TOLERANCE);
            !live.is_empty()
        });
        let mut batch: Vec<Stretch> = all[i..j].to_vec();
        while !batch.is_empty() {
            let mut placed = false;
            let mut k = 0;
            while k < batch.len() {
                if let Some(t) = best_seizure(&seizures, &active, &batch[k]) {
                    let st = batch.remove(k);
                    let s = &mut seizures[t];
                    s.end = s.end.max(st.end);
                    s.live.push(s.stretches.len());
                    s.stretches.push(st);
                    placed = true;
                } else {
                    k += 1;
                }
            }
            if !placed {
                let st = batch.remove(0);
                active.push(seizures.len());
                seizures.push(Building { end: st.end, stretches: vec![st], live: vec![0] });
            }
        }
        i = j;
    }
    seizures.into_iter().map(|s| s.stretches).collect()
}

/// Merge groups that start within [`COEXTENSIVE_TOLERANCE`] s of each other **and** end within
/// it of each other (see the module docs; a group joins a merged one only when it is within the
/// tolerance of every group in it): one discharge seen in places that are not neighbours
/// (a diffuse or bilateral discharge, or a midline one attributed to a hemisphere), not two
/// seizures. Groups stay in order of onset; the stretches of a merged group in order of start.
pub fn merge_coextensive(groups: Vec<Vec<Stretch>>) -> Vec<Vec<Stretch>> {
    let span = |g: &[Stretch]| (g.iter().map(|s| s.start).min().unwrap_or(0), g.iter().map(|s| s.end).max().unwrap_or(0));
    let mut groups: Vec<Vec<Stretch>> = groups.into_iter().filter(|g| !g.is_empty()).collect();
    groups.sort_by_key(|g| span(g).0);
    // Each merged group with the earliest onset and the earliest and latest end of the groups in
    // it: a group joins only when it is within the tolerance of every one of them, so that the
    // ends cannot drift by the tolerance at every step of a chain.
    let mut out: Vec<(Vec<Stretch>, usize, usize, usize)> = Vec::new();
    for g in groups {
        let (a, b) = span(&g);
        // `out` stays in order of onset (a merge keeps the earlier onset): only its last groups,
        // those starting at most the tolerance before this one, can match.
        let mut into = None;
        for (i, (_, oa, lo, hi)) in out.iter().enumerate().rev() {
            if oa + COEXTENSIVE_TOLERANCE < a {
                break;
            }
            if b.abs_diff(*lo) <= COEXTENSIVE_TOLERANCE && b.abs_diff(*hi) <= COEXTENSIVE_TOLERANCE {
                into = Some(i);
                break;
            }
        }
        match into {
            Some(i) => {
                let (o, _, lo, hi) = &mut out[i];
                o.extend(g);
                o.sort_by(|x, y| x.start.cmp(&y.start).then(y.mean.total_cmp(&x.mean)).then(x.region.cmp(&y.region)));
                *lo = (*lo).min(b);
                *hi = (*hi).max(b);
            }
            None => out.push((g, a, b, b)),
        }
    }
    out.into_iter().map(|(g, ..)| g).collect()
}

/// The seizure a stretch continues, if any (see the module docs): one with a stretch in a
/// neighbouring region that is ictal when this one starts (within [`JOIN_TOLERANCE`] seconds of
/// its end); the most recently started such neighbour wins (the first found among equals).
/// Only the `active` seizures' live stretches are searched (see [`group`]).
fn best_seizure(seizures: &[Building], active: &[usize], st: &Stretch) -> Option<usize> {
    let a = st.start as f64;
    let mut best: Option<(usize, usize)> = None; // (seizure, start of the recruiting stretch)
    for &i in active {
        let s = &seizures[i];
        for &k in &s.live {
            let x = &s.stretches[k];
            if x.scalp != st.scalp
                && adjacent(x.region, st.region)
                && (x.start as f64) <= a
                && a <= x.end as f64 + JOIN_TOLERANCE
                && best.is_none_or(|(_, l)| x.start > l)
            {
                best = Some((i, x.start));
            }
        }
    }
    best.map(|b| b.0)
}

/// Assemble seizure maps from the aggregated probabilities.
pub fn seizures(p: &Probabilities, pp: &PostProcess, shift: f64) -> Vec<SeizureMap> {
    let on = (pp.threshold_on + shift).clamp(0.01, 0.99);
    let off = (pp.threshold_off + shift).clamp(0.01, on);
    let mut all = Vec::new();
    for (ri, rp) in p.region.iter().enumerate() {
        let Some(rp) = rp else { continue };
        for (a, b) in stretches(rp, on, off, pp.gap_close_seconds, pp.min_region_seconds) {
            let mean = rp[a..b].iter().filter(|v| !v.is_nan()).sum::<f32>() / (b - a) as f32;
            let scalp = Region::ALL[ri];
            let mut st = Stretch { region: scalp, scalp, start: a, end: b, mean };
            if scalp.lobe == Lobe::Midline {
                // Attributed to one hemisphere before grouping, so that a midline stretch joins
                // only the seizures next to its own side and lobe.
                st.region = lateralise(p, &st, None, a.saturating_sub(ONSET_LOOKBACK), b);
            }
            all.push(st);
        }
    }
    let groups = merge_coextensive(group(all));
    let mut maps: Vec<SeizureMap> = Vec::new();
    for g in groups {
        let onset = g.iter().map(|s| s.start).min().expect("groups are not empty");
        let offset = g.iter().map(|s| s.end).max().expect("groups are not empty");
        if ((offset - onset) as f64) < pp.min_seizure_seconds {
            continue;
        }
        maps.push(build_map(p, &g, onset, offset));
    }
    maps.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    for (i, m) in maps.iter_mut().enumerate() {
        m.id = i + 1;
    }
    // Overlaps.
    let spans: Vec<(f64, f64)> = maps.iter().map(|m| (m.onset, m.offset)).collect();
    for (i, m) in maps.iter_mut().enumerate() {
        m.overlaps = spans.iter().enumerate().filter(|&(j, &(a, b))| j != i && a < m.offset && m.onset < b).map(|(j, _)| j + 1).collect();
    }
    maps
}

fn build_map(p: &Probabilities, g: &[Stretch], onset: usize, offset: usize) -> SeizureMap {
    // Onset: among the regions whose stretches start within ONSET_SPREAD s of the seizure's
    // onset, the electrode with the largest rise of line length over its own background from
    // ONSET_LOOKBACK s before to ONSET_WINDOW s after the onset (the electrode nearest to the source sees the largest ictal
    // amplitude); its region is the onset region.
    let w_start = onset.saturating_sub(ONSET_LOOKBACK);
    let w_end = (onset + ONSET_WINDOW).min(offset).max(onset + 1);
    let rise = |e: Electrode| -> Option<f32> {
        let x = p.onset_activity[e.index()].as_ref()?;
        let v: Vec<f32> = x[w_start..w_end.min(x.len())].iter().copied().filter(|v| !v.is_nan()).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
    };
    let early_mean = |e: Electrode| -> f32 {
        let Some(x) = p.electrode[e.index()].as_ref() else {
            return 0.0;
        };
        let v: Vec<f32> = x[onset..w_end.min(x.len())].iter().copied().filter(|v| !v.is_nan()).collect();
        if v.is_empty() { 0.0 } else { v.iter().sum::<f32>() / v.len() as f32 }
    };
    let mut best: Option<(&Stretch, Electrode, f32, f32)> = None; // (stretch, electrode, rise, probability)
    for s in g.iter().filter(|s| s.start <= onset + ONSET_SPREAD) {
        for e in s.scalp.electrodes().filter(|e| p.electrode[e.index()].is_some()) {
            let (r, m) = (rise(e).unwrap_or(f32::NEG_INFINITY), early_mean(e));
            let better = match best {
                None => true,
                Some((bs, _, br, bm)) => r > br || (r == br && (m > bm || (m == bm && s.start < bs.start))),
            };
            if better {
                best = Some((s, e, r, m));
            }
        }
    }
    let (onset_stretch, onset_electrode, best_rise, _) = match best {
        Some(b) => b,
        // No analysed electrode in the first stretches (cannot happen for stretches built from
        // electrode probabilities): the first stretch and its first electrode.
        None => (&g[0], g[0].region.electrodes().next().expect("regions have electrodes"), f32::NEG_INFINITY, 0.0),
    };
    let mut onset_electrodes: Vec<Electrode> = vec![onset_electrode];
    if best_rise.is_finite() {
        for e in onset_stretch.scalp.electrodes() {
            if e != onset_electrode && rise(e).is_some_and(|r| r >= best_rise - ONSET_ELECTRODE_MARGIN) {
                onset_electrodes.push(e);
            }
        }
    }
    let region = if onset_stretch.scalp.lobe == Lobe::Midline {
        lateralise(p, onset_stretch, Some(onset_electrode), w_start, onset_stretch.end.max(w_end))
    } else {
        onset_stretch.region
    };
    let hemisphere = region.hemisphere;
    let onset_index = g.iter().position(|s| std::ptr::eq(s, onset_stretch)).expect("the onset stretch is in its group");
    let mut visits: Vec<RegionVisit> =
        g.iter().map(|s| RegionVisit { region: s.region, start: s.start as f64, end: s.end as f64 }).collect();
    visits[onset_index].region = region;
    let onset_visit = onset_index;
    let onset_visit = visits[onset_visit].clone();
    visits.sort_by(|a, b| {
        let ka = if *a == onset_visit { 0 } else { 1 };
        let kb = if *b == onset_visit { 0 } else { 1 };
        a.start.total_cmp(&b.start).then(ka.cmp(&kb)).then(a.region.cmp(&b.region))
    });
    let switches = SeizureMap::count_hemisphere_switches(&visits);
    let conf = {
        let v: Vec<f32> = p.overall[onset..offset].iter().copied().filter(|v| !v.is_nan()).collect();
        if v.is_empty() { 0.0 } else { v.iter().sum::<f32>() as f64 / v.len() as f64 }
    };
    SeizureMap {
        id: 0,
        onset: onset as f64,
        offset: offset as f64,
        confidence: Some((conf * 1000.0).round() / 1000.0),
        onset_electrodes,
        onset_regions: vec![region],
        onset_hemisphere: hemisphere,
        hemisphere_switches: switches,
        generalised: generalised(p, g, onset, offset),
        visits,
        overlaps: Vec::new(),
    }
}

/// The lateral region of a midline stretch over seconds `[a, b)`. The cortex under Fz, Cz and Pz
/// is the mesial surface of one hemisphere or the other. The lobe is that of the midline electrode
/// given (the onset electrode), else of the most probable one (Fz frontal, Cz central, Pz
/// parietal).
///
/// The side follows the **paradoxical lateralisation** of mesial sources: the mesial cortex faces
/// the midline, so its dipole points up and towards the *other* hemisphere, whose parasagittal
/// electrode (F3/F4, C3/C4, P3/P4) follows the midline electrode's signal more closely than the
/// electrode over the source does (Cruse et al., Arch Neurol 1982, for the foot area; Adelman et
/// al., Epilepsia 1982, for parasagittal discharges). The side is the one whose parasagittal
/// electrode has the *smaller* in-phase product with the midline signal over the seconds
/// ([`crate::pipeline::Analysis::midline_products`]); callers pass the whole midline stretch (from
/// [`ONSET_LOOKBACK`] s before its start), because the asymmetry is a few per cent of the midline
/// signal and needs the whole discharge, not its first seconds. Without those
/// products (bipolar montages, flat electrodes) the side whose parasagittal electrode is the more
/// probable is taken. Stays midline when both sides are equal.
fn lateralise(p: &Probabilities, s: &Stretch, midline: Option<Electrode>, a: usize, b: usize) -> Region {
    let (a, b) = (a.min(p.overall.len()), b.min(p.overall.len()));
    let peak = |e: Electrode, from: usize, to: usize| -> f32 {
        p.electrode[e.index()]
            .as_ref()
            .map(|x| x[from..to.max(from)].iter().copied().filter(|v| !v.is_nan()).fold(0.0, f32::max))
            .unwrap_or(0.0)
    };
    let end5 = (s.start + 5).min(s.end);
    let m = midline.filter(|e| e.region().lobe == Lobe::Midline).unwrap_or_else(|| {
        [Electrode::Fz, Electrode::Cz, Electrode::Pz]
            .into_iter()
            .max_by(|x, y| peak(*x, s.start, end5).total_cmp(&peak(*y, s.start, end5)))
            .expect("three")
    });
    let k = crate::pipeline::MIDLINE_PAIRS.iter().position(|t| t.0 == m).expect("a midline electrode");
    let (_, left, right) = crate::pipeline::MIDLINE_PAIRS[k];
    let lobe = match m {
        Electrode::Fz => Lobe::Frontal,
        Electrode::Cz => Lobe::Central,
        _ => Lobe::Parietal,
    };
    let (mut sl, mut sr, mut n) = (0.0f64, 0.0f64, 0usize);
    for pr in &p.midline_products[a..b.max(a)] {
        let [l, r] = pr[k];
        if !l.is_nan() && !r.is_nan() {
            sl += l as f64;
            sr += r as f64;
            n += 1;
        }
    }
    let side = if n > 0 && sl != sr {
        if sl > sr { Hemisphere::Right } else { Hemisphere::Left }
    } else {
        let (l, r) = (peak(left, a, b), peak(right, a, b));
        if (l - r).abs() < 1e-6 {
            Hemisphere::Midline
        } else if l > r {
            Hemisphere::Left
        } else {
            Hemisphere::Right
        }
    };
    if side == Hemisphere::Midline { s.region } else { Region::new(lobe, side) }
}

fn generalised(p: &Probabilities, g: &[Stretch], onset: usize, offset: usize) -> bool {
    let recorded = |h: Hemisphere| Region::ALL.iter().enumerate().filter(|(i, r)| r.hemisphere == h && p.region[*i].is_some()).count();
    let (nl, nr) = (recorded(Hemisphere::Left), recorded(Hemisphere::Right));
    if nl == 0 || nr == 0 {
        return false;
    }
    (onset..offset).any(|t| {
        let active = |h: Hemisphere| {
            let mut rs: Vec<Region> =
                g.iter().filter(|s| s.region.hemisphere == h && s.start <= t && t < s.end).map(|s| s.region).collect();
            rs.sort();
            rs.dedup();
            rs.len()
        };
        active(Hemisphere::Left) as f64 >= GENERALISED_FRACTION * nl as f64
            && active(Hemisphere::Right) as f64 >= GENERALISED_FRACTION * nr as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(code: &str) -> Region {
        Region::from_code(code).unwrap()
    }

    fn st(code: &str, start: usize, end: usize) -> Stretch {
        Stretch { region: reg(code), scalp: reg(code), start, end, mean: 0.8 }
    }

    /// The grouping by exhaustive search over every earlier stretch (the definition).
    fn group_exhaustive(mut all: Vec<Stretch>) -> Vec<Vec<Stretch>> {
        all.sort_by(|a, b| a.start.cmp(&b.start).then(b.mean.total_cmp(&a.mean)).then(a.region.cmp(&b.region)));
        let mut seizures: Vec<Vec<Stretch>> = Vec::new();
        let best = |seizures: &[Vec<Stretch>], st: &Stretch| {
            let a = st.start as f64;
            let mut best: Option<(usize, usize)> = None;
            for (i, s) in seizures.iter().enumerate() {
                for x in s {
                    if x.scalp != st.scalp
                        && adjacent(x.region, st.region)
                        && (x.start as f64) <= a
                        && a <= x.end as f64 + JOIN_TOLERANCE
                        && best.is_none_or(|(_, l)| x.start > l)
                    {
                        best = Some((i, x.start));
                    }
                }
            }
            best.map(|b| b.0)
        };
        let mut i = 0;
        while i < all.len() {
            let j = i + all[i..].iter().take_while(|s| s.start == all[i].start).count();
            let mut batch: Vec<Stretch> = all[i..j].to_vec();
            while !batch.is_empty() {
                let mut placed = false;
                let mut k = 0;
                while k < batch.len() {
                    if let Some(t) = best(&seizures, &batch[k]) {
                        seizures[t].push(batch.remove(k));
                        placed = true;
                    } else {
                        k += 1;
                    }
                }
                if !placed {
                    seizures.push(vec![batch.remove(0)]);
                }
            }
            i = j;
        }
        seizures
    }

    #[test]
    fn pruned_grouping_equals_exhaustive_search() {
        // Random stretches, dense (many overlapping, touching and tied starts) and sparse.
        let mut state = 99u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut total_groups = 0;
        for (n, span) in [(40usize, 200u64), (300, 3000), (600, 1500), (200, 20000)] {
            let all: Vec<Stretch> = (0..n)
                .map(|_| {
                    let r = Region::ALL[next(Region::ALL.len() as u64) as usize];
                    let start = next(span) as usize;
                    let len = 1 + next(60) as usize;
                    let region = if r.lobe == Lobe::Midline { Region::ALL[next(Region::ALL.len() as u64) as usize] } else { r };
                    Stretch { region, scalp: r, start, end: start + len, mean: [0.6, 0.7, 0.8][next(3) as usize] }
                })
                .collect();
            let fast = group(all.clone());
            let want = group_exhaustive(all);
            assert_eq!(fast, want);
            assert!(fast.len() > 1 && fast.iter().any(|g| g.len() > 2));
            total_groups += fast.len();
        }
        assert!(total_groups > 100, "{total_groups}");
    }

    #[test]
    fn moving_average_ignores_nan() {
        let x = [0.0, 1.0, 2.0, f32::NAN, 4.0];
        let y = smooth(&x, 3);
        assert_eq!(y[0], 0.5);
        assert_eq!(y[1], 1.0);
        assert_eq!(y[2], 1.5);
        assert!(y[3].is_nan());
        assert_eq!(y[4], 4.0);
        assert_eq!(smooth(&x, 1)[..3], [0.0, 1.0, 2.0]);
    }

    #[test]
    fn hysteresis_gaps_and_minimum_length() {
        // on 0.5, off 0.3: rise at 2 (0.4 ≥ off, extended back), on at 3, dip below off at 8-9,
        // back at 11 (gap 3 s < 4 → joined), end at 16; a 3 s blip at 20 is too short.
        let mut p = vec![0.0f32; 30];
        for (s, v) in [(2, 0.4), (3, 0.6), (4, 0.9), (5, 0.9), (6, 0.9), (7, 0.5), (8, 0.1), (9, 0.1), (10, 0.1)] {
            p[s] = v;
        }
        for v in p.iter_mut().take(16).skip(11) {
            *v = 0.8;
        }
        for v in p.iter_mut().take(23).skip(20) {
            *v = 0.9;
        }
        assert_eq!(stretches(&p, 0.5, 0.3, 4.0, 5.0), vec![(2, 16)]);
        assert_eq!(stretches(&p, 0.5, 0.3, 2.0, 3.0), vec![(2, 8), (11, 16), (20, 23)]);
    }

    #[test]
    fn adjacency_of_regions() {
        assert!(adjacent(reg("L-temporal"), reg("L-central")));
        assert!(adjacent(reg("L-temporal"), reg("R-temporal")));
        assert!(adjacent(reg("midline"), reg("R-parietal")));
        assert!(!adjacent(reg("L-temporal"), reg("R-frontal")));
        assert!(!adjacent(reg("L-frontal"), reg("L-occipital")));
        assert!(!adjacent(reg("midline"), reg("L-occipital")));
    }

    #[test]
    fn spread_migration_and_overlapping_new_seizures() {
        let groups = group(vec![
            // Seizure 1: L-frontal, spreads to L-central, moves to the homologous R-frontal while
            // the left side is still ictal, on to R-central, and R-temporal starts one second
            // after R-central stopped.
            st("L-frontal", 10, 50),
            st("L-central", 20, 60),
            st("R-frontal", 48, 90),
            st("R-central", 85, 100),
            st("R-temporal", 101, 120),
            // Seizure 2: R-occipital at 40 s, while seizure 1 runs but next to none of its
            // active regions → a new, overlapping seizure.
            st("R-occipital", 40, 80),
            // Seizure 3: L-temporal at 200 s, nobody ictal → new.
            st("L-temporal", 200, 230),
            // Seizure 4: L-central at 236 s, 6 s after L-temporal stopped → new.
            st("L-central", 236, 250),
        ]);
        let summary: Vec<Vec<&str>> = groups.iter().map(|g| g.iter().map(|s| s.region.code()).collect()).collect();
        assert_eq!(
            summary,
            vec![
                vec!["L-frontal", "L-central", "R-frontal", "R-central", "R-temporal"],
                vec!["R-occipital"],
                vec!["L-temporal"],
                vec!["L-central"]
            ]
        );
    }

    /// Spans `(start, end, probability)` of one electrode.
    type Spans = Vec<(usize, usize, f32)>;

    fn probabilities(n: usize, electrodes: &[(Electrode, Spans)]) -> Probabilities {
        let mut electrode: Vec<Option<Vec<f32>>> = vec![Some(vec![0.02; n]); 19];
        let mut onset: Vec<Option<Vec<f32>>> = vec![Some(vec![0.0; n]); 19];
        for (e, spans) in electrodes {
            for &(a, b, v) in spans {
                for s in a..b {
                    electrode[e.index()].as_mut().unwrap()[s] = v;
                    onset[e.index()].as_mut().unwrap()[s] = 0.5;
                }
            }
        }
        let region: Vec<Option<Vec<f32>>> = Region::ALL
            .iter()
            .map(|r| {
                let es: Vec<&Vec<f32>> = r.electrodes().map(|e| electrode[e.index()].as_ref().unwrap()).collect();
                Some((0..n).map(|s| es.iter().map(|p| p[s]).fold(0.0, f32::max)).collect())
            })
            .collect();
        let overall = (0..n).map(|s| region.iter().map(|r| r.as_ref().unwrap()[s]).fold(0.0, f32::max)).collect();
        Probabilities { electrode, region, overall, onset_activity: onset, midline_products: vec![[[f32::NAN; 2]; 3]; n] }
    }

    #[test]
    fn seizure_maps_from_probabilities() {
        use Electrode::*;
        // T3 from 100 to 160 s with T5 joining at 103 s; the discharge moves to the homologous T4 at
        // 155 s. Independently O2 from 400 to 430 s; a 6 s blip on C3 at 600 s is too short.
        let p = probabilities(
            900,
            &[
                (T3, vec![(100, 160, 0.9)]),
                (T5, vec![(103, 150, 0.8)]),
                (T4, vec![(155, 200, 0.85)]),
                (O2, vec![(400, 430, 0.9)]),
                (C3, vec![(600, 608, 0.9)]),
            ],
        );
        let pp = PostProcess::default();
        let maps = seizures(&p, &pp, 0.0);
        assert_eq!(maps.len(), 2);
        let m = &maps[0];
        assert_eq!((m.id, m.onset, m.offset), (1, 100.0, 200.0));
        assert_eq!(m.onset_electrodes, vec![T3]);
        assert_eq!(m.onset_regions, vec![reg("L-temporal")]);
        assert_eq!(m.onset_hemisphere, Hemisphere::Left);
        let seq: Vec<&str> = m.region_sequence().iter().map(|r| r.code()).collect();
        assert_eq!(seq, vec!["L-temporal", "R-temporal"]);
        assert_eq!(m.hemisphere_switches, 1);
        assert_eq!(m.inter_onset_delays(), vec![55.0]);
        assert!(!m.generalised);
        assert!(m.overlaps.is_empty());
        // Mean overall probability: 60 s at 0.9 then 40 s at 0.85.
        assert_eq!(m.confidence, Some(0.88));
        let m2 = &maps[1];
        assert_eq!((m2.onset, m2.offset, m2.onset_hemisphere), (400.0, 430.0, Hemisphere::Right));
        assert_eq!(m2.onset_electrodes, vec![O2]);
        // Higher thresholds (low sensitivity) lose nothing here; a shift above 0.9 loses all.
        assert_eq!(seizures(&p, &pp, 0.1).len(), 2);
        assert_eq!(seizures(&p, &pp, 0.45).len(), 0);
    }

    #[test]
    fn overlapping_seizures_are_two_with_cross_references() {
        use Electrode::*;
        // Left temporal 100-200 s; right occipital starts at 150 s while the first runs.
        let p = probabilities(400, &[(T3, vec![(100, 200, 0.9)]), (O2, vec![(150, 230, 0.9)])]);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 2);
        assert_eq!(maps[0].overlaps, vec![2]);
        assert_eq!(maps[1].overlaps, vec![1]);
        assert_eq!(maps[1].onset_regions, vec![reg("R-occipital")]);
    }

    #[test]
    fn a_discharge_starting_and_ending_together_in_distant_regions_is_one_seizure() {
        // Grouping alone: left frontal and temporal from 100 s to 130 s and right occipital and
        // parietal from 100-101 s to 130-131 s are two groups (the two sides are not neighbours).
        // One discharge everywhere at once: the merge makes them one seizure of 100-131 s.
        let all = vec![st("L-frontal", 100, 130), st("R-occipital", 100, 130), st("R-parietal", 101, 131), st("L-temporal", 101, 130)];
        let raw = group(all.clone());
        assert_eq!(raw.len(), 2, "the grouping alone splits it: {raw:?}");
        let merged = merge_coextensive(raw);
        assert_eq!(merged.len(), 1, "{merged:?}");
        let g = &merged[0];
        assert_eq!(g.len(), 4);
        assert!(g.windows(2).all(|w| w[0].start <= w[1].start));
        assert_eq!((g.iter().map(|s| s.start).min(), g.iter().map(|s| s.end).max()), (Some(100), Some(131)));
        // No chain: 130 and 132 within the tolerance, 132 and 134 too, 130 and 134 not: the third
        // group joins neither way round, and the ends of what is merged stay within the tolerance.
        for order in [[(100, 130), (101, 132), (102, 134)], [(100, 130), (101, 134), (102, 132)]] {
            let groups = order.iter().zip(["L-frontal", "R-occipital", "R-frontal"]).map(|(&(a, b), r)| vec![st(r, a, b)]).collect();
            let m = merge_coextensive(groups);
            assert_eq!(m.len(), 2, "{order:?}: {m:?}");
            for g in &m {
                let ends: Vec<usize> = g.iter().map(|s| s.end).collect();
                assert!(ends.iter().max().unwrap() - ends.iter().min().unwrap() <= COEXTENSIVE_TOLERANCE, "{order:?}: {m:?}");
            }
        }
        // Three seconds apart at either end is two seizures.
        let two = merge_coextensive(vec![vec![st("L-frontal", 100, 130)], vec![st("R-occipital", 103, 130)]]);
        assert_eq!(two.len(), 2);
        let two = merge_coextensive(vec![vec![st("L-frontal", 100, 130)], vec![st("R-occipital", 100, 133)]]);
        assert_eq!(two.len(), 2);
        // Through seizure maps: the same discharge on F3 and O2 (not neighbours) is one seizure.
        use Electrode::*;
        let p = probabilities(400, &[(F3, vec![(100, 140, 0.9)]), (O2, vec![(100, 140, 0.9)])]);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 1, "{maps:?}");
        assert!(maps[0].overlaps.is_empty());
        let seq: Vec<&str> = maps[0].region_sequence().iter().map(|r| r.code()).collect();
        assert_eq!(seq.len(), 2, "{seq:?}");
    }

    #[test]
    fn midline_onsets_are_lateralised() {
        use Electrode::*;
        // Cz leads, C4 follows weaker on the right: a right mesial central onset.
        let p = probabilities(300, &[(Cz, vec![(100, 140, 0.9)]), (C4, vec![(102, 140, 0.6)]), (Fz, vec![(103, 130, 0.7)])]);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 1);
        assert_eq!(maps[0].onset_regions, vec![reg("R-central")]);
        assert_eq!(maps[0].onset_hemisphere, Hemisphere::Right);
        assert_eq!(maps[0].onset_electrodes, vec![Cz]);
        assert!(maps[0].visits.iter().all(|v| v.region.hemisphere == Hemisphere::Right), "{:?}", maps[0].visits);
    }

    #[test]
    fn mesial_sources_are_lateralised_paradoxically() {
        use Electrode::*;
        // Fz leads; over its first 6 s F4 follows the Fz signal (in-phase product 40 per second)
        // more than F3 does (−10): the mesial source faces the midline, so it lies under the
        // left hemisphere. Without the products, the more probable parasagittal electrode (F4)
        // decides.
        let mut p = probabilities(300, &[(Fz, vec![(100, 140, 0.9)]), (F4, vec![(104, 140, 0.6)])]);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!((maps[0].onset_regions.clone(), maps[0].onset_electrodes.clone()), (vec![reg("R-frontal")], vec![Fz]));
        for s in 100..106 {
            p.midline_products[s][0] = [-10.0, 40.0];
        }
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps[0].onset_regions, vec![reg("L-frontal")]);
        assert_eq!(maps[0].onset_hemisphere, Hemisphere::Left);
        assert_eq!(maps[0].onset_electrodes, vec![Fz]);
        // The other way round: right.
        for s in 100..106 {
            p.midline_products[s][0] = [40.0, -10.0];
        }
        assert_eq!(seizures(&p, &PostProcess::default(), 0.0)[0].onset_regions, vec![reg("R-frontal")]);
    }

    #[test]
    fn the_onset_electrode_is_the_loudest_rise_not_the_first_crossing() {
        use Electrode::*;
        // O1's probability crosses first (100 s) but its line length barely rises (0.5 over the
        // first 6 s vs 1.2 at T3, which crosses at 103 s, within ONSET_SPREAD): left temporal.
        let mut p = probabilities(300, &[(O1, vec![(100, 140, 0.9)]), (T3, vec![(103, 150, 0.9)])]);
        for s in 100..110 {
            p.onset_activity[T3.index()].as_mut().unwrap()[s] = 1.2;
        }
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 1);
        assert_eq!(
            (maps[0].onset, maps[0].onset_regions.clone(), maps[0].onset_electrodes.clone()),
            (100.0, vec![reg("L-temporal")], vec![T3])
        );
        // Starting 6 s later it is too late to be the onset.
        let mut q = probabilities(300, &[(O1, vec![(100, 140, 0.9)]), (T3, vec![(106, 150, 0.9)])]);
        for s in 100..110 {
            q.onset_activity[T3.index()].as_mut().unwrap()[s] = 1.2;
        }
        assert_eq!(seizures(&q, &PostProcess::default(), 0.0)[0].onset_regions, vec![reg("L-occipital")]);
    }

    #[test]
    fn generalisation_needs_both_hemispheres() {
        use Electrode::*;
        let all: Vec<(Electrode, Spans)> = Electrode::ALL.iter().map(|&e| (e, vec![(if e == T4 { 50 } else { 60 }, 120, 0.9)])).collect();
        let p = probabilities(200, &all);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 1);
        assert!(maps[0].generalised);
        assert_eq!(maps[0].onset_regions, vec![reg("R-temporal")]);
        assert_eq!(maps[0].onset_electrodes, vec![T4]);
        assert_eq!(maps[0].region_sequence().len(), 11);
    }
}
