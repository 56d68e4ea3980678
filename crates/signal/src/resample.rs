//! Polyphase resampling by a rational factor, equal to `scipy.signal.resample_poly`.
//!
//! For a rate change `fs_out / fs_in = up / down` (reduced by their gcd), scipy's default
//! low-pass is a `firwin` FIR of `2·10·max(up, down) + 1` taps, cut-off `1 / max(up, down)` of
//! the Nyquist rate, Kaiser window β = 5, scaled by `up`. The input is zero-padded (scipy's
//! `padtype='constant'`) and output sample `n` sits at input time `n · down / up`, so the first
//! output sample is aligned with the first input sample and there are `ceil(len · up / down)`
//! samples. [`Padding::Mean`] subtracts the mean first and adds it back (scipy's
//! `padtype='mean'`), which avoids the dip towards zero at both ends.
//!
//! [`Resampler::resample`] does a whole signal; [`ResampleStream`] does the same chunk by chunk
//! with bounded memory and the same output samples.
//!
//! ```
//! use eimfs_signal::resample::Resampler;
//! let r = Resampler::from_rates(500.0, 256.0).unwrap(); // up 64, down 125
//! assert_eq!((r.up(), r.down()), (64, 125));
//! let x = vec![1.0f32; 5000]; // 10 s at 500 Hz
//! let y = r.resample(&x);
//! assert_eq!(y.len(), 2560); // 10 s at 256 Hz
//! assert!((y[1280] - 1.0).abs() < 1e-3); // a constant stays constant away from the edges
//! ```

use crate::error::{Error, Result};
use crate::filter::Sample;

/// Kaiser β of scipy's default `resample_poly` window `('kaiser', 5.0)`.
pub const DEFAULT_KAISER_BETA: f64 = 5.0;

/// What the signal is extended with beyond its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Padding {
    /// Zeros (scipy's default `padtype='constant'`).
    #[default]
    Zero,
    /// The signal's mean (scipy's `padtype='mean'`); whole-signal only.
    Mean,
}

/// Largest term of a resampling ratio that [`Resampler::from_rates`] finds from the continued
/// fraction of the rate ratio: a
/// `20·max(up, down) + 1`-tap filter, 160,001 taps at most.
pub const MAX_RATIO_TERM: u64 = 8000;

/// `p / q` equal to `x` within 1e-12 relative, with `p, q ≤ max`, from the continued fraction
/// of `x` (its convergents are the best approximations); `None` if there is none.
fn rational(x: f64, max: u64) -> Option<(u64, u64)> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    let (mut p0, mut q0, mut p1, mut q1) = (0u64, 1u64, 1u64, 0u64);
    let mut r = x;
    for _ in 0..64 {
        let a = r.floor();
        if a > max as f64 {
            return None;
        }
        let a = a as u64;
        let (p2, q2) = (a.checked_mul(p1)?.checked_add(p0)?, a.checked_mul(q1)?.checked_add(q0)?);
        if p2 > max || q2 > max {
            return None;
        }
        if ((p2 as f64 / q2 as f64) - x).abs() <= 1e-12 * x {
            return Some((p2, q2));
        }
        (p0, q0, p1, q1) = (p1, q1, p2, q2);
        let frac = r - a as f64;
        if frac <= 0.0 {
            return None;
        }
        r = 1.0 / frac;
    }
    None
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Modified Bessel function of the first kind, order 0 (power series; exact to rounding for
/// the arguments Kaiser windows use).
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum, mut k) = (1.0f64, 1.0f64, 1.0f64);
    loop {
        term *= q / (k * k);
        sum += term;
        if term < sum * 1e-17 {
            return sum;
        }
        k += 1.0;
    }
}

/// Symmetric Kaiser window of `m` points, as `scipy.signal.windows.kaiser(m, beta, sym=True)`.
pub fn kaiser(m: usize, beta: f64) -> Vec<f64> {
    if m == 1 {
        return vec![1.0];
    }
    let alpha = (m as f64 - 1.0) / 2.0;
    let d = bessel_i0(beta);
    (0..m)
        .map(|n| {
            let r = (n as f64 - alpha) / alpha;
            bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / d
        })
        .collect()
}

/// Low-pass FIR by the window method with a Kaiser window, as
/// `scipy.signal.firwin(numtaps, cutoff, window=('kaiser', beta))` (cut-off relative to the
/// Nyquist frequency, unit gain at DC).
pub fn firwin_kaiser(numtaps: usize, cutoff: f64, beta: f64) -> Result<Vec<f64>> {
    if !(cutoff > 0.0 && cutoff < 1.0) {
        return Err(Error::InvalidParameter(format!("FIR cut-off must be between 0 and 1 (Nyquist), got {cutoff}")));
    }
    if numtaps == 0 {
        return Err(Error::InvalidParameter("FIR needs at least one tap".into()));
    }
    let alpha = 0.5 * (numtaps as f64 - 1.0);
    let win = kaiser(numtaps, beta);
    let mut h: Vec<f64> = (0..numtaps)
        .map(|i| {
            let x = cutoff * (i as f64 - alpha);
            let s = if x == 0.0 {
                1.0
            } else {
                let y = std::f64::consts::PI * x;
                y.sin() / y
            };
            cutoff * s * win[i]
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= sum);
    Ok(h)
}

/// Dot product of input samples with a (zero-padded, multiple-of-4 long) bank, with four partial
/// sums so that it vectorises; the rounding differs from a serial sum only at the 1e-16 level.
#[inline]
fn dot<T: Sample>(x: &[T], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    for (xc, bc) in x.chunks_exact(4).zip(b.chunks_exact(4)) {
        for k in 0..4 {
            acc[k] += xc[k].to_f64() * bc[k];
        }
    }
    let (xr, br) = (x.chunks_exact(4).remainder(), b.chunks_exact(4).remainder());
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (v, w) in xr.iter().zip(br) {
        s += v.to_f64() * w;
    }
    s
}

/// A polyphase resampler for one rational rate change.
#[derive(Clone, Debug, PartialEq)]
pub struct Resampler {
    up: usize,
    down: usize,
    half_len: usize,
    /// Polyphase banks: `banks[p][k] = h[p + k·up]`, stored reversed so that a bank is a dot
    /// product with a forward slice of the input.
    banks: Vec<Vec<f64>>,
    taps: usize,
}

impl Resampler {
    /// Resample by `up / down` (reduced by their gcd) with scipy's default filter.
    pub fn new(up: usize, down: usize) -> Result<Resampler> {
        Resampler::with_beta(up, down, DEFAULT_KAISER_BETA)
    }

    /// Resample by `up / down` with scipy's filter design and Kaiser `beta`.
    pub fn with_beta(up: usize, down: usize, beta: f64) -> Result<Resampler> {
        if up == 0 || down == 0 {
            return Err(Error::InvalidParameter(format!("resampling factors must be at least 1, got up {up}, down {down}")));
        }
        let g = gcd(up as u64, down as u64) as usize;
        let (up, down) = (up / g, down / g);
        let max_rate = up.max(down);
        if max_rate > 1 << 16 {
            return Err(Error::InvalidParameter(format!(
                "resampling ratio {up}/{down} needs a {}-tap filter; choose rates with a simpler ratio",
                20 * max_rate + 1
            )));
        }
        if up == 1 && down == 1 {
            return Ok(Resampler { up, down, half_len: 0, banks: vec![vec![1.0]], taps: 1 });
        }
        let half_len = 10 * max_rate;
        let mut h = firwin_kaiser(2 * half_len + 1, 1.0 / max_rate as f64, beta)?;
        h.iter_mut().for_each(|v| *v *= up as f64);
        Ok(Resampler::from_filter(up, down, half_len, h))
    }

    fn from_filter(up: usize, down: usize, half_len: usize, h: Vec<f64>) -> Resampler {
        let taps = h.len();
        let banks = (0..up)
            .map(|p| {
                let mut b: Vec<f64> = h.iter().skip(p).step_by(up).copied().collect();
                // Leading zeros (in the reversed bank) make every bank a multiple of 4 long:
                // they multiply earlier samples by 0 and keep the dot product in whole blocks.
                let pad = b.len().next_multiple_of(4) - b.len();
                b.extend(std::iter::repeat_n(0.0, pad));
                b.reverse();
                b
            })
            .collect();
        Resampler { up, down, half_len, banks, taps }
    }

    /// Resampler from sampling rates, e.g. 500 → 256 Hz (up 64, down 125). The ratio must be
    /// rational: rates given to at most 6 decimals, or a ratio whose terms are at most
    /// [`MAX_RATIO_TERM`] (e.g. 256 samples per 0.999-s record to 64 Hz: up 999, down 4000).
    pub fn from_rates(fs_in: f64, fs_out: f64) -> Result<Resampler> {
        for (what, f) in [("input", fs_in), ("output", fs_out)] {
            if !(f.is_finite() && f > 0.0) {
                return Err(Error::InvalidParameter(format!("{what} sampling rate must be positive, got {f} Hz")));
            }
        }
        for scale in [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6] {
            let (a, b) = (fs_in * scale, fs_out * scale);
            if (a - a.round()).abs() < 1e-6 && (b - b.round()).abs() < 1e-6 {
                let (a, b) = (a.round() as u64, b.round() as u64);
                let g = gcd(a, b);
                return Resampler::new((b / g) as usize, (a / g) as usize);
            }
        }
        // Rates that are ratios without a short decimal form, e.g. 256 samples per 0.999-s
        // record (256.256… Hz): the best rational approximation of the ratio with terms up to
        // `MAX_RATIO_TERM`, accepted when it equals the ratio to double precision.
        if let Some((up, down)) = rational(fs_out / fs_in, MAX_RATIO_TERM) {
            return Resampler::new(up as usize, down as usize);
        }
        Err(Error::InvalidParameter(format!("cannot express {fs_out} / {fs_in} Hz as a ratio of integers up to {MAX_RATIO_TERM}")))
    }

    /// Up-sampling factor (after reduction).
    pub fn up(&self) -> usize {
        self.up
    }

    /// Down-sampling factor (after reduction).
    pub fn down(&self) -> usize {
        self.down
    }

    /// Number of FIR taps (`20·max(up, down) + 1`; 1 for the identity).
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// The FIR filter (scaled by `up`), as scipy builds it.
    pub fn filter(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.taps];
        for (p, b) in self.banks.iter().enumerate() {
            for (k, v) in b.iter().rev().enumerate() {
                if p + k * self.up < self.taps {
                    h[p + k * self.up] = *v;
                }
            }
        }
        h
    }

    /// Output length for `n_in` input samples: `ceil(n_in · up / down)`.
    pub fn output_len(&self, n_in: usize) -> usize {
        (n_in * self.up).div_ceil(self.down)
    }

    /// Output sample `n` from the input samples `x` (zero outside), `offset` being the absolute
    /// index of `x[0]`.
    #[inline]
    fn output<T: Sample>(&self, n: usize, x: &[T], offset: usize) -> f64 {
        let c = n * self.down + self.half_len; // position of the filter centre on the up-sampled grid
        let i0 = c / self.up; // last input sample that contributes
        let bank = &self.banks[c % self.up];
        // Input i contributes h[c − i·up] for i in i0 − (len − 1) ..= i0; bank is reversed, so
        // bank[j] multiplies input i0 − (len − 1) + j.
        let first = i0 as isize - (bank.len() as isize - 1);
        let lo = first.max(offset as isize);
        let hi = (i0 as isize).min((offset + x.len()) as isize - 1);
        if hi < lo {
            return 0.0;
        }
        let xs = &x[(lo - offset as isize) as usize..=(hi - offset as isize) as usize];
        let bs = &bank[(lo - first) as usize..=(hi - first) as usize];
        dot(xs, bs)
    }

    /// Resample a whole signal with zero padding (scipy's default).
    pub fn resample<T: Sample>(&self, x: &[T]) -> Vec<T> {
        self.resample_with(x, Padding::Zero)
    }

    /// Resample a whole signal with the given padding.
    pub fn resample_with<T: Sample>(&self, x: &[T], padding: Padding) -> Vec<T> {
        if self.up == 1 && self.down == 1 {
            return x.to_vec();
        }
        match padding {
            Padding::Mean if !x.is_empty() => {
                let mean = x.iter().map(|v| v.to_f64()).sum::<f64>() / x.len() as f64;
                let xs: Vec<f64> = x.iter().map(|v| v.to_f64() - mean).collect();
                self.run(&xs, mean)
            }
            _ => self.run(x, 0.0),
        }
    }

    /// All outputs of a whole signal, plus `add`.
    fn run<T: Sample, U: Sample>(&self, xs: &[T], add: f64) -> Vec<U> {
        let n_out = self.output_len(xs.len());
        let mut out = Vec::with_capacity(n_out);
        // Track the filter centre c = n·down + half_len as (i0, phase) = (c / up, c % up)
        // incrementally; outputs whose taps all fall inside the input take the fast path.
        let (mut i0, mut phase) = (self.half_len / self.up, self.half_len % self.up);
        let (di, dp) = (self.down / self.up, self.down % self.up);
        for n in 0..n_out {
            let bank = &self.banks[phase];
            let len = bank.len();
            let v = if i0 + 1 >= len && i0 < xs.len() { dot(&xs[i0 + 1 - len..=i0], bank) } else { self.output(n, xs, 0) };
            out.push(U::from_f64(v + add));
            i0 += di;
            phase += dp;
            if phase >= self.up {
                phase -= self.up;
                i0 += 1;
            }
        }
        out
    }

    /// A streaming resampler (zero padding) producing the same samples as
    /// [`Resampler::resample`] over the concatenated input.
    pub fn stream(&self) -> ResampleStream {
        ResampleStream { r: self.clone(), hist: Vec::new(), offset: 0, received: 0, next: 0 }
    }
}

/// Convenience: `scipy.signal.resample_poly(x, up, down)` with its defaults.
pub fn resample_poly<T: Sample>(x: &[T], up: usize, down: usize) -> Result<Vec<T>> {
    Ok(Resampler::new(up, down)?.resample(x))
}

/// Chunk-by-chunk resampling with bounded memory (see [`Resampler::stream`]).
///
/// ```
/// use eimfs_signal::resample::Resampler;
/// let r = Resampler::from_rates(200.0, 256.0).unwrap();
/// let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.05).sin()).collect();
/// let whole = r.resample(&x);
/// let mut s = r.stream();
/// let mut out = Vec::new();
/// for chunk in x.chunks(123) {
///     s.push(chunk, &mut out);
/// }
/// s.finish(&mut out);
/// assert_eq!(out, whole);
/// ```
#[derive(Clone, Debug)]
pub struct ResampleStream {
    r: Resampler,
    /// Input samples from absolute index `offset` on.
    hist: Vec<f64>,
    offset: usize,
    received: usize,
    next: usize,
}

impl ResampleStream {
    /// First input sample that output `n` or any later one can need: the filter centre only
    /// moves forward, so that is the centre's input minus the longest bank.
    fn first_input(&self, n: usize) -> usize {
        let c = n * self.r.down + self.r.half_len;
        let longest = self.r.banks.iter().map(Vec::len).max().unwrap_or(1);
        (c / self.r.up + 1).saturating_sub(longest)
    }

    /// Feed the next input samples; appends every output sample that is now complete.
    pub fn push<T: Sample>(&mut self, x: &[T], out: &mut Vec<T>) {
        if self.r.up == 1 && self.r.down == 1 {
            out.extend_from_slice(x);
            self.received += x.len();
            self.next += x.len();
            return;
        }
        self.hist.extend(x.iter().map(|v| v.to_f64()));
        self.received += x.len();
        loop {
            let c = self.next * self.r.down + self.r.half_len;
            if c / self.r.up >= self.received {
                break; // needs input not yet received
            }
            out.push(T::from_f64(self.r.output(self.next, &self.hist, self.offset)));
            self.next += 1;
        }
        // Drop history no future output needs.
        let keep_from = self.first_input(self.next).min(self.received);
        if keep_from > self.offset {
            self.hist.drain(..keep_from - self.offset);
            self.offset = keep_from;
        }
    }

    /// End of input: appends the remaining output samples (the input is taken as zero beyond
    /// its end), up to `ceil(total · up / down)`.
    pub fn finish<T: Sample>(&mut self, out: &mut Vec<T>) {
        let total = self.r.output_len(self.received);
        while self.next < total {
            out.push(T::from_f64(self.r.output(self.next, &self.hist, self.offset)));
            self.next += 1;
        }
    }

    /// Input samples received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// Output samples produced so far.
    pub fn produced(&self) -> usize {
        self.next
    }

    /// Input samples held for outputs still to come (at most about `taps / up + 5`).
    pub fn buffered(&self) -> usize {
        self.hist.len()
    }
}
