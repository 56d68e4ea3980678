//! Ground truth: region ictal episodes from the exact simulated states, grouped into seizures.
//!
//! # Ictal state of a region
//! A region is ictal while its smoothed pyramidal population rate `r` (the state variable of
//! [`crate::region`], time constant 1 s, sampled at 10 Hz) is above [`ICTAL_ON`] (0.5 s⁻¹; the
//! background rate is ≈ 0.3 s⁻¹, sustained ictal discharges ≈ 0.8–1.2 s⁻¹). An episode starts at
//! the first sample above [`ICTAL_ON`] and ends at the last sample above [`ICTAL_OFF`] (0.45 s⁻¹)
//! before `r` stays below it for [`GAP_S`] (2 s); episodes shorter than [`MIN_EPISODE_S`] (5 s)
//! are brief discharges, not seizure activity.
//!
//! # Seizures
//! Episodes are taken in order of onset. An episode of region *i* belongs to an ongoing seizure
//! when, at its start, a region *j* of that seizure is ictal and connected to *i* (weight
//! `w_ij ≥` [`MIN_RECRUIT_WEIGHT`] of the largest weight into *i*): the region was recruited by
//! ongoing ictal activity. Otherwise it is an independent onset and starts a new seizure — even
//! if another seizure is running elsewhere (the two then overlap). A seizure's onset is its first
//! episode's start, its offset the last end of its episodes; seizures shorter than
//! [`MIN_SEIZURE_S`] (10 s, the ACNS definition of a neonatal electrographic seizure) are
//! dropped. Onset regions are the regions whose episodes start within 1 s of the onset; the
//! onset hemisphere is that of the first. Visits are the episodes in order of start. A seizure is
//! generalised when at some moment at least [`GENERALISED_FRACTION`] of the regions of each
//! hemisphere are ictal in it.

use eimfs_core::{Hemisphere, RegionVisit, SeizureMap};
use serde::{Deserialize, Serialize};

use crate::cortex::Network;
use crate::dynamic::{RegionTraces, SLOW_FS};

/// Rate above which a region becomes ictal, s⁻¹.
pub const ICTAL_ON: f64 = 0.5;
/// Rate below which an ictal region stops being ictal, s⁻¹.
pub const ICTAL_OFF: f64 = 0.45;
/// Gap that ends an episode, s.
pub const GAP_S: f64 = 2.0;
/// Minimum region episode, s.
pub const MIN_EPISODE_S: f64 = 5.0;
/// Minimum seizure duration, s.
pub const MIN_SEIZURE_S: f64 = 10.0;
/// Minimum relative weight for recruitment.
pub const MIN_RECRUIT_WEIGHT: f64 = 0.1;
/// Fraction of each hemisphere's regions ictal at once for a generalised seizure.
pub const GENERALISED_FRACTION: f64 = 0.5;

/// One ictal episode of one region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    /// Region index (network order).
    pub region: usize,
    /// Start, s.
    pub start: f64,
    /// End, s.
    pub end: f64,
}

/// Extra per-seizure truth beyond [`SeizureMap`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeizureDetail {
    /// Seizure id (as in the SeizureMap).
    pub id: usize,
    /// Network regions visited, in order of start: (label, start, end).
    pub network_visits: Vec<(String, f64, f64)>,
    /// Electrodes the seizure dominates (see [`crate::render`]).
    pub channels: Vec<String>,
    /// Dominant ictal frequency in the onset region's LFP over the seizure, Hz.
    pub frequency_hz: f64,
}

/// Find the ictal episodes of every region.
pub fn episodes(tr: &RegionTraces) -> Vec<Episode> {
    let gap = (GAP_S * SLOW_FS).round() as usize;
    let mut out = Vec::new();
    for (i, r) in tr.rate.iter().enumerate() {
        let mut k = 0;
        while k < r.len() {
            if (r[k] as f64) > ICTAL_ON {
                let start = k;
                let mut last_above = k;
                let mut j = k;
                while j < r.len() {
                    if (r[j] as f64) > ICTAL_OFF {
                        last_above = j;
                    } else if j - last_above >= gap {
                        break;
                    }
                    j += 1;
                }
                let (s, e) = (start as f64 / SLOW_FS, (last_above + 1) as f64 / SLOW_FS);
                if e - s >= MIN_EPISODE_S {
                    out.push(Episode { region: i, start: s, end: e });
                }
                k = j.max(last_above + 1);
            } else {
                k += 1;
            }
        }
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.region.cmp(&b.region)));
    out
}

/// Group episodes into seizures (see the module docs). Returns, per seizure (in order of onset),
/// its episodes.
pub fn group(net: &Network, eps: &[Episode]) -> Vec<Vec<Episode>> {
    let n = net.len();
    let max_in: Vec<f64> = (0..n).map(|i| (0..n).map(|j| net.weight(i, j)).fold(0.0, f64::max)).collect();
    let mut seizures: Vec<Vec<Episode>> = Vec::new();
    for ep in eps {
        let t = ep.start;
        let i = ep.region;
        // Candidate seizures: an ictal, connected region at t.
        let mut best: Option<(usize, f64)> = None;
        for (s, members) in seizures.iter().enumerate() {
            for m in members {
                if m.region == i || m.start > t || m.end < t {
                    continue;
                }
                let w = net.weight(i, m.region);
                if max_in[i] > 0.0 && w >= MIN_RECRUIT_WEIGHT * max_in[i] && best.is_none_or(|(_, bw)| w > bw) {
                    best = Some((s, w));
                }
            }
        }
        match best {
            Some((s, _)) => seizures[s].push(ep.clone()),
            None => seizures.push(vec![ep.clone()]),
        }
    }
    seizures.retain(|eps| {
        let on = eps.iter().map(|e| e.start).fold(f64::INFINITY, f64::min);
        let off = eps.iter().map(|e| e.end).fold(f64::NEG_INFINITY, f64::max);
        off - on >= MIN_SEIZURE_S
    });
    seizures.sort_by(|a, b| a[0].start.total_cmp(&b[0].start));
    seizures
}

/// Build the [`SeizureMap`]s of grouped seizures (ids 1…, overlaps filled in).
pub fn seizure_maps(net: &Network, groups: &[Vec<Episode>]) -> Vec<SeizureMap> {
    let mut maps: Vec<SeizureMap> = Vec::with_capacity(groups.len());
    for (k, eps) in groups.iter().enumerate() {
        let onset = eps[0].start;
        let offset = eps.iter().map(|e| e.end).fold(f64::NEG_INFINITY, f64::max);
        let mut onset_regions = Vec::new();
        let mut onset_electrodes = Vec::new();
        for e in eps.iter().filter(|e| e.start <= onset + 1.0) {
            let r = &net.regions[e.region];
            if !onset_regions.contains(&r.region) {
                onset_regions.push(r.region);
            }
            if !onset_electrodes.contains(&r.electrode) {
                onset_electrodes.push(r.electrode);
            }
        }
        let visits: Vec<RegionVisit> =
            eps.iter().map(|e| RegionVisit { region: net.regions[e.region].region, start: e.start, end: e.end }).collect();
        let hemisphere_switches = SeizureMap::count_hemisphere_switches(&visits);
        let generalised = is_generalised(net, eps);
        maps.push(SeizureMap {
            id: k + 1,
            onset,
            offset,
            confidence: None,
            onset_electrodes,
            onset_regions,
            onset_hemisphere: net.regions[eps[0].region].hemisphere,
            visits,
            hemisphere_switches,
            overlaps: Vec::new(),
            generalised,
        });
    }
    for a in 0..maps.len() {
        for b in 0..maps.len() {
            if a != b && maps[a].onset < maps[b].offset && maps[b].onset < maps[a].offset {
                let id = maps[b].id;
                maps[a].overlaps.push(id);
            }
        }
    }
    maps
}

fn is_generalised(net: &Network, eps: &[Episode]) -> bool {
    let count = |h: Hemisphere| net.regions.iter().filter(|r| r.hemisphere == h).count().max(1);
    let (nl, nr) = (count(Hemisphere::Left), count(Hemisphere::Right));
    for e in eps {
        let t = e.start;
        let (mut l, mut r) = (0usize, 0usize);
        let mut seen = Vec::new();
        for f in eps.iter().filter(|f| f.start <= t && f.end >= t) {
            if seen.contains(&f.region) {
                continue;
            }
            seen.push(f.region);
            match net.regions[f.region].hemisphere {
                Hemisphere::Left => l += 1,
                Hemisphere::Right => r += 1,
                Hemisphere::Midline => {}
            }
        }
        if l as f64 >= GENERALISED_FRACTION * nl as f64 && r as f64 >= GENERALISED_FRACTION * nr as f64 {
            return true;
        }
    }
    false
}

/// Per-region time-course summary for the truth file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionSummary {
    /// Region label.
    pub label: String,
    /// Scalp region code (lobe × hemisphere).
    pub region: String,
    /// Nearest electrode.
    pub electrode: String,
    /// Dipole position (mm).
    pub position: [f64; 3],
    /// Mean input p̄ drawn for this region (heterogeneous excitability), pulses/s.
    pub p_mean: f64,
    /// Number of ictal episodes.
    pub n_episodes: usize,
    /// Time ictal, s.
    pub ictal_seconds: f64,
    /// Fraction of the recording ictal.
    pub ictal_fraction: f64,
    /// Number of seizures that started in this region.
    pub onsets: usize,
    /// Peak population \[Na\], mM.
    pub max_na: f64,
    /// Mean smoothed pyramidal rate, s⁻¹.
    pub mean_rate: f64,
    /// Ictal episodes (start, end) in seconds.
    pub episodes: Vec<(f64, f64)>,
    /// Smoothed pyramidal rate once per second (s⁻¹), the region's time course.
    pub rate_1hz: Vec<f32>,
}

/// Summaries of every region.
pub fn region_summaries(net: &Network, tr: &RegionTraces, eps: &[Episode], groups: &[Vec<Episode>]) -> Vec<RegionSummary> {
    let dur = tr.duration().max(1e-9);
    let step = SLOW_FS.round() as usize;
    (0..net.len())
        .map(|i| {
            let mine: Vec<&Episode> = eps.iter().filter(|e| e.region == i).collect();
            let ictal: f64 = mine.iter().map(|e| e.end - e.start).sum();
            let r = &tr.rate[i];
            RegionSummary {
                label: net.regions[i].label.clone(),
                region: net.regions[i].region.code().to_string(),
                electrode: net.regions[i].electrode.name().to_string(),
                position: net.regions[i].position,
                p_mean: tr.p_mean[i],
                n_episodes: mine.len(),
                ictal_seconds: ictal,
                ictal_fraction: ictal / dur,
                onsets: groups.iter().filter(|g| g[0].region == i).count(),
                max_na: tr.na[i].iter().cloned().fold(0.0f32, f32::max) as f64,
                mean_rate: r.iter().map(|v| *v as f64).sum::<f64>() / r.len().max(1) as f64,
                episodes: mine.iter().map(|e| (e.start, e.end)).collect(),
                rate_1hz: r.chunks(step).map(|c| c.iter().sum::<f32>() / c.len() as f32).collect(),
            }
        })
        .collect()
}
