//! Deterministic elementary functions.
//!
//! `f64::exp` and `f64::ln` call the platform's libm, whose last bit may differ between C
//! libraries and CPUs. These versions use only IEEE-754 `+ − × ÷` and exponent bit manipulation (Rust never contracts `a*b + c` into a fused multiply-add on its own), so they
//! return bit-identical results on every conforming machine. Accuracy is within about 2 ulp of the
//! exact value over the whole range (tested against `f64::exp`/`f64::ln`).
//!
//! They are used by the normal sampler ([`super::rng`]) and are available to node models that must
//! be reproducible across machines.
//!
//! ```
//! use eimfs_sim::network::detmath;
//! assert!((detmath::exp(1.0) - std::f64::consts::E).abs() < 1e-15);
//! assert!((detmath::ln(10.0) - std::f64::consts::LN_10).abs() < 1e-15);
//! ```

/// High part of ln 2 (the low 32 bits of its mantissa are zero, so `k * LN2_HI` is exact for
/// |k| < 2^20).
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
/// ln 2 − LN2_HI.
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
const LOG2_E: f64 = std::f64::consts::LOG2_E;

/// 2^k as an f64 for −1022 ≤ k ≤ 1023.
#[inline(always)]
fn pow2i(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Deterministic e^x (see the module docs).
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.133_219_101_941_1 {
        return 0.0;
    }
    // k = round-half-even(x·log2 e) by the 1.5·2^52 trick: pure IEEE arithmetic, no libm call
    // (|x·log2 e| < 1100 here, far below 2^51).
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let k = (x * LOG2_E + SHIFT) - SHIFT;
    // Cody–Waite reduction: r = x − k ln 2 with |r| ≤ ln2/2 (+ a rounding margin).
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor polynomial of degree 13 in Horner form: truncation error < 5e-18 for |r| ≤ 0.35.
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0
                            + r * (1.0 / 720.0
                                + r * (1.0 / 5040.0
                                    + r * (1.0 / 40320.0
                                        + r * (1.0 / 362_880.0
                                            + r * (1.0 / 3_628_800.0
                                                + r * (1.0 / 39_916_800.0
                                                    + r * (1.0 / 479_001_600.0
                                                        + r * (1.0 / 6_227_020_800.0)))))))))))));
    let k = k as i64;
    if k > 1023 {
        p * pow2i(1023) * pow2i(k - 1023)
    } else if k < -1022 {
        // Subnormal result: scale in two exact steps.
        p * pow2i(k + 600) * pow2i(-600)
    } else {
        p * pow2i(k)
    }
}

/// Deterministic natural logarithm (see the module docs). Returns NaN for x < 0 or NaN,
/// −∞ for 0 and +∞ for +∞.
#[inline]
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return x;
    }
    let mut bits = x.to_bits();
    let mut e: i64 = 0;
    if bits >> 52 == 0 {
        // Subnormal: scale by 2^54 (exact).
        bits = (x * pow2i(54)).to_bits();
        e -= 54;
    }
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000); // [1, 2)
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716, s² ≤ 0.0295.
    let f = m - 1.0;
    let s = f / (m + 1.0);
    let s2 = s * s;
    let series = s2
        * (1.0 / 3.0
            + s2 * (1.0 / 5.0
                + s2 * (1.0 / 7.0
                    + s2 * (1.0 / 9.0
                        + s2 * (1.0 / 11.0
                            + s2 * (1.0 / 13.0
                                + s2 * (1.0 / 15.0
                                    + s2 * (1.0 / 17.0
                                        + s2 * (1.0 / 19.0 + s2 * (1.0 / 21.0 + s2 * (1.0 / 23.0)))))))))));
    // 2s = f − s·f exactly in real arithmetic; this form keeps the leading term exact-ish.
    let two_s_series = 2.0 * s * series;
    let ln_m = f - s * f + two_s_series;
    let ef = e as f64;
    ef * LN2_HI + (ln_m + ef * LN2_LO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn exp_matches_libm_within_2_ulp() {
        let mut worst = 0;
        let mut x = -744.0;
        while x < 709.0 {
            let u = ulps(exp(x), x.exp());
            worst = worst.max(u);
            x += 0.013_7;
        }
        for &x in &[0.0, 1e-300, -1e-300, 1e-10, -0.5, 0.346, -0.347, 1.0, 700.0] {
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2, "worst exp error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn ln_matches_libm_within_2_ulp() {
        let mut worst = 0;
        let mut x = 1e-310;
        while x < 1e300 {
            worst = worst.max(ulps(ln(x), x.ln()));
            x *= 1.013_7;
        }
        let mut x = 0.5;
        while x < 2.0 {
            let u = ulps(ln(x), x.ln());
            // near 1 the result is tiny: compare absolutely instead
            if (x - 1.0f64).abs() > 1e-3 {
                worst = worst.max(u);
            } else {
                assert!((ln(x) - x.ln()).abs() <= 1e-19 + 4.0 * f64::EPSILON * x.ln().abs());
            }
            x += 0.000_37;
        }
        assert!(worst <= 2, "worst ln error {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
    }
}
