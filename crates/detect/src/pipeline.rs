//! The streaming analysis: EDF records → 64 Hz → montage → block statistics → window features →
//! background and context → per-channel ictal probability, one second at a time, in bounded
//! memory.
//!
//! A reader thread decodes the next chunk of records while the current one is processed; within a
//! chunk the channels are processed in parallel (rayon). Memory is one chunk of samples, the last 8
//! blocks of every channel, the features of the seconds waiting for their background (≤ 5 min)
//! with their neighbour sums ([`crate::neighbours`]),
//! the minute medians, and the per-second outputs (a few floats per channel per second: 20 MB for
//! 3 days of 19 channels).
//!
//! EDF+D files are analysed run by run (a run is a stretch of records without gap): filters and
//! windows restart after each gap, seconds inside gaps get no probability.

use std::collections::VecDeque;
use std::path::Path;

use eimfs_core::Electrode;
use eimfs_edf::EdfFile;
use eimfs_signal::montage::Combination;
use eimfs_signal::{ChannelKind, ChannelMap, Montage, MontagePlan};
use rayon::prelude::*;

use crate::decimate::{BLOCK, RateConverter};
use crate::error::{Error, Result};
use crate::features::{
    Background, BlockStats, FullRateAccumulator, NEIGHBOUR_ANTICORRELATION, NF, NRAW, Spectral, WINDOW, WINDOW_AFTER, WINDOW_BEFORE,
    add_context, is_flat, quantile, window_features, with_background,
};
use crate::model::Model;
use crate::neighbours::Neighbours;

/// Minimum recording duration, seconds.
pub const MIN_DURATION: f64 = 10.0;
/// Minimum number of usable 10-20 electrodes.
pub const MIN_ELECTRODES: usize = 4;
/// An electrode whose signal has a standard deviation below this (µV) within most seconds (the
/// median second) of the prescan windows ([`PRESCAN_WINDOWS`]) is flat (disconnected, switched
/// off, or the recording reference) and left out; a one-second block below it is flat too.
pub const FLAT_CHANNEL_UV: f32 = 0.5;
/// Length of each prescan window (seconds) read to find flat and clipped channels.
const PRESCAN_SECONDS: f64 = 120.0;
/// Prescan windows spread evenly over the recording (the first at its start, the last at its
/// end; the whole recording when it is no longer than the windows together): an electrode that is
/// off for the first minutes and connected later is not left out of the whole recording, and one
/// that comes off for most of it is.
pub const PRESCAN_WINDOWS: usize = 5;

/// One derivation analysed by the detector.
#[derive(Clone, Debug, PartialEq)]
pub struct DerivationInfo {
    /// Label, e.g. `T3-Avg` or `Fp1-F7`.
    pub label: String,
    /// The 10-20 electrodes it involves.
    pub electrodes: Vec<Electrode>,
    /// Labels of the file channels it is computed from (first input first).
    pub channels: Vec<String>,
    /// False when left out (it involves a flat electrode or no 10-20 electrode).
    pub used: bool,
}

/// What the analysis of one recording gives.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Recording duration, seconds (gaps included).
    pub duration: f64,
    /// Number of analysed seconds (rows of the per-second outputs).
    pub n_seconds: usize,
    /// Start date and time of the recording.
    pub start: chrono::NaiveDateTime,
    /// Montage name used.
    pub montage: String,
    /// The derivations.
    pub derivations: Vec<DerivationInfo>,
    /// Per derivation and second: ictal probability; NaN where there is no data (gaps, flat).
    pub probability: Vec<Vec<f32>>,
    /// Per derivation and second: `log10` of that second's line length over the background line
    /// length (for choosing the onset electrode); NaN where there is no data.
    pub onset_activity: Vec<Vec<f32>>,
    /// Per second: products of the midline electrodes' signals with their parasagittal
    /// neighbours ([`MIDLINE_PAIRS`]), for lateralising sources under the midline: for pair `k`,
    /// `[Σ Δl·Δm, Σ Δr·Δm]` over the second, with `Δ` the first difference at the analysis rate
    /// (which weights each frequency by its square, so that sub-delta background waves, large
    /// and hemisphere-wide in neonatal EEG, do not decide the side of a 2–10 Hz discharge). NaN
    /// when the montage has no single-electrode derivation of the three (bipolar), or one of
    /// them is flat.
    pub midline_products: Vec<[[f32; 2]; 3]>,
    /// Electrodes left out as flat (with their file label).
    pub flat_electrodes: Vec<(Electrode, String)>,
    /// Recoverable problems (from the reader and the analysis).
    pub warnings: Vec<String>,
    /// All feature rows (`n_seconds × derivations × NF`) when asked for: the rows the classifier
    /// scored; NaN where it gave no probability (no data, a flat or unused derivation, no
    /// background), so that training sees exactly what detection classifies.
    pub features: Option<Vec<f32>>,
}

impl Analysis {
    /// Per second: does it hold analysed EEG (a probability for at least one derivation)? False
    /// in the gaps of an EDF+D file and where every electrode is flat.
    pub fn recorded(&self) -> Vec<bool> {
        let mut r = vec![false; self.n_seconds];
        for p in &self.probability {
            for (r, v) in r.iter_mut().zip(p) {
                *r |= !v.is_nan();
            }
        }
        r
    }
}

/// The midline electrodes with their left and right parasagittal neighbours (Fz: F3, F4; Cz:
/// C3, C4; Pz: P3, P4).
pub const MIDLINE_PAIRS: [(Electrode, Electrode, Electrode); 3] = [
    (Electrode::Fz, Electrode::F3, Electrode::F4),
    (Electrode::Cz, Electrode::C3, Electrode::C4),
    (Electrode::Pz, Electrode::P3, Electrode::P4),
];

/// Options of [`analyse`].
#[derive(Clone, Debug, Default)]
pub struct AnalysisOptions {
    /// Montage; `None` = automatic: common average of the referential 10-20 electrodes when the
    /// file has at least 4, otherwise the bipolar 10-20 channels as recorded.
    pub montage: Option<Montage>,
    /// Keep every feature row (for training).
    pub keep_features: bool,
}

struct InputState {
    conv: RateConverter,
    full: FullRateAccumulator,
    /// Decimated samples not yet consumed.
    dec: Vec<f32>,
    /// Samples still to skip at the start of the run (alignment to whole seconds).
    skip: usize,
    /// Per complete second of `dec` (from its start): flat, and the high-frequency excess and
    /// pop measures ([`InputState::block_measures`]); computed as soon as the second is
    /// complete, in the parallel step that feeds the input.
    measures: Vec<(bool, (f32, f32))>,
}

impl InputState {
    /// Compute the measures of the seconds completed since the last call.
    fn block_measures(&mut self) {
        let avail = (self.dec.len() / BLOCK).min(self.full.done.len());
        let mut j = self.measures.len();
        // Four seconds at a time: their sums side by side, each in its own sample order as
        // `block_flat` and the loop below sum one second (the same results, four dependency
        // chains in flight instead of one).
        while j + 4 <= avail {
            let xs: [&[f32]; 4] = std::array::from_fn(|q| &self.dec[(j + q) * BLOCK..(j + q + 1) * BLOCK]);
            let mut sum = [-0.0f32; 4];
            for i in 0..BLOCK {
                for q in 0..4 {
                    sum[q] += xs[q][i];
                }
            }
            let mean: [f32; 4] = std::array::from_fn(|q| sum[q] / BLOCK as f32);
            let mut sq = [-0.0f32; 4];
            let mut e = [0.0f32; 4];
            for i in 0..BLOCK {
                for q in 0..4 {
                    sq[q] += (xs[q][i] - mean[q]) * (xs[q][i] - mean[q]);
                }
            }
            for i in 1..BLOCK {
                for q in 0..4 {
                    e[q] += (xs[q][i] - xs[q][i - 1]) * (xs[q][i] - xs[q][i - 1]);
                }
            }
            for q in 0..4 {
                let flat = sq[q] / (BLOCK as f32) < FLAT_CHANNEL_UV * FLAT_CHANNEL_UV;
                let m = self.second_measures(j + q, e[q]);
                self.measures.push((flat, m));
            }
            j += 4;
        }
        for j in j..avail {
            let x = &self.dec[j * BLOCK..(j + 1) * BLOCK];
            let flat = block_flat(x);
            let mut e = 0.0f32;
            for w in x.windows(2) {
                e += (w[1] - w[0]) * (w[1] - w[0]);
            }
            let m = self.second_measures(j, e);
            self.measures.push((flat, m));
        }
    }

    /// High-frequency excess and pop measure of second `j` from the sum of squared first
    /// differences of its 64-Hz block.
    fn second_measures(&self, j: usize, e: f32) -> (f32, f32) {
        let e_dec = e / (BLOCK - 1) as f32 * (BLOCK * BLOCK) as f32;
        let full = self.full.done[j];
        let hf = ((full.diff_power + 1.0) / (e_dec + 1.0)).log10();
        let pop = (full.max_slope / (full.diff_power.sqrt() + 1.0) + 1.0).log10();
        (hf, pop)
    }
}

struct DerivState {
    spectral: Spectral,
    prev: Option<Vec<f32>>,
    /// Recent blocks, `blocks[0]` is absolute second `first_block`.
    blocks: VecDeque<BlockStats>,
    first_block: usize,
    run_start: usize,
    next_window: usize,
    /// Seconds with window features waiting for their background: (second, raw features, log10
    /// block line length, valid).
    pending: VecDeque<(usize, [f32; NRAW], f32, bool)>,
    bg: Background,
    /// First differences within each block of the seconds being processed, and their sums of
    /// squares ([`crate::neighbours::block_differences`]; empty without neighbours).
    diff: Vec<f32>,
    diff_energy: Vec<f32>,
}

impl DerivState {
    fn new() -> Self {
        DerivState {
            spectral: Spectral::new(),
            prev: None,
            blocks: VecDeque::new(),
            first_block: 0,
            run_start: 0,
            next_window: 0,
            pending: VecDeque::new(),
            bg: Background::default(),
            diff: Vec::new(),
            diff_energy: Vec::new(),
        }
    }

    fn start_run(&mut self, sec0: usize) {
        self.prev = None;
        self.blocks.clear();
        self.first_block = sec0;
        self.run_start = sec0;
        self.next_window = sec0;
    }

    /// Window features for second `s` from blocks `[max(run_start, s−4), end)`.
    fn emit(&mut self, s: usize, end: usize) {
        let lo = s.saturating_sub(WINDOW_BEFORE).max(self.run_start);
        // At most WINDOW blocks: references on the stack (no allocation per window).
        debug_assert!(end - lo <= WINDOW && end > lo);
        let mut arr: [&BlockStats; WINDOW] = [&self.blocks[lo - self.first_block]; WINDOW];
        for (a, b) in arr.iter_mut().zip(lo..end) {
            *a = &self.blocks[b - self.first_block];
        }
        let refs = &arr[..end - lo];
        let raw = window_features(refs, &mut self.spectral);
        let own = &self.blocks[s - self.first_block];
        let ll = (own.ll.max(0.0) + 1e-3).log10();
        // A window is usable when its own second and all but at most two of its blocks have
        // signal (an electrode that comes off for a moment does not make a seizure).
        let flat_blocks = refs.iter().filter(|b| b.flat).count();
        let valid = !own.flat && flat_blocks <= 2;
        if valid {
            self.bg.add(s, &raw);
        }
        self.pending.push_back((s, raw, ll, valid));
    }

    /// Add block `s` and emit the windows it completes.
    fn push_block(&mut self, s: usize, b: BlockStats) {
        debug_assert_eq!(s, self.first_block + self.blocks.len());
        self.blocks.push_back(b);
        while self.next_window + WINDOW_AFTER <= s + 1 {
            let w = self.next_window;
            self.emit(w, w + WINDOW_AFTER);
            self.next_window += 1;
        }
        // Keep the blocks the next window needs.
        let keep_from = self.next_window.saturating_sub(WINDOW_BEFORE).max(self.run_start);
        while self.first_block < keep_from && !self.blocks.is_empty() {
            self.blocks.pop_front();
            self.first_block += 1;
        }
    }

    /// End of a run at absolute second `end` (exclusive): emit the remaining windows.
    fn end_run(&mut self, end: usize) {
        while self.next_window < end {
            let w = self.next_window;
            self.emit(w, end.min(w + WINDOW_AFTER));
            self.next_window += 1;
        }
    }
}

/// Channel selection and montage resolved against a file.
struct Setup {
    plan: MontagePlan,
    derivations: Vec<DerivationInfo>,
    /// Per derivation: positions (in plan inputs) of the channels whose full-rate statistics apply.
    full_inputs: Vec<Vec<usize>>,
    flat: Vec<(Electrode, String)>,
    /// Per plan input: µV per physical unit of its channel (1 for `uV`; 1000 for `mV`).
    scale: Vec<f32>,
    /// Channels whose physical dimension names no voltage unit (read as µV), clipped channels,
    /// and a recording referenced to an electrode.
    unit_warnings: Vec<String>,
}

/// µV per physical unit of each of `channels` (`uV` 1, `mV` 1000, `V` 10⁶). A dimension that
/// names no voltage unit, such as an empty field, is read as µV, with one warning per such
/// dimension naming its channels.
fn unit_scales(f: &EdfFile, channels: &[usize]) -> (Vec<f32>, Vec<String>) {
    let mut odd: Vec<(String, Vec<String>)> = Vec::new();
    let scale = channels
        .iter()
        .map(|&c| {
            let s = &f.signals()[c];
            eimfs_signal::names::microvolts_per_unit(&s.unit).map(|k| k as f32).unwrap_or_else(|| {
                let dim = s.unit.trim().to_string();
                let label = s.label.trim().to_string();
                match odd.iter_mut().find(|(d, _)| *d == dim) {
                    Some((_, labels)) if !labels.contains(&label) => labels.push(label),
                    Some(_) => {}
                    None => odd.push((dim, vec![label])),
                }
                1.0
            })
        })
        .collect();
    let warnings = odd
        .into_iter()
        .map(|(dim, labels)| {
            format!(
                "physical dimension \"{dim}\" of {} EEG signal(s) ({}) is not a voltage unit: their values are read as µV",
                labels.len(),
                labels.join(", ")
            )
        })
        .collect();
    (scale, warnings)
}

fn signal_err(path: &Path) -> impl FnOnce(eimfs_signal::Error) -> Error + '_ {
    move |source| Error::Signal { path: path.to_path_buf(), source }
}

/// Fraction of a channel's prescan samples ([`PRESCAN_WINDOWS`]) at the limits of its digital range above
/// which the summary warns that the channel is clipped.
pub const CLIPPED_WARN_FRACTION: f32 = 0.01;

/// What the prescan windows of a channel show.
struct Prescan {
    /// Standard deviation within a second, median over the seconds (to find flat electrodes).
    sd: f32,
    /// Fraction of the samples at the limits of the digital range (clipping).
    clipped: f32,
}

/// The records the prescan reads: the whole recording when it is no longer than the windows
/// together, else [`PRESCAN_WINDOWS`] windows of whole records of at least 120 s each, starting
/// evenly from the first record to the last window's; and how to say so in a message.
fn prescan_windows(f: &EdfFile) -> (Vec<std::ops::Range<usize>>, String) {
    let total = f.n_records();
    let n = ((PRESCAN_SECONDS / f.record_duration()).ceil() as usize).max(1);
    if total <= n.saturating_mul(PRESCAN_WINDOWS) {
        (std::iter::once(0..total).collect(), "the recording".to_string())
    } else {
        let windows = (0..PRESCAN_WINDOWS).map(|k| k * (total - n) / (PRESCAN_WINDOWS - 1)).map(|a| a..a + n).collect();
        (windows, format!("{PRESCAN_WINDOWS} windows of {} s spread over the recording", n as f64 * f.record_duration()))
    }
}

/// Standard deviation of each channel within a second, median over the seconds of the prescan
/// windows ([`PRESCAN_WINDOWS`]; to find flat electrodes), and the fraction of samples at the
/// limits of the digital range. Per second, as the blocks are judged: a flat reference that drifts, or a loose
/// electrode with occasional steps, has a large standard deviation over minutes but is flat
/// second by second.
fn prescan(f: &EdfFile, channels: &[usize], scale: &[f32], windows: &[std::ops::Range<usize>]) -> Result<Vec<Prescan>> {
    let mut out = Vec::with_capacity(channels.len());
    for (&c, &k) in channels.iter().zip(scale) {
        let h = &f.signals()[c];
        let spr = h.samples_per_record;
        let mut buf = vec![0f32; spr * windows.iter().map(|w| w.len()).sum::<usize>()];
        let mut at = 0;
        for w in windows {
            let part = &mut buf[at..at + spr * w.len()];
            f.read_physical(&[c], w.clone(), &mut [part])?;
            at += spr * w.len();
        }
        // Within half a digital step of the physical values of the digital limits.
        let (lo, hi) = (h.to_physical(h.digital_min), h.to_physical(h.digital_max));
        let tol = 0.5 * h.gain().abs();
        let (lo, hi) = (lo.min(hi) + tol, lo.max(hi) - tol);
        let clipped = buf.iter().filter(|&&v| (v as f64) <= lo || (v as f64) >= hi).count() as f32 / buf.len().max(1) as f32;
        if k != 1.0 {
            buf.iter_mut().for_each(|v| *v *= k);
        }
        let per_second = (h.fs.round() as usize).clamp(1, buf.len().max(1));
        let sd = |x: &[f32]| {
            let m = x.iter().map(|&v| v as f64).sum::<f64>() / x.len().max(1) as f64;
            (x.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt() as f32
        };
        let mut sds: Vec<f32> = buf.chunks_exact(per_second).map(sd).collect();
        let sd = if sds.is_empty() { sd(&buf) } else { quantile(&mut sds, 0.5) };
        out.push(Prescan { sd, clipped });
    }
    Ok(out)
}

fn setup(f: &EdfFile, montage: Option<&Montage>) -> Result<Setup> {
    let path = f.path();
    let labels: Vec<&str> = f.signals().iter().map(|s| s.label.as_str()).collect();
    let map = ChannelMap::from_labels(&labels).map_err(signal_err(path))?;
    if !map.names().iter().any(|n| n.kind == ChannelKind::Eeg) {
        return Err(Error::NoEeg { path: path.to_path_buf(), labels: map.labels_list() });
    }
    let present = map.present();
    let bipolar: Vec<(Electrode, Electrode)> =
        map.names().iter().filter(|n| n.kind == ChannelKind::Eeg).filter_map(|n| n.bipolar).collect();
    let montage = match montage {
        Some(m) => m.clone(),
        None if present.len() >= MIN_ELECTRODES || bipolar.is_empty() => Montage::CommonAverage,
        None => Montage::AsRecorded,
    };
    // Flat electrodes (referential channels) from the prescan windows.
    let ref_channels: Vec<usize> = present.iter().map(|&(_, c)| c).collect();
    let (ref_scale, _) = unit_scales(f, &ref_channels);
    let (windows, scanned) = prescan_windows(f);
    let scan = prescan(f, &ref_channels, &ref_scale, &windows)?;
    let flat: Vec<(Electrode, String)> = present
        .iter()
        .zip(&scan)
        .filter(|(_, p)| p.sd < FLAT_CHANNEL_UV)
        .map(|(&(e, c), _)| (e, f.signals()[c].label.trim().to_string()))
        .collect();
    let clipped_label = |c: usize, p: &Prescan| format!("{} ({:.0} %)", f.signals()[c].label.trim(), 100.0 * p.clipped);
    let mut clipped: Vec<String> =
        present.iter().zip(&scan).filter(|(_, p)| p.clipped > CLIPPED_WARN_FRACTION).map(|(&(_, c), p)| clipped_label(c, p)).collect();
    let flat_e: Vec<Electrode> = flat.iter().map(|(e, _)| *e).collect();
    if matches!(montage, Montage::CommonAverage) && present.is_empty() {
        return Err(Error::TooFewElectrodes {
            path: path.to_path_buf(),
            usable: 0,
            needed: MIN_ELECTRODES,
            which: "none".into(),
            detail: format!(": no referential 10-20 channel among [{}]", map.labels_list()),
        });
    }
    let plan = montage.plan(&map, &flat_e).map_err(signal_err(path))?;
    let inputs = plan.inputs().to_vec();
    let (scale, mut unit_warnings) = unit_scales(f, &inputs);
    // Inputs that are not referential channels (a recording of bipolar pairs): clipped too?
    let other: Vec<usize> = inputs.iter().copied().filter(|c| !ref_channels.contains(c)).collect();
    if !other.is_empty() {
        let (other_scale, _) = unit_scales(f, &other);
        for (&c, p) in other.iter().zip(prescan(f, &other, &other_scale, &windows)?) {
            if p.clipped > CLIPPED_WARN_FRACTION {
                clipped.push(clipped_label(c, &p));
            }
        }
    }
    if !clipped.is_empty() {
        unit_warnings.insert(
            0,
            format!(
                "clipped: more than {} % of the samples at the limits of the digital range in {scanned} (amplifier or file range saturated; amplitudes and line length there are cut): {}",
                CLIPPED_WARN_FRACTION * 100.0,
                clipped.join(", ")
            ),
        );
    }
    if let Some(r) = map.reference_electrode() {
        unit_warnings.insert(
            0,
            format!("every EEG channel is written as a pair to {r} (e.g. {:?}): read as referential channels to {r}, which has no signal of its own", map.names().iter().find(|n| n.reference.as_deref() == Some(r.name())).map(|n| n.raw.trim()).unwrap_or_default()),
        );
    }
    let mut derivations = Vec::new();
    let mut full_inputs = Vec::new();
    for d in plan.derivations() {
        let positions = match d.combination {
            Combination::Channel(p) | Combination::Negated(p) | Combination::MinusAverage(p) => {
                vec![p]
            }
            Combination::Difference(p, q) => vec![p, q],
        };
        let channels = positions.iter().map(|&p| f.signals()[inputs[p]].label.trim().to_string()).collect();
        let used = !d.electrodes.is_empty() && !d.electrodes.iter().any(|e| flat_e.contains(e));
        derivations.push(DerivationInfo { label: d.label.clone(), electrodes: d.electrodes.clone(), channels, used });
        full_inputs.push(positions);
    }
    let mut usable: Vec<Electrode> = derivations.iter().filter(|d| d.used).flat_map(|d| d.electrodes.iter().copied()).collect();
    usable.sort();
    usable.dedup();
    if usable.len() < MIN_ELECTRODES {
        let mut detail = String::new();
        if !flat.is_empty() {
            detail.push_str(&format!(
                "; flat (SD < {FLAT_CHANNEL_UV} µV in most seconds of {scanned}): {}",
                flat.iter().map(|(e, l)| format!("{e} ({l})")).collect::<Vec<_>>().join(", ")
            ));
        }
        let missing = map.missing();
        if !missing.is_empty() {
            detail.push_str(&format!("; not in the file: {}", missing.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")));
        }
        detail.push_str(&format!("; the file's signals: [{}]", map.labels_list()));
        return Err(Error::TooFewElectrodes {
            path: path.to_path_buf(),
            usable: usable.len(),
            needed: MIN_ELECTRODES,
            which: if usable.is_empty() { "none".into() } else { usable.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ") },
            detail,
        });
    }
    Ok(Setup { plan, derivations, full_inputs, flat, scale, unit_warnings })
}

/// A contiguous stretch of records.
#[derive(Clone, Copy, Debug)]
struct Run {
    first_record: usize,
    end_record: usize,
    start: f64,
}

/// Seconds by which a data record may start off the end of the one before it and still continue
/// it (EDF+D start times are written in decimals): beyond it, a gap; before it, an overlap.
const RECORD_TIME_TOLERANCE: f64 = 1e-6;

fn runs(f: &EdfFile) -> Vec<Run> {
    let n = f.n_records();
    if n == 0 {
        return Vec::new();
    }
    if !f.has_gaps() {
        return vec![Run { first_record: 0, end_record: n, start: 0.0 }];
    }
    let starts = f.record_starts();
    let d = f.record_duration();
    let mut out = vec![Run { first_record: 0, end_record: n, start: starts[0] }];
    for r in 1..n {
        if (starts[r] - (starts[r - 1] + d)).abs() > RECORD_TIME_TOLERANCE {
            out.last_mut().unwrap().end_record = r;
            out.push(Run { first_record: r, end_record: n, start: starts[r] });
        }
    }
    out
}

/// Analyse a recording: per-derivation ictal probability for every second.
///
/// `progress(done, total)` is called with data records processed.
pub fn analyse(path: &Path, model: &Model, options: &AnalysisOptions, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Analysis> {
    let f = EdfFile::open(path)?;
    let starts = f.record_starts();
    let d = f.record_duration();
    if let Some(r) = (1..starts.len()).find(|&r| starts[r] < starts[r - 1] + d - RECORD_TIME_TOLERANCE) {
        let h = f.header();
        return Err(Error::RecordOrder {
            path: path.to_path_buf(),
            record: r,
            start: starts[r],
            previous_start: starts[r - 1],
            record_duration: d,
            offset: (h.header_bytes + r * h.record_bytes) as u64,
        });
    }
    let duration = f.duration();
    if duration < MIN_DURATION {
        return Err(Error::TooShort { path: path.to_path_buf(), duration, needed: MIN_DURATION });
    }
    let setup = setup(&f, options.montage.as_ref())?;
    let inputs: Vec<usize> = setup.plan.inputs().to_vec();
    for &c in &inputs {
        let s = &f.signals()[c];
        RateConverter::new(s.fs).map_err(|reason| Error::Rate {
            path: path.to_path_buf(),
            channel: s.label.trim().to_string(),
            fs: s.fs,
            reason,
        })?;
    }
    let n_deriv = setup.derivations.len();
    let n_seconds = duration.floor() as usize;
    let mut out = Analysis {
        duration,
        n_seconds,
        start: f.start(),
        montage: setup.plan.montage().to_string(),
        derivations: setup.derivations.clone(),
        probability: vec![vec![f32::NAN; n_seconds]; n_deriv],
        onset_activity: vec![vec![f32::NAN; n_seconds]; n_deriv],
        midline_products: vec![[[f32::NAN; 2]; 3]; n_seconds],
        flat_electrodes: setup.flat.clone(),
        warnings: f.warnings().iter().chain(&setup.unit_warnings).cloned().collect(),
        features: options.keep_features.then(|| vec![f32::NAN; n_seconds * n_deriv * NF]),
    };
    let used: Vec<bool> = setup.derivations.iter().map(|d| d.used).collect();
    let mut derivs: Vec<DerivState> = (0..n_deriv).map(|_| DerivState::new()).collect();
    let mut neigh = Neighbours::new(&setup.derivations);
    let total_records = f.n_records() as u64;
    let per_chunk = f.records_per_chunk(1 << 20).max((4.0 / f.record_duration()).ceil() as usize);
    let all_runs = runs(&f);

    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<eimfs_edf::Chunk>(2);
        // Processed chunks go back to the reader, which decodes into their buffers again.
        let (back_tx, back_rx) = std::sync::mpsc::channel::<eimfs_edf::Chunk>();
        let fr = &f;
        let inputs_r = &inputs;
        let reader = scope.spawn(move || -> Result<()> {
            let mut chunks = fr.chunks(inputs_r, per_chunk)?;
            loop {
                let mut chunk = back_rx.try_recv().unwrap_or_default();
                if !chunks.next_into(&mut chunk) || tx.send(chunk).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let mut run_idx = 0usize;
        let mut state: Option<Vec<InputState>> = None;
        let mut done_records = 0u64;
        let mut dec_block_buf: Vec<Vec<f32>> = vec![Vec::new(); n_deriv];
        // The consumer runs on a worker of the thread pool, so that it takes part in the parallel
        // steps it starts (no hand-over to the pool and back for each of them).
        let result = rayon::scope(|_| -> Result<()> {
            let rx = rx;
            for mut chunk in rx.iter() {
                let mut r = chunk.records.start;
                while r < chunk.records.end {
                    // Start of a run?
                    while run_idx < all_runs.len() && all_runs[run_idx].end_record <= r {
                        run_idx += 1;
                    }
                    let run = all_runs[run_idx];
                    if r == run.first_record {
                        if let Some(st) = state.take() {
                            finish_run(st, &mut derivs, &mut neigh, &setup, &mut dec_block_buf, n_seconds, &mut out, model, &used)?;
                        }
                        let sec0 = (run.start - 1e-9).ceil().max(0.0) as usize;
                        let st: Vec<InputState> = inputs
                            .iter()
                            .map(|&c| {
                                let fs = f.signals()[c].fs;
                                InputState {
                                    conv: RateConverter::new(fs).expect("checked above"),
                                    full: FullRateAccumulator::new(fs),
                                    dec: Vec::new(),
                                    skip: ((sec0 as f64 - run.start) * fs).round().max(0.0) as usize,
                                    measures: Vec::new(),
                                }
                            })
                            .collect();
                        for d in derivs.iter_mut() {
                            d.start_run(sec0);
                        }
                        state = Some(st);
                    }
                    let piece_end = chunk.records.end.min(run.end_record);
                    let st = state.as_mut().expect("a run is open");
                    // Feed the piece [r, piece_end) of the chunk.
                    let c0 = r - chunk.records.start;
                    let c1 = piece_end - chunk.records.start;
                    st.par_iter_mut().zip(chunk.data.par_iter_mut()).enumerate().for_each(|(i, (s, data))| {
                        let spr = f.signals()[inputs[i]].samples_per_record;
                        let x = &mut data[c0 * spr..c1 * spr];
                        // In µV (a file in mV or V is scaled; µV files are left as decoded).
                        let k = setup.scale[i];
                        if k != 1.0 {
                            x.iter_mut().for_each(|v| *v *= k);
                        }
                        let mut x = &*x;
                        if s.skip > 0 {
                            let k = s.skip.min(x.len());
                            x = &x[k..];
                            s.skip -= k;
                        }
                        s.full.push(x);
                        s.conv.push(x, &mut s.dec);
                        s.block_measures();
                    });
                    process_blocks(st, &mut derivs, &mut neigh, &setup, &mut dec_block_buf, n_seconds, &mut out, model, &used, false)?;
                    r = piece_end;
                }
                done_records += chunk.records.len() as u64;
                progress(done_records, total_records);
                let _ = back_tx.send(chunk);
            }
            if let Some(st) = state.take() {
                finish_run(st, &mut derivs, &mut neigh, &setup, &mut dec_block_buf, n_seconds, &mut out, model, &used)?;
            }
            for d in derivs.iter_mut() {
                d.bg.finish();
            }
            finalise(&mut derivs, &mut neigh, n_seconds, &mut out, model, &used, true);
            Ok(())
        });
        let read = reader.join().expect("reader thread does not panic");
        result.and(read)
    })?;
    never_analysed(path, &mut out, &used, all_runs.len().saturating_sub(1))?;
    if all_runs.len() > 1 {
        let gaps: Vec<f64> = all_runs
            .windows(2)
            .map(|w| w[1].start - (w[0].start + (w[0].end_record - w[0].first_record) as f64 * d))
            .filter(|g| *g > 0.0)
            .collect();
        let unanalysed = out.recorded().iter().filter(|r| !**r).count();
        out.warnings.push(format!(
            "the recording has {} gap(s) between data records (EDF+D), {:.3} s in all; {unanalysed} of its {} seconds have no probability (a second that a gap touches is not analysed, nor one in which every electrode is flat) and do not count as recorded time",
            gaps.len(),
            gaps.iter().sum::<f64>(),
            out.n_seconds
        ));
    }
    Ok(out)
}

/// Derivations without a single analysed second (an input flat in every second, e.g. a reference
/// electrode just above the flat limit of the prescan): a warning naming them, or an error
/// when that is every derivation, instead of outputs that are all `n/a`. `gaps`: the number of
/// gaps between data records (EDF+D), which may be the reason instead.
fn never_analysed(path: &Path, out: &mut Analysis, used: &[bool], gaps: usize) -> Result<()> {
    let never: Vec<usize> = (0..out.derivations.len()).filter(|&d| used[d] && out.probability[d].iter().all(|v| v.is_nan())).collect();
    if never.is_empty() || out.n_seconds == 0 {
        return Ok(());
    }
    let labels = never.iter().map(|&d| out.derivations[d].label.as_str()).collect::<Vec<_>>().join(", ");
    let common: Vec<&str> =
        Electrode::ALL.iter().filter(|e| never.iter().all(|&d| out.derivations[d].electrodes.contains(e))).map(|e| e.name()).collect();
    let cause = if common.is_empty() { String::new() } else { format!(" (in all of them: {})", common.join(", ")) };
    if never.len() == used.iter().filter(|u| **u).count() {
        let why = if gaps > 0 {
            format!(
                "the recording has {gaps} gap(s) between data records (EDF+D), and a second that a gap touches is not analysed, nor one in which an electrode of the derivation is flat; no derivation ({labels}) has a second left"
            )
        } else {
            format!(
                "every derivation ({labels}) has an electrode that is flat (standard deviation below {FLAT_CHANNEL_UV} µV in the analysis band) in every second{cause}; choose a montage without it"
            )
        };
        return Err(Error::NothingAnalysed { path: path.to_path_buf(), why });
    }
    out.warnings.push(format!(
        "no second analysed in derivation(s) {labels}: an electrode of each is flat (standard deviation below {FLAT_CHANNEL_UV} µV in the analysis band) in every second{cause}"
    ));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn finish_run(
    mut st: Vec<InputState>,
    derivs: &mut [DerivState],
    neigh: &mut Neighbours,
    setup: &Setup,
    buf: &mut [Vec<f32>],
    n_seconds: usize,
    out: &mut Analysis,
    model: &Model,
    used: &[bool],
) -> Result<()> {
    st.par_iter_mut().for_each(|s| {
        s.conv.finish(&mut s.dec);
        s.full.finish();
    });
    process_blocks(&mut st, derivs, neigh, setup, buf, n_seconds, out, model, used, true)
}

/// Turn the complete one-second blocks of all inputs into block statistics and window features,
/// then finalise what can be.
#[allow(clippy::too_many_arguments)]
fn process_blocks(
    st: &mut [InputState],
    derivs: &mut [DerivState],
    neigh: &mut Neighbours,
    setup: &Setup,
    buf: &mut [Vec<f32>],
    n_seconds: usize,
    out: &mut Analysis,
    model: &Model,
    used: &[bool],
    end_of_run: bool,
) -> Result<()> {
    let k_avail = st.iter().map(|s| (s.dec.len() / BLOCK).min(s.full.done.len())).min().unwrap_or(0);
    let run_next = derivs[0].first_block + derivs[0].blocks.len();
    let k = k_avail.min(n_seconds.saturating_sub(run_next));
    if k > 0 {
        // Per input and second: flat or not, high-frequency excess and pop measure (computed
        // when the input was fed, except after the end of a run).
        let n = k * BLOCK;
        if st.iter().any(|s| s.measures.len() < k) {
            st.par_iter_mut().for_each(|s| s.block_measures());
        }
        let per_input: Vec<InputMeasures> = st.iter().map(|s| s.measures[..k].iter().copied().unzip()).collect();
        let in_flat: Vec<&[bool]> = per_input.iter().map(|(f, _)| f.as_slice()).collect();
        let hfpop: Vec<&[(f32, f32)]> = per_input.iter().map(|(_, h)| h.as_slice()).collect();
        // Montage over k seconds at 64 Hz, leaving flat inputs out of the common average second
        // by second (an electrode that comes off must not turn into the inverted average): the
        // average here, each derivation in the parallel step below.
        let (avg, avg_dead) = common_average(&setup.plan, st, &in_flat, k);
        let neigh_r = &*neigh;
        let deriv_flat: Vec<Vec<bool>> = derivs
            .par_iter_mut()
            .zip(buf.par_iter_mut())
            .enumerate()
            .map(|(d, (ds, x))| {
                let comb = setup.plan.derivations()[d].combination;
                let flat = derive(comb, st, &in_flat, &avg, &avg_dead, k, x);
                if neigh_r.has_neighbours(d) {
                    crate::neighbours::block_differences(&x[..k * BLOCK], &mut ds.diff, &mut ds.diff_energy);
                }
                let s0 = ds.first_block + ds.blocks.len();
                for j in 0..k {
                    let cur = &x[j * BLOCK..(j + 1) * BLOCK];
                    let (mut hf, mut pop) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
                    for &p in &setup.full_inputs[d] {
                        hf = hf.max(hfpop[p][j].0);
                        pop = pop.max(hfpop[p][j].1);
                    }
                    let mut b = BlockStats::compute(ds.prev.as_deref(), cur, &mut ds.spectral, hf, pop);
                    b.flat = flat[j];
                    match &mut ds.prev {
                        Some(p) => p.copy_from_slice(cur),
                        None => ds.prev = Some(cur.to_vec()),
                    }
                    ds.push_block(s0 + j, b);
                }
                flat
            })
            .collect();
        // Sums for the neighbour anticorrelation ([`crate::neighbours`]).
        let s0 = run_next;
        {
            let diff: Vec<&[f32]> = derivs.iter().map(|d| d.diff.as_slice()).collect();
            let energy: Vec<&[f32]> = derivs.iter().map(|d| d.diff_energy.as_slice()).collect();
            let flat: Vec<&[bool]> = deriv_flat.iter().map(|f| f.as_slice()).collect();
            neigh.push_seconds(s0, k, derivs[0].run_start, &diff, &energy, &flat);
        }
        // Midline products (see `Analysis::midline_products`), from the single-electrode
        // derivations of the montage.
        let single = |e: Electrode| setup.derivations.iter().position(|d| d.used && d.electrodes == [e]);
        for (k_pair, &(m, l, r)) in MIDLINE_PAIRS.iter().enumerate() {
            let (Some(dm), Some(dl), Some(dr)) = (single(m), single(l), single(r)) else {
                continue;
            };
            for j in 0..k {
                let s = s0 + j;
                if s >= n_seconds || deriv_flat[dm][j] || deriv_flat[dl][j] || deriv_flat[dr][j] {
                    continue;
                }
                let block = |d: usize| &buf[d][j * BLOCK..(j + 1) * BLOCK];
                let (xm, xl, xr) = (block(dm), block(dl), block(dr));
                // Products of first differences: the ictal rhythm (≈ 2–10 Hz) counts, slow
                // background waves (below 1 Hz, often the largest part of neonatal EEG and
                // shared over a hemisphere) hardly do.
                let (mut pl, mut pr) = (0.0f32, 0.0f32);
                for i in 1..BLOCK {
                    let c = xm[i] - xm[i - 1];
                    pl += (xl[i] - xl[i - 1]) * c;
                    pr += (xr[i] - xr[i - 1]) * c;
                }
                out.midline_products[s][k_pair] = [pl, pr];
            }
        }
        for s in st.iter_mut() {
            s.dec.drain(..n);
            s.full.done.drain(..k);
            s.measures.drain(..k);
        }
    }
    if end_of_run {
        let end = derivs[0].first_block + derivs[0].blocks.len();
        derivs.par_iter_mut().for_each(|d| d.end_run(end));
    }
    finalise(derivs, neigh, n_seconds, out, model, used, false);
    Ok(())
}

/// A block is flat when its standard deviation is below [`FLAT_CHANNEL_UV`].
fn block_flat(x: &[f32]) -> bool {
    let n = x.len().max(1) as f32;
    let m = x.iter().sum::<f32>() / n;
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f32>() / n;
    v < FLAT_CHANNEL_UV * FLAT_CHANNEL_UV
}

/// The common average of the montage's average inputs over `k` seconds, leaving flat inputs
/// out second by second, and per second whether every input of the average is flat. Empty when
/// the montage has no average.
fn common_average(plan: &MontagePlan, st: &[InputState], in_flat: &[&[bool]], k: usize) -> (Vec<f32>, Vec<bool>) {
    let n = k * BLOCK;
    let avg_in = plan.average_inputs();
    let mut avg = vec![0f32; if avg_in.is_empty() { 0 } else { n }];
    let mut avg_dead = vec![false; k];
    if !avg_in.is_empty() {
        let mut live: Vec<usize> = Vec::with_capacity(avg_in.len());
        for j in 0..k {
            live.clear();
            live.extend(avg_in.iter().copied().filter(|&p| !in_flat[p][j]));
            avg_dead[j] = live.is_empty();
            let w = 1.0 / live.len().max(1) as f32;
            let seg = &mut avg[j * BLOCK..(j + 1) * BLOCK];
            for &p in &live {
                for (a, &x) in seg.iter_mut().zip(&st[p].dec[j * BLOCK..(j + 1) * BLOCK]) {
                    *a += x;
                }
            }
            seg.iter_mut().for_each(|a| *a *= w);
        }
    }
    (avg, avg_dead)
}

/// One derivation of the montage over `k` seconds into `o`; returns per second whether it is
/// flat (one of its inputs is, or every input of the average).
fn derive(
    comb: Combination,
    st: &[InputState],
    in_flat: &[&[bool]],
    avg: &[f32],
    avg_dead: &[bool],
    k: usize,
    o: &mut Vec<f32>,
) -> Vec<bool> {
    let n = k * BLOCK;
    o.clear();
    o.resize(n, 0.0);
    let x = |p: usize| &st[p].dec[..n];
    match comb {
        Combination::Channel(p) => o.copy_from_slice(x(p)),
        Combination::Negated(p) => o.iter_mut().zip(x(p)).for_each(|(o, v)| *o = -v),
        Combination::Difference(p, q) => o.iter_mut().zip(x(p)).zip(x(q)).for_each(|((o, a), b)| *o = a - b),
        Combination::MinusAverage(p) => o.iter_mut().zip(x(p)).zip(avg).for_each(|((o, a), m)| *o = a - m),
    }
    (0..k)
        .map(|j| match comb {
            Combination::Channel(p) | Combination::Negated(p) => in_flat[p][j],
            Combination::Difference(p, q) => in_flat[p][j] || in_flat[q][j],
            Combination::MinusAverage(p) => in_flat[p][j] || avg_dead[j],
        })
        .collect()
}

/// Per input, per second: flat or not, and (high-frequency excess, pop measure).
type InputMeasures = (Vec<bool>, Vec<(f32, f32)>);
/// A second's row of one derivation: (second, features, valid, onset activity).
type Row = (usize, [f32; NF], bool, f32);
/// A classification task's result: (first row index, probabilities, the feature rows if kept).
type TaskResult = (usize, Vec<f32>, Vec<[f32; NF]>);

/// Finalise the seconds whose background is known (all, at the end): background-relative and
/// context features, classification.
fn finalise(
    derivs: &mut [DerivState],
    neigh: &mut Neighbours,
    n_seconds: usize,
    out: &mut Analysis,
    model: &Model,
    used: &[bool],
    end: bool,
) {
    let n_deriv = derivs.len();
    // Seconds ready: the same for all derivations (they advance together).
    let mut ready = 0usize;
    for (s, ..) in derivs[0].pending.iter() {
        if end || derivs[0].bg.ready(*s) {
            ready += 1;
        } else {
            break;
        }
    }
    if ready == 0 {
        return;
    }
    // Rows per derivation with background features.
    let rows: Vec<Vec<Row>> = derivs
        .par_iter_mut()
        .enumerate()
        .map(|(d, ds)| {
            let mut v = Vec::with_capacity(ready);
            for _ in 0..ready {
                let (s, raw, ll, ok) = ds.pending.pop_front().expect("counted above");
                let bg = ds.bg.of_final(s);
                let row = with_background(&raw, bg.as_ref(), ds.bg.reliable(s));
                let valid = ok && used[d] && !is_flat(&raw) && bg.is_some();
                let onset = match bg {
                    Some(b) => ll - b[0],
                    None => f32::NAN,
                };
                v.push((s, row, valid, onset));
            }
            if let Some(&(s, ..)) = v.last() {
                ds.bg.forget_before(s + 1);
            }
            v
        })
        .collect();
    // Context and classification, in parallel over runs of seconds: the rows of a run are
    // classified together (each tree walked for all of them).
    const SECONDS_PER_TASK: usize = 16;
    let keep_rows = out.features.is_some();
    let neigh_r = &*neigh;
    let results: Vec<TaskResult> = (0..ready)
        .into_par_iter()
        .step_by(SECONDS_PER_TASK)
        .map(|i0| {
            let i1 = (i0 + SECONDS_PER_TASK).min(ready);
            let mut r: Vec<[f32; NF]> = Vec::with_capacity((i1 - i0) * n_deriv);
            let mut valid: Vec<bool> = Vec::with_capacity((i1 - i0) * n_deriv);
            for i in i0..i1 {
                let at = r.len();
                r.extend((0..n_deriv).map(|d| rows[d][i].1));
                valid.extend((0..n_deriv).map(|d| rows[d][i].2));
                add_context(&mut r[at..], &valid[at..]);
                let mut nc = vec![0f32; n_deriv];
                neigh_r.feature(rows[0][i].0, &mut nc);
                for (row, v) in r[at..].iter_mut().zip(nc) {
                    row[NEIGHBOUR_ANTICORRELATION] = crate::neighbours::anticorrelation(v);
                }
            }
            let mut raw = vec![0f64; r.len()];
            model.probabilities(&r, &mut raw);
            let p: Vec<f32> = raw.iter().zip(&valid).map(|(&v, &ok)| if ok { v as f32 } else { f32::NAN }).collect();
            // The feature rows go back only when they are kept.
            (i0, p, if keep_rows { r } else { Vec::new() })
        })
        .collect();
    // The windows of the seconds still pending reach back 4 s.
    neigh.forget_before((rows[0][ready - 1].0 + 1).saturating_sub(WINDOW_BEFORE));
    for (i0, p, r) in results {
        for (j, p) in p.chunks(n_deriv).enumerate() {
            let i = i0 + j;
            let s = rows[0][i].0;
            if s >= n_seconds {
                continue;
            }
            for d in 0..n_deriv {
                out.probability[d][s] = p[d];
                out.onset_activity[d][s] = if rows[d][i].2 { rows[d][i].3 } else { f32::NAN };
            }
            if let Some(feat) = out.features.as_mut() {
                let r = &r[j * n_deriv..(j + 1) * n_deriv];
                for d in 0..n_deriv {
                    let o = (s * n_deriv + d) * NF;
                    if rows[d][i].2 {
                        feat[o..o + NF].copy_from_slice(&r[d]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(derivations: &[(&str, &[Electrode])], probability: Vec<Vec<f32>>) -> Analysis {
        let n_seconds = probability[0].len();
        Analysis {
            duration: n_seconds as f64,
            n_seconds,
            start: chrono::NaiveDateTime::default(),
            montage: "test".into(),
            derivations: derivations
                .iter()
                .map(|(l, e)| DerivationInfo { label: l.to_string(), electrodes: e.to_vec(), channels: Vec::new(), used: true })
                .collect(),
            probability,
            onset_activity: Vec::new(),
            midline_products: Vec::new(),
            flat_electrodes: Vec::new(),
            warnings: Vec::new(),
            features: None,
        }
    }

    #[test]
    fn derivations_never_analysed_are_named() {
        use Electrode::*;
        let nan = vec![f32::NAN; 20];
        let mut some = nan.clone();
        some[7] = 0.3;
        let path = Path::new("x.edf");
        // Two of three derivations never analysed, both through Cz: a warning naming them and Cz.
        let mut a = analysis(&[("Fp1-Cz", &[Fp1, Cz]), ("O1-Cz", &[O1, Cz]), ("Fp2-F8", &[Fp2, F8])], vec![nan.clone(), nan.clone(), some]);
        never_analysed(path, &mut a, &[true; 3], 0).unwrap();
        assert_eq!(
            a.warnings,
            vec![
                "no second analysed in derivation(s) Fp1-Cz, O1-Cz: an electrode of each is flat (standard deviation below 0.5 µV in the analysis band) in every second (in all of them: Cz)"
            ]
        );
        // A derivation left out from the start does not count.
        let mut a = analysis(&[("Fp1-Cz", &[Fp1, Cz]), ("Fp2-F8", &[Fp2, F8])], vec![nan.clone(), nan.clone()]);
        let err = never_analysed(path, &mut a, &[true, false], 0).unwrap_err().to_string();
        assert_eq!(
            err,
            "x.edf: no second could be analysed: every derivation (Fp1-Cz) has an electrode that is flat (standard deviation below 0.5 µV in the analysis band) in every second (in all of them: Fp1, Cz); choose a montage without it"
        );
        // The same in a file with gaps: the gaps are named as a reason.
        let mut a = analysis(&[("Fp1-Cz", &[Fp1, Cz]), ("Fp2-F8", &[Fp2, F8])], vec![nan.clone(), nan.clone()]);
        let err = never_analysed(path, &mut a, &[true, false], 119).unwrap_err().to_string();
        assert!(err.starts_with("x.edf: no second could be analysed: the recording has 119 gap(s) between data records (EDF+D)"), "{err}");
        assert!(err.ends_with("no derivation (Fp1-Cz) has a second left"), "{err}");
        // Every derivation analysed in some second: nothing to say.
        let mut a = analysis(&[("Fp1-Cz", &[Fp1, Cz])], vec![vec![0.1; 20]]);
        never_analysed(path, &mut a, &[true], 0).unwrap();
        assert!(a.warnings.is_empty());
    }
}
