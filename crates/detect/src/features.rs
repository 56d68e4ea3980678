//! Per-channel features: one-second block statistics, spectra shared by every window that
//! contains them, 8-second window features, the channel's own running background and
//! cross-channel context.
//!
//! **Blocks.** Each derivation is cut into one-second blocks of [`BLOCK`] = 64 samples at the
//! analysis rate. Per block the time-domain sums (mean, variance, line length, Teager–Kaiser
//! energy, first- and second-difference energy) and one power spectrum are computed: a 2-s
//! segment (the previous and the current block, 128 samples, 0.5 Hz resolution), mean removed,
//! periodic Hann window, density scaling — one FFT per second per channel.
//!
//! **Windows.** The features of second `s` describe the 8-s window `[s − 4, s + 4)` (clipped to
//! the recording): time-domain features from its 8 blocks, the spectrum as the mean of the 7
//! half-overlapping 2-s segments inside it — exactly Welch's estimate with `nperseg = 128`,
//! `noverlap = 64` over the window (as `scipy.signal.welch(x, 64, nperseg=128)`), but each
//! segment's FFT is computed once and reused by the 7 windows that contain it.
//!
//! **Background.** Amplitude features in µV generalise poorly across infants, ages, montages and
//! amplifiers; the same features relative to the channel's own background do. For each feature of
//! [`BACKGROUND_FEATURES`] the median of every minute is kept; the background of second `s` is the
//! 25th percentile of the medians of the minutes from 10 minutes before to 4 minutes after
//! (robust to seizures filling up to ¾ of those minutes). When that span holds fewer than
//! [`BG_MIN_MINUTES`] minutes of data (a recording shorter than 3 minutes) there is no
//! background to compare with: the background-relative features are then **missing** (NaN) and
//! the classifier takes its trained missing-value branch, which decides on the scale-free
//! features alone, rather than reading "no change from background" (a 30-s clip that is seizure
//! throughout is its own median).
//!
//! **Context.** A seizure is focal at onset; artefacts from movement hit all channels at once.
//! Three features compare a channel with the others at the same second, and one
//! (`neighbour_anticorrelation`, [`crate::neighbours`]) with its neighbours on the scalp over the
//! window: an electrode that comes off carries noise its neighbours do not.
//!
//! The list and order of features is [`FEATURE_NAMES`]; a model file names the features it was
//! trained on and is refused if they differ.

use std::collections::VecDeque;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

pub use crate::decimate::{ANALYSIS_FS, BLOCK};

/// Samples of a spectral segment (2 s).
pub const SEG: usize = 2 * BLOCK;
/// Frequency bins of a segment spectrum (0 to 32 Hz in 0.5 Hz steps).
pub const NBINS: usize = SEG / 2 + 1;
/// Bins kept per block (0 to 25.5 Hz; the anti-alias filter leaves nothing useful above).
pub const NSPEC: usize = 52;
/// Bin width, Hz.
pub const DF: f32 = ANALYSIS_FS as f32 / SEG as f32;
/// Blocks per window (8 s).
pub const WINDOW: usize = 8;
/// Blocks before second `s` in its window (`[s − 4, s + 4)`).
pub const WINDOW_BEFORE: usize = 4;
/// Blocks after second `s` needed to complete its window (blocks `s..s + 4`).
pub const WINDOW_AFTER: usize = WINDOW - WINDOW_BEFORE;

/// First and last bin (inclusive) of the analysed band 0.5–24.5 Hz.
pub const BAND_BINS: (usize, usize) = (1, 49);
/// Frequency bands (inclusive bin ranges): delta 0.5–<4, theta 4–<8, alpha 8–<13, beta 13–24.5 Hz.
pub const BANDS: [(usize, usize); 4] = [(1, 7), (8, 15), (16, 25), (26, 49)];

/// Names of the features, in the order of a feature row.
pub const FEATURE_NAMES: [&str; 34] = [
    "log_rms",
    "log_line_length",
    "log_teager",
    "log_delta",
    "log_theta",
    "log_alpha",
    "log_beta",
    "rel_delta",
    "rel_theta",
    "rel_alpha",
    "rel_beta",
    "spectral_edge_90",
    "peak_frequency",
    "spectral_entropy",
    "peak_concentration",
    "peak_stability",
    "hjorth_mobility",
    "hjorth_complexity",
    "log_hf_ratio",
    "log_pop",
    "spectral_slope",
    "peak_prominence",
    "prominent_frequency",
    "acf_peak",
    "bg_line_length",
    "bg_rms",
    "bg_delta",
    "bg_theta",
    "bg_alpha",
    "bg_beta",
    "ctx_line_length",
    "ctx_bg_median",
    "ctx_fraction_elevated",
    "neighbour_anticorrelation",
];

/// Number of features.
pub const NF: usize = FEATURE_NAMES.len();
/// Index of `neighbour_anticorrelation` ([`crate::neighbours`]) in a feature row.
pub const NEIGHBOUR_ANTICORRELATION: usize = NRAW + NBG + 3;
/// Number of window features computed per channel alone (before background and context).
pub const NRAW: usize = 24;
/// Indices (into the raw features) of the features also expressed relative to the background.
pub const BACKGROUND_FEATURES: [usize; 6] = [1, 0, 3, 4, 5, 6];
/// Number of background features.
pub const NBG: usize = BACKGROUND_FEATURES.len();
/// Minutes before the current one in the background span.
pub const BG_MINUTES_BEFORE: usize = 10;
/// Minutes after the current one in the background span.
pub const BG_MINUTES_AFTER: usize = 4;
/// Quantile of the minute medians taken as background.
pub const BG_QUANTILE: f32 = 0.25;
/// Fewest minutes with data in a second's background span for the background-relative features
/// to be computed; with fewer they are missing (NaN).
pub const BG_MIN_MINUTES: usize = 3;
/// A channel whose RMS in a window is below this (µV) is flat there (disconnected, saturated or
/// switched off): it gets no probability.
pub const FLAT_RMS_UV: f32 = 0.1;
/// `log10(2)`: a background-relative feature above this is "elevated" (doubled).
pub const ELEVATED: f32 = std::f32::consts::LOG10_2;

const EPS_POWER: f32 = 1e-3;

/// Full-rate statistics of one input channel over one second (before decimation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FullRateStats {
    /// Mean squared first difference at the input rate, times `fs²` (µV²/s²).
    pub diff_power: f32,
    /// Largest absolute first difference at the input rate, times `fs` (µV/s).
    pub max_slope: f32,
}

/// Accumulates [`FullRateStats`] per second of one input channel.
#[derive(Clone, Debug)]
pub struct FullRateAccumulator {
    fs: f64,
    /// Samples consumed since the run start.
    pos: usize,
    last: Option<f32>,
    sum: f64,
    count: usize,
    max: f32,
    second: usize,
    /// Completed seconds not yet taken.
    pub done: VecDeque<FullRateStats>,
}

impl FullRateAccumulator {
    /// An accumulator for a channel sampled at `fs` Hz.
    pub fn new(fs: f64) -> Self {
        FullRateAccumulator { fs, pos: 0, last: None, sum: 0.0, count: 0, max: 0.0, second: 0, done: VecDeque::new() }
    }

    fn boundary(&self, second: usize) -> usize {
        ((second as f64 + 1.0) * self.fs).round() as usize
    }

    fn close(&mut self) {
        let fs = self.fs as f32;
        let mean = if self.count > 0 { (self.sum / self.count as f64) as f32 } else { 0.0 };
        self.done.push_back(FullRateStats { diff_power: mean * fs * fs, max_slope: self.max * fs });
        self.sum = 0.0;
        self.count = 0;
        self.max = 0.0;
        self.second += 1;
    }

    /// Feed samples.
    pub fn push(&mut self, x: &[f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports the feature the function is compiled for.
                return unsafe { self.push_avx2(x) };
            }
        }
        self.push_impl(x)
    }

    /// [`FullRateAccumulator::push`] compiled for AVX2 (wider vectors only, no fused operations:
    /// the same results as the baseline build).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn push_avx2(&mut self, x: &[f32]) {
        self.push_impl(x)
    }

    #[inline(always)]
    fn push_impl(&mut self, x: &[f32]) {
        let mut i = 0;
        while i < x.len() {
            let end_abs = self.boundary(self.second);
            let take = (end_abs - self.pos).min(x.len() - i);
            let seg = &x[i..i + take];
            if let Some(&first) = seg.first() {
                if let Some(l) = self.last {
                    let d = first - l;
                    self.sum += (d * d) as f64;
                    self.max = self.max.max(d.abs());
                    self.count += 1;
                }
                let (s, m) = diff_stats(seg);
                self.sum += s as f64;
                self.max = self.max.max(m);
                self.count += seg.len() - 1;
                self.last = seg.last().copied();
            }
            i += take;
            self.pos += take;
            if self.pos == end_abs {
                self.close();
            }
        }
    }

    /// End of the run: close a partial last second if it holds at least half a second.
    pub fn finish(&mut self) {
        let start = (self.second as f64 * self.fs).round() as usize;
        if self.pos > start && (self.pos - start) as f64 >= 0.5 * self.fs {
            self.close();
        }
    }
}

/// Sum of squared first differences and largest absolute first difference within `x`.
#[inline(always)]
fn diff_stats(x: &[f32]) -> (f32, f32) {
    if x.len() < 2 {
        return (0.0, 0.0);
    }
    let mut s = [0f32; 8];
    let mut m = [0f32; 8];
    let a = &x[..x.len() - 1];
    let b = &x[1..];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (p, q) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            let d = q[i] - p[i];
            s[i] += d * d;
            m[i] = m[i].max(d.abs());
        }
    }
    let mut ss: f32 = s.iter().sum();
    let mut mm = m.iter().copied().fold(0.0, f32::max);
    for (p, q) in ca.remainder().iter().zip(cb.remainder()) {
        let d = q - p;
        ss += d * d;
        mm = mm.max(d.abs());
    }
    (ss, mm)
}

/// Sum with 8 accumulators (vectorises).
#[inline(always)]
fn sum8(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut c = x.chunks_exact(8);
    for v in &mut c {
        for i in 0..8 {
            acc[i] += v[i];
        }
    }
    acc.iter().sum::<f32>() + c.remainder().iter().sum::<f32>()
}

/// Σ (x − m)² with 8 accumulators.
#[inline(always)]
fn sq_dev8(x: &[f32], m: f32) -> f32 {
    let mut acc = [0f32; 8];
    let mut c = x.chunks_exact(8);
    for v in &mut c {
        for i in 0..8 {
            acc[i] += (v[i] - m) * (v[i] - m);
        }
    }
    acc.iter().sum::<f32>() + c.remainder().iter().map(|v| (v - m) * (v - m)).sum::<f32>()
}

/// (Σ |Δx|, Σ Δx²) over consecutive samples.
#[inline(always)]
fn diff_sums8(x: &[f32]) -> (f32, f32) {
    let m = x.len().saturating_sub(1);
    let (a, b) = (&x[..m], &x[1..]);
    let mut l = [0f32; 8];
    let mut q = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (p, r) in (&mut ca).zip(&mut cb) {
        for i in 0..8 {
            let d = r[i] - p[i];
            l[i] += d.abs();
            q[i] += d * d;
        }
    }
    let (mut ls, mut qs): (f32, f32) = (l.iter().sum(), q.iter().sum());
    for (p, r) in ca.remainder().iter().zip(cb.remainder()) {
        let d = r - p;
        ls += d.abs();
        qs += d * d;
    }
    (ls, qs)
}

/// (Σ (Δ²x)², Σ Teager–Kaiser energy of the mean-removed samples) over samples with both
/// neighbours. The Teager–Kaiser operator is not shift-invariant, hence the mean removal.
#[inline(always)]
fn second_sums8(x: &[f32], mean: f32) -> (f32, f32) {
    let m = x.len().saturating_sub(2);
    let (a, b, c) = (&x[..m], &x[1..m + 1], &x[2..m + 2]);
    let mut d2 = [0f32; 8];
    let mut te = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    let mut cc = c.chunks_exact(8);
    for ((p, q), r) in (&mut ca).zip(&mut cb).zip(&mut cc) {
        for i in 0..8 {
            let dd = r[i] - 2.0 * q[i] + p[i];
            d2[i] += dd * dd;
            let (u, v, w) = (p[i] - mean, q[i] - mean, r[i] - mean);
            te[i] += v * v - u * w;
        }
    }
    let (mut ds, mut ts): (f32, f32) = (d2.iter().sum(), te.iter().sum());
    for ((p, q), r) in ca.remainder().iter().zip(cb.remainder()).zip(cc.remainder()) {
        let dd = r - 2.0 * q + p;
        ds += dd * dd;
        let (u, v, w) = (p - mean, q - mean, r - mean);
        ts += v * v - u * w;
    }
    (ds, ts)
}

/// Statistics of one derivation over one second.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockStats {
    /// Mean, µV.
    pub mean: f32,
    /// Variance about the block mean, µV².
    pub var: f32,
    /// Line length: sum of absolute differences over one second (63 or 64 differences, scaled
    /// to 64), µV.
    pub ll: f32,
    /// Mean Teager–Kaiser energy `x[n]² − x[n−1]·x[n+1]`, µV².
    pub teager: f32,
    /// Mean squared first difference, µV².
    pub d1: f32,
    /// Mean squared second difference, µV².
    pub d2: f32,
    /// Spectrum of the 2-s segment ending with this block (µV²/Hz, one-sided, density), bins 0 to
    /// [`NSPEC`] − 1; meaningful only when `has_psd`.
    pub psd: [f32; NSPEC],
    /// False for the first block of a run (no previous block to make a segment with).
    pub has_psd: bool,
    /// Bin of the spectral peak within 0.5–24.5 Hz (0 without spectrum).
    pub peak_bin: u8,
    /// High-frequency excess: `log10` of the full-rate first-difference power over the 64 Hz one
    /// (≈ 0 for activity below 25 Hz; muscle, mains and pops raise it). Max over the inputs.
    pub hf: f32,
    /// `log10` of the largest full-rate slope over the RMS slope (pops and steps raise it).
    pub pop: f32,
    /// True when the derivation has no signal in this second (an input is flat); set by the
    /// caller.
    pub flat: bool,
}

/// Spectral estimator state: FFT plan, window and buffers.
pub struct Spectral {
    fft: Arc<dyn RealToComplex<f32>>,
    window: [f32; SEG],
    scale: f32,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    ifft: Arc<dyn ComplexToReal<f32>>,
    acf_in: Vec<Complex<f32>>,
    acf_out: Vec<f32>,
    acf_scratch: Vec<Complex<f32>>,
}

impl std::fmt::Debug for Spectral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spectral").finish_non_exhaustive()
    }
}

impl Clone for Spectral {
    fn clone(&self) -> Self {
        Spectral::new()
    }
}

impl Default for Spectral {
    fn default() -> Self {
        Spectral::new()
    }
}

impl Spectral {
    /// A 128-point (2 s at 64 Hz) periodic-Hann density-scaled periodogram.
    pub fn new() -> Spectral {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(SEG);
        let mut window = [0f32; SEG];
        let mut wss = 0.0f64;
        for (i, w) in window.iter_mut().enumerate() {
            let v = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / SEG as f64).cos();
            *w = v as f32;
            wss += v * v;
        }
        let scale = (1.0 / (ANALYSIS_FS * wss)) as f32;
        let input = fft.make_input_vec();
        let output = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        let ifft = RealFftPlanner::<f32>::new().plan_fft_inverse(SEG);
        let acf_in = ifft.make_input_vec();
        let acf_out = ifft.make_output_vec();
        let acf_scratch = ifft.make_scratch_vec();
        Spectral { fft, window, scale, input, output, scratch, ifft, acf_in, acf_out, acf_scratch }
    }

    /// Periodicity of a window from its spectrum: the autocorrelation is the inverse transform
    /// of the power spectrum (Wiener–Khinchin); with the bins up to 0.5 Hz removed (drift) it is
    /// normalised at lag 0, and the result is its largest value after its first zero crossing,
    /// over lags up to 1 s (0 when it does not cross zero by then). Rhythmic activity gives a
    /// high second peak at its period; broadband background does not.
    pub fn acf_peak(&mut self, psd: &[f32]) -> f32 {
        for (k, c) in self.acf_in.iter_mut().enumerate() {
            let v = if (ACF_FIRST_BIN..psd.len()).contains(&k) { psd[k] } else { 0.0 };
            *c = Complex::new(v, 0.0);
        }
        if self.ifft.process_with_scratch(&mut self.acf_in, &mut self.acf_out, &mut self.acf_scratch).is_err() {
            return 0.0;
        }
        let r0 = self.acf_out[0];
        if r0 <= 0.0 {
            return 0.0;
        }
        let max_lag = BLOCK; // 1 s
        let Some(zero) = (1..=max_lag).find(|&t| self.acf_out[t] <= 0.0) else {
            return 0.0;
        };
        self.acf_out[zero..=max_lag].iter().copied().fold(0.0, f32::max) / r0
    }

    /// Density-scaled one-sided periodogram of `a ++ b` (64 + 64 samples), mean removed,
    /// periodic Hann window (as one segment of `scipy.signal.welch`), bins 0 to `out.len() − 1`.
    #[inline]
    pub fn periodogram(&mut self, a: &[f32], b: &[f32], out: &mut [f32]) {
        let mean = (sum8(a) + sum8(b)) / SEG as f32;
        let (w1, w2) = self.window.split_at(a.len());
        let (i1, i2) = self.input.split_at_mut(a.len());
        for ((d, &x), &w) in i1.iter_mut().zip(a).zip(w1) {
            *d = (x - mean) * w;
        }
        for ((d, &x), &w) in i2.iter_mut().zip(b).zip(w2) {
            *d = (x - mean) * w;
        }
        self.fft.process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch).expect("buffers made by the plan");
        for (k, (c, p)) in self.output.iter().zip(out.iter_mut()).enumerate() {
            let mut v = (c.re * c.re + c.im * c.im) * self.scale;
            if k != 0 && k != NBINS - 1 {
                v *= 2.0;
            }
            *p = v;
        }
    }
}

/// Peak bin of a spectrum within the analysed band: the first bin holding the largest value
/// (bins that are NaN never win, unless the first one is NaN). Inlined into its callers, which
/// are built for AVX2.
#[inline(always)]
fn peak_bin(psd: &[f32]) -> usize {
    let (lo, hi) = BAND_BINS;
    let band = &psd[lo..=hi];
    // The maximum in eight independent lanes (vectorised), then its first position: the same bin
    // as the running strict maximum below when no bin is NaN.
    let mut top = [f32::NEG_INFINITY; 8];
    let mut nan = [false; 8];
    let mut ch = band.chunks_exact(8);
    for c in &mut ch {
        for i in 0..8 {
            top[i] = top[i].max(c[i]);
            nan[i] |= c[i].is_nan();
        }
    }
    let mut t = top.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut any_nan = nan.iter().any(|&n| n);
    for &v in ch.remainder() {
        t = t.max(v);
        any_nan |= v.is_nan();
    }
    if !any_nan && let Some(i) = band.iter().position(|&v| v == t) {
        return lo + i;
    }
    let mut best = lo;
    for k in lo..=hi {
        if psd[k] > psd[best] {
            best = k;
        }
    }
    best
}

impl BlockStats {
    /// Statistics of block `cur` (64 samples) given the previous block of the run, if any, and the
    /// full-rate features.
    pub fn compute(prev: Option<&[f32]>, cur: &[f32], spectral: &mut Spectral, hf: f32, pop: f32) -> BlockStats {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports the feature the function is compiled for.
                return unsafe { Self::compute_avx2(prev, cur, spectral, hf, pop) };
            }
        }
        Self::compute_impl(prev, cur, spectral, hf, pop)
    }

    /// [`BlockStats::compute`] compiled for AVX2 (wider vectors only, no fused operations: the
    /// same results as the baseline build).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn compute_avx2(prev: Option<&[f32]>, cur: &[f32], spectral: &mut Spectral, hf: f32, pop: f32) -> BlockStats {
        Self::compute_impl(prev, cur, spectral, hf, pop)
    }

    #[inline(always)]
    fn compute_impl(prev: Option<&[f32]>, cur: &[f32], spectral: &mut Spectral, hf: f32, pop: f32) -> BlockStats {
        let n = cur.len();
        let mean = sum8(cur) / n as f32;
        let var = sq_dev8(cur, mean) / n as f32;
        // Samples with the last one of the previous block in front, when there is one: first
        // differences (line length, Hjorth), second differences and Teager–Kaiser energy then
        // include the block boundary.
        let mut ext = [0f32; BLOCK + 1];
        let x: &[f32] = match prev.and_then(|p| p.last().copied()) {
            Some(l) if n == BLOCK => {
                ext[0] = l;
                ext[1..].copy_from_slice(cur);
                &ext[..]
            }
            _ => cur,
        };
        let nd = x.len() - 1;
        let n2 = x.len() - 2;
        let (ll, d1) = diff_sums8(x);
        let (d2, te) = second_sums8(x, mean);
        let mut psd = [0f32; NSPEC];
        let has_psd = prev.is_some();
        if let Some(p) = prev {
            spectral.periodogram(p, cur, &mut psd);
        }
        let peak = if has_psd { peak_bin(&psd) } else { 0 } as u8;
        BlockStats {
            mean,
            var,
            ll: ll * n as f32 / nd.max(1) as f32,
            teager: te / n2.max(1) as f32,
            d1: d1 / nd.max(1) as f32,
            d2: d2 / n2.max(1) as f32,
            psd,
            has_psd,
            peak_bin: peak,
            hf,
            pop,
            flat: false,
        }
    }
}

/// First spectral bin used for the autocorrelation (1 Hz: drift and the 1/f rise removed).
pub const ACF_FIRST_BIN: usize = 2;
/// Bins searched for the most prominent spectral peak (1–20 Hz).
pub const PROMINENCE_BINS: (usize, usize) = (2, 40);

/// Window features of one channel from the blocks of its window, in time order. A block's
/// spectrum (the segment made of it and the block before) is used only when the block before is in
/// the window too, i.e. from the second block on: 8 blocks give Welch's 7 half-overlapping
/// segments.
pub fn window_features(blocks: &[&BlockStats], spectral: &mut Spectral) -> [f32; NRAW] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports the feature the function is compiled for.
            return unsafe { window_features_avx2(blocks, spectral) };
        }
    }
    window_features_impl(blocks, spectral)
}

/// [`window_features`] compiled for AVX2 (wider vectors only: no fused operations, so the
/// results are the same as the baseline build's).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn window_features_avx2(blocks: &[&BlockStats], spectral: &mut Spectral) -> [f32; NRAW] {
    window_features_impl(blocks, spectral)
}

#[inline(always)]
fn window_features_impl(blocks: &[&BlockStats], spectral: &mut Spectral) -> [f32; NRAW] {
    let nb = blocks.len().max(1) as f32;
    let var = blocks.iter().map(|b| b.var).sum::<f32>() / nb;
    let ll = blocks.iter().map(|b| b.ll).sum::<f32>() / nb;
    let te = blocks.iter().map(|b| b.teager).sum::<f32>() / nb;
    let d1 = blocks.iter().map(|b| b.d1).sum::<f32>() / nb;
    let d2 = blocks.iter().map(|b| b.d2).sum::<f32>() / nb;
    let hf = blocks.iter().map(|b| b.hf).sum::<f32>() / nb;
    let pop = blocks.iter().map(|b| b.pop).fold(f32::NEG_INFINITY, f32::max);

    // Welch: mean of the segment spectra fully inside the window.
    let mut psd = [0f32; NSPEC];
    let mut nseg = 0usize;
    let mut peaks = [0u8; WINDOW];
    for b in blocks.iter().skip(1) {
        if b.has_psd {
            for (a, v) in psd.iter_mut().zip(b.psd.iter()) {
                *a += v;
            }
            peaks[nseg.min(WINDOW - 1)] = b.peak_bin;
            nseg += 1;
        }
    }
    if nseg == 0 {
        // A window of a single block (never in practice: recordings are at least 10 s).
        if let Some(b) = blocks.first().filter(|b| b.has_psd) {
            psd.copy_from_slice(&b.psd);
            peaks[0] = b.peak_bin;
            nseg = 1;
        }
    }
    let peaks = &peaks[..nseg.min(WINDOW)];
    if nseg > 0 {
        let k = 1.0 / nseg as f32;
        psd.iter_mut().for_each(|v| *v *= k);
    }
    let band = |(lo, hi): (usize, usize)| psd[lo..=hi].iter().sum::<f32>() * DF;
    let (lo, hi) = BAND_BINS;
    let band_sum = psd[lo..=hi].iter().sum::<f32>();
    let total = band_sum * DF;
    let bp: [f32; 4] = [band(BANDS[0]), band(BANDS[1]), band(BANDS[2]), band(BANDS[3])];
    let tot = total.max(1e-12);
    // Spectral edge 90 %.
    let mut cum = 0.0f32;
    let mut sef = hi as f32 * DF;
    let edge = 0.9 * total;
    for (k, &v) in psd[lo..=hi].iter().enumerate() {
        cum += v * DF;
        if cum >= edge {
            sef = (lo + k) as f32 * DF;
            break;
        }
    }
    let pk = peak_bin(&psd);
    // Normalised spectral entropy −Σ p·ln p / ln(bins), p = v / V with V = Σ v over the band:
    // −Σ p ln p = ln V − (Σ v ln v) / V (branch-free, 8 lanes).
    let band_psd = &psd[lo..=hi];
    let vsum = band_sum.max(1e-30); // the same sum as `total`'s
    let mut acc = [0f32; 8];
    let mut ch = band_psd.chunks_exact(8);
    for c in &mut ch {
        for i in 0..8 {
            let v = c[i].max(1e-30);
            acc[i] += v * fast_ln(v);
        }
    }
    let mut vlnv: f32 = acc.iter().sum();
    for &v in ch.remainder() {
        let v = v.max(1e-30);
        vlnv += v * fast_ln(v);
    }
    let ent = ((fast_ln(vsum) - vlnv / vsum) / ((hi - lo + 1) as f32).ln()).max(0.0);
    let conc = (psd[pk - 1] + psd[pk] + psd[pk + 1]) * DF / tot;
    let stable = if peaks.is_empty() {
        0.0
    } else {
        peaks.iter().filter(|&&p| (p as i32 - pk as i32).abs() <= 2).count() as f32 / peaks.len() as f32
    };
    let mobility = if var > 0.0 { (d1 / var).sqrt() } else { 0.0 };
    let complexity = if d1 > 0.0 && mobility > 0.0 { (d2 / d1).sqrt() / mobility } else { 0.0 };
    // Aperiodic (1/f) fit: least-squares line of log10 power against log10 frequency over the
    // band; its slope, and the most prominent peak above it between 1 and 20 Hz (as FOOOF
    // separates periodic from aperiodic activity; Donoghue et al., Nat Neurosci 2020).
    let n_b = (hi - lo + 1) as f32;
    let lf: &[f32; NSPEC] = &LOG10_FREQ;
    // The logarithms first (independent, vectorised), then the sums in bin order.
    let mut ly = [0f32; NSPEC];
    for (y, &p) in ly[lo..hi + 1].iter_mut().zip(&psd[lo..hi + 1]) {
        *y = fast_ln(p.max(1e-12)) * std::f32::consts::LOG10_E;
    }
    let (sx, sxx) = *LOG10_FREQ_SUMS;
    let (mut sy, mut sxy) = (0f32, 0f32);
    for (&y, &x) in ly[lo..hi + 1].iter().zip(&lf[lo..hi + 1]) {
        sy += y;
        sxy += x * y;
    }
    let slope = (n_b * sxy - sx * sy) / (n_b * sxx - sx * sx);
    let icpt = (sy - slope * sx) / n_b;
    // The first bin with the largest residual above the fit (residuals computed independently,
    // then the maximum and its first position: the same bin as a running strict maximum).
    let (plo, phi) = PROMINENCE_BINS;
    let mut resid = [f32::NEG_INFINITY; NSPEC];
    for ((r, &y), &x) in resid[plo..phi + 1].iter_mut().zip(&ly[plo..phi + 1]).zip(&lf[plo..phi + 1]) {
        *r = y - (icpt + slope * x);
    }
    let top = resid[plo..phi + 1].iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (prom, prom_k) = match resid[plo..phi + 1].iter().position(|&r| r == top) {
        Some(i) if top > f32::NEG_INFINITY => (top, plo + i),
        _ => (f32::NEG_INFINITY, plo),
    };
    let acf = if nseg > 0 { spectral.acf_peak(&psd) } else { 0.0 };
    let lg = |v: f32| (v.max(0.0) + EPS_POWER).log10();
    [
        0.5 * lg(var),
        lg(ll),
        lg(te),
        lg(bp[0]),
        lg(bp[1]),
        lg(bp[2]),
        lg(bp[3]),
        bp[0] / tot,
        bp[1] / tot,
        bp[2] / tot,
        bp[3] / tot,
        sef,
        pk as f32 * DF,
        ent,
        conc,
        stable,
        mobility,
        complexity,
        hf,
        if pop.is_finite() { pop } else { 0.0 },
        slope,
        prom,
        prom_k as f32 * DF,
        acf,
    ]
}

/// `log10` of the bin frequencies (bin 0 unused).
static LOG10_FREQ: std::sync::LazyLock<[f32; NSPEC]> = std::sync::LazyLock::new(|| {
    let mut v = [0f32; NSPEC];
    for (k, x) in v.iter_mut().enumerate().skip(1) {
        *x = (k as f32 * DF).log10();
    }
    v
});

/// `(Σ x, Σ x²)` of [`LOG10_FREQ`] over [`BAND_BINS`], summed in bin order.
static LOG10_FREQ_SUMS: std::sync::LazyLock<(f32, f32)> = std::sync::LazyLock::new(|| {
    let (mut sx, mut sxx) = (0f32, 0f32);
    for k in BAND_BINS.0..=BAND_BINS.1 {
        let x = LOG10_FREQ[k];
        sx += x;
        sxx += x * x;
    }
    (sx, sxx)
});

/// Natural logarithm to about 2e-5 absolute error (exponent from the bits, mantissa by a
/// minimax-like polynomial on [1, 2)), for the spectral entropy of every window.
#[inline]
pub fn fast_ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // [1, 2)
    let t = m - 1.0;
    // ln(1 + t) on [0, 1): t times a least-squares degree-5 polynomial (max error 1.3e-5).
    let p = t * (0.999_981_8 + t * (-0.499_187_48 + t * (0.324_409_64 + t * (-0.208_664_41 + t * (0.100_281_59 + t * -0.023_687_06)))));
    p + e as f32 * std::f32::consts::LN_2
}

/// True when a window's RMS (feature 0, `log10 µV`) says the channel is flat.
pub fn is_flat(raw: &[f32; NRAW]) -> bool {
    raw[0] < FLAT_RMS_UV.log10()
}

/// Quantile of a small slice (linear interpolation, as numpy's default); reorders the slice.
pub fn quantile(v: &mut [f32], q: f32) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    let pos = q * (v.len() - 1) as f32;
    let i = pos.floor() as usize;
    let f = pos - i as f32;
    let (_, &mut lo, upper) = v.select_nth_unstable_by(i, |a, b| a.total_cmp(b));
    if f > 0.0 && !upper.is_empty() {
        let hi = upper.iter().copied().fold(f32::INFINITY, f32::min);
        lo * (1.0 - f) + hi * f
    } else {
        lo
    }
}

/// Per-minute medians of one channel's background features, and the background of any second.
#[derive(Clone, Debug, Default)]
pub struct Background {
    /// Values of the minute in progress, per background feature.
    current: Vec<[f32; NBG]>,
    current_minute: usize,
    /// Medians of completed minutes (index = minute); `None` for minutes without data.
    medians: Vec<Option<[f32; NBG]>>,
    /// The background of the last minute asked for by [`Background::of_final`].
    cache: Option<(usize, Option<[f32; NBG]>)>,
}

impl Background {
    /// Add the background features of second `s` (seconds arrive in increasing order; gaps
    /// allowed). Flat seconds are not added.
    pub fn add(&mut self, s: usize, raw: &[f32; NRAW]) {
        let m = s / 60;
        while m > self.current_minute {
            self.close_minute();
        }
        if is_flat(raw) {
            return;
        }
        let mut v = [0f32; NBG];
        for (o, &i) in v.iter_mut().zip(&BACKGROUND_FEATURES) {
            *o = raw[i];
        }
        self.current.push(v);
    }

    fn close_minute(&mut self) {
        let med = if self.current.is_empty() {
            None
        } else {
            let mut out = [0f32; NBG];
            let mut col = Vec::with_capacity(self.current.len());
            for (k, o) in out.iter_mut().enumerate() {
                col.clear();
                col.extend(self.current.iter().map(|v| v[k]));
                *o = quantile(&mut col, 0.5);
            }
            Some(out)
        };
        debug_assert_eq!(self.medians.len(), self.current_minute);
        self.medians.push(med);
        self.current.clear();
        self.current_minute += 1;
    }

    /// Minutes completed so far.
    pub fn minutes_done(&self) -> usize {
        self.medians.len()
    }

    /// End of data: close the minute in progress.
    pub fn finish(&mut self) {
        if !self.current.is_empty() || self.medians.len() == self.current_minute {
            self.close_minute();
        }
        self.cache = None;
    }

    /// True when the background of second `s` no longer changes (its last minute is complete).
    pub fn ready(&self, s: usize) -> bool {
        s / 60 + BG_MINUTES_AFTER < self.medians.len()
    }

    /// Minutes with data (a median) in the background span of second `s`.
    pub fn minutes_in_span(&self, s: usize) -> usize {
        let m = s / 60;
        let lo = m.saturating_sub(BG_MINUTES_BEFORE);
        let hi = (m + BG_MINUTES_AFTER + 1).min(self.medians.len());
        self.medians.get(lo..hi).map_or(0, |v| v.iter().filter(|x| x.is_some()).count())
    }

    /// True when the background of second `s` rests on at least [`BG_MIN_MINUTES`] minutes.
    pub fn reliable(&self, s: usize) -> bool {
        self.minutes_in_span(s) >= BG_MIN_MINUTES
    }

    /// Background of second `s`: the [`BG_QUANTILE`] of the available minute medians from
    /// [`BG_MINUTES_BEFORE`] minutes before to [`BG_MINUTES_AFTER`] after. `None` when the
    /// channel was flat throughout.
    pub fn of(&self, s: usize) -> Option<[f32; NBG]> {
        let m = s / 60;
        let lo = m.saturating_sub(BG_MINUTES_BEFORE);
        let hi = (m + BG_MINUTES_AFTER + 1).min(self.medians.len());
        let rows: Vec<&[f32; NBG]> = self.medians.get(lo..hi).unwrap_or(&[]).iter().flatten().collect();
        if rows.is_empty() {
            return None;
        }
        let mut out = [0f32; NBG];
        let mut col = Vec::with_capacity(rows.len());
        for (k, o) in out.iter_mut().enumerate() {
            col.clear();
            col.extend(rows.iter().map(|r| r[k]));
            *o = quantile(&mut col, BG_QUANTILE);
        }
        Some(out)
    }

    /// [`Background::of`] for a second whose background is final ([`Background::ready`], or
    /// after [`Background::finish`]), computed once per minute.
    pub fn of_final(&mut self, s: usize) -> Option<[f32; NBG]> {
        let m = s / 60;
        match self.cache {
            Some((cm, v)) if cm == m => v,
            _ => {
                let v = self.of(s);
                self.cache = Some((m, v));
                v
            }
        }
    }

    /// Forget minutes that no second still to be finalised can use (all before `s`'s span).
    pub fn forget_before(&mut self, s: usize) {
        let keep_from = (s / 60).saturating_sub(BG_MINUTES_BEFORE);
        for m in self.medians.iter_mut().take(keep_from) {
            *m = None;
        }
    }
}

/// The full feature row of one channel at one second from its raw window features and
/// background (context features are filled by [`add_context`]). `reliable` says whether the
/// background rests on enough data ([`Background::reliable`]); if not, the background-relative
/// features are missing (NaN). Without background (a flat channel) they are 0.
pub fn with_background(raw: &[f32; NRAW], bg: Option<&[f32; NBG]>, reliable: bool) -> [f32; NF] {
    let mut row = [0f32; NF];
    row[..NRAW].copy_from_slice(raw);
    for (k, &i) in BACKGROUND_FEATURES.iter().enumerate() {
        row[NRAW + k] = match bg {
            Some(_) if !reliable => f32::NAN,
            Some(b) => raw[i] - b[k],
            None => 0.0,
        };
    }
    row
}

/// Fill the context features of the rows of all channels at one second. `valid[c]` is false
/// for flat channels, which are left out of the medians. The two background context features
/// are missing (NaN) when no valid channel has a background-relative line length (see
/// [`with_background`]).
pub fn add_context(rows: &mut [[f32; NF]], valid: &[bool]) {
    let i_ll = 1;
    let i_bg_ll = NRAW;
    let mut lls: Vec<f32> = rows.iter().zip(valid).filter(|(_, v)| **v).map(|(r, _)| r[i_ll]).collect();
    let mut bgs: Vec<f32> = rows.iter().zip(valid).filter(|(_, v)| **v).map(|(r, _)| r[i_bg_ll]).filter(|v| !v.is_nan()).collect();
    let med_ll = if lls.is_empty() { 0.0 } else { quantile(&mut lls, 0.5) };
    let (med_bg, frac) = if bgs.is_empty() {
        if lls.is_empty() { (0.0, 0.0) } else { (f32::NAN, f32::NAN) }
    } else {
        let frac = bgs.iter().filter(|&&v| v > ELEVATED).count() as f32 / bgs.len() as f32;
        (quantile(&mut bgs, 0.5), frac)
    };
    for r in rows.iter_mut() {
        r[NRAW + NBG] = r[i_ll] - med_ll;
        r[NRAW + NBG + 1] = med_bg;
        r[NRAW + NBG + 2] = frac;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running strict maximum `peak_bin` replaced: the first bin with the largest value.
    fn peak_bin_scalar(psd: &[f32]) -> usize {
        let (lo, hi) = BAND_BINS;
        let mut best = lo;
        for k in lo..=hi {
            if psd[k] > psd[best] {
                best = k;
            }
        }
        best
    }

    #[test]
    fn peak_bin_is_the_first_largest_bin_as_before() {
        // Random spectra, spectra with ties (values from a few levels), zeros, NaN bins
        // (including the first bin of the band) and infinities.
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        for case in 0..20_000 {
            let mut psd = [0f32; NSPEC];
            for v in psd.iter_mut() {
                *v = match case % 5 {
                    0 => next() * 100.0,
                    1 => (next() * 4.0).floor(),
                    2 => 0.0,
                    _ => next(),
                };
            }
            if case % 7 == 3 {
                let k = BAND_BINS.0 + (next() * 49.0) as usize;
                psd[k] = f32::NAN;
            }
            if case % 11 == 5 {
                psd[BAND_BINS.0] = f32::NAN;
            }
            if case % 13 == 6 {
                psd[BAND_BINS.0 + (next() * 49.0) as usize] = f32::INFINITY;
            }
            assert_eq!(peak_bin(&psd), peak_bin_scalar(&psd), "case {case}: {psd:?}");
        }
    }

    fn sine(f: f32, amp: f32, n: usize, phase: f32) -> Vec<f32> {
        (0..n).map(|i| amp * (2.0 * std::f32::consts::PI * f * i as f32 / 64.0 + phase).sin()).collect()
    }

    #[test]
    fn names_and_constants_agree() {
        assert_eq!(NF, NRAW + NBG + 4);
        assert_eq!(FEATURE_NAMES[NEIGHBOUR_ANTICORRELATION], "neighbour_anticorrelation");
        assert_eq!(FEATURE_NAMES[NRAW], "bg_line_length");
        assert_eq!(FEATURE_NAMES[NRAW - 1], "acf_peak");
        assert_eq!(FEATURE_NAMES[BACKGROUND_FEATURES[0]], "log_line_length");
        assert_eq!(FEATURE_NAMES[BACKGROUND_FEATURES[2]], "log_delta");
        assert_eq!(DF, 0.5);
        assert_eq!(BANDS[1], (8, 15));
    }

    #[test]
    fn sine_window_features() {
        // 8 s of a 6 Hz sine of amplitude 50 µV.
        let x = sine(6.0, 50.0, 64 * 8, 0.3);
        let mut sp = Spectral::new();
        let mut blocks = Vec::new();
        for b in 0..8 {
            let prev = if b == 0 { None } else { Some(&x[(b - 1) * 64..b * 64]) };
            blocks.push(BlockStats::compute(prev, &x[b * 64..(b + 1) * 64], &mut sp, 0.0, 0.0));
        }
        assert!(!blocks[0].has_psd && blocks[1].has_psd);
        let refs: Vec<&BlockStats> = blocks.iter().collect();
        let f = window_features(&refs, &mut sp);
        // RMS 50/√2 = 35.36 µV.
        assert!((f[0] - 35.355f32.log10()).abs() < 0.01, "{}", f[0]);
        // Line length: the mean over the window of each second's sum of |Δx| (≈ 4·A·f = 1200 µV
        // for the continuous sine).
        let want: f32 = x.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f32>() / (x.len() - 1) as f32 * 64.0;
        assert!((10f32.powf(f[1]) - want).abs() < 1.0, "{} vs {want}", 10f32.powf(f[1]));
        assert!((want - 1200.0).abs() < 30.0);
        // Theta holds nearly all the power (A²/2 = 1250 µV²), peak at 6 Hz.
        assert!(f[8] > 0.97, "rel theta {}", f[8]);
        assert!((10f32.powf(f[4]) - 1250.0).abs() < 40.0, "theta {}", 10f32.powf(f[4]));
        assert_eq!(f[12], 6.0);
        assert!(f[14] > 0.95, "peak concentration {}", f[14]);
        assert_eq!(f[15], 1.0);
        // Hjorth mobility of a sine: 2·sin(πf/fs) ≈ ω/fs.
        let want = 2.0 * (std::f32::consts::PI * 6.0 / 64.0).sin();
        assert!((f[16] - want).abs() < 0.01, "{} vs {want}", f[16]);
        // Teager–Kaiser energy of a sine: A²·sin²(ω) = 2500·sin²(2π·6/64).
        let want_te = 2500.0 * (2.0 * std::f32::consts::PI * 6.0 / 64.0).sin().powi(2);
        assert!((10f32.powf(f[2]) - want_te).abs() / want_te < 0.02, "{} vs {want_te}", 10f32.powf(f[2]));
        // A pure rhythm: spectral entropy near 0, a prominent 6 Hz peak above the aperiodic fit,
        // and an autocorrelation that comes back to ~1 after one period.
        assert!(f[13] < 0.3, "entropy {}", f[13]);
        assert_eq!(f[22], 6.0);
        assert!(f[21] > 3.0, "prominence {}", f[21]);
        assert!(f[23] > 0.9, "acf peak {}", f[23]);
    }

    #[test]
    fn fast_log_is_accurate() {
        for k in 0..2000 {
            let x = 1e-6f32 * 1.013f32.powi(k);
            assert!((fast_ln(x) - x.ln()).abs() < 3e-5, "{x}: {} vs {}", fast_ln(x), x.ln());
        }
        let mut v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert_eq!(quantile(&mut v, 0.25), 2.0);
        assert_eq!(quantile(&mut v, 0.3), 2.2);
        assert_eq!(quantile(&mut v, 1.0), 5.0);
    }

    #[test]
    fn full_rate_accumulator_splits_seconds() {
        let mut acc = FullRateAccumulator::new(4.0);
        acc.push(&[0.0, 1.0, 3.0]);
        acc.push(&[6.0, 6.0, 5.0, 5.0, 5.0, 9.0]);
        acc.finish();
        // Second 0: diffs 1, 2, 3 → mean square 14/3, max 3; second 1: diffs 0, -1, 0, 0 → 1/4.
        // Second 2: [9] with the diff 4 across the boundary (a half second: closed at finish).
        assert_eq!(acc.done.len(), 2);
        assert!((acc.done[0].diff_power - 14.0 / 3.0 * 16.0).abs() < 1e-4);
        assert_eq!(acc.done[0].max_slope, 12.0);
        assert!((acc.done[1].diff_power - 0.25 * 16.0).abs() < 1e-5);
        let mut acc = FullRateAccumulator::new(4.0);
        acc.push(&[0.0, 1.0, 3.0, 6.0, 6.0, 5.0]);
        acc.finish();
        assert_eq!(acc.done.len(), 2);
        assert!((acc.done[1].diff_power - 0.5 * 16.0).abs() < 1e-5);
    }

    #[test]
    fn background_quantile_of_minute_medians() {
        let mut bg = Background::default();
        let mut raw = [0f32; NRAW];
        // 20 minutes: LL (raw 1) = minute index; minute 7 holds a "seizure" of value 100.
        for s in 0..1200 {
            raw[0] = 1.0;
            raw[1] = if s / 60 == 7 { 100.0 } else { (s / 60) as f32 };
            bg.add(s, &raw);
        }
        // Second 1100 (minute 18) needs minute 22: not yet; second 600 needs minute 14: done.
        assert!(!bg.ready(1100));
        assert!(bg.ready(600));
        bg.finish();
        assert_eq!(bg.minutes_done(), 20);
        assert!(bg.ready(600));
        // Second 600 (minute 10): minutes 0..=14, values 0..14 with 7 → 100; p25 of 15 values.
        let mut v: Vec<f32> = (0..15).map(|m| if m == 7 { 100.0 } else { m as f32 }).collect();
        let want = quantile(&mut v, 0.25);
        assert_eq!(want, 3.5);
        assert_eq!(bg.of(600).unwrap()[0], 3.5);
        // Flat seconds are not part of the background.
        let mut bg = Background::default();
        raw[0] = -3.0;
        bg.add(0, &raw);
        bg.finish();
        assert!(bg.of(0).is_none());
    }

    #[test]
    fn context_compares_with_the_other_channels() {
        let mut rows = vec![[0f32; NF]; 4];
        for (i, r) in rows.iter_mut().enumerate() {
            r[1] = i as f32; // log line length 0, 1, 2, 3
            r[NRAW] = if i == 3 { 1.0 } else { 0.0 }; // only channel 3 elevated
        }
        add_context(&mut rows, &[true, true, true, false]);
        // Median over channels 0-2 of LL is 1.
        assert_eq!(rows[0][NRAW + NBG], -1.0);
        assert_eq!(rows[3][NRAW + NBG], 2.0);
        assert_eq!(rows[0][NRAW + NBG + 1], 0.0);
        assert_eq!(rows[0][NRAW + NBG + 2], 0.0);
        // Without a reliable background the background context is missing, the rest is not.
        for r in rows.iter_mut() {
            r[NRAW] = f32::NAN;
        }
        add_context(&mut rows, &[true, true, true, false]);
        assert_eq!(rows[3][NRAW + NBG], 2.0);
        assert!(rows[0][NRAW + NBG + 1].is_nan() && rows[0][NRAW + NBG + 2].is_nan());
    }

    #[test]
    fn short_recordings_have_no_background_features() {
        let mut raw = [0f32; NRAW];
        raw[0] = 1.0;
        raw[1] = 2.0;
        // 150 s: minutes 0, 1 and a half minute 2 → 3 minutes of data; 90 s: 2 minutes.
        for (len, want_reliable) in [(150usize, true), (90, false)] {
            let mut bg = Background::default();
            for s in 0..len {
                bg.add(s, &raw);
            }
            bg.finish();
            assert_eq!(bg.minutes_in_span(0), len.div_ceil(60));
            assert_eq!(bg.reliable(0), want_reliable);
            let b = bg.of(0).unwrap();
            let row = with_background(&raw, Some(&b), bg.reliable(0));
            if want_reliable {
                assert_eq!(row[NRAW], 0.0);
                assert_eq!(row[NRAW + 1], 0.0);
            } else {
                assert!(row[NRAW..NRAW + NBG].iter().all(|v| v.is_nan()));
            }
            // Raw features are untouched either way.
            assert_eq!(row[1], 2.0);
        }
        // A flat channel (no background) gets zeros, not NaN.
        assert_eq!(with_background(&raw, None, false)[NRAW], 0.0);
    }
}
