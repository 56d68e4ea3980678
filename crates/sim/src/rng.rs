//! Reproducible random numbers: xoshiro256++ streams derived from one seed, and Gaussian samples
//! computed with the pure-Rust `libm` (so the same seed gives the same numbers on any machine,
//! whatever the platform's C math library).

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 step: a good 64-bit mixer to derive independent seeds.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A random stream: xoshiro256++ plus a cached second Gaussian.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: Xoshiro256PlusPlus,
    spare: Option<f64>,
}

impl Stream {
    /// The stream `tag` of the run seeded with `seed`. Different tags give independent streams.
    pub fn new(seed: u64, tag: u64) -> Stream {
        let s = splitmix(splitmix(seed) ^ splitmix(tag.wrapping_add(0x5EED)));
        Stream { rng: Xoshiro256PlusPlus::seed_from_u64(s), spare: None }
    }

    /// Uniform in \[0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in \[a, b).
    #[inline]
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.uniform()
    }

    /// Standard normal sample (Marsaglia polar method).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let m = (-2.0 * libm::log(s) / s).sqrt();
                self.spare = Some(v * m);
                return u * m;
            }
        }
    }

    /// Exponential sample with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(1.0 - self.uniform())
    }

    /// Poisson-process check: true with probability `1 − exp(−rate·dt)`.
    pub fn event(&mut self, rate: f64, dt: f64) -> bool {
        self.uniform() < -libm::expm1(-rate * dt)
    }

    /// A raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_distinct() {
        let mut a = Stream::new(42, 1);
        let mut b = Stream::new(42, 1);
        let mut c = Stream::new(42, 2);
        let xa: Vec<f64> = (0..5).map(|_| a.normal()).collect();
        let xb: Vec<f64> = (0..5).map(|_| b.normal()).collect();
        let xc: Vec<f64> = (0..5).map(|_| c.normal()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn normal_moments() {
        let mut s = Stream::new(7, 0);
        let n = 200_000;
        let (mut m, mut m2) = (0.0, 0.0);
        for _ in 0..n {
            let z = s.normal();
            m += z;
            m2 += z * z;
        }
        m /= n as f64;
        m2 /= n as f64;
        assert!(m.abs() < 0.01, "mean {m}");
        assert!((m2 - 1.0).abs() < 0.01, "var {m2}");
    }
}
