//! Self-contained HTML reports of seizures, burden and migration — what `eimfs report` and
//! `eimfs demo` write.
//!
//! A report is **one HTML file**: figures are inline SVG, the stylesheet is inline and uses the
//! system font stack, nothing is fetched and there is no script, so it opens offline, survives
//! being e-mailed, reads at 1280 px and prints (A4 landscape). It has seven sections:
//!
//! 1. the recording (file, start, duration, channels, montages, **quality notes**: flat, clipped,
//!    noisy, low-amplitude and mains-contaminated channels found by [`quality::assess`]);
//! 2. the **seizure timeline**: regions (lobe × hemisphere) against time, every seizure drawn in
//!    the regions it involves, coloured by onset region, overlaps stacked;
//! 3. **burden**: seizures per hour, time in seizure, clusters and status epilepticus;
//! 4. **migration**: the detector's verdict and evidence, a head map of onsets per electrode and
//!    head maps of a few seizures' paths with the delays between regions;
//! 5. **example seizures** (the first, the longest, one that migrates): 20–60 s of EEG in the
//!    double-banana montage with the onset and each change of region marked;
//! 6. a table of all seizures;
//! 7. with a truth: **SzCORE** event and sample scores and onset-localisation accuracy (from
//!    `eimfs-score`), missed and false detections marked on the timeline.
//!
//! The crate separates loading ([`input`], [`quality`]: files → [`ReportData`]) from drawing
//! ([`render`]: [`ReportData`] → HTML), so a report can also be made from data in memory.
//! Figures are drawn by a small SVG writer ([`svg`]) rather than a plotting crate: the head
//! maps, migration arrows, rasters and EEG pages are custom drawings where a chart library adds
//! little, and hand-written SVG keeps the file small (dense rasters are merged per pixel, EEG
//! traces are min/max-decimated to two points per pixel column) — a 72-hour recording with 1,440
//! seizures gives a report of about 1–2 MB. The page layout is a [minijinja] template
//! (`templates/report.html` and `report.css`, built in) that users may replace.
//!
//! # Example
//!
//! ```
//! use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};
//! use eimfs_report::{render, RecordingSummary, RenderOptions, ReportData};
//!
//! let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
//! let rc = Region::new(Lobe::Central, Hemisphere::Right);
//! let seizure = SeizureMap {
//!     id: 1, onset: 600.0, offset: 660.0, confidence: Some(0.93),
//!     onset_electrodes: vec![Electrode::T3], onset_regions: vec![lt], onset_hemisphere: Hemisphere::Left,
//!     visits: vec![RegionVisit { region: lt, start: 600.0, end: 650.0 }, RegionVisit { region: rc, start: 622.0, end: 660.0 }],
//!     hemisphere_switches: 1, overlaps: vec![], generalised: false,
//! };
//! let data = ReportData {
//!     recording: RecordingSummary { file: "infant.edf".into(), duration: 3600.0, ..Default::default() },
//!     seizures: vec![seizure],
//!     ..Default::default()
//! };
//! let html = render(&data, &RenderOptions::default()).unwrap();
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("L temporal → R central (+22 s)"));
//! assert!(!html.contains("<script"));
//! ```

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

pub mod input;
mod model;
pub mod plots;
pub mod quality;
mod render;
pub mod style;
pub mod svg;

pub use model::{
    ChannelInfo, ChannelQuality, Evaluation, ExampleSeizure, MigrationVerdict, Probability, RecordingSummary, ReportData, Span, Summary,
    TraceChannel,
};
pub use render::{RenderOptions, STYLESHEET, TEMPLATE, describe, render};

/// Errors of this crate: each names the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The recording could not be read.
    #[error(transparent)]
    Edf(#[from] eimfs_edf::Error),
    /// A montage or filter could not be applied.
    #[error(transparent)]
    Signal(#[from] eimfs_signal::Error),
    /// Detections or truth could not be read or scored.
    #[error(transparent)]
    Score(#[from] eimfs_score::Error),
    /// An events TSV is malformed.
    #[error(transparent)]
    Tsv(#[from] eimfs_core::TsvError),
    /// A JSON file is malformed.
    #[error("{path}: {message}")]
    Json {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The template could not be parsed or rendered (the message names the line).
    #[error("report template: {0}")]
    Template(String),
    /// Inputs that do not fit together (missing detections, bad columns…).
    #[error("{0}")]
    Input(String),
}

/// What [`build`] reads.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// The detector's output directory (holds `<stem>_seizures.json` …).
    pub detections: PathBuf,
    /// A truth: `_truth.json` (seizure maps) or a reference events TSV.
    pub truth: Option<PathBuf>,
    /// Skip the quality pass over the whole recording.
    pub skip_quality: bool,
}

/// Stages reported by [`build`]'s progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The quality pass: `done`/`total` data records (two passes).
    Quality,
    /// Reading the example seizures' EEG: `done`/`total` examples.
    Examples,
}

/// Read everything a report of recording `edf` shows: the recording and its quality, the
/// detections in `options.detections`, the EEG of the example seizures and, with a truth, the
/// comparison. `progress(stage, done, total)` is called as work proceeds.
pub fn build(edf: &Path, options: &BuildOptions, progress: &(dyn Fn(Stage, u64, u64) + Sync)) -> Result<ReportData, Error> {
    let file = eimfs_edf::EdfFile::open(edf)?;
    let stem = input::stem_of(edf);
    let files = input::find_detections(&options.detections, &stem)?;
    let seizures = input::read_seizures(&files.seizures)?;
    let detected_events = files.events.as_deref().map(eimfs_core::EventsFile::read).transpose()?;
    let summary = files.summary.as_deref().map(input::read_summary).transpose()?;
    let probability = files.probability.as_deref().map(input::read_probability).transpose()?;

    let mut recording = input::recording_summary(&file, &edf.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
    recording.detection_montage = summary.as_ref().and_then(|s| s.montage.clone());
    if !options.skip_quality {
        let total = 2 * file.n_records() as u64;
        let done = std::sync::atomic::AtomicU64::new(0);
        let tick = |n: usize| {
            let d = done.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed) + n as u64;
            progress(Stage::Quality, d, total);
        };
        let ictal: Vec<(f64, f64)> = seizures.iter().map(|s| (s.onset, s.offset)).collect();
        recording.quality = quality::assess(&file, &ictal, &tick)?;
    }

    let chosen = input::choose_examples(&seizures);
    let mut examples = Vec::with_capacity(chosen.len());
    for (k, (i, why)) in chosen.iter().enumerate() {
        let ex = input::read_example(&file, &seizures[*i], why)?;
        if k == 0 {
            recording.display_montage = ex.montage.clone();
        }
        examples.push(ex);
        progress(Stage::Examples, k as u64 + 1, chosen.len() as u64);
    }

    let mut sources =
        vec![("recording".to_string(), edf.display().to_string()), ("seizure maps".to_string(), files.seizures.display().to_string())];
    for (what, p) in [("events", &files.events), ("summary", &files.summary), ("probability", &files.probability)] {
        if let Some(p) = p {
            sources.push((what.to_string(), p.display().to_string()));
        }
    }
    let evaluation = match &options.truth {
        Some(t) => {
            let truth = input::read_truth(t)?;
            sources.push(("truth".to_string(), truth.source.clone()));
            Some(input::evaluate(recording.duration, &truth, &seizures, detected_events.as_ref())?)
        }
        None => None,
    };
    Ok(ReportData { recording, seizures, summary, probability, examples, evaluation, sources })
}

/// Write `html` to `path` atomically: into a temporary file beside it, renamed when complete.
pub fn write_report(path: &Path, html: &str) -> Result<(), Error> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, html).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
