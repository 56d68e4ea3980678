//! Level 5a: the head model — the scalp potential of current dipoles in a multi-shell spherical
//! head with infant dimensions and conductivities, at the 19 electrodes of the 10-20 system.
//!
//! # Forward model
//! For concentric shells of radii r₁ < … < r_N (brain, CSF, skull, scalp) and conductivities
//! σ₁ … σ_N, a dipole of moment **q** at **r₀** in the innermost shell gives at a scalp point **r**
//! (angle γ from **r₀**, azimuth φ of the tangential part):
//!
//! ```text
//! V(r) = 1/(4π σ₁) Σₙ cₙ r₀ⁿ⁻¹ [ n q_rad Pₙ(cos γ) + q_tan cos φ Pₙ¹(cos γ) ]
//! ```
//!
//! where cₙ is the scalp value of the degree-n solution `Aₖ rⁿ + Bₖ r^-(n+1)` in each shell with
//! `B₁ = 1` (the primary source), continuity of V and of σ ∂V/∂r at each interface and no current
//! through the scalp (`∂V/∂r = 0` at r_N), solved exactly with 2 × 2 transfer matrices (the
//! classical series of de Munck 1988 / Zhang 1995). For a homogeneous sphere cₙ = (2n+1)/n
//! R^-(n+1), the closed form used in the tests. The series is summed until its terms fall below
//! 10⁻¹⁴ of the total.
//!
//! # Infant head (defaults)
//! A 3-month-old's head circumference is ~40 cm (WHO growth standards), a scalp radius of 64 mm.
//! Thicknesses: scalp 3 mm, skull 1.5 mm, CSF 2 mm (neonatal/infant values of the order used by
//! Azizollahi et al., Hum Brain Mapp 2016, 37:3604). Conductivities (S/m): brain 0.33, CSF 1.79,
//! skull 0.1, scalp 0.43. The infant skull is thin and far more conductive than the adult one
//! (adult ≈ 0.01 S/m): Roche-Labarbe et al. (Hum Brain Mapp 2008) compared 0.0042 and 0.33 S/m,
//! and Odabaee et al. (NeuroImage 2014) showed that the focal neonatal scalp EEG implies a high
//! skull conductivity. The result is a focal scalp EEG: a source's potential falls off within a
//! few electrode spacings.
//!
//! # Electrodes and reference
//! Electrode positions are [`Electrode::position`] (BESA spherical coordinates) scaled to the
//! scalp radius. Channels are referential to **linked mastoids**: the reference potential is the
//! mean of the two mastoid points (unit vectors (±0.85, −0.25, −0.46), behind and below the ears).
//!
//! # Example
//! ```
//! use eimfs_core::Electrode;
//! use eimfs_sim::head::SphereHead;
//! let head = SphereHead::infant();
//! // A radial 10 nA·m dipole 1 cm under T3.
//! let t3 = Electrode::T3.position();
//! let r = head.radii[0] - 10.0;
//! let pos = [t3[0] * r, t3[1] * r, t3[2] * r];
//! let g = head.gain(pos, t3);
//! let v_t3 = g[Electrode::T3.index()] * 10.0;
//! let v_t4 = g[Electrode::T4.index()] * 10.0;
//! assert!(v_t3 > 5.0 && v_t3.abs() > 5.0 * v_t4.abs(), "{v_t3} µV vs {v_t4} µV");
//! ```

use eimfs_core::Electrode;
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::{Error, Result};

/// Unit vectors of the two mastoid reference points (left, right).
pub const MASTOIDS: [[f64; 3]; 2] = [[-0.85, -0.25, -0.46], [0.85, -0.25, -0.46]];

/// A multi-shell spherical head (lengths in mm, conductivities in S/m).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SphereHead {
    /// Outer radius of each shell, innermost (brain) first, scalp last, mm.
    pub radii: Vec<f64>,
    /// Conductivity of each shell, S/m.
    pub sigmas: Vec<f64>,
}

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let n = norm(v);
    [v[0] / n, v[1] / n, v[2] / n]
}

impl SphereHead {
    /// The default infant head: brain 57.5 mm, CSF to 59.5, skull to 61, scalp to 64 mm;
    /// σ = 0.33, 1.79, 0.1, 0.43 S/m.
    pub fn infant() -> SphereHead {
        SphereHead { radii: vec![57.5, 59.5, 61.0, 64.0], sigmas: vec![0.33, 1.79, 0.1, 0.43] }
    }

    /// A head with the given shells (validated).
    pub fn new(radii: Vec<f64>, sigmas: Vec<f64>) -> Result<SphereHead> {
        let bad = |m: String| Err(Error::InvalidParameter { field: "head".into(), message: m });
        if radii.is_empty() || radii.len() != sigmas.len() {
            return bad(format!("{} radii and {} conductivities", radii.len(), sigmas.len()));
        }
        if radii.windows(2).any(|w| w[1] <= w[0]) || radii[0] <= 0.0 {
            return bad("radii must be positive and increasing".into());
        }
        if sigmas.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return bad("conductivities must be positive".into());
        }
        Ok(SphereHead { radii, sigmas })
    }

    /// Scalp radius, mm.
    pub fn scalp_radius(&self) -> f64 {
        *self.radii.last().expect("at least one shell")
    }

    /// The series coefficients cₙ (n = 1 … `n_max`) for unit scalp radius: the scalp value of the
    /// degree-n solution whose primary part in the innermost shell is r^-(n+1).
    pub fn coefficients(&self, n_max: usize) -> Vec<f64> {
        let rn = self.scalp_radius();
        let rho: Vec<f64> = self.radii.iter().map(|r| r / rn).collect();
        let nl = rho.len();
        let mut out = Vec::with_capacity(n_max);
        for n in 1..=n_max {
            let nf = n as f64;
            // Outermost shell: A = 1, B = n/(n+1) (r_N = 1).
            let (mut a, mut b) = (1.0f64, nf / (nf + 1.0));
            let surface = a + b;
            // Propagate inwards across interfaces k = N−1 … 1 (between shell k and k+1).
            for k in (0..nl - 1).rev() {
                let r = rho[k];
                let (s_in, s_out) = (self.sigmas[k], self.sigmas[k + 1]);
                // V and σ V' continuous at r:
                //   a_in rⁿ + b_in r^-(n+1) = a rⁿ + b r^-(n+1)
                //   s_in (n a_in rⁿ⁻¹ − (n+1) b_in r^-(n+2)) = s_out (n a rⁿ⁻¹ − (n+1) b r^-(n+2))
                let rn_ = r.powf(nf);
                let rm = r.powf(-(nf + 1.0));
                let v = a * rn_ + b * rm;
                let d = s_out / s_in * (nf * a * rn_ - (nf + 1.0) * b * rm); // = n a_in rⁿ − (n+1) b_in r^-(n+1) (times r)
                // Solve: a_in rⁿ + b_in rm = v ; n a_in rⁿ − (n+1) b_in rm = d
                let a_in = ((nf + 1.0) * v + d) / ((2.0 * nf + 1.0) * rn_);
                let b_in = (nf * v - d) / ((2.0 * nf + 1.0) * rm);
                a = a_in;
                b = b_in;
            }
            out.push(surface / b);
        }
        out
    }

    /// Scalp potential (µV) at the unit-direction `at` per nA·m of a dipole at `pos` (mm, inside the
    /// innermost shell) with unit orientation `orient`, given precomputed coefficients.
    fn potential(&self, coeffs: &[f64], pos: [f64; 3], orient: [f64; 3], at: [f64; 3]) -> f64 {
        let rn_mm = self.scalp_radius();
        let r0 = norm(pos);
        let rho0 = r0 / rn_mm;
        let at = unit(at);
        let (q_rad, tan_dir, x) = if r0 < 1e-9 {
            // Dipole at the centre: only n = 1 survives (ρ0⁰), with γ measured from the moment.
            (0.0, orient, dot(unit(orient), at))
        } else {
            let e0 = [pos[0] / r0, pos[1] / r0, pos[2] / r0];
            let qr = dot(orient, e0);
            let qt = [orient[0] - qr * e0[0], orient[1] - qr * e0[1], orient[2] - qr * e0[2]];
            (qr, qt, dot(e0, at))
        };
        let x = x.clamp(-1.0, 1.0);
        // Tangential part: q_tan cos φ = q_t · (unit projection of `at` orthogonal to e0).
        let tan_term = if r0 < 1e-9 {
            0.0
        } else {
            let e0 = [pos[0] / r0, pos[1] / r0, pos[2] / r0];
            let perp = [at[0] - x * e0[0], at[1] - x * e0[1], at[2] - x * e0[2]];
            let pn = norm(perp);
            if pn < 1e-12 { 0.0 } else { dot(tan_dir, perp) / pn }
        };
        let s = (1.0 - x * x).max(0.0).sqrt();
        // Legendre recurrences.
        let (mut p_prev, mut p) = (1.0, x); // P0, P1
        let (mut p1_prev, mut p1) = (0.0, s); // P0¹ = 0, P1¹ = sin γ
        let mut sum = 0.0;
        let mut rpow = 1.0; // ρ0^(n−1)
        for (i, &c) in coeffs.iter().enumerate() {
            let n = (i + 1) as f64;
            let term = if r0 < 1e-9 { if i == 0 { c * x } else { 0.0 } } else { c * rpow * (n * q_rad * p + tan_term * p1) };
            sum += term;
            if i > 4 && term.abs() < 1e-14 * sum.abs().max(1e-300) && rpow < 1e-10 {
                break;
            }
            // Next degree.
            let p_next = ((2.0 * n + 1.0) * x * p - n * p_prev) / (n + 1.0);
            let p1_next = ((2.0 * n + 1.0) * x * p1 - (n + 1.0) * p1_prev) / n;
            p_prev = p;
            p = p_next;
            p1_prev = p1;
            p1 = p1_next;
            rpow *= rho0;
        }
        // Units: q in nA·m = 1e-9 A·m, r_N in mm = 1e-3 m, V in µV = 1e-6 V.
        let rn_m = rn_mm * 1e-3;
        sum * 1e-9 / (4.0 * std::f64::consts::PI * self.sigmas[0] * rn_m * rn_m) * 1e6
    }

    /// Number of series terms used.
    pub const N_TERMS: usize = 400;

    /// Referential gain (µV per nA·m) at the 19 electrodes ([`Electrode::ALL`] order) of a dipole at
    /// `pos` (mm) with orientation `orient` (any length; normalised), against linked mastoids.
    pub fn gain(&self, pos: [f64; 3], orient: [f64; 3]) -> [f64; 19] {
        let coeffs = self.coefficients(Self::N_TERMS);
        self.gain_with(&coeffs, pos, unit(orient))
    }

    fn gain_with(&self, coeffs: &[f64], pos: [f64; 3], orient: [f64; 3]) -> [f64; 19] {
        let reference: f64 = MASTOIDS.iter().map(|m| self.potential(coeffs, pos, orient, *m)).sum::<f64>() / 2.0;
        let mut g = [0.0; 19];
        for e in Electrode::ALL {
            g[e.index()] = self.potential(coeffs, pos, orient, e.position()) - reference;
        }
        g
    }

    /// Potential (µV per nA·m, no reference subtracted) at an arbitrary scalp direction.
    pub fn potential_at(&self, pos: [f64; 3], orient: [f64; 3], at: [f64; 3]) -> f64 {
        let coeffs = self.coefficients(Self::N_TERMS);
        self.potential(&coeffs, pos, unit(orient), at)
    }

    /// The lead field of a set of dipoles (one per region): 19 rows (electrodes) × n columns.
    pub fn lead_field(&self, positions: &[[f64; 3]], orientations: &[[f64; 3]]) -> LeadField {
        let coeffs = self.coefficients(Self::N_TERMS);
        let n = positions.len();
        let mut gain = vec![0.0; 19 * n];
        for (j, (p, o)) in positions.iter().zip(orientations).enumerate() {
            let g = self.gain_with(&coeffs, *p, unit(*o));
            for e in 0..19 {
                gain[e * n + j] = g[e];
            }
        }
        LeadField { n_sources: n, gain, source_labels: (0..n).map(|j| format!("s{j}")).collect() }
    }
}

/// A gain matrix from sources (regions) to the 19 referential 10-20 channels, µV per nA·m.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadField {
    /// Number of sources (columns).
    pub n_sources: usize,
    /// Row-major 19 × n_sources gains ([`Electrode::ALL`] order).
    pub gain: Vec<f64>,
    /// Labels of the sources (columns).
    pub source_labels: Vec<String>,
}

impl LeadField {
    /// Gain of electrode row `e` for source `j`.
    pub fn get(&self, e: usize, j: usize) -> f64 {
        self.gain[e * self.n_sources + j]
    }

    /// Write as TSV (see [`LeadField::read`] for the format).
    pub fn to_tsv(&self) -> String {
        let mut s = String::from("# eimfs lead field: rows = sensors, columns = sources; unit = uV/nAm\n");
        s.push_str("sensor");
        for l in &self.source_labels {
            s.push('\t');
            s.push_str(l);
        }
        s.push('\n');
        for e in Electrode::ALL {
            s.push_str(e.name());
            for j in 0..self.n_sources {
                s.push_str(&format!("\t{}", self.get(e.index(), j)));
            }
            s.push('\n');
        }
        s
    }

    /// Read a lead-field file.
    ///
    /// Format (TSV or whitespace-separated text): optional comment lines starting with `#`; a
    /// comment `# unit = X` gives the unit of the gains (`uV/nAm`, the default, or `V/Am`, which
    /// is the same number scaled by 1e-3); a header row `sensor <source labels…>`; then one row
    /// per sensor: its label and one gain per source. Sensors may be any set that contains the
    /// 19 10-20 electrodes under their old or new names (`T3` or `T7`, also `T7/T3` as
    /// tvb-data's `eeg_brainstorm_65.txt` writes them); other rows (e.g. the remaining sensors of
    /// a 65-channel cap) are ignored. Values must be finite. The number of sources must match the
    /// network (checked by the caller).
    pub fn read(path: &Path) -> Result<LeadField> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.into(), source })?;
        Self::parse(&text, path)
    }

    /// Parse lead-field text (`path` is used in error messages).
    pub fn parse(text: &str, path: &Path) -> Result<LeadField> {
        let err = |line: usize, message: String| Error::File { path: path.into(), line: Some(line), message };
        let mut scale = 1.0;
        let mut header: Option<Vec<String>> = None;
        let mut rows: Vec<Option<Vec<f64>>> = vec![None; 19];
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(c) = line.strip_prefix('#') {
                let c = c.trim();
                if let Some(u) = c.strip_prefix("unit").map(|u| u.trim_start_matches([' ', '=', ':']).trim()) {
                    scale = match u.to_ascii_lowercase().replace(' ', "").as_str() {
                        "uv/nam" | "µv/nam" => 1.0,
                        "v/am" => 1e-3,
                        other => return Err(err(line_no, format!("field `unit`: unknown unit `{other}` (expected uV/nAm or V/Am)"))),
                    };
                }
                continue;
            }
            let fields: Vec<&str> = line.split(['\t', ' ', ',']).filter(|f| !f.is_empty()).collect();
            let Some(h) = &header else {
                if fields.len() < 2 {
                    return Err(err(line_no, "header: expected `sensor` followed by one label per source".into()));
                }
                header = Some(fields[1..].iter().map(|s| s.to_string()).collect());
                continue;
            };
            if fields.len() != h.len() + 1 {
                return Err(err(line_no, format!("expected a sensor label and {} gains, found {} fields", h.len(), fields.len())));
            }
            let label = fields[0];
            let el = label.split('/').find_map(Electrode::from_name);
            let mut vals = Vec::with_capacity(h.len());
            for (k, f) in fields[1..].iter().enumerate() {
                let v: f64 = f.parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
                    err(line_no, format!("sensor `{label}`, source `{}` (column {}): expected a finite number, found `{f}`", h[k], k + 2))
                })?;
                vals.push(v * scale);
            }
            if let Some(e) = el
                && rows[e.index()].is_none()
            {
                rows[e.index()] = Some(vals);
            }
        }
        let Some(labels) = header else {
            return Err(Error::File {
                path: path.into(),
                line: None,
                message: "no header row (expected `sensor` and source labels)".into(),
            });
        };
        let missing: Vec<&str> = Electrode::ALL.iter().filter(|e| rows[e.index()].is_none()).map(|e| e.name()).collect();
        if !missing.is_empty() {
            return Err(Error::File {
                path: path.into(),
                line: None,
                message: format!("missing rows for 10-20 electrodes: {}", missing.join(", ")),
            });
        }
        let n = labels.len();
        let mut gain = Vec::with_capacity(19 * n);
        for r in rows.into_iter().flatten() {
            gain.extend(r);
        }
        Ok(LeadField { n_sources: n, gain, source_labels: labels })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homogeneous_coefficients_are_closed_form() {
        let h = SphereHead::new(vec![50.0, 60.0, 70.0], vec![0.33, 0.33, 0.33]).unwrap();
        for (i, c) in h.coefficients(60).iter().enumerate() {
            let n = (i + 1) as f64;
            assert!((c - (2.0 * n + 1.0) / n).abs() < 1e-9 * c, "n {n}: {c}");
        }
    }

    #[test]
    fn radial_dipole_matches_closed_form_in_homogeneous_sphere() {
        // Σ_{n≥1} (2n+1) tⁿ Pₙ(x) = (1 − t²)/(1 − 2xt + t²)^{3/2} − 1.
        let r = 80.0;
        let h = SphereHead::new(vec![r], vec![0.33]).unwrap();
        let r0 = 50.0;
        let t = r0 / r;
        for ang in [0.0f64, 0.3, 1.0, 2.0, 3.0] {
            let at = [ang.sin(), 0.0, ang.cos()];
            let v = h.potential_at([0.0, 0.0, r0], [0.0, 0.0, 1.0], at);
            let x = ang.cos();
            let closed = ((1.0 - t * t) / (1.0 - 2.0 * x * t + t * t).powf(1.5) - 1.0) / (t);
            let rm = r * 1e-3;
            let expect = closed * 1e-9 / (4.0 * std::f64::consts::PI * 0.33 * rm * rm) * 1e6;
            assert!((v - expect).abs() < 1e-9 * expect.abs().max(1e-6), "angle {ang}: {v} vs {expect}");
        }
    }

    #[test]
    fn tangential_dipole_is_antisymmetric() {
        let h = SphereHead::infant();
        let pos = [0.0, 0.0, 45.0];
        let a = h.potential_at(pos, [1.0, 0.0, 0.0], [0.5, 0.0, 0.866]);
        let b = h.potential_at(pos, [1.0, 0.0, 0.0], [-0.5, 0.0, 0.866]);
        assert!(a > 0.0 && (a + b).abs() < 1e-9 * a, "{a} {b}");
    }

    #[test]
    fn conductive_skull_makes_scalp_eeg_focal() {
        // Ratio of the potential 45° away to the potential above a radial source: smaller with the
        // infant skull (0.1 S/m) than with an adult-like skull (0.01 S/m).
        let focal = |skull: f64| {
            let h = SphereHead::new(vec![57.5, 59.5, 61.0, 64.0], vec![0.33, 1.79, skull, 0.43]).unwrap();
            let above = h.potential_at([0.0, 0.0, 50.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]);
            let d = std::f64::consts::FRAC_1_SQRT_2;
            let away = h.potential_at([0.0, 0.0, 50.0], [0.0, 0.0, 1.0], [d, 0.0, d]);
            away / above
        };
        let (infant, adult) = (focal(0.1), focal(0.01));
        assert!(infant < 0.8 * adult, "infant {infant} adult {adult}");
    }

    #[test]
    fn leadfield_round_trip_and_errors() {
        let h = SphereHead::infant();
        let mut lf = h.lead_field(&[[0.0, 30.0, 30.0], [-40.0, 0.0, 20.0]], &[[0.0, 0.7, 0.7], [-1.0, 0.0, 0.5]]);
        lf.source_labels = vec!["a".into(), "b".into()];
        let text = lf.to_tsv();
        let back = LeadField::parse(&text, Path::new("x.tsv")).unwrap();
        assert_eq!(back.n_sources, 2);
        for (a, b) in back.gain.iter().zip(&lf.gain) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
        }
        let bad = text.replacen("Fp2\t", "Fp2\tabc\t", 1);
        let e = LeadField::parse(&bad, Path::new("x.tsv")).unwrap_err().to_string();
        assert!(e.starts_with("x.tsv:"), "{e}");
        let no_o2: String = text.lines().filter(|l| !l.starts_with("O2")).map(|l| format!("{l}\n")).collect();
        let e = LeadField::parse(&no_o2, Path::new("x.tsv")).unwrap_err().to_string();
        assert!(e.contains("missing rows for 10-20 electrodes: O2"), "{e}");
    }
}
