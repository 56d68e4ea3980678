//! Power spectral density by Welch's method, equal to `scipy.signal.welch`, and band-power
//! helpers.
//!
//! [`Welch`] holds the FFT plan, the window and every buffer, so estimating the PSD of window
//! after window (24 h × 19 channels in the detector) allocates nothing after construction.
//! Defaults are scipy's: periodic Hann window, 50 % overlap, constant (mean) detrend per segment,
//! density scaling (V²/Hz, here µV²/Hz), one-sided spectrum doubled except at DC and Nyquist,
//! mean over segments. Segments start at sample 0 and step by `nperseg − noverlap`; samples after
//! the last full segment are not used (scipy does the same).
//!
//! ```
//! use eimfs_signal::spectrum::{band_power, Welch};
//! let fs = 256.0;
//! // 10 µV amplitude at 10 Hz: power 50 µV².
//! let x: Vec<f32> = (0..2560).map(|i| 10.0 * (2.0 * std::f32::consts::PI * 10.0 * i as f32 / 256.0).sin()).collect();
//! let mut w = Welch::new(fs, 256).unwrap();
//! let mut psd = vec![0.0; w.n_freqs()];
//! w.psd(&x, &mut psd).unwrap();
//! let freqs = w.frequencies();
//! assert!((band_power(&freqs, &psd, 8.0, 12.0) - 50.0).abs() < 0.5);
//! ```

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::error::{Error, Result};
use crate::filter::Sample;

/// Per-segment detrending before windowing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Detrend {
    /// None (scipy `detrend=False`).
    None,
    /// Subtract the segment mean (scipy's default `'constant'`).
    #[default]
    Constant,
    /// Subtract the least-squares line (scipy `'linear'`).
    Linear,
}

/// How segment spectra are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Average {
    /// Mean (scipy's default).
    #[default]
    Mean,
    /// Median divided by scipy's bias factor (robust to transients).
    Median,
}

/// Parameters of a [`Welch`] estimator. [`WelchConfig::new`] gives scipy's defaults for a
/// segment length.
#[derive(Clone, Debug, PartialEq)]
pub struct WelchConfig {
    /// Segment length in samples.
    pub nperseg: usize,
    /// Overlap in samples (default `nperseg / 2`).
    pub noverlap: usize,
    /// FFT length ≥ `nperseg` (zero padding; default `nperseg`).
    pub nfft: usize,
    /// Detrending per segment.
    pub detrend: Detrend,
    /// Averaging over segments.
    pub average: Average,
    /// Window of `nperseg` points; `None` for the periodic Hann window.
    pub window: Option<Vec<f64>>,
}

impl WelchConfig {
    /// scipy's defaults for segments of `nperseg` samples.
    pub fn new(nperseg: usize) -> WelchConfig {
        WelchConfig { nperseg, noverlap: nperseg / 2, nfft: nperseg, detrend: Detrend::Constant, average: Average::Mean, window: None }
    }
}

/// Periodic ("DFT-even") Hann window, as `scipy.signal.get_window('hann', n)`.
pub fn hann_periodic(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()).collect()
}

/// A reusable Welch PSD estimator for one sampling rate and configuration.
pub struct Welch {
    fs: f64,
    cfg: WelchConfig,
    window: Vec<f64>,
    scale: f64,
    fft: Arc<dyn RealToComplex<f64>>,
    input: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    segments: Vec<f64>,
    column: Vec<f64>,
}

impl std::fmt::Debug for Welch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Welch").field("fs", &self.fs).field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl Welch {
    /// scipy's defaults with segments of `nperseg` samples at `fs` Hz.
    pub fn new(fs: f64, nperseg: usize) -> Result<Welch> {
        Welch::with_config(fs, WelchConfig::new(nperseg))
    }

    /// Any configuration.
    pub fn with_config(fs: f64, cfg: WelchConfig) -> Result<Welch> {
        if !(fs.is_finite() && fs > 0.0) {
            return Err(Error::InvalidParameter(format!("welch: sampling rate must be positive, got {fs} Hz")));
        }
        if cfg.nperseg == 0 {
            return Err(Error::InvalidParameter("welch: nperseg must be at least 1".into()));
        }
        if cfg.noverlap >= cfg.nperseg {
            return Err(Error::InvalidParameter(format!("welch: noverlap {} must be less than nperseg {}", cfg.noverlap, cfg.nperseg)));
        }
        if cfg.nfft < cfg.nperseg {
            return Err(Error::InvalidParameter(format!("welch: nfft {} must be at least nperseg {}", cfg.nfft, cfg.nperseg)));
        }
        let window = match &cfg.window {
            None => hann_periodic(cfg.nperseg),
            Some(w) if w.len() == cfg.nperseg => w.clone(),
            Some(w) => {
                return Err(Error::InvalidParameter(format!("welch: window has {} points, nperseg is {}", w.len(), cfg.nperseg)));
            }
        };
        let sum_sq: f64 = window.iter().map(|w| w * w).sum();
        if sum_sq == 0.0 {
            return Err(Error::InvalidParameter("welch: window is all zeros".into()));
        }
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(cfg.nfft);
        let input = fft.make_input_vec();
        let spectrum = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        Ok(Welch { fs, scale: 1.0 / (fs * sum_sq), window, fft, input, spectrum, scratch, segments: Vec::new(), column: Vec::new(), cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &WelchConfig {
        &self.cfg
    }

    /// Number of frequency bins: `nfft / 2 + 1`.
    pub fn n_freqs(&self) -> usize {
        self.cfg.nfft / 2 + 1
    }

    /// Bin spacing in Hz: `fs / nfft`.
    pub fn df(&self) -> f64 {
        self.fs / self.cfg.nfft as f64
    }

    /// Frequencies of the bins in Hz (`k · fs / nfft`).
    pub fn frequencies(&self) -> Vec<f64> {
        (0..self.n_freqs()).map(|k| k as f64 * self.df()).collect()
    }

    /// Number of segments used for `n` samples (0 if `n < nperseg`).
    pub fn segments(&self, n: usize) -> usize {
        if n < self.cfg.nperseg { 0 } else { (n - self.cfg.nperseg) / (self.cfg.nperseg - self.cfg.noverlap) + 1 }
    }

    /// Estimate the PSD of `x` into `out` (length [`Welch::n_freqs`]). Returns the number of
    /// segments averaged. Fails if `x` is shorter than one segment.
    pub fn psd<T: Sample>(&mut self, x: &[T], out: &mut [f64]) -> Result<usize> {
        let nf = self.n_freqs();
        if out.len() != nf {
            return Err(Error::BufferShape(format!("welch: output has {} bins, expected {nf}", out.len())));
        }
        let nseg = self.segments(x.len());
        if nseg == 0 {
            return Err(Error::TooShort {
                what: format!("welch (nperseg {})", self.cfg.nperseg),
                len: x.len(),
                needed: self.cfg.nperseg - 1,
            });
        }
        let (nperseg, step, nfft) = (self.cfg.nperseg, self.cfg.nperseg - self.cfg.noverlap, self.cfg.nfft);
        let median = self.cfg.average == Average::Median;
        out.iter_mut().for_each(|v| *v = 0.0);
        if median {
            self.segments.clear();
            self.segments.reserve(nseg * nf);
        }
        for s in 0..nseg {
            let seg = &x[s * step..s * step + nperseg];
            for (d, v) in self.input.iter_mut().zip(seg) {
                *d = v.to_f64();
            }
            detrend(&mut self.input[..nperseg], self.cfg.detrend);
            for (d, w) in self.input.iter_mut().zip(&self.window) {
                *d *= w;
            }
            self.input[nperseg..].iter_mut().for_each(|v| *v = 0.0);
            self.fft.process_with_scratch(&mut self.input, &mut self.spectrum, &mut self.scratch).expect("buffers come from the plan");
            let last = if nfft % 2 == 0 { nf - 1 } else { nf };
            for (k, c) in self.spectrum.iter().enumerate() {
                let mut p = c.norm_sqr() * self.scale;
                if k >= 1 && k < last {
                    p *= 2.0;
                }
                if median {
                    self.segments.push(p);
                } else {
                    out[k] += p;
                }
            }
        }
        if median {
            if nseg == 1 {
                out.copy_from_slice(&self.segments[..nf]);
            } else {
                let bias = median_bias(nseg);
                for (k, o) in out.iter_mut().enumerate() {
                    self.column.clear();
                    self.column.extend((0..nseg).map(|s| self.segments[s * nf + k]));
                    self.column.sort_by(|a, b| a.total_cmp(b));
                    let m = if nseg % 2 == 1 { self.column[nseg / 2] } else { 0.5 * (self.column[nseg / 2 - 1] + self.column[nseg / 2]) };
                    *o = m / bias;
                }
            }
        } else {
            out.iter_mut().for_each(|v| *v /= nseg as f64);
        }
        Ok(nseg)
    }
}

/// scipy's `_median_bias(n)`: the expected ratio of median to mean of n χ²₂ variables.
fn median_bias(n: usize) -> f64 {
    1.0 + (1..=(n - 1) / 2).map(|i| 2.0 * i as f64).map(|ii| 1.0 / (ii + 1.0) - 1.0 / ii).sum::<f64>()
}

fn detrend(x: &mut [f64], how: Detrend) {
    let n = x.len() as f64;
    match how {
        Detrend::None => {}
        Detrend::Constant => {
            let m = x.iter().sum::<f64>() / n;
            x.iter_mut().for_each(|v| *v -= m);
        }
        Detrend::Linear => {
            let tm = (n - 1.0) / 2.0;
            let xm = x.iter().sum::<f64>() / n;
            let (mut sxy, mut sxx) = (0.0, 0.0);
            for (i, v) in x.iter().enumerate() {
                let t = i as f64 - tm;
                sxy += t * (v - xm);
                sxx += t * t;
            }
            let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
            for (i, v) in x.iter_mut().enumerate() {
                *v -= xm + slope * (i as f64 - tm);
            }
        }
    }
}

/// `scipy.signal.welch(x, fs, nperseg=nperseg)` in one call, with scipy's handling of short
/// input: if `x` is shorter than `nperseg`, one segment of `x.len()` samples is used. Returns
/// `(frequencies, psd)`.
pub fn welch<T: Sample>(x: &[T], fs: f64, nperseg: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    if x.is_empty() {
        return Err(Error::TooShort { what: "welch".into(), len: 0, needed: 0 });
    }
    let mut w = Welch::new(fs, nperseg.min(x.len()))?;
    let mut psd = vec![0.0; w.n_freqs()];
    w.psd(x, &mut psd)?;
    Ok((w.frequencies(), psd))
}

/// Indices of the bins with `lo ≤ f < hi`.
fn band(freqs: &[f64], lo: f64, hi: f64) -> std::ops::Range<usize> {
    let a = freqs.partition_point(|&f| f < lo);
    let b = freqs.partition_point(|&f| f < hi);
    a..b.max(a)
}

/// Power in `[lo, hi)` Hz: the sum of the PSD over the bins with `lo ≤ f < hi`, times the bin
/// width (rectangle rule). `freqs` must be evenly spaced and increasing, as [`Welch`] gives them.
pub fn band_power(freqs: &[f64], psd: &[f64], lo: f64, hi: f64) -> f64 {
    if freqs.len() < 2 {
        return 0.0;
    }
    let df = freqs[1] - freqs[0];
    psd[band(freqs, lo, hi)].iter().sum::<f64>() * df
}

/// Power in each band `[lo, hi)` (see [`band_power`]).
pub fn band_powers(freqs: &[f64], psd: &[f64], bands: &[(f64, f64)]) -> Vec<f64> {
    bands.iter().map(|&(lo, hi)| band_power(freqs, psd, lo, hi)).collect()
}

/// Power in `[lo, hi)` as a fraction of the power in `[total_lo, total_hi)` (0 if that is 0).
pub fn relative_band_power(freqs: &[f64], psd: &[f64], (lo, hi): (f64, f64), (total_lo, total_hi): (f64, f64)) -> f64 {
    let total = band_power(freqs, psd, total_lo, total_hi);
    if total > 0.0 { band_power(freqs, psd, lo, hi) / total } else { 0.0 }
}

/// Frequency of the largest PSD bin in `[lo, hi)` (`None` if the band has no bins).
pub fn peak_frequency(freqs: &[f64], psd: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let r = band(freqs, lo, hi);
    let start = r.start;
    psd[r].iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| freqs[start + i])
}

/// Spectral edge frequency: the lowest bin frequency in `[lo, hi)` at which the cumulative power
/// from `lo` reaches `fraction` (e.g. 0.9 for SEF90) of the band's power (`None` if the band has
/// no power).
pub fn spectral_edge(freqs: &[f64], psd: &[f64], fraction: f64, lo: f64, hi: f64) -> Option<f64> {
    let r = band(freqs, lo, hi);
    let total: f64 = psd[r.clone()].iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut acc = 0.0;
    for i in r.clone() {
        acc += psd[i];
        if acc >= fraction * total {
            return Some(freqs[i]);
        }
    }
    Some(freqs[r.end - 1])
}

/// Normalised spectral entropy in `[lo, hi)`: Shannon entropy of the PSD bins as a probability
/// distribution divided by `ln(bins)`, from 0 (one line) to 1 (flat). `None` if the band has
/// fewer than two bins or no power.
pub fn spectral_entropy(freqs: &[f64], psd: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let r = band(freqs, lo, hi);
    if r.len() < 2 {
        return None;
    }
    let total: f64 = psd[r.clone()].iter().sum();
    if total <= 0.0 {
        return None;
    }
    let h: f64 = psd[r.clone()].iter().map(|&p| p / total).filter(|&p| p > 0.0).map(|p| -p * p.ln()).sum();
    Some(h / (r.len() as f64).ln())
}
