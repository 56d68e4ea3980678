//! Level 5c: labelled artefacts and sensor noise.
//!
//! Every artefact is an event with its own type (the `eventType` of the events TSV and the text
//! of the EDF+ annotation) and the channels it affects:
//!
//! | type | what | default rate | duration | amplitude |
//! |---|---|---|---|---|
//! | `artf_mains` | line-noise episode on 1–3 channels (a loosening electrode) | 1 /h | 30 s – 5 min | 15–60 µV at 50/60 Hz |
//! | `artf_musc` | muscle (EMG) burst on 2–5 neighbouring channels, frontal/temporal more often | 12 /h awake, 4 /h asleep | 0.5–5 s | 10–50 µV RMS, 20–100 Hz |
//! | `artf_mvmt` | movement: large slow swings on most channels, with EMG | 6 /h awake, 1.5 /h asleep | 2–15 s | 80–400 µV, 0.3–3 Hz |
//! | `artf_elpp` | electrode pop on one channel: a step that decays | 3 /h | 1 s | 100–600 µV, τ 0.1–1 s |
//! | `artf_flat` | disconnected channel: flat (±1 µV) | 0.5 /h | 1–10 min | — |
//! | `artf_elec` | electrode off or at high impedance: its EEG replaced by broadband noise (white mixed with noise low-passed at 1–10 Hz) and mains of peak amplitude 0–2× the noise RMS | 0.5 /h | 10 s – 5 min | 20–150 µV RMS |
//!
//! Events are applied in order of onset; a flat or electrode-off event replaces what the channel
//! held, so an artefact that started before it on that channel does not show during it (its
//! label stays), and one that starts during it is added on top.
//! Besides the events, every channel carries amplifier noise (white, 1.5 µV RMS) and a small
//! continuous mains pickup (1–3 µV per channel, 50 or 60 Hz with its third harmonic at 20 %),
//! which are not labelled. Rates scale with [`ArtefactConfig::rate_scale`]; `--no-artefacts`
//! removes events, mains pickup and keeps only the amplifier noise.

use eimfs_core::Electrode;
use serde::{Deserialize, Serialize};

use crate::background::{StatePeriod, VigilanceState};
use crate::rng::Stream;

/// Artefact configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtefactConfig {
    /// Whether artefacts (events and mains pickup) are added.
    pub enabled: bool,
    /// Mains frequency, Hz (50 or 60).
    pub mains_hz: f64,
    /// Multiplier of all event rates.
    pub rate_scale: f64,
    /// Amplifier noise RMS, µV.
    pub sensor_noise_uv: f64,
}

impl Default for ArtefactConfig {
    fn default() -> Self {
        ArtefactConfig { enabled: true, mains_hz: 50.0, rate_scale: 1.0, sensor_noise_uv: 1.5 }
    }
}

/// Artefact kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArtefactKind {
    /// Line-noise episode.
    Mains,
    /// Muscle burst.
    Muscle,
    /// Movement.
    Movement,
    /// Electrode pop.
    ElectrodePop,
    /// Flat (disconnected) channel.
    Flat,
    /// Disconnected or high-impedance electrode picking up noise: broadband noise and mains in
    /// place of the EEG.
    ElectrodeOff,
}

impl ArtefactKind {
    /// Event type written to the TSV and the EDF+ annotations.
    pub fn event_type(self) -> &'static str {
        match self {
            ArtefactKind::Mains => "artf_mains",
            ArtefactKind::Muscle => "artf_musc",
            ArtefactKind::Movement => "artf_mvmt",
            ArtefactKind::ElectrodePop => "artf_elpp",
            ArtefactKind::Flat => "artf_flat",
            ArtefactKind::ElectrodeOff => "artf_elec",
        }
    }
}

/// One artefact event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artefact {
    /// Kind.
    pub kind: ArtefactKind,
    /// Onset, s.
    pub onset: f64,
    /// Duration, s.
    pub duration: f64,
    /// Affected electrodes.
    pub channels: Vec<Electrode>,
    /// Amplitude parameter, µV.
    pub amplitude_uv: f64,
    /// Seed of this event's waveform.
    pub seed: u64,
}

fn neighbours(e: Electrode, k: usize) -> Vec<Electrode> {
    let mut all: Vec<Electrode> = Electrode::ALL.to_vec();
    all.sort_by(|a, b| e.angle_to(*a).total_cmp(&e.angle_to(*b)));
    all.truncate(k);
    all
}

fn state_at(states: &[StatePeriod], t: f64) -> VigilanceState {
    let k = states.partition_point(|p| p.end <= t).min(states.len().saturating_sub(1));
    states.get(k).map(|p| p.state).unwrap_or(VigilanceState::ActiveSleep)
}

/// Draw the artefact events of a recording.
pub fn draw(cfg: &ArtefactConfig, duration: f64, states: &[StatePeriod], seed: u64) -> Vec<Artefact> {
    if !cfg.enabled || cfg.rate_scale <= 0.0 {
        return Vec::new();
    }
    let mut s = Stream::new(seed, 0xA87E);
    let mut out = Vec::new();
    let dt = 1.0;
    let mut t = 0.0;
    let frontal_temporal =
        [Electrode::Fp1, Electrode::Fp2, Electrode::F7, Electrode::F8, Electrode::T3, Electrode::T4, Electrode::T5, Electrode::T6];
    while t < duration {
        let awake = state_at(states, t) == VigilanceState::Wake;
        let per_h = |r: f64| r * cfg.rate_scale / 3600.0;
        let pick = |s: &mut Stream| Electrode::ALL[(s.uniform() * 19.0) as usize % 19];
        if s.event(per_h(1.0), dt) {
            let e = pick(&mut s);
            let k = 1 + (s.uniform() * 3.0) as usize % 3;
            let d = s.range(30.0, 300.0);
            out.push(Artefact {
                kind: ArtefactKind::Mains,
                onset: t,
                duration: d,
                channels: neighbours(e, k),
                amplitude_uv: s.range(15.0, 60.0),
                seed: s.next_u64(),
            });
        }
        if s.event(per_h(if awake { 12.0 } else { 4.0 }), dt) {
            let e = if s.uniform() < 0.7 { frontal_temporal[(s.uniform() * 8.0) as usize % 8] } else { pick(&mut s) };
            let k = 2 + (s.uniform() * 4.0) as usize % 4;
            let d = s.range(0.5, 5.0);
            out.push(Artefact {
                kind: ArtefactKind::Muscle,
                onset: t + s.uniform(),
                duration: d,
                channels: neighbours(e, k),
                amplitude_uv: s.range(10.0, 50.0),
                seed: s.next_u64(),
            });
        }
        if s.event(per_h(if awake { 6.0 } else { 1.5 }), dt) {
            let e = pick(&mut s);
            let k = 10 + (s.uniform() * 10.0) as usize % 10;
            let d = s.range(2.0, 15.0);
            out.push(Artefact {
                kind: ArtefactKind::Movement,
                onset: t + s.uniform(),
                duration: d,
                channels: neighbours(e, k),
                amplitude_uv: s.range(80.0, 400.0),
                seed: s.next_u64(),
            });
        }
        if s.event(per_h(3.0), dt) {
            let e = pick(&mut s);
            out.push(Artefact {
                kind: ArtefactKind::ElectrodePop,
                onset: t + s.uniform(),
                duration: 1.0,
                channels: vec![e],
                amplitude_uv: s.range(100.0, 600.0),
                seed: s.next_u64(),
            });
        }
        if s.event(per_h(0.5), dt) {
            let e = pick(&mut s);
            out.push(Artefact {
                kind: ArtefactKind::Flat,
                onset: t,
                duration: s.range(60.0, 600.0),
                channels: vec![e],
                amplitude_uv: 0.0,
                seed: s.next_u64(),
            });
        }
        t += dt;
    }
    // Electrodes off and picking up noise: drawn from a stream of their own, so that adding them
    // left every other artefact of a seed as it was.
    let mut s = Stream::new(seed, 0xE0FF);
    let mut t = 0.0;
    while t < duration {
        if s.event(0.5 * cfg.rate_scale / 3600.0, dt) {
            let e = Electrode::ALL[(s.uniform() * 19.0) as usize % 19];
            out.push(Artefact {
                kind: ArtefactKind::ElectrodeOff,
                onset: t + s.uniform(),
                duration: s.range(10.0, 300.0),
                channels: vec![e],
                amplitude_uv: s.range(20.0, 150.0),
                seed: s.next_u64(),
            });
        }
        t += dt;
    }
    for a in &mut out {
        a.duration = a.duration.min(duration - a.onset).max(0.0);
    }
    out.retain(|a| a.duration > 0.0);
    out.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    out
}

/// Add the artefacts, mains pickup and sensor noise to 19 channels of µV data at `fs`
/// (`data[e]` in [`Electrode::ALL`] order).
pub fn apply(cfg: &ArtefactConfig, events: &[Artefact], data: &mut [Vec<f32>], fs: f64, seed: u64) {
    let n = data.first().map(|d| d.len()).unwrap_or(0);
    let two_pi = 2.0 * std::f64::consts::PI;
    let nyq = fs / 2.0;
    let mains_ok = cfg.mains_hz < nyq;
    let mut s = Stream::new(seed, 0x5E45);
    if cfg.enabled && mains_ok {
        for ch in data.iter_mut() {
            let amp = s.range(1.0, 3.0);
            let ph = s.range(0.0, two_pi);
            for (k, v) in ch.iter_mut().enumerate() {
                let t = k as f64 / fs;
                let mut m = amp * libm::sin(two_pi * cfg.mains_hz * t + ph);
                if 3.0 * cfg.mains_hz < nyq {
                    m += 0.2 * amp * libm::sin(3.0 * two_pi * cfg.mains_hz * t + 3.0 * ph);
                }
                *v += m as f32;
            }
        }
    }
    for a in events {
        let i0 = ((a.onset * fs) as usize).min(n);
        let i1 = (((a.onset + a.duration) * fs).ceil() as usize).min(n);
        let mut w = Stream::new(a.seed, 1);
        let len = i1 - i0;
        let taper = |k: usize, width: usize| -> f64 {
            let width = width.max(1);
            if k < width {
                0.5 - 0.5 * libm::cos(std::f64::consts::PI * k as f64 / width as f64)
            } else if len - k <= width {
                0.5 - 0.5 * libm::cos(std::f64::consts::PI * (len - k) as f64 / width as f64)
            } else {
                1.0
            }
        };
        match a.kind {
            ArtefactKind::Mains => {
                if !mains_ok {
                    continue;
                }
                let ph = w.range(0.0, two_pi);
                for e in &a.channels {
                    let amp = a.amplitude_uv * w.range(0.6, 1.0);
                    for k in 0..len {
                        let t = (i0 + k) as f64 / fs;
                        data[e.index()][i0 + k] += (taper(k, (2.0 * fs) as usize) * amp * libm::sin(two_pi * cfg.mains_hz * t + ph)) as f32;
                    }
                }
            }
            ArtefactKind::Muscle => {
                // Band-limited noise ≥ 20 Hz: second difference of white noise, smoothed by a
                // 2-tap average above 100 Hz.
                for e in &a.channels {
                    let amp = a.amplitude_uv * w.range(0.5, 1.0);
                    let (mut w1, mut w2, mut prev) = (0.0, 0.0, 0.0);
                    for k in 0..len {
                        let x = w.normal();
                        let d2 = (x - 2.0 * w1 + w2) / 6f64.sqrt();
                        w2 = w1;
                        w1 = x;
                        let y = if fs > 250.0 { 0.5 * (d2 + prev) * 2f64.sqrt() } else { d2 };
                        prev = d2;
                        data[e.index()][i0 + k] += (taper(k, (0.2 * fs) as usize) * amp * y) as f32;
                    }
                }
            }
            ArtefactKind::Movement => {
                // Sum of three slow sinusoids (0.3–3 Hz) shared across channels with per-channel
                // gains, plus EMG at a quarter of the amplitude.
                let comps: Vec<(f64, f64)> = (0..3).map(|_| (w.range(0.3, 3.0), w.range(0.0, two_pi))).collect();
                for e in &a.channels {
                    let g = w.range(0.3, 1.0) * if w.uniform() < 0.5 { -1.0 } else { 1.0 };
                    for k in 0..len {
                        let t = k as f64 / fs;
                        let slow: f64 = comps.iter().map(|(f, p)| libm::sin(two_pi * f * t + p)).sum::<f64>() / 3f64.sqrt();
                        let emg = 0.25 * w.normal();
                        data[e.index()][i0 + k] += (taper(k, (0.5 * fs) as usize) * a.amplitude_uv * g * (slow + emg)) as f32;
                    }
                }
            }
            ArtefactKind::ElectrodePop => {
                let tau = w.range(0.1, 1.0);
                let sign = if w.uniform() < 0.5 { -1.0 } else { 1.0 };
                for e in &a.channels {
                    for k in i0..n.min(i0 + (6.0 * tau * fs) as usize) {
                        let t = (k - i0) as f64 / fs;
                        data[e.index()][k] += (sign * a.amplitude_uv * libm::exp(-t / tau)) as f32;
                    }
                }
            }
            ArtefactKind::Flat => {
                for e in &a.channels {
                    for v in &mut data[e.index()][i0..i1] {
                        *v = 0.0;
                    }
                }
            }
            ArtefactKind::ElectrodeOff => {
                // The EEG replaced by noise of RMS `amplitude_uv`: white noise mixed with
                // low-passed noise (one pole at 1-10 Hz, scaled to unit variance), and mains of
                // peak amplitude 0-2 times that RMS; abrupt at both ends, as a lead coming off.
                let mix = w.uniform();
                let fc = w.range(1.0, 10.0);
                let alpha = 1.0 - libm::exp(-two_pi * fc / fs);
                let unit = ((2.0 - alpha) / alpha).sqrt();
                let hum = if mains_ok { a.amplitude_uv * w.range(0.0, 2.0) } else { 0.0 };
                let ph = w.range(0.0, two_pi);
                let norm = 1.0 / (mix * mix + (1.0 - mix) * (1.0 - mix)).sqrt();
                for e in &a.channels {
                    let mut lp = 0.0;
                    for k in 0..len {
                        let t = (i0 + k) as f64 / fs;
                        let x = w.normal();
                        lp += alpha * (w.normal() - lp);
                        let noise = norm * (mix * x + (1.0 - mix) * unit * lp);
                        data[e.index()][i0 + k] = (a.amplitude_uv * noise + hum * libm::sin(two_pi * cfg.mains_hz * t + ph)) as f32;
                    }
                }
            }
        }
    }
    // Amplifier noise on every channel (also on flat ones, as a disconnected input still has it,
    // at a third of the level).
    let flat: Vec<(usize, usize, usize)> = events
        .iter()
        .filter(|a| a.kind == ArtefactKind::Flat)
        .flat_map(|a| {
            let i0 = ((a.onset * fs) as usize).min(n);
            let i1 = (((a.onset + a.duration) * fs).ceil() as usize).min(n);
            a.channels.iter().map(move |e| (e.index(), i0, i1))
        })
        .collect();
    let mut noise = Stream::new(seed, 0x401C);
    for (c, ch) in data.iter_mut().enumerate() {
        for (k, v) in ch.iter_mut().enumerate() {
            let mut sd = cfg.sensor_noise_uv;
            if flat.iter().any(|&(fc, i0, i1)| fc == c && k >= i0 && k < i1) {
                sd /= 3.0;
            }
            *v += (sd * noise.normal()) as f32;
        }
    }
}
