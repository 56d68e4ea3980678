//! Scoring whole datasets: reading SzCORE TSVs into timescoring annotations, pairing reference and
//! hypothesis files by recording name, per-recording scores, per-subject and overall aggregates
//! (as the SzCORE evaluation framework computes them), and the report `eimfs score` prints.
//!
//! # From a TSV to an annotation ([`Loader`])
//! Only seizure rows count (`eventType` `sz` or `sz_*`); `bckg` and artefact rows are ignored.
//! * [`Loader::Events`] (default): the seizure intervals `[onset, onset + duration)` of positive
//!   duration, sorted and united where they overlap or touch, are given to timescoring as events at
//!   10 Hz with `round(10 · recordingDuration)` samples (`Annotation(events, 10, n)`). Event times
//!   keep their full precision; uniting overlapping rows first avoids timescoring's
//!   order-dependent merge of nested events. Sample scoring then uses `round(n / 10)` seconds.
//! * [`Loader::Szcore`]: exactly what the SzCORE framework does (`szcore-evaluation`
//!   `evaluate.py` with `epilepsy2bids` `Annotations.getMask(1)`): a 1 Hz mask of
//!   `int(recordingDuration)` samples with `mask[int(onset):int(onset + duration)] = 1`, then
//!   `Annotation(mask, 1)`. Times are truncated to whole seconds.
//!
//! The recording duration is the reference's `recordingDuration`, else the hypothesis's, else the
//! `--duration` fallback. A hypothesis whose own duration gives a different number of samples on
//! the loader's grid is an error, unless the difference is within the duration tolerance, in which
//! case it is cut or padded to the reference (szcore-evaluation's `duration_tolerance`; outside it,
//! szcore-evaluation silently scores an empty hypothesis, which eimfs refuses to do).
//!
//! # Pairing and subjects
//! Two files are one recording. Two directories are searched recursively for `*_events.tsv` (or,
//! when a tree has none, any `*.tsv`) and paired by recording name: the file name without
//! `_events.tsv` or `.tsv`. A reference without hypothesis is scored against an empty hypothesis
//! (as szcore-evaluation does) and listed as unmatched; a hypothesis without reference is listed
//! and not scored. The subject of a recording is the `sub-<label>` part of a BIDS name
//! (`sub-01_ses-01_task-szMonitoring_run-00` → `sub-01`), else the name up to its first `_`
//! (`chb01_03` → `chb01`, `eeg12` → `eeg12`), or, with [`Options::subject_token`] `= Some(k)`, the
//! k-th `_`-separated token (`helsinki_eeg10_00001s`, k = 1 → `eeg10`).
//!
//! # Aggregation (szcore-evaluation `evaluate_dataset`, `avg_per_subject=True`)
//! Per subject, tp, fp, refTrue and samples are summed over its recordings and the metrics
//! recomputed from the sums. The overall score is the mean over subjects of each subject metric,
//! ignoring NaN (`np.nanmean`), with the population standard deviation (`np.nanstd`). The pooled
//! score (`avg_per_subject=False`: everything summed) is given too.

use eimfs_core::{EventsFile, SeizureMap};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::localisation::{self, LocalisationScore, MatchParams};
use crate::timescoring::{self, Annotation, EventParams, Scores};

/// How a TSV becomes a timescoring annotation (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loader {
    /// Seizure intervals at full precision, united, given to timescoring as events at 10 Hz.
    #[default]
    Events,
    /// The SzCORE framework's 1 Hz mask with onsets and offsets truncated to whole seconds.
    Szcore,
}

impl Loader {
    /// `events` or `szcore`.
    pub fn name(self) -> &'static str {
        match self {
            Loader::Events => "events",
            Loader::Szcore => "szcore",
        }
    }
}

/// Options of [`score_dataset`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Options {
    /// TSV loader.
    pub loader: Loader,
    /// Recording duration in seconds for files without a `recordingDuration`.
    pub duration: Option<f64>,
    /// Largest hypothesis/reference duration difference, seconds, that is cut or padded rather than
    /// an error.
    pub duration_tolerance: f64,
    /// Event-scoring parameters.
    pub event: EventParams,
    /// Sample-scoring rate in Hz (SzCORE: 1).
    pub sample_fs: f64,
    /// Matching parameters of localisation scoring.
    pub matching: MatchParams,
    /// Make unmatched recordings an error.
    pub strict: bool,
    /// Subject rule: `None` for the default ([`subject_of`]), `Some(k)` for the k-th `_`-separated
    /// token of the recording name ([`subject_with`]).
    pub subject_token: Option<usize>,
    /// A recording-level verdict computed from a recording's seizure maps, compared between
    /// reference and hypothesis wherever localisation is scored (`eimfs score` passes the
    /// migration verdict of `eimfs_detect::summary::migration`, so that the truth and the
    /// detections are judged by the one rule the detector reports). `None`: no verdicts.
    #[serde(skip)]
    pub verdict: Option<VerdictFn>,
}

/// A recording-level verdict from seizure maps (see [`Options::verdict`]).
pub type VerdictFn = fn(&[SeizureMap]) -> String;

/// The verdicts of one recording's reference and hypothesis seizure maps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictPair {
    /// Verdict of the reference (true) seizure maps.
    pub reference: String,
    /// Verdict of the hypothesis (detected) seizure maps.
    pub hypothesis: String,
    /// The two are the same.
    pub agree: bool,
}

/// Verdict agreement over recordings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictAgreement {
    /// Recordings with both verdicts.
    pub recordings: usize,
    /// Recordings whose verdicts agree.
    pub agree: usize,
    /// `agree / recordings`.
    pub accuracy: f64,
    /// Names of the recordings whose verdicts differ.
    pub disagree: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            loader: Loader::Events,
            duration: None,
            duration_tolerance: 0.0,
            event: EventParams::default(),
            sample_fs: 1.0,
            matching: MatchParams::default(),
            strict: false,
            subject_token: None,
            verdict: None,
        }
    }
}

/// Where seizure maps for localisation come from.
/// In JSON: `{"kind": "json" | "tsv_channels", "path": "…"}` or `{"kind": "none"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum MapSource {
    /// A JSON file with a `seizures` list.
    Json(PathBuf),
    /// The `channels` column of the events TSV.
    TsvChannels(PathBuf),
    /// No hypothesis: no detected seizures.
    None,
}

/// One recording to score: a reference, maybe a hypothesis, and maybe seizure-map JSONs.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingInput {
    /// Recording name (file name without `_events.tsv` / `.tsv`).
    pub name: String,
    /// Reference TSV.
    pub reference: PathBuf,
    /// Hypothesis TSV (`None`: scored as an empty hypothesis).
    pub hypothesis: Option<PathBuf>,
    /// Reference seizure maps (`_truth.json`), if any.
    pub truth_maps: Option<PathBuf>,
    /// Detected seizure maps (`_seizures.json`), if any.
    pub detected_maps: Option<PathBuf>,
}

/// Reference and hypothesis inputs paired by recording name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pairing {
    /// Recordings to score, sorted by name.
    pub recordings: Vec<RecordingInput>,
    /// Names of references without hypothesis (scored against an empty hypothesis).
    pub reference_only: Vec<String>,
    /// Hypothesis files without reference (not scored).
    pub hypothesis_only: Vec<PathBuf>,
}

/// The recording name of an events TSV: its file name without `_events.tsv` or `.tsv`.
pub fn recording_name(path: &Path) -> String {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    file.strip_suffix("_events.tsv").or_else(|| file.strip_suffix(".tsv")).unwrap_or(&file).to_string()
}

/// The subject of a recording name: its `sub-<label>` part, else the name up to the first `_`.
pub fn subject_of(name: &str) -> String {
    name.split('_').find(|t| t.starts_with("sub-")).unwrap_or_else(|| name.split('_').next().unwrap_or(name)).to_string()
}

/// The subject of a recording name under `rule`: `None` is [`subject_of`]; `Some(k)` is the k-th
/// (0-based) `_`-separated token of the name, or the whole name when it has fewer tokens
/// (`helsinki_eeg10_00001s` with `k = 1` → `eeg10`).
pub fn subject_with(name: &str, rule: Option<usize>) -> String {
    match rule {
        None => subject_of(name),
        Some(k) => name.split('_').nth(k).unwrap_or(name).to_string(),
    }
}

fn list_tsvs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        let io = |source| Error::Io { path: dir.to_path_buf(), source };
        let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(io)?.collect::<Result<_, _>>().map_err(io)?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|x| x == "tsv") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut all = Vec::new();
    walk(dir, &mut all)?;
    let events: Vec<PathBuf> =
        all.iter().filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().ends_with("_events.tsv"))).cloned().collect();
    Ok(if events.is_empty() { all } else { events })
}

fn by_name(dir: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
    let mut map = BTreeMap::new();
    for p in list_tsvs(dir)? {
        let name = recording_name(&p);
        if let Some(first) = map.insert(name.clone(), p.clone()) {
            return Err(Error::DuplicateRecording { name, first, second: p });
        }
    }
    Ok(map)
}

/// A seizure-map JSON for `name`: `path` itself when it is a file, else the first of
/// `<name>_<suffix>.json` (for each suffix) and `<name>.json` found in directory `path`.
fn find_maps(path: &Path, name: &str, suffixes: &[&str]) -> Option<PathBuf> {
    if path.is_file() {
        return Some(path.to_path_buf());
    }
    suffixes
        .iter()
        .map(|s| path.join(format!("{name}_{s}.json")))
        .chain(std::iter::once(path.join(format!("{name}.json"))))
        .find(|p| p.is_file())
}

/// Seizure maps beside a TSV: `<name>_<suffix>.json` in the TSV's directory.
fn maps_beside(tsv: &Path, name: &str, suffixes: &[&str]) -> Option<PathBuf> {
    let dir = tsv.parent().unwrap_or(Path::new("."));
    suffixes.iter().map(|s| dir.join(format!("{name}_{s}.json"))).find(|p| p.is_file())
}

const TRUTH_SUFFIXES: [&str; 2] = ["truth", "seizures"];
const DETECTED_SUFFIXES: [&str; 1] = ["seizures"];

/// Pair `reference` and `hypothesis`: two TSV files, or two directories (see the module
/// documentation). `truth` and `detected` name seizure-map JSONs explicitly (a file for a single
/// pair, or a directory holding `<name>_truth.json` / `<name>_seizures.json` / `<name>.json`);
/// without them, `<name>_truth.json` (or `_seizures.json`) beside the reference and
/// `<name>_seizures.json` beside the hypothesis are used when present.
pub fn pair_inputs(reference: &Path, hypothesis: &Path, truth: Option<&Path>, detected: Option<&Path>) -> Result<Pairing, Error> {
    let exists = |p: &Path| {
        if p.exists() { Ok(()) } else { Err(Error::Io { path: p.to_path_buf(), source: std::io::ErrorKind::NotFound.into() }) }
    };
    exists(reference)?;
    exists(hypothesis)?;
    for p in [truth, detected].into_iter().flatten() {
        exists(p)?;
    }
    let mut pairing = Pairing::default();
    match (reference.is_dir(), hypothesis.is_dir()) {
        (false, false) => {
            let name = recording_name(reference);
            let hyp_name = recording_name(hypothesis);
            pairing.recordings.push(RecordingInput {
                truth_maps: match truth {
                    Some(t) => find_maps(t, &name, &TRUTH_SUFFIXES),
                    None => maps_beside(reference, &name, &TRUTH_SUFFIXES),
                },
                detected_maps: match detected {
                    Some(d) => find_maps(d, &hyp_name, &DETECTED_SUFFIXES),
                    None => maps_beside(hypothesis, &hyp_name, &DETECTED_SUFFIXES),
                },
                name,
                reference: reference.to_path_buf(),
                hypothesis: Some(hypothesis.to_path_buf()),
            });
        }
        (true, true) => {
            let refs = by_name(reference)?;
            let mut hyps = by_name(hypothesis)?;
            if refs.is_empty() {
                return Err(Error::NoRecordings { dir: reference.to_path_buf() });
            }
            for (name, r) in refs {
                let h = hyps.remove(&name);
                if h.is_none() {
                    pairing.reference_only.push(name.clone());
                }
                pairing.recordings.push(RecordingInput {
                    truth_maps: match truth {
                        Some(t) => find_maps(t, &name, &TRUTH_SUFFIXES),
                        None => maps_beside(&r, &name, &TRUTH_SUFFIXES),
                    },
                    detected_maps: match (detected, &h) {
                        (Some(d), _) => find_maps(d, &name, &DETECTED_SUFFIXES),
                        (None, Some(h)) => maps_beside(h, &name, &DETECTED_SUFFIXES),
                        (None, None) => None,
                    },
                    name,
                    reference: r,
                    hypothesis: h,
                });
            }
            pairing.hypothesis_only = hyps.into_values().collect();
        }
        _ => {
            return Err(Error::MixedInputs { reference: reference.to_path_buf(), hypothesis: hypothesis.to_path_buf() });
        }
    }
    Ok(pairing)
}

/// An events TSV with the 1-based line number of each row (for error messages).
struct Tsv {
    path: PathBuf,
    file: EventsFile,
    lines: Vec<usize>,
}

fn read_tsv(path: &Path) -> Result<Tsv, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    let text = String::from_utf8_lossy(&bytes);
    let file = EventsFile::parse(&text, path)?;
    // EventsFile::parse skips blank lines; the first non-blank line is the header.
    let lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).skip(1).map(|(i, _)| i + 1).collect();
    let tsv = Tsv { path: path.to_path_buf(), file, lines };
    for (k, e) in tsv.file.events.iter().enumerate() {
        if e.is_seizure() && e.onset < 0.0 {
            return Err(Error::Field {
                path: tsv.path.clone(),
                line: tsv.lines[k],
                column: "onset",
                value: format!("{}", e.onset),
                message: "expected a time >= 0 s from the recording start",
            });
        }
    }
    if let Some(d) = tsv.file.recording_duration
        && d <= 0.0
    {
        let k = tsv.file.events.iter().position(|_| true).unwrap_or(0);
        return Err(Error::Field {
            path: tsv.path.clone(),
            line: tsv.lines.get(k).copied().unwrap_or(2),
            column: "recordingDuration",
            value: format!("{d}"),
            message: "expected a duration > 0 s",
        });
    }
    Ok(tsv)
}

/// Number of samples of a recording of `duration` seconds on the loader's grid.
fn grid_len(loader: Loader, duration: f64) -> i64 {
    match loader {
        Loader::Events => (duration * timescoring::EVENT_FS).round_ties_even() as i64,
        Loader::Szcore => duration.trunc() as i64,
    }
}

fn grid_fs(loader: Loader) -> f64 {
    match loader {
        Loader::Events => timescoring::EVENT_FS,
        Loader::Szcore => 1.0,
    }
}

/// The timescoring annotation of the seizure rows of `file` for a recording of `num_samples`
/// samples on `loader`'s grid (10 Hz for [`Loader::Events`], 1 Hz for [`Loader::Szcore`]).
pub fn annotation_of(file: &EventsFile, loader: Loader, num_samples: usize) -> Result<Annotation, Error> {
    let seizures = file.seizures();
    match loader {
        Loader::Events => {
            let mut iv: Vec<(f64, f64)> = seizures.filter(|e| e.duration > 0.0).map(|e| (e.onset, e.onset + e.duration)).collect();
            iv.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut united: Vec<(f64, f64)> = Vec::with_capacity(iv.len());
            for (s, e) in iv {
                match united.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => united.push((s, e)),
                }
            }
            Annotation::from_events(united, timescoring::EVENT_FS, num_samples)
        }
        Loader::Szcore => {
            let mut mask = vec![false; num_samples];
            let n = num_samples as i64;
            for e in seizures {
                // Python: mask[int(onset * fs) : int((onset + duration) * fs)] = 1, fs = 1.
                let a = (e.onset * 1.0).trunc() as i64;
                let b = ((e.onset + e.duration) * 1.0).trunc() as i64;
                let (a, b) = (a.clamp(0, n), b.clamp(0, n));
                if b > a {
                    mask[a as usize..b as usize].fill(true);
                }
            }
            Annotation::from_mask(mask, 1.0)
        }
    }
}

/// Localisation of one recording, with where its maps came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingLocalisation {
    /// Source of the true seizure maps.
    pub truth_source: MapSource,
    /// Source of the detected seizure maps.
    pub detected_source: MapSource,
    /// Scores.
    #[serde(flatten)]
    pub score: LocalisationScore,
    /// Reference and hypothesis verdicts, when [`Options::verdict`] is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<VerdictPair>,
}

/// Scores of one recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingScore {
    /// Recording name.
    pub name: String,
    /// Subject.
    pub subject: String,
    /// Reference TSV.
    pub reference: PathBuf,
    /// Hypothesis TSV (`null`: none, scored as empty).
    pub hypothesis: Option<PathBuf>,
    /// Recording duration used, seconds.
    pub duration: f64,
    /// Event scoring.
    pub event: Scores,
    /// Sample scoring.
    pub sample: Scores,
    /// Localisation scores, when the reference localises its seizures.
    pub localisation: Option<RecordingLocalisation>,
}

/// Score one recording.
pub fn score_recording(input: &RecordingInput, opts: &Options) -> Result<RecordingScore, Error> {
    let r = read_tsv(&input.reference)?;
    let h = input.hypothesis.as_deref().map(read_tsv).transpose()?;
    let duration = r
        .file
        .recording_duration
        .or_else(|| h.as_ref().and_then(|h| h.file.recording_duration))
        .or(opts.duration)
        .ok_or_else(|| Error::MissingDuration { path: input.reference.clone() })?;
    if !(duration.is_finite() && duration > 0.0) {
        return Err(Error::MissingDuration { path: input.reference.clone() });
    }
    let n = grid_len(opts.loader, duration);
    if n <= 0 {
        return Err(Error::EmptyRecording { fs: grid_fs(opts.loader) });
    }
    if let (Some(h), Some(hd)) = (&h, h.as_ref().and_then(|h| h.file.recording_duration)) {
        let nh = grid_len(opts.loader, hd);
        let diff = (nh - n).abs() as f64 / grid_fs(opts.loader);
        if nh != n && diff > opts.duration_tolerance {
            return Err(Error::DurationMismatch {
                reference: r.path.clone(),
                hypothesis: h.path.clone(),
                reference_duration: duration,
                hypothesis_duration: hd,
            });
        }
    }
    let empty = EventsFile::default();
    let ref_ann = annotation_of(&r.file, opts.loader, n as usize)?;
    let hyp_ann = annotation_of(h.as_ref().map_or(&empty, |h| &h.file), opts.loader, n as usize)?;
    let event = timescoring::event_scoring(&ref_ann, &hyp_ann, &opts.event)?.scores;
    let sample = timescoring::sample_scoring(&ref_ann, &hyp_ann, opts.sample_fs)?;

    let localisation = {
        let truth: Option<(Vec<SeizureMap>, MapSource)> = match &input.truth_maps {
            Some(p) => Some((localisation::read_seizure_maps(p)?, MapSource::Json(p.clone()))),
            None => {
                let maps = localisation::seizure_maps_from_events(&r.file.events);
                (!maps.is_empty()).then(|| (maps, MapSource::TsvChannels(r.path.clone())))
            }
        };
        match truth {
            None => None,
            Some((truth, truth_source)) => {
                let (detected, detected_source) = match (&input.detected_maps, &h) {
                    (Some(p), _) => (localisation::read_seizure_maps(p)?, MapSource::Json(p.clone())),
                    (None, Some(h)) => (localisation::seizure_maps_from_events(&h.file.events), MapSource::TsvChannels(h.path.clone())),
                    (None, None) => (Vec::new(), MapSource::None),
                };
                let score = localisation::score_localisation(&truth, &detected, &opts.matching);
                let verdict = opts.verdict.map(|f| {
                    let (reference, hypothesis) = (f(&truth), f(&detected));
                    VerdictPair { agree: reference == hypothesis, reference, hypothesis }
                });
                Some(RecordingLocalisation { truth_source, detected_source, score, verdict })
            }
        }
    };
    Ok(RecordingScore {
        subject: subject_with(&input.name, opts.subject_token),
        name: input.name.clone(),
        reference: input.reference.clone(),
        hypothesis: input.hypothesis.clone(),
        duration,
        event,
        sample,
        localisation,
    })
}

/// Scores of one subject: its recordings pooled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubjectScore {
    /// Subject.
    pub subject: String,
    /// Number of recordings.
    pub recordings: usize,
    /// Total duration, seconds.
    pub duration: f64,
    /// Event scoring, counts summed over the recordings.
    pub event: Scores,
    /// Sample scoring, counts summed over the recordings.
    pub sample: Scores,
    /// Localisation, counts summed over the recordings that have it.
    pub localisation: Option<LocalisationScore>,
}

/// Mean and population standard deviation over subjects of each metric, NaN ignored (the keys of
/// szcore-evaluation's output).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubjectAverage {
    /// Mean sensitivity.
    pub sensitivity: f64,
    /// Standard deviation of sensitivity.
    pub sensitivity_std: f64,
    /// Mean precision.
    pub precision: f64,
    /// Standard deviation of precision.
    pub precision_std: f64,
    /// Mean F1.
    pub f1: f64,
    /// Standard deviation of F1.
    pub f1_std: f64,
    /// Mean false positives per 24 h.
    #[serde(rename = "fpRate")]
    pub fp_rate: f64,
    /// Standard deviation of false positives per 24 h.
    #[serde(rename = "fpRate_std")]
    pub fp_rate_std: f64,
}

/// `np.nanmean` and `np.nanstd` (population): NaN when no value is a number.
pub fn nan_mean_std(values: &[f64]) -> (f64, f64) {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl SubjectAverage {
    fn of<'a>(scores: impl Iterator<Item = &'a Scores> + Clone) -> SubjectAverage {
        let ms = |f: fn(&Scores) -> f64| nan_mean_std(&scores.clone().map(f).collect::<Vec<_>>());
        let (sensitivity, sensitivity_std) = ms(|s| s.sensitivity);
        let (precision, precision_std) = ms(|s| s.precision);
        let (f1, f1_std) = ms(|s| s.f1);
        let (fp_rate, fp_rate_std) = ms(|s| s.fp_rate);
        SubjectAverage { sensitivity, sensitivity_std, precision, precision_std, f1, f1_std, fp_rate, fp_rate_std }
    }
}

/// Mean over subjects (NaN ignored) of the localisation accuracies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalisationAverage {
    /// Subjects with localisation scores.
    pub subjects: usize,
    /// Mean onset hemisphere accuracy.
    pub hemisphere_accuracy: f64,
    /// Mean onset region accuracy.
    pub region_accuracy: f64,
    /// Mean sequence agreement.
    pub sequence_agreement: f64,
}

/// Overall localisation: subject mean and pooled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverallLocalisation {
    /// Mean over subjects.
    pub subject_mean: LocalisationAverage,
    /// All recordings pooled.
    pub pooled: LocalisationScore,
    /// Verdict agreement over the recordings, when [`Options::verdict`] is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<VerdictAgreement>,
}

/// Pooled scores of everything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pooled {
    /// Event scoring.
    pub event: Scores,
    /// Sample scoring.
    pub sample: Scores,
}

/// The overall scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overall {
    /// Number of subjects.
    pub subjects: usize,
    /// Number of recordings.
    pub recordings: usize,
    /// Total duration, seconds.
    pub duration: f64,
    /// Event scoring averaged over subjects (SzCORE's headline figures).
    pub event: SubjectAverage,
    /// Sample scoring averaged over subjects.
    pub sample: SubjectAverage,
    /// All recordings pooled (szcore-evaluation with `avg_per_subject=False`).
    pub pooled: Pooled,
    /// Localisation, when any recording has it.
    pub localisation: Option<OverallLocalisation>,
}

/// Description of the scoring method in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Reference implementation reproduced.
    pub reference: String,
    /// TSV loader.
    pub loader: Loader,
    /// Event-scoring parameters.
    pub event_params: EventParams,
    /// Event-scoring grid, Hz.
    pub event_fs: f64,
    /// Sample-scoring rate, Hz.
    pub sample_fs: f64,
    /// Aggregation rule.
    pub aggregation: String,
    /// Localisation matching parameters.
    pub matching: MatchParams,
}

/// Unmatched inputs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unmatched {
    /// References without hypothesis (scored as empty hypotheses).
    pub reference_only: Vec<String>,
    /// Hypotheses without reference (not scored).
    pub hypothesis_only: Vec<PathBuf>,
}

/// The whole report of `eimfs score`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// eimfs version.
    pub eimfs_version: String,
    /// Method.
    pub method: Method,
    /// Per recording, sorted by name.
    pub recordings: Vec<RecordingScore>,
    /// Per subject, sorted by subject.
    pub subjects: Vec<SubjectScore>,
    /// Overall.
    pub overall: Overall,
    /// Unmatched inputs.
    pub unmatched: Unmatched,
}

/// Aggregate recording scores into subjects and the overall score.
pub fn aggregate(recordings: Vec<RecordingScore>, opts: &Options, unmatched: Unmatched) -> Report {
    let mut groups: BTreeMap<&str, Vec<&RecordingScore>> = BTreeMap::new();
    for r in &recordings {
        groups.entry(r.subject.as_str()).or_default().push(r);
    }
    let subjects: Vec<SubjectScore> = groups
        .iter()
        .map(|(subject, recs)| SubjectScore {
            subject: subject.to_string(),
            recordings: recs.len(),
            duration: recs.iter().map(|r| r.duration).sum(),
            event: Scores::pooled(recs.iter().map(|r| &r.event)).expect("a subject has recordings"),
            sample: Scores::pooled(recs.iter().map(|r| &r.sample)).expect("a subject has recordings"),
            localisation: LocalisationScore::pooled(recs.iter().filter_map(|r| r.localisation.as_ref().map(|l| &l.score))),
        })
        .collect();
    let loc_subjects: Vec<&LocalisationScore> = subjects.iter().filter_map(|s| s.localisation.as_ref()).collect();
    let localisation = LocalisationScore::pooled(loc_subjects.iter().copied()).map(|pooled| {
        let mean = |f: fn(&LocalisationScore) -> f64| nan_mean_std(&loc_subjects.iter().map(|s| f(s)).collect::<Vec<_>>()).0;
        OverallLocalisation {
            subject_mean: LocalisationAverage {
                subjects: loc_subjects.len(),
                hemisphere_accuracy: mean(|s| s.hemisphere_accuracy),
                region_accuracy: mean(|s| s.region_accuracy),
                sequence_agreement: mean(|s| s.sequence_agreement),
            },
            pooled,
            verdict: verdict_agreement(&recordings),
        }
    });
    let overall = Overall {
        subjects: subjects.len(),
        recordings: recordings.len(),
        duration: recordings.iter().map(|r| r.duration).sum(),
        event: SubjectAverage::of(subjects.iter().map(|s| &s.event)),
        sample: SubjectAverage::of(subjects.iter().map(|s| &s.sample)),
        pooled: Pooled {
            event: Scores::pooled(recordings.iter().map(|r| &r.event)).unwrap_or_else(|| Scores::from_counts(0, 0, 0, 1, 10.0)),
            sample: Scores::pooled(recordings.iter().map(|r| &r.sample)).unwrap_or_else(|| Scores::from_counts(0, 0, 0, 1, 1.0)),
        },
        localisation,
    };
    let method = Method {
        reference: "timescoring 0.0.7 (EventScoring, SampleScoring); TSV loading and aggregation as szcore-evaluation".into(),
        loader: opts.loader,
        event_params: opts.event.clone(),
        event_fs: timescoring::EVENT_FS,
        sample_fs: opts.sample_fs,
        aggregation: "per subject: counts summed over recordings; overall: mean and population sd over subjects, NaN ignored".into(),
        matching: opts.matching.clone(),
    };
    Report { eimfs_version: env!("CARGO_PKG_VERSION").into(), method, recordings, subjects, overall, unmatched }
}

/// Verdict agreement over the recordings that have verdicts (`None` when none has).
fn verdict_agreement(recordings: &[RecordingScore]) -> Option<VerdictAgreement> {
    let pairs: Vec<(&str, &VerdictPair)> =
        recordings.iter().filter_map(|r| r.localisation.as_ref().and_then(|l| l.verdict.as_ref()).map(|v| (r.name.as_str(), v))).collect();
    if pairs.is_empty() {
        return None;
    }
    let agree = pairs.iter().filter(|(_, v)| v.agree).count();
    Some(VerdictAgreement {
        recordings: pairs.len(),
        agree,
        accuracy: agree as f64 / pairs.len() as f64,
        disagree: pairs.iter().filter(|(_, v)| !v.agree).map(|(n, _)| n.to_string()).collect(),
    })
}

/// Pair, score and aggregate (the whole of `eimfs score`). `progress` is called after each
/// recording with (done, total).
pub fn score_dataset(pairing: &Pairing, opts: &Options, mut progress: impl FnMut(usize, usize)) -> Result<Report, Error> {
    if opts.strict && (!pairing.reference_only.is_empty() || !pairing.hypothesis_only.is_empty()) {
        return Err(Error::Unmatched { reference_only: pairing.reference_only.clone(), hypothesis_only: pairing.hypothesis_only.clone() });
    }
    let mut recordings = Vec::with_capacity(pairing.recordings.len());
    for (i, input) in pairing.recordings.iter().enumerate() {
        recordings.push(score_recording(input, opts)?);
        progress(i + 1, pairing.recordings.len());
    }
    let unmatched = Unmatched { reference_only: pairing.reference_only.clone(), hypothesis_only: pairing.hypothesis_only.clone() };
    Ok(aggregate(recordings, opts, unmatched))
}

fn f3(x: f64) -> String {
    if x.is_nan() { "n/a".into() } else { format!("{x:.3}") }
}

fn f2(x: f64) -> String {
    if x.is_nan() { "n/a".into() } else { format!("{x:.2}") }
}

fn pm(m: f64, s: f64) -> String {
    if m.is_nan() { "n/a".into() } else { format!("{m:.3} ± {s:.3}") }
}

impl Report {
    /// The report as human-readable text tables.
    pub fn to_table(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "SzCORE scoring as timescoring 0.0.7 computes it (loader: {}; events on a 10 Hz grid, tolerance {}/{} s, merge < {} s, split > {} s; samples at {} Hz)",
            self.method.loader.name(),
            self.method.event_params.tolerance_start,
            self.method.event_params.tolerance_end,
            self.method.event_params.min_duration_between_events,
            self.method.event_params.max_event_duration,
            self.method.sample_fs
        );
        let wn = self
            .recordings
            .iter()
            .map(|r| r.name.chars().count())
            .chain(self.subjects.iter().map(|s| s.subject.chars().count()))
            .max()
            .unwrap_or(9)
            .max(9);
        let head = |o: &mut String, first: &str| {
            let _ = writeln!(
                o,
                "\n{first:<wn$} {:>9} | {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} {:>8} | {:>6} {:>6} {:>6} {:>8} | {:>5} {:>6} {:>6} {:>6}",
                "hours",
                "ref",
                "tp",
                "fp",
                "sens",
                "prec",
                "F1",
                "FP/24h",
                "sens",
                "prec",
                "F1",
                "FP/24h",
                "match",
                "hemi",
                "region",
                "seq"
            );
            let _ = writeln!(o, "{:<wn$} {:>9} | {:<44} | {:<29} | {:<26}", "", "", "events", "samples (1 s)", "onset localisation");
        };
        let row = |o: &mut String, name: &str, dur: f64, e: &Scores, s: &Scores, l: Option<&LocalisationScore>| {
            let loc = match l {
                Some(l) => format!(
                    "{:>5} {:>6} {:>6} {:>6}",
                    format!("{}/{}", l.matched, l.true_seizures),
                    f3(l.hemisphere_accuracy),
                    f3(l.region_accuracy),
                    f3(l.sequence_agreement)
                ),
                None => format!("{:>5} {:>6} {:>6} {:>6}", "-", "-", "-", "-"),
            };
            let _ = writeln!(
                o,
                "{name:<wn$} {:>9.2} | {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} {:>8} | {:>6} {:>6} {:>6} {:>8} | {loc}",
                dur / 3600.0,
                e.ref_true,
                e.tp,
                e.fp,
                f3(e.sensitivity),
                f3(e.precision),
                f3(e.f1),
                f2(e.fp_rate),
                f3(s.sensitivity),
                f3(s.precision),
                f3(s.f1),
                f2(s.fp_rate)
            );
        };
        head(&mut o, "recording");
        for r in &self.recordings {
            row(&mut o, &r.name, r.duration, &r.event, &r.sample, r.localisation.as_ref().map(|l| &l.score));
            // The verdicts (when computed) at the end of the recording's line.
            if let Some(v) = r.localisation.as_ref().and_then(|l| l.verdict.as_ref()) {
                o.pop();
                let _ = writeln!(o, " | {} -> {}{}", v.reference, v.hypothesis, if v.agree { "" } else { "  (differ)" });
            }
        }
        head(&mut o, "subject");
        for s in &self.subjects {
            row(&mut o, &s.subject, s.duration, &s.event, &s.sample, s.localisation.as_ref());
        }
        let ov = &self.overall;
        let _ = writeln!(
            o,
            "\noverall: {} recordings, {} subjects, {:.2} h; mean ± sd over subjects (SzCORE), then all recordings pooled",
            ov.recordings,
            ov.subjects,
            ov.duration / 3600.0
        );
        for (label, a, p) in [("events", &ov.event, &ov.pooled.event), ("samples", &ov.sample, &ov.pooled.sample)] {
            let _ = writeln!(
                o,
                "  {label:<8} sensitivity {}  precision {}  F1 {}  FP/24h {}",
                pm(a.sensitivity, a.sensitivity_std),
                pm(a.precision, a.precision_std),
                pm(a.f1, a.f1_std),
                if a.fp_rate.is_nan() { "n/a".into() } else { format!("{:.2} ± {:.2}", a.fp_rate, a.fp_rate_std) }
            );
            let _ = writeln!(
                o,
                "  {:<8} sensitivity {}  precision {}  F1 {}  FP/24h {}  (pooled: tp {}, fp {}, refTrue {})",
                "",
                f3(p.sensitivity),
                f3(p.precision),
                f3(p.f1),
                f2(p.fp_rate),
                p.tp,
                p.fp,
                p.ref_true
            );
        }
        if let Some(l) = &ov.localisation {
            let _ = writeln!(
                o,
                "  onset    hemisphere {}  region {}  sequence agreement {}  (mean over {} subjects)",
                f3(l.subject_mean.hemisphere_accuracy),
                f3(l.subject_mean.region_accuracy),
                f3(l.subject_mean.sequence_agreement),
                l.subject_mean.subjects
            );
            let _ = writeln!(
                o,
                "  {:<8} hemisphere {}  region {}  sequence agreement {}  (pooled: {} of {} true seizures matched)",
                "",
                f3(l.pooled.hemisphere_accuracy),
                f3(l.pooled.region_accuracy),
                f3(l.pooled.sequence_agreement),
                l.pooled.matched,
                l.pooled.true_seizures
            );
            if let Some(v) = &l.verdict {
                let _ = writeln!(
                    o,
                    "  verdict  reference and hypothesis agree on {} of {} recordings ({}){}",
                    v.agree,
                    v.recordings,
                    f3(v.accuracy),
                    if v.disagree.is_empty() { String::new() } else { format!("; differ: {}", v.disagree.join(", ")) }
                );
            }
        }
        if !self.unmatched.reference_only.is_empty() {
            let _ = writeln!(o, "\nreferences without hypothesis (scored as empty): {}", self.unmatched.reference_only.join(", "));
        }
        if !self.unmatched.hypothesis_only.is_empty() {
            let list: Vec<String> = self.unmatched.hypothesis_only.iter().map(|p| p.display().to_string()).collect();
            let _ = writeln!(o, "\nhypotheses without reference (not scored): {}", list.join(", "));
        }
        o
    }
}
