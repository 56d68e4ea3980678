//! Annotations (EDF+ style) and events (SzCORE / HED-SCORE TSV).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// An EDF+ annotation: onset in seconds from the recording start, optional duration, text, and an
/// optional linked channel (EDF+ writes the link as `text@@ChannelLabel`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Onset in seconds from the start of the recording (may be negative in EDF+).
    pub onset: f64,
    /// Duration in seconds, if the annotation has one.
    pub duration: Option<f64>,
    /// Text (UTF-8), without the `@@channel` suffix.
    pub text: String,
    /// Label of the linked channel, if any.
    pub channel: Option<String>,
}

impl Annotation {
    /// An annotation without channel link.
    pub fn new(onset: f64, duration: Option<f64>, text: impl Into<String>) -> Self {
        Annotation { onset, duration, text: text.into(), channel: None }
    }
}

/// One row of a SzCORE / HED-SCORE events TSV: a seizure (`sz`, `sz_foc`, …), background
/// (`bckg`) or an artefact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Onset in seconds from the start of the recording.
    pub onset: f64,
    /// Duration in seconds.
    pub duration: f64,
    /// HED-SCORE event type, e.g. `sz`, `sz_foc`, `bckg`.
    #[serde(rename = "eventType")]
    pub event_type: String,
    /// Confidence in \[0, 1\], if given.
    pub confidence: Option<f64>,
    /// Involved channels (electrode names or derivations); empty when not given.
    pub channels: Vec<String>,
}

impl Event {
    /// A seizure or other event without confidence or channels.
    pub fn new(onset: f64, duration: f64, event_type: impl Into<String>) -> Self {
        Event { onset, duration, event_type: event_type.into(), confidence: None, channels: Vec::new() }
    }

    /// End time in seconds.
    pub fn offset(&self) -> f64 {
        self.onset + self.duration
    }

    /// True for seizure event types (`sz` and its subtypes such as `sz_foc`).
    pub fn is_seizure(&self) -> bool {
        self.event_type == "sz" || self.event_type.starts_with("sz_")
    }
}

/// Error reading an events TSV: names the file, the line and the field.
#[derive(Debug, thiserror::Error)]
pub enum TsvError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The header lacks a required column.
    #[error(
        "{path}:1: missing column `{column}` in header (expected onset, duration, eventType, confidence, channels, dateTime, recordingDuration)"
    )]
    MissingColumn {
        /// File.
        path: PathBuf,
        /// Column name.
        column: &'static str,
    },
    /// A field could not be parsed.
    #[error("{path}:{line}: field `{column}`: {message}, found `{value}`")]
    Field {
        /// File.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: &'static str,
        /// The offending text.
        value: String,
        /// What was expected.
        message: &'static str,
    },
    /// A row has fewer fields than the header.
    #[error("{path}:{line}: expected {expected} tab-separated fields, found {found}")]
    FieldCount {
        /// File.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Number of header columns.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
}

/// The contents of one SzCORE events TSV: the events of one recording plus the per-file fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventsFile {
    /// All rows (seizures, background and artefacts), in file order.
    pub events: Vec<Event>,
    /// Recording start (`dateTime` column), if known.
    pub date_time: Option<NaiveDateTime>,
    /// Recording duration in seconds (`recordingDuration` column), if known.
    pub recording_duration: Option<f64>,
}

const COLUMNS: [&str; 7] = ["onset", "duration", "eventType", "confidence", "channels", "dateTime", "recordingDuration"];
const DATE_FMT: &str = "%Y-%m-%d %H:%M:%S";

fn is_na(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s.eq_ignore_ascii_case("n/a") || s.eq_ignore_ascii_case("nan")
}

/// Format seconds compactly but exactly (shortest representation that round-trips, at least one
/// decimal).
fn fmt_seconds(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.1}") } else { format!("{x}") }
}

impl EventsFile {
    /// The seizure events only.
    pub fn seizures(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| e.is_seizure())
    }

    /// Parse TSV text. `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<EventsFile, TsvError> {
        let p = || path.to_path_buf();
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(TsvError::MissingColumn { path: p(), column: "onset" });
        };
        let header: Vec<&str> = header.trim_start_matches('\u{feff}').split('\t').map(str::trim).collect();
        let col = |name: &'static str| header.iter().position(|h| *h == name);
        let mut idx = [None; 7];
        for (i, name) in COLUMNS.iter().enumerate() {
            idx[i] = col(name);
        }
        for (i, name) in COLUMNS.iter().enumerate().take(3) {
            if idx[i].is_none() {
                return Err(TsvError::MissingColumn { path: p(), column: name });
            }
        }
        let mut out = EventsFile::default();
        for (lineno, line) in lines {
            let line_no = lineno + 1;
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() < header.len() {
                return Err(TsvError::FieldCount { path: p(), line: line_no, expected: header.len(), found: fields.len() });
            }
            let get = |i: usize| idx[i].map(|c| fields[c].trim());
            let num = |i: usize, message: &'static str| -> Result<Option<f64>, TsvError> {
                match get(i) {
                    None => Ok(None),
                    Some(s) if is_na(s) => Ok(None),
                    Some(s) => match s.parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(Some(v)),
                        _ => Err(TsvError::Field { path: p(), line: line_no, column: COLUMNS[i], value: s.to_string(), message }),
                    },
                }
            };
            let required = |i: usize, v: Option<f64>| {
                v.ok_or_else(|| TsvError::Field {
                    path: p(),
                    line: line_no,
                    column: COLUMNS[i],
                    value: get(i).unwrap_or("").to_string(),
                    message: "expected a number of seconds",
                })
            };
            let onset = required(0, num(0, "expected a number of seconds")?)?;
            let duration = required(1, num(1, "expected a number of seconds")?)?;
            if duration < 0.0 {
                return Err(TsvError::Field {
                    path: p(),
                    line: line_no,
                    column: "duration",
                    value: get(1).unwrap_or("").into(),
                    message: "expected a duration >= 0",
                });
            }
            let event_type = get(2).unwrap_or("").to_string();
            if event_type.is_empty() {
                return Err(TsvError::Field {
                    path: p(),
                    line: line_no,
                    column: "eventType",
                    value: String::new(),
                    message: "expected an event type such as sz or bckg",
                });
            }
            let confidence = num(3, "expected a number in [0, 1] or n/a")?;
            let channels = match get(4) {
                Some(s) if !is_na(s) => s.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
                _ => Vec::new(),
            };
            if let Some(s) = get(5).filter(|s| !is_na(s)) {
                let dt = NaiveDateTime::parse_from_str(s, DATE_FMT)
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
                    .map_err(|_| TsvError::Field {
                        path: p(),
                        line: line_no,
                        column: "dateTime",
                        value: s.into(),
                        message: "expected YYYY-MM-DD HH:MM:SS or n/a",
                    })?;
                out.date_time.get_or_insert(dt);
            }
            if let Some(d) = num(6, "expected a number of seconds or n/a")? {
                out.recording_duration.get_or_insert(d);
            }
            out.events.push(Event { onset, duration, event_type, confidence, channels });
        }
        Ok(out)
    }

    /// Read a TSV file.
    pub fn read(path: impl AsRef<Path>) -> Result<EventsFile, TsvError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| TsvError::Io { path: path.into(), source })?;
        let text = String::from_utf8_lossy(&bytes);
        EventsFile::parse(&text, path)
    }

    /// Render as TSV text. A file without any event gets one `bckg` row covering the recording
    /// when the recording duration is known (as SzCORE does).
    pub fn to_tsv(&self) -> String {
        let mut s = COLUMNS.join("\t");
        s.push('\n');
        let dt = self.date_time.map(|d| d.format(DATE_FMT).to_string()).unwrap_or_else(|| "n/a".into());
        let rd = self.recording_duration.map(fmt_seconds).unwrap_or_else(|| "n/a".into());
        let mut rows: Vec<&Event> = self.events.iter().collect();
        let bckg;
        if rows.is_empty()
            && let Some(d) = self.recording_duration
        {
            bckg = Event::new(0.0, d, "bckg");
            rows.push(&bckg);
        }
        for e in rows {
            let conf = e.confidence.map(|c| format!("{c}")).unwrap_or_else(|| "n/a".into());
            let ch = if e.channels.is_empty() { "n/a".to_string() } else { e.channels.join(",") };
            let _ =
                writeln!(s, "{}\t{}\t{}\t{}\t{}\t{}\t{}", fmt_seconds(e.onset), fmt_seconds(e.duration), e.event_type, conf, ch, dt, rd);
        }
        s
    }

    /// Write to `path` atomically: the text goes to a temporary file in the same directory that is
    /// renamed over `path` when complete.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), TsvError> {
        let path = path.as_ref();
        let io = |source| TsvError::Io { path: path.into(), source };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, self.to_tsv()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_helsinki_style() {
        let t = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n0.0\t19.0\tsz\tn/a\tn/a\tn/a\t30.0\n";
        let f = EventsFile::parse(t, Path::new("x.tsv")).unwrap();
        assert_eq!(f.events.len(), 1);
        assert_eq!(f.events[0], Event::new(0.0, 19.0, "sz"));
        assert_eq!(f.recording_duration, Some(30.0));
        assert_eq!(f.seizures().count(), 1);
    }

    #[test]
    fn round_trips() {
        let mut e = Event::new(12.25, 40.0, "sz_foc");
        e.confidence = Some(0.875);
        e.channels = vec!["T3".into(), "C3".into()];
        let f = EventsFile {
            events: vec![e, Event::new(100.0, 2.5, "artefact")],
            date_time: NaiveDateTime::parse_from_str("2026-11-21 05:03:32", DATE_FMT).ok(),
            recording_duration: Some(7200.0),
        };
        let text = f.to_tsv();
        assert!(text.starts_with("onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"));
        assert!(text.contains("12.25\t40.0\tsz_foc\t0.875\tT3,C3\t2026-11-21 05:03:32\t7200.0"));
        let back = EventsFile::parse(&text, Path::new("x.tsv")).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.seizures().count(), 1);
    }

    #[test]
    fn empty_file_writes_background() {
        let f = EventsFile { events: vec![], date_time: None, recording_duration: Some(30.0) };
        assert_eq!(f.to_tsv().lines().nth(1), Some("0.0\t30.0\tbckg\tn/a\tn/a\tn/a\t30.0"));
    }

    #[test]
    fn errors_name_line_and_field() {
        let t = "onset\tduration\teventType\n1.0\t2.0\tsz\nabc\t2.0\tsz\n";
        let err = EventsFile::parse(t, Path::new("ref.tsv")).unwrap_err().to_string();
        assert_eq!(err, "ref.tsv:3: field `onset`: expected a number of seconds, found `abc`");
        let t = "onset\teventType\n1.0\tsz\n";
        let err = EventsFile::parse(t, Path::new("ref.tsv")).unwrap_err().to_string();
        assert!(err.starts_with("ref.tsv:1: missing column `duration`"), "{err}");
        let t = "onset\tduration\teventType\n1.0\t2.0\n";
        let err = EventsFile::parse(t, Path::new("ref.tsv")).unwrap_err().to_string();
        assert_eq!(err, "ref.tsv:2: expected 3 tab-separated fields, found 2");
        let t = "onset\tduration\teventType\n1.0\t-2.0\tsz\n";
        let err = EventsFile::parse(t, Path::new("ref.tsv")).unwrap_err().to_string();
        assert_eq!(err, "ref.tsv:2: field `duration`: expected a duration >= 0, found `-2.0`");
    }
}
