//! Seeded, machine-independent random numbers for the engine.
//!
//! [`NormalRng`] wraps `rand_xoshiro`'s `Xoshiro256PlusPlus` (seeded through SplitMix64 by
//! `seed_from_u64`) and draws standard normal variates with the 128-layer ziggurat of
//! Marsaglia & Tsang as modified by Doornik (2005, "An improved ziggurat method to generate normal
//! random samples": independent bits for the layer index and the uniform, which removes the
//! correlation of the original). The layer tables are computed once with the deterministic
//! [`super::detmath`] functions and the sampler itself uses only IEEE-754 arithmetic and
//! those functions, so a given seed yields bit-identical normal streams on every machine.
//!
//! Per draw: one 64-bit output; its top 53 bits give a uniform u in [−1, 1), its low 7 bits the
//! layer. About 98.8 % of draws return `u · x[layer]` at once; the rest take the wedge test or
//! the tail (Marsaglia's tail algorithm beyond R = 3.442619855899). The wedge test `y < exp(−x²/2)`
//! is first tried against two lines that bound the curve on the layer (chord and tangent, with a
//! margin far above every rounding error), which decide about 98 % of wedge points; the `exp` is
//! evaluated only for the rest, so the accept/reject decision, and the stream, are those of the
//! plain `exp` test bit for bit.
//!
//! ```
//! use eimfs_sim::network::rng::NormalRng;
//! let mut a = NormalRng::seed_from_u64(7);
//! let mut b = NormalRng::seed_from_u64(7);
//! let x: Vec<f64> = (0..4).map(|_| a.normal()).collect();
//! let y: Vec<f64> = (0..4).map(|_| b.normal()).collect();
//! assert_eq!(x, y);
//! ```

use super::detmath;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::{Rng, SeedableRng};
use std::sync::LazyLock;

const ZIG_C: usize = 128;
const ZIG_R: f64 = 3.442_619_855_899;
const ZIG_V: f64 = 9.912_563_035_262_17e-3;

struct ZigTables {
    /// Layer right edges x[0..=C] (x[0] = V / f(R) for the base strip, x[C] = 0).
    x: [f64; ZIG_C + 1],
    /// x[i+1] / x[i].
    ratio: [f64; ZIG_C],
    /// f(x[i]) = exp(−x[i]²/2).
    fx: [f64; ZIG_C + 1],
    /// Wedge squeeze of layer i: lines `lo[i].0 + lo[i].1·|x|` ≤ f(x) ≤ `hi[i].0 + hi[i].1·|x|`
    /// on the layer's wedge (see [`squeeze_lines`]).
    lo: [(f64, f64); ZIG_C],
    hi: [(f64, f64); ZIG_C],
}

/// Margin of the wedge squeeze: far above every rounding error of the lines and of
/// `detmath::exp` (all below 1e-13 in absolute value, f ≤ 1), far below the wedges' heights
/// (≥ 2e-3), so that the squeeze decides only points the `exp` test decides the same way.
const SQUEEZE_MARGIN: f64 = 1e-10;

/// Lower and upper lines bounding f(x) = exp(−x²/2) on the wedge of layer `i`
/// (x[i+1] ≤ |x| ≤ x[i]): the chord through the layer's corners and the tangent at the middle of
/// the layer. f is convex for |x| > 1 (f ≤ chord, f ≥ tangent) and concave for |x| < 1 (the
/// reverse); the layer that contains |x| = 1 gets lines that decide nothing (always `exp`).
fn squeeze_lines(x: &[f64; ZIG_C + 1], fx: &[f64; ZIG_C + 1], i: usize) -> ((f64, f64), (f64, f64)) {
    let (x0, x1) = (x[i + 1], x[i]);
    let slope = (fx[i] - fx[i + 1]) / (x1 - x0);
    let chord = (fx[i + 1] - x0 * slope, slope);
    let p = 0.5 * (x0 + x1);
    let fp = detmath::exp(-0.5 * p * p);
    let tangent = (fp * (1.0 + p * p), -fp * p);
    const NOTHING: ((f64, f64), (f64, f64)) = ((-1.0, 0.0), (2.0, 0.0));
    if i == 0 {
        NOTHING
    } else if x0 > 1.001 {
        (tangent, chord)
    } else if x1 < 0.999 {
        (chord, tangent)
    } else {
        NOTHING
    }
}

static TABLES: LazyLock<ZigTables> = LazyLock::new(|| {
    let mut x = [0.0; ZIG_C + 1];
    let mut f = detmath::exp(-0.5 * ZIG_R * ZIG_R);
    x[0] = ZIG_V / f;
    x[1] = ZIG_R;
    x[ZIG_C] = 0.0;
    for i in 2..ZIG_C {
        x[i] = (-2.0 * detmath::ln(ZIG_V / x[i - 1] + f)).sqrt();
        f = detmath::exp(-0.5 * x[i] * x[i]);
    }
    let mut ratio = [0.0; ZIG_C];
    for i in 0..ZIG_C {
        ratio[i] = x[i + 1] / x[i];
    }
    let mut fx = [0.0; ZIG_C + 1];
    for i in 0..=ZIG_C {
        fx[i] = detmath::exp(-0.5 * x[i] * x[i]);
    }
    let mut lo = [(0.0, 0.0); ZIG_C];
    let mut hi = [(0.0, 0.0); ZIG_C];
    for i in 0..ZIG_C {
        (lo[i], hi[i]) = squeeze_lines(&x, &fx, i);
    }
    ZigTables { x, ratio, fx, lo, hi }
});

/// The wedge test of layer `i` (1 ≤ i < C) for the point `x` with uniform height `y`: exactly
/// `y < detmath::exp(−x²/2)`, with `exp` evaluated only when the squeeze lines (with
/// [`SQUEEZE_MARGIN`]) do not already decide.
#[inline(always)]
fn wedge_accept(t: &ZigTables, i: usize, x: f64, y: f64) -> bool {
    let ax = x.abs();
    let (la, lb) = t.lo[i];
    let (ha, hb) = t.hi[i];
    if y < la + lb * ax - SQUEEZE_MARGIN {
        // y < lower − margin ≤ f(x) − margin < exp(−x²/2) as computed
        true
    } else if y > ha + hb * ax + SQUEEZE_MARGIN {
        // y > upper + margin ≥ f(x) + margin > exp(−x²/2) as computed
        false
    } else {
        y < detmath::exp(-0.5 * x * x)
    }
}

/// A seeded random stream with a machine-independent standard normal sampler (see module docs).
#[derive(Clone, Debug)]
pub struct NormalRng {
    rng: Xoshiro256PlusPlus,
}

impl NormalRng {
    /// A stream seeded from a 64-bit seed (SplitMix64 expansion, as `rand_xoshiro` documents).
    pub fn seed_from_u64(seed: u64) -> Self {
        LazyLock::force(&TABLES);
        NormalRng { rng: Xoshiro256PlusPlus::seed_from_u64(seed) }
    }

    /// Jumps ahead by 2^128 draws: used to derive independent sub-streams from one seed.
    pub fn jump(&mut self) {
        self.rng.jump();
    }

    /// Splits off an independent sub-stream: returns a copy of the current stream and moves
    /// `self` 2^128 draws ahead, so the two never overlap in practice and repeated calls give
    /// distinct sub-streams.
    pub fn split(&mut self) -> NormalRng {
        let child = self.clone();
        self.rng.jump();
        child
    }

    /// The next raw 64-bit output.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in the open interval (0, 1) (never 0, so its logarithm is finite).
    #[inline(always)]
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
    }

    /// A standard normal variate (mean 0, variance 1).
    #[inline(always)]
    pub fn normal(&mut self) -> f64 {
        let t = &*TABLES;
        loop {
            let bits = self.next_u64();
            let u = (bits >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0;
            let i = (bits & 0x7f) as usize;
            if u.abs() < t.ratio[i] {
                return u * t.x[i];
            }
            // The slow path works on a copy so that `self` never has its address taken in the
            // fast path (keeps the generator state in registers in callers' loops).
            let mut tmp = self.clone();
            let r = tmp.normal_slow(t, u, i);
            *self = tmp;
            if let Some(v) = r {
                return v;
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn normal_slow(&mut self, t: &ZigTables, u: f64, i: usize) -> Option<f64> {
        if i == 0 {
            // Base strip: sample the tail beyond R (Marsaglia 1964).
            loop {
                let x = detmath::ln(self.uniform_open()) / ZIG_R;
                let y = detmath::ln(self.uniform_open());
                if -2.0 * y >= x * x {
                    return Some(if u < 0.0 { x - ZIG_R } else { ZIG_R - x });
                }
            }
        }
        // Wedge: accept when a uniform point between f(x[i]) and f(x[i+1]) lies under f(x)
        // (Doornik's test f1 + U(f0 − f1) < 1 multiplied through by f(x), one exp instead of two).
        // A squeeze by two lines decides most points without the `exp` (`wedge_accept`).
        let x = u * t.x[i];
        let y = t.fx[i + 1] + self.uniform() * (t.fx[i] - t.fx[i + 1]);
        if wedge_accept(t, i, x, y) { Some(x) } else { None }
    }

    /// Fills `out` with standard normal variates.
    pub fn fill_normal(&mut self, out: &mut [f64]) {
        for v in out {
            *v = self.normal();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard normal CDF values (from tables) at fixed points.
    const PHI: [(f64, f64); 9] = [
        (-3.5, 2.326_290_790_355_25e-4),
        (-3.0, 1.349_898_031_630_094_6e-3),
        (-2.0, 2.275_013_194_817_920_6e-2),
        (-1.0, 0.158_655_253_931_457_05),
        (-0.3, 0.382_088_577_811_047_1),
        (0.0, 0.5),
        (1.0, 0.841_344_746_068_542_9),
        (2.0, 0.977_249_868_051_820_8),
        (3.5, 0.999_767_370_920_964_5),
    ];

    #[test]
    fn normal_distribution_matches_phi() {
        let n = 2_000_000usize;
        let mut rng = NormalRng::seed_from_u64(12345);
        let mut xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(), "var {var}");
        assert!((kurt - 3.0).abs() < 5.0 * (24.0 / n as f64).sqrt(), "kurtosis {kurt}");
        xs.sort_by(f64::total_cmp);
        for &(z, p) in &PHI {
            let k = xs.partition_point(|&x| x < z);
            let emp = k as f64 / n as f64;
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            assert!((emp - p).abs() < 5.0 * sd, "P(X<{z}) = {emp}, expected {p} ± {sd}");
        }
    }

    #[test]
    fn wedge_squeeze_decides_as_the_exp_test() {
        let t = &*TABLES;
        let mut rng = NormalRng::seed_from_u64(5);
        let (mut by_squeeze, mut total) = (0usize, 0usize);
        for i in 1..ZIG_C {
            for k in 0..4000 {
                let u = t.ratio[i] + (1.0 - t.ratio[i]) * rng.uniform();
                let x = if k % 2 == 0 { u * t.x[i] } else { -u * t.x[i] };
                let e = detmath::exp(-0.5 * x * x);
                // uniform heights over the wedge, and heights within 1e-9 of the curve
                let y = match k % 4 {
                    0 | 1 => t.fx[i + 1] + rng.uniform() * (t.fx[i] - t.fx[i + 1]),
                    2 => e + (rng.uniform() - 0.5) * 2e-9,
                    _ => f64::from_bits(e.to_bits() + (k as u64 / 4 % 5) - 2),
                };
                assert_eq!(wedge_accept(t, i, x, y), y < e, "layer {i}, x {x}, y {y}, exp {e}");
                // the lines are true bounds of the exp as computed
                let (lo, hi) = (t.lo[i].0 + t.lo[i].1 * x.abs(), t.hi[i].0 + t.hi[i].1 * x.abs());
                assert!(lo <= e + 1e-13 && e <= hi + 1e-13, "layer {i}, x {x}: {lo} ≤ {e} ≤ {hi}");
                if k % 4 < 2 {
                    total += 1;
                    if y < lo - SQUEEZE_MARGIN || y > hi + SQUEEZE_MARGIN {
                        by_squeeze += 1;
                    }
                }
            }
        }
        // the squeeze decides the large majority of uniform wedge points
        let frac = by_squeeze as f64 / total as f64;
        assert!(frac > 0.95, "squeeze decides only {frac}");
    }

    #[test]
    fn tables_are_a_decreasing_ziggurat() {
        let t = &*TABLES;
        assert_eq!(t.x[1], ZIG_R);
        assert!(t.x[0] > t.x[1]);
        for i in 1..ZIG_C {
            assert!(t.x[i + 1] < t.x[i]);
        }
        // The top layer's left edge is close to 0 (the construction closes the ziggurat).
        assert!(t.x[ZIG_C - 1] > 0.0 && t.x[ZIG_C - 1] < 0.3, "x[C-1] = {}", t.x[ZIG_C - 1]);
    }

    #[test]
    fn streams_are_pinned_bit_for_bit() {
        // Pins the whole chain (SplitMix64 seeding, xoshiro256++, ziggurat, detmath): these bits
        // must be the same on every machine and in every release.
        let mut rng = NormalRng::seed_from_u64(2024);
        let got: Vec<u64> = (0..6).map(|_| rng.normal().to_bits()).collect();
        let expected: [u64; 6] = PINNED;
        assert_eq!(got, expected, "as f64: {:?}", got.iter().map(|b| f64::from_bits(*b)).collect::<Vec<_>>());
        // 200 000 draws (≈ 2 400 through the wedge and tail paths) hashed bit for bit (FNV-1a)
        let mut rng = NormalRng::seed_from_u64(99);
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut tail = 0;
        for _ in 0..200_000 {
            let v = rng.normal();
            if v.abs() > ZIG_R {
                tail += 1;
            }
            for b in v.to_bits().to_le_bytes() {
                h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        assert!(tail > 60, "only {tail} tail draws");
        assert_eq!(h, PINNED_HASH, "hash {h}");
        // and the sub-streams differ
        let mut a = NormalRng::seed_from_u64(2024);
        let mut b = a.split();
        assert_ne!(a.normal(), b.normal());
    }

    const PINNED_HASH: u64 = 7_035_994_973_153_515_507;
    const PINNED: [u64; 6] =
        [4589256246986290330, 13821303225082328444, 13830105678346733796, 13817597733090694337, 4604787744164305767, 4603812163792257248];
}
