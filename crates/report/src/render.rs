//! From [`ReportData`] to one self-contained HTML page: the figures are drawn here, the page is
//! laid out by a minijinja template (`templates/report.html`, with its stylesheet
//! `templates/report.css`), which a user can replace with `--template`.

use eimfs_core::{Hemisphere, SeizureMap};
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::Error;
use crate::model::{ChannelQuality, ReportData, Span};
use crate::plots::{burden, head, timeline, traces};
use crate::style;
use crate::svg::{self, clock, duration_label, num};

/// The built-in page template.
pub const TEMPLATE: &str = include_str!("../templates/report.html");
/// The built-in stylesheet, included by the template as `report.css`.
pub const STYLESHEET: &str = include_str!("../templates/report.css");

/// Rendering options.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// A replacement for the built-in page template (its text). It can `{% include "report.css" %}`.
    pub template: Option<String>,
    /// Shown in the footer: when the report was made (e.g. `2026-11-03 14:05`).
    pub generated: Option<String>,
    /// Most migration-path head maps to draw.
    pub max_paths: usize,
}

#[derive(Serialize)]
struct Kv {
    k: String,
    v: String,
}

fn kv(k: impl Into<String>, v: impl Into<String>) -> Kv {
    Kv { k: k.into(), v: v.into() }
}

#[derive(Serialize)]
struct LegendItem {
    name: String,
    fill: &'static str,
    stroke: &'static str,
}

#[derive(Serialize)]
struct SpanRow {
    n: usize,
    start: String,
    end: String,
    duration: String,
    seizures: String,
    note: String,
}

#[derive(Serialize)]
struct Figure {
    title: String,
    caption: String,
    svg: Value,
}

#[derive(Serialize)]
struct SeizureRow {
    id: usize,
    onset: String,
    onset_s: String,
    clock: String,
    duration: String,
    onset_region: String,
    fill: &'static str,
    stroke: &'static str,
    electrodes: String,
    path: String,
    switches: usize,
    overlaps: String,
    generalised: bool,
    confidence: String,
    truth: String,
    truth_class: &'static str,
}

#[derive(Serialize)]
struct QualityRow {
    label: String,
    electrode: String,
    sd: String,
    flat: String,
    mains: String,
    hf: String,
    problems: Vec<String>,
}

fn pct(x: f64) -> String {
    if x.is_nan() { "n/a".into() } else { format!("{}%", num(x * 100.0, if x < 0.1 { 1 } else { 0 })) }
}

fn metric(x: f64, d: usize) -> String {
    if x.is_nan() { "n/a".into() } else { num(x, d) }
}

fn onset_region(s: &SeizureMap) -> Option<eimfs_core::Region> {
    s.onset_regions.first().copied().or_else(|| s.visits.first().map(|v| v.region))
}

fn path_words(s: &SeizureMap) -> String {
    let steps = head::path_steps(s);
    if steps.is_empty() {
        return onset_region(s).map(style::region_short).unwrap_or_default();
    }
    steps
        .iter()
        .enumerate()
        .map(|(i, (r, _, d))| if i == 0 { style::region_short(*r) } else { format!("→ {} (+{} s)", style::region_short(*r), num(*d, 0)) })
        .collect::<Vec<_>>()
        .join(" ")
}

fn span_rows(spans: &[Span]) -> Vec<SpanRow> {
    spans
        .iter()
        .enumerate()
        .map(|(i, s)| SpanRow {
            n: i + 1,
            start: clock(s.start),
            end: clock(s.end),
            duration: duration_label(s.end - s.start),
            seizures: s.seizures.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
            note: s.note.clone().unwrap_or_default(),
        })
        .collect()
}

fn median(v: &mut [f64]) -> f64 {
    crate::quality::median(v)
}

/// Facts about migration read straight from the seizure maps (no thresholds).
fn migration_facts(seizures: &[SeizureMap]) -> Vec<Kv> {
    let mut onsets: Vec<eimfs_core::Region> = seizures.iter().filter_map(onset_region).collect();
    let left = seizures.iter().filter(|s| s.onset_hemisphere == Hemisphere::Left).count();
    let right = seizures.iter().filter(|s| s.onset_hemisphere == Hemisphere::Right).count();
    let mid = seizures.iter().filter(|s| s.onset_hemisphere == Hemisphere::Midline).count();
    onsets.sort();
    onsets.dedup();
    let migrating = seizures.iter().filter(|s| s.migrates()).count();
    let switching = seizures.iter().filter(|s| s.hemisphere_switches > 0).count();
    let overlapping = seizures.iter().filter(|s| !s.overlaps.is_empty()).count();
    let generalised = seizures.iter().filter(|s| s.generalised).count();
    let mut delays: Vec<f64> = seizures.iter().flat_map(|s| head::path_steps(s).into_iter().skip(1).map(|x| x.2)).collect();
    let n = seizures.len().max(1) as f64;
    let mut v = vec![
        kv(
            "distinct onset regions",
            format!("{} ({})", onsets.len(), onsets.iter().map(|r| style::region_short(*r)).collect::<Vec<_>>().join(", ")),
        ),
        kv("onset hemisphere", format!("left {left}, right {right}{}", if mid > 0 { format!(", midline {mid}") } else { String::new() })),
        kv("seizures that move to another region", format!("{migrating} of {} ({})", seizures.len(), pct(migrating as f64 / n))),
        kv("seizures that cross to the other hemisphere", format!("{switching} ({})", pct(switching as f64 / n))),
        kv("seizures overlapping another in time", format!("{overlapping}")),
        kv("secondarily generalised", format!("{generalised}")),
    ];
    if !delays.is_empty() {
        let (lo, hi) = (delays.iter().copied().fold(f64::INFINITY, f64::min), delays.iter().copied().fold(0.0, f64::max));
        let text = if delays.len() == 1 {
            format!("{} s (1 move)", num(lo, 0))
        } else {
            format!("median {} s (range {}–{} s, {} moves)", num(median(&mut delays), 0), num(lo, 0), num(hi, 0), delays.len())
        };
        v.push(kv("delay between successive ictal activities", text));
    }
    v
}

/// The migrating seizures whose paths are drawn: up to `max`, those visiting most regions
/// first, then in order of onset so the choice spreads over the recording.
fn path_choice(seizures: &[SeizureMap], max: usize) -> Vec<&SeizureMap> {
    let mut m: Vec<&SeizureMap> = seizures.iter().filter(|s| s.migrates()).collect();
    m.sort_by(|a, b| head::path_steps(b).len().cmp(&head::path_steps(a).len()).then(a.onset.total_cmp(&b.onset)));
    m.truncate(max);
    m.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    m
}

fn ser<T: Serialize>(x: T) -> Value {
    Value::from(minijinja::value::Serde(&x))
}

/// Render the report.
pub fn render(data: &ReportData, options: &RenderOptions) -> Result<String, Error> {
    let rec = &data.recording;
    let seizures = &data.seizures;
    let dur = rec.duration.max(1e-9);
    let summary = data.summary.as_ref();

    // Totals from the seizure maps (the detector's own totals win when it gives them).
    let union = burden::union(seizures);
    let seizure_time = summary.and_then(|s| s.total_seizure_time).unwrap_or_else(|| union.iter().map(|(a, b)| b - a).sum());
    let longest = summary.and_then(|s| s.longest_seizure).unwrap_or_else(|| seizures.iter().map(SeizureMap::duration).fold(0.0, f64::max));
    let rate = summary.and_then(|s| s.seizures_per_hour).unwrap_or(seizures.len() as f64 * 3600.0 / dur);
    let mut durations: Vec<f64> = seizures.iter().map(SeizureMap::duration).collect();
    let med_dur = median(&mut durations);
    let clusters: &[Span] = summary.map_or(&[], |s| &s.clusters);
    let status: &[Span] = summary.map_or(&[], |s| &s.status_epilepticus);

    let verdict = summary.and_then(|s| s.migration.as_ref());
    let (verdict_text, verdict_class) = match verdict {
        Some(v) if v.migrating => ("Migrating focal seizures", "yes"),
        Some(v) if v.verdict == "insufficient_evidence" => ("Not enough seizures to judge migration", "na"),
        Some(v) if v.verdict == "no_seizures" => ("No seizures, no migration", "no"),
        Some(v) if v.verdict == "not_migrating" || v.verdict == "no" || v.verdict == "false" => ("No migrating focal seizures", "no"),
        Some(_) => ("Migration verdict not understood", "na"),
        None => ("No verdict (no detector summary)", "na"),
    };

    // Section 1.
    let eeg = rec.channels.iter().filter(|c| c.kind == "EEG").count();
    let others: Vec<String> = rec.channels.iter().filter(|c| c.kind != "EEG").map(|c| format!("{} ({})", c.label, c.kind)).collect();
    let rates: Vec<String> = {
        let mut r: Vec<String> = rec.channels.iter().filter(|c| c.kind == "EEG").map(|c| format!("{} Hz", num(c.fs, 2))).collect();
        r.dedup();
        r.sort();
        r.dedup();
        r
    };
    let mut rec_rows = vec![
        kv("file", rec.file.clone()),
        kv("format", rec.file_type.clone()),
        kv("start", rec.start.map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| "unknown".into())),
        kv("duration", format!("{} ({} s)", duration_label(rec.duration), num(rec.duration, 1))),
        kv("EEG channels", if eeg == 0 { "none".to_string() } else { format!("{eeg} at {}", rates.join(", ")) }),
        kv(
            "10-20 electrodes",
            if rec.missing_electrodes.is_empty() {
                "all 19".to_string()
            } else {
                format!(
                    "{} of 19; missing {}",
                    19 - rec.missing_electrodes.len(),
                    rec.missing_electrodes.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
                )
            },
        ),
        kv("other channels", if others.is_empty() { "none".to_string() } else { others.join(", ") }),
    ];
    if let Some(m) = rec.detection_montage.clone().or_else(|| summary.and_then(|s| s.montage.clone())) {
        rec_rows.push(kv("detection montage", m));
    }
    if let Some(s) = summary {
        if !s.channels_used.is_empty() {
            rec_rows.push(kv(format!("channels used by detection ({})", s.channels_used.len()), s.channels_used.join(", ")));
        }
        if !s.flat_electrodes.is_empty() {
            rec_rows.push(kv("left out by the detector (flat)", s.flat_electrodes.join(", ")));
        }
        if let Some(d) = &s.detector {
            rec_rows.push(kv("detector", d.clone()));
        }
        if !s.warnings.is_empty() {
            rec_rows.push(kv("detector warnings", s.warnings.join("; ")));
        }
    }
    rec_rows.push(kv("montage of the EEG examples", rec.display_montage.clone()));
    if !rec.gaps.is_empty() {
        rec_rows.push(kv(
            "gaps (EDF+D)",
            rec.gaps.iter().map(|(a, d)| format!("{} for {}", clock(*a), duration_label(*d))).collect::<Vec<_>>().join(", "),
        ));
    }
    rec_rows.push(kv("annotations in the file", rec.annotations.to_string()));
    let quality_rows = |q: &[ChannelQuality]| -> Vec<QualityRow> {
        q.iter()
            .map(|c| QualityRow {
                label: c.label.clone(),
                electrode: c.electrode.map(|e| e.name().to_string()).unwrap_or_default(),
                sd: if c.median_sd.is_nan() { "n/a".into() } else { num(c.median_sd, 1) },
                flat: pct(c.flat_fraction),
                mains: pct(c.mains_fraction),
                hf: pct(c.high_frequency_fraction),
                problems: c.problems.clone(),
            })
            .collect()
    };
    let problems: Vec<QualityRow> = quality_rows(&rec.quality.iter().filter(|c| !c.problems.is_empty()).cloned().collect::<Vec<_>>());

    // Section 2 legend.
    let legend: Vec<LegendItem> = style::ROW_ORDER
        .iter()
        .map(|r| LegendItem { name: style::region_short(*r), fill: style::region_fill(*r), stroke: style::region_stroke(*r) })
        .collect();

    // Section 4.
    let paths: Vec<Figure> = path_choice(seizures, if options.max_paths == 0 { 4 } else { options.max_paths })
        .into_iter()
        .map(|s| Figure {
            title: format!("Seizure {} at {}", s.id, clock(s.onset)),
            caption: format!("{}; {}", duration_label(s.duration()), path_words(s)),
            svg: Value::from_safe_string(head::path_map(s, &format!("p{}", s.id))),
        })
        .collect();

    // Section 5.
    let examples: Vec<Figure> = data
        .examples
        .iter()
        .enumerate()
        .map(|(i, ex)| Figure {
            title: format!("Seizure {} — {}", ex.seizure.id, ex.why),
            caption: format!(
                "Onset {} ({} s), duration {}; {}. {} montage, {}. Shaded: channels of each region while it is involved.",
                clock(ex.seizure.onset),
                num(ex.seizure.onset, 1),
                duration_label(ex.seizure.duration()),
                path_words(&ex.seizure),
                ex.montage,
                ex.filter
            ),
            svg: Value::from_safe_string(traces::traces(ex, &format!("ex{i}"))),
        })
        .collect();

    // Section 6 (with the truth match when known).
    let matched_truth: std::collections::HashMap<usize, usize> =
        data.evaluation.as_ref().map(|e| e.localisation.matches.iter().map(|m| (m.detected_id, m.true_id)).collect()).unwrap_or_default();
    let table: Vec<SeizureRow> = seizures
        .iter()
        .map(|s| {
            let r = onset_region(s);
            let (truth, truth_class) = match &data.evaluation {
                None => (String::new(), ""),
                Some(e) => match matched_truth.get(&s.id) {
                    Some(t) => (format!("true #{t}"), "ok"),
                    // A reference without locations: whether SzCORE counted it as found.
                    None if e.truth.is_empty() => match detected_event_is_true(e, s) {
                        Some(true) => ("true event".to_string(), "ok"),
                        Some(false) => ("false".to_string(), "bad"),
                        None => ("–".to_string(), ""),
                    },
                    None => ("no match".to_string(), "bad"),
                },
            };
            SeizureRow {
                id: s.id,
                onset: clock(s.onset),
                onset_s: num(s.onset, 1),
                clock: rec
                    .start
                    .map(|d| (d + chrono::Duration::milliseconds((s.onset * 1000.0) as i64)).format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                duration: num(s.duration(), 1),
                onset_region: r.map(style::region_short).unwrap_or_else(|| "–".into()),
                fill: r.map_or("#ced4da", style::region_fill),
                stroke: r.map_or("#868e96", style::region_stroke),
                electrodes: s.onset_electrodes.iter().map(|e| e.name()).collect::<Vec<_>>().join(", "),
                path: path_words(s),
                switches: s.hemisphere_switches,
                overlaps: s.overlaps.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", "),
                generalised: s.generalised,
                confidence: s.confidence.map(|c| num(c, 2)).unwrap_or_else(|| "–".into()),
                truth,
                truth_class,
            }
        })
        .collect();

    // Section 7.
    let evaluation = data.evaluation.as_ref().map(|e| {
        let loc = &e.localisation;
        let missed: Vec<String> = e.reference_events.iter().filter(|r| !r.2).map(|r| format!("{}–{}", clock(r.0), clock(r.1))).collect();
        let false_pos: Vec<String> = e.detected_events.iter().filter(|r| r.2).map(|r| format!("{}–{}", clock(r.0), clock(r.1))).collect();
        let unmatched_truth: Vec<String> = {
            let matched: std::collections::HashSet<usize> = loc.matches.iter().map(|m| m.true_id).collect();
            e.truth.iter().filter(|t| !matched.contains(&t.id)).map(|t| format!("#{} at {}", t.id, clock(t.onset))).collect()
        };
        let wrong_region: Vec<String> = loc
            .matches
            .iter()
            .filter(|m| m.region_correct == Some(false))
            .map(|m| {
                format!(
                    "detection #{} at {}: {} (true {})",
                    m.detected_id,
                    clock(m.detected_onset),
                    m.detected_region.map(style::region_short).unwrap_or_else(|| "none".into()),
                    m.true_regions.iter().map(|r| style::region_short(*r)).collect::<Vec<_>>().join("/")
                )
            })
            .collect();
        minijinja::context! {
            source => e.truth_source.clone(),
            true_n => e.truth.len(),
            // A reference without locations (e.g. experts' events with no channels): its
            // seizure events as scored.
            located => !e.truth.is_empty(),
            reference_n => e.reference_events.len(),
            event => minijinja::context! {
                tp => e.event.tp, fp => e.event.fp, ref_true => e.event.ref_true,
                sensitivity => metric(e.event.sensitivity, 3), precision => metric(e.event.precision, 3),
                f1 => metric(e.event.f1, 3), fp_rate => metric(e.event.fp_rate, 2),
            },
            sample => minijinja::context! {
                tp => e.sample.tp, fp => e.sample.fp, ref_true => e.sample.ref_true,
                sensitivity => metric(e.sample.sensitivity, 3), precision => metric(e.sample.precision, 3),
                f1 => metric(e.sample.f1, 3), fp_rate => metric(e.sample.fp_rate, 1),
            },
            loc => minijinja::context! {
                true_n => loc.true_seizures, detected_n => loc.detected_seizures, matched => loc.matched,
                hemisphere => format!("{} ({} of {})", pct(loc.hemisphere_accuracy), loc.hemisphere_correct, loc.matched),
                region => format!("{} ({} of {})", pct(loc.region_accuracy), loc.region_correct, loc.region_assessed),
                sequence => format!("{} (over {} pairs with known sequences)", metric(loc.sequence_agreement, 3), loc.sequence_assessed),
            },
            missed => missed,
            false_pos => false_pos,
            unmatched_truth => unmatched_truth,
            wrong_region => wrong_region,
            truth_svg => Value::from_safe_string(timeline::timeline(rec.duration, &e.truth, None, None)),
            truth_has_visits => e.truth.iter().any(|t| !t.visits.is_empty()),
        }
    });

    let glance = {
        let mut g = vec![
            kv("seizures detected", seizures.len().to_string()),
            kv("seizures per hour", num(rate, 1)),
            kv("time in seizure", format!("{} ({})", duration_label(seizure_time), pct(seizure_time / dur))),
            kv("longest seizure", duration_label(longest)),
        ];
        if let Some(e) = &data.evaluation {
            if e.truth.is_empty() {
                // A reference without locations: its events as SzCORE scores them.
                g.push(kv("reference seizure events", e.reference_events.len().to_string()));
            } else {
                g.push(kv("true seizures", e.truth.len().to_string()));
            }
            let sens = e.event.sensitivity;
            g.push(kv("sensitivity (SzCORE events)", if sens.is_nan() { "n/a".into() } else { format!("{sens:.2}") }));
            g.push(kv("false detections / 24 h", metric(e.event.fp_rate, 1)));
            g.push(kv("onset region correct", pct(e.localisation.region_accuracy)));
        }
        g
    };

    let mut sections = vec![
        ("recording", "Recording"),
        ("timeline", "Seizure timeline"),
        ("burden", "Burden"),
        ("migration", "Migration"),
        ("examples", "Example seizures"),
        ("seizures", "All seizures"),
    ];
    if data.evaluation.is_some() {
        sections.push(("evaluation", "Against the truth"));
    }

    let ctx = minijinja::context! {
        version => env!("CARGO_PKG_VERSION"),
        generated => options.generated.clone().unwrap_or_default(),
        title => format!("Seizure report: {}", rec.file),
        file => rec.file.clone(),
        sections => sections.iter().map(|(id, t)| minijinja::context! { id => *id, title => *t }).collect::<Vec<_>>(),
        glance => ser(glance),
        verdict_text => verdict_text,
        verdict_class => verdict_class,
        recording => ser(rec_rows),
        quality_problems => ser(problems),
        quality => ser(quality_rows(&rec.quality)),
        quality_checked => !rec.quality.is_empty(),
        timeline_svg => Value::from_safe_string(timeline::timeline(rec.duration, seizures, data.evaluation.as_ref(), data.probability.as_ref())),
        strip_hours => num(timeline::strips(rec.duration).0 / 3600.0, 2),
        legend => ser(legend),
        has_probability => data.probability.as_ref().is_some_and(|p| !p.overall.is_empty()),
        burden_svg => Value::from_safe_string(burden::burden(rec.duration, seizures, clusters, status)),
        bin_minutes => num(burden::bin_width(rec.duration) / 60.0, 0),
        burden => ser(vec![
            kv("seizures", seizures.len().to_string()),
            kv("seizures per hour (whole recording)", num(rate, 2)),
            kv("total time in seizure", format!("{} ({} of the recording)", duration_label(seizure_time), pct(seizure_time / dur))),
            kv("longest seizure", duration_label(longest)),
            kv("median seizure duration", if med_dur.is_nan() { "n/a".into() } else { duration_label(med_dur) }),
            kv("clusters", if summary.is_some() { clusters.len().to_string() } else { "n/a (no detector summary)".into() }),
            kv("status epilepticus episodes", if summary.is_some() { status.len().to_string() } else { "n/a (no detector summary)".into() }),
        ]),
        has_summary => summary.is_some(),
        cluster_rule => summary.and_then(|s| s.cluster_rule.clone()).unwrap_or_default(),
        status_rule => summary.and_then(|s| s.status_rule.clone()).unwrap_or_default(),
        clusters => ser(span_rows(clusters)),
        status => ser(span_rows(status)),
        verdict_statement => verdict.and_then(|v| v.statement.clone()).unwrap_or_default(),
        evidence => ser(verdict.map(|v| v.evidence.iter().map(|(k, x)| kv(k.clone(), x.clone())).collect::<Vec<_>>()).unwrap_or_default()),
        facts => ser(migration_facts(seizures)),
        onset_svg => Value::from_safe_string(head::onset_map(seizures)),
        region_bars_svg => Value::from_safe_string(head::region_bars(seizures)),
        paths => ser(paths),
        examples => ser(examples),
        table => ser(table),
        has_truth => data.evaluation.is_some(),
        evaluation => evaluation,
        sources => ser(data.sources.iter().map(|(k, v)| kv(k.clone(), v.clone())).collect::<Vec<_>>()),
    };

    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.css", STYLESHEET).map_err(|e| Error::Template(e.to_string()))?;
    let main = options.template.as_deref().unwrap_or(TEMPLATE);
    env.add_template("report.html", main).map_err(|e| Error::Template(format!("{e:#}")))?;
    let tmpl = env.get_template("report.html").map_err(|e| Error::Template(e.to_string()))?;
    tmpl.render(ctx).map_err(|e| Error::Template(format!("{e:#}")))
}

/// Tooltip-free short description of a seizure for logs: `#3 0:12:05 L temporal → R central`.
pub fn describe(s: &SeizureMap) -> String {
    format!("#{} {} {}", s.id, svg::clock(s.onset), path_words(s))
}

/// With a reference that has no locations: whether SzCORE scored the detection event containing
/// this seizure's onset as true (`Some(true)`) or false, `None` if no scored event contains it.
fn detected_event_is_true(e: &crate::model::Evaluation, s: &SeizureMap) -> Option<bool> {
    e.detected_events.iter().find(|(a, b, _)| *a <= s.onset + 1e-6 && s.onset < *b + 1e-6).map(|(_, _, false_positive)| !false_positive)
}
