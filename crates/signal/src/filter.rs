//! IIR filters as cascaded second-order sections (SOS), zero-phase and streaming.
//!
//! * Design: [`Sos::butter`] (low-pass, high-pass, band-pass, band-stop Butterworth, equal to
//!   `scipy.signal.butter(N, Wn, btype, output='sos', fs=fs)`) and [`Sos::notch`] (equal to
//!   `scipy.signal.iirnotch(w0, Q, fs)` as one section). Sections cascade with [`Sos::then`].
//! * Zero phase: [`sosfiltfilt`] equals `scipy.signal.sosfiltfilt(sos, x)` with its defaults
//!   (odd extension of `3 × (2·sections + 1 − trailing zeros)` samples at each end, initial
//!   conditions from `sosfilt_zi` scaled by the first sample of each pass).
//! * Causal: [`SosFilter`] keeps the state of every section between calls, so filtering a long
//!   file chunk by chunk gives exactly the samples of one `scipy.signal.sosfilt` call over all
//!   of it (zero initial state, or `sosfilt_zi · x0` with [`SosFilter::with_initial_value`]).
//!
//! Data may be `f32` or `f64` ([`Sample`]); arithmetic and state are always `f64`.
//!
//! Filter design goes through the `sci-rs` crate, wrapped here so it can be replaced; the
//! filtering itself is our own (scipy's direct form II transposed, in the same operation order).

use std::f64::consts::PI;

use crate::error::{Error, Result};

/// Default Butterworth order for `--bandpass`-style options (4, as MNE's IIR default; applied
/// forward-backward it attenuates like an 8th-order filter).
pub const DEFAULT_ORDER: usize = 4;

/// Default quality factor of [`Sos::notch`] for `--notch`-style options (30: a −3 dB width of
/// 1.7 Hz at 50 Hz).
pub const DEFAULT_NOTCH_Q: f64 = 30.0;

/// A sample type: `f32` (as stored in recordings) or `f64`.
pub trait Sample: Copy + Send + Sync + 'static {
    /// Widen to `f64`.
    fn to_f64(self) -> f64;
    /// Narrow from `f64` (rounding to nearest for `f32`).
    fn from_f64(v: f64) -> Self;
}

impl Sample for f32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Sample for f64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// Pass band of a Butterworth filter, frequencies in Hz.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Band {
    /// Pass below the cut-off.
    Lowpass(f64),
    /// Pass above the cut-off.
    Highpass(f64),
    /// Pass between the two cut-offs.
    Bandpass(f64, f64),
    /// Stop between the two cut-offs.
    Bandstop(f64, f64),
}

/// A digital filter as cascaded second-order sections `[b0, b1, b2, a0, a1, a2]` with `a0 = 1`,
/// the layout of scipy's `sos` arrays.
#[derive(Clone, Debug, PartialEq)]
pub struct Sos {
    sections: Vec<[f64; 6]>,
}

fn check_freq(what: &str, f: f64, fs: f64) -> Result<()> {
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::FilterDesign(format!("sampling rate must be positive and finite, got {fs} Hz")));
    }
    if !(f.is_finite() && f > 0.0 && f < fs / 2.0) {
        return Err(Error::FilterDesign(format!(
            "{what} {f} Hz must be above 0 and below the Nyquist frequency {} Hz (sampling rate {fs} Hz)",
            fs / 2.0
        )));
    }
    Ok(())
}

impl Sos {
    /// Sections as given (each is normalised so that `a0 = 1`). Fails if there are none, if a
    /// coefficient is not finite or if an `a0` is zero.
    pub fn new(sections: Vec<[f64; 6]>) -> Result<Sos> {
        if sections.is_empty() {
            return Err(Error::FilterDesign("a filter needs at least one section".into()));
        }
        let mut out = Vec::with_capacity(sections.len());
        for (i, s) in sections.into_iter().enumerate() {
            if s.iter().any(|c| !c.is_finite()) || s[3] == 0.0 {
                return Err(Error::FilterDesign(format!("section {i} {s:?}: coefficients must be finite and a0 non-zero")));
            }
            let a0 = s[3];
            out.push(if a0 == 1.0 { s } else { [s[0] / a0, s[1] / a0, s[2] / a0, 1.0, s[4] / a0, s[5] / a0] });
        }
        Ok(Sos { sections: out })
    }

    /// Butterworth filter of `order` (1–20) at sampling rate `fs`, as
    /// `scipy.signal.butter(order, Wn, btype, output='sos', fs=fs)`. A band-pass or band-stop of
    /// order N has N sections (2N poles), as in scipy.
    ///
    /// ```
    /// use eimfs_signal::filter::{Band, Sos};
    /// let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), 256.0).unwrap();
    /// assert_eq!(sos.sections().len(), 4);
    /// assert!((sos.gain_at(10.0, 256.0) - 1.0).abs() < 1e-3);
    /// assert!(sos.gain_at(60.0, 256.0) < 0.1); // −24 dB an octave above the band
    /// ```
    pub fn butter(order: usize, band: Band, fs: f64) -> Result<Sos> {
        use sci_rs::signal::filter::design::{DigitalFilter, FilterBandType, FilterOutputType, butter_dyn};
        if !(1..=20).contains(&order) {
            return Err(Error::FilterDesign(format!("Butterworth order must be 1 to 20, got {order}")));
        }
        let (wn, btype) = match band {
            Band::Lowpass(f) => {
                check_freq("low-pass cut-off", f, fs)?;
                (vec![f], FilterBandType::Lowpass)
            }
            Band::Highpass(f) => {
                check_freq("high-pass cut-off", f, fs)?;
                (vec![f], FilterBandType::Highpass)
            }
            Band::Bandpass(lo, hi) | Band::Bandstop(lo, hi) => {
                check_freq("lower band edge", lo, fs)?;
                check_freq("upper band edge", hi, fs)?;
                if lo >= hi {
                    return Err(Error::FilterDesign(format!("band edges must increase, got {lo} Hz to {hi} Hz")));
                }
                let t = if matches!(band, Band::Bandpass(..)) { FilterBandType::Bandpass } else { FilterBandType::Bandstop };
                (vec![lo, hi], t)
            }
        };
        match butter_dyn::<f64>(order, wn, Some(btype), Some(false), Some(FilterOutputType::Sos), Some(fs)) {
            DigitalFilter::Sos(f) => Sos::new(f.sos.iter().map(|s| [s.b[0], s.b[1], s.b[2], s.a[0], s.a[1], s.a[2]]).collect()),
            other => Err(Error::FilterDesign(format!("sci-rs returned a non-SOS design: {other:?}"))),
        }
    }

    /// Second-order IIR notch at `f0` Hz with quality factor `q` (−3 dB width `f0 / q`), as
    /// `scipy.signal.iirnotch(f0, q, fs)`, as one section.
    pub fn notch(f0: f64, q: f64, fs: f64) -> Result<Sos> {
        check_freq("notch frequency", f0, fs)?;
        if !(q.is_finite() && q > 0.0) {
            return Err(Error::FilterDesign(format!("notch quality factor must be positive, got {q}")));
        }
        // scipy.signal._filter_design._design_notch_peak_filter, ftype = "notch".
        let w0 = 2.0 * f0 / fs;
        let bw = w0 / q * PI;
        let w0 = w0 * PI;
        let gb = 1.0 / 2f64.sqrt();
        let beta = ((1.0 - gb * gb).sqrt() / gb) * (bw / 2.0).tan();
        let gain = 1.0 / (1.0 + beta);
        let c = w0.cos();
        Sos::new(vec![[gain, -2.0 * c * gain, gain, 1.0, -2.0 * gain * c, 2.0 * gain - 1.0]])
    }

    /// This filter followed by `other` (sections concatenated).
    pub fn then(mut self, other: &Sos) -> Sos {
        self.sections.extend_from_slice(&other.sections);
        self
    }

    /// The sections, `[b0, b1, b2, 1, a1, a2]` each.
    pub fn sections(&self) -> &[[f64; 6]] {
        &self.sections
    }

    /// Initial state of each section for a step response at steady state with unit input, as
    /// `scipy.signal.sosfilt_zi`.
    pub fn zi(&self) -> Vec<[f64; 2]> {
        let mut scale = 1.0;
        self.sections
            .iter()
            .map(|s| {
                let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5]);
                // lfilter_zi for one biquad: solve (I - companion(a)^T) zi = b[1:] - a[1:] b0.
                let (r0, r1) = (b1 - a1 * b0, b2 - a2 * b0);
                let det = 1.0 + a1 + a2;
                let z0 = (r0 + r1) / det;
                let z1 = ((1.0 + a1) * r1 - a2 * r0) / det;
                let zi = [scale * z0, scale * z1];
                scale *= (b0 + b1 + b2) / (1.0 + a1 + a2);
                zi
            })
            .collect()
    }

    /// Length of the odd extension [`sosfiltfilt`] adds at each end: scipy's default
    /// `3 × (2·sections + 1 − min(#b2 = 0, #a2 = 0))`.
    pub fn padlen(&self) -> usize {
        let n = self.sections.len();
        let bz = self.sections.iter().filter(|s| s[2] == 0.0).count();
        let az = self.sections.iter().filter(|s| s[5] == 0.0).count();
        3 * (2 * n + 1 - bz.min(az))
    }

    /// Magnitude of the frequency response at `f` Hz for sampling rate `fs`.
    pub fn gain_at(&self, f: f64, fs: f64) -> f64 {
        let w = 2.0 * PI * f / fs;
        let (c1, s1, c2, s2) = (w.cos(), -w.sin(), (2.0 * w).cos(), -(2.0 * w).sin());
        self.sections
            .iter()
            .map(|s| {
                let (nr, ni) = (s[0] + s[1] * c1 + s[2] * c2, s[1] * s1 + s[2] * s2);
                let (dr, di) = (s[3] + s[4] * c1 + s[5] * c2, s[4] * s1 + s[5] * s2);
                ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt()
            })
            .product()
    }
}

/// Run every section over `buf` in place, starting from `state` (updated).
#[inline]
fn run_sections(sections: &[[f64; 6]], state: &mut [[f64; 2]], buf: &mut [f64]) {
    for (s, z) in sections.iter().zip(state.iter_mut()) {
        let [b0, b1, b2, _, a1, a2] = *s;
        let (mut z0, mut z1) = (z[0], z[1]);
        for v in buf.iter_mut() {
            let x = *v;
            let y = b0 * x + z0;
            z0 = b1 * x - a1 * y + z1;
            z1 = b2 * x - a2 * y;
            *v = y;
        }
        *z = [z0, z1];
    }
}

/// Zero-phase forward-backward filtering, as `scipy.signal.sosfiltfilt(sos, x)` with default
/// padding. Fails if `x` is not longer than [`Sos::padlen`].
///
/// ```
/// use eimfs_signal::filter::{sosfiltfilt, Band, Sos};
/// let sos = Sos::butter(2, Band::Lowpass(10.0), 100.0).unwrap();
/// let x = vec![1.0f32; 200];
/// let y = sosfiltfilt(&sos, &x).unwrap();
/// assert!(y.iter().all(|v| (v - 1.0).abs() < 1e-6)); // a constant passes unchanged
/// ```
pub fn sosfiltfilt<T: Sample>(sos: &Sos, x: &[T]) -> Result<Vec<T>> {
    let mut out = vec![T::from_f64(0.0); x.len()];
    let mut scratch = Vec::new();
    sosfiltfilt_into(sos, x, &mut out, &mut scratch)?;
    Ok(out)
}

/// [`sosfiltfilt`] into a caller buffer of the same length, reusing `scratch` (it grows to
/// `x.len() + 2 × padlen` values) so repeated calls do not allocate.
pub fn sosfiltfilt_into<T: Sample, U: Sample>(sos: &Sos, x: &[T], out: &mut [U], scratch: &mut Vec<f64>) -> Result<()> {
    let n = x.len();
    if out.len() != n {
        return Err(Error::BufferShape(format!("sosfiltfilt: output has {} samples, input {n}", out.len())));
    }
    let edge = sos.padlen();
    if n <= edge {
        return Err(Error::TooShort { what: format!("sosfiltfilt (padlen {edge})"), len: n, needed: edge });
    }
    // Odd extension: 2·x[0] − x[edge..0] | x | 2·x[n−1] − x[n−2..n−2−edge].
    scratch.clear();
    scratch.reserve(n + 2 * edge);
    let (first, last) = (x[0].to_f64(), x[n - 1].to_f64());
    scratch.extend((0..edge).map(|i| 2.0 * first - x[edge - i].to_f64()));
    scratch.extend(x.iter().map(|v| v.to_f64()));
    scratch.extend((0..edge).map(|j| 2.0 * last - x[n - 2 - j].to_f64()));

    let zi = sos.zi();
    // Forward pass from steady state at the first extended sample.
    let x0 = scratch[0];
    let mut state: Vec<[f64; 2]> = zi.iter().map(|z| [z[0] * x0, z[1] * x0]).collect();
    run_sections(&sos.sections, &mut state, scratch);
    // Backward pass from steady state at the last forward output.
    scratch.reverse();
    let y0 = scratch[0];
    for (s, z) in state.iter_mut().zip(&zi) {
        *s = [z[0] * y0, z[1] * y0];
    }
    run_sections(&sos.sections, &mut state, scratch);
    // scratch holds the reversed result; output sample i sits at len − 1 − (edge + i).
    let len = scratch.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = U::from_f64(scratch[len - 1 - edge - i]);
    }
    Ok(())
}

/// One-shot causal filtering with zero initial state, as `scipy.signal.sosfilt(sos, x)`.
pub fn sosfilt<T: Sample>(sos: &Sos, x: &[T]) -> Vec<T> {
    let mut f = SosFilter::new(sos.clone());
    let mut y = vec![T::from_f64(0.0); x.len()];
    f.process(x, &mut y).expect("output has the input's length");
    y
}

/// A causal SOS filter that keeps its state between calls: chunked output equals one-shot
/// `scipy.signal.sosfilt` over the concatenated input.
///
/// ```
/// use eimfs_signal::filter::{sosfilt, Band, Sos, SosFilter};
/// let sos = Sos::butter(4, Band::Highpass(0.5), 256.0).unwrap();
/// let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.1).sin() + 3.0).collect();
/// let whole = sosfilt(&sos, &x);
/// let mut f = SosFilter::new(sos);
/// let mut chunked = Vec::new();
/// for chunk in x.chunks(77) {
///     let mut y = vec![0.0f32; chunk.len()];
///     f.process(chunk, &mut y).unwrap();
///     chunked.extend(y);
/// }
/// assert_eq!(chunked, whole);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SosFilter {
    sos: Sos,
    state: Vec<[f64; 2]>,
    buf: Vec<f64>,
}

/// Samples processed per internal block (bounded scratch memory).
const BLOCK: usize = 4096;

impl SosFilter {
    /// A filter at rest (zero state).
    pub fn new(sos: Sos) -> SosFilter {
        let state = vec![[0.0; 2]; sos.sections.len()];
        SosFilter { sos, state, buf: Vec::new() }
    }

    /// A filter in steady state for a constant input `x0` (`sosfilt_zi(sos) · x0`): starting a
    /// recording at its first sample this way avoids the step transient.
    pub fn with_initial_value(sos: Sos, x0: f64) -> SosFilter {
        let state = sos.zi().into_iter().map(|z| [z[0] * x0, z[1] * x0]).collect();
        SosFilter { sos, state, buf: Vec::new() }
    }

    /// The filter's sections.
    pub fn sos(&self) -> &Sos {
        &self.sos
    }

    /// Current state `[z0, z1]` of each section (scipy's `zf`).
    pub fn state(&self) -> &[[f64; 2]] {
        &self.state
    }

    /// Back to zero state.
    pub fn reset(&mut self) {
        self.state.iter_mut().for_each(|z| *z = [0.0; 2]);
    }

    /// Filter the next chunk `x` into `y` (same length).
    pub fn process<T: Sample, U: Sample>(&mut self, x: &[T], y: &mut [U]) -> Result<()> {
        if x.len() != y.len() {
            return Err(Error::BufferShape(format!("SosFilter::process: input has {} samples, output {}", x.len(), y.len())));
        }
        for (xc, yc) in x.chunks(BLOCK).zip(y.chunks_mut(BLOCK)) {
            self.buf.clear();
            self.buf.extend(xc.iter().map(|v| v.to_f64()));
            run_sections(&self.sos.sections, &mut self.state, &mut self.buf);
            for (o, &v) in yc.iter_mut().zip(&self.buf) {
                *o = U::from_f64(v);
            }
        }
        Ok(())
    }

    /// Filter the next chunk in place.
    pub fn process_in_place<T: Sample>(&mut self, x: &mut [T]) {
        for xc in x.chunks_mut(BLOCK) {
            self.buf.clear();
            self.buf.extend(xc.iter().map(|v| v.to_f64()));
            run_sections(&self.sos.sections, &mut self.state, &mut self.buf);
            for (o, &v) in xc.iter_mut().zip(&self.buf) {
                *o = T::from_f64(v);
            }
        }
    }
}
