//! Loading what a report shows: the recording (EDF/BDF), the detector's output files, the truth,
//! and the EEG of the example seizures.
//!
//! The detector's output directory holds, for a recording `<stem>.edf`:
//!
//! | file | used for |
//! |---|---|
//! | `<stem>_seizures.json` (required) | `{"seizures": [SeizureMap…]}`: every figure and the table |
//! | `<stem>_events.tsv` | the detections as SzCORE scores them (else built from the seizure maps) |
//! | `<stem>_summary.json` | clusters, status epilepticus, totals and the migration verdict |
//! | `<stem>_probability.tsv` | the per-second seizure probability strip of the timeline |

use std::path::{Path, PathBuf};

use eimfs_core::{Electrode, Event, EventsFile, Region, SeizureMap};
use eimfs_edf::EdfFile;
use eimfs_score::{EventParams, Loader, MatchParams};
use eimfs_signal::{Band, ChannelKind, ChannelMap, ChannelName, Montage, Sos};
use serde_json::Value;

use crate::Error;
use crate::model::{ChannelInfo, Evaluation, ExampleSeizure, MigrationVerdict, Probability, RecordingSummary, Span, Summary, TraceChannel};

/// The detector's files for one recording.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectionFiles {
    /// `<stem>_seizures.json`.
    pub seizures: PathBuf,
    /// `<stem>_events.tsv`, if present.
    pub events: Option<PathBuf>,
    /// `<stem>_summary.json`, if present.
    pub summary: Option<PathBuf>,
    /// `<stem>_probability.tsv`, if present.
    pub probability: Option<PathBuf>,
}

/// The file stem of a recording path (`/x/eeg10.edf` → `eeg10`).
pub fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Find the detector's files for recording `stem` in `dir`.
pub fn find_detections(dir: &Path, stem: &str) -> Result<DetectionFiles, Error> {
    if !dir.is_dir() {
        return Err(Error::Input(format!("{}: not a directory (expected the output directory of `eimfs detect`)", dir.display())));
    }
    let f = |suffix: &str| dir.join(format!("{stem}_{suffix}"));
    let seizures = f("seizures.json");
    if !seizures.is_file() {
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with("_seizures.json"))
            .collect();
        found.sort();
        let hint = if found.is_empty() { "none found".to_string() } else { format!("found: {}", found.join(", ")) };
        return Err(Error::Input(format!(
            "{}: no detections for recording `{stem}` ({hint}); run `eimfs detect <recording> --out {}` first",
            seizures.display(),
            dir.display()
        )));
    }
    let opt = |p: PathBuf| p.is_file().then_some(p);
    Ok(DetectionFiles { seizures, events: opt(f("events.tsv")), summary: opt(f("summary.json")), probability: opt(f("probability.tsv")) })
}

/// Read seizure maps (`{"seizures": [...]}`), sorted by onset.
pub fn read_seizures(path: &Path) -> Result<Vec<SeizureMap>, Error> {
    let mut v = eimfs_score::localisation::read_seizure_maps(path)?;
    v.sort_by(|a, b| a.onset.total_cmp(&b.onset).then(a.id.cmp(&b.id)));
    Ok(v)
}

fn num(v: &Value, keys: &[&str]) -> Option<f64> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_f64))
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
}

fn spans(v: Option<&Value>) -> Vec<Span> {
    let Some(arr) = v.and_then(Value::as_array) else { return Vec::new() };
    arr.iter()
        .filter_map(|s| {
            let start = num(s, &["start", "onset", "start_s", "begin"])?;
            let end = num(s, &["end", "offset", "end_s", "stop"])?;
            let seizures = num(s, &["n_seizures", "seizures", "count", "n"])
                .map(|x| x as usize)
                .or_else(|| s.get("seizures").or(s.get("ids")).or(s.get("seizure_ids")).and_then(Value::as_array).map(Vec::len));
            let note = ["criteria", "reason", "criterion", "note", "kind", "rule"].iter().find_map(|k| s.get(*k)).map(value_words);
            Some(Span { start, end, seizures, note })
        })
        .collect()
}

fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "n/a".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
            Some(x) => format!("{x:.2}"),
            None => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) if a.len() <= 12 => a.iter().map(value_words).collect::<Vec<_>>().join(", "),
        Value::Array(a) => format!("{} values", a.len()),
        Value::Object(o) => o
            .iter()
            .filter(|(_, v)| !matches!(v, Value::Array(a) if a.len() > 12))
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), value_words(v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn seconds_words(x: f64) -> String {
    if x < 60.0 { format!("{} s", crate::svg::num(x, 0)) } else { crate::svg::duration_label(x) }
}

/// `median 15 s (IQR 9–22 s, n = 42)` from a `{n, median, p25, p75}` object.
fn delays_words(v: &Value) -> Option<String> {
    let n = num(v, &["n"])? as usize;
    if n == 0 {
        return Some("none".into());
    }
    let med = num(v, &["median"])?;
    Some(match (num(v, &["p25"]), num(v, &["p75"])) {
        (Some(a), Some(b)) if n > 2 => format!("median {} (IQR {}–{}, n = {n})", seconds_words(med), seconds_words(a), seconds_words(b)),
        _ => format!("median {} (n = {n})", seconds_words(med)),
    })
}

/// The evidence of a migration verdict, in words, in the order a reader needs it. Keys the
/// detector writes are worded here; other keys are shown as they come.
fn evidence(m: &Value) -> Vec<(String, String)> {
    let Some(o) = m.as_object() else {
        return match m {
            Value::Array(a) => a.iter().map(|x| (String::new(), value_words(x))).collect(),
            _ => Vec::new(),
        };
    };
    let mut out = Vec::new();
    let mut used: Vec<&str> = vec!["migrating", "is_migrating", "verdict", "statement", "text", "summary", "explanation", "reasons"];
    if let Some(Value::Array(regs)) = o.get("onset_regions") {
        let words: Vec<String> = regs
            .iter()
            .filter_map(|r| {
                let reg = r.get("region").and_then(Value::as_str).and_then(Region::from_code)?;
                Some(format!("{} {}", crate::style::region_short(reg), num(r, &["seizures", "count"]).unwrap_or(0.0)))
            })
            .collect();
        out.push(("onsets per region".to_string(), if words.is_empty() { "none".into() } else { words.join(", ") }));
        used.push("onset_regions");
    }
    if let Some(d) = num(m, &["distinct_onset_regions"]) {
        out.push(("distinct onset regions".into(), format!("{d:.0}")));
        used.push("distinct_onset_regions");
    }
    if let (Some(l), Some(r)) = (num(m, &["left_onsets"]), num(m, &["right_onsets"])) {
        let mid = num(m, &["midline_onsets"]).unwrap_or(0.0);
        out.push(("onsets left / right / midline".into(), format!("{l:.0} / {r:.0} / {mid:.0}")));
        used.extend(["left_onsets", "right_onsets", "midline_onsets"]);
    }
    if let Some(b) = o.get("both_hemispheres").and_then(Value::as_bool) {
        out.push(("onsets in both hemispheres".into(), if b { "yes" } else { "no" }.into()));
        used.push("both_hemispheres");
    }
    if let Some(Value::Array(ids)) = o.get("moving_seizures") {
        let list = if ids.len() <= 10 && !ids.is_empty() {
            format!(" (#{})", ids.iter().map(value_words).collect::<Vec<_>>().join(", #"))
        } else {
            String::new()
        };
        out.push(("seizures moving within themselves".into(), format!("{}{list}", ids.len())));
        used.push("moving_seizures");
    }
    if let Some(n) = num(m, &["seizures_switching_hemisphere"]) {
        out.push(("seizures crossing to the other hemisphere".into(), format!("{n:.0}")));
        used.push("seizures_switching_hemisphere");
    }
    if let Some(w) = o.get("within_seizure_delays").and_then(delays_words) {
        out.push(("delays between new regions within a seizure".into(), w));
        used.push("within_seizure_delays");
    }
    if let Some(w) = o.get("between_seizure_delays").and_then(delays_words) {
        out.push(("delays between successive seizure onsets".into(), w));
        used.push("between_seizure_delays");
    }
    if let Some(f) = num(m, &["onset_shift_fraction"]) {
        out.push(("successive seizures starting in another region".into(), format!("{:.0} %", f * 100.0)));
        used.push("onset_shift_fraction");
    }
    if let Some(Value::Object(ev)) = o.get("evidence") {
        out.extend(ev.iter().map(|(k, v)| (k.replace('_', " "), value_words(v))));
        used.push("evidence");
    } else if let Some(Value::Array(ev)) = o.get("evidence") {
        out.extend(ev.iter().map(|v| (String::new(), value_words(v))));
        used.push("evidence");
    }
    for (k, v) in o {
        if !used.contains(&k.as_str()) && !matches!(v, Value::Array(a) if a.len() > 12) {
            out.push((k.replace('_', " "), value_words(v)));
        }
    }
    out
}

/// Read the detector's summary (`<stem>_summary.json`, as `eimfs detect` writes it: burden,
/// `clusters`, `status_epilepticus`, the `migration` verdict with its evidence, and what was
/// analysed under `recording`). The reader is lenient about names so that it follows the
/// detector's format as it evolves; unknown keys are ignored or shown as they come.
pub fn parse_summary(src: &str, path: &Path) -> Result<Summary, Error> {
    let v: Value = serde_json::from_str(src).map_err(|e| Error::Json { path: path.to_path_buf(), message: e.to_string() })?;
    if !v.is_object() {
        return Err(Error::Json { path: path.to_path_buf(), message: "expected a JSON object".into() });
    }
    let burden = v.get("burden").unwrap_or(&v);
    let rec = v.get("recording").unwrap_or(&Value::Null);
    let status_v = ["status_epilepticus", "status_epilepticus_episodes", "status"].iter().find_map(|k| burden.get(*k).or(v.get(*k)));
    let status_v = status_v.map(|s| s.get("episodes").unwrap_or(s));
    let clusters_v = burden.get("clusters").or(v.get("clusters"));
    let clusters_list = clusters_v.map(|c| c.get("clusters").or(c.get("list")).unwrap_or(c));
    let rule = |obj: Option<&Value>, keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| burden.get(*k).or(v.get(*k)).map(value_words))
            .or_else(|| obj.and_then(|o| text(o, &["rule", "definition"])))
    };
    let strings =
        |x: Option<&Value>| -> Vec<String> { x.and_then(Value::as_array).map(|a| a.iter().map(value_words).collect()).unwrap_or_default() };
    let migration = ["migration", "migration_verdict", "verdict"].iter().find_map(|k| v.get(*k)).map(|m| {
        let code = match m.get("verdict").or(m.get("migrating")).or(m.get("is_migrating")) {
            Some(Value::Bool(b)) => if *b { "migrating" } else { "not_migrating" }.to_string(),
            Some(Value::String(s)) => s.to_ascii_lowercase().replace([' ', '-'], "_"),
            _ => "unknown".to_string(),
        };
        let migrating = code == "migrating" || code == "yes" || code == "true";
        let statement = text(m, &["statement", "text", "summary", "explanation"]).or_else(|| {
            let r = strings(m.get("reasons"));
            (!r.is_empty()).then(|| {
                let mut t = r.join("; ");
                if let Some(c) = t.get(..1) {
                    t = c.to_uppercase() + &t[1..];
                }
                t + "."
            })
        });
        MigrationVerdict { migrating, verdict: code, statement, evidence: evidence(m) }
    });
    let model = text(rec, &["model"]);
    let sens = text(rec, &["sensitivity"]).or_else(|| text(&v, &["sensitivity"]));
    Ok(Summary {
        clusters: spans(clusters_list),
        cluster_rule: rule(clusters_v, &["cluster_rule", "cluster_definition", "cluster_gap_rule"]),
        status_epilepticus: spans(status_v),
        status_rule: rule(status_v, &["status_epilepticus_definition", "status_epilepticus_rule", "status_rule"]),
        total_seizure_time: num(burden, &["total_seizure_time", "total_seizure_seconds", "total_seizure_time_s"]),
        longest_seizure: num(burden, &["longest_seizure", "longest_seizure_seconds", "longest_seizure_s"])
            .or_else(|| burden.get("longest_seizure").and_then(|l| num(l, &["duration"]))),
        seizures_per_hour: num(burden, &["seizures_per_hour", "rate_per_hour", "overall_rate"]),
        montage: text(rec, &["montage"]).or_else(|| text(&v, &["montage"])),
        channels_used: strings(rec.get("derivations").or(rec.get("channels"))),
        flat_electrodes: strings(rec.get("flat_electrodes")),
        detector: match (model, sens) {
            (Some(m), Some(s)) => Some(format!("{m}, sensitivity {s}")),
            (Some(m), None) => Some(m),
            (None, Some(s)) => Some(format!("sensitivity {s}")),
            (None, None) => None,
        },
        warnings: strings(rec.get("warnings")),
        migration,
    })
}

/// Read `<stem>_summary.json`.
pub fn read_summary(path: &Path) -> Result<Summary, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    parse_summary(&text, path)
}

/// Read `<stem>_probability.tsv`: a header, then one row per second: the time, the overall
/// probability, and one column per region code (`L-frontal`…; other columns are ignored).
pub fn read_probability(path: &Path) -> Result<Probability, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::Input(format!("{}: empty file", path.display())))?;
    let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
    let overall = cols
        .iter()
        .position(|c| ["overall", "probability", "p", "seizure", "p_seizure"].contains(&c.to_ascii_lowercase().as_str()))
        .unwrap_or(1);
    let regions: Vec<(usize, Region)> = cols.iter().enumerate().filter_map(|(i, c)| Region::from_code(c).map(|r| (i, r))).collect();
    let mut p = Probability { regions: regions.iter().map(|(_, r)| (*r, Vec::new())).collect(), ..Default::default() };
    for (ln, line) in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize, what: &str| -> Result<f64, Error> {
            let s = f.get(i).map(|s| s.trim()).unwrap_or("");
            s.parse::<f64>()
                .map_err(|_| Error::Input(format!("{}:{}: column `{}`: expected a number, found `{s}`", path.display(), ln + 1, what)))
        };
        // A probability may be missing (`n/a`: no data in that second, or no electrode of that
        // region): kept as NaN, which the plots leave blank. The time column must be a number.
        let prob = |i: usize, what: &str| -> Result<f32, Error> {
            match f.get(i).map(|s| s.trim()) {
                Some("n/a") => Ok(f32::NAN),
                _ => get(i, what).map(|v| v as f32),
            }
        };
        p.seconds.push(get(0, cols.first().copied().unwrap_or("second"))?);
        p.overall.push(prob(overall, cols.get(overall).copied().unwrap_or("overall"))?);
        for (k, (i, _)) in regions.iter().enumerate() {
            p.regions[k].1.push(prob(*i, cols[*i])?);
        }
    }
    Ok(p)
}

/// Describe a recording: file, type, start, duration, channels, missing electrodes, gaps.
pub fn recording_summary(file: &EdfFile, shown_name: &str) -> RecordingSummary {
    let channels: Vec<ChannelInfo> = file
        .signals()
        .iter()
        .map(|s| {
            let n = ChannelName::parse(&s.label);
            ChannelInfo { label: s.label.clone(), kind: n.kind.name().to_string(), electrode: n.electrode, fs: s.fs, unit: s.unit.clone() }
        })
        .collect();
    let labels: Vec<&str> = file.signals().iter().map(|s| s.label.as_str()).collect();
    let missing = ChannelMap::from_labels(&labels).map(|m| m.missing()).unwrap_or_default();
    RecordingSummary {
        file: shown_name.to_string(),
        file_type: file.file_type().as_str().to_string(),
        start: Some(file.start()),
        duration: file.duration(),
        channels,
        detection_montage: None,
        display_montage: "double banana (longitudinal bipolar, ACNS LB-18.1)".into(),
        missing_electrodes: missing,
        quality: Vec::new(),
        gaps: file.gaps().iter().map(|g| (g.start, g.duration)).collect(),
        annotations: file.annotations().len(),
    }
}

/// Pick the example seizures: the first, the longest, and one that migrates (the one visiting
/// most regions, then with most hemisphere switches, then the longest), each once. Returns
/// indices into `seizures` with the reason, in that order.
pub fn choose_examples(seizures: &[SeizureMap]) -> Vec<(usize, String)> {
    if seizures.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    let first = (0..seizures.len()).min_by(|&a, &b| seizures[a].onset.total_cmp(&seizures[b].onset)).unwrap();
    let longest = (0..seizures.len()).max_by(|&a, &b| seizures[a].duration().total_cmp(&seizures[b].duration()).then(b.cmp(&a))).unwrap();
    if first == longest {
        out.push((first, "first seizure, also the longest".into()));
        if let Some(next) = (0..seizures.len())
            .filter(|&i| i != first)
            .max_by(|&a, &b| seizures[a].duration().total_cmp(&seizures[b].duration()).then(b.cmp(&a)))
        {
            out.push((next, "second-longest seizure".into()));
        }
    } else {
        out.push((first, "first seizure".into()));
        out.push((longest, "longest seizure".into()));
    }
    let key = |s: &SeizureMap| (s.region_sequence().len(), s.hemisphere_switches);
    let migrating = (0..seizures.len()).filter(|&i| seizures[i].migrates() && !out.iter().any(|o| o.0 == i)).max_by(|&a, &b| {
        key(&seizures[a]).cmp(&key(&seizures[b])).then(seizures[a].duration().total_cmp(&seizures[b].duration())).then(b.cmp(&a))
    });
    match migrating {
        Some(i) => out.push((i, "a migrating seizure".into())),
        None => {
            for o in out.iter_mut() {
                if seizures[o.0].migrates() {
                    o.1.push_str(" (it migrates)");
                }
            }
        }
    }
    out
}

/// The window of an example: from 10 s before the onset to 5 s after the end, at least 20 s;
/// a longer seizure is cut at 45 s (a page a reader can still read, about 24 px per second) unless
/// it moves to another region later, when the window extends to 15 s after the last change of
/// region, up to 60 s. Inside the recording.
pub fn example_window(s: &SeizureMap, duration: f64) -> (f64, f64) {
    let mut a = (s.onset - 10.0).max(0.0);
    let last_change = crate::plots::head::path_steps(s).iter().skip(1).map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
    let keep = (a + 45.0).max(last_change + 15.0);
    let mut b = (s.offset + 5.0).min(keep).max(a + 20.0).min(a + 60.0);
    if b > duration {
        b = duration;
        a = (b - 20.0).max(0.0).min(a);
    }
    (a, b)
}

/// The montage plan for the example traces: the double banana, or when electrodes are missing
/// the double-banana derivations the file allows, or (fewer than 4) the EEG channels as recorded.
fn display_plan(labels: &[&str]) -> Result<(eimfs_signal::MontagePlan, String), Error> {
    let map = ChannelMap::from_labels(labels)?;
    if let Ok(p) = Montage::DoubleBanana.plan(&map, &[]) {
        return Ok((p, "double banana".into()));
    }
    let present: Vec<Electrode> = map.present().into_iter().map(|(e, _)| e).collect();
    let pairs: Vec<eimfs_signal::DerivationSpec> = eimfs_signal::montage::DOUBLE_BANANA
        .iter()
        .filter(|(a, b)| present.contains(a) && present.contains(b))
        .map(|&(a, b)| eimfs_signal::DerivationSpec::bipolar(a, b))
        .collect();
    if pairs.len() >= 4 {
        let p = Montage::Custom(pairs).plan(&map, &[])?;
        return Ok((p, "double banana (derivations with missing electrodes left out)".into()));
    }
    Ok((Montage::AsRecorded.plan(&map, &[])?, "as recorded".into()))
}

/// Read the EEG of one example seizure: the [`example_window`] in the display montage, filtered
/// 0.5–35 Hz (zero-phase 4th-order Butterworth; high-pass only below 80 Hz sampling), with 5 s of
/// padding read on each side so that the filter has no edge effect in the window.
pub fn read_example(file: &EdfFile, seizure: &SeizureMap, why: &str) -> Result<ExampleSeizure, Error> {
    let labels: Vec<&str> = file.signals().iter().map(|s| s.label.as_str()).collect();
    let (plan, montage) = display_plan(&labels)?;
    let inputs = plan.inputs().to_vec();
    let fs = file.signals()[inputs[0]].fs;
    if let Some(&bad) = inputs.iter().find(|&&c| (file.signals()[c].fs - fs).abs() > 1e-9) {
        return Err(Error::Input(format!(
            "{}: channel \"{}\" is sampled at {} Hz, \"{}\" at {} Hz: the montage needs one rate",
            file.path().display(),
            file.signals()[bad].label,
            file.signals()[bad].fs,
            file.signals()[inputs[0]].label,
            fs
        )));
    }
    let (a, b) = example_window(seizure, file.duration());
    let pad = 5.0;
    let starts = file.record_starts();
    let rd = file.record_duration();
    let r0 = starts.iter().position(|s| s + rd > a - pad).unwrap_or(0);
    let r1 = starts.iter().rposition(|s| *s < b + pad).map_or(file.n_records(), |r| r + 1).max(r0 + 1).min(file.n_records());
    let spr = file.signals()[inputs[0]].samples_per_record;
    let mut bufs: Vec<Vec<f32>> = inputs.iter().map(|_| vec![0f32; spr * (r1 - r0)]).collect();
    {
        let mut outs: Vec<&mut [f32]> = bufs.iter_mut().map(|v| v.as_mut_slice()).collect();
        file.read_physical(&inputs, r0..r1, &mut outs)?;
    }
    let views: Vec<&[f32]> = bufs.iter().map(|v| v.as_slice()).collect();
    let mut derived: Vec<Vec<f32>> = vec![Vec::new(); plan.derivations().len()];
    plan.apply_chunk(&views, &mut derived)?;
    let t_read = starts.get(r0).copied().unwrap_or(0.0);
    let (filter, sos) = if fs >= 80.0 {
        ("0.5–35 Hz band-pass (zero-phase Butterworth, order 4)".to_string(), Sos::butter(4, Band::Bandpass(0.5, 35.0), fs)?)
    } else {
        ("0.5 Hz high-pass (zero-phase Butterworth, order 4)".to_string(), Sos::butter(4, Band::Highpass(0.5), fs)?)
    };
    let i0 = (((a - t_read) * fs).round().max(0.0)) as usize;
    let i1 = (((b - t_read) * fs).round().max(0.0)) as usize;
    let mut channels = Vec::with_capacity(derived.len());
    for (d, x) in plan.derivations().iter().zip(derived) {
        let y = if x.len() > sos.padlen() { eimfs_signal::sosfiltfilt(&sos, &x)? } else { x };
        let (lo, hi) = (i0.min(y.len()), i1.min(y.len()));
        channels.push(TraceChannel { label: d.label.clone(), electrodes: d.electrodes.clone(), samples: y[lo..hi].to_vec() });
    }
    Ok(ExampleSeizure { why: why.to_string(), seizure: seizure.clone(), start: t_read + i0 as f64 / fs, fs, montage, filter, channels })
}

/// How the truth is given to [`evaluate`].
#[derive(Clone, Debug, Default)]
pub struct Truth {
    /// True seizure maps (may be empty when only a TSV is known).
    pub maps: Vec<SeizureMap>,
    /// The reference events TSV, if known (else the events are the maps' onset–offset).
    pub events: Option<EventsFile>,
    /// Description of the source, for the report.
    pub source: String,
}

/// Read the truth: a `_truth.json` / seizure-map JSON (with `<name>_events.tsv` beside it used
/// as the reference events when present), or an events TSV (with `<name>_truth.json` beside it
/// used for localisation when present).
pub fn read_truth(path: &Path) -> Result<Truth, Error> {
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    if name.ends_with(".tsv") {
        let events = EventsFile::read(path)?;
        let base = eimfs_score::dataset::recording_name(path);
        let json = dir.join(format!("{base}_truth.json"));
        let maps = if json.is_file() { read_seizures(&json)? } else { eimfs_score::localisation::seizure_maps_from_events(&events.events) };
        let source = if json.is_file() { format!("{} and {}", path.display(), json.display()) } else { path.display().to_string() };
        Ok(Truth { maps, events: Some(events), source })
    } else {
        let maps = read_seizures(path)?;
        let base = name.strip_suffix("_truth.json").or_else(|| name.strip_suffix(".json")).unwrap_or(&name);
        let tsv = dir.join(format!("{base}_events.tsv"));
        let events = if tsv.is_file() { Some(EventsFile::read(&tsv)?) } else { None };
        let source = if events.is_some() { format!("{} and {}", path.display(), tsv.display()) } else { path.display().to_string() };
        Ok(Truth { maps, events, source })
    }
}

fn events_of(maps: &[SeizureMap], duration: f64) -> EventsFile {
    EventsFile {
        events: maps
            .iter()
            .map(|m| Event {
                onset: m.onset,
                duration: m.duration(),
                event_type: "sz".into(),
                confidence: m.confidence,
                channels: Vec::new(),
            })
            .collect(),
        date_time: None,
        recording_duration: Some(duration),
    }
}

/// Compare detections with the truth: SzCORE event and sample scoring (timescoring 0.0.7
/// semantics, default parameters, eimfs-score's `events` loader) over `duration` seconds, and
/// onset localisation over the matched seizures. The events as scored (after SzCORE's merging
/// and splitting) are kept, marked found/missed and correct/false, for the timeline.
pub fn evaluate(duration: f64, truth: &Truth, detected: &[SeizureMap], detected_events: Option<&EventsFile>) -> Result<Evaluation, Error> {
    let reference = truth.events.clone().unwrap_or_else(|| events_of(&truth.maps, duration));
    let hypothesis = detected_events.cloned().unwrap_or_else(|| events_of(detected, duration));
    let n = (duration * eimfs_score::timescoring::EVENT_FS).round_ties_even().max(1.0) as usize;
    let r = eimfs_score::dataset::annotation_of(&reference, Loader::Events, n)?;
    let h = eimfs_score::dataset::annotation_of(&hypothesis, Loader::Events, n)?;
    let ev = eimfs_score::event_scoring(&r, &h, &EventParams::default())?;
    let sample = eimfs_score::sample_scoring(&r, &h, 1.0)?;
    let truth_maps =
        if truth.maps.is_empty() { eimfs_score::localisation::seizure_maps_from_events(&reference.events) } else { truth.maps.clone() };
    let localisation = eimfs_score::score_localisation(&truth_maps, detected, &MatchParams::default());
    Ok(Evaluation {
        truth_source: truth.source.clone(),
        truth: truth_maps,
        reference_events: ev.ref_events.iter().zip(&ev.ref_detected).map(|(e, d)| (e.0, e.1, *d)).collect(),
        detected_events: ev.hyp_events.iter().zip(&ev.hyp_false_positive).map(|(e, f)| (e.0, e.1, *f)).collect(),
        event: ev.scores,
        sample,
        localisation,
    })
}

/// Whether a label is an EEG channel (for counting).
pub fn is_eeg(label: &str) -> bool {
    ChannelName::parse(label).kind == ChannelKind::Eeg
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Hemisphere, Lobe, RegionVisit};

    fn sz(id: usize, onset: f64, offset: f64, regions: &[Region]) -> SeizureMap {
        let visits: Vec<RegionVisit> =
            regions.iter().enumerate().map(|(i, r)| RegionVisit { region: *r, start: onset + 5.0 * i as f64, end: offset }).collect();
        SeizureMap {
            id,
            onset,
            offset,
            confidence: Some(0.9),
            onset_electrodes: vec![],
            onset_regions: vec![regions[0]],
            onset_hemisphere: regions[0].hemisphere,
            hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
            visits,
            overlaps: vec![],
            generalised: false,
        }
    }

    #[test]
    fn examples_are_first_longest_and_migrating() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rc = Region::new(Lobe::Central, Hemisphere::Right);
        let rf = Region::new(Lobe::Frontal, Hemisphere::Right);
        let v = vec![
            sz(1, 100.0, 130.0, &[lt]),
            sz(2, 500.0, 700.0, &[lt]),
            sz(3, 900.0, 950.0, &[lt, rc]),
            sz(4, 1200.0, 1240.0, &[lt, rc, rf]),
        ];
        assert_eq!(
            choose_examples(&v),
            vec![(0, "first seizure".into()), (1, "longest seizure".into()), (3, "a migrating seizure".into())]
        );
        // The first is also the longest; nothing migrates.
        let v = vec![sz(1, 100.0, 400.0, &[lt]), sz(2, 500.0, 560.0, &[lt]), sz(3, 900.0, 950.0, &[rc])];
        assert_eq!(choose_examples(&v), vec![(0, "first seizure, also the longest".into()), (1, "second-longest seizure".into())]);
        assert!(choose_examples(&[]).is_empty());
    }

    #[test]
    fn display_montage_works_with_what_the_file_has() {
        let all: Vec<String> = Electrode::ALL.iter().map(|e| format!("EEG {}-REF", e.modern_name())).collect();
        let labels: Vec<&str> = all.iter().map(String::as_str).collect();
        let (p, name) = display_plan(&labels).unwrap();
        assert_eq!((p.derivations().len(), name.as_str()), (18, "double banana"));
        // Without Fp2 the two derivations that need it are left out.
        let no_fp2: Vec<&str> = labels.iter().copied().filter(|l| !l.contains("Fp2")).collect();
        let (p, name) = display_plan(&no_fp2).unwrap();
        assert_eq!(p.derivations().len(), 16);
        assert!(name.contains("missing electrodes left out"), "{name}");
        assert!(!p.labels().iter().any(|l| l.contains("Fp2")));
        // A neonatal reduced array with fewer than 4 double-banana pairs: as recorded.
        let few = ["EEG C3-REF", "EEG C4-REF", "EEG Cz-REF", "ECG EKG"];
        let (p, name) = display_plan(&few).unwrap();
        assert_eq!((p.derivations().len(), name.as_str()), (3, "as recorded"));
    }

    #[test]
    fn windows() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rc = Region::new(Lobe::Central, Hemisphere::Right);
        assert_eq!(example_window(&sz(1, 100.0, 130.0, &[lt]), 7200.0), (90.0, 135.0));
        assert_eq!(example_window(&sz(1, 100.0, 105.0, &[lt]), 7200.0), (90.0, 110.0));
        assert_eq!(example_window(&sz(1, 100.0, 400.0, &[lt]), 7200.0), (90.0, 135.0));
        assert_eq!(example_window(&sz(1, 3.0, 20.0, &[lt]), 7200.0), (0.0, 25.0));
        assert_eq!(example_window(&sz(1, 20.0, 29.0, &[lt]), 30.0), (10.0, 30.0));
        // A change of region at 105 s: inside the first 45 s.
        assert_eq!(example_window(&sz(1, 100.0, 400.0, &[lt, rc]), 7200.0), (90.0, 135.0));
        // Later changes of region extend the window, up to 60 s.
        let mut late = sz(1, 100.0, 400.0, &[lt, rc]);
        late.visits[1].start = 128.0;
        assert_eq!(example_window(&late, 7200.0), (90.0, 143.0));
        late.visits[1].start = 190.0;
        assert_eq!(example_window(&late, 7200.0), (90.0, 150.0));
    }

    #[test]
    fn summary_reader_is_lenient() {
        let text = r#"{
            "montage": "double-banana",
            "burden": {"seizures_per_hour": 6.5, "total_seizure_time": 840.0, "longest_seizure": 130.0,
                       "clusters": [{"start": 100, "end": 900, "seizures": [1,2,3,4,5]}],
                       "cluster_rule": "seizures less than 10 min apart, at least 3",
                       "status_epilepticus": [{"start": 1000, "end": 3000, "criterion": "≥ 30 min of seizure in 1 h"}]},
            "migration": {"migrating": true, "statement": "migrating focal seizures",
                          "evidence": {"distinct_onset_regions": 4, "both_hemispheres": true, "median_delay_s": 21.5}}
        }"#;
        let s = parse_summary(text, Path::new("x_summary.json")).unwrap();
        assert_eq!(s.clusters, vec![Span { start: 100.0, end: 900.0, seizures: Some(5), note: None }]);
        assert_eq!(s.status_epilepticus[0].note.as_deref(), Some("≥ 30 min of seizure in 1 h"));
        assert_eq!(s.cluster_rule.as_deref(), Some("seizures less than 10 min apart, at least 3"));
        assert_eq!((s.total_seizure_time, s.longest_seizure, s.seizures_per_hour), (Some(840.0), Some(130.0), Some(6.5)));
        let m = s.migration.unwrap();
        assert!(m.migrating);
        assert_eq!(
            m.evidence,
            vec![
                ("both hemispheres".into(), "yes".into()),
                ("distinct onset regions".into(), "4".into()),
                ("median delay s".into(), "21.50".into())
            ]
        );
        let err = parse_summary("[1]", Path::new("bad.json")).unwrap_err().to_string();
        assert!(err.contains("bad.json") && err.contains("expected a JSON object"), "{err}");
    }

    #[test]
    fn summary_reader_reads_the_detector_format() {
        // The shape `eimfs detect` writes (eimfs-detect `Summary` plus `recording`).
        let text = r#"{"seizure_count": 3, "hours": 2.0, "seizures_per_hour": 1.5, "hourly": [],
            "total_seizure_seconds": 150.0, "seizure_fraction": 0.02, "longest_seizure_id": 2, "longest_seizure_seconds": 70.0,
            "median_seizure_seconds": 50.0, "overlapping_seizures": 0, "generalised_seizures": 0,
            "cluster_rule": "chained while each starts < 10 min after the end of all earlier ones; >= 3 seizures",
            "clusters": [{"start": 10.0, "end": 900.0, "seizures": 3, "ids": [1,2,3], "median_interval": 300.0}],
            "status_epilepticus_definition": "a single seizure >= 5 min, or >= 30 min of seizures within 60 min",
            "status_epilepticus": [{"start": 4000.0, "end": 4400.0, "criteria": ["single seizure >= 5 min"], "seizure_seconds": 400.0, "ids": [4]}],
            "migration": {"verdict": "not_migrating", "reasons": ["a single onset region (L-temporal)", "no seizure moves"],
                "onset_regions": [{"region": "L-temporal", "seizures": 3}], "distinct_onset_regions": 1,
                "left_onsets": 3, "right_onsets": 0, "midline_onsets": 0, "both_hemispheres": false, "moving_seizures": [],
                "seizures_switching_hemisphere": 0,
                "within_seizure_delays": {"n": 0, "median": null, "p25": null, "p75": null, "values": []},
                "between_seizure_delays": {"n": 2, "median": 420.0, "p25": 400.0, "p75": 440.0, "values": [400.0, 440.0]},
                "onset_shift_fraction": 0.0},
            "recording": {"file": "x.edf", "montage": "double-banana", "derivations": ["Fp1-F7", "F7-T3"],
                "flat_electrodes": ["O1 (EEG O1-Ref)"], "model": "eimfs-detect-1", "sensitivity": "default", "warnings": []}}"#;
        let s = parse_summary(text, Path::new("x_summary.json")).unwrap();
        assert_eq!(s.clusters, vec![Span { start: 10.0, end: 900.0, seizures: Some(3), note: None }]);
        assert_eq!(s.status_epilepticus[0].note.as_deref(), Some("single seizure >= 5 min"));
        assert_eq!(s.status_rule.as_deref(), Some("a single seizure >= 5 min, or >= 30 min of seizures within 60 min"));
        assert_eq!((s.total_seizure_time, s.longest_seizure, s.seizures_per_hour), (Some(150.0), Some(70.0), Some(1.5)));
        assert_eq!((s.montage.as_deref(), s.channels_used.len(), s.flat_electrodes.len()), (Some("double-banana"), 2, 1));
        assert_eq!(s.detector.as_deref(), Some("eimfs-detect-1, sensitivity default"));
        let m = s.migration.unwrap();
        assert!(!m.migrating);
        assert_eq!(m.verdict, "not_migrating");
        assert_eq!(m.statement.as_deref(), Some("A single onset region (L-temporal); no seizure moves."));
        let ev: Vec<(&str, &str)> = m.evidence.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            ev,
            vec![
                ("onsets per region", "L temporal 3"),
                ("distinct onset regions", "1"),
                ("onsets left / right / midline", "3 / 0 / 0"),
                ("onsets in both hemispheres", "no"),
                ("seizures moving within themselves", "0"),
                ("seizures crossing to the other hemisphere", "0"),
                ("delays between new regions within a seizure", "none"),
                ("delays between successive seizure onsets", "median 7 min 00 s (n = 2)"),
                ("successive seizures starting in another region", "0 %"),
            ]
        );
    }

    #[test]
    fn probability_reads_missing_values_as_nan_and_rejects_other_text() {
        let dir = std::env::temp_dir().join(format!("eimfs-report-prob-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x_probability.tsv");
        std::fs::write(&path, "second\toverall\tL-frontal\tR-parietal\n0\t0.25\t0.5\tn/a\n1\tn/a\t0.75\t0.125\n").unwrap();
        let p = read_probability(&path).unwrap();
        assert_eq!(p.seconds, vec![0.0, 1.0]);
        assert_eq!(p.overall[0], 0.25);
        assert!(p.overall[1].is_nan());
        let rp = Region::new(Lobe::Parietal, Hemisphere::Right);
        let col = &p.regions.iter().find(|(r, _)| *r == rp).unwrap().1;
        assert!(col[0].is_nan());
        assert_eq!(col[1], 0.125);
        std::fs::write(&path, "second\toverall\tL-frontal\n0\t0.25\tmaybe\n").unwrap();
        let e = read_probability(&path).unwrap_err().to_string();
        assert!(e.ends_with("x_probability.tsv:2: column `L-frontal`: expected a number, found `maybe`"), "{e}");
        std::fs::write(&path, "second\toverall\nn/a\t0.25\n").unwrap();
        assert!(read_probability(&path).unwrap_err().to_string().contains("column `second`"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
