//! SzCORE event and sample scoring with the exact semantics of the `timescoring` 0.0.7 package
//! (Dan et al., Epilepsia 2024; <https://pypi.org/project/timescoring/0.0.7/>).
//!
//! The Python package works on binary masks sampled at a fixed rate, and on lists of
//! `(start, stop)` events in seconds, and converts between the two with Python's `round()` (ties to
//! even) and Python slicing (negative indices count from the end, out-of-range indices are
//! clipped). Every number below is computed with the same floating-point operations in the same
//! order, so that tp, fp, refTrue and the metrics are identical, not just close:
//!
//! * [`Annotation::from_events`]: `mask[round(start·fs):round(stop·fs)] = true` for every event;
//!   the event list is kept as given (order, overlaps and zero-length events included).
//! * [`Annotation::from_mask`]: events are the maximal runs of `true`, `(first/fs, (last+1)/fs)`.
//! * [`event_scoring`] (timescoring's `EventScoring`): both annotations are re-rasterised at
//!   **10 Hz** with `round(len/fs·10)` samples; events closer than
//!   [`EventParams::min_duration_between_events`] (90 s: `next.start − previous.stop < 90`) are
//!   merged, in list order, the merged event ending where the later event ends; then events longer
//!   than [`EventParams::max_event_duration`] (300 s: `stop − start > 300`) are cut into 300 s
//!   pieces plus a remainder. Every reference event is widened by 30 s before and 60 s after
//!   (clipped to `[0, recording end]`); it is a true positive when the hypothesis mask covers more
//!   than `min_overlap + 1e-6` of the widened window (any overlap by default), and the widened
//!   window then becomes a "true-positive region". A hypothesis event is a false positive only when
//!   no sample of it lies in a true-positive region (an event with no samples inside the recording,
//!   e.g. of zero length, is therefore always a false positive).
//! * [`sample_scoring`] (timescoring's `SampleScoring`): both annotations are re-rasterised at
//!   `fs` (1 Hz by default) with `round(len/fs_in·fs)` samples, from their event lists: sample `i`
//!   is positive when `round(start·fs) ≤ i < round(stop·fs)` for some event. This is what the
//!   SzCORE paper calls "a second is positive if at least half of it is covered", except at exact
//!   half-second boundaries where Python's round-half-to-even decides (2.5 → 2, 3.5 → 4).
//! * [`Scores`]: sensitivity `tp/refTrue` (NaN when refTrue = 0), precision `tp/(tp+fp)` (NaN when
//!   tp + fp = 0), F1 `2tp/(2tp + fp + refTrue − tp)` (NaN when refTrue + fp = 0) and `fpRate`,
//!   false positives per 24 h, `fp/(numSamples/fs/3600/24)`.
//!
//! timescoring divides by zero on a recording of zero samples; here that is an
//! [`Error::EmptyRecording`]. Sample scoring of two annotations of
//! different lengths is an error in both.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::Error;

/// Rate of the event-scoring grid, fixed by timescoring.
pub const EVENT_FS: f64 = 10.0;

/// Python's `round()` of a float: to the nearest integer, ties to even.
fn py_round(x: f64) -> i64 {
    x.round_ties_even() as i64
}

/// The index range selected by the Python slice `[start:stop]` of a sequence of length `n`.
fn py_slice(start: i64, stop: i64, n: usize) -> Range<usize> {
    let n = n as i64;
    let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) };
    let (a, b) = (norm(start), norm(stop));
    if b > a { a as usize..b as usize } else { a as usize..a as usize }
}

/// The samples of a mask of `n` samples at `fs` covered by the event `(start, stop)`.
fn event_range(event: (f64, f64), fs: f64, n: usize) -> Range<usize> {
    py_slice(py_round(event.0 * fs), py_round(event.1 * fs), n)
}

/// Number of samples at `fs_out` of an annotation of `n` samples at `fs_in` (timescoring's
/// `round(len(mask) / fs_in * fs_out)`).
fn resampled_len(n: usize, fs_in: f64, fs_out: f64) -> usize {
    py_round(n as f64 / fs_in * fs_out).max(0) as usize
}

fn rasterise(events: &[(f64, f64)], fs: f64, n: usize) -> Vec<bool> {
    let mut mask = vec![false; n];
    for &e in events {
        mask[event_range(e, fs, n)].fill(true);
    }
    mask
}

/// The union of sample ranges as sorted, disjoint, non-empty ranges.
fn union_ranges(ranges: impl IntoIterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = ranges.into_iter().filter(|r| !r.is_empty()).collect();
    v.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Number of samples of `r` inside the sorted disjoint ranges `union` (the sum of a mask over
/// `r`).
fn covered_samples(union: &[Range<usize>], r: Range<usize>) -> usize {
    let first = union.partition_point(|u| u.end <= r.start);
    union[first..].iter().take_while(|u| u.start < r.end).map(|u| u.end.min(r.end) - u.start.max(r.start)).sum()
}

/// An annotation of one recording, both as a list of `(start, stop)` events in seconds and as a
/// binary mask sampled at `fs` — timescoring's `Annotation`.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    events: Vec<(f64, f64)>,
    mask: Vec<bool>,
    fs: f64,
}

impl Annotation {
    /// From events in seconds, a mask of `num_samples` samples at `fs` Hz (timescoring's
    /// `Annotation(events, fs, numSamples)`). The events are kept as given.
    ///
    /// Errors when `fs` is not a positive finite number or an event time is not finite.
    pub fn from_events(events: Vec<(f64, f64)>, fs: f64, num_samples: usize) -> Result<Annotation, Error> {
        check_fs(fs)?;
        if let Some(&(s, e)) = events.iter().find(|(s, e)| !s.is_finite() || !e.is_finite()) {
            return Err(Error::NonFiniteEvent { start: s, stop: e });
        }
        let mask = rasterise(&events, fs, num_samples);
        Ok(Annotation { events, mask, fs })
    }

    /// From a binary mask at `fs` Hz (timescoring's `Annotation(mask, fs)`): the events are the
    /// maximal runs of `true`.
    ///
    /// Errors when the mask is empty (timescoring fails on it too) or `fs` is not positive.
    pub fn from_mask(mask: Vec<bool>, fs: f64) -> Result<Annotation, Error> {
        check_fs(fs)?;
        if mask.is_empty() {
            return Err(Error::EmptyRecording { fs });
        }
        let mut events = Vec::new();
        let mut start = None;
        for (i, &m) in mask.iter().enumerate() {
            match (m, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    events.push((s as f64 / fs, i as f64 / fs));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            events.push((s as f64 / fs, mask.len() as f64 / fs));
        }
        Ok(Annotation { events, mask, fs })
    }

    /// The events, `(start, stop)` in seconds.
    pub fn events(&self) -> &[(f64, f64)] {
        &self.events
    }

    /// The binary mask.
    pub fn mask(&self) -> &[bool] {
        &self.mask
    }

    /// Sampling rate of the mask in Hz.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// Number of samples of the mask.
    pub fn num_samples(&self) -> usize {
        self.mask.len()
    }

    /// Duration in seconds: `num_samples / fs`.
    pub fn duration(&self) -> f64 {
        self.mask.len() as f64 / self.fs
    }
}

fn check_fs(fs: f64) -> Result<(), Error> {
    if fs.is_finite() && fs > 0.0 { Ok(()) } else { Err(Error::InvalidRate { fs }) }
}

/// Parameters of event scoring (timescoring's `EventScoring.Parameters`). The defaults are
/// SzCORE's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventParams {
    /// Tolerance before a reference event's onset, seconds (default 30).
    pub tolerance_start: f64,
    /// Tolerance after a reference event's offset, seconds (default 60).
    pub tolerance_end: f64,
    /// Minimum relative overlap between the hypothesis and the widened reference event, in
    /// \[0, 1) (default 0: any overlap).
    pub min_overlap: f64,
    /// Events longer than this are split, seconds (default 300).
    pub max_event_duration: f64,
    /// Events separated by less than this are merged, seconds (default 90).
    pub min_duration_between_events: f64,
}

impl Default for EventParams {
    fn default() -> Self {
        EventParams {
            tolerance_start: 30.0,
            tolerance_end: 60.0,
            min_overlap: 0.0,
            max_event_duration: 300.0,
            min_duration_between_events: 90.0,
        }
    }
}

/// Counts and metrics of one scoring, named in JSON as timescoring names them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// True positives: detected reference events (event scoring) or positive samples of both
    /// (sample scoring).
    pub tp: u64,
    /// False positives: hypothesis events outside all true-positive regions (event scoring) or
    /// samples positive only in the hypothesis (sample scoring).
    pub fp: u64,
    /// Reference events after merging and splitting (event scoring) or positive reference
    /// samples (sample scoring).
    #[serde(rename = "refTrue")]
    pub ref_true: u64,
    /// Number of samples of the scoring grid.
    #[serde(rename = "numSamples")]
    pub num_samples: u64,
    /// Rate of the scoring grid in Hz (10 for events, 1 for samples by default).
    pub fs: f64,
    /// `tp / refTrue`; NaN when refTrue = 0 (serialised as `null`).
    pub sensitivity: f64,
    /// `tp / (tp + fp)`; NaN when tp + fp = 0.
    pub precision: f64,
    /// `2·tp / (2·tp + fp + refTrue − tp)`; NaN when refTrue + fp = 0.
    pub f1: f64,
    /// False positives per 24 h: `fp / (numSamples / fs / 3600 / 24)`.
    #[serde(rename = "fpRate")]
    pub fp_rate: f64,
}

impl Scores {
    /// Metrics from counts, exactly as timescoring's `computeScores`.
    ///
    /// `num_samples` must be positive (timescoring divides by it).
    pub fn from_counts(tp: u64, fp: u64, ref_true: u64, num_samples: u64, fs: f64) -> Scores {
        let (tpf, fpf, rtf) = (tp as f64, fp as f64, ref_true as f64);
        let sensitivity = if ref_true > 0 { tpf / rtf } else { f64::NAN };
        let precision = if tp + fp > 0 { tpf / (tp + fp) as f64 } else { f64::NAN };
        let f1 = if ref_true + fp == 0 {
            f64::NAN
        } else {
            // 2·tp + fp + (refTrue − tp) in exact integer arithmetic, as Python does.
            (2 * tp) as f64 / (tp + fp + ref_true) as f64
        };
        let days = num_samples as f64 / fs / 3600.0 / 24.0;
        let fp_rate = fpf / days;
        Scores { tp, fp, ref_true, num_samples, fs, sensitivity, precision, f1, fp_rate }
    }

    /// Scores of several recordings taken together: counts and samples summed, metrics recomputed
    /// (the `Result` sum of the SzCORE evaluation, `szcore-evaluation` `evaluate.py`). `None` when
    /// `parts` is empty. The rate is the last part's, as in szcore-evaluation (all parts of one
    /// kind of scoring share it).
    pub fn pooled<'a>(parts: impl IntoIterator<Item = &'a Scores>) -> Option<Scores> {
        let mut acc: Option<(u64, u64, u64, u64, f64)> = None;
        for s in parts {
            let (tp, fp, rt, n, _) = acc.unwrap_or((0, 0, 0, 0, s.fs));
            acc = Some((tp + s.tp, fp + s.fp, rt + s.ref_true, n + s.num_samples, s.fs));
        }
        acc.map(|(tp, fp, rt, n, fs)| Scores::from_counts(tp, fp, rt, n, fs))
    }
}

/// The result of [`event_scoring`]: the scores plus the events as scored.
#[derive(Clone, Debug, PartialEq)]
pub struct EventScoring {
    /// Counts and metrics.
    pub scores: Scores,
    /// Reference events after merging and splitting, seconds.
    pub ref_events: Vec<(f64, f64)>,
    /// Hypothesis events after merging and splitting, seconds.
    pub hyp_events: Vec<(f64, f64)>,
    /// For each of `ref_events`: detected (true positive).
    pub ref_detected: Vec<bool>,
    /// For each of `hyp_events`: false positive.
    pub hyp_false_positive: Vec<bool>,
}

/// Merge events closer than `min_gap` seconds, in list order (timescoring's
/// `_mergeNeighbouringEvents`): each event is compared with the last kept one and, when
/// `start − last.stop < min_gap`, the last kept one is extended to this event's stop.
pub fn merge_neighbouring_events(events: &[(f64, f64)], min_gap: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(events.len());
    for &e in events {
        match out.last_mut() {
            Some(last) if e.0 - last.1 < min_gap => last.1 = e.1,
            _ => out.push(e),
        }
    }
    out
}

/// Split events longer than `max_duration` seconds into pieces of `max_duration` plus a remainder
/// (timescoring's `_splitLongEvents`; each piece starts at the previous start + `max_duration`).
pub fn split_long_events(events: &[(f64, f64)], max_duration: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(events.len());
    for &(mut start, stop) in events {
        while stop - start > max_duration {
            out.push((start, start + max_duration));
            start += max_duration;
        }
        out.push((start, stop));
    }
    out
}

/// Widen events by `before`/`after` seconds, clipped to `[0, duration]` (timescoring's
/// `_extendEvents`: `(max(0, start − before), min(duration, stop + after))`).
fn extend_events(events: &[(f64, f64)], before: f64, after: f64, duration: f64) -> Vec<(f64, f64)> {
    events
        .iter()
        .map(|&(s, e)| {
            let a = s - before;
            let b = e + after;
            // Python's max(0, a) / min(duration, b) keep the first argument unless the second is
            // strictly greater / smaller.
            (if a > 0.0 { a } else { 0.0 }, if b < duration { b } else { duration })
        })
        .collect()
}

/// SzCORE event scoring of `hypothesis` against `reference` (timescoring's `EventScoring`).
///
/// The annotations may have different lengths (timescoring allows it): each is re-rasterised at
/// 10 Hz from its own length. Errors when the reference has no sample at 10 Hz.
pub fn event_scoring(reference: &Annotation, hypothesis: &Annotation, params: &EventParams) -> Result<EventScoring, Error> {
    let fs = EVENT_FS;
    let n_ref = resampled_len(reference.num_samples(), reference.fs, fs);
    let n_hyp = resampled_len(hypothesis.num_samples(), hypothesis.fs, fs);
    if n_ref == 0 {
        return Err(Error::EmptyRecording { fs });
    }
    let prepare = |a: &Annotation| {
        split_long_events(&merge_neighbouring_events(&a.events, params.min_duration_between_events), params.max_event_duration)
    };
    let ref_events = prepare(reference);
    let hyp_events = prepare(hypothesis);

    // The hypothesis mask at 10 Hz as sorted disjoint sample ranges.
    let hyp_mask = union_ranges(hyp_events.iter().map(|&e| event_range(e, fs, n_hyp)));
    let duration = n_ref as f64 / fs;
    let extended = extend_events(&ref_events, params.tolerance_start, params.tolerance_end, duration);

    // True positives; the widened windows of detected events form the true-positive regions.
    let mut ref_detected = Vec::with_capacity(extended.len());
    let mut tp_regions = Vec::new();
    let mut tp = 0u64;
    for &w in &extended {
        let covered = covered_samples(&hyp_mask, event_range(w, fs, n_hyp));
        let relative_overlap = (covered as f64 / fs) / (w.1 - w.0);
        let detected = relative_overlap > params.min_overlap + 1e-6;
        if detected {
            tp += 1;
            tp_regions.push(event_range(w, fs, n_ref));
        }
        ref_detected.push(detected);
    }
    let tp_regions = union_ranges(tp_regions);

    // False positives: hypothesis events with no sample in a true-positive region.
    let hyp_false_positive: Vec<bool> = hyp_events.iter().map(|&e| covered_samples(&tp_regions, event_range(e, fs, n_ref)) == 0).collect();
    let fp = hyp_false_positive.iter().filter(|&&f| f).count() as u64;

    let scores = Scores::from_counts(tp, fp, ref_events.len() as u64, n_ref as u64, fs);
    Ok(EventScoring { scores, ref_events, hyp_events, ref_detected, hyp_false_positive })
}

/// SzCORE sample scoring at `fs` Hz (1 Hz in SzCORE) of `hypothesis` against `reference`
/// (timescoring's `SampleScoring`).
///
/// Errors when the two annotations do not have the same number of samples at `fs`, or none.
pub fn sample_scoring(reference: &Annotation, hypothesis: &Annotation, fs: f64) -> Result<Scores, Error> {
    check_fs(fs)?;
    let n_ref = resampled_len(reference.num_samples(), reference.fs, fs);
    let n_hyp = resampled_len(hypothesis.num_samples(), hypothesis.fs, fs);
    if n_ref != n_hyp {
        return Err(Error::LengthMismatch { reference: n_ref, hypothesis: n_hyp, fs });
    }
    if n_ref == 0 {
        return Err(Error::EmptyRecording { fs });
    }
    let r = rasterise(&reference.events, fs, n_ref);
    let h = rasterise(&hypothesis.events, fs, n_hyp);
    let (mut tp, mut fp, mut ref_true) = (0u64, 0u64, 0u64);
    for (&a, &b) in r.iter().zip(&h) {
        tp += (a && b) as u64;
        fp += (!a && b) as u64;
        ref_true += a as u64;
    }
    Ok(Scores::from_counts(tp, fp, ref_true, n_ref as u64, fs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_slices_and_rounding() {
        assert_eq!(py_round(2.5), 2);
        assert_eq!(py_round(3.5), 4);
        assert_eq!(py_round(-2.5), -2);
        assert_eq!(py_slice(2, 5, 10), 2..5);
        assert_eq!(py_slice(-3, 10, 10), 7..10);
        assert_eq!(py_slice(-30, 4, 10), 0..4);
        assert_eq!(py_slice(8, 20, 10), 8..10);
        assert_eq!(py_slice(6, 3, 10).len(), 0);
        assert_eq!(py_slice(12, 20, 10).len(), 0);
    }

    #[test]
    fn range_unions_count_like_mask_sums() {
        let u = union_ranges([5..10, 0..2, 8..12, 3..3, 12..14, 20..25]);
        assert_eq!(u, vec![0..2, 5..14, 20..25]);
        assert_eq!(covered_samples(&u, 0..30), 2 + 9 + 5);
        assert_eq!(covered_samples(&u, 1..6), 2);
        assert_eq!(covered_samples(&u, 14..20), 0);
        assert_eq!(covered_samples(&u, 7..7), 0);
        assert_eq!(covered_samples(&[], 0..5), 0);
    }

    #[test]
    fn merge_and_split_follow_list_order() {
        // 90 s apart exactly: kept apart; 89.9 s: merged.
        assert_eq!(merge_neighbouring_events(&[(0.0, 10.0), (100.0, 110.0)], 90.0).len(), 2);
        assert_eq!(merge_neighbouring_events(&[(0.0, 10.0), (99.9, 110.0)], 90.0), vec![(0.0, 110.0)]);
        // A nested later event shortens the merged one, as in timescoring.
        assert_eq!(merge_neighbouring_events(&[(0.0, 100.0), (10.0, 20.0)], 90.0), vec![(0.0, 20.0)]);
        assert_eq!(split_long_events(&[(0.0, 300.0)], 300.0), vec![(0.0, 300.0)]);
        assert_eq!(split_long_events(&[(0.0, 301.0)], 300.0), vec![(0.0, 300.0), (300.0, 301.0)]);
        assert_eq!(split_long_events(&[(5.0, 700.0)], 300.0), vec![(5.0, 305.0), (305.0, 605.0), (605.0, 700.0)]);
    }

    #[test]
    fn mask_round_trip_and_edges() {
        let a = Annotation::from_mask(vec![true, true, false, true, false, true], 1.0).unwrap();
        assert_eq!(a.events(), &[(0.0, 2.0), (3.0, 4.0), (5.0, 6.0)]);
        let b = Annotation::from_events(a.events().to_vec(), 1.0, 6).unwrap();
        assert_eq!(b.mask(), a.mask());
        assert!(Annotation::from_mask(vec![], 1.0).is_err());
        assert!(Annotation::from_events(vec![(0.0, f64::NAN)], 1.0, 3).is_err());
    }

    #[test]
    fn tolerance_boundaries() {
        // Reference 100–110 s in a 1000 s recording: the window is 70–170 s.
        let r = Annotation::from_events(vec![(100.0, 110.0)], 10.0, 10_000).unwrap();
        let p = EventParams::default();
        // A hypothesis ending exactly at 70 s does not overlap the window: miss and FP.
        let h = Annotation::from_events(vec![(60.0, 70.0)], 10.0, 10_000).unwrap();
        let s = event_scoring(&r, &h, &p).unwrap().scores;
        assert_eq!((s.tp, s.fp, s.ref_true), (0, 1, 1));
        // Starting exactly at 170 s: likewise.
        let h = Annotation::from_events(vec![(170.0, 180.0)], 10.0, 10_000).unwrap();
        let s = event_scoring(&r, &h, &p).unwrap().scores;
        assert_eq!((s.tp, s.fp), (0, 1));
        // One 0.1 s sample inside the window: detected, and not a false positive.
        let h = Annotation::from_events(vec![(169.9, 180.0)], 10.0, 10_000).unwrap();
        let s = event_scoring(&r, &h, &p).unwrap().scores;
        assert_eq!((s.tp, s.fp), (1, 0));
        assert_eq!(s.sensitivity, 1.0);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.f1, 1.0);
        assert_eq!(s.fp_rate, 0.0);
    }

    #[test]
    fn metrics_and_nan_cases() {
        let s = Scores::from_counts(3, 1, 4, 36_000, 10.0);
        assert_eq!(s.sensitivity, 0.75);
        assert_eq!(s.precision, 0.75);
        assert_eq!(s.f1, 0.75);
        assert_eq!(s.fp_rate, 24.0);
        let s = Scores::from_counts(0, 0, 0, 10, 1.0);
        assert!(s.sensitivity.is_nan() && s.precision.is_nan() && s.f1.is_nan());
        assert_eq!(s.fp_rate, 0.0);
        let s = Scores::from_counts(0, 2, 0, 86_400, 1.0);
        assert!(s.sensitivity.is_nan());
        assert_eq!((s.precision, s.f1, s.fp_rate), (0.0, 0.0, 2.0));
        let pooled = Scores::pooled([&Scores::from_counts(1, 0, 2, 100, 1.0), &Scores::from_counts(1, 2, 2, 200, 1.0)]).unwrap();
        assert_eq!((pooled.tp, pooled.fp, pooled.ref_true, pooled.num_samples), (2, 2, 4, 300));
        assert_eq!(pooled.sensitivity, 0.5);
        assert!(Scores::pooled([]).is_none());
    }

    #[test]
    fn sample_scoring_rounds_half_to_even() {
        // 2.5–7.5 s covers samples round(2.5)=2 .. round(7.5)=8.
        let r = Annotation::from_events(vec![(2.5, 7.5)], 10.0, 100).unwrap();
        let h = Annotation::from_events(vec![(0.0, 3.0)], 10.0, 100).unwrap();
        let s = sample_scoring(&r, &h, 1.0).unwrap();
        assert_eq!((s.tp, s.fp, s.ref_true, s.num_samples), (1, 2, 6, 10));
        let short = Annotation::from_events(vec![], 10.0, 90).unwrap();
        assert!(matches!(sample_scoring(&r, &short, 1.0), Err(Error::LengthMismatch { .. })));
    }
}
