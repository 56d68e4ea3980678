//! Colours and region order shared by every figure.
//!
//! Regions are coloured by lobe (hue) and hemisphere (left dark, right light), after
//! ColorBrewer's qualitative "Paired" scheme, so that a reader sees at once both the lobe and the
//! side of a seizure's onset; the midline is grey.

use eimfs_core::{Hemisphere, Lobe, Region};

/// The regions from top to bottom in every raster: left hemisphere front to back, the midline,
/// right hemisphere front to back (the order a reader scans a double-banana page).
pub const ROW_ORDER: [Region; 11] = [
    Region::new(Lobe::Frontal, Hemisphere::Left),
    Region::new(Lobe::Temporal, Hemisphere::Left),
    Region::new(Lobe::Central, Hemisphere::Left),
    Region::new(Lobe::Parietal, Hemisphere::Left),
    Region::new(Lobe::Occipital, Hemisphere::Left),
    Region::new(Lobe::Midline, Hemisphere::Midline),
    Region::new(Lobe::Frontal, Hemisphere::Right),
    Region::new(Lobe::Temporal, Hemisphere::Right),
    Region::new(Lobe::Central, Hemisphere::Right),
    Region::new(Lobe::Parietal, Hemisphere::Right),
    Region::new(Lobe::Occipital, Hemisphere::Right),
];

/// Fill colour of a region.
pub fn region_fill(r: Region) -> &'static str {
    match (r.lobe, r.hemisphere) {
        (Lobe::Midline, _) | (_, Hemisphere::Midline) => "#8c8c8c",
        (Lobe::Frontal, Hemisphere::Left) => "#1f78b4",
        (Lobe::Frontal, Hemisphere::Right) => "#a6cee3",
        (Lobe::Central, Hemisphere::Left) => "#33a02c",
        (Lobe::Central, Hemisphere::Right) => "#b2df8a",
        (Lobe::Temporal, Hemisphere::Left) => "#e31a1c",
        (Lobe::Temporal, Hemisphere::Right) => "#fb9a99",
        (Lobe::Parietal, Hemisphere::Left) => "#6a3d9a",
        (Lobe::Parietal, Hemisphere::Right) => "#cab2d6",
        (Lobe::Occipital, Hemisphere::Left) => "#ff7f00",
        (Lobe::Occipital, Hemisphere::Right) => "#fdbf6f",
    }
}

/// Outline colour of a region (darker, so light fills stay visible on white).
pub fn region_stroke(r: Region) -> &'static str {
    match (r.lobe, r.hemisphere) {
        (Lobe::Midline, _) | (_, Hemisphere::Midline) => "#555555",
        (Lobe::Frontal, _) => "#114a70",
        (Lobe::Central, _) => "#1d5e19",
        (Lobe::Temporal, _) => "#8c1011",
        (Lobe::Parietal, _) => "#3f2460",
        (Lobe::Occipital, _) => "#9a4c00",
    }
}

/// A region's name for readers: `left temporal`, `midline`.
pub fn region_name(r: Region) -> String {
    match r.hemisphere {
        Hemisphere::Midline => "midline".into(),
        h => format!("{} {}", h.name(), r.lobe.name()),
    }
}

/// Short row label: `L frontal`, `midline`.
pub fn region_short(r: Region) -> String {
    match r.hemisphere {
        Hemisphere::Midline => "midline".into(),
        Hemisphere::Left => format!("L {}", r.lobe.name()),
        Hemisphere::Right => format!("R {}", r.lobe.name()),
    }
}

/// Row of a region in [`ROW_ORDER`].
pub fn row_of(r: Region) -> usize {
    ROW_ORDER.iter().position(|x| *x == r).expect("every region has a row")
}

/// Colour of correct detections / detected true seizures.
pub const OK: &str = "#2b8a3e";
/// Colour of misses and false detections.
pub const BAD: &str = "#d6336c";
/// Colour of clusters.
pub const CLUSTER: &str = "#fff3bf";
/// Colour of status epilepticus.
pub const STATUS: &str = "#c92a2a";
/// Axis and text grey.
pub const AXIS: &str = "#495057";
/// Light grid grey.
pub const GRID: &str = "#e9ecef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_a_row_and_a_distinct_colour() {
        let mut fills: Vec<&str> = Region::ALL.iter().map(|r| region_fill(*r)).collect();
        fills.sort();
        fills.dedup();
        assert_eq!(fills.len(), 11);
        for r in Region::ALL {
            assert_eq!(ROW_ORDER[row_of(r)], r);
        }
        assert_eq!(region_name(Region::new(Lobe::Temporal, Hemisphere::Left)), "left temporal");
        assert_eq!(region_short(Region::new(Lobe::Midline, Hemisphere::Midline)), "midline");
    }
}
