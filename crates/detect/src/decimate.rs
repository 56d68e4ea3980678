//! Bringing every channel to the analysis rate of 64 Hz, streaming.
//!
//! The ictal rhythms of neonatal and infant seizures lie below 25 Hz (delta to beta; Shellhaas
//! et al. 2011; ACNS neonatal terminology, Tsuchida et al. 2013), so the detector works at
//! [`ANALYSIS_FS`] = 64 Hz. Decimating right after decoding cuts the work of everything that
//! follows by the decimation factor (4 for the common 256 Hz).
//!
//! * Integer factors (128, 256, 512, 1024 Hz …) use [`FirDecimator`]: a linear-phase low-pass FIR
//!   of `20·M + 1` taps (Kaiser window, β = 7.857, i.e. ≈ 80 dB stop-band attenuation; cut-off at
//!   the output Nyquist frequency 32 Hz), evaluated only at the output samples, with a vectorised
//!   dot product (AVX2/FMA when the CPU has it). Pass band (≤ 0.1 dB ripple) up to ≈ 24 Hz, stop
//!   band from ≈ 40 Hz, so mains at 50/60 Hz and muscle activity cannot alias into the analysed
//!   band 0.5–25 Hz. Output sample `n` is centred on input sample `n·M` (zero delay); before the
//!   first and after the last sample the signal is extended with its edge value (no step
//!   transient).
//! * Other rates (200, 250, 500 Hz …) use the polyphase resampler of `eimfs-signal`
//!   ([`eimfs_signal::Resampler`], equal to `scipy.signal.resample_poly`), streaming, with the first
//!   sample subtracted so that zero padding does not create a step.
//! * 64 Hz passes through.

use eimfs_signal::resample::firwin_kaiser;
use eimfs_signal::{ResampleStream, Resampler};

/// The analysis rate, Hz.
pub const ANALYSIS_FS: f64 = 64.0;
/// Samples per one-second block at the analysis rate.
pub const BLOCK: usize = 64;

/// Kaiser β for about 80 dB of stop-band attenuation (Kaiser's formula 0.1102·(A − 8.7)).
pub const KAISER_BETA: f64 = 7.857;

/// A streaming decimator by an integer factor `M` with a linear-phase FIR anti-alias filter.
///
/// ```
/// use eimfs_detect::decimate::FirDecimator;
/// let mut d = FirDecimator::new(4);
/// let x = vec![3.0f32; 1000];
/// let mut y = Vec::new();
/// d.push(&x[..500], &mut y);
/// d.push(&x[500..], &mut y);
/// d.finish(&mut y);
/// assert_eq!(y.len(), 250);
/// assert!(y.iter().all(|v| (v - 3.0).abs() < 1e-4));
/// ```
#[derive(Clone, Debug)]
pub struct FirDecimator {
    m: usize,
    half: usize,
    taps: Vec<f32>,
    /// Input samples from virtual index `base` on (negative indices are the edge padding).
    buf: Vec<f32>,
    base: i64,
    received: usize,
    next: usize,
    started: bool,
    /// Scratch: start of each output's span in `buf`.
    starts: Vec<usize>,
}

impl FirDecimator {
    /// A decimator by `m` (≥ 1; 1 passes samples through).
    pub fn new(m: usize) -> FirDecimator {
        let m = m.max(1);
        let half = 10 * m;
        let taps = if m == 1 {
            vec![1.0]
        } else {
            firwin_kaiser(2 * half + 1, 1.0 / m as f64, KAISER_BETA)
                .expect("cut-off 1/m is in (0, 1) for m >= 2")
                .into_iter()
                .map(|v| v as f32)
                .collect()
        };
        let half = if m == 1 { 0 } else { half };
        FirDecimator { m, half, taps, buf: Vec::new(), base: 0, received: 0, next: 0, started: false, starts: Vec::new() }
    }

    /// The decimation factor.
    pub fn factor(&self) -> usize {
        self.m
    }

    /// The filter taps (`20·M + 1`, unit gain at DC).
    pub fn taps(&self) -> &[f32] {
        &self.taps
    }

    /// Input samples received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// Output samples produced so far.
    pub fn produced(&self) -> usize {
        self.next
    }

    /// Feed input samples; appends every output sample that is now complete.
    pub fn push(&mut self, x: &[f32], out: &mut Vec<f32>) {
        if x.is_empty() {
            return;
        }
        if self.m == 1 {
            out.extend_from_slice(x);
            self.received += x.len();
            self.next += x.len();
            return;
        }
        if !self.started {
            self.started = true;
            self.buf.clear();
            self.buf.resize(self.half, x[0]);
            self.base = -(self.half as i64);
        }
        self.buf.extend_from_slice(x);
        self.received += x.len();
        self.run(out);
    }

    /// Compute the outputs whose input span is available, then drop consumed input.
    fn run(&mut self, out: &mut Vec<f32>) {
        let avail_end = self.base + self.buf.len() as i64; // one past the last virtual index held
        let n_taps = self.taps.len() as i64;
        // Output `next + j` needs inputs [first + j·M, first + j·M + n_taps): every `j` up to
        // (avail_end − n_taps − first) / M is complete.
        let first = (self.next * self.m) as i64 - self.half as i64;
        if first + n_taps <= avail_end {
            let count = ((avail_end - n_taps - first) / self.m as i64) as usize + 1;
            let s0 = (first - self.base) as usize;
            let mut starts = std::mem::take(&mut self.starts);
            starts.clear();
            starts.extend((0..count).map(|j| s0 + j * self.m));
            out.reserve(count);
            dot_many(&self.taps, &self.buf, &starts, out);
            self.starts = starts;
            self.next += count;
        }
        let keep_from = (self.next * self.m) as i64 - self.half as i64;
        if keep_from > self.base {
            let drop = ((keep_from - self.base) as usize).min(self.buf.len());
            self.buf.drain(..drop);
            self.base += drop as i64;
        }
    }

    /// End of input: appends the remaining outputs (the signal is extended with its last
    /// value), up to `ceil(received / M)` samples in all.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if self.m == 1 || !self.started {
            return;
        }
        let total = self.received.div_ceil(self.m);
        let last = *self.buf.last().expect("started decimator holds samples");
        let need_end = (total.saturating_sub(1) * self.m + self.half + 1) as i64;
        let have_end = self.base + self.buf.len() as i64;
        if need_end > have_end {
            self.buf.resize(self.buf.len() + (need_end - have_end) as usize, last);
        }
        self.run(out);
        self.next = total;
    }
}

/// `out.push(Σ taps[k]·buf[s + k])` for every start `s`.
fn dot_many(taps: &[f32], buf: &[f32], starts: &[usize], out: &mut Vec<f32>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { dot_many_avx2(taps, buf, starts, out) };
            return;
        }
    }
    for &s in starts {
        out.push(dot(taps, &buf[s..s + taps.len()]));
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_many_avx2(taps: &[f32], buf: &[f32], starts: &[usize], out: &mut Vec<f32>) {
    let n_taps = taps.len();
    let mut quads = starts.chunks_exact(4);
    out.reserve(starts.len());
    if n_taps >= 16 {
        for q in &mut quads {
            let s = [q[0], q[1], q[2], q[3]];
            assert!(s.iter().all(|&v| v + n_taps <= buf.len()));
            // SAFETY: the CPU supports the features (this function's own); the spans are in `buf`.
            let r = unsafe { dot4_fma(taps, buf, s) };
            out.extend_from_slice(&r);
        }
    }
    let rest = if n_taps >= 16 { quads.remainder() } else { starts };
    for &s in rest {
        out.push(dot_fma(taps, &buf[s..s + taps.len()]));
    }
}

/// [`dot_fma`] for four outputs at once, bit-identical: each output keeps its own two 8-lane
/// accumulators (`dot_fma`'s 16, filled by the same fused multiply-adds in the same order), the
/// remainder taps go into its own scalar sum, and the final reduction
/// `s + (h0 + h4) + (h1 + h5) + (h2 + h6) + (h3 + h7)` is done for the four outputs side by side
/// after a transpose. Four independent chains hide the latency that a single dot product waits
/// on.
///
/// # Safety
/// The CPU must support AVX2 and FMA, and `s[q] + taps.len() <= buf.len()` for every `q`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot4_fma(taps: &[f32], buf: &[f32], s: [usize; 4]) -> [f32; 4] {
    use std::arch::x86_64::*;
    let n_taps = taps.len();
    let chunks = n_taps / 16;
    let t = taps.as_ptr();
    let b = buf.as_ptr();
    let z = _mm256_setzero_ps();
    let (mut l0, mut l1, mut l2, mut l3) = (z, z, z, z);
    let (mut h0, mut h1, mut h2, mut h3) = (z, z, z, z);
    for c in 0..chunks {
        let o = c * 16;
        // SAFETY: `o + 16 <= n_taps` and every span `s[q]..s[q] + n_taps` lies in `buf`.
        unsafe {
            let tl = _mm256_loadu_ps(t.add(o));
            let th = _mm256_loadu_ps(t.add(o + 8));
            l0 = _mm256_fmadd_ps(tl, _mm256_loadu_ps(b.add(s[0] + o)), l0);
            h0 = _mm256_fmadd_ps(th, _mm256_loadu_ps(b.add(s[0] + o + 8)), h0);
            l1 = _mm256_fmadd_ps(tl, _mm256_loadu_ps(b.add(s[1] + o)), l1);
            h1 = _mm256_fmadd_ps(th, _mm256_loadu_ps(b.add(s[1] + o + 8)), h1);
            l2 = _mm256_fmadd_ps(tl, _mm256_loadu_ps(b.add(s[2] + o)), l2);
            h2 = _mm256_fmadd_ps(th, _mm256_loadu_ps(b.add(s[2] + o + 8)), h2);
            l3 = _mm256_fmadd_ps(tl, _mm256_loadu_ps(b.add(s[3] + o)), l3);
            h3 = _mm256_fmadd_ps(th, _mm256_loadu_ps(b.add(s[3] + o + 8)), h3);
        }
    }
    // Remainder taps, in order, per output.
    let mut rs = [0f32; 4];
    for (q, r) in rs.iter_mut().enumerate() {
        for j in chunks * 16..n_taps {
            *r = taps[j].mul_add(buf[s[q] + j], *r);
        }
    }
    // h = acc[i] + acc[i + 8]; p = [h0 + h4, h1 + h5, h2 + h6, h3 + h7].
    macro_rules! pair {
        ($l:expr, $h:expr) => {{
            let v = _mm256_add_ps($l, $h);
            _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v))
        }};
    }
    let (p0, p1, p2, p3) = (pair!(l0, h0), pair!(l1, h1), pair!(l2, h2), pair!(l3, h3));
    // Transpose: column i holds lane i of the four outputs.
    let t0 = _mm_unpacklo_ps(p0, p1);
    let t1 = _mm_unpacklo_ps(p2, p3);
    let t2 = _mm_unpackhi_ps(p0, p1);
    let t3 = _mm_unpackhi_ps(p2, p3);
    let c0 = _mm_movelh_ps(t0, t1);
    let c1 = _mm_movehl_ps(t1, t0);
    let c2 = _mm_movelh_ps(t2, t3);
    let c3 = _mm_movehl_ps(t3, t2);
    // SAFETY: `rs` holds four floats.
    let mut r = unsafe { _mm_loadu_ps(rs.as_ptr()) };
    r = _mm_add_ps(r, c0);
    r = _mm_add_ps(r, c1);
    r = _mm_add_ps(r, c2);
    r = _mm_add_ps(r, c3);
    let mut res = [0f32; 4];
    // SAFETY: `res` holds four floats.
    unsafe { _mm_storeu_ps(res.as_mut_ptr(), r) };
    res
}

/// Dot product with 16 independent accumulators (vectorises without fast-math).
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 16];
    let mut ca = a.chunks_exact(16);
    let mut cb = b.chunks_exact(16);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    let mut h = [0f32; 8];
    for i in 0..8 {
        h[i] = acc[i] + acc[i + 8];
    }
    s + (h[0] + h[4]) + (h[1] + h[5]) + (h[2] + h[6]) + (h[3] + h[7])
}

#[inline(always)]
fn dot_fma(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 16];
    let mut ca = a.chunks_exact(16);
    let mut cb = b.chunks_exact(16);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..16 {
            acc[i] = x[i].mul_add(y[i], acc[i]);
        }
    }
    let mut s: f32 = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s = x.mul_add(*y, s);
    }
    let mut h = [0f32; 8];
    for i in 0..8 {
        h[i] = acc[i] + acc[i + 8];
    }
    s + (h[0] + h[4]) + (h[1] + h[5]) + (h[2] + h[6]) + (h[3] + h[7])
}

/// One channel's path to the analysis rate.
#[derive(Clone, Debug)]
pub enum RateConverter {
    /// Integer decimation (including 1: pass-through).
    Fir(FirDecimator),
    /// Rational resampling; `offset` (the first sample) is subtracted before and added after.
    Poly {
        /// The streaming resampler.
        stream: Box<ResampleStream>,
        /// The first input sample, subtracted so zero padding does not create a step.
        offset: Option<f32>,
    },
}

impl RateConverter {
    /// A converter from `fs` Hz to [`ANALYSIS_FS`]. Fails (with the reason) for rates below
    /// 32 Hz or rates that are not a ratio of integers.
    pub fn new(fs: f64) -> Result<RateConverter, String> {
        if !(fs.is_finite() && fs >= 32.0) {
            return Err(format!("the detector needs at least 32 Hz (it analyses 0.5-25 Hz at {ANALYSIS_FS} Hz)"));
        }
        let ratio = fs / ANALYSIS_FS;
        if (ratio - ratio.round()).abs() < 1e-9 && ratio.round() >= 1.0 {
            return Ok(RateConverter::Fir(FirDecimator::new(ratio.round() as usize)));
        }
        let r = Resampler::from_rates(fs, ANALYSIS_FS).map_err(|e| e.to_string())?;
        Ok(RateConverter::Poly { stream: Box::new(r.stream()), offset: None })
    }

    /// Feed input samples, append complete outputs.
    pub fn push(&mut self, x: &[f32], out: &mut Vec<f32>) {
        match self {
            RateConverter::Fir(d) => d.push(x, out),
            RateConverter::Poly { stream, offset } => {
                if x.is_empty() {
                    return;
                }
                let o = *offset.get_or_insert(x[0]);
                let shifted: Vec<f32> = x.iter().map(|v| v - o).collect();
                let start = out.len();
                stream.push(&shifted, out);
                out[start..].iter_mut().for_each(|v| *v += o);
            }
        }
    }

    /// End of input: append the remaining outputs.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        match self {
            RateConverter::Fir(d) => d.finish(out),
            RateConverter::Poly { stream, offset } => {
                let o = offset.unwrap_or(0.0);
                let start = out.len();
                stream.finish(out);
                out[start..].iter_mut().for_each(|v| *v += o);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectorised_outputs_equal_the_scalar_dot_products() {
        // Eight outputs per AVX lane group must equal `dot_fma` bit for bit (any factor, any
        // number of outputs, including a tail of fewer than eight).
        #[cfg(target_arch = "x86_64")]
        {
            if !(std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")) {
                return;
            }
            let mut state = 7u64;
            let buf: Vec<f32> = (0..5000)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 300.0
                })
                .collect();
            for m in [2usize, 3, 4, 8, 16] {
                let d = FirDecimator::new(m);
                let taps = d.taps();
                for (s0, n) in [(0usize, 8usize), (5, 37), (11, 200)] {
                    let starts: Vec<usize> = (0..n).map(|q| s0 + q * m).filter(|&s| s + taps.len() <= buf.len()).collect();
                    let mut got = Vec::new();
                    // SAFETY: the features were detected above.
                    unsafe { dot_many_avx2(taps, &buf, &starts, &mut got) };
                    let want: Vec<f32> = starts.iter().map(|&s| dot_fma(taps, &buf[s..s + taps.len()])).collect();
                    assert_eq!(got.len(), starts.len());
                    for (g, w) in got.iter().zip(&want) {
                        assert_eq!(g.to_bits(), w.to_bits(), "m {m} s0 {s0}");
                    }
                }
            }
        }
    }

    /// Gain of a FIR at frequency `f` (Hz) for sampling rate `fs`.
    fn gain(taps: &[f32], f: f64, fs: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * f / fs;
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &h) in taps.iter().enumerate() {
            re += h as f64 * (w * k as f64).cos();
            im -= h as f64 * (w * k as f64).sin();
        }
        (re * re + im * im).sqrt()
    }

    #[test]
    fn anti_alias_filter_response() {
        let d = FirDecimator::new(4);
        assert_eq!(d.taps().len(), 81);
        let db = |f: f64| 20.0 * gain(d.taps(), f, 256.0).log10();
        // Pass band flat to 24 Hz, stop band below -75 dB from 40 Hz (mains at 50/60 Hz).
        for f in [0.5, 5.0, 10.0, 20.0, 24.0] {
            assert!(db(f).abs() < 0.1, "{f} Hz: {} dB", db(f));
        }
        for f in [40.0, 45.0, 50.0, 60.0, 100.0, 127.0] {
            assert!(db(f) < -75.0, "{f} Hz: {} dB", db(f));
        }
        // Half power near the output Nyquist frequency.
        assert!((db(32.0) + 6.0).abs() < 1.0, "{}", db(32.0));
    }

    #[test]
    fn streaming_equals_whole_and_is_centred() {
        let fs = 256.0;
        let x: Vec<f32> = (0..5000).map(|i| (2.0 * std::f32::consts::PI * 7.0 * i as f32 / fs).sin() * 50.0 + 3.0).collect();
        let mut whole = Vec::new();
        let mut d = FirDecimator::new(4);
        d.push(&x, &mut whole);
        d.finish(&mut whole);
        assert_eq!(whole.len(), 1250);
        let mut chunked = Vec::new();
        let mut d = FirDecimator::new(4);
        for c in x.chunks(77) {
            d.push(c, &mut chunked);
        }
        d.finish(&mut chunked);
        assert_eq!(chunked, whole);
        // A 7 Hz sine is passed unchanged and without delay (output n at input 4n).
        for n in 100..1150 {
            assert!((whole[n] - x[4 * n]).abs() < 0.05, "n {n}: {} vs {}", whole[n], x[4 * n]);
        }
    }

    #[test]
    fn mains_does_not_alias() {
        let fs = 512.0;
        let x: Vec<f32> =
            (0..(fs as usize * 10)).map(|i| 1000.0 * (2.0 * std::f32::consts::PI * 50.0 * i as f32 / fs as f32).sin()).collect();
        let mut conv = RateConverter::new(fs).unwrap();
        let mut y = Vec::new();
        conv.push(&x, &mut y);
        conv.finish(&mut y);
        assert_eq!(y.len(), 640);
        let rms = (y[64..576].iter().map(|v| v * v).sum::<f32>() / 512.0).sqrt();
        // 1 mV of 50 Hz mains leaves well under 0.3 µV (-80 dB) at 64 Hz.
        assert!(rms < 0.3, "rms {rms}");
    }

    #[test]
    fn rational_rates_use_the_polyphase_resampler() {
        for fs in [200.0, 250.0, 500.0] {
            let n = (fs * 8.0) as usize;
            let x: Vec<f32> = (0..n).map(|i| 40.0 * (2.0 * std::f32::consts::PI * 5.0 * i as f32 / fs as f32).cos() + 100.0).collect();
            let mut conv = RateConverter::new(fs).unwrap();
            assert!(matches!(conv, RateConverter::Poly { .. }));
            let mut y = Vec::new();
            for c in x.chunks(333) {
                conv.push(c, &mut y);
            }
            conv.finish(&mut y);
            assert_eq!(y.len(), 512, "{fs}");
            // Same 5 Hz cosine on the 64 Hz grid, offset kept, edges free of steps.
            for (k, v) in y.iter().enumerate().take(500).skip(12) {
                let want = 40.0 * (2.0 * std::f32::consts::PI * 5.0 * k as f32 / 64.0).cos() + 100.0;
                assert!((v - want).abs() < 0.5, "{fs} Hz sample {k}: {v} vs {want}");
            }
        }
        assert!(RateConverter::new(20.0).is_err());
        assert!(matches!(RateConverter::new(64.0).unwrap(), RateConverter::Fir(ref d) if d.factor() == 1));
    }
}
