//! Agreement of each derivation with its neighbours on the scalp: the feature
//! `neighbour_anticorrelation`.
//!
//! An electrode that comes off or has a high impedance picks up broadband noise that no other
//! electrode sees; cortical activity reaches the neighbouring electrodes by volume conduction.
//! Per second and derivation, [`Neighbours::feature`] gives the largest correlation, over the 8-s
//! window of the other features, between the derivation's first differences and those of a
//! neighbouring derivation (uncentred: `Σ ab / √(Σ a² Σ b²)`, the mean of first differences being
//! close to 0). First differences weight each frequency by its square, so that the
//! slow waves of neonatal background, large and shared over a hemisphere, do not decide it, and
//! broadband noise does.
//!
//! In the common average, an electrode carrying noise of RMS σ leaks `−σ/n` into every other
//! derivation (n electrodes in the average), which in first differences can be larger than their
//! EEG: the noisy derivation then correlates **negatively** with all its neighbours.
//!
//! **Only the anticorrelation is a feature** ([`anticorrelation`]: `max(0, −r)`, 0 when some
//! neighbour correlates positively). The full correlation was tried first (model trained
//! 2026-12-07 on the simulator with electrodes off): in the simulator the ictal electrode
//! correlates *less* with its neighbours than background does (median 0.19 against 0.28 over the
//! training corpus: the simulated seizure fields are more focal than real ones), while in the real
//! Helsinki clips seizure seconds correlate *more* (median 0.63 against 0.54). A model given the
//! whole range learned the simulator's direction and lost a real seizure clip (eeg9; κ 0.47 →
//! 0.34 with two training seeds). Below 0 the simulator and the real clips agree: 94 % of the
//! electrode-off seconds and 7 % of the ictal ones (0.3 % of background seconds, 0.3 % of the
//! real seizure-free ones) lie there (`crates/detect/train/neighbour_stats.py` measures these).
//!
//! Neighbours are the derivations of single electrodes (the common average, or referential
//! channels) whose electrodes are 10-20 neighbours ([`NEIGHBOURS_1020`]). **Bipolar derivations
//! have none, and the feature missing (NaN):** there a field between the minus electrode of one
//! derivation and the plus electrode of the next makes neighbours anticorrelated without any
//! artefact, and an electrode that is off is shared by the two derivations it enters, so the
//! signature above does not hold (the model is trained on the common average only). Blocks in
//! which either derivation of a pair is flat are left out of that pair's sums; a derivation with
//! no neighbour or no block left has the feature missing.

use std::collections::VecDeque;

use eimfs_core::Electrode;

use crate::features::{BLOCK, WINDOW, WINDOW_BEFORE};
use crate::pipeline::DerivationInfo;

/// The neighbours of each electrode of the 10-20 system (symmetric): the electrodes next to it in
/// the 10-20 grid, and the diagonals F7–C3 and F8–C4.
pub const NEIGHBOURS_1020: [(Electrode, &[Electrode]); 19] = {
    use Electrode::*;
    [
        (Fp1, &[Fp2, F7, F3, Fz]),
        (Fp2, &[Fp1, F8, F4, Fz]),
        (F7, &[Fp1, F3, T3, C3]),
        (F3, &[Fp1, F7, Fz, C3]),
        (Fz, &[Fp1, Fp2, F3, F4, Cz]),
        (F4, &[Fp2, Fz, F8, C4]),
        (F8, &[Fp2, F4, T4, C4]),
        (T3, &[F7, C3, T5]),
        (C3, &[F3, T3, Cz, P3, F7]),
        (Cz, &[Fz, C3, C4, Pz]),
        (C4, &[F4, Cz, T4, P4, F8]),
        (T4, &[F8, C4, T6]),
        (T5, &[T3, P3, O1]),
        (P3, &[C3, T5, Pz, O1]),
        (Pz, &[Cz, P3, P4, O1, O2]),
        (P4, &[C4, Pz, T6, O2]),
        (T6, &[T4, P4, O2]),
        (O1, &[T5, P3, Pz, O2]),
        (O2, &[T6, P4, Pz, O1]),
    ]
};

/// The feature `neighbour_anticorrelation` from the largest correlation with a neighbour `r`:
/// `max(0, −r)`; NaN stays NaN (missing).
pub fn anticorrelation(r: f32) -> f32 {
    if r.is_nan() { r } else { (-r).max(0.0) }
}

/// True when `a` and `b` are 10-20 neighbours.
pub fn adjacent(a: Electrode, b: Electrode) -> bool {
    NEIGHBOURS_1020.iter().any(|(e, n)| *e == a && n.contains(&b))
}

/// One second's sums: per derivation `Σ Δx²`, per pair `Σ Δxₐ·Δx_b`, and which derivations are
/// flat.
#[derive(Clone, Debug)]
struct Block {
    run: usize,
    energy: Vec<f32>,
    cross: Vec<f32>,
    flat: Vec<bool>,
}

/// The sums of the last seconds of every derivation, and the feature from them.
#[derive(Clone, Debug)]
pub struct Neighbours {
    /// Pairs of derivations that are neighbours (`a < b`).
    pairs: Vec<(usize, usize)>,
    /// Per derivation: its pairs.
    of: Vec<Vec<usize>>,
    /// Per absolute second from `first` on: the sums (None where nothing was recorded).
    blocks: VecDeque<Option<Block>>,
    first: usize,
}

impl Neighbours {
    /// The neighbour pairs of the used single-electrode derivations.
    pub fn new(derivations: &[DerivationInfo]) -> Neighbours {
        let mut pairs = Vec::new();
        let n = derivations.len();
        let mut of = vec![Vec::new(); n];
        let single = |d: &DerivationInfo| if d.used && d.electrodes.len() == 1 { Some(d.electrodes[0]) } else { None };
        for a in 0..n {
            for b in a + 1..n {
                if let (Some(x), Some(y)) = (single(&derivations[a]), single(&derivations[b]))
                    && adjacent(x, y)
                {
                    of[a].push(pairs.len());
                    of[b].push(pairs.len());
                    pairs.push((a, b));
                }
            }
        }
        Neighbours { pairs, of, blocks: VecDeque::new(), first: 0 }
    }

    /// The neighbour pairs (derivation indices).
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// True when derivation `d` has a neighbour (its first differences are needed).
    pub fn has_neighbours(&self, d: usize) -> bool {
        !self.of[d].is_empty()
    }

    /// Add `k` seconds from absolute second `s0` of the run that started at second `run`:
    /// `diff[d]` holds derivation `d`'s first differences within each of the `k` blocks and
    /// `energy[d]` their sums of squares ([`block_differences`]; both may be empty for a
    /// derivation without neighbours), `flat[d]` whether it is flat in each second. The products
    /// of the pairs are computed in parallel.
    pub fn push_seconds(&mut self, s0: usize, k: usize, run: usize, diff: &[&[f32]], energy: &[&[f32]], flat: &[&[bool]]) {
        use rayon::prelude::*;
        if k == 0 {
            return;
        }
        if self.blocks.is_empty() {
            self.first = s0;
        }
        while self.first + self.blocks.len() < s0 {
            self.blocks.push_back(None);
        }
        assert_eq!(self.first + self.blocks.len(), s0, "seconds pushed in order");
        const N: usize = BLOCK - 1;
        let cross: Vec<Vec<f32>> = self
            .pairs
            .par_iter()
            .map(|&(a, b)| {
                let mut c = block_dots(&diff[a][..k * N], &diff[b][..k * N]);
                for (j, c) in c.iter_mut().enumerate() {
                    if flat[a][j] || flat[b][j] {
                        *c = 0.0;
                    }
                }
                c
            })
            .collect();
        let n = self.of.len();
        for j in 0..k {
            let flat_j: Vec<bool> = (0..n).map(|d| flat[d][j]).collect();
            let energy_j = (0..n).map(|d| if self.of[d].is_empty() || flat_j[d] { 0.0 } else { energy[d][j] }).collect();
            let cross_j = cross.iter().map(|c| c[j]).collect();
            self.blocks.push_back(Some(Block { run, energy: energy_j, cross: cross_j, flat: flat_j }));
        }
    }

    /// The feature of every derivation at second `s`, into `out[d]`: the largest correlation with
    /// a neighbour over the window `[s − 4, s + 4)` (the seconds of `s`'s run held); NaN without
    /// a neighbour or a block in which both are live.
    pub fn feature(&self, s: usize, out: &mut [f32]) {
        out.iter_mut().for_each(|v| *v = f32::NAN);
        let Some(Some(own)) = s.checked_sub(self.first).and_then(|i| self.blocks.get(i)) else {
            return;
        };
        let lo = s.saturating_sub(WINDOW_BEFORE).max(self.first);
        let hi = (s + WINDOW - WINDOW_BEFORE).min(self.first + self.blocks.len()).max(s + 1);
        let window: Vec<&Block> = (lo..hi).filter_map(|t| self.blocks[t - self.first].as_ref()).filter(|b| b.run == own.run).collect();
        let r: Vec<f32> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(p, &(a, b))| {
                let (mut c, mut ea, mut eb) = (0f64, 0f64, 0f64);
                for blk in &window {
                    if !blk.flat[a] && !blk.flat[b] {
                        c += blk.cross[p] as f64;
                        ea += blk.energy[a] as f64;
                        eb += blk.energy[b] as f64;
                    }
                }
                if ea > 0.0 && eb > 0.0 { (c / (ea * eb).sqrt()) as f32 } else { f32::NAN }
            })
            .collect();
        for (d, o) in out.iter_mut().enumerate() {
            *o = self.of[d].iter().map(|&p| r[p]).filter(|v| !v.is_nan()).fold(f32::NAN, f32::max);
        }
    }

    /// Forget the seconds before `s`.
    pub fn forget_before(&mut self, s: usize) {
        while self.first < s && !self.blocks.is_empty() {
            self.blocks.pop_front();
            self.first += 1;
        }
    }
}

/// The first differences within each 64-sample block of `x` (63 per block) into `diff`, and
/// their sum of squares per block into `energy` (both cleared first).
pub fn block_differences(x: &[f32], diff: &mut Vec<f32>, energy: &mut Vec<f32>) {
    const N: usize = BLOCK - 1;
    let k = x.len() / BLOCK;
    diff.clear();
    diff.resize(k * N, 0.0);
    energy.clear();
    for (b, dx) in x.chunks_exact(BLOCK).zip(diff.chunks_exact_mut(N)) {
        for (o, w) in dx.iter_mut().zip(b.windows(2)) {
            *o = w[1] - w[0];
        }
    }
    energy.extend(block_dots(diff, diff));
}

/// The dot products of `a` and `b` block by block (63 first differences per block), each as
/// [`dot`] computes it.
fn block_dots(a: &[f32], b: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports the feature the function is compiled for.
            return unsafe { block_dots_avx2(a, b) };
        }
    }
    block_dots_impl(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_dots_avx2(a: &[f32], b: &[f32]) -> Vec<f32> {
    block_dots_impl(a, b)
}

#[inline(always)]
fn block_dots_impl(a: &[f32], b: &[f32]) -> Vec<f32> {
    const N: usize = BLOCK - 1;
    a.chunks_exact(N).zip(b.chunks_exact(N)).map(|(x, y)| dot_impl(x, y)).collect()
}

/// Dot product in eight lanes (lane `i` sums elements `i`, `i + 8`, …; then the lanes in order,
/// then the remainder).
#[inline(always)]
fn dot_impl(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use Electrode::*;

    impl Neighbours {
        /// Add absolute second `s` of the run that started at second `run`: `block(d)` gives the 64
        /// samples of derivation `d`, `flat(d)` whether it is flat in that second.
        fn push<'a>(&mut self, s: usize, run: usize, block: impl Fn(usize) -> &'a [f32], flat: impl Fn(usize) -> bool) {
            let n = self.of.len();
            let mut diff = vec![Vec::new(); n];
            let mut energy = vec![Vec::new(); n];
            for d in 0..n {
                if self.has_neighbours(d) {
                    block_differences(block(d), &mut diff[d], &mut energy[d]);
                }
            }
            let flat: Vec<Vec<bool>> = (0..n).map(|d| vec![flat(d)]).collect();
            let diff: Vec<&[f32]> = diff.iter().map(|v| v.as_slice()).collect();
            let energy: Vec<&[f32]> = energy.iter().map(|v| v.as_slice()).collect();
            let flat: Vec<&[bool]> = flat.iter().map(|v| v.as_slice()).collect();
            self.push_seconds(s, 1, run, &diff, &energy, &flat);
        }
    }

    fn info(label: &str, electrodes: &[Electrode]) -> DerivationInfo {
        DerivationInfo { label: label.into(), electrodes: electrodes.to_vec(), channels: Vec::new(), used: true }
    }

    #[test]
    fn only_anticorrelation_counts() {
        assert_eq!(anticorrelation(0.7), 0.0);
        assert_eq!(anticorrelation(-0.4), 0.4);
        assert!(anticorrelation(f32::NAN).is_nan());
    }

    #[test]
    fn the_neighbour_table_is_symmetric_and_complete() {
        for (e, n) in NEIGHBOURS_1020 {
            assert!(!n.contains(&e));
            for &m in n {
                assert!(adjacent(m, e), "{e:?} lists {m:?} but not the reverse");
            }
        }
        for e in &Electrode::ALL {
            assert!(NEIGHBOURS_1020.iter().any(|(x, _)| x == e), "{e:?}");
        }
    }

    #[test]
    fn single_electrode_derivations_pair_with_their_neighbours_and_bipolar_ones_with_none() {
        let mut unused = info("C3", &[C3]);
        unused.used = false;
        let d = [info("T3", &[T3]), info("Fp1-F7", &[Fp1, F7]), info("F7", &[F7]), info("O2", &[O2]), unused, info("T5", &[T5])];
        let n = Neighbours::new(&d);
        // T3-F7 and T3-T5 are neighbours; the bipolar Fp1-F7, the far O2 and the unused C3 have
        // none.
        assert_eq!(n.pairs(), &[(0, 2), (0, 5)]);
        assert!(!n.has_neighbours(1) && !n.has_neighbours(3) && !n.has_neighbours(4));
    }

    /// Seconds of `n` derivations: `f(d, i)` the sample `i` of the window.
    fn run(derivs: &[DerivationInfo], secs: usize, f: impl Fn(usize, usize) -> f32, flat: impl Fn(usize, usize) -> bool) -> Vec<Vec<f32>> {
        let mut n = Neighbours::new(derivs);
        let x: Vec<Vec<f32>> = (0..derivs.len()).map(|d| (0..secs * BLOCK).map(|i| f(d, i)).collect()).collect();
        for s in 0..secs {
            n.push(s, 0, |d| &x[d][s * BLOCK..(s + 1) * BLOCK], |d| flat(d, s));
        }
        (0..secs)
            .map(|s| {
                let mut o = vec![0f32; derivs.len()];
                n.feature(s, &mut o);
                o
            })
            .collect()
    }

    fn noise(seed: u64) -> impl Fn(usize) -> f32 {
        move |i| {
            let mut z = (i as u64).wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        }
    }

    #[test]
    fn a_shared_rhythm_correlates_and_independent_noise_does_not() {
        let d = [info("T3", &[T3]), info("C3", &[C3]), info("T5", &[T5]), info("O2", &[O2])];
        let rhythm = |i: usize| (2.0 * std::f32::consts::PI * 3.0 * i as f32 / 64.0).sin() * 50.0;
        let (n0, n1, n2, n3) = (noise(1), noise(2), noise(3), noise(4));
        // T3 and C3 carry the same 3 Hz rhythm plus a little noise of their own; T5 and O2 carry
        // only noise.
        let f = |d: usize, i: usize| match d {
            0 => rhythm(i) + 2.0 * n0(i),
            1 => 0.5 * rhythm(i) + 2.0 * n1(i),
            2 => 40.0 * n2(i),
            _ => 40.0 * n3(i),
        };
        let v = run(&d, 12, f, |_, _| false);
        for s in 0..12 {
            let [t3, c3, t5, o2] = [v[s][0], v[s][1], v[s][2], v[s][3]];
            assert!(t3 > 0.8 && c3 > 0.8, "second {s}: {t3} {c3}");
            assert!(t5.abs() < 0.25, "second {s}: {t5}");
            assert!(o2.is_nan(), "O2 has no neighbour here");
        }
    }

    #[test]
    fn seconds_pushed_together_equal_seconds_pushed_one_by_one() {
        let d = [info("T3", &[T3]), info("C3", &[C3]), info("T5", &[T5]), info("Fp1-F7", &[Fp1, F7])];
        let rhythm = |i: usize| (2.0 * std::f32::consts::PI * 5.0 * i as f32 / 64.0).sin() * 30.0;
        let (n0, n1, n2) = (noise(11), noise(12), noise(13));
        let x: Vec<Vec<f32>> = (0..4)
            .map(|dd| {
                (0..20 * BLOCK)
                    .map(|i| match dd {
                        0 => rhythm(i) + 5.0 * n0(i),
                        1 => 0.7 * rhythm(i) + 5.0 * n1(i),
                        2 => 20.0 * n2(i),
                        _ => rhythm(i),
                    })
                    .collect()
            })
            .collect();
        // C3 flat in seconds 6-8; two runs: seconds 0-9 and, after a gap, 12-19.
        let flat = |dd: usize, s: usize| dd == 1 && (6..9).contains(&s);
        let runs = [(0usize, 10usize), (12, 20)];
        let mut one = Neighbours::new(&d);
        let mut all = Neighbours::new(&d);
        for (r0, r1) in runs {
            for s in r0..r1 {
                one.push(s, r0, |dd| &x[dd][s * BLOCK..(s + 1) * BLOCK], |dd| flat(dd, s));
            }
            let mut diff = vec![Vec::new(); 4];
            let mut energy = vec![Vec::new(); 4];
            for dd in 0..4 {
                if all.has_neighbours(dd) {
                    block_differences(&x[dd][r0 * BLOCK..r1 * BLOCK], &mut diff[dd], &mut energy[dd]);
                }
            }
            let fl: Vec<Vec<bool>> = (0..4).map(|dd| (r0..r1).map(|s| flat(dd, s)).collect()).collect();
            let diff: Vec<&[f32]> = diff.iter().map(|v| v.as_slice()).collect();
            let energy: Vec<&[f32]> = energy.iter().map(|v| v.as_slice()).collect();
            let fl: Vec<&[bool]> = fl.iter().map(|v| v.as_slice()).collect();
            all.push_seconds(r0, r1 - r0, r0, &diff, &energy, &fl);
        }
        let (mut a, mut b) = ([0f32; 4], [0f32; 4]);
        for s in 0..20 {
            one.feature(s, &mut a);
            all.feature(s, &mut b);
            for dd in 0..4 {
                assert_eq!(a[dd].to_bits(), b[dd].to_bits(), "second {s}, derivation {dd}: {} vs {}", a[dd], b[dd]);
            }
            // Gap seconds and the bipolar derivation have no value; T3 and C3 share the rhythm.
            assert!(a[3].is_nan());
            assert_eq!(a[0].is_nan(), (10..12).contains(&s), "second {s}");
            if !(10..12).contains(&s) {
                assert!(a[0] > 0.5, "second {s}: {}", a[0]);
            }
        }
    }

    #[test]
    fn flat_blocks_and_other_runs_are_left_out() {
        let d = [info("T3", &[T3]), info("C3", &[C3])];
        let a = noise(7);
        let b = noise(8);
        // The same signal on both for seconds 0-3, independent noise from second 4 on; C3 flat in
        // seconds 4-7, so that the window of second 4 holds only the shared seconds 0-3.
        let f = |d: usize, i: usize| if i < 4 * BLOCK || d == 0 { a(i) } else { b(i) };
        let v = run(&d, 12, f, |d, s| d == 1 && (4..8).contains(&s));
        assert!((v[4][0] - 1.0).abs() < 1e-5, "{}", v[4][0]);
        assert!(v[11][0].abs() < 0.3, "{}", v[11][0]);
        // Without the flat blocks left out, the window of second 4 mixes both halves.
        let w = run(&d, 12, f, |_, _| false);
        assert!(w[4][0] < 0.9, "{}", w[4][0]);
        // A second of a new run does not look back into the previous one.
        let mut n = Neighbours::new(&d);
        let same: Vec<f32> = (0..BLOCK).map(&a).collect();
        let other: Vec<f32> = (0..BLOCK).map(&b).collect();
        for s in 0..3 {
            n.push(s, 0, |_| &same, |_| false);
        }
        n.push(5, 5, |d| if d == 0 { &same } else { &other }, |_| false);
        let mut o = [0f32; 2];
        n.feature(5, &mut o);
        assert!(o[0].abs() < 0.5, "{}", o[0]);
        n.feature(2, &mut o);
        assert!((o[0] - 1.0).abs() < 1e-5);
        n.feature(3, &mut o);
        assert!(o[0].is_nan(), "no data at second 3");
        n.forget_before(5);
        n.feature(2, &mut o);
        assert!(o[0].is_nan(), "forgotten");
    }
}
