//! Level 5b: infant background activity and vigilance states.
//!
//! Besides the neural-mass regions, every region carries a **background source** (nA·m): the
//! activity of the cortex that the coarse regions do not resolve. It is built from
//!
//! * a 1/f² process (an Ornstein–Uhlenbeck process with a 1 s correlation time, so the 1/f²
//!   fall continues down to ~0.2 Hz, then a one-pole low-pass at 12 Hz for the steeper fall of
//!   real EEG above ~10 Hz), 90 % of the slow variance,
//! * a delta resonator (AR(2) at 1.5 Hz, bandwidth 2 Hz), 10 % — infant EEG is delta-dominated,
//! * a theta resonator (AR(2) at 4 Hz, bandwidth 3 Hz), 0.12 of the slow part's amplitude in
//!   the neonatal calibration, and an alpha-band resonator (AR(2) at 9 Hz), absent there.
//!
//! **Maturity.** Infant EEG changes quickly over the first months: the delta-dominated neonatal
//! background gains theta and faster activity as the infant grows (and EIMFS starts anywhere
//! from the first days to ~6 months of age). Each recording draws a maturity `m = u³` with `u`
//! uniform in [0, 1] from its seed, so that half the recordings lie within an eighth of the range
//! from the calibrated neonatal end ([`Background::maturity`];
//! [`crate::output::Config::background_maturity`] fixes it): the theta resonator's amplitude is 0.12 + 0.53 m of the slow part's, an alpha-band
//! resonator (9 Hz, bandwidth 3 Hz) is added with amplitude 0.25 m, and the 1/f² part's low-pass
//! pole moves from 12 Hz to 30 Hz. `m` = 0 is the neonatal calibration below; at `m` = 1 the
//! background source alone has about 60 % delta, 30 % theta and 8 % alpha power. A detector
//! trained on simulator output thus sees backgrounds from neonatal to older-infant spectra and
//! cannot take "more theta than a neonate" for a seizure. The older end is not calibrated to
//! measured spectra (none were available); it spans what the detector must not call ictal.
//!
//! The components are mixed from a region-specific part (60 % of the variance), a
//! hemisphere-shared part (25 %) and a whole-brain part (15 %), so that the background is
//! spatially correlated before the lead field smooths it further. Amplitudes follow a
//! **vigilance state** (quiet sleep, active sleep, wake),
//! a semi-Markov chain with exponential dwell times (means 20, 25 and 15 min; infant sleep cycles
//! last ~50–60 min): in quiet sleep the delta and 1/f parts are 1.4× larger and theta and alpha
//! 0.6×, in wake 0.8× and 1.2×. State changes ramp over 30 s.
//!
//! **Texture.** Real neonatal background is not a stationary Gaussian process. Three features of it
//! are simulated, both drawn per recording from the seed and written to the truth JSON:
//! * **discontinuity** `d = u²` in [0, 1]: bursts (2–6 s) alternate with lower-amplitude
//!   interbursts (3–10 s) whose amplitude is 1 − 0.75 d of the continuous background, the burst
//!   amplitude rising so that the RMS is unchanged (tracé alternant of quiet sleep; in
//!   encephalopathic neonates a discontinuous background in every state). Full `d` applies in
//!   quiet sleep, 0.35 d in the other states. The envelope is shared by all regions.
//! * **sharp transients**, 0–6 per minute: at a random region, a sharp wave (≈ 50 ms) and a
//!   slower opposite wave, 1.5–4× a region's background RMS (≈ 50–130 µV at the nearest
//!   electrode), as the scattered sharp transients of normal neonatal EEG.
//! * **isolated slow waves**, 0–20 per minute: one cycle (0.5–1.5 Hz) of a Hann-windowed sine at
//!   a random region, 1.5–4× a region's background RMS, following the burst envelope. Neonatal
//!   delta activity is made of such discrete waves; in the Helsinki clips the detector's
//!   spectral peak concentration and autocorrelation peak lay at the 70th–100th percentile of the
//!   simulated Gaussian background.
//!
//! **Slow-wave dominance.** Neonatal backgrounds differ most in how much of their power lies in
//! the slowest delta: in the 9 seizure-free Helsinki clips (median over the 16 double-banana
//! derivations, Welch 8 s over each 30-s clip) the 0.5–1 Hz band holds 34–79 % of the 0.5–25 Hz
//! power (median 43 %; 1–2 Hz 12–38 %, 2–4 Hz 2–20 %), and the three clips dominated by it
//! (62–79 %) have the largest amplitudes (derivation RMS 39–104 µV against 6.5–26 µV). The
//! calibrated background below reproduces the median spectrum but not this spread (38 % in
//! 0.5–1 Hz at every seed). Each recording therefore draws a
//! slow-wave dominance `s = 2.5 u²` (`u` uniform in [0, 1], its own seed stream;
//! [`crate::output::Config::background_slow_dominance`] fixes it): a narrow-band sub-delta
//! resonator (0.6 Hz, bandwidth 0.5 Hz), mixed across regions like the other components and
//! following the vigilance state and burst envelope, is added to the slow part with amplitude
//! `s` (variance `s²` of the calibrated slow part's). `s` = 0 leaves the calibrated background
//! unchanged; at maturity 0 the double-banana 0.5–1 / 1–2 / 2–4 Hz shares are 0.38 / 0.33 /
//! 0.18 at `s` = 0, 0.66 / 0.23 / 0.08 at `s` = 1 and 0.79 / 0.17 / 0.03 at `s` = 2.5, with the
//! RMS rising from 17 to 54 µV (test `slow_wave_dominance_spans_the_neonatal_range`), like the
//! slowest Helsinki clips (0.79 / 0.14 / 0.02 at 104 µV, 0.63 / 0.19 / 0.07 at 39 µV). The clip
//! figures come from `bench/background_spectrum.py --bands`; the mapping from `u` to `s` is a
//! modelling choice that spreads recordings over the measured range.
//!
//! Calibration: the 16 Helsinki neonatal clips in `../shared/data/helsinki-dev` (Stevenson et al.,
//! Sci Data 2019) have, in 0.5–30 Hz, a median per-channel RMS of 8–28 µV in the clips without
//! seizures (typically ~20 µV), a spectral slope of −2.1 to −2.9 between 1 and 20 Hz, and 80–95 %
//! of the power in delta. In the 12 double-banana derivations of the 9 seizure-free clips the
//! median spectrum (Welch, 4 s) falls monotonically from 0.5 Hz: relative to the 0.5–30 Hz total,
//! log10 power density is −0.50 at 0.5 Hz, −0.97 at 1 Hz, −1.58 at 2, −2.10 at 4, −2.82 at 8,
//! −3.54 at 16 and −4.32 at 30 Hz; delta (0.5–4 Hz) holds 91 %, theta 5 %, alpha 1.6 %, beta
//! 1.5 %, and the 90 % spectral edge is 3.75 Hz. The components above were chosen to follow that
//! curve (after the amplifier's 0.3 Hz high-pass) within ~0.2 log units from 0.75 to 20 Hz; the
//! neural-mass regions add the rest (see [`crate::render`]). [`BACKGROUND_NAM`] is set so the
//! simulated default reaches a median channel RMS of ~20 µV (tests check RMS, slope, delta
//! fraction and spectral edge against those figures).

use serde::{Deserialize, Serialize};

use crate::rng::Stream;

/// RMS of one region's background source in active sleep, nA·m.
pub const BACKGROUND_NAM: f64 = 16.0;

/// Vigilance state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VigilanceState {
    /// Quiet (non-REM-like) sleep: high-voltage slow activity.
    QuietSleep,
    /// Active (REM-like) sleep.
    ActiveSleep,
    /// Wake.
    Wake,
}

impl VigilanceState {
    /// Name used in files.
    pub fn name(self) -> &'static str {
        match self {
            VigilanceState::QuietSleep => "quiet_sleep",
            VigilanceState::ActiveSleep => "active_sleep",
            VigilanceState::Wake => "wake",
        }
    }
    /// Mean dwell time, s.
    pub fn mean_dwell_s(self) -> f64 {
        match self {
            VigilanceState::QuietSleep => 1200.0,
            VigilanceState::ActiveSleep => 1500.0,
            VigilanceState::Wake => 900.0,
        }
    }
    /// Scale of the slow (1/f and delta) background.
    pub fn slow_scale(self) -> f64 {
        match self {
            VigilanceState::QuietSleep => 1.4,
            VigilanceState::ActiveSleep => 1.0,
            VigilanceState::Wake => 0.8,
        }
    }
    /// Scale of the theta background.
    pub fn theta_scale(self) -> f64 {
        match self {
            VigilanceState::QuietSleep => 0.6,
            VigilanceState::ActiveSleep => 1.0,
            VigilanceState::Wake => 1.2,
        }
    }
}

/// One state period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatePeriod {
    /// State.
    pub state: VigilanceState,
    /// Start, s.
    pub start: f64,
    /// End, s.
    pub end: f64,
}

/// Draw the sequence of vigilance states for `duration` seconds.
pub fn vigilance_states(duration: f64, seed: u64) -> Vec<StatePeriod> {
    let mut s = Stream::new(seed, 0x5EEF);
    let all = [VigilanceState::QuietSleep, VigilanceState::ActiveSleep, VigilanceState::Wake];
    let mut state = all[(s.uniform() * 3.0) as usize % 3];
    let mut t = 0.0;
    let mut out = Vec::new();
    while t < duration {
        let d = s.exponential(state.mean_dwell_s()).max(60.0);
        let end = (t + d).min(duration);
        out.push(StatePeriod { state, start: t, end });
        t = end;
        // Sleep cycles: quiet ↔ active; wake from either, sleep again from wake.
        let u = s.uniform();
        state = match state {
            VigilanceState::QuietSleep => {
                if u < 0.75 {
                    VigilanceState::ActiveSleep
                } else {
                    VigilanceState::Wake
                }
            }
            VigilanceState::ActiveSleep => {
                if u < 0.6 {
                    VigilanceState::QuietSleep
                } else {
                    VigilanceState::Wake
                }
            }
            VigilanceState::Wake => VigilanceState::ActiveSleep,
        };
    }
    out
}

/// Slow and theta amplitude scales at time `t`, with 30 s linear ramps at state changes.
pub fn state_scales(states: &[StatePeriod], t: f64) -> (f64, f64) {
    let ramp = 30.0;
    let k = states.partition_point(|p| p.end <= t).min(states.len().saturating_sub(1));
    let cur = states[k].state;
    let (mut a, mut b) = (cur.slow_scale(), cur.theta_scale());
    if k > 0 {
        let since = t - states[k].start;
        if since < ramp {
            let prev = states[k - 1].state;
            let w = since / ramp;
            a = prev.slow_scale() * (1.0 - w) + a * w;
            b = prev.theta_scale() * (1.0 - w) + b * w;
        }
    }
    (a, b)
}

/// A second-order resonator x[n] = a1 x[n−1] + a2 x[n−2] + g·w[n], normalised to unit variance.
#[derive(Clone, Copy, Debug)]
struct Resonator {
    a1: f64,
    a2: f64,
    gain: f64,
    x1: f64,
    x2: f64,
}

impl Resonator {
    fn new(f0: f64, bandwidth: f64, fs: f64) -> Resonator {
        let r = libm::exp(-std::f64::consts::PI * bandwidth / fs);
        let a1 = 2.0 * r * libm::cos(2.0 * std::f64::consts::PI * f0 / fs);
        let a2 = -r * r;
        // Stationary variance of AR(2) with unit innovations.
        let var = (1.0 - a2) / ((1.0 + a2) * ((1.0 - a2) * (1.0 - a2) - a1 * a1));
        Resonator { a1, a2, gain: 1.0 / var.sqrt(), x1: 0.0, x2: 0.0 }
    }
    #[inline]
    fn step(&mut self, w: f64) -> f64 {
        let x = self.a1 * self.x1 + self.a2 * self.x2 + self.gain * w;
        self.x2 = self.x1;
        self.x1 = x;
        x
    }
}

/// An OU process followed by a one-pole low-pass, scaled to unit stationary variance.
///
/// The OU process alone is 1/f² above its corner; real neonatal EEG falls faster above ~10 Hz
/// (log-log slope −2.4 from 8 to 16 Hz and −2.9 from 16 to 30 Hz in the Helsinki clips), which
/// the low-pass pole provides.
#[derive(Clone, Copy, Debug)]
struct Ou {
    a: f64,
    b: f64,
    c: f64,
    gain: f64,
    x: f64,
    y: f64,
}

impl Ou {
    fn new(tau_s: f64, lowpass_hz: f64, fs: f64) -> Ou {
        let a = libm::exp(-1.0 / (tau_s * fs));
        let c = libm::exp(-2.0 * std::f64::consts::PI * lowpass_hz / fs);
        // y = (1 − c) Σ c^k x[n−k] with x of unit variance and autocorrelation a^|m|:
        // var y = (1 − c)² / (1 − c²) · (1 + ac) / (1 − ac).
        let var = (1.0 - c) * (1.0 - c) / (1.0 - c * c) * (1.0 + a * c) / (1.0 - a * c);
        Ou { a, b: (1.0 - a * a).sqrt(), c, gain: 1.0 / var.sqrt(), x: 0.0, y: 0.0 }
    }
    #[inline]
    fn step(&mut self, w: f64) -> f64 {
        self.x = self.a * self.x + self.b * w;
        self.y = self.c * self.y + (1.0 - self.c) * self.x;
        self.gain * self.y
    }
}

/// Amplitude of the 1/f² (OU) part in the slow background (variance 0.9025).
const SLOW_OU: f64 = 0.95;
/// Amplitude of the delta resonator in the slow background (variance 0.0975: 0.9025 + 0.0975 = 1).
const SLOW_DELTA: f64 = 0.3122;
/// Amplitude of the theta resonator relative to the slow background at maturity 0 (neonatal).
const THETA: f64 = 0.12;
/// Rise of the theta amplitude from maturity 0 to 1.
const THETA_MATURITY: f64 = 0.53;
/// Amplitude of the alpha-band resonator (9 Hz, bandwidth 3 Hz) at maturity 1 (0 at maturity 0).
const ALPHA_MATURITY: f64 = 0.25;
/// Largest slow-wave dominance drawn (module documentation).
pub const SLOW_DOMINANCE_MAX: f64 = 2.5;
/// Centre and bandwidth of the sub-delta resonator of the slow-wave dominance, Hz.
const SUB_DELTA_HZ: (f64, f64) = (0.6, 0.5);

/// Low-pass pole of the 1/f² part at maturity 0 and its rise to maturity 1, Hz.
const LOWPASS_HZ: (f64, f64) = (12.0, 18.0);

/// One background generator: four unit-variance components (1/f², delta, theta, alpha).
#[derive(Clone, Copy, Debug)]
struct Component {
    ou: Ou,
    delta: Resonator,
    theta: Resonator,
    alpha: Resonator,
}

impl Component {
    fn new(fs: f64, maturity: f64) -> Component {
        Component {
            ou: Ou::new(1.0, LOWPASS_HZ.0 + LOWPASS_HZ.1 * maturity, fs),
            delta: Resonator::new(1.5, 2.0, fs),
            theta: Resonator::new(4.0, 3.0, fs),
            alpha: Resonator::new(9.0, 3.0, fs),
        }
    }
    /// Slow part, theta part and alpha part.
    #[inline]
    fn step(&mut self, rng: &mut Stream) -> (f64, f64, f64) {
        let slow = SLOW_OU * self.ou.step(rng.normal()) + SLOW_DELTA * self.delta.step(rng.normal());
        (slow, self.theta.step(rng.normal()), self.alpha.step(rng.normal()))
    }
}

/// Generates the background sources of all regions, sample by sample.
#[derive(Clone, Debug)]
pub struct Background {
    own: Vec<Component>,
    hemi: [Component; 2],
    global: Component,
    hemisphere_of: Vec<usize>,
    rng: Stream,
    /// RMS of each source in active sleep, nA·m.
    pub scale_nam: f64,
    fs: f64,
    /// Vigilance states.
    pub states: Vec<StatePeriod>,
    /// Maturity of the background in [0, 1] (module documentation).
    pub maturity: f64,
    theta: f64,
    alpha: f64,
    n: u64,
    /// Discontinuity of the background in [0, 1] (module documentation).
    pub discontinuity: f64,
    /// Rate of sharp transients over all regions, per minute.
    pub transient_rate_per_min: f64,
    /// Rate of isolated slow waves over all regions, per minute.
    pub slow_wave_rate_per_min: f64,
    slow_waves: SlowWaves,
    bursts: Bursts,
    transients: Transients,
    /// Slow-wave dominance: amplitude of the sub-delta component relative to the calibrated
    /// slow part (module documentation).
    pub slow_dominance: f64,
    sub: SubDelta,
}

/// The sub-delta resonators of the slow-wave dominance (one per region, per hemisphere and one
/// shared), with their own random stream so that the rest of the background is the same
/// whatever the dominance.
#[derive(Clone, Debug)]
struct SubDelta {
    rng: Stream,
    own: Vec<Resonator>,
    hemi: [Resonator; 2],
    global: Resonator,
}

/// Texture of the background (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Texture {
    /// Discontinuity in [0, 1].
    pub discontinuity: f64,
    /// Sharp transients over all regions, per minute.
    pub sharp_per_min: f64,
    /// Isolated slow waves over all regions, per minute.
    pub slow_waves_per_min: f64,
}

/// Burst–interburst alternation (tracé alternant / discontinuous background): a two-state
/// renewal process whose envelope is smoothed with a 0.2 s time constant.
#[derive(Clone, Debug)]
struct Bursts {
    rng: Stream,
    in_burst: bool,
    next_switch: f64,
    env: f64,
    smooth: f64,
}

/// Mean burst and interburst durations, s (tracé alternant: bursts of 2–6 s, interbursts 3–10 s).
const BURST_S: (f64, f64) = (2.0, 6.0);
/// Interburst durations, s.
const INTERBURST_S: (f64, f64) = (3.0, 10.0);
/// Interburst amplitude at full discontinuity, relative to the continuous background.
const INTERBURST_LEVEL: f64 = 0.25;
/// Share of the discontinuity outside quiet sleep.
const DISCONTINUITY_AWAKE: f64 = 0.35;

impl Bursts {
    fn new(seed: u64, fs: f64) -> Bursts {
        let mut rng = Stream::new(seed, 0xB5A7);
        let first = rng.range(0.0, INTERBURST_S.1);
        Bursts { rng, in_burst: false, next_switch: first, env: 1.0, smooth: 1.0 - libm::exp(-1.0 / (0.2 * fs)) }
    }
    /// Envelope at time `t` for an effective discontinuity `d`: burst and interburst levels
    /// whose mean square over a cycle is 1, so the RMS of the background is unchanged.
    #[inline]
    fn step(&mut self, t: f64, d: f64) -> f64 {
        while t >= self.next_switch {
            self.in_burst = !self.in_burst;
            let (lo, hi) = if self.in_burst { BURST_S } else { INTERBURST_S };
            self.next_switch += self.rng.range(lo, hi);
        }
        let low = 1.0 - (1.0 - INTERBURST_LEVEL) * d;
        // Mean burst share 4 / (4 + 6.5).
        let fb = 4.0 / 10.5;
        let high = ((1.0 - (1.0 - fb) * low * low) / fb).sqrt();
        let target = if self.in_burst { high } else { low };
        self.env += (target - self.env) * self.smooth;
        self.env
    }
}

/// Sporadic sharp transients of the neonatal background: a sharp surface-negative wave
/// (≈ 60 ms) followed by a slower opposite wave (≈ 200 ms), at one random region each, with
/// amplitudes 1.5–4 times the background source RMS (≈ 50–130 µV at the nearest electrode). Normal neonatal EEG has them (frontal sharp
/// transients, scattered temporal and central sharp waves), and a seizure detector must not take
/// them for ictal activity.
#[derive(Clone, Debug)]
struct Transients {
    rng: Stream,
    rate_per_s: f64,
    /// Active transients: (region, start sample, amplitude).
    active: Vec<(usize, u64, f64)>,
}

/// Duration of a transient's waveform, s.
const TRANSIENT_S: f64 = 0.4;

/// Isolated slow waves of the neonatal background: one cycle (0.5–1.5 Hz) of a Hann-windowed
/// sine at a random region, 1.5–4 times the background source RMS, scaled by the burst envelope.
/// The delta activity of real neonatal EEG is made of such discrete waves: a few large ones
/// dominate each window's spectrum, which a stationary Gaussian process never does.
#[derive(Clone, Debug)]
struct SlowWaves {
    rng: Stream,
    rate_per_s: f64,
    /// Active waves: (region, start sample, amplitude, frequency in Hz).
    active: Vec<(usize, u64, f64, f64)>,
}

impl SlowWaves {
    /// Waveform at phase `x` in [0, 1) of its single cycle.
    #[inline]
    fn shape(x: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * x;
        libm::sin(w) * 0.5 * (1.0 - libm::cos(w))
    }
}

impl Transients {
    /// Waveform at time `x` s after its start (peak −1 at 30 ms).
    #[inline]
    fn shape(x: f64) -> f64 {
        let sharp = -libm::exp(-((x - 0.03) / 0.025).powi(2));
        let slow = 0.35 * libm::exp(-((x - 0.15) / 0.08).powi(2));
        sharp + slow
    }
}

impl Background {
    /// Background for regions whose hemispheres are given (0 = left, 1 = right), with the
    /// maturity drawn from `seed`.
    pub fn new(hemisphere_of: Vec<usize>, fs: f64, duration: f64, seed: u64, scale_nam: f64) -> Background {
        let u = Stream::new(seed, 0x3A7E).uniform();
        // Cubed: half of the recordings have m < 0.125, near the calibrated neonatal end.
        let maturity = u * u * u;
        Background::with_maturity(hemisphere_of, fs, duration, seed, scale_nam, maturity)
    }

    /// Background with a given maturity in [0, 1] (clamped).
    pub fn with_maturity(hemisphere_of: Vec<usize>, fs: f64, duration: f64, seed: u64, scale_nam: f64, maturity: f64) -> Background {
        let n = hemisphere_of.len();
        let m = maturity.clamp(0.0, 1.0);
        let mut bg = Background {
            own: vec![Component::new(fs, m); n],
            hemi: [Component::new(fs, m), Component::new(fs, m)],
            global: Component::new(fs, m),
            hemisphere_of,
            rng: Stream::new(seed, 0xB0C6),
            scale_nam,
            fs,
            states: vigilance_states(duration, seed),
            maturity: m,
            theta: THETA + THETA_MATURITY * m,
            alpha: ALPHA_MATURITY * m,
            n: 0,
            discontinuity: 0.0,
            transient_rate_per_min: 0.0,
            slow_wave_rate_per_min: 0.0,
            slow_waves: SlowWaves { rng: Stream::new(seed, 0x51D0), rate_per_s: 0.0, active: Vec::new() },
            bursts: Bursts::new(seed, fs),
            transients: Transients { rng: Stream::new(seed, 0x5A7C), rate_per_s: 0.0, active: Vec::new() },
            slow_dominance: 0.0,
            sub: {
                let r = Resonator::new(SUB_DELTA_HZ.0, SUB_DELTA_HZ.1, fs);
                SubDelta { rng: Stream::new(seed, 0x50D0), own: vec![r; n], hemi: [r, r], global: r }
            },
        };
        let u = Stream::new(seed, 0x50D1).uniform();
        bg.set_slow_dominance(SLOW_DOMINANCE_MAX * u * u);
        // Discontinuity and transient rate from the seed: most recordings nearly continuous,
        // some markedly discontinuous (as in encephalopathic neonates).
        let mut s = Stream::new(seed, 0xD15C);
        let u = s.uniform();
        let sharp = s.range(0.0, 6.0);
        let slow = s.range(0.0, 20.0);
        bg.set_texture(Texture { discontinuity: u * u, sharp_per_min: sharp, slow_waves_per_min: slow });
        bg
    }

    /// Set the texture: discontinuity in [0, 1], sharp transients and slow waves per minute (≥ 0).
    pub fn set_texture(&mut self, t: Texture) {
        self.discontinuity = t.discontinuity.clamp(0.0, 1.0);
        self.transient_rate_per_min = t.sharp_per_min.max(0.0);
        self.transients.rate_per_s = self.transient_rate_per_min / 60.0;
        self.slow_wave_rate_per_min = t.slow_waves_per_min.max(0.0);
        self.slow_waves.rate_per_s = self.slow_wave_rate_per_min / 60.0;
    }

    /// Set the slow-wave dominance (≥ 0; module documentation).
    pub fn set_slow_dominance(&mut self, s: f64) {
        self.slow_dominance = s.max(0.0);
    }

    /// Next sample of every region's background source (nA·m) into `out`.
    pub fn next(&mut self, out: &mut [f64]) {
        let t = self.n as f64 / self.fs;
        self.n += 1;
        let (s_slow, s_theta) = state_scales(&self.states, t);
        let k = self.states.partition_point(|p| p.end <= t).min(self.states.len().saturating_sub(1));
        let quiet = self.states.get(k).map(|p| p.state == VigilanceState::QuietSleep).unwrap_or(false);
        let d = self.discontinuity * if quiet { 1.0 } else { DISCONTINUITY_AWAKE };
        let env = self.bursts.step(t, d);
        let g = self.global.step(&mut self.rng);
        let h = [self.hemi[0].step(&mut self.rng), self.hemi[1].step(&mut self.rng)];
        let (wo, wh, wg) = (0.6f64.sqrt(), 0.25f64.sqrt(), 0.15f64.sqrt());
        for (i, o) in out.iter_mut().enumerate() {
            let own = self.own[i].step(&mut self.rng);
            let hh = h[self.hemisphere_of[i].min(1)];
            let slow = wo * own.0 + wh * hh.0 + wg * g.0;
            let theta = wo * own.1 + wh * hh.1 + wg * g.1;
            let alpha = wo * own.2 + wh * hh.2 + wg * g.2;
            // slow part has variance 1 (0.9025 + 0.0975), theta and alpha scaled to
            // `self.theta` and `self.alpha` of it (faster rhythms follow the theta state scale).
            *o = env * self.scale_nam * (s_slow * slow + s_theta * (self.theta * theta + self.alpha * alpha));
        }
        if self.slow_dominance > 0.0 {
            let sd = &mut self.sub;
            let g = sd.global.step(sd.rng.normal());
            let h = [sd.hemi[0].step(sd.rng.normal()), sd.hemi[1].step(sd.rng.normal())];
            let a = env * self.scale_nam * s_slow * self.slow_dominance;
            for (i, o) in out.iter_mut().enumerate() {
                let own = sd.own[i].step(sd.rng.normal());
                *o += a * (wo * own + wh * h[self.hemisphere_of[i].min(1)] + wg * g);
            }
        }
        // Sharp transients (one Bernoulli draw per sample; the stream advances the same way
        // whatever the rate, so the rest of the background does not depend on it).
        let u = self.transients.rng.uniform();
        let r = self.transients.rng.uniform();
        let amp_u = self.transients.rng.uniform();
        if !out.is_empty() && u < self.transients.rate_per_s / self.fs {
            let region = ((r * out.len() as f64) as usize).min(out.len() - 1);
            self.transients.active.push((region, self.n - 1, self.scale_nam * (1.5 + 2.5 * amp_u)));
        }
        let now = self.n - 1;
        let fs = self.fs;
        self.transients.active.retain(|&(_, start, _)| ((now - start) as f64) / fs < TRANSIENT_S);
        for &(region, start, amp) in &self.transients.active {
            out[region] += amp * Transients::shape((now - start) as f64 / fs);
        }
        // Slow waves (the same scheme), scaled by the burst envelope.
        let u = self.slow_waves.rng.uniform();
        let r = self.slow_waves.rng.uniform();
        let amp_u = self.slow_waves.rng.uniform();
        let f_u = self.slow_waves.rng.uniform();
        let sign = if self.slow_waves.rng.uniform() < 0.5 { -1.0 } else { 1.0 };
        if !out.is_empty() && u < self.slow_waves.rate_per_s / self.fs {
            let region = ((r * out.len() as f64) as usize).min(out.len() - 1);
            self.slow_waves.active.push((region, now, sign * self.scale_nam * (1.5 + 2.5 * amp_u), 0.5 + f_u));
        }
        self.slow_waves.active.retain(|&(_, start, _, f)| ((now - start) as f64) / fs * f < 1.0);
        for &(region, start, amp, f) in &self.slow_waves.active {
            out[region] += env * amp * SlowWaves::shape((now - start) as f64 / fs * f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_cover_the_recording() {
        let st = vigilance_states(7200.0, 3);
        assert_eq!(st[0].start, 0.0);
        assert_eq!(st.last().unwrap().end, 7200.0);
        for w in st.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_ne!(w[0].state, w[1].state);
        }
        let (a, b) = state_scales(&st, 10.0);
        assert_eq!((a, b), (st[0].state.slow_scale(), st[0].state.theta_scale()));
    }

    #[test]
    fn sources_have_the_calibrated_rms() {
        let mut bg = Background::with_maturity(vec![0, 0, 1], 256.0, 600.0, 1, 10.0, 0.0);
        bg.set_slow_dominance(0.0);
        bg.states = vec![StatePeriod { state: VigilanceState::ActiveSleep, start: 0.0, end: 1e9 }];
        let mut buf = [0.0; 3];
        let n = 256 * 600;
        let mut ss = [0.0; 3];
        for _ in 0..n {
            bg.next(&mut buf);
            for k in 0..3 {
                ss[k] += buf[k] * buf[k];
            }
        }
        for v in ss {
            let rms = (v / n as f64).sqrt();
            // unit-variance slow part plus 0.12 theta: sqrt(1 + 0.0144) = 1.007.
            assert!((rms / 10.0 - 1.007).abs() < 0.12, "{rms}");
        }
    }
}
