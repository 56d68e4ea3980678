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
///
/// Sections are applied in groups of up to four, sample by sample within a group: the
/// recurrences of different sections then overlap in the CPU pipeline instead of running one
/// long dependency chain per section. The arithmetic of every section and sample is the same as
/// scipy's (direct form II transposed, no fused multiply-add), so results do not depend on the
/// grouping.
#[inline]
fn run_sections(sections: &[[f64; 6]], state: &mut [[f64; 2]], buf: &mut [f64]) {
    for (s, z) in sections.chunks(4).zip(state.chunks_mut(4)) {
        match s.len() {
            1 => run_group::<1>(s, z, buf),
            2 => run_group::<2>(s, z, buf),
            3 => run_group::<3>(s, z, buf),
            _ => run_group::<4>(s, z, buf),
        }
    }
}

#[inline]
fn run_group<const K: usize>(sections: &[[f64; 6]], state: &mut [[f64; 2]], buf: &mut [f64]) {
    let c: [[f64; 6]; K] = std::array::from_fn(|k| sections[k]);
    let mut z: [[f64; 2]; K] = std::array::from_fn(|k| state[k]);
    for v in buf.iter_mut() {
        let mut x = *v;
        for k in 0..K {
            let [b0, b1, b2, _, a1, a2] = c[k];
            let y = b0 * x + z[k][0];
            z[k][0] = b1 * x - a1 * y + z[k][1];
            z[k][1] = b2 * x - a2 * y;
            x = y;
        }
        *v = x;
    }
    state.copy_from_slice(&z);
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

/// Tolerance used to size [`ZeroPhaseStream`]'s margin: the impulse response must have decayed
/// below this fraction of its peak.
const MARGIN_TOL: f64 = 1e-12;

impl Sos {
    /// Number of samples after which the impulse response stays below `tol` × its peak (checked
    /// over a further 4096 samples; capped at 2²⁴).
    pub fn settling_samples(&self, tol: f64) -> usize {
        const CAP: usize = 1 << 24;
        const QUIET: usize = 4096;
        let mut f = SosFilter::new(self.clone());
        let mut buf = vec![0.0f64; QUIET];
        buf[0] = 1.0;
        let (mut peak, mut last_loud, mut n) = (0.0f64, 0usize, 0usize);
        loop {
            f.process_in_place(&mut buf);
            peak = buf.iter().fold(peak, |m, v| m.max(v.abs()));
            for (i, v) in buf.iter().enumerate() {
                if v.abs() >= tol * peak {
                    last_loud = n + i;
                }
            }
            n += QUIET;
            if n - last_loud > QUIET || n >= CAP {
                return last_loud + 1;
            }
            buf.iter_mut().for_each(|v| *v = 0.0);
        }
    }
}

/// Zero-phase (forward-backward) filtering of an unbounded stream with bounded memory.
///
/// The forward pass is causal and exact. The backward pass runs over blocks, each started
/// `margin` samples further on (from the steady state of the forward output there), so the
/// error of starting it early has decayed below 10⁻¹² of the impulse response peak by the time
/// outputs are kept; at the end of the stream the backward pass starts from scipy's odd
/// extension, exactly as [`sosfiltfilt`]. The output therefore equals [`sosfiltfilt`] over the
/// whole signal to about 1e-10 relative (tested), while holding only about `block + margin`
/// samples. Outputs lag the input by up to `block + margin` samples.
///
/// ```
/// use eimfs_signal::filter::{sosfiltfilt, Band, Sos, ZeroPhaseStream};
/// let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), 256.0).unwrap();
/// let x: Vec<f32> = (0..100_000).map(|i| (i as f32 * 0.01).sin() * 40.0 + (i as f32 * 0.7).cos() * 5.0).collect();
/// let whole = sosfiltfilt(&sos, &x).unwrap();
/// let mut z = ZeroPhaseStream::new(sos).unwrap();
/// let mut out = Vec::new();
/// for chunk in x.chunks(1000) {
///     z.push(chunk, &mut out).unwrap();
/// }
/// z.finish(&mut out).unwrap();
/// assert_eq!(out.len(), x.len());
/// assert!(out.iter().zip(&whole).all(|(a, b)| (a - b).abs() < 1e-4));
/// ```
#[derive(Clone, Debug)]
pub struct ZeroPhaseStream {
    sos: Sos,
    zi: Vec<[f64; 2]>,
    edge: usize,
    margin: usize,
    block: usize,
    fwd_state: Vec<[f64; 2]>,
    /// Raw input held until the start extension can be built (first `edge + 1` samples).
    head: Vec<f64>,
    started: bool,
    /// Forward-filtered samples from absolute index `emitted` on.
    fwd: Vec<f64>,
    /// The last `edge + 1` raw samples (for the end extension).
    tail: Vec<f64>,
    received: usize,
    emitted: usize,
    scratch: Vec<f64>,
}

impl ZeroPhaseStream {
    /// A stream with the margin sized from the filter's impulse response and blocks of
    /// `max(4 × margin, 65 536)` samples.
    pub fn new(sos: Sos) -> Result<ZeroPhaseStream> {
        let margin = sos.settling_samples(MARGIN_TOL);
        ZeroPhaseStream::with_block(sos, margin, (4 * margin).max(1 << 16))
    }

    /// A stream with an explicit margin and block length (both at least 1).
    pub fn with_block(sos: Sos, margin: usize, block: usize) -> Result<ZeroPhaseStream> {
        if margin == 0 || block == 0 {
            return Err(Error::FilterDesign(format!("zero-phase stream needs margin and block ≥ 1, got {margin} and {block}")));
        }
        let zi = sos.zi();
        let edge = sos.padlen();
        let n = sos.sections.len();
        Ok(ZeroPhaseStream {
            sos,
            zi,
            edge,
            margin,
            block,
            fwd_state: vec![[0.0; 2]; n],
            head: Vec::new(),
            started: false,
            fwd: Vec::new(),
            tail: Vec::new(),
            received: 0,
            emitted: 0,
            scratch: Vec::new(),
        })
    }

    /// The backward-pass margin in samples.
    pub fn margin(&self) -> usize {
        self.margin
    }

    /// The block length in samples.
    pub fn block(&self) -> usize {
        self.block
    }

    /// Samples received and not yet output.
    pub fn pending(&self) -> usize {
        self.received - self.emitted
    }

    fn forward(&mut self, x: &[f64]) {
        let start = self.fwd.len();
        self.fwd.extend_from_slice(x);
        run_sections(&self.sos.sections, &mut self.fwd_state, &mut self.fwd[start..]);
    }

    fn start(&mut self) {
        // Odd extension at the start, 2·x[0] − x[edge..0], filtered from steady state at its
        // first sample; only the state after it matters.
        let head = std::mem::take(&mut self.head);
        let x0 = head[0];
        let mut ext: Vec<f64> = (0..self.edge).map(|i| 2.0 * x0 - head[self.edge - i]).collect();
        let e0 = ext.first().copied().unwrap_or(x0);
        self.fwd_state = self.zi.iter().map(|z| [z[0] * e0, z[1] * e0]).collect();
        run_sections(&self.sos.sections, &mut self.fwd_state, &mut ext);
        self.started = true;
        self.forward(&head);
    }

    /// Feed the next samples; appends every output sample that is ready (whole blocks).
    pub fn push<T: Sample>(&mut self, x: &[T], out: &mut Vec<T>) -> Result<()> {
        let xs: Vec<f64> = x.iter().map(|v| v.to_f64()).collect();
        self.received += xs.len();
        self.tail.extend_from_slice(&xs);
        if self.tail.len() > 2 * (self.edge + 1) {
            self.tail.drain(..self.tail.len() - (self.edge + 1));
        }
        if !self.started {
            self.head.extend_from_slice(&xs);
            if self.head.len() > self.edge {
                self.start();
            }
        } else {
            self.forward(&xs);
        }
        while self.started && self.fwd.len() >= self.block + self.margin {
            // Backward from `block + margin − 1` (steady state there), keep the first `block`.
            let end = self.block + self.margin;
            self.scratch.clear();
            self.scratch.extend(self.fwd[..end].iter().rev());
            let y0 = self.scratch[0];
            let mut state: Vec<[f64; 2]> = self.zi.iter().map(|z| [z[0] * y0, z[1] * y0]).collect();
            run_sections(&self.sos.sections, &mut state, &mut self.scratch);
            out.extend(self.scratch[self.margin..].iter().rev().map(|&v| T::from_f64(v)));
            self.fwd.drain(..self.block);
            self.emitted += self.block;
        }
        Ok(())
    }

    /// End of the stream: appends the remaining output, computed exactly as [`sosfiltfilt`]
    /// does at the end of a signal. Fails if the whole stream was not longer than the filter's
    /// pad length.
    pub fn finish<T: Sample>(&mut self, out: &mut Vec<T>) -> Result<()> {
        if !self.started {
            return Err(Error::TooShort {
                what: format!("zero-phase stream (padlen {})", self.edge),
                len: self.received,
                needed: self.edge,
            });
        }
        let n = self.tail.len();
        let last = self.tail[n - 1];
        let ext: Vec<f64> = (0..self.edge).map(|j| 2.0 * last - self.tail[n - 2 - j]).collect();
        let keep = self.fwd.len();
        self.forward(&ext);
        self.scratch.clear();
        self.scratch.extend(self.fwd.iter().rev());
        let y0 = self.scratch[0];
        let mut state: Vec<[f64; 2]> = self.zi.iter().map(|z| [z[0] * y0, z[1] * y0]).collect();
        run_sections(&self.sos.sections, &mut state, &mut self.scratch);
        out.extend(self.scratch[self.edge..].iter().rev().map(|&v| T::from_f64(v)));
        debug_assert_eq!(self.scratch.len() - self.edge, keep);
        self.emitted += keep;
        self.fwd.clear();
        Ok(())
    }
}
