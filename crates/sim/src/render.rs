//! Level 5d: from region activity to scalp EEG channels (µV).
//!
//! Each region is a current dipole whose moment is
//!
//! ```text
//! q_i(t) = Q · (LFP_i(t) − LFP_i,rest) + b_i(t)        (nA·m)
//! ```
//!
//! with LFP the neural-mass signal y1 − y2 − y3 (mV), `Q` = [`Q_NAM_PER_MV`] · (1 + σ s_i(t)) and
//! `b_i` the background source ([`crate::background`]). The neural mass describes the mean
//! activity of a region, but how much of its cortex discharges coherently — and so the dipole per
//! mV of mean activity — rises in a seizure (hypersynchrony). `s_i` is that recruited, coherently
//! discharging fraction: it follows the region's ictal drive `h_i` (0 in background, 1 in a
//! seizure; [`ictal_drive_at`]) with a first-order lag, building up with time constant
//! [`SYNCHRONY_RISE_S`] and falling with [`SYNCHRONY_FALL_S`] ([`ictal_synchrony`]). Seizures thus
//! start with a lower-amplitude discharge that grows over seconds, as recorded seizures do:
//! synchrony between recording sites is lowest at onset and rises through the seizure (Schindler
//! et al., Brain 2007, 130:65), and electrographic seizures by definition evolve in amplitude,
//! frequency or location (ACNS critical care EEG terminology, Hirsch et al., J Clin Neurophysiol
//! 2021, 38:1). σ = [`ICTAL_SYNCHRONY`]. The 19 referential channels are `V = G q` with the
//! lead field `G` (µV per nA·m), then a first-order high-pass at 0.3 Hz (the amplifier's), then
//! artefacts and sensor noise ([`crate::artefacts`]).
//!
//! `Q`: with Q = 5 nA·m/mV the background LFP (SD ≈ 0.35 mV) is a ≈ 2 nA·m dipole per region:
//! the unsynchronised activity of a region's cortex sums incoherently, and the infant background
//! comes mostly from the separate background sources `b_i`. With a larger resting Q (20 nA·m/mV
//! in earlier versions) the regions' alpha-band background made the simulated EEG's alpha and
//! beta power 3–5× that of real neonatal EEG (8–30 Hz; see [`crate::background`] for the
//! measured Helsinki spectrum). The established ictal discharge (SD ≈ 0.6 mV about its
//! depolarised level, × (1 + σ) = 20 synchrony) is ≈ 60 nA·m, which gives ictal rhythms of
//! ≈ 120 µV RMS (300–400 µV peak to peak) at the nearest electrode once synchrony has built up.
//!
//! # Which channels a seizure involves
//! For each seizure and electrode, the RMS over the seizure of the part of the signal that comes
//! from the seizure's ictal regions (their dipoles during their ictal episodes, through the lead
//! field) is compared with the RMS of everything else (background, other regions, noise). The
//! electrode is involved when the seizure's part is at least [`DOMINANCE`] times the rest: the
//! seizure dominates that channel. The onset electrodes are always included.

use eimfs_core::Electrode;

use crate::dynamic::RegionTraces;
use crate::head::LeadField;
use crate::truth::Episode;

/// Dipole moment per mV of neural-mass LFP, nA·m/mV.
pub const Q_NAM_PER_MV: f64 = 5.0;
/// Amplifier high-pass corner, Hz.
pub const HIGHPASS_HZ: f64 = 0.3;
/// Extra dipole per unit ictal drive: the coherently discharging fraction of a region's cortex
/// grows in a seizure (hypersynchrony), so the same neural-mass LFP gives a larger dipole.
pub const ICTAL_SYNCHRONY: f64 = 19.0;
/// Time constant of the build-up of ictal synchrony after a region's ictal drive rises, s.
pub const SYNCHRONY_RISE_S: f64 = 5.0;
/// Time constant of the fall of ictal synchrony when the ictal drive falls, s.
pub const SYNCHRONY_FALL_S: f64 = 1.0;

/// Ratio of a seizure's own RMS to the rest above which it dominates a channel.
pub const DOMINANCE: f64 = 1.0;

/// The resting LFP of each region: its median over the recording (mV).
pub fn resting_lfp(tr: &RegionTraces) -> Vec<f64> {
    tr.lfp
        .iter()
        .map(|x| {
            let mut v: Vec<f32> = x.iter().step_by(16).cloned().collect();
            if v.is_empty() {
                return 0.0;
            }
            let mid = v.len() / 2;
            v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
            v[mid] as f64
        })
        .collect()
}

/// Render the 19 referential channels (µV, before artefacts) from region traces and a
/// background generator, with the regions' ictal synchrony from [`ictal_synchrony`]. Returns
/// channels in [`Electrode::ALL`] order.
pub fn render(tr: &RegionTraces, lf: &LeadField, bg: &mut crate::background::Background, synchrony: &[Vec<f64>]) -> Vec<Vec<f32>> {
    let n = tr.n_regions();
    let len = tr.lfp.first().map(|v| v.len()).unwrap_or(0);
    let rest = resting_lfp(tr);
    let mut out = vec![vec![0.0f32; len]; 19];
    let mut src = vec![0.0; n];
    let mut b = vec![0.0; n];
    // High-pass state per channel: y[k] = α (y[k−1] + x[k] − x[k−1]).
    let alpha = 1.0 / (1.0 + 2.0 * std::f64::consts::PI * HIGHPASS_HZ / tr.fs);
    let mut hp_y = [0.0f64; 19];
    let mut hp_x = [0.0f64; 19];
    for k in 0..len {
        bg.next(&mut b);
        let t_slow = k as f64 / tr.fs * crate::dynamic::SLOW_FS;
        for i in 0..n {
            let sy = slow_at(&synchrony[i], t_slow);
            src[i] = Q_NAM_PER_MV * (1.0 + ICTAL_SYNCHRONY * sy) * (tr.lfp[i][k] as f64 - rest[i]) + b[i];
        }
        for e in 0..19 {
            let row = &lf.gain[e * n..(e + 1) * n];
            let mut v = 0.0;
            for i in 0..n {
                v += row[i] * src[i];
            }
            let y = if k == 0 { 0.0 } else { alpha * (hp_y[e] + v - hp_x[e]) };
            hp_y[e] = y;
            hp_x[e] = v;
            out[e][k] = y as f32;
        }
    }
    out
}

/// Linear interpolation of a trace sampled at [`crate::dynamic::SLOW_FS`] at slow-sample
/// position `t_slow` (0 for an empty trace, clamped at both ends).
#[inline]
pub fn slow_at(x: &[f64], t_slow: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let k = (t_slow.max(0.0) as usize).min(x.len() - 1);
    let k1 = (k + 1).min(x.len() - 1);
    let f = (t_slow - k as f64).clamp(0.0, 1.0);
    x[k] * (1.0 - f) + x[k1] * f
}

/// Ictal drive of region `i` at slow-sample position `t_slow`: `(rate − θ) / (rate_ictal − θ)`
/// clamped to [0, 1], from the linear interpolation of the 10 Hz smoothed rate.
#[inline]
pub fn ictal_drive_at(tr: &RegionTraces, i: usize, t_slow: f64, theta: f64, rate_ictal: f64) -> f64 {
    let r: &[f32] = &tr.rate[i];
    if r.is_empty() {
        return 0.0;
    }
    let k = (t_slow.max(0.0) as usize).min(r.len() - 1);
    let k1 = (k + 1).min(r.len() - 1);
    let f = (t_slow - k as f64).clamp(0.0, 1.0);
    let rate = r[k] as f64 * (1.0 - f) + r[k1] as f64 * f;
    ((rate - theta) / (rate_ictal - theta)).clamp(0.0, 1.0)
}

/// The ictal synchrony `s_i` of every region at [`crate::dynamic::SLOW_FS`] (see the module docs):
/// the ictal drive passed through a first-order lag that rises with [`SYNCHRONY_RISE_S`] and falls
/// with [`SYNCHRONY_FALL_S`] (exact exponential update per slow sample), starting at 0.
pub fn ictal_synchrony(tr: &RegionTraces, theta: f64, rate_ictal: f64) -> Vec<Vec<f64>> {
    let dt = 1.0 / crate::dynamic::SLOW_FS;
    let (a_up, a_down) = (1.0 - (-dt / SYNCHRONY_RISE_S).exp(), 1.0 - (-dt / SYNCHRONY_FALL_S).exp());
    (0..tr.n_regions())
        .map(|i| {
            let mut s = 0.0;
            (0..tr.rate[i].len())
                .map(|k| {
                    let h = ictal_drive_at(tr, i, k as f64, theta, rate_ictal);
                    s += (h - s) * if h > s { a_up } else { a_down };
                    s
                })
                .collect()
        })
        .collect()
}

/// Channels a seizure dominates (see the module docs), given the final channel data (µV).
pub fn involved_channels(
    tr: &RegionTraces,
    lf: &LeadField,
    data: &[Vec<f32>],
    episodes: &[Episode],
    onset_electrodes: &[Electrode],
    synchrony: &[Vec<f64>],
) -> Vec<Electrode> {
    let n = tr.n_regions();
    let fs = tr.fs;
    let len = data.first().map(|d| d.len()).unwrap_or(0);
    let on = episodes.iter().map(|e| e.start).fold(f64::INFINITY, f64::min);
    let off = episodes.iter().map(|e| e.end).fold(f64::NEG_INFINITY, f64::max);
    let (i0, i1) = (((on * fs) as usize).min(len), ((off * fs).ceil() as usize).min(len));
    if i1 <= i0 + 1 {
        return onset_electrodes.to_vec();
    }
    let rest = resting_lfp(tr);
    let mut own_ss = [0.0f64; 19];
    let mut other_ss = [0.0f64; 19];
    let mut own_mean = [0.0f64; 19];
    let mut other_mean = [0.0f64; 19];
    let m = (i1 - i0) as f64;
    let mut own = vec![0.0f64; 19 * (i1 - i0)];
    for k in i0..i1 {
        let t = k as f64 / fs;
        for ep in episodes.iter().filter(|ep| ep.start <= t && t < ep.end) {
            let sy = slow_at(&synchrony[ep.region], t * crate::dynamic::SLOW_FS);
            let q = Q_NAM_PER_MV * (1.0 + ICTAL_SYNCHRONY * sy) * (tr.lfp[ep.region][k] as f64 - rest[ep.region]);
            for e in 0..19 {
                own[e * (i1 - i0) + (k - i0)] += lf.gain[e * n + ep.region] * q;
            }
        }
    }
    for e in 0..19 {
        for k in i0..i1 {
            let s = own[e * (i1 - i0) + (k - i0)];
            let o = data[e][k] as f64 - s;
            own_mean[e] += s / m;
            other_mean[e] += o / m;
        }
        for k in i0..i1 {
            let s = own[e * (i1 - i0) + (k - i0)];
            let o = data[e][k] as f64 - s;
            own_ss[e] += (s - own_mean[e]).powi(2);
            other_ss[e] += (o - other_mean[e]).powi(2);
        }
    }
    let mut out: Vec<Electrode> = onset_electrodes.to_vec();
    for el in Electrode::ALL {
        let e = el.index();
        if own_ss[e] >= DOMINANCE * DOMINANCE * other_ss[e] && !out.contains(&el) {
            out.push(el);
        }
    }
    out.sort();
    out
}
