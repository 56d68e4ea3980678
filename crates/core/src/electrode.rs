//! The 19 electrodes of the international 10-20 system, their positions and brain regions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Left or right hemisphere, or the midline (Fz, Cz, Pz).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hemisphere {
    /// Left hemisphere (odd-numbered electrodes).
    Left,
    /// Right hemisphere (even-numbered electrodes).
    Right,
    /// Midline (`z` electrodes).
    Midline,
}

impl Hemisphere {
    /// `left`, `right` or `midline`.
    pub fn name(self) -> &'static str {
        match self {
            Hemisphere::Left => "left",
            Hemisphere::Right => "right",
            Hemisphere::Midline => "midline",
        }
    }

    /// The other hemisphere (midline maps to itself).
    pub fn opposite(self) -> Hemisphere {
        match self {
            Hemisphere::Left => Hemisphere::Right,
            Hemisphere::Right => Hemisphere::Left,
            Hemisphere::Midline => Hemisphere::Midline,
        }
    }
}

/// Lobe (scalp area) of an electrode as used in clinical EEG reports.
///
/// Frontal: Fp1/Fp2, F3/F4, F7/F8 (F7/F8 are often read as anterior temporal; eimfs keeps them
/// frontal, as their names say). Central: C3/C4. Temporal: T3/T4 (mid) and T5/T6 (posterior).
/// Parietal: P3/P4. Occipital: O1/O2. Midline: Fz, Cz, Pz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lobe {
    /// Fp1, Fp2, F3, F4, F7, F8.
    Frontal,
    /// C3, C4.
    Central,
    /// T3, T4, T5, T6.
    Temporal,
    /// P3, P4.
    Parietal,
    /// O1, O2.
    Occipital,
    /// Fz, Cz, Pz.
    Midline,
}

impl Lobe {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Lobe::Frontal => "frontal",
            Lobe::Central => "central",
            Lobe::Temporal => "temporal",
            Lobe::Parietal => "parietal",
            Lobe::Occipital => "occipital",
            Lobe::Midline => "midline",
        }
    }
}

/// A region of the scalp: lobe × hemisphere. Migration is reported as a sequence of regions.
///
/// There are 11 regions ([`Region::ALL`]): five lobes on each side plus the midline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    /// Lobe.
    pub lobe: Lobe,
    /// Hemisphere (always `Midline` for the midline lobe).
    pub hemisphere: Hemisphere,
}

impl Region {
    /// All 11 regions, left hemisphere front to back, right hemisphere front to back, midline.
    pub const ALL: [Region; 11] = [
        Region::new(Lobe::Frontal, Hemisphere::Left),
        Region::new(Lobe::Central, Hemisphere::Left),
        Region::new(Lobe::Temporal, Hemisphere::Left),
        Region::new(Lobe::Parietal, Hemisphere::Left),
        Region::new(Lobe::Occipital, Hemisphere::Left),
        Region::new(Lobe::Frontal, Hemisphere::Right),
        Region::new(Lobe::Central, Hemisphere::Right),
        Region::new(Lobe::Temporal, Hemisphere::Right),
        Region::new(Lobe::Parietal, Hemisphere::Right),
        Region::new(Lobe::Occipital, Hemisphere::Right),
        Region::new(Lobe::Midline, Hemisphere::Midline),
    ];

    /// A region.
    pub const fn new(lobe: Lobe, hemisphere: Hemisphere) -> Region {
        Region { lobe, hemisphere }
    }

    /// Stable short code used in file columns: `L-frontal`, `R-temporal`, `midline`.
    pub fn code(self) -> &'static str {
        match (self.hemisphere, self.lobe) {
            (_, Lobe::Midline) | (Hemisphere::Midline, _) => "midline",
            (Hemisphere::Left, Lobe::Frontal) => "L-frontal",
            (Hemisphere::Left, Lobe::Central) => "L-central",
            (Hemisphere::Left, Lobe::Temporal) => "L-temporal",
            (Hemisphere::Left, Lobe::Parietal) => "L-parietal",
            (Hemisphere::Left, Lobe::Occipital) => "L-occipital",
            (Hemisphere::Right, Lobe::Frontal) => "R-frontal",
            (Hemisphere::Right, Lobe::Central) => "R-central",
            (Hemisphere::Right, Lobe::Temporal) => "R-temporal",
            (Hemisphere::Right, Lobe::Parietal) => "R-parietal",
            (Hemisphere::Right, Lobe::Occipital) => "R-occipital",
        }
    }

    /// Parse a code written by [`Region::code`] (case-insensitive; also accepts `left frontal`).
    pub fn from_code(s: &str) -> Option<Region> {
        let norm: String = s.trim().to_ascii_lowercase().replace("left", "l").replace("right", "r").replace([' ', '_'], "-");
        Region::ALL.into_iter().find(|r| r.code().to_ascii_lowercase() == norm)
    }

    /// Index of this region in [`Region::ALL`].
    pub fn index(self) -> usize {
        Region::ALL.iter().position(|r| *r == self).expect("every region is in Region::ALL")
    }

    /// The electrodes of this region.
    pub fn electrodes(self) -> impl Iterator<Item = Electrode> {
        Electrode::ALL.into_iter().filter(move |e| e.region() == self)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Region::from_code(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown region `{s}`")))
    }
}

/// One of the 19 electrodes of the international 10-20 system.
///
/// The canonical names are the classic ones used in neonatal and infant EEG (T3, T4, T5, T6); the
/// modern 10-10 names (T7, T8, P7, P8) are accepted by [`Electrode::from_name`] and given by
/// [`Electrode::modern_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Electrode {
    /// Left frontopolar.
    Fp1,
    /// Right frontopolar.
    Fp2,
    /// Left inferior frontal (anterior temporal).
    F7,
    /// Left frontal.
    F3,
    /// Midline frontal.
    Fz,
    /// Right frontal.
    F4,
    /// Right inferior frontal (anterior temporal).
    F8,
    /// Left mid-temporal (T7).
    T3,
    /// Left central.
    C3,
    /// Vertex.
    Cz,
    /// Right central.
    C4,
    /// Right mid-temporal (T8).
    T4,
    /// Left posterior temporal (P7).
    T5,
    /// Left parietal.
    P3,
    /// Midline parietal.
    Pz,
    /// Right parietal.
    P4,
    /// Right posterior temporal (P8).
    T6,
    /// Left occipital.
    O1,
    /// Right occipital.
    O2,
}

/// BESA spherical coordinates (theta, phi in degrees) of the 10-20 electrodes on an idealised
/// spherical head (as in EEGLAB's `standard-10-20-cap19`): x = sin θ cos φ, y = sin θ sin φ,
/// z = cos θ with x towards the right ear, y towards the nasion, z up.
const BESA: [(f64, f64); 19] = [
    (-92.0, -72.0), // Fp1
    (92.0, 72.0),   // Fp2
    (-92.0, -36.0), // F7
    (-60.0, -51.0), // F3
    (46.0, 90.0),   // Fz
    (60.0, 51.0),   // F4
    (92.0, 36.0),   // F8
    (-92.0, 0.0),   // T3
    (-46.0, 0.0),   // C3
    (0.0, 0.0),     // Cz
    (46.0, 0.0),    // C4
    (92.0, 0.0),    // T4
    (-92.0, 36.0),  // T5
    (-60.0, 51.0),  // P3
    (46.0, -90.0),  // Pz
    (60.0, -51.0),  // P4
    (92.0, -36.0),  // T6
    (-92.0, 72.0),  // O1
    (92.0, -72.0),  // O2
];

impl Electrode {
    /// All 19 electrodes, front to back, left to right.
    pub const ALL: [Electrode; 19] = [
        Electrode::Fp1,
        Electrode::Fp2,
        Electrode::F7,
        Electrode::F3,
        Electrode::Fz,
        Electrode::F4,
        Electrode::F8,
        Electrode::T3,
        Electrode::C3,
        Electrode::Cz,
        Electrode::C4,
        Electrode::T4,
        Electrode::T5,
        Electrode::P3,
        Electrode::Pz,
        Electrode::P4,
        Electrode::T6,
        Electrode::O1,
        Electrode::O2,
    ];

    /// Index in [`Electrode::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Canonical (classic 10-20) name, e.g. `Fp1`, `T3`.
    pub fn name(self) -> &'static str {
        match self {
            Electrode::Fp1 => "Fp1",
            Electrode::Fp2 => "Fp2",
            Electrode::F7 => "F7",
            Electrode::F3 => "F3",
            Electrode::Fz => "Fz",
            Electrode::F4 => "F4",
            Electrode::F8 => "F8",
            Electrode::T3 => "T3",
            Electrode::C3 => "C3",
            Electrode::Cz => "Cz",
            Electrode::C4 => "C4",
            Electrode::T4 => "T4",
            Electrode::T5 => "T5",
            Electrode::P3 => "P3",
            Electrode::Pz => "Pz",
            Electrode::P4 => "P4",
            Electrode::T6 => "T6",
            Electrode::O1 => "O1",
            Electrode::O2 => "O2",
        }
    }

    /// Modern 10-10 name: `T7`, `T8`, `P7`, `P8` for T3, T4, T5, T6; otherwise the canonical name.
    pub fn modern_name(self) -> &'static str {
        match self {
            Electrode::T3 => "T7",
            Electrode::T4 => "T8",
            Electrode::T5 => "P7",
            Electrode::T6 => "P8",
            e => e.name(),
        }
    }

    /// Look up an electrode by its bare name, old or new, case-insensitively (`fp1`, `T7`, `P8`).
    ///
    /// This takes a bare electrode name; full channel labels such as `EEG Fp1-REF` are normalised
    /// by `eimfs-signal`.
    pub fn from_name(name: &str) -> Option<Electrode> {
        let n = name.trim();
        Electrode::ALL.into_iter().find(|e| e.name().eq_ignore_ascii_case(n) || e.modern_name().eq_ignore_ascii_case(n))
    }

    /// Position on the unit sphere `[x, y, z]`: x towards the right ear, y towards the nasion, z up.
    pub fn position(self) -> [f64; 3] {
        let (theta, phi) = BESA[self.index()];
        let (t, p) = (theta.to_radians(), phi.to_radians());
        [t.sin() * p.cos(), t.sin() * p.sin(), t.cos()]
    }

    /// Hemisphere: odd numbers left, even right, `z` midline.
    pub fn hemisphere(self) -> Hemisphere {
        self.region().hemisphere
    }

    /// Region (lobe × hemisphere) of this electrode.
    pub fn region(self) -> Region {
        use Electrode::*;
        use Hemisphere::{Left, Right};
        let (lobe, hemisphere) = match self {
            Fp1 | F7 | F3 => (Lobe::Frontal, Left),
            Fp2 | F8 | F4 => (Lobe::Frontal, Right),
            C3 => (Lobe::Central, Left),
            C4 => (Lobe::Central, Right),
            T3 | T5 => (Lobe::Temporal, Left),
            T4 | T6 => (Lobe::Temporal, Right),
            P3 => (Lobe::Parietal, Left),
            P4 => (Lobe::Parietal, Right),
            O1 => (Lobe::Occipital, Left),
            O2 => (Lobe::Occipital, Right),
            Fz | Cz | Pz => (Lobe::Midline, Hemisphere::Midline),
        };
        Region::new(lobe, hemisphere)
    }

    /// Great-circle distance to another electrode on the unit sphere, in radians.
    pub fn angle_to(self, other: Electrode) -> f64 {
        let (a, b) = (self.position(), other.position());
        let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        dot.clamp(-1.0, 1.0).acos()
    }

    /// The mirror electrode in the other hemisphere (midline maps to itself).
    pub fn homologue(self) -> Electrode {
        use Electrode::*;
        match self {
            Fp1 => Fp2,
            Fp2 => Fp1,
            F7 => F8,
            F8 => F7,
            F3 => F4,
            F4 => F3,
            T3 => T4,
            T4 => T3,
            C3 => C4,
            C4 => C3,
            T5 => T6,
            T6 => T5,
            P3 => P4,
            P4 => P3,
            O1 => O2,
            O2 => O1,
            e => e,
        }
    }
}

impl fmt::Display for Electrode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_old_and_new() {
        for e in Electrode::ALL {
            assert_eq!(Electrode::from_name(e.name()), Some(e));
            assert_eq!(Electrode::from_name(e.modern_name()), Some(e));
            assert_eq!(Electrode::from_name(&e.name().to_uppercase()), Some(e));
            assert_eq!(Electrode::ALL[e.index()], e);
        }
        assert_eq!(Electrode::from_name("T8"), Some(Electrode::T4));
        assert_eq!(Electrode::from_name("p7"), Some(Electrode::T5));
        assert_eq!(Electrode::from_name("P8"), Some(Electrode::T6));
        assert_eq!(Electrode::from_name("A1"), None);
    }

    #[test]
    fn positions_are_on_unit_sphere_and_mirror() {
        for e in Electrode::ALL {
            let p = e.position();
            let r = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
            assert!((r - 1.0).abs() < 1e-12, "{e} radius {r}");
            let m = e.homologue().position();
            assert!((p[0] + m[0]).abs() < 1e-12 && (p[1] - m[1]).abs() < 1e-12 && (p[2] - m[2]).abs() < 1e-12, "{e}");
            match e.hemisphere() {
                Hemisphere::Left => assert!(p[0] < -0.3, "{e} x = {}", p[0]),
                Hemisphere::Right => assert!(p[0] > 0.3, "{e} x = {}", p[0]),
                Hemisphere::Midline => assert!(p[0].abs() < 1e-12),
            }
        }
        // Cz at the vertex, Fp electrodes at the front, O at the back.
        assert!((Electrode::Cz.position()[2] - 1.0).abs() < 1e-12);
        assert!(Electrode::Fp1.position()[1] > 0.9);
        assert!(Electrode::O2.position()[1] < -0.9);
        // Neighbours are closer than opposite sides.
        assert!(Electrode::T3.angle_to(Electrode::C3) < Electrode::T3.angle_to(Electrode::T4));
    }

    #[test]
    fn regions_cover_all_electrodes() {
        let mut n = 0;
        for r in Region::ALL {
            n += r.electrodes().count();
            assert_eq!(Region::from_code(r.code()), Some(r));
            assert_eq!(Region::ALL[r.index()], r);
        }
        assert_eq!(n, 19);
        assert_eq!(Region::from_code("left temporal"), Some(Region::new(Lobe::Temporal, Hemisphere::Left)));
        assert_eq!(Electrode::O2.region().code(), "R-occipital");
        assert_eq!(Electrode::Cz.region().code(), "midline");
        let json = serde_json::to_string(&Electrode::F8.region()).unwrap();
        assert_eq!(json, "\"R-frontal\"");
        let back: Region = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Electrode::F8.region());
    }
}
