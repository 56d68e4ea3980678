//! Seizure burden and the migration verdict of a recording.
//!
//! **Burden.** Seizures per hour in consecutive clock hours from the recording start (a seizure
//! counts in the hour of its onset; seizure time is split between hours), total seizure time
//! (time covered by at least one seizure, so overlapping seizures are not counted twice), the
//! longest seizure. Rates and fractions are over the **analysed** EEG: the gaps of an EDF+D file
//! and seconds in which every electrode is flat are not recorded time (a 30-s file with a 15-s
//! gap in the middle is 30 s of EEG, not 45).
//!
//! **Clusters** ([`CLUSTER_GAP_SECONDS`], [`CLUSTER_MIN_SEIZURES`]): seizures are chained while
//! each starts less than 10 minutes after the end of all earlier ones (overlapping seizures chain
//! at once); a chain of at least 3 seizures is a cluster. EIMFS infants have clusters of 5–30
//! seizures several times a day (ILAE; Coppola 1995); 10 minutes is the inter-seizure interval
//! the project's simulator tests use for clustering.
//!
//! **Status epilepticus** (two documented criteria, either suffices):
//! * a single seizure lasting at least [`SE_SINGLE_SECONDS`] = 5 min: the operational time t1 of
//!   the ILAE 2015 definition of convulsive status epilepticus (Trinka et al., Epilepsia
//!   2015;56:1515–1523);
//! * seizures summing to at least [`SE_BURDEN_SECONDS`] = 30 min within any 60-min window (a
//!   seizure burden of 50 % of an hour): the neonatal definition of status epilepticus of the
//!   ACNS standardised terminology (Tsuchida et al., J Clin Neurophysiol 2013;30:161–173).
//!
//! An episode spans from the first to the last seizure second of the qualifying seizure or hour
//! windows; overlapping or touching episodes are merged.
//!
//! **Migration verdict.** The EEG of EIMFS shows seizures arising independently in different
//! regions of both hemispheres and ictal activity moving from one region to another within a
//! seizure (ILAE; Coppola 1995). The verdict weighs:
//! * distinct onset regions, counting a region only when it is the onset of at least
//!   [`MIN_ONSETS_PER_REGION`] seizures (2, or 1 when fewer than 5 seizures were found) — one
//!   mislocalised onset does not make a single-focus recording multifocal;
//! * onsets in both hemispheres: each hemisphere has at least [`MIN_ONSETS_PER_REGION`] onsets and
//!   at least 15 % of them;
//! * seizures that move within themselves: at least two regions visited, the ictal activity
//!   reaching a region that is not next to the onset region (or crossing to the other hemisphere)
//!   at least [`MIGRATION_MIN_DELAY`] seconds after onset, or leaving the onset region while it
//!   goes on elsewhere; only visits lasting at least [`MIGRATION_MIN_VISIT`] seconds count;
//! * the delays between successive ictal activities (within seizures: between new regions;
//!   between seizures: successive onsets).
//!
//! `migrating` when (a) onsets in both hemispheres and ≥ 2 onset regions, or (b) ≥ 3 onset
//! regions, or (c) at least 2 seizures (and ≥ 20 % of them) move within themselves. Otherwise
//! `not_migrating` when at least 2 seizures were found (a single focus, or spread to neighbours
//! only), `insufficient_evidence` with 1 seizure, `no_seizures` with none.

use chrono::NaiveDateTime;
use eimfs_core::{Hemisphere, Region, SeizureMap};
use serde::Serialize;

use crate::assemble::adjacent;

/// A seizure starting less than this after the end of the previous ones continues a cluster.
pub const CLUSTER_GAP_SECONDS: f64 = 600.0;
/// Seizures needed for a cluster.
pub const CLUSTER_MIN_SEIZURES: usize = 3;
/// A single seizure at least this long is status epilepticus (ILAE 2015 t1, convulsive).
pub const SE_SINGLE_SECONDS: f64 = 300.0;
/// Summed seizure time within any [`SE_WINDOW_SECONDS`] that makes status epilepticus.
pub const SE_BURDEN_SECONDS: f64 = 1800.0;
/// Window of the burden criterion.
pub const SE_WINDOW_SECONDS: usize = 3600;
/// Onsets a region needs to count as an onset region (with ≥ 5 seizures).
pub const MIN_ONSETS_PER_REGION: usize = 2;
/// Delay after onset from which reaching a distant region counts as migration, seconds.
pub const MIGRATION_MIN_DELAY: f64 = 5.0;
/// Shortest ictal activity in a region that counts as a visit for migration, seconds: an
/// electrographic seizure lasts at least 10 s (ACNS critical care EEG terminology, Hirsch et al.,
/// J Clin Neurophysiol 2021, 38:1); briefer involvement of a distant region is more often an
/// artefact, a background burst or volume conduction than ictal activity of its own.
pub const MIGRATION_MIN_VISIT: f64 = 10.0;

/// Seizures in one hour of the recording.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HourBin {
    /// Hour index from the recording start.
    pub hour: usize,
    /// Start, seconds from the recording start.
    pub start: f64,
    /// Wall-clock start.
    pub start_time: String,
    /// Seconds of analysed EEG in this clock hour (the last is usually shorter; gaps and
    /// all-flat seconds excluded).
    pub recorded_seconds: f64,
    /// Seizures starting in this hour.
    pub seizures: usize,
    /// Seizure time in this hour (union of seizures), seconds.
    pub seizure_seconds: f64,
}

/// A cluster of seizures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// Onset of the first seizure, seconds.
    pub start: f64,
    /// Offset of the last seizure, seconds.
    pub end: f64,
    /// Number of seizures.
    pub seizures: usize,
    /// Their ids.
    pub ids: Vec<usize>,
    /// Median time from one seizure's onset to the next, seconds.
    pub median_interval: Option<f64>,
}

/// A status epilepticus episode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusEpisode {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Which criteria apply: `single seizure >= 5 min`, `>= 30 min of seizures within 60 min`.
    pub criteria: Vec<String>,
    /// Seizure time within the episode (union), seconds.
    pub seizure_seconds: f64,
    /// Ids of the seizures in the episode.
    pub ids: Vec<usize>,
}

/// Summary statistics of a list of delays.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delays {
    /// Number of delays.
    pub n: usize,
    /// Median, seconds.
    pub median: Option<f64>,
    /// 25th percentile, seconds.
    pub p25: Option<f64>,
    /// 75th percentile, seconds.
    pub p75: Option<f64>,
    /// All values, seconds.
    pub values: Vec<f64>,
}

impl Delays {
    fn of(mut values: Vec<f64>) -> Delays {
        values.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| -> Option<f64> {
            if values.is_empty() {
                return None;
            }
            let pos = p * (values.len() - 1) as f64;
            let i = pos.floor() as usize;
            let f = pos - i as f64;
            Some(if i + 1 < values.len() { values[i] * (1.0 - f) + values[i + 1] * f } else { values[i] })
        };
        Delays { n: values.len(), median: q(0.5), p25: q(0.25), p75: q(0.75), values }
    }
}

/// Onset count of one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OnsetCount {
    /// Region.
    pub region: Region,
    /// Seizures starting there.
    pub seizures: usize,
}

/// The migration verdict with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Migration {
    /// `migrating`, `not_migrating`, `insufficient_evidence` or `no_seizures`.
    pub verdict: String,
    /// The rules that decided, in words.
    pub reasons: Vec<String>,
    /// Onsets per region (regions with at least one onset, most first).
    pub onset_regions: Vec<OnsetCount>,
    /// Regions counted as onset regions (see the module docs).
    pub distinct_onset_regions: usize,
    /// Onsets in the left hemisphere.
    pub left_onsets: usize,
    /// Onsets in the right hemisphere.
    pub right_onsets: usize,
    /// Onsets on the midline.
    pub midline_onsets: usize,
    /// Onsets in both hemispheres (see the module docs).
    pub both_hemispheres: bool,
    /// Ids of the seizures that move within themselves.
    pub moving_seizures: Vec<usize>,
    /// Seizures with at least one hemisphere switch.
    pub seizures_switching_hemisphere: usize,
    /// Delays between new regions within seizures (inter-onset delays).
    pub within_seizure_delays: Delays,
    /// Delays between successive seizure onsets.
    pub between_seizure_delays: Delays,
    /// Fraction of successive seizures whose onset region differs from the previous one's.
    pub onset_shift_fraction: Option<f64>,
}

/// The recording-level summary written to `<stem>_summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Seizures found.
    pub seizure_count: usize,
    /// Analysed EEG, hours (gaps and all-flat seconds excluded).
    pub hours: f64,
    /// Seizures per hour of analysed EEG.
    pub seizures_per_hour: f64,
    /// Per clock hour from the start.
    pub hourly: Vec<HourBin>,
    /// Analysed seconds covered by at least one seizure.
    pub total_seizure_seconds: f64,
    /// `total_seizure_seconds` over the analysed duration.
    pub seizure_fraction: f64,
    /// Id of the longest seizure.
    pub longest_seizure_id: Option<usize>,
    /// Duration of the longest seizure, seconds.
    pub longest_seizure_seconds: Option<f64>,
    /// Median seizure duration, seconds.
    pub median_seizure_seconds: Option<f64>,
    /// Seizures that overlap another one in time.
    pub overlapping_seizures: usize,
    /// Seizures that generalise.
    pub generalised_seizures: usize,
    /// The cluster rule in words.
    pub cluster_rule: String,
    /// Clusters.
    pub clusters: Vec<Cluster>,
    /// The status epilepticus definition in words.
    pub status_epilepticus_definition: String,
    /// Status epilepticus episodes.
    pub status_epilepticus: Vec<StatusEpisode>,
    /// The migration verdict.
    pub migration: Migration,
}

/// Per-second mask of seizure time (union of seizures) over `n` seconds.
fn mask(seizures: &[SeizureMap], n: usize) -> Vec<bool> {
    let mut m = vec![false; n];
    for s in seizures {
        let a = (s.onset.max(0.0).floor() as usize).min(n);
        let b = (s.offset.max(0.0).ceil() as usize).min(n);
        m[a..b].iter_mut().for_each(|v| *v = true);
    }
    m
}

/// Clusters by the documented gap rule.
pub fn clusters(seizures: &[SeizureMap]) -> Vec<Cluster> {
    let mut order: Vec<&SeizureMap> = seizures.iter().collect();
    order.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    let mut chains: Vec<Vec<&SeizureMap>> = Vec::new();
    let mut end = f64::NEG_INFINITY;
    for s in order {
        match chains.last_mut() {
            Some(c) if s.onset - end < CLUSTER_GAP_SECONDS => c.push(s),
            _ => chains.push(vec![s]),
        }
        end = end.max(s.offset);
    }
    chains
        .into_iter()
        .filter(|c| c.len() >= CLUSTER_MIN_SEIZURES)
        .map(|c| {
            let intervals: Vec<f64> = c.windows(2).map(|w| w[1].onset - w[0].onset).collect();
            Cluster {
                start: c[0].onset,
                end: c.iter().map(|s| s.offset).fold(f64::NEG_INFINITY, f64::max),
                seizures: c.len(),
                ids: c.iter().map(|s| s.id).collect(),
                median_interval: Delays::of(intervals).median,
            }
        })
        .collect()
}

/// Status epilepticus episodes by the documented criteria over a recording of `n` seconds.
pub fn status_epilepticus(seizures: &[SeizureMap], n: usize) -> Vec<StatusEpisode> {
    let m = mask(seizures, n);
    let mut prefix = vec![0usize; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + m[i] as usize;
    }
    let mut spans: Vec<(f64, f64, &'static str)> = Vec::new();
    for s in seizures {
        if s.duration() >= SE_SINGLE_SECONDS {
            spans.push((s.onset, s.offset, "single seizure >= 5 min"));
        }
    }
    let w = SE_WINDOW_SECONDS.min(n);
    if n > 0 {
        // next[i]: first seizure second ≥ i; prev[i]: last seizure second < i.
        let mut next = vec![usize::MAX; n + 1];
        for i in (0..n).rev() {
            next[i] = if m[i] { i } else { next[i + 1] };
        }
        let mut prev = vec![usize::MAX; n + 1];
        for i in 1..=n {
            prev[i] = if m[i - 1] { i - 1 } else { prev[i - 1] };
        }
        for t in 0..=(n - w) {
            if (prefix[t + w] - prefix[t]) as f64 >= SE_BURDEN_SECONDS {
                spans.push((next[t] as f64, (prev[t + w] + 1) as f64, ">= 30 min of seizures within 60 min"));
            }
        }
    }
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut episodes: Vec<StatusEpisode> = Vec::new();
    for (a, b, why) in spans {
        match episodes.last_mut() {
            Some(e) if a <= e.end => {
                e.end = e.end.max(b);
                if !e.criteria.iter().any(|c| c == why) {
                    e.criteria.push(why.to_string());
                }
            }
            _ => episodes.push(StatusEpisode { start: a, end: b, criteria: vec![why.to_string()], seizure_seconds: 0.0, ids: Vec::new() }),
        }
    }
    for e in episodes.iter_mut() {
        let (a, b) = ((e.start.floor() as usize).min(n), (e.end.ceil() as usize).min(n));
        e.seizure_seconds = (prefix[b] - prefix[a]) as f64;
        e.ids = seizures.iter().filter(|s| s.onset < e.end && s.offset > e.start).map(|s| s.id).collect();
        e.criteria.sort();
    }
    episodes
}

/// Does this seizure move within itself (see the module docs)?
pub fn moves_within(s: &SeizureMap) -> bool {
    let Some(onset) = s.onset_regions.first().copied() else {
        return false;
    };
    if s.region_sequence().len() < 2 {
        return false;
    }
    let far = s.visits.iter().any(|v| {
        v.region != onset
            && v.end - v.start >= MIGRATION_MIN_VISIT
            && v.start - s.onset >= MIGRATION_MIN_DELAY
            && (!adjacent(v.region, onset)
                || (v.region.hemisphere != onset.hemisphere
                    && v.region.hemisphere != Hemisphere::Midline
                    && onset.hemisphere != Hemisphere::Midline))
    });
    let onset_end = s.visits.iter().filter(|v| v.region == onset).map(|v| v.end).fold(f64::NEG_INFINITY, f64::max);
    let leaves = s.visits.iter().any(|v| {
        v.region != onset
            && v.end - v.start >= MIGRATION_MIN_VISIT
            && v.start - s.onset >= MIGRATION_MIN_DELAY
            && v.end - onset_end >= MIGRATION_MIN_DELAY
            && s.offset - onset_end >= MIGRATION_MIN_DELAY
    });
    far || leaves
}

/// The migration verdict of a recording's seizures.
pub fn migration(seizures: &[SeizureMap]) -> Migration {
    let n = seizures.len();
    let mut counts: Vec<OnsetCount> = Vec::new();
    for s in seizures {
        if let Some(r) = s.onset_regions.first() {
            match counts.iter_mut().find(|c| c.region == *r) {
                Some(c) => c.seizures += 1,
                None => counts.push(OnsetCount { region: *r, seizures: 1 }),
            }
        }
    }
    counts.sort_by(|a, b| b.seizures.cmp(&a.seizures).then(a.region.cmp(&b.region)));
    let min_per_region = if n < 5 { 1 } else { MIN_ONSETS_PER_REGION };
    let distinct = counts.iter().filter(|c| c.seizures >= min_per_region).count();
    let side = |h: Hemisphere| seizures.iter().filter(|s| s.onset_hemisphere == h).count();
    let (left, right, mid) = (side(Hemisphere::Left), side(Hemisphere::Right), side(Hemisphere::Midline));
    let lateral = left + right;
    let minor = left.min(right);
    let both = minor >= min_per_region && lateral > 0 && minor as f64 >= 0.15 * lateral as f64;
    let mut by_onset: Vec<&SeizureMap> = seizures.iter().collect();
    by_onset.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    let moving: Vec<usize> = by_onset.iter().filter(|s| moves_within(s)).map(|s| s.id).collect();
    let switching = seizures.iter().filter(|s| s.hemisphere_switches > 0).count();
    let within = Delays::of(seizures.iter().flat_map(|s| s.inter_onset_delays()).collect());
    let between = Delays::of(by_onset.windows(2).map(|w| w[1].onset - w[0].onset).collect());
    let shifts = by_onset.windows(2).filter(|w| w[0].onset_regions.first() != w[1].onset_regions.first()).count();
    let onset_shift_fraction = (n >= 2).then(|| shifts as f64 / (n - 1) as f64);

    let mut reasons = Vec::new();
    let a = both && distinct >= 2;
    let b = distinct >= 3;
    let c = moving.len() >= 2 && moving.len() as f64 >= 0.2 * n as f64;
    if a {
        reasons.push(format!("onsets in both hemispheres (left {left}, right {right}) from {distinct} regions"));
    }
    if b {
        reasons.push(format!("{distinct} distinct onset regions (each the onset of at least {min_per_region} seizure(s))"));
    }
    if c {
        reasons.push(format!("{} of {n} seizures move within themselves to non-neighbouring regions or across hemispheres", moving.len()));
    }
    let verdict = if n == 0 {
        reasons.push("no seizure detected".into());
        "no_seizures"
    } else if a || b || c {
        "migrating"
    } else if n >= 2 {
        reasons.push(format!(
            "{n} seizures from {distinct} onset region(s) ({}), {} moving within themselves: a single focus or spread to neighbouring regions only",
            counts.iter().map(|c| format!("{} {}", c.region, c.seizures)).collect::<Vec<_>>().join(", "),
            moving.len()
        ));
        "not_migrating"
    } else {
        reasons.push("a single seizure that does not move within itself".into());
        "insufficient_evidence"
    };
    Migration {
        verdict: verdict.into(),
        reasons,
        onset_regions: counts,
        distinct_onset_regions: distinct,
        left_onsets: left,
        right_onsets: right,
        midline_onsets: mid,
        both_hemispheres: both,
        moving_seizures: moving,
        seizures_switching_hemisphere: switching,
        within_seizure_delays: within,
        between_seizure_delays: between,
        onset_shift_fraction,
    }
}

/// Summarise the seizures of a recording that started at `start`. `recorded[s]` says whether
/// second `s` (from the start) holds analysed EEG: seconds in the gaps of an EDF+D file, and
/// seconds where every electrode is flat, are not recorded time, so they count in neither the
/// hours nor the seizure time of the burden figures (clock hours and status epilepticus windows
/// are still clock time).
pub fn summarise(seizures: &[SeizureMap], recorded: &[bool], start: NaiveDateTime) -> Summary {
    let n_seconds = recorded.len();
    let mut m = mask(seizures, n_seconds);
    for (v, r) in m.iter_mut().zip(recorded) {
        *v &= *r;
    }
    let total: usize = m.iter().filter(|v| **v).count();
    let n_recorded = recorded.iter().filter(|r| **r).count();
    let hours = n_recorded as f64 / 3600.0;
    let n_bins = n_seconds.div_ceil(3600).max(1);
    let hourly = (0..n_bins)
        .map(|h| {
            let (a, b) = (h * 3600, ((h + 1) * 3600).min(n_seconds));
            HourBin {
                hour: h,
                start: a as f64,
                start_time: (start + chrono::Duration::seconds(a as i64)).format("%Y-%m-%d %H:%M:%S").to_string(),
                recorded_seconds: recorded[a..b].iter().filter(|r| **r).count() as f64,
                seizures: seizures.iter().filter(|s| s.onset >= a as f64 && s.onset < ((h + 1) * 3600) as f64).count(),
                seizure_seconds: m[a..b].iter().filter(|v| **v).count() as f64,
            }
        })
        .collect();
    let longest = seizures.iter().max_by(|a, b| a.duration().total_cmp(&b.duration()));
    Summary {
        seizure_count: seizures.len(),
        hours,
        seizures_per_hour: if hours > 0.0 { seizures.len() as f64 / hours } else { 0.0 },
        hourly,
        total_seizure_seconds: total as f64,
        seizure_fraction: if n_recorded > 0 { total as f64 / n_recorded as f64 } else { 0.0 },
        longest_seizure_id: longest.map(|s| s.id),
        longest_seizure_seconds: longest.map(|s| s.duration()),
        median_seizure_seconds: Delays::of(seizures.iter().map(|s| s.duration()).collect()).median,
        overlapping_seizures: seizures.iter().filter(|s| !s.overlaps.is_empty()).count(),
        generalised_seizures: seizures.iter().filter(|s| s.generalised).count(),
        cluster_rule: format!(
            "seizures are chained while each starts less than {} min after the end of all earlier ones; a chain of at least {CLUSTER_MIN_SEIZURES} seizures is a cluster",
            CLUSTER_GAP_SECONDS / 60.0
        ),
        clusters: clusters(seizures),
        status_epilepticus_definition: "a single seizure of at least 5 min (ILAE 2015, t1 of convulsive status epilepticus, Trinka et al. 2015) or seizures summing to at least 30 min within any 60 min (50 % seizure burden; ACNS neonatal terminology, Tsuchida et al. 2013)".into(),
        status_epilepticus: status_epilepticus(seizures, n_seconds),
        migration: migration(seizures),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Electrode, RegionVisit};

    fn sz(id: usize, onset: f64, offset: f64, visits: &[(&str, f64, f64)]) -> SeizureMap {
        let visits: Vec<RegionVisit> =
            visits.iter().map(|&(c, a, b)| RegionVisit { region: Region::from_code(c).unwrap(), start: a, end: b }).collect();
        let r = visits[0].region;
        SeizureMap {
            id,
            onset,
            offset,
            confidence: Some(0.9),
            onset_electrodes: vec![r.electrodes().next().unwrap_or(Electrode::Cz)],
            onset_regions: vec![r],
            onset_hemisphere: r.hemisphere,
            hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
            visits,
            overlaps: vec![],
            generalised: false,
        }
    }

    #[test]
    fn clusters_by_gap_rule() {
        // Onsets 0, 100, 700 (599 s after the end at 101: chained), 1400 (610 s after 790: new),
        // 1500, 1600, then a lone one at 9000.
        let s = vec![
            sz(1, 0.0, 60.0, &[("L-temporal", 0.0, 60.0)]),
            sz(2, 100.0, 101.0, &[("L-temporal", 100.0, 101.0)]),
            sz(3, 700.0, 790.0, &[("L-temporal", 700.0, 790.0)]),
            sz(4, 1400.0, 1430.0, &[("R-frontal", 1400.0, 1430.0)]),
            sz(5, 1500.0, 1530.0, &[("R-frontal", 1500.0, 1530.0)]),
            sz(6, 1600.0, 1630.0, &[("R-frontal", 1600.0, 1630.0)]),
            sz(7, 9000.0, 9030.0, &[("R-frontal", 9000.0, 9030.0)]),
        ];
        let c = clusters(&s);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].start, c[0].end, c[0].seizures, c[0].ids.clone()), (0.0, 790.0, 3, vec![1, 2, 3]));
        assert_eq!(c[0].median_interval, Some(350.0));
        assert_eq!((c[1].start, c[1].end, c[1].ids.clone()), (1400.0, 1630.0, vec![4, 5, 6]));
    }

    #[test]
    fn status_epilepticus_by_duration_and_burden() {
        // A 6-min seizure at 1000 s; then from 10000 s ten 200-s seizures 300 s apart
        // (2000 s of seizure within 2900 s: ≥ 30 min within 60 min); a lone 4-min one at 30000 s.
        let mut s = vec![sz(1, 1000.0, 1360.0, &[("L-central", 1000.0, 1360.0)])];
        for k in 0..10 {
            let a = 10000.0 + 300.0 * k as f64;
            s.push(sz(k + 2, a, a + 200.0, &[("R-parietal", a, a + 200.0)]));
        }
        s.push(sz(12, 30000.0, 30240.0, &[("L-central", 30000.0, 30240.0)]));
        let e = status_epilepticus(&s, 40000);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].start, e[0].end, e[0].seizure_seconds), (1000.0, 1360.0, 360.0));
        assert_eq!(e[0].criteria, vec!["single seizure >= 5 min"]);
        // Windows of 3600 s with ≥ 1800 s: the first qualifying window holds seizures 2..=10
        // (9 × 200 = 1800 s); merged over all qualifying windows: 10000 to 12900.
        assert_eq!((e[1].start, e[1].end, e[1].seizure_seconds), (10000.0, 12900.0, 2000.0));
        assert_eq!(e[1].criteria, vec![">= 30 min of seizures within 60 min"]);
        assert_eq!(e[1].ids, (2..=11).collect::<Vec<_>>());
    }

    #[test]
    fn migrating_recording() {
        // Onsets: L-temporal ×3, R-frontal ×2, R-occipital ×2; one seizure moves to the other side.
        let s = vec![
            sz(1, 0.0, 60.0, &[("L-temporal", 0.0, 40.0), ("R-frontal", 30.0, 60.0)]),
            sz(2, 200.0, 240.0, &[("R-frontal", 200.0, 240.0)]),
            sz(3, 400.0, 440.0, &[("L-temporal", 400.0, 440.0)]),
            sz(4, 600.0, 640.0, &[("R-occipital", 600.0, 640.0)]),
            sz(5, 800.0, 840.0, &[("L-temporal", 800.0, 840.0)]),
            sz(6, 1000.0, 1040.0, &[("R-frontal", 1000.0, 1040.0)]),
            sz(7, 1200.0, 1240.0, &[("R-occipital", 1200.0, 1240.0)]),
        ];
        let m = migration(&s);
        assert_eq!(m.verdict, "migrating");
        assert_eq!(m.distinct_onset_regions, 3);
        assert_eq!((m.left_onsets, m.right_onsets), (3, 4));
        assert!(m.both_hemispheres);
        assert_eq!(m.moving_seizures, vec![1]);
        assert_eq!(m.seizures_switching_hemisphere, 1);
        assert_eq!(m.within_seizure_delays.values, vec![30.0]);
        assert_eq!(m.between_seizure_delays.median, Some(200.0));
        assert_eq!(m.onset_shift_fraction, Some(1.0));
        assert_eq!(m.reasons.len(), 2);
    }

    #[test]
    fn single_focus_with_one_stray_onset_is_not_migrating() {
        // Eight seizures from L-temporal spreading to L-central, one mislocalised to R-temporal.
        let mut s: Vec<SeizureMap> = (0..8)
            .map(|k| {
                sz(
                    k + 1,
                    300.0 * k as f64,
                    300.0 * k as f64 + 50.0,
                    &[
                        ("L-temporal", 300.0 * k as f64, 300.0 * k as f64 + 50.0),
                        ("L-central", 300.0 * k as f64 + 8.0, 300.0 * k as f64 + 45.0),
                    ],
                )
            })
            .collect();
        s.push(sz(9, 3000.0, 3040.0, &[("R-temporal", 3000.0, 3040.0)]));
        let m = migration(&s);
        assert_eq!(m.verdict, "not_migrating", "{:?}", m.reasons);
        assert_eq!(m.distinct_onset_regions, 1);
        assert!(!m.both_hemispheres);
        assert!(m.moving_seizures.is_empty());
        assert_eq!(migration(&s[..1]).verdict, "insufficient_evidence");
        assert_eq!(migration(&[]).verdict, "no_seizures");
    }

    #[test]
    fn brief_distant_involvement_is_not_migration() {
        // A single L-temporal focus whose seizures briefly (6 s) involve the right frontal region
        // mid-seizure, as artefacts or background bursts do: not a visit. The same involvement
        // for 10 s is one (the shortest electrographic seizure).
        let focus = |dur: f64| -> Vec<SeizureMap> {
            (0..6)
                .map(|k| {
                    let a = 400.0 * k as f64;
                    sz(k + 1, a, a + 40.0, &[("L-temporal", a, a + 40.0), ("R-frontal", a + 20.0, a + 20.0 + dur)])
                })
                .collect()
        };
        let brief = migration(&focus(6.0));
        assert!(brief.moving_seizures.is_empty(), "{:?}", brief.moving_seizures);
        assert_eq!(brief.verdict, "not_migrating", "{:?}", brief.reasons);
        let long = migration(&focus(MIGRATION_MIN_VISIT));
        assert_eq!(long.moving_seizures, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(long.verdict, "migrating", "{:?}", long.reasons);
    }

    #[test]
    fn burden_per_hour() {
        let start = NaiveDateTime::parse_from_str("2026-01-01 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let s = vec![
            sz(1, 3500.0, 3700.0, &[("L-temporal", 3500.0, 3700.0)]),
            sz(2, 3600.0, 3620.0, &[("R-occipital", 3600.0, 3620.0)]),
            sz(3, 8000.0, 8030.0, &[("R-occipital", 8000.0, 8030.0)]),
        ];
        let sum = summarise(&s, &[true; 9000], start);
        assert_eq!(sum.hourly.len(), 3);
        assert_eq!((sum.hourly[0].seizures, sum.hourly[0].seizure_seconds), (1, 100.0));
        assert_eq!((sum.hourly[1].seizures, sum.hourly[1].seizure_seconds), (1, 100.0));
        assert_eq!((sum.hourly[2].seizures, sum.hourly[2].seizure_seconds, sum.hourly[2].recorded_seconds), (1, 30.0, 1800.0));
        assert_eq!(sum.hourly[1].start_time, "2026-01-01 11:00:00");
        assert_eq!(sum.total_seizure_seconds, 230.0);
        assert_eq!(sum.longest_seizure_id, Some(1));
        assert_eq!(sum.seizures_per_hour, 3.0 / 2.5);
    }

    #[test]
    fn gaps_are_not_recorded_time() {
        // 2 h of clock time, the second hour's first half a gap: 1.5 h of EEG. A seizure running
        // into the gap counts only its recorded seconds.
        let start = NaiveDateTime::parse_from_str("2026-01-01 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let recorded: Vec<bool> = (0..7200).map(|t| !(3600..5400).contains(&t)).collect();
        let s = vec![sz(1, 3580.0, 3640.0, &[("L-temporal", 3580.0, 3640.0)]), sz(2, 6000.0, 6030.0, &[("R-occipital", 6000.0, 6030.0)])];
        let sum = summarise(&s, &recorded, start);
        assert_eq!(sum.hours, 1.5);
        assert_eq!(sum.seizures_per_hour, 2.0 / 1.5);
        assert_eq!((sum.hourly[0].recorded_seconds, sum.hourly[1].recorded_seconds), (3600.0, 1800.0));
        assert_eq!((sum.hourly[0].seizure_seconds, sum.hourly[1].seizure_seconds), (20.0, 30.0));
        assert_eq!(sum.total_seizure_seconds, 50.0);
        assert_eq!(sum.seizure_fraction, 50.0 / 5400.0);
        // Without gaps the same seizures cover 90 s of 7,200.
        let sum = summarise(&s, &[true; 7200], start);
        assert_eq!((sum.hours, sum.total_seizure_seconds), (2.0, 90.0));
    }
}
