//! Level 1: the Na⁺-activated K⁺ current of KCNT1 (Slack, K_Na1.1), intracellular Na⁺ dynamics,
//! channel variants and the quinidine block.
//!
//! # Equations
//!
//! The current follows Compte et al. (J Neurophysiol 2003, 89:2707) with the Na⁺ dependence of
//! Bischoff et al. (J Physiol 1998, 510:743):
//!
//! ```text
//! I_KNa = ḡ_KNa · s · (1 − block) · w∞([Na]ᵢ) · (V − E_K)          (µA/cm², outward positive)
//! w∞    = w_max · ( f₀ + (1 − f₀) / (1 + (K_half / [Na]ᵢ)^h) )
//! d[Na]ᵢ/dt = −k_Na · (I_Na + I_NaP) − R_pump · ( φ([Na]ᵢ) − φ([Na]_eq) ),   φ(x) = x³ / (x³ + K_p³)
//! ```
//!
//! with ḡ_KNa = 1.33 mS/cm², w_max = 0.37, K_half = 38.7 mM, h = 3.5, E_K = −100 mV (Compte 2003),
//! R_pump = 0.018 mM/ms, \[Na\]_eq = 9.5 mM, K_p = 15 mM. `k_Na` (mM/ms per µA/cm² of inward
//! Na⁺ current) is a property of the cell (its surface-to-volume ratio) and lives in
//! [`crate::cells`].
//!
//! A [`Variant`] changes three things, the three ways a KCNT1 gain of function has been described:
//! the conductance scale `s` (larger currents: every EIMFS variant studied by Tang et al. 2016
//! raised the maximal open probability), the Na⁺ half-activation `K_half` (seven of twelve
//! variants raised the Na⁺ sensitivity, Tang et al., Cell Rep 2016, 14:129) and a Na⁺-independent
//! open fraction `f₀` (channels open at the resting potential; Int J Mol Sci 2022, 23:15133 found
//! that the open probability at rest tracks the severity of the phenotype).
//!
//! Quinidine is a fractional block `c/(c + IC₅₀)` (Hill coefficient 1) with IC₅₀ = 100 µM, which
//! gives the > 90 % block at 1 mM that IUPHAR lists for K_Na1.1.
//!
//! # Example
//!
//! ```
//! use eimfs_sim::channel::{KnaChannel, Quinidine, Variant};
//!
//! let wt = KnaChannel::new(&Variant::wild_type(), Quinidine::none());
//! let gof = KnaChannel::new(&Variant::gain_of_function(), Quinidine::none());
//! // At a resting [Na]i of 10 mM a gain-of-function channel is 1.5 times more often open and,
//! // with the doubled conductance, the current is about three times the wild type's.
//! assert!(gof.open_probability(10.0) > 1.4 * wt.open_probability(10.0));
//! assert!(gof.conductance(10.0) > 2.8 * wt.conductance(10.0));
//! // 1 mM quinidine blocks more than 90 % of the current.
//! assert!(Quinidine::micromolar(1000.0).block() > 0.9);
//! ```

use serde::{Deserialize, Serialize};

use crate::Error;

/// Compte et al. 2003 maximal K_Na conductance, mS/cm².
pub const G_KNA: f64 = 1.33;
/// Maximal open probability of the Bischoff 1998 fit.
pub const W_MAX: f64 = 0.37;
/// Na⁺ half-activation of the wild-type channel, mM (Bischoff 1998, as used by Compte 2003).
pub const NA_HALF_WT: f64 = 38.7;
/// Hill coefficient of the Na⁺ dependence.
pub const NA_HILL: f64 = 3.5;
/// K⁺ reversal potential, mV (Compte 2003).
pub const E_K: f64 = -100.0;
/// IC₅₀ of quinidine on K_Na1.1, µM (gives > 90 % block at 1 mM, IUPHAR).
pub const QUINIDINE_IC50_UM: f64 = 100.0;

/// Na⁺/K⁺ pump and resting Na⁺ of Compte et al. 2003.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SodiumPump {
    /// Maximal pump rate R_pump, mM/ms.
    pub r_pump: f64,
    /// Equilibrium (resting) \[Na\]ᵢ, mM.
    pub na_eq: f64,
    /// Pump half-saturation K_p, mM.
    pub k_pump: f64,
}

impl Default for SodiumPump {
    fn default() -> Self {
        SodiumPump { r_pump: 0.018, na_eq: 9.5, k_pump: 15.0 }
    }
}

impl SodiumPump {
    fn phi(&self, na: f64) -> f64 {
        let x3 = na * na * na;
        x3 / (x3 + self.k_pump * self.k_pump * self.k_pump)
    }

    /// Net Na⁺ extrusion rate in mM/ms at concentration `na` (zero at `na_eq`).
    pub fn rate(&self, na: f64) -> f64 {
        self.r_pump * (self.phi(na.max(0.0)) - self.phi(self.na_eq))
    }
}

/// A KCNT1 channel variant: how it differs from the wild type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Short name used on the command line (`wt`, `gof`, …).
    pub name: String,
    /// Scale of the maximal conductance (1 for the wild type).
    pub g_scale: f64,
    /// Na⁺ half-activation K_half in mM (38.7 for the wild type).
    pub na_half: f64,
    /// Na⁺-independent open fraction f₀ in \[0, 1) (0 for the wild type).
    pub open_fraction: f64,
    /// Where the numbers come from.
    pub source: String,
}

impl Variant {
    /// The wild-type channel.
    pub fn wild_type() -> Variant {
        Variant {
            name: "wt".into(),
            g_scale: 1.0,
            na_half: NA_HALF_WT,
            open_fraction: 0.0,
            source: "Compte et al. 2003 / Bischoff et al. 1998".into(),
        }
    }

    /// The default gain-of-function set: conductance ×2, half-activation lowered from 38.7 to
    /// 36 mM and 0.2 % of the channels open independently of Na⁺.
    ///
    /// The three changes follow the mechanisms reported for EIMFS variants (larger maximal open
    /// probability and higher Na⁺ sensitivity, Tang et al. 2016; more channels open at rest,
    /// Int J Mol Sci 2022, 23:15133). Their sizes are a moderate, heterozygous-like choice (one
    /// mutant allele): a doubled current, a 7 % lower half-activation and a small open fraction at
    /// rest; larger homomeric effects are reached with `gof@LEVEL`.
    pub fn gain_of_function() -> Variant {
        Variant {
            name: "gof".into(),
            g_scale: 2.0,
            na_half: 36.0,
            open_fraction: 0.002,
            source: "eimfs default: mechanisms of Tang et al. 2016 and Int J Mol Sci 2022, 23:15133".into(),
        }
    }

    /// A gain of function of strength `level`: 0 is the wild type, 1 the default `gof` set, values
    /// in between or above interpolate/extrapolate each parameter (the conductance scale and the
    /// open fraction linearly, the half-activation geometrically).
    pub fn gof_level(level: f64) -> Variant {
        let g = Variant::gain_of_function();
        let l = level.max(0.0);
        Variant {
            name: format!("gof@{level}"),
            g_scale: 1.0 + l * (g.g_scale - 1.0),
            na_half: NA_HALF_WT * (g.na_half / NA_HALF_WT).powf(l),
            open_fraction: (l * g.open_fraction).min(0.5),
            source: "interpolation between wt (level 0) and gof (level 1)".into(),
        }
    }

    /// A published patient variant: the wild-type channel with its maximal conductance scaled by
    /// the measured current increase `fold` (Na⁺ dependence and resting open fraction as in the
    /// wild type unless a source gives numbers for them).
    fn with_current_fold(name: &str, fold: f64, source: &str) -> Variant {
        Variant { name: name.into(), g_scale: fold, na_half: NA_HALF_WT, open_fraction: 0.0, source: source.into() }
    }

    /// R428Q (rat R409Q), the recurrent de novo EIMFS (MMPSI) variant: current 3 times the wild
    /// type's, Na⁺ dependence unchanged.
    ///
    /// Kim et al. (Cell Rep 2014, doi:10.1016/j.celrep.2014.11.015): "a small (3 fold)
    /// increase in Slack channel activity can lead to MMPSI (rR409Q)"; Barcia et al. (Nat Genet
    /// 2012, 44:1255, doi:10.1038/ng.2441) measured 2–3-fold currents for R409Q and A913T and a
    /// Na⁺ dependence in inside-out patches "indistinguishable" from the wild type's. Both are
    /// homomeric rat channels in Xenopus oocytes (Kim: peak current at +20 mV); a patient carries one
    /// mutant allele, so this is the channel's full effect, an upper bound for the patient's.
    pub fn r428q() -> Variant {
        Variant::with_current_fold(
            "R428Q",
            3.0,
            "Kim et al., Cell Rep 2014 (3-fold current, rat R409Q, oocytes); Barcia et al., Nat Genet 2012 (2-3-fold; Na+ dependence as wild type)",
        )
    }

    /// A934T (rat A913T), a recurrent de novo EIMFS variant (also found in nocturnal frontal lobe
    /// epilepsy): current 2.5 times the wild type's (the middle of the 2–3-fold that Barcia et al.,
    /// Nat Genet 2012, 44:1255, measured for homomeric rat A913T in Xenopus oocytes), Na⁺ dependence
    /// "indistinguishable" from the wild type's (same paper, inside-out patches).
    pub fn a934t() -> Variant {
        Variant::with_current_fold(
            "A934T",
            2.5,
            "Barcia et al., Nat Genet 2012 (2-3-fold current, rat A913T, oocytes; Na+ dependence as wild type)",
        )
    }

    /// G288S (rat G269S), found in EIMFS and in autosomal dominant nocturnal frontal lobe epilepsy:
    /// "nearly 10-fold" the wild type's macroscopic current, through cooperative gating of
    /// clustered channels, with a unitary conductance less than half the wild type's (Kim et al.,
    /// Cell Rep 2014, rat channel in Xenopus oocytes). Its Na⁺ sensitivity may be lower (McTague
    /// et al. 2018, citing an unquantified measurement): no number, so the wild type's is kept.
    pub fn g288s() -> Variant {
        Variant::with_current_fold("G288S", 10.0, "Kim et al., Cell Rep 2014 (nearly 10-fold current, rat G269S, oocytes)")
    }

    /// The published patient variants with measured numbers: [`Variant::r428q`],
    /// [`Variant::a934t`], [`Variant::g288s`].
    pub fn published() -> Vec<Variant> {
        vec![Variant::r428q(), Variant::a934t(), Variant::g288s()]
    }

    /// The named variants known to [`Variant::parse`]: `wt`, `gof` and [`Variant::published`].
    pub fn named() -> Vec<Variant> {
        let mut v = vec![Variant::wild_type(), Variant::gain_of_function()];
        v.extend(Variant::published());
        v
    }

    /// Parse a variant: `wt`, `gof`, a published variant (`R428Q`, `A934T`, `G288S`, any case),
    /// `gof@LEVEL` (see [`Variant::gof_level`]) or
    /// `custom:g=SCALE,half=MM,f0=FRACTION` (any subset; missing fields keep wild-type values).
    pub fn parse(s: &str) -> Result<Variant, Error> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(v) = Variant::named().into_iter().find(|v| v.name.eq_ignore_ascii_case(t)) {
            return Ok(v);
        }
        if lower == "wildtype" || lower == "wild-type" || lower == "wild_type" {
            return Ok(Variant::wild_type());
        }
        let bad = |msg: String| Error::InvalidParameter { field: "variant".into(), message: msg };
        if let Some(level) = lower.strip_prefix("gof@") {
            let l: f64 = level.parse().map_err(|_| bad(format!("`{t}`: expected gof@LEVEL with a number, e.g. gof@1.5")))?;
            if !l.is_finite() || l < 0.0 {
                return Err(bad(format!("`{t}`: the gain-of-function level must be >= 0")));
            }
            return Ok(Variant::gof_level(l));
        }
        if let Some(spec) = lower.strip_prefix("custom:") {
            let mut v = Variant::wild_type();
            v.name = t.to_string();
            v.source = "user-defined".into();
            for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, val) = part.split_once('=').ok_or_else(|| bad(format!("`{part}`: expected key=value")))?;
                let x: f64 = val.trim().parse().map_err(|_| bad(format!("`{part}`: `{val}` is not a number")))?;
                match k.trim() {
                    "g" | "g_scale" => v.g_scale = x,
                    "half" | "na_half" => v.na_half = x,
                    "f0" | "open_fraction" => v.open_fraction = x,
                    other => return Err(bad(format!("unknown key `{other}` (expected g, half, f0)"))),
                }
            }
            v.validate()?;
            return Ok(v);
        }
        let names: Vec<String> = Variant::named().into_iter().map(|v| v.name).collect();
        Err(bad(format!("unknown variant `{t}` (expected one of {}, gof@LEVEL or custom:g=..,half=..,f0=..)", names.join(", "))))
    }

    /// Check the parameter ranges.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field: &str, msg: &str| Err(Error::InvalidParameter { field: format!("variant.{field}"), message: msg.into() });
        if !(self.g_scale.is_finite() && self.g_scale >= 0.0) {
            return bad("g_scale", "must be a finite number >= 0");
        }
        if !(self.na_half.is_finite() && self.na_half > 0.0) {
            return bad("na_half", "must be a positive concentration in mM");
        }
        if !(self.open_fraction.is_finite() && (0.0..1.0).contains(&self.open_fraction)) {
            return bad("open_fraction", "must be in [0, 1)");
        }
        Ok(())
    }
}

/// Quinidine concentration and its fractional block of K_Na1.1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quinidine {
    /// Free concentration at the channel, µM.
    pub concentration_um: f64,
    /// IC₅₀, µM.
    pub ic50_um: f64,
    /// Hill coefficient.
    pub hill: f64,
}

impl Quinidine {
    /// No drug.
    pub fn none() -> Quinidine {
        Quinidine::micromolar(0.0)
    }

    /// A concentration in µM with the default IC₅₀ and Hill coefficient 1.
    pub fn micromolar(c: f64) -> Quinidine {
        Quinidine { concentration_um: c.max(0.0), ic50_um: QUINIDINE_IC50_UM, hill: 1.0 }
    }

    /// The concentration that gives the fractional block `b` in \[0, 1).
    pub fn for_block(b: f64) -> Quinidine {
        let b = b.clamp(0.0, 0.999_999);
        Quinidine::micromolar(QUINIDINE_IC50_UM * (b / (1.0 - b)))
    }

    /// Fraction of the channels blocked, in \[0, 1).
    pub fn block(&self) -> f64 {
        if self.concentration_um <= 0.0 {
            return 0.0;
        }
        let r = (self.concentration_um / self.ic50_um).powf(self.hill);
        r / (1.0 + r)
    }
}

/// A K_Na channel population with a given variant and block.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnaChannel {
    /// Effective maximal conductance ḡ_KNa · s · (1 − block), mS/cm² (before any per-cell density
    /// factor).
    pub g: f64,
    /// Na⁺ half-activation, mM.
    pub na_half: f64,
    /// Hill coefficient.
    pub hill: f64,
    /// Na⁺-independent open fraction.
    pub open_fraction: f64,
    /// Maximal open probability.
    pub w_max: f64,
    /// Reversal potential, mV.
    pub e_k: f64,
}

impl KnaChannel {
    /// The channel of `variant` under `drug`, with the Compte 2003 conductance.
    pub fn new(variant: &Variant, drug: Quinidine) -> KnaChannel {
        KnaChannel {
            g: G_KNA * variant.g_scale * (1.0 - drug.block()),
            na_half: variant.na_half,
            hill: NA_HILL,
            open_fraction: variant.open_fraction,
            w_max: W_MAX,
            e_k: E_K,
        }
    }

    /// The same channel with its conductance multiplied by `density` (relative expression).
    pub fn with_density(mut self, density: f64) -> KnaChannel {
        self.g *= density;
        self
    }

    /// Steady-state open probability w∞ at an intracellular Na⁺ concentration in mM.
    pub fn open_probability(&self, na: f64) -> f64 {
        let na = na.max(1e-9);
        let act = 1.0 / (1.0 + libm::pow(self.na_half / na, self.hill));
        self.w_max * (self.open_fraction + (1.0 - self.open_fraction) * act)
    }

    /// Conductance in mS/cm² at `na` mM.
    pub fn conductance(&self, na: f64) -> f64 {
        self.g * self.open_probability(na)
    }

    /// Current in µA/cm² (outward positive) at membrane potential `v` mV and `na` mM.
    pub fn current(&self, v: f64, na: f64) -> f64 {
        self.conductance(na) * (v - self.e_k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wild_type_matches_compte() {
        let c = KnaChannel::new(&Variant::wild_type(), Quinidine::none());
        // w∞ = 0.37 / (1 + (38.7/Na)^3.5): at the half-activation it is 0.185.
        assert!((c.open_probability(38.7) - 0.185).abs() < 1e-12);
        let w20 = 0.37 / (1.0 + (38.7f64 / 20.0).powf(3.5));
        assert!((c.open_probability(20.0) - w20).abs() < 1e-12);
        assert!((c.current(-60.0, 20.0) - 1.33 * w20 * 40.0).abs() < 1e-12);
        assert!(c.current(-100.0, 50.0).abs() < 1e-12);
    }

    #[test]
    fn gof_opens_more_at_rest_and_during_activity() {
        let wt = KnaChannel::new(&Variant::wild_type(), Quinidine::none());
        let gof = KnaChannel::new(&Variant::gain_of_function(), Quinidine::none());
        for na in [5.0, 9.5, 15.0, 30.0, 60.0] {
            assert!(gof.conductance(na) > 2.0 * wt.conductance(na) - 1e-12, "na {na}");
        }
        // At rest (9.5 mM) the lower half-activation and the open fraction add to the doubled
        // conductance: > 3x the wild type (3.1x).
        let ratio = gof.conductance(9.5) / wt.conductance(9.5);
        assert!(ratio > 3.0 && ratio < 3.3, "{ratio}");
        // Level interpolation: 0 = wt, 1 = gof, monotone in between.
        let l0 = KnaChannel::new(&Variant::gof_level(0.0), Quinidine::none());
        let l1 = KnaChannel::new(&Variant::gof_level(1.0), Quinidine::none());
        assert!((l0.conductance(20.0) - wt.conductance(20.0)).abs() < 1e-12);
        assert!((l1.conductance(20.0) - gof.conductance(20.0)).abs() < 1e-12);
        let mut last = 0.0;
        for l in [0.0, 0.25, 0.5, 1.0, 1.5, 2.0] {
            let g = KnaChannel::new(&Variant::gof_level(l), Quinidine::none()).conductance(15.0);
            assert!(g > last);
            last = g;
        }
    }

    #[test]
    fn quinidine_dose_response() {
        assert_eq!(Quinidine::none().block(), 0.0);
        assert!((Quinidine::micromolar(100.0).block() - 0.5).abs() < 1e-12);
        assert!((Quinidine::micromolar(1000.0).block() - 1000.0 / 1100.0).abs() < 1e-12);
        assert!(Quinidine::micromolar(1000.0).block() > 0.9);
        assert!((Quinidine::for_block(0.75).block() - 0.75).abs() < 1e-12);
        let c = KnaChannel::new(&Variant::gain_of_function(), Quinidine::micromolar(300.0));
        assert!((c.g - 1.33 * 2.0 * 0.25).abs() < 1e-12);
    }

    #[test]
    fn pump_balances_at_rest() {
        let p = SodiumPump::default();
        assert_eq!(p.rate(9.5), 0.0);
        assert!(p.rate(20.0) > 0.0 && p.rate(5.0) < 0.0);
        // Saturates at r_pump (1 − φ(9.5)).
        let phi_eq = 9.5f64.powi(3) / (9.5f64.powi(3) + 15f64.powi(3));
        assert!((p.rate(1e6) - 0.018 * (1.0 - phi_eq)).abs() < 1e-9);
    }

    #[test]
    fn parse_variants_and_errors() {
        assert_eq!(Variant::parse("WT").unwrap(), Variant::wild_type());
        assert_eq!(Variant::parse("gof").unwrap(), Variant::gain_of_function());
        let v = Variant::parse("custom:g=3,half=30,f0=0.05").unwrap();
        assert_eq!((v.g_scale, v.na_half, v.open_fraction), (3.0, 30.0, 0.05));
        assert!((Variant::parse("gof@0.5").unwrap().g_scale - 1.5).abs() < 1e-12);
        let e = Variant::parse("R999X").unwrap_err().to_string();
        assert!(e.contains("variant") && e.contains("unknown variant `R999X`"), "{e}");
        let e = Variant::parse("custom:f0=1.5").unwrap_err().to_string();
        assert!(e.contains("variant.open_fraction"), "{e}");
        let e = Variant::parse("custom:x=1").unwrap_err().to_string();
        assert!(e.contains("unknown key `x`"), "{e}");
        assert!(Variant::parse("gof@-1").is_err());
    }

    #[test]
    fn published_variants_carry_their_measured_currents_and_sources() {
        let r = Variant::parse("r428q").unwrap();
        assert_eq!((r.name.as_str(), r.g_scale, r.na_half, r.open_fraction), ("R428Q", 3.0, NA_HALF_WT, 0.0));
        assert_eq!(Variant::parse("A934T").unwrap().g_scale, 2.5);
        assert_eq!(Variant::parse("g288s").unwrap().g_scale, 10.0);
        for v in &Variant::published() {
            v.validate().unwrap();
            assert!(v.source.contains("2012") || v.source.contains("2014"), "{}: {}", v.name, v.source);
            // The current at a resting [Na]i scales with the measured fold, nothing else changes.
            let (wt, var) = (KnaChannel::new(&Variant::wild_type(), Quinidine::none()), KnaChannel::new(v, Quinidine::none()));
            assert!((var.conductance(10.0) / wt.conductance(10.0) - v.g_scale).abs() < 1e-12);
        }
        let e = Variant::parse("R429Q").unwrap_err().to_string();
        assert!(e.contains("R428Q, A934T, G288S"), "{e}");
    }
}
