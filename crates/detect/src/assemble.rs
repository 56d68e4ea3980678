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
//!    neighbour recruits it. Seizures shorter than `min_seizure_seconds` (ACNS: 10 s) are
//!    dropped. This is the grouping the simulator applies to its ground truth with the network's
//!    connections (`eimfs-sim` truth), on scalp regions instead of network nodes.
//! 5. **Onset refinement.** Window features blur the onset by a few seconds; the onset region is
//!    the region of the earliest stretch, ties broken by the earliest one-second rise of line
//!    length over the channel's background (a Page–Hinkley-like first sustained crossing, as the
//!    epileptogenicity index of Bartolomei et al., Brain 2008, does with its energy ratio), then
//!    by probability. The onset electrodes are that region's electrodes whose rise is within 1 s
//!    of the earliest.
//! 6. **Map.** Visits (region, start, end) in order of start, hemisphere switches, overlaps with
//!    other seizures (by id) and generalisation (at some moment ≥ 60 % of the recorded lateral
//!    regions of each hemisphere active at once). Midline stretches (Fz, Cz, Pz) are attributed to
//!    the mesial cortex of one hemisphere: the side whose electrodes are more involved, the lobe of
//!    the leading midline electrode (Fz frontal, Cz central, Pz parietal); only a perfectly
//!    symmetric stretch stays `midline`. The per-second probability table keeps its `midline`
//!    column.

use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};

use crate::model::PostProcess;
use crate::pipeline::Analysis;

/// A stretch continues a seizure when a neighbouring region of it is ictal at the stretch's start
/// or stopped less than this many seconds before (stretch ends are smoothed estimates).
pub const JOIN_TOLERANCE: f64 = 2.0;
/// Threshold on the one-second line-length rise (`log10` ratio to background, ≈ ×1.6) for onset
/// refinement.
pub const ONSET_RISE: f32 = 0.2;
/// Seconds before a stretch searched for its refined onset.
pub const ONSET_LOOKBACK: usize = 8;
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
    for j in 0..h.min(n) {
        add(x[j], &mut sum, &mut cnt, 1);
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
        let ds: Vec<usize> = a.derivations.iter().enumerate().filter(|(_, d)| d.used && d.electrodes.contains(&e)).map(|(i, _)| i).collect();
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
    let electrode: Vec<Option<Vec<f32>>> =
        Electrode::ALL.iter().map(|&e| mean_over(&a.probability, e).map(|p| smooth(&p, smooth_seconds))).collect();
    let onset_activity: Vec<Option<Vec<f32>>> = Electrode::ALL.iter().map(|&e| mean_over(&a.onset_activity, e)).collect();
    let region: Vec<Option<Vec<f32>>> = Region::ALL
        .iter()
        .map(|r| {
            let es: Vec<&Vec<f32>> = r.electrodes().filter_map(|e| electrode[e.index()].as_ref()).collect();
            if es.is_empty() {
                return None;
            }
            Some((0..n).map(|s| es.iter().fold(f32::NAN, |m, p| nan_max(m, p[s]))).collect())
        })
        .collect();
    let overall = (0..n).map(|s| region.iter().flatten().fold(f32::NAN, |m, p| nan_max(m, p[s]))).collect();
    Probabilities { electrode, region, overall, onset_activity }
}

/// One region's ictal stretch `[start, end)` in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stretch {
    /// Region.
    pub region: Region,
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
    pair(Frontal, Central) || pair(Frontal, Temporal) || pair(Central, Temporal) || pair(Central, Parietal) || pair(Temporal, Parietal) || pair(Temporal, Occipital) || pair(Parietal, Occipital)
}

/// A seizure under construction.
#[derive(Clone, Debug)]
struct Building {
    stretches: Vec<Stretch>,
    end: usize,
}

/// Group region stretches into seizures (see the module docs). Returns groups of stretches in
/// order of start.
pub fn group(mut all: Vec<Stretch>) -> Vec<Vec<Stretch>> {
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.mean.total_cmp(&a.mean)).then(a.region.cmp(&b.region)));
    let mut seizures: Vec<Building> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        // Stretches starting in the same second are placed together: each joins a seizure when
        // it can (possibly through another of the batch), the strongest of the rest starts a new
        // seizure that the others may then join.
        let j = i + all[i..].iter().take_while(|s| s.start == all[i].start).count();
        let mut batch: Vec<Stretch> = all[i..j].to_vec();
        while !batch.is_empty() {
            let mut placed = false;
            let mut k = 0;
            while k < batch.len() {
                if let Some(t) = best_seizure(&seizures, &batch[k]) {
                    let st = batch.remove(k);
                    let s = &mut seizures[t];
                    s.end = s.end.max(st.end);
                    s.stretches.push(st);
                    placed = true;
                } else {
                    k += 1;
                }
            }
            if !placed {
                let st = batch.remove(0);
                seizures.push(Building { end: st.end, stretches: vec![st] });
            }
        }
        i = j;
    }
    seizures.into_iter().map(|s| s.stretches).collect()
}

/// The seizure a stretch continues, if any (see the module docs): one with a stretch in a
/// neighbouring region that is ictal when this one starts (within [`JOIN_TOLERANCE`] seconds of
/// its end); the most recently started such neighbour wins.
fn best_seizure(seizures: &[Building], st: &Stretch) -> Option<usize> {
    let a = st.start as f64;
    let mut best: Option<(usize, usize)> = None; // (seizure, start of the recruiting stretch)
    for (i, s) in seizures.iter().enumerate() {
        for x in &s.stretches {
            if x.region != st.region && adjacent(x.region, st.region) && (x.start as f64) <= a && a <= x.end as f64 + JOIN_TOLERANCE {
                if best.is_none_or(|(_, l)| x.start > l) {
                    best = Some((i, x.start));
                }
            }
        }
    }
    best.map(|b| b.0)
}

/// First second in `[from, to)` where `x` rises above `thr` and stays above for 3 of the next 4
/// seconds.
fn first_sustained(x: &[f32], from: usize, to: usize, thr: f32) -> Option<usize> {
    let to = to.min(x.len());
    (from..to).find(|&s| {
        x[s] >= thr && (s..(s + 4).min(x.len())).filter(|&k| x[k] >= thr).count() >= 3.min(x.len() - s)
    })
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
            all.push(Stretch { region: Region::ALL[ri], start: a, end: b, mean });
        }
    }
    let groups = group(all);
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
        m.overlaps = spans
            .iter()
            .enumerate()
            .filter(|&(j, &(a, b))| j != i && a < m.offset && m.onset < b)
            .map(|(j, _)| j + 1)
            .collect();
    }
    maps
}

fn build_map(p: &Probabilities, g: &[Stretch], onset: usize, offset: usize) -> SeizureMap {
    // Refined onset per region among the stretches starting first (within 2 s of the onset).
    let first_start = onset;
    let candidates: Vec<&Stretch> = g.iter().filter(|s| s.start <= first_start + 2).collect();
    let refined = |e: Electrode, s: &Stretch| -> Option<usize> {
        let x = p.onset_activity[e.index()].as_ref()?;
        first_sustained(x, s.start.saturating_sub(ONSET_LOOKBACK), (s.start + 4).min(s.end), ONSET_RISE)
    };
    let early_mean = |e: Electrode, s: &Stretch| -> f32 {
        let Some(x) = p.electrode[e.index()].as_ref() else { return 0.0 };
        let end = (s.start + 5).min(s.end);
        let v: Vec<f32> = x[s.start..end].iter().copied().filter(|v| !v.is_nan()).collect();
        if v.is_empty() { 0.0 } else { v.iter().sum::<f32>() / v.len() as f32 }
    };
    let mut best: Option<(&Stretch, usize, f32)> = None;
    for s in &candidates {
        let t = s.region.electrodes().filter_map(|e| refined(e, s)).min().unwrap_or(s.start + ONSET_LOOKBACK);
        let t = t.min(s.start + ONSET_LOOKBACK);
        let m = s.region.electrodes().map(|e| early_mean(e, s)).fold(0.0, f32::max);
        let better = match best {
            None => true,
            Some((b, bt, bm)) => (s.start, t) < (b.start, bt) || ((s.start, t) == (b.start, bt) && m > bm),
        };
        if better {
            best = Some((s, t, m));
        }
    }
    let (onset_stretch, _, _) = best.expect("at least one stretch starts first");
    let region = onset_stretch.region;
    // Onset electrodes: earliest rise within 1 s; else the most probable electrode.
    let times: Vec<(Electrode, Option<usize>, f32)> =
        region.electrodes().filter(|e| p.electrode[e.index()].is_some()).map(|e| (e, refined(e, onset_stretch), early_mean(e, onset_stretch))).collect();
    let t_min = times.iter().filter_map(|t| t.1).min();
    let mut onset_electrodes: Vec<Electrode> = match t_min {
        Some(t0) => times.iter().filter(|t| t.1.is_some_and(|t1| t1 <= t0 + 1)).map(|t| t.0).collect(),
        None => Vec::new(),
    };
    if onset_electrodes.is_empty() {
        if let Some(t) = times.iter().max_by(|a, b| a.2.total_cmp(&b.2)) {
            onset_electrodes.push(t.0);
        }
    }
    let (region, hemisphere) = if region.hemisphere == Hemisphere::Midline {
        let r = lateralise(p, onset_stretch);
        (r, r.hemisphere)
    } else {
        (region, region.hemisphere)
    };
    let onset_key = (onset_stretch.region, onset_stretch.start);
    let mut visits: Vec<RegionVisit> = g
        .iter()
        .map(|s| RegionVisit { region: if s.region.lobe == Lobe::Midline { lateralise(p, s) } else { s.region }, start: s.start as f64, end: s.end as f64 })
        .collect();
    let onset_visit = g.iter().position(|s| (s.region, s.start) == onset_key).expect("the onset stretch is in its group");
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

/// The lateral region of a midline stretch. The cortex under Fz, Cz and Pz is the mesial surface
/// of one hemisphere or the other. The lobe is that of the most probable midline electrode (Fz
/// frontal, Cz central, Pz parietal); the side is the one whose parasagittal neighbour of that
/// electrode (F3/F4, C3/C4, P3/P4) shows the larger rise of line length over its background in
/// the stretch's first 10 s (a mesial source lies nearer to its own side's electrodes), then the
/// larger probability. Stays midline when both sides are equal.
fn lateralise(p: &Probabilities, s: &Stretch) -> Region {
    let end5 = (s.start + 5).min(s.end);
    let peak = |e: Electrode| -> f32 {
        p.electrode[e.index()].as_ref().map(|x| x[s.start..end5].iter().copied().filter(|v| !v.is_nan()).fold(0.0, f32::max)).unwrap_or(0.0)
    };
    let best = [Electrode::Fz, Electrode::Cz, Electrode::Pz].into_iter().max_by(|a, b| peak(*a).total_cmp(&peak(*b))).expect("three");
    let (lobe, left, right) = match best {
        Electrode::Fz => (Lobe::Frontal, Electrode::F3, Electrode::F4),
        Electrode::Cz => (Lobe::Central, Electrode::C3, Electrode::C4),
        _ => (Lobe::Parietal, Electrode::P3, Electrode::P4),
    };
    let end10 = (s.start + 10).min(s.end);
    let rise = |e: Electrode| -> Option<f32> {
        let x = p.onset_activity[e.index()].as_ref()?;
        let v: Vec<f32> = x[s.start..end10].iter().copied().filter(|v| !v.is_nan()).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
    };
    let side = match (rise(left), rise(right)) {
        (Some(l), Some(r)) if (l - r).abs() > 1e-3 => {
            if l > r {
                Hemisphere::Left
            } else {
                Hemisphere::Right
            }
        }
        _ => {
            let (l, r) = (peak(left), peak(right));
            if (l - r).abs() < 1e-6 {
                Hemisphere::Midline
            } else if l > r {
                Hemisphere::Left
            } else {
                Hemisphere::Right
            }
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
            let mut rs: Vec<Region> = g.iter().filter(|s| s.region.hemisphere == h && s.start <= t && t < s.end).map(|s| s.region).collect();
            rs.sort();
            rs.dedup();
            rs.len()
        };
        active(Hemisphere::Left) as f64 >= GENERALISED_FRACTION * nl as f64 && active(Hemisphere::Right) as f64 >= GENERALISED_FRACTION * nr as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(code: &str) -> Region {
        Region::from_code(code).unwrap()
    }

    fn st(code: &str, start: usize, end: usize) -> Stretch {
        Stretch { region: reg(code), start, end, mean: 0.8 }
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
            vec![vec!["L-frontal", "L-central", "R-frontal", "R-central", "R-temporal"], vec!["R-occipital"], vec!["L-temporal"], vec!["L-central"]]
        );
    }

    fn probabilities(n: usize, electrodes: &[(Electrode, Vec<(usize, usize, f32)>)]) -> Probabilities {
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
        Probabilities { electrode, region, overall, onset_activity: onset }
    }

    #[test]
    fn seizure_maps_from_probabilities() {
        use Electrode::*;
        // T3 from 100 to 160 s with T5 joining at 103 s; the discharge moves to the homologous T4 at
        // 155 s. Independently O2 from 400 to 430 s; a 6 s blip on C3 at 600 s is too short.
        let p = probabilities(
            900,
            &[(T3, vec![(100, 160, 0.9)]), (T5, vec![(103, 150, 0.8)]), (T4, vec![(155, 200, 0.85)]), (O2, vec![(400, 430, 0.9)]), (C3, vec![(600, 608, 0.9)])],
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
    fn generalisation_needs_both_hemispheres() {
        use Electrode::*;
        let all: Vec<(Electrode, Vec<(usize, usize, f32)>)> =
            Electrode::ALL.iter().map(|&e| (e, vec![(if e == T4 { 50 } else { 60 }, 120, 0.9)])).collect();
        let p = probabilities(200, &all);
        let maps = seizures(&p, &PostProcess::default(), 0.0);
        assert_eq!(maps.len(), 1);
        assert!(maps[0].generalised);
        assert_eq!(maps[0].onset_regions, vec![reg("R-temporal")]);
        assert_eq!(maps[0].onset_electrodes, vec![T4]);
        assert_eq!(maps[0].region_sequence().len(), 11);
    }
}
