//! Synthetic detections for tests and the large-report example: clusters of migrating focal
//! seizures over any duration, with a detector-style summary, a probability track and example
//! EEG. Deterministic for a seed (SplitMix64).

#![allow(dead_code)]

use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};
use eimfs_report::{ExampleSeizure, MigrationVerdict, Probability, RecordingSummary, ReportData, Span, Summary, TraceChannel};

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f()
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[(self.f() * v.len() as f64) as usize % v.len()]
    }
    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.f().max(1e-12);
        let v = self.f();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Regions next to each other on the scalp (for plausible migration).
fn neighbours(r: Region) -> Vec<Region> {
    Region::ALL.into_iter().filter(|o| *o != r && o.electrodes().any(|e| r.electrodes().any(|f| e.angle_to(f) < 0.9))).collect()
}

/// `n` seizures over `duration` seconds in clusters of 5–20, each 10–180 s, starting in one of
/// five foci of both hemispheres, 60 % migrating to 1–3 neighbouring or homologous regions.
pub fn seizures(duration: f64, n: usize, seed: u64) -> Vec<SeizureMap> {
    let mut rng = Rng::new(seed);
    let foci = [
        Region::new(Lobe::Temporal, Hemisphere::Left),
        Region::new(Lobe::Central, Hemisphere::Right),
        Region::new(Lobe::Frontal, Hemisphere::Left),
        Region::new(Lobe::Occipital, Hemisphere::Right),
        Region::new(Lobe::Parietal, Hemisphere::Left),
    ];
    let mut out: Vec<SeizureMap> = Vec::with_capacity(n);
    let n_clusters = n.div_ceil(12).max(1);
    let cluster_gap = (duration - 120.0) / n_clusters as f64;
    let mut made = 0;
    for c in 0..n_clusters {
        let in_cluster = ((n - made) / (n_clusters - c)).max(1);
        let mut s = 60.0 + c as f64 * cluster_gap + rng.range(0.0, cluster_gap * 0.2);
        for _ in 0..in_cluster {
            let dur = rng.range(10.0, 100.0) + if rng.f() < 0.1 { rng.range(50.0, 120.0) } else { 0.0 };
            let onset = s;
            let offset = (onset + dur).min(duration - 1.0);
            if offset <= onset + 5.0 {
                break;
            }
            let onset_region = rng.pick(&foci);
            let mut visits = vec![RegionVisit { region: onset_region, start: onset, end: offset }];
            if rng.f() < 0.6 {
                let hops = 1 + (rng.f() * 3.0) as usize;
                let mut cur = onset_region;
                let mut vt = onset;
                for _ in 0..hops {
                    let next = if rng.f() < 0.3 && cur.hemisphere != Hemisphere::Midline {
                        Region::new(cur.lobe, cur.hemisphere.opposite())
                    } else {
                        rng.pick(&neighbours(cur))
                    };
                    vt += rng.range(5.0, 30.0);
                    if vt >= offset - 3.0 {
                        break;
                    }
                    visits.push(RegionVisit { region: next, start: vt, end: offset });
                    cur = next;
                }
                // Earlier regions stop as later ones take over.
                for k in 0..visits.len().saturating_sub(1) {
                    visits[k].end = (visits[k + 1].start + rng.range(5.0, 20.0)).min(offset);
                }
            }
            let onset_electrodes: Vec<Electrode> = onset_region.electrodes().take(1).collect();
            out.push(SeizureMap {
                id: 0,
                onset,
                offset,
                confidence: Some((0.6 + 0.4 * rng.f()).min(0.99)),
                onset_electrodes,
                onset_regions: vec![onset_region],
                onset_hemisphere: onset_region.hemisphere,
                hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
                visits,
                overlaps: vec![],
                generalised: rng.f() < 0.03,
            });
            made += 1;
            // Next seizure 20 s – 2 min later; sometimes before this one ends (overlap).
            s = if rng.f() < 0.12 { onset + dur * 0.6 } else { offset + rng.range(20.0, 120.0) };
        }
    }
    out.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    for (i, s) in out.iter_mut().enumerate() {
        s.id = i + 1;
    }
    let spans: Vec<(f64, f64)> = out.iter().map(|s| (s.onset, s.offset)).collect();
    for (i, s) in out.iter_mut().enumerate() {
        s.overlaps = spans.iter().enumerate().filter(|(j, o)| *j != i && o.0 < s.offset && o.1 > s.onset).map(|(j, _)| j + 1).collect();
    }
    out
}

/// A summary as the detector writes it, for these seizures: clusters = runs of seizures less
/// than 10 min apart (at least 3), status epilepticus = any seizure ≥ 5 min.
pub fn summary(seizures: &[SeizureMap], duration: f64) -> Summary {
    let mut clusters = Vec::new();
    let mut i = 0;
    while i < seizures.len() {
        let mut j = i;
        while j + 1 < seizures.len() && seizures[j + 1].onset - seizures[j].offset < 600.0 {
            j += 1;
        }
        if j - i + 1 >= 3 {
            clusters.push(Span {
                start: seizures[i].onset,
                end: seizures[i..=j].iter().map(|s| s.offset).fold(0.0, f64::max),
                seizures: Some(j - i + 1),
                note: None,
            });
        }
        i = j + 1;
    }
    let status = seizures
        .iter()
        .filter(|s| s.duration() >= 300.0)
        .map(|s| Span { start: s.onset, end: s.offset, seizures: Some(1), note: Some("single seizure ≥ 5 min".into()) })
        .collect();
    let mut onsets: Vec<Region> = seizures.iter().map(|s| s.onset_regions[0]).collect();
    onsets.sort();
    onsets.dedup();
    Summary {
        clusters,
        cluster_rule: Some("≥ 3 seizures, each starting < 10 min after the previous ended".into()),
        status_epilepticus: status,
        status_rule: Some("a single seizure ≥ 5 min, or ≥ 30 min of seizure within any 60 min".into()),
        total_seizure_time: None,
        longest_seizure: None,
        seizures_per_hour: Some(seizures.len() as f64 * 3600.0 / duration),
        montage: Some("double-banana".into()),
        channels_used: Vec::new(),
        flat_electrodes: Vec::new(),
        detector: Some("synthetic".into()),
        warnings: Vec::new(),
        migration: Some(MigrationVerdict {
            migrating: true,
            verdict: "migrating".into(),
            statement: Some("Focal seizures arise independently in several regions of both hemispheres and move between them.".into()),
            evidence: vec![
                ("distinct onset regions".into(), onsets.len().to_string()),
                ("onsets in both hemispheres".into(), "yes".into()),
                ("seizures that migrate".into(), seizures.iter().filter(|s| s.migrates()).count().to_string()),
            ],
        }),
    }
}

/// A per-second probability track: 0.9 inside seizures, low noise outside.
pub fn probability(seizures: &[SeizureMap], duration: f64, seed: u64) -> Probability {
    let mut rng = Rng::new(seed);
    let n = duration as usize;
    let mut overall = vec![0f32; n];
    for v in overall.iter_mut() {
        *v = (rng.f() * 0.12) as f32;
    }
    for s in seizures {
        let (a, b) = ((s.onset as usize).min(n), (s.offset as usize).min(n));
        overall[a..b].fill(0.9);
    }
    Probability { seconds: (0..n).map(|t| t as f64).collect(), overall, regions: Vec::new() }
}

/// 18 double-banana channels of synthetic EEG around `s`: 1/f-ish background and a rhythmic,
/// evolving 2–4 Hz discharge in the channels of each region while it is involved.
pub fn example(s: &SeizureMap, why: &str, fs: f64, seed: u64) -> ExampleSeizure {
    let mut rng = Rng::new(seed);
    let start = (s.onset - 10.0).max(0.0);
    let end = (s.offset + 5.0).max(start + 20.0).min(start + 60.0);
    let n = ((end - start) * fs) as usize;
    let channels = eimfs_signal::montage::DOUBLE_BANANA
        .iter()
        .map(|&(a, b)| {
            let mut x = vec![0f32; n];
            let mut brown = 0.0;
            for (i, v) in x.iter_mut().enumerate() {
                brown = 0.97 * brown + rng.normal() * 6.0;
                let t = start + i as f64 / fs;
                let mut ictal = 0.0;
                for vis in &s.visits {
                    if (a.region() == vis.region || b.region() == vis.region) && t >= vis.start && t <= vis.end {
                        let age = t - vis.start;
                        let f = (3.5 - 0.05 * age).max(1.5);
                        ictal += 90.0 * (1.0 - (-age / 3.0).exp()) * (2.0 * std::f64::consts::PI * f * age).sin();
                    }
                }
                *v = (brown + ictal) as f32;
            }
            TraceChannel { label: format!("{}-{}", a.name(), b.name()), electrodes: vec![a, b], samples: x }
        })
        .collect();
    ExampleSeizure {
        why: why.into(),
        seizure: s.clone(),
        start,
        fs,
        montage: "double banana".into(),
        filter: "none (synthetic)".into(),
        channels,
    }
}

/// A whole report's data for `hours` hours with `n` seizures (no EDF involved).
pub fn report(hours: f64, n: usize, seed: u64) -> ReportData {
    let duration = hours * 3600.0;
    let sz = seizures(duration, n, seed);
    let chosen = eimfs_report::input::choose_examples(&sz);
    let examples = chosen.iter().enumerate().map(|(k, (i, why))| example(&sz[*i], why, 256.0, seed + k as u64)).collect();
    ReportData {
        recording: RecordingSummary {
            file: format!("synthetic_{hours}h.edf"),
            file_type: "EDF+C".into(),
            duration,
            display_montage: "double banana".into(),
            ..Default::default()
        },
        summary: Some(summary(&sz, duration)),
        probability: Some(probability(&sz, duration, seed + 100)),
        seizures: sz,
        examples,
        evaluation: None,
        sources: vec![("synthetic detections".into(), format!("seed {seed}"))],
    }
}
