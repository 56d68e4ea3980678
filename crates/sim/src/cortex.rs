//! Level 4a: the network of regions — the default coarse infant cortex, or a TVB connectivity.
//!
//! # Default infant cortex
//! Eleven regions per hemisphere (22 in all) laid out under the 10-20 electrodes: eight lateral
//! regions under Fp, F7, F3, C3, T3, T5, P3 and O (prefrontal, inferior frontal, dorsolateral
//! frontal, central, mid-temporal, posterior temporal, parietal, occipital) and three mesial ones
//! on the interhemispheric wall under Fz, Cz and Pz (mesial frontal, paracentral, precuneus).
//! Each region is a patch of cortex whose mean dipole sits 7.5 mm under the brain surface of the
//! infant head ([`crate::head::SphereHead::infant`]); lateral patches point radially, mesial ones
//! mostly upwards and a little towards the midline (dorsal mesial cortex and the interhemispheric
//! wall).
//!
//! Weights: within a hemisphere `w_ij = exp(−d_ij / λ)` with the distance between patch centres
//! and λ = 25 mm (connection probability between cortical areas falls off exponentially with
//! distance: the exponential distance rule, Ercsey-Ravasz et al., Neuron 2013), for pairs closer
//! than 60 mm; between hemispheres only the homotopic pair, weight 0.4 (callosal connections are
//! predominantly homotopic). Rows are then scaled so that the largest row sum is 1.
//!
//! Tract lengths: 1.2 × the straight distance within a hemisphere (fibres are not straight), and
//! for homotopic pairs the path through the corpus callosum (patch → midline at the same height,
//! 1.3 × the straight distance). Conduction speed: 1.5 mm/ms. Most cortico-cortical and callosal
//! axons of a 1–6-month-old are still unmyelinated or thinly myelinated; unmyelinated cortical
//! axons conduct at well under 1 m/s and myelinated adult ones at several m/s (Salami et al.,
//! PNAS 2003), so the infant value sits below TVB's adult default of 3 mm/ms.
//!
//! # TVB connectivity
//! [`Network::from_connectivity`] takes any [`Connectivity`] (e.g. tvb-data's
//! `connectivity_76.zip`, read at run time with [`Connectivity::from_tvb_zip`]): its centres are
//! recentred and scaled into the infant brain, orientations are taken from the archive when present
//! (else radial), and each region gets its nearest electrode, lobe and hemisphere.

use eimfs_core::{Electrode, Hemisphere, Lobe, Region};
use serde::{Deserialize, Serialize};

use crate::connectivity::Connectivity;
use crate::head::SphereHead;
use crate::{Error, Result};

/// Depth of a region's mean dipole under the brain surface, mm.
pub const SOURCE_DEPTH_MM: f64 = 7.5;
/// Length constant of the exponential distance rule, mm.
pub const LAMBDA_MM: f64 = 25.0;
/// Weight of a homotopic (callosal) connection before row normalisation.
pub const HOMOTOPIC_WEIGHT: f64 = 0.4;
/// Infant conduction speed, mm/ms.
pub const INFANT_SPEED_MM_PER_MS: f64 = 1.5;

/// One region of the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// Label (e.g. `L_mid_temporal`, or the TVB label).
    pub label: String,
    /// Dipole position in head coordinates (mm; x right, y anterior, z up).
    pub position: [f64; 3],
    /// Unit dipole orientation.
    pub orientation: [f64; 3],
    /// Hemisphere (left or right).
    pub hemisphere: Hemisphere,
    /// Scalp region (lobe × hemisphere) the truth reports.
    pub region: Region,
    /// Nearest 10-20 electrode.
    pub electrode: Electrode,
}

/// A network: regions plus connectivity.
#[derive(Clone, Debug)]
pub struct Network {
    /// Regions in connectivity order.
    pub regions: Vec<RegionInfo>,
    /// Weights, tract lengths (TVB conventions).
    pub conn: Connectivity,
    /// Conduction speed, mm/ms.
    pub speed: f64,
    /// Where the network came from (`default infant cortex` or a file).
    pub source: String,
}

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let n = norm(v);
    [v[0] / n, v[1] / n, v[2] / n]
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    norm([a[0] - b[0], a[1] - b[1], a[2] - b[2]])
}

/// Nearest electrode to a direction, among the electrodes of `hemisphere` (and the midline ones
/// when `allow_midline`).
fn nearest_electrode(dir: [f64; 3], hemisphere: Hemisphere, allow_midline: bool) -> Electrode {
    let d = unit(dir);
    Electrode::ALL
        .into_iter()
        .filter(|e| e.hemisphere() == hemisphere || (allow_midline && e.hemisphere() == Hemisphere::Midline))
        .max_by(|a, b| {
            let pa = a.position();
            let pb = b.position();
            let da = pa[0] * d[0] + pa[1] * d[1] + pa[2] * d[2];
            let db = pb[0] * d[0] + pb[1] * d[1] + pb[2] * d[2];
            da.total_cmp(&db)
        })
        .expect("19 electrodes")
}

/// Lobe of a lateral electrode (Fp/F → frontal, C → central, T → temporal, P → parietal, O →
/// occipital).
fn lobe_of(e: Electrode) -> Lobe {
    match e.region().lobe {
        Lobe::Midline => match e {
            Electrode::Fz => Lobe::Frontal,
            Electrode::Cz => Lobe::Central,
            _ => Lobe::Parietal,
        },
        l => l,
    }
}

impl Network {
    /// The default infant cortex (see the module docs).
    pub fn infant_default() -> Network {
        let head = SphereHead::infant();
        let r = head.radii[0] - SOURCE_DEPTH_MM;
        // (name, electrode of the left hemisphere, mesial?)
        let spec: [(&str, Electrode, bool); 11] = [
            ("prefrontal", Electrode::Fp1, false),
            ("inferior_frontal", Electrode::F7, false),
            ("dorsal_frontal", Electrode::F3, false),
            ("mesial_frontal", Electrode::Fz, true),
            ("central", Electrode::C3, false),
            ("paracentral", Electrode::Cz, true),
            ("mid_temporal", Electrode::T3, false),
            ("posterior_temporal", Electrode::T5, false),
            ("parietal", Electrode::P3, false),
            ("precuneus", Electrode::Pz, true),
            ("occipital", Electrode::O1, false),
        ];
        let mut regions = Vec::new();
        for hemi in [Hemisphere::Left, Hemisphere::Right] {
            let sx = if hemi == Hemisphere::Left { -1.0 } else { 1.0 };
            for (name, e_left, mesial) in spec {
                let e = if hemi == Hemisphere::Left { e_left } else { e_left.homologue() };
                let d = e.position();
                let (position, orientation) = if mesial {
                    // Dorsal mesial cortex, 6 mm from the midline, under the midline electrode.
                    let rr = (r * r - 36.0).sqrt();
                    let pos = [sx * 6.0, d[1] * rr, d[2] * rr];
                    // The dorsal mesial cortex: the net dipole points mostly up, a little towards
                    // the midline (−sx), where the pial surface of the interhemispheric wall faces.
                    (pos, unit([-sx * 0.2, 0.0, 0.98]))
                } else {
                    ([d[0] * r, d[1] * r, d[2] * r], d)
                };
                let label = format!("{}_{}", if hemi == Hemisphere::Left { "L" } else { "R" }, name);
                regions.push(RegionInfo {
                    label,
                    position,
                    orientation,
                    hemisphere: hemi,
                    region: Region::new(lobe_of(e), hemi),
                    electrode: e,
                });
            }
        }
        let n = regions.len();
        let mut w = vec![0.0; n * n];
        let mut tl = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let (a, b) = (&regions[i], &regions[j]);
                let d = dist(a.position, b.position);
                if a.hemisphere == b.hemisphere {
                    tl[i * n + j] = 1.2 * d;
                    if d < 60.0 {
                        w[i * n + j] = (-d / LAMBDA_MM).exp();
                    }
                } else {
                    // Path through the corpus callosum.
                    let mid_a = [0.0, a.position[1], a.position[2] * 0.6];
                    tl[i * n + j] = 1.3 * (dist(a.position, mid_a) + dist(mid_a, b.position));
                    if i % 11 == j % 11 {
                        w[i * n + j] = HOMOTOPIC_WEIGHT;
                    }
                }
            }
        }
        let max_row = (0..n).map(|i| w[i * n..(i + 1) * n].iter().sum::<f64>()).fold(0.0, f64::max);
        for v in &mut w {
            *v /= max_row;
        }
        let labels = regions.iter().map(|r| r.label.clone()).collect();
        let centres = regions.iter().map(|r| r.position).collect();
        let conn = Connectivity::new(labels, w, tl, centres)
            .and_then(|c| c.with_hemispheres(regions.iter().map(|r| r.hemisphere == Hemisphere::Right).collect()))
            .expect("the default infant network is valid");
        Network { regions, conn, speed: INFANT_SPEED_MM_PER_MS, source: "default infant cortex".into() }
    }

    /// A network from a TVB connectivity: centres recentred on their mean and scaled so the
    /// farthest centre lies 12 mm under the infant brain surface; orientations from the archive
    /// (else radial); hemisphere from the archive (else the sign of x); nearest electrode among
    /// the hemisphere's electrodes. Weights are scaled so the largest row sum is 1; tract lengths
    /// are scaled like the centres (the infant head is smaller than the adult one TVB's data
    /// describe).
    pub fn from_connectivity(conn: Connectivity, source: &str) -> Result<Network> {
        let n = conn.n_regions();
        let head = SphereHead::infant();
        let c = conn.centres();
        let mut mean = [0.0; 3];
        for p in c {
            for k in 0..3 {
                mean[k] += p[k] / n as f64;
            }
        }
        let rel: Vec<[f64; 3]> = c.iter().map(|p| [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2]]).collect();
        let rmax = rel.iter().map(|p| norm(*p)).fold(0.0, f64::max);
        if rmax <= 0.0 {
            return Err(Error::InvalidParameter { field: "connectivity.centres".into(), message: "all centres coincide".into() });
        }
        let scale = (head.radii[0] - 12.0) / rmax;
        let hemis = conn.hemispheres().map(|h| h.to_vec());
        let orients = conn.orientations().map(|o| o.to_vec());
        let mut regions = Vec::with_capacity(n);
        for i in 0..n {
            let position = [rel[i][0] * scale, rel[i][1] * scale, rel[i][2] * scale];
            let right = match &hemis {
                Some(h) => h[i],
                None => position[0] > 0.0,
            };
            let hemisphere = if right { Hemisphere::Right } else { Hemisphere::Left };
            let orientation = match &orients {
                Some(o) if norm(o[i]) > 1e-9 => unit(o[i]),
                _ => {
                    if norm(position) > 1e-9 {
                        unit(position)
                    } else {
                        [0.0, 0.0, 1.0]
                    }
                }
            };
            let dir = if norm(position) > 1e-9 { position } else { [0.0, 0.0, 1.0] };
            let electrode = nearest_electrode(dir, hemisphere, false);
            regions.push(RegionInfo {
                label: conn.labels()[i].clone(),
                position,
                orientation,
                hemisphere,
                region: Region::new(lobe_of(electrode), hemisphere),
                electrode,
            });
        }
        let mut w = conn.weights().to_vec();
        let max_row = (0..n).map(|i| w[i * n..(i + 1) * n].iter().sum::<f64>()).fold(0.0, f64::max);
        if max_row <= 0.0 {
            return Err(Error::InvalidParameter { field: "connectivity.weights".into(), message: "all weights are zero".into() });
        }
        for v in &mut w {
            *v /= max_row;
        }
        let tl: Vec<f64> = conn.tract_lengths().iter().map(|t| t * scale).collect();
        let centres: Vec<[f64; 3]> = regions.iter().map(|r| r.position).collect();
        let labels = conn.labels().to_vec();
        let conn = Connectivity::new(labels, w, tl, centres)?
            .with_hemispheres(regions.iter().map(|r| r.hemisphere == Hemisphere::Right).collect())?;
        Ok(Network { regions, conn, speed: INFANT_SPEED_MM_PER_MS, source: source.into() })
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True when empty (never for a valid network).
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Weight from region j to region i.
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        self.conn.weight(i, j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_network_layout() {
        let net = Network::infant_default();
        assert_eq!(net.len(), 22);
        let left = net.regions.iter().filter(|r| r.hemisphere == Hemisphere::Left).count();
        assert_eq!(left, 11);
        // Every lateral 10-20 electrode is the nearest electrode of some region.
        for e in Electrode::ALL {
            assert!(net.regions.iter().any(|r| r.electrode == e), "{e}");
        }
        // Homotopic pairs are connected both ways, non-homotopic interhemispheric pairs are not.
        assert!(net.weight(0, 11) > 0.0 && net.weight(11, 0) > 0.0);
        assert_eq!(net.weight(0, 12), 0.0);
        // Neighbours are more strongly connected than distant same-hemisphere regions.
        let t3 = net.regions.iter().position(|r| r.label == "L_mid_temporal").unwrap();
        let t5 = net.regions.iter().position(|r| r.label == "L_posterior_temporal").unwrap();
        let fp = net.regions.iter().position(|r| r.label == "L_prefrontal").unwrap();
        assert!(net.weight(t3, t5) > 0.1 && net.weight(t3, fp) < net.weight(t3, t5) / 3.0, "{} {}", net.weight(t3, t5), net.weight(t3, fp));
        // Largest row sum is 1.
        let n = net.len();
        let max_row = (0..n).map(|i| (0..n).map(|j| net.weight(i, j)).sum::<f64>()).fold(0.0, f64::max);
        assert!((max_row - 1.0).abs() < 1e-12);
        // Delays: neighbours ~20 ms, homotopic temporal ~ 80-130 ms at 1.5 mm/ms.
        let d_nb = net.conn.tract_length(t3, t5) / net.speed;
        let d_h = net.conn.tract_length(t3, t3 + 11) / net.speed;
        assert!(d_nb > 10.0 && d_nb < 40.0, "{d_nb}");
        assert!(d_h > 60.0 && d_h < 140.0, "{d_h}");
        assert_eq!(net.regions[t3].region, Region::new(Lobe::Temporal, Hemisphere::Left));
        assert_eq!(net.regions[t3 + 11].electrode, Electrode::T4);
    }
}
