//! Where a seizure starts and where it goes.

use serde::{Deserialize, Serialize};

use crate::{Electrode, Hemisphere, Region};

/// One stay of ictal activity in a region during a seizure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionVisit {
    /// Region.
    pub region: Region,
    /// Start of ictal activity in the region, seconds from the recording start.
    pub start: f64,
    /// End of ictal activity in the region, seconds from the recording start.
    pub end: f64,
}

/// The spatial map of one seizure: onset, the ordered regions it visits, hemisphere switches,
/// overlap with other seizures and generalisation.
///
/// The same type describes the simulator's ground truth (`eimfs-sim`), the detector's output
/// (`eimfs-detect`) and is what onset-localisation scoring (`eimfs-score`) compares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeizureMap {
    /// Identifier, unique within a recording (1-based, in order of onset).
    pub id: usize,
    /// Onset, seconds from the recording start.
    pub onset: f64,
    /// Offset, seconds from the recording start.
    pub offset: f64,
    /// Detector confidence in \[0, 1\]; `None` for ground truth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Electrode(s) where the seizure starts.
    pub onset_electrodes: Vec<Electrode>,
    /// Region(s) where the seizure starts (usually one).
    pub onset_regions: Vec<Region>,
    /// Hemisphere of onset.
    pub onset_hemisphere: Hemisphere,
    /// The regions the seizure visits, ordered by start time (the onset region first).
    pub visits: Vec<RegionVisit>,
    /// Number of times the ictal activity moves from one hemisphere to the other (counted over the
    /// sequence of visit starts, ignoring midline).
    pub hemisphere_switches: usize,
    /// Ids of other seizures that overlap this one in time (in different regions).
    pub overlaps: Vec<usize>,
    /// True when the seizure involves both hemispheres broadly (secondary generalisation).
    pub generalised: bool,
}

impl SeizureMap {
    /// Duration in seconds.
    pub fn duration(&self) -> f64 {
        self.offset - self.onset
    }

    /// The distinct regions visited, in order of first visit.
    pub fn region_sequence(&self) -> Vec<Region> {
        let mut seq: Vec<Region> = Vec::new();
        for v in &self.visits {
            if !seq.contains(&v.region) {
                seq.push(v.region);
            }
        }
        seq
    }

    /// True when the ictal activity moves: at least two distinct regions visited in sequence.
    pub fn migrates(&self) -> bool {
        self.region_sequence().len() >= 2
    }

    /// Delays in seconds between the starts of successive visits to new regions (the "delay
    /// between successive ictal activities" marker of migration).
    pub fn inter_onset_delays(&self) -> Vec<f64> {
        let mut seen: Vec<Region> = Vec::new();
        let mut starts = Vec::new();
        for v in &self.visits {
            if !seen.contains(&v.region) {
                seen.push(v.region);
                starts.push(v.start);
            }
        }
        starts.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// Count hemisphere switches in a visit sequence (midline visits are skipped).
    pub fn count_hemisphere_switches(visits: &[RegionVisit]) -> usize {
        let mut last: Option<Hemisphere> = None;
        let mut n = 0;
        for v in visits {
            let h = v.region.hemisphere;
            if h == Hemisphere::Midline {
                continue;
            }
            if let Some(l) = last
                && l != h
            {
                n += 1;
            }
            last = Some(h);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lobe;

    fn visit(lobe: Lobe, h: Hemisphere, start: f64, end: f64) -> RegionVisit {
        RegionVisit { region: Region::new(lobe, h), start, end }
    }

    #[test]
    fn sequence_delays_and_switches() {
        let visits = vec![
            visit(Lobe::Temporal, Hemisphere::Left, 10.0, 40.0),
            visit(Lobe::Central, Hemisphere::Left, 25.0, 50.0),
            visit(Lobe::Midline, Hemisphere::Midline, 30.0, 45.0),
            visit(Lobe::Frontal, Hemisphere::Right, 48.0, 90.0),
            visit(Lobe::Temporal, Hemisphere::Left, 85.0, 95.0),
        ];
        let m = SeizureMap {
            id: 1,
            onset: 10.0,
            offset: 95.0,
            confidence: None,
            onset_electrodes: vec![Electrode::T3],
            onset_regions: vec![Region::new(Lobe::Temporal, Hemisphere::Left)],
            onset_hemisphere: Hemisphere::Left,
            hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
            visits,
            overlaps: vec![],
            generalised: false,
        };
        assert_eq!(m.duration(), 85.0);
        assert_eq!(m.region_sequence().len(), 4);
        assert!(m.migrates());
        assert_eq!(m.inter_onset_delays(), vec![15.0, 5.0, 18.0]);
        assert_eq!(m.hemisphere_switches, 2);
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"onset_electrodes\":[\"T3\"]"), "{json}");
        assert!(json.contains("\"region\":\"L-temporal\""), "{json}");
        assert!(!json.contains("confidence"));
        let back: SeizureMap = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn single_region_does_not_migrate() {
        let visits = vec![visit(Lobe::Occipital, Hemisphere::Right, 0.0, 30.0)];
        assert_eq!(SeizureMap::count_hemisphere_switches(&visits), 0);
        let m = SeizureMap {
            id: 1,
            onset: 0.0,
            offset: 30.0,
            confidence: Some(0.9),
            onset_electrodes: vec![Electrode::O2],
            onset_regions: vec![Region::new(Lobe::Occipital, Hemisphere::Right)],
            onset_hemisphere: Hemisphere::Right,
            visits,
            hemisphere_switches: 0,
            overlaps: vec![],
            generalised: false,
        };
        assert!(!m.migrates());
        assert!(m.inter_onset_delays().is_empty());
    }
}
