//! Onset-localisation scores: does the detector put the onset of each true seizure in the right
//! hemisphere and region, and does it follow the seizure through the same regions?
//!
//! Both sides are lists of [`SeizureMap`]: the simulator's truth (`<name>_truth.json`), the
//! detector's output (`<stem>_seizures.json`), or maps derived from the `channels` column of an
//! events TSV ([`seizure_maps_from_events`]).
//!
//! **Matching.** A detected seizure is a candidate for a true seizure when it overlaps the true
//! seizure's SzCORE tolerance window `[onset − 30 s, offset + 60 s]` by a positive time. Pairs are
//! formed one to one, greedily, best first: larger overlap with the true seizure itself first, then
//! larger overlap with the window, then smaller onset difference, then file order. One-to-one
//! matching matters for EIMFS, where a new seizure often starts elsewhere before the last one ends:
//! two overlapping true seizures are not both credited to one detection.
//!
//! **Simultaneous onsets.** When two true seizures start within
//! [`MatchParams::simultaneous`] seconds of each other (default 8 s, the detector's analysis
//! window: onsets closer than that cannot be ordered from the EEG) and each of the two detections
//! paired with them overlaps both, time alone cannot tell which detection is which. The two
//! pairings are then compared by where the seizures start, and the detections are swapped when the
//! swapped pairing agrees on more onset regions (then, on a tie, on more onset hemispheres). For
//! example, true seizures in L-temporal at 1472.7 s and R-parietal at 1474.0 s, detected as two
//! seizures both starting at 1475 s, one at T3 and one at P4, are paired by place. Set it to 0 for
//! purely temporal matching (the score then counts such pairs as wrong when time pairs them
//! crosswise).
//!
//! **Scores**, over matched pairs:
//! * onset hemisphere accuracy: the detection's `onset_hemisphere` equals the truth's (left, right
//!   or midline);
//! * onset region accuracy: the detection's primary onset region (the first of its
//!   `onset_regions`) is one of the true onset regions (lobe × hemisphere, 11 regions). Assessed
//!   when the truth names an onset region (or onset electrode);
//! * sequence agreement: `1 − lev(a, b) / max(|a|, |b|)`, where `a` and `b` are the sequences of
//!   distinct regions in order of first visit ([`SeizureMap::region_sequence`]) and `lev` is the
//!   Levenshtein (edit) distance with unit costs. 1 means the same regions in the same order, 0
//!   nothing in common. Assessed when both maps list their visits (maps derived from a TSV do not).

use eimfs_core::{Electrode, Event, Region, SeizureMap};
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::Error;

/// Parameters of the matching of detected to true seizures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchParams {
    /// Tolerance before a true seizure's onset, seconds (default 30, as SzCORE).
    pub tolerance_start: f64,
    /// Tolerance after a true seizure's offset, seconds (default 60, as SzCORE).
    pub tolerance_end: f64,
    /// True seizures whose onsets are at most this many seconds apart are simultaneous: their
    /// detections are paired by onset place when time cannot tell (see the module documentation).
    /// Default 8 s; 0 disables.
    #[serde(default = "default_simultaneous")]
    pub simultaneous: f64,
}

fn default_simultaneous() -> f64 {
    DEFAULT_SIMULTANEOUS
}

/// Default of [`MatchParams::simultaneous`], seconds: the detector's 8-s analysis window.
pub const DEFAULT_SIMULTANEOUS: f64 = 8.0;

impl Default for MatchParams {
    fn default() -> Self {
        MatchParams { tolerance_start: 30.0, tolerance_end: 60.0, simultaneous: DEFAULT_SIMULTANEOUS }
    }
}

/// One true seizure matched to one detected seizure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeizureMatch {
    /// `id` of the true seizure.
    pub true_id: usize,
    /// `id` of the detected seizure.
    pub detected_id: usize,
    /// Onset of the true seizure, seconds.
    pub true_onset: f64,
    /// Onset of the detected seizure, seconds.
    pub detected_onset: f64,
    /// Overlap of the detection with the true seizure, seconds.
    pub overlap: f64,
    /// True onset hemisphere.
    pub true_hemisphere: eimfs_core::Hemisphere,
    /// Detected onset hemisphere.
    pub detected_hemisphere: eimfs_core::Hemisphere,
    /// Hemisphere correct.
    pub hemisphere_correct: bool,
    /// True onset region(s).
    pub true_regions: Vec<Region>,
    /// Detected primary onset region.
    pub detected_region: Option<Region>,
    /// Region correct; `None` when the truth names no onset region.
    pub region_correct: Option<bool>,
    /// Sequence agreement in \[0, 1\]; `None` when either side lists no visits.
    pub sequence_agreement: Option<f64>,
}

/// Localisation scores of one recording, or pooled over several.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalisationScore {
    /// True seizures.
    pub true_seizures: usize,
    /// Detected seizures.
    pub detected_seizures: usize,
    /// True seizures matched to a detection.
    pub matched: usize,
    /// Matched pairs with the onset hemisphere right.
    pub hemisphere_correct: usize,
    /// `hemisphere_correct / matched` (NaN, serialised `null`, when nothing matched).
    pub hemisphere_accuracy: f64,
    /// Matched pairs whose onset region could be assessed.
    pub region_assessed: usize,
    /// Assessed pairs with the onset region right.
    pub region_correct: usize,
    /// `region_correct / region_assessed` (NaN when none assessed).
    pub region_accuracy: f64,
    /// Matched pairs with visits on both sides.
    pub sequence_assessed: usize,
    /// Sum of sequence agreements of the assessed pairs.
    pub sequence_agreement_sum: f64,
    /// Mean sequence agreement (NaN when none assessed).
    pub sequence_agreement: f64,
    /// The matched pairs (empty for pooled scores).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<SeizureMatch>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { f64::NAN } else { a as f64 / b as f64 }
}

impl LocalisationScore {
    fn from_parts(true_seizures: usize, detected_seizures: usize, matches: Vec<SeizureMatch>) -> Self {
        let mut s = LocalisationScore {
            true_seizures,
            detected_seizures,
            matched: matches.len(),
            hemisphere_correct: matches.iter().filter(|m| m.hemisphere_correct).count(),
            hemisphere_accuracy: 0.0,
            region_assessed: matches.iter().filter(|m| m.region_correct.is_some()).count(),
            region_correct: matches.iter().filter(|m| m.region_correct == Some(true)).count(),
            region_accuracy: 0.0,
            sequence_assessed: matches.iter().filter(|m| m.sequence_agreement.is_some()).count(),
            sequence_agreement_sum: matches.iter().filter_map(|m| m.sequence_agreement).sum(),
            sequence_agreement: 0.0,
            matches,
        };
        s.finish();
        s
    }

    fn finish(&mut self) {
        self.hemisphere_accuracy = ratio(self.hemisphere_correct, self.matched);
        self.region_accuracy = ratio(self.region_correct, self.region_assessed);
        self.sequence_agreement =
            if self.sequence_assessed == 0 { f64::NAN } else { self.sequence_agreement_sum / self.sequence_assessed as f64 };
    }

    /// Several recordings taken together: counts summed, accuracies recomputed (the matches are
    /// not kept). `None` when `parts` is empty.
    pub fn pooled<'a>(parts: impl IntoIterator<Item = &'a LocalisationScore>) -> Option<LocalisationScore> {
        let mut acc: Option<LocalisationScore> = None;
        for p in parts {
            let a = acc.get_or_insert_with(|| LocalisationScore::from_parts(0, 0, Vec::new()));
            a.true_seizures += p.true_seizures;
            a.detected_seizures += p.detected_seizures;
            a.matched += p.matched;
            a.hemisphere_correct += p.hemisphere_correct;
            a.region_assessed += p.region_assessed;
            a.region_correct += p.region_correct;
            a.sequence_assessed += p.sequence_assessed;
            a.sequence_agreement_sum += p.sequence_agreement_sum;
        }
        acc.map(|mut a| {
            a.finish();
            a
        })
    }
}

/// Levenshtein (edit) distance between two sequences: insertions, deletions and substitutions
/// cost 1.
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (x != y) as usize).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Sequence agreement `1 − lev(a, b) / max(|a|, |b|)` of two region sequences; `None` when both
/// are empty.
pub fn sequence_agreement(a: &[Region], b: &[Region]) -> Option<f64> {
    let n = a.len().max(b.len());
    if n == 0 { None } else { Some(1.0 - levenshtein(a, b) as f64 / n as f64) }
}

/// The onset regions of a map: its `onset_regions`, else the regions of its onset electrodes.
fn onset_regions(m: &SeizureMap) -> Vec<Region> {
    if !m.onset_regions.is_empty() {
        return m.onset_regions.clone();
    }
    let mut out: Vec<Region> = Vec::new();
    for e in &m.onset_electrodes {
        if !out.contains(&e.region()) {
            out.push(e.region());
        }
    }
    out
}

fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    a.1.min(b.1) - a.0.max(b.0)
}

/// Match true to detected seizures one to one (see the module documentation); returns pairs of
/// indices `(truth, detected)`, sorted by truth index.
pub fn match_seizures(truth: &[SeizureMap], detected: &[SeizureMap], params: &MatchParams) -> Vec<(usize, usize)> {
    struct Cand {
        t: usize,
        d: usize,
        core: f64,
        window: f64,
        onset_diff: f64,
    }
    let mut cands = Vec::new();
    for (t, ts) in truth.iter().enumerate() {
        let window = (ts.onset - params.tolerance_start, ts.offset + params.tolerance_end);
        for (d, ds) in detected.iter().enumerate() {
            let w = overlap(window, (ds.onset, ds.offset));
            if w > 0.0 {
                cands.push(Cand {
                    t,
                    d,
                    core: overlap((ts.onset, ts.offset), (ds.onset, ds.offset)).max(0.0),
                    window: w,
                    onset_diff: (ds.onset - ts.onset).abs(),
                });
            }
        }
    }
    cands.sort_by(|a, b| {
        b.core
            .total_cmp(&a.core)
            .then(b.window.total_cmp(&a.window))
            .then(a.onset_diff.total_cmp(&b.onset_diff))
            .then(a.t.cmp(&b.t))
            .then(a.d.cmp(&b.d))
    });
    let (mut t_used, mut d_used) = (vec![false; truth.len()], vec![false; detected.len()]);
    let mut pairs = Vec::new();
    for c in cands {
        if !t_used[c.t] && !d_used[c.d] {
            t_used[c.t] = true;
            d_used[c.d] = true;
            pairs.push((c.t, c.d));
        }
    }
    pairs.sort_unstable();
    if params.simultaneous > 0.0 {
        // Only the detections are exchanged, so the pairs stay sorted by truth index.
        swap_simultaneous(truth, detected, params.simultaneous, &mut pairs);
    }
    pairs
}

/// Re-pairs the detections of simultaneous true seizures by onset place (module documentation).
/// A pair agrees on the region when the detection's first onset region is one of the truth's, on
/// the hemisphere when both name the same one. Each swap strictly raises the number of agreeing
/// (region, hemisphere) pairs, so it terminates.
fn swap_simultaneous(truth: &[SeizureMap], detected: &[SeizureMap], window: f64, pairs: &mut [(usize, usize)]) {
    let core = |t: usize, d: usize| overlap((truth[t].onset, truth[t].offset), (detected[d].onset, detected[d].offset));
    // Onset regions computed once: the truth index of each pair position never changes.
    let t_regions: Vec<Vec<Region>> = pairs.iter().map(|&(t, _)| onset_regions(&truth[t])).collect();
    let d_region: Vec<Option<Region>> = detected.iter().map(|d| onset_regions(d).first().copied()).collect();
    let agree = |a: usize, t: usize, d: usize| {
        let region = d_region[d].is_some_and(|r| t_regions[a].contains(&r));
        (region as usize, (truth[t].onset_hemisphere == detected[d].onset_hemisphere) as usize)
    };
    let add = |a: (usize, usize), b: (usize, usize)| (a.0 + b.0, a.1 + b.1);
    loop {
        let mut swapped = false;
        for a in 0..pairs.len() {
            for b in a + 1..pairs.len() {
                let ((t1, d1), (t2, d2)) = (pairs[a], pairs[b]);
                if (truth[t1].onset - truth[t2].onset).abs() > window || core(t1, d2) <= 0.0 || core(t2, d1) <= 0.0 {
                    continue;
                }
                if add(agree(a, t1, d2), agree(b, t2, d1)) > add(agree(a, t1, d1), agree(b, t2, d2)) {
                    pairs[a].1 = d2;
                    pairs[b].1 = d1;
                    swapped = true;
                }
            }
        }
        if !swapped {
            break;
        }
    }
}

/// Localisation scores of `detected` against `truth` for one recording.
pub fn score_localisation(truth: &[SeizureMap], detected: &[SeizureMap], params: &MatchParams) -> LocalisationScore {
    let matches = match_seizures(truth, detected, params)
        .into_iter()
        .map(|(t, d)| {
            let (ts, ds) = (&truth[t], &detected[d]);
            let true_regions = onset_regions(ts);
            let detected_region = onset_regions(ds).first().copied();
            let region_correct = (!true_regions.is_empty()).then(|| detected_region.is_some_and(|r| true_regions.contains(&r)));
            let sequence = if ts.visits.is_empty() || ds.visits.is_empty() {
                None
            } else {
                sequence_agreement(&ts.region_sequence(), &ds.region_sequence())
            };
            SeizureMatch {
                true_id: ts.id,
                detected_id: ds.id,
                true_onset: ts.onset,
                detected_onset: ds.onset,
                overlap: overlap((ts.onset, ts.offset), (ds.onset, ds.offset)).max(0.0),
                true_hemisphere: ts.onset_hemisphere,
                detected_hemisphere: ds.onset_hemisphere,
                hemisphere_correct: ts.onset_hemisphere == ds.onset_hemisphere,
                true_regions,
                detected_region,
                region_correct,
                sequence_agreement: sequence,
            }
        })
        .collect();
    LocalisationScore::from_parts(truth.len(), detected.len(), matches)
}

/// The electrode named by a channel label: a bare name (`Fp1`, `T7`), a referential label
/// (`EEG Fp1-REF`, `Fp1-Ref`) or a bipolar derivation (`Fp1-F7`, first electrode). `None` when the
/// label names no 10-20 electrode.
pub fn electrode_of_channel(label: &str) -> Option<Electrode> {
    let mut s = label.trim();
    if s.len() > 3 && s[..3].eq_ignore_ascii_case("eeg") {
        s = s[3..].trim_start_matches([' ', ':', '_']);
    }
    let first = s.split(['-', '/']).next().unwrap_or("").trim();
    Electrode::from_name(first)
}

/// Seizure maps from the seizure rows of an events TSV, for localisation when no JSON map is
/// given: the onset electrode is the first listed channel that names a 10-20 electrode, the onset
/// region and hemisphere are that electrode's. Visits are left empty (a TSV does not say in which
/// order the channels were involved), so such maps give onset scores but no sequence agreement.
/// Seizure rows without any electrode channel are left out. Ids count seizure rows from 1.
pub fn seizure_maps_from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<SeizureMap> {
    events
        .into_iter()
        .filter(|e| e.is_seizure())
        .enumerate()
        .filter_map(|(i, e)| {
            let el = e.channels.iter().find_map(|c| electrode_of_channel(c))?;
            Some(SeizureMap {
                id: i + 1,
                onset: e.onset,
                offset: e.offset(),
                confidence: e.confidence,
                onset_electrodes: vec![el],
                onset_regions: vec![el.region()],
                onset_hemisphere: el.hemisphere(),
                visits: Vec::new(),
                hemisphere_switches: 0,
                overlaps: Vec::new(),
                generalised: false,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct SeizuresFile {
    seizures: Vec<SeizureMap>,
}

/// Parse seizure maps from JSON text: an object whose `seizures` key holds a list of
/// [`SeizureMap`] (the simulator's truth file and the detector's `_seizures.json`); other keys are
/// ignored. `path` is only used in error messages.
pub fn parse_seizure_maps(text: &str, path: &Path) -> Result<Vec<SeizureMap>, Error> {
    serde_json::from_str::<SeizuresFile>(text)
        .map(|f| f.seizures)
        .map_err(|e| Error::Json { path: path.to_path_buf(), message: e.to_string() })
}

/// Read seizure maps from a JSON file (see [`parse_seizure_maps`]).
pub fn read_seizure_maps(path: impl AsRef<Path>) -> Result<Vec<SeizureMap>, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    parse_seizure_maps(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Hemisphere, Lobe, RegionVisit};

    fn map(id: usize, onset: f64, offset: f64, regions: &[Region]) -> SeizureMap {
        let visits: Vec<RegionVisit> =
            regions.iter().enumerate().map(|(k, &r)| RegionVisit { region: r, start: onset + 5.0 * k as f64, end: offset }).collect();
        SeizureMap {
            id,
            onset,
            offset,
            confidence: None,
            onset_electrodes: regions[0].electrodes().take(1).collect(),
            onset_regions: vec![regions[0]],
            onset_hemisphere: regions[0].hemisphere,
            hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
            visits,
            overlaps: vec![],
            generalised: false,
        }
    }

    const LT: Region = Region::new(Lobe::Temporal, Hemisphere::Left);
    const LC: Region = Region::new(Lobe::Central, Hemisphere::Left);
    const RF: Region = Region::new(Lobe::Frontal, Hemisphere::Right);
    const RO: Region = Region::new(Lobe::Occipital, Hemisphere::Right);

    #[test]
    fn edit_distance_and_agreement() {
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(levenshtein::<u8>(&[], &[1, 2]), 2);
        assert_eq!(levenshtein(&['k', 'i', 't', 't', 'e', 'n'], &['s', 'i', 't', 't', 'i', 'n', 'g']), 3);
        assert_eq!(sequence_agreement(&[LT, LC, RF], &[LT, LC, RF]), Some(1.0));
        assert_eq!(sequence_agreement(&[LT, LC, RF, RO], &[LT, RF]), Some(0.5));
        assert_eq!(sequence_agreement(&[LT], &[RO]), Some(0.0));
        assert_eq!(sequence_agreement(&[], &[]), None);
    }

    #[test]
    fn overlapping_seizures_are_matched_one_to_one() {
        // Two overlapping true seizures in different hemispheres; each detection overlaps both.
        let truth = vec![map(1, 100.0, 160.0, &[LT, LC]), map(2, 130.0, 200.0, &[RF])];
        let det = vec![map(7, 131.0, 205.0, &[RF, RO]), map(8, 100.0, 158.0, &[LT, RF])];
        assert_eq!(match_seizures(&truth, &det, &MatchParams::default()), vec![(0, 1), (1, 0)]);
        let s = score_localisation(&truth, &det, &MatchParams::default());
        assert_eq!((s.true_seizures, s.detected_seizures, s.matched), (2, 2, 2));
        assert_eq!((s.hemisphere_correct, s.region_correct, s.region_assessed), (2, 2, 2));
        assert_eq!(s.hemisphere_accuracy, 1.0);
        // [LT, LC] vs [LT, RF]: one substitution of two → 0.5; [RF] vs [RF, RO]: 0.5.
        assert_eq!(s.sequence_assessed, 2);
        assert_eq!(s.sequence_agreement, 0.5);
        assert_eq!(s.matches[0].true_id, 1);
        assert_eq!(s.matches[0].detected_id, 8);
    }

    #[test]
    fn simultaneous_onsets_are_paired_by_place() {
        // Two true seizures 1.3 s apart (L-temporal, R-parietal); two detections both starting at
        // 1475 s. Time pairs them crosswise (the longer detection overlaps the longer truth most);
        // the onset places pair them the other way.
        let (lp, rp) = (Region::new(Lobe::Parietal, Hemisphere::Left), Region::new(Lobe::Parietal, Hemisphere::Right));
        let truth = vec![map(1, 1472.7, 1500.0, &[LT]), map(2, 1474.0, 1490.0, &[rp])];
        let det = vec![map(1, 1475.0, 1500.0, &[rp]), map(2, 1475.0, 1489.0, &[LT])];
        let timed = MatchParams { simultaneous: 0.0, ..MatchParams::default() };
        assert_eq!(match_seizures(&truth, &det, &timed), vec![(0, 0), (1, 1)]);
        assert_eq!(score_localisation(&truth, &det, &timed).hemisphere_correct, 0);
        assert_eq!(match_seizures(&truth, &det, &MatchParams::default()), vec![(0, 1), (1, 0)]);
        let s = score_localisation(&truth, &det, &MatchParams::default());
        assert_eq!((s.matched, s.hemisphere_correct, s.region_correct), (2, 2, 2));
        // Onsets 9 s apart are not simultaneous at the default 8 s: the temporal pairing stays.
        let truth9 = vec![map(1, 1465.0, 1500.0, &[LT]), map(2, 1474.0, 1490.0, &[rp])];
        assert_eq!(match_seizures(&truth9, &det, &MatchParams::default()), vec![(0, 0), (1, 1)]);
        // No swap when it does not improve the agreement (both detections in the same place).
        let same = vec![map(1, 1475.0, 1500.0, &[lp]), map(2, 1475.0, 1489.0, &[lp])];
        assert_eq!(match_seizures(&truth, &same, &MatchParams::default()), vec![(0, 0), (1, 1)]);
    }

    #[test]
    fn tolerance_window_limits_candidates() {
        let truth = vec![map(1, 100.0, 110.0, &[LT])];
        // Ends exactly at onset − 30: no positive overlap with the window.
        assert!(match_seizures(&truth, &[map(1, 50.0, 70.0, &[LT])], &MatchParams::default()).is_empty());
        // Starts 59 s after the offset: inside the window, wrong hemisphere.
        let s = score_localisation(&truth, &[map(1, 169.0, 180.0, &[RO])], &MatchParams::default());
        assert_eq!((s.matched, s.hemisphere_correct, s.region_correct), (1, 0, 0));
        assert_eq!(s.hemisphere_accuracy, 0.0);
        let none = score_localisation(&truth, &[], &MatchParams::default());
        assert!(none.hemisphere_accuracy.is_nan() && none.sequence_agreement.is_nan());
        let pooled = LocalisationScore::pooled([&s, &none]).unwrap();
        assert_eq!((pooled.true_seizures, pooled.matched, pooled.hemisphere_accuracy), (2, 1, 0.0));
    }

    #[test]
    fn channels_to_electrodes_and_maps() {
        assert_eq!(electrode_of_channel("Fp1"), Some(Electrode::Fp1));
        assert_eq!(electrode_of_channel("T7"), Some(Electrode::T3));
        assert_eq!(electrode_of_channel("Fp1-F7"), Some(Electrode::Fp1));
        assert_eq!(electrode_of_channel("EEG P8-REF"), Some(Electrode::T6));
        assert_eq!(electrode_of_channel("ECG"), None);
        let mut e = Event::new(10.0, 20.0, "sz_foc");
        e.channels = vec!["ECG".into(), "T8-P8".into(), "F4".into()];
        let mut no_ch = Event::new(50.0, 5.0, "sz");
        no_ch.channels.clear();
        let bckg = Event::new(0.0, 100.0, "bckg");
        let mut e2 = Event::new(60.0, 5.0, "sz");
        e2.channels = vec!["Cz".into()];
        let maps = seizure_maps_from_events([&bckg, &e, &no_ch, &e2]);
        assert_eq!(maps.len(), 2);
        assert_eq!((maps[0].id, maps[0].onset, maps[0].offset), (1, 10.0, 30.0));
        assert_eq!(maps[0].onset_electrodes, vec![Electrode::T4]);
        assert_eq!(maps[0].onset_regions, vec![Region::new(Lobe::Temporal, Hemisphere::Right)]);
        assert_eq!(maps[1].id, 3);
        assert_eq!(maps[1].onset_hemisphere, Hemisphere::Midline);
        assert!(maps[1].visits.is_empty());
    }

    #[test]
    fn reads_seizures_key_and_ignores_others() {
        let m = map(3, 1.0, 2.0, &[LT, RF]);
        let text = format!("{{\"recording\": \"x\", \"seizures\": [{}], \"regions\": {{}}}}", serde_json::to_string(&m).unwrap());
        assert_eq!(parse_seizure_maps(&text, Path::new("t.json")).unwrap(), vec![m]);
        let err = parse_seizure_maps("{\"seizures\": [{\"id\": 1}]}", Path::new("t.json")).unwrap_err().to_string();
        assert!(err.starts_with("t.json: ") && err.contains("missing field"), "{err}");
    }
}
