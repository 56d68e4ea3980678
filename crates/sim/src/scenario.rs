//! The scenario mode: seizures placed at given times and regions with given migration paths,
//! rendered through the same region and EEG models.
//!
//! # File format (TOML)
//! ```toml
//! # Optional: length of the recording (seconds, or "30m", "2h"); --duration overrides it.
//! duration = "10m"
//!
//! [[seizure]]
//! onset = 60.0                                   # seconds from the start
//! path = ["L_mid_temporal", "L_central", "R_mid_temporal"]
//! dwell = [25.0, 20.0, 30.0]                     # seconds in each region (or one number)
//! overlap = 5.0                                  # the next region starts this long before the
//!                                                # previous one ends (default 3 s)
//!
//! [[seizure]]
//! onset = 200.0
//! path = ["R-frontal"]                           # a scalp region code picks its first region
//! dwell = 40.0
//! ```
//!
//! Region names are the network's labels (`eimfs simulate regions` lists them; the default infant
//! cortex has `L_prefrontal` … `R_occipital`) or scalp region codes (`L-temporal`, `R-frontal`, …),
//! which stand for the first network region of that lobe and hemisphere.
//!
//! During its dwell a region is *forced*: extra input ([`crate::region::FORCING_INPUT`]) drives it
//! into its own ictal rhythm (the state of a spontaneous seizure, with its own Cl⁻ loading), which evolves as its Na⁺ and Cl⁻ load build up. Spontaneous onsets and
//! recruitment are switched off in this mode (no slow excitability noise, no feedforward
//! recruitment, no network facilitation), so only the scripted seizures happen; the truth is still
//! computed from the simulated states, exactly as in the dynamic mode.

use serde::Deserialize;
use std::path::Path;

use crate::cortex::Network;
use crate::{Error, Result};

/// One scripted seizure.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedSeizure {
    /// Onset, s.
    pub onset: f64,
    /// Region indices visited, in order.
    pub path: Vec<usize>,
    /// Dwell in each region, s.
    pub dwell: Vec<f64>,
    /// Overlap between successive regions, s.
    pub overlap: f64,
}

impl ScriptedSeizure {
    /// Forcing windows: (region, start, end) in seconds.
    pub fn windows(&self) -> Vec<(usize, f64, f64)> {
        let mut t = self.onset;
        let mut out = Vec::new();
        for (k, (&r, &d)) in self.path.iter().zip(&self.dwell).enumerate() {
            if k > 0 {
                t -= self.overlap.min(self.dwell[k - 1]);
            }
            out.push((r, t, t + d));
            t += d;
        }
        out
    }
}

/// A parsed scenario.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scenario {
    /// Duration from the file, s.
    pub duration: Option<f64>,
    /// Scripted seizures.
    pub seizures: Vec<ScriptedSeizure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    duration: Option<toml::Value>,
    #[serde(default)]
    seizure: Vec<RawSeizure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeizure {
    onset: f64,
    path: Vec<String>,
    dwell: toml::Value,
    overlap: Option<f64>,
}

/// Parse a duration: seconds as a number, or `90s`, `30m`, `2h`, `1h30m`.
pub fn parse_duration(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(v) = t.parse::<f64>() {
        return if v.is_finite() { Ok(v) } else { Err(format!("`{s}` is not a finite number")) };
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut any = false;
    for c in t.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
        } else {
            let mult = match c {
                'h' => 3600.0,
                'm' => 60.0,
                's' => 1.0,
                _ => return Err(format!("`{s}`: unknown unit `{c}` (expected seconds, or a number with h, m or s)")),
            };
            let v: f64 = num.parse().map_err(|_| format!("`{s}`: expected a number before `{c}`"))?;
            total += v * mult;
            num.clear();
            any = true;
        }
    }
    if !num.is_empty() {
        return Err(format!("`{s}`: missing unit after {num} (h, m or s)"));
    }
    if !any {
        return Err(format!("`{s}` is not a duration"));
    }
    Ok(total)
}

/// Line (1-based) of the first occurrence of `needle` at or after byte `from`.
fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Resolve a region name against the network.
pub fn resolve_region(net: &Network, name: &str) -> Option<usize> {
    if let Some(i) = net.regions.iter().position(|r| r.label.eq_ignore_ascii_case(name)) {
        return Some(i);
    }
    let code = eimfs_core::Region::from_code(name)?;
    net.regions.iter().position(|r| r.region == code)
}

impl Scenario {
    /// Read and validate a scenario file against a network.
    pub fn read(path: &Path, net: &Network) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.into(), source })?;
        Self::parse(&text, path, net)
    }

    /// Parse scenario text (`path` for messages).
    pub fn parse(text: &str, path: &Path, net: &Network) -> Result<Scenario> {
        let file_err = |line: Option<usize>, message: String| Error::File { path: path.into(), line, message };
        let raw: RawScenario = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            file_err(line, e.message().to_string())
        })?;
        // Locate each [[seizure]] table for line numbers in semantic errors.
        let seizure_lines: Vec<usize> = text.match_indices("[[seizure]]").map(|(b, _)| line_of(text, b)).collect();
        let duration = match raw.duration {
            None => None,
            Some(toml::Value::Integer(i)) => Some(i as f64),
            Some(toml::Value::Float(f)) => Some(f),
            Some(toml::Value::String(s)) => Some(parse_duration(&s).map_err(|m| file_err(None, format!("field `duration`: {m}")))?),
            Some(other) => {
                return Err(file_err(
                    None,
                    format!("field `duration`: expected seconds or a string like \"30m\", found {}", other.type_str()),
                ));
            }
        };
        #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN is rejected too
        if let Some(d) = duration
            && !(d > 0.0)
        {
            return Err(file_err(None, format!("field `duration`: must be positive, got {d}")));
        }
        let mut seizures = Vec::new();
        for (k, s) in raw.seizure.into_iter().enumerate() {
            let line = seizure_lines.get(k).copied();
            let here = |field: &str, m: String| file_err(line, format!("seizure {}: field `{field}`: {m}", k + 1));
            if !(s.onset.is_finite() && s.onset >= 0.0) {
                return Err(here("onset", format!("must be a time >= 0 s, got {}", s.onset)));
            }
            if s.path.is_empty() {
                return Err(here("path", "needs at least one region".into()));
            }
            let mut path_ix = Vec::new();
            for name in &s.path {
                let i = resolve_region(net, name).ok_or_else(|| {
                    let some: Vec<&str> = net.regions.iter().take(4).map(|r| r.label.as_str()).collect();
                    here(
                        "path",
                        format!(
                            "unknown region `{name}` (expected a network label such as {} … or a code such as L-temporal)",
                            some.join(", ")
                        ),
                    )
                })?;
                path_ix.push(i);
            }
            let dwell: Vec<f64> = match &s.dwell {
                toml::Value::Integer(i) => vec![*i as f64; path_ix.len()],
                toml::Value::Float(f) => vec![*f; path_ix.len()],
                toml::Value::Array(a) => {
                    let mut v = Vec::new();
                    for x in a {
                        match x {
                            toml::Value::Integer(i) => v.push(*i as f64),
                            toml::Value::Float(f) => v.push(*f),
                            other => return Err(here("dwell", format!("expected numbers of seconds, found {}", other.type_str()))),
                        }
                    }
                    v
                }
                other => return Err(here("dwell", format!("expected seconds or a list of seconds, found {}", other.type_str()))),
            };
            if dwell.len() != path_ix.len() {
                return Err(here("dwell", format!("{} values for {} regions in `path`", dwell.len(), path_ix.len())));
            }
            if let Some(d) = dwell.iter().find(|d| !(d.is_finite() && **d > 0.0)) {
                return Err(here("dwell", format!("must be positive, got {d}")));
            }
            let overlap = s.overlap.unwrap_or(3.0);
            if !(overlap.is_finite() && overlap >= 0.0) {
                return Err(here("overlap", format!("must be >= 0 s, got {overlap}")));
            }
            seizures.push(ScriptedSeizure { onset: s.onset, path: path_ix, dwell, overlap });
        }
        Ok(Scenario { duration, seizures })
    }

    /// Forcing of region `i` at time `t` (s): 1 inside one of its windows, else 0.
    pub fn forcing(&self, t: f64, i: usize) -> f64 {
        for s in &self.seizures {
            for (r, a, b) in s.windows() {
                if r == i && t >= a && t < b {
                    return 1.0;
                }
            }
        }
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7200").unwrap(), 7200.0);
        assert_eq!(parse_duration("2h").unwrap(), 7200.0);
        assert_eq!(parse_duration("30m").unwrap(), 1800.0);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration("90s").unwrap(), 90.0);
        assert!(parse_duration("2x").unwrap_err().contains("unknown unit `x`"));
        assert!(parse_duration("12").is_ok());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn parse_and_forcing() {
        let net = Network::infant_default();
        let text = "duration = \"5m\"\n[[seizure]]\nonset = 10.0\npath = [\"L_mid_temporal\", \"R-frontal\"]\ndwell = [20.0, 10.0]\noverlap = 5.0\n";
        let s = Scenario::parse(text, Path::new("s.toml"), &net).unwrap();
        assert_eq!(s.duration, Some(300.0));
        let w = s.seizures[0].windows();
        assert_eq!(w[0].1, 10.0);
        assert_eq!(w[0].2, 30.0);
        assert_eq!(w[1].1, 25.0);
        assert_eq!(w[1].2, 35.0);
        assert_eq!(net.regions[w[1].0].label, "R_prefrontal");
        assert_eq!(s.forcing(26.0, w[0].0), 1.0);
        assert_eq!(s.forcing(31.0, w[0].0), 0.0);
    }

    #[test]
    fn errors_name_line_and_field() {
        let net = Network::infant_default();
        let bad = "[[seizure]]\nonset = 10.0\npath = [\"L_nowhere\"]\ndwell = 5.0\n";
        let e = Scenario::parse(bad, Path::new("s.toml"), &net).unwrap_err().to_string();
        assert!(e.starts_with("s.toml:1: seizure 1: field `path`: unknown region `L_nowhere`"), "{e}");
        let bad = "[[seizure]]\nonset = 10.0\npath = [\"L_central\"]\ndwell = [5.0, 3.0]\n";
        let e = Scenario::parse(bad, Path::new("s.toml"), &net).unwrap_err().to_string();
        assert!(e.contains("field `dwell`: 2 values for 1 regions"), "{e}");
        let bad = "[[seizure]]\nonset = \"soon\"\n";
        let e = Scenario::parse(bad, Path::new("s.toml"), &net).unwrap_err().to_string();
        assert!(e.starts_with("s.toml:2:"), "{e}");
        let bad = "[[seizure]]\nonset = 1.0\npath = [\"L_central\"]\ndwell = 5.0\ncolour = 3\n";
        let e = Scenario::parse(bad, Path::new("s.toml"), &net).unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
    }
}
