//! Channel labels as real files write them, normalised.
//!
//! EDF headers and other formats label channels in many ways: `EEG Fp1-Ref`, `EEG FP1-REF`,
//! `Fp1`, `EEG T3-LE`, `EEG Fp1-A1`, `FP1-F7` (already bipolar), `EEG T7-Avg`, `ECG EKG-REF`,
//! `Resp Effort`, `EOG ROC-A2`, `EDF Annotations`… [`ChannelName::parse`] turns any of them into a
//! [`ChannelName`]: its [`ChannelKind`], the 10-20 [`Electrode`] (old names T3/T4/T5/T6 and new
//! names T7/T8/P7/P8 map to the same electrode), the reference (`Ref`, `LE`, `A1`, `Avg`…) or the
//! bipolar pair, and a canonical display name. Matching is case-insensitive.
//!
//! [`ChannelMap`] does this for a whole header and picks, for each of the 19 electrodes, the
//! referential channel that records it, with a clear error when two channels claim the same one.
//!
//! # Rules
//! * A first word `EEG`, `ECG`/`EKG`, `EOG`, `EMG`, `Resp`, `SpO2`/`SaO2`/`Pleth`, `Photic` gives
//!   the type; `POL` (Nihon Kohden) and a missing prefix give none. What follows is split at the
//!   first `-` into the site and the reference (or the second electrode).
//! * Under an `EEG` prefix, a site that is clearly another signal (`EKG1`, `ROC`, `LOC`, `EMG`,
//!   `PHOTIC`, `IBI`…) wins: `EEG EKG1-REF` is ECG, as the Temple University corpus writes it.
//! * Sites of the 10-10 system outside the 19 (`Fpz`, `Oz`, `AFz`, `FC1`, `TP9`…), ear and
//!   mastoid electrodes (`A1`, `A2`, `M1`, `M2`) and anterior temporal `T1`/`T2` are EEG; their
//!   name is kept in [`ChannelName::site`] and [`ChannelName::electrode`] is `None`.
//! * `X-Y` where both X and Y are among the 19 electrodes is a bipolar derivation. Otherwise Y is
//!   the reference: `Ref`/`REF` → `Ref`, `LE` (linked ears), `A1`, `A2`, `A1A2`, `M1`…, and
//!   `Avg`/`AV`/`AR`/`CAR` → `Avg`. Other references are kept as written.

use std::fmt;

use eimfs_core::Electrode;

use crate::error::{Error, Result};

/// What a channel records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// Scalp EEG (10-20 and other 10-10 sites, ear/mastoid electrodes).
    Eeg,
    /// Electrocardiogram.
    Ecg,
    /// Electro-oculogram (`LOC`, `ROC`, `EOG`).
    Eog,
    /// Electromyogram (`EMG`, `Chin`, leg).
    Emg,
    /// Respiration (effort belts, airflow).
    Respiration,
    /// Pulse oximetry (`SpO2`, `SaO2`, plethysmogram).
    Oximetry,
    /// Photic stimulation marker.
    Photic,
    /// The EDF+/BDF+ annotation signal.
    Annotations,
    /// Anything else (trigger, DC inputs, derived trends…).
    Other,
}

impl ChannelKind {
    /// Short display name: `EEG`, `ECG`, `EOG`, `EMG`, `Resp`, `SpO2`, `Photic`, `Annotations`,
    /// `Other`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Eeg => "EEG",
            ChannelKind::Ecg => "ECG",
            ChannelKind::Eog => "EOG",
            ChannelKind::Emg => "EMG",
            ChannelKind::Respiration => "Resp",
            ChannelKind::Oximetry => "SpO2",
            ChannelKind::Photic => "Photic",
            ChannelKind::Annotations => "Annotations",
            ChannelKind::Other => "Other",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A channel label, normalised. Build it with [`ChannelName::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChannelName {
    /// The label exactly as given.
    pub raw: String,
    /// What the channel records.
    pub kind: ChannelKind,
    /// The 10-20 electrode of a referential EEG channel (`None` for bipolar channels, other
    /// sites and non-EEG channels).
    pub electrode: Option<Electrode>,
    /// Canonical name of the recording site: the 10-20 name (`T3` for `T7`), another 10-10 name
    /// with standard capitalisation (`Fpz`, `AFz`, `FC1`, `A1`), or for non-EEG channels the word
    /// after the type prefix (`EKG`, `Effort`, `ROC`). For a bipolar channel, its first electrode.
    pub site: Option<String>,
    /// The reference, normalised (`Ref`, `LE`, `A1`, `A2`, `A1A2`, `Avg`, a site name, or as
    /// written). `None` when the label names none, and for bipolar channels.
    pub reference: Option<String>,
    /// Both electrodes of a bipolar derivation between two 10-20 electrodes (`FP1-F7`).
    pub bipolar: Option<(Electrode, Electrode)>,
    /// Canonical display name: `Fp1` (referential 10-20), `Fp1-F7` (bipolar), `Fpz`, `ECG EKG`,
    /// `Resp Effort`, `EOG ROC`, `EDF Annotations`.
    pub canonical: String,
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Type prefix words (first word of a label).
fn prefix_kind(word: &str) -> Option<Option<ChannelKind>> {
    let w = word.to_ascii_uppercase();
    Some(match w.as_str() {
        "EEG" => Some(ChannelKind::Eeg),
        "ECG" | "EKG" => Some(ChannelKind::Ecg),
        "EOG" => Some(ChannelKind::Eog),
        "EMG" => Some(ChannelKind::Emg),
        "RESP" | "RESPIRATION" => Some(ChannelKind::Respiration),
        "SPO2" | "SAO2" | "PLETH" | "OXIMETRY" => Some(ChannelKind::Oximetry),
        "PHOTIC" => Some(ChannelKind::Photic),
        // Neutral prefixes: Nihon Kohden's polygraphic inputs, generic "signal".
        "POL" => None,
        _ => return None,
    })
}

/// Kind from a site word that names a non-EEG signal, e.g. `EKG1`, `ROC`, `Effort`.
fn keyword_kind(site: &str) -> Option<ChannelKind> {
    let u = site.to_ascii_uppercase();
    let stem = u.trim_end_matches(|c: char| c.is_ascii_digit());
    let starts = |p: &[&str]| p.iter().any(|p| stem.starts_with(p));
    let is = |p: &[&str]| p.contains(&stem);
    if starts(&["ECG", "EKG"]) {
        Some(ChannelKind::Ecg)
    } else if starts(&["EOG", "HEOG", "VEOG"]) || is(&["LOC", "ROC", "LEOG", "REOG"]) {
        Some(ChannelKind::Eog)
    } else if starts(&["EMG", "CHIN", "SUBMENTAL", "LEG"]) || is(&["LAT", "RAT"]) {
        Some(ChannelKind::Emg)
    } else if starts(&["RESP", "EFFORT", "THOR", "ABDO", "CHEST", "AIRFLOW", "FLOW", "NASAL", "THERM", "BREATH"]) {
        Some(ChannelKind::Respiration)
    } else if starts(&["SPO2", "SAO2", "PLETH", "PULSE"]) {
        Some(ChannelKind::Oximetry)
    } else if starts(&["PHOTIC", "PHOT"]) {
        Some(ChannelKind::Photic)
    } else if is(&["IBI", "BURSTS", "SUPPR", "DC", "EVENT", "TRIG", "TRIGGER", "STATUS", "MARKER"]) {
        Some(ChannelKind::Other)
    } else {
        None
    }
}

/// Microvolts per physical unit of a channel, from the EDF "physical dimension" field as real
/// files write it: `uV`, `µV` (also as the Latin-1 byte read as U+FFFD or `?`), `microV`, `mV`,
/// `V`, `nV`, in any letter case (`UV`, `MV` is read as millivolts: no EEG file holds megavolts).
/// `None` when the field names no voltage unit (empty, `mmHg`, `%`, …): the caller decides
/// (eimfs detect reads such EEG channels as µV and says so).
///
/// ```
/// use eimfs_signal::names::microvolts_per_unit;
/// assert_eq!(microvolts_per_unit("uV"), Some(1.0));
/// assert_eq!(microvolts_per_unit("µV "), Some(1.0));
/// assert_eq!(microvolts_per_unit("mV"), Some(1000.0));
/// assert_eq!(microvolts_per_unit("V"), Some(1e6));
/// assert_eq!(microvolts_per_unit(""), None);
/// ```
pub fn microvolts_per_unit(dimension: &str) -> Option<f64> {
    let d = dimension.trim();
    let lower = d.to_lowercase();
    let prefix = lower.strip_suffix("volts").or_else(|| lower.strip_suffix("volt")).or_else(|| lower.strip_suffix('v'))?;
    match prefix {
        "u" | "µ" | "μ" | "micro" | "\u{fffd}" | "?" => Some(1.0),
        "m" | "milli" => Some(1e3),
        "" => Some(1e6),
        "n" | "nano" => Some(1e-3),
        _ => None,
    }
}

/// Canonical name of an EEG site of the 10-10 system that is not one of the 19 electrodes, or
/// `None` if `s` is not such a name. (`fpz` → `Fpz`, `AFZ` → `AFz`, `a1` → `A1`.)
pub fn site_name(s: &str) -> Option<String> {
    let u = s.trim().to_ascii_uppercase();
    if u.is_empty() {
        return None;
    }
    if let Some(e) = Electrode::from_name(&u) {
        return Some(e.name().to_string());
    }
    match u.as_str() {
        "NZ" => return Some("Nz".into()),
        "IZ" => return Some("Iz".into()),
        "A1" | "A2" | "M1" | "M2" | "T1" | "T2" => return Some(u),
        "PG1" | "PG2" | "SP1" | "SP2" | "CB1" | "CB2" => {
            let mut c = u[..1].to_string();
            c.push_str(&u[1..].to_ascii_lowercase());
            return Some(c);
        }
        _ => {}
    }
    // Two-letter prefixes first so that `FP`, `FT`, `FC`… are not read as `F`.
    const PREFIXES: [(&str, &str); 13] = [
        ("FP", "Fp"),
        ("AF", "AF"),
        ("FT", "FT"),
        ("FC", "FC"),
        ("TP", "TP"),
        ("CP", "CP"),
        ("PO", "PO"),
        ("F", "F"),
        ("T", "T"),
        ("C", "C"),
        ("P", "P"),
        ("O", "O"),
        ("I", "I"),
    ];
    for (p, canon) in PREFIXES {
        if let Some(rest) = u.strip_prefix(p) {
            if rest == "Z" {
                return Some(format!("{canon}z"));
            }
            if !rest.is_empty() && !rest.starts_with('0') && rest.len() <= 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                let n: u32 = rest.parse().ok()?;
                if (1..=10).contains(&n) {
                    return Some(format!("{canon}{n}"));
                }
            }
        }
    }
    None
}

/// Normalise a reference word.
fn reference_name(r: &str) -> String {
    let u = r.trim().to_ascii_uppercase();
    match u.as_str() {
        "REF" | "REFERENCE" => "Ref".into(),
        "LE" | "LINKED" | "LINKED EARS" => "LE".into(),
        "AVG" | "AV" | "AR" | "CAR" | "AVERAGE" => "Avg".into(),
        "A1A2" | "A1+A2" | "A12" => "A1A2".into(),
        "M1M2" | "M1+M2" => "M1M2".into(),
        _ => site_name(&u).unwrap_or_else(|| r.trim().to_string()),
    }
}

fn clean(label: &str) -> &str {
    label.trim_matches(|c: char| c.is_whitespace() || c == '\0')
}

impl ChannelName {
    /// Normalise one label (any case, padded or not).
    ///
    /// ```
    /// use eimfs_core::Electrode;
    /// use eimfs_signal::names::{ChannelKind, ChannelName};
    ///
    /// let c = ChannelName::parse("EEG T7-Avg");
    /// assert_eq!(c.kind, ChannelKind::Eeg);
    /// assert_eq!(c.electrode, Some(Electrode::T3));
    /// assert_eq!(c.reference.as_deref(), Some("Avg"));
    /// assert_eq!(c.canonical, "T3");
    ///
    /// let b = ChannelName::parse("FP1-F7");
    /// assert_eq!(b.bipolar, Some((Electrode::Fp1, Electrode::F7)));
    /// assert_eq!(b.canonical, "Fp1-F7");
    ///
    /// assert_eq!(ChannelName::parse("ECG EKG-REF").kind, ChannelKind::Ecg);
    /// assert_eq!(ChannelName::parse("ECG EKG-REF").canonical, "ECG EKG");
    /// ```
    pub fn parse(label: &str) -> ChannelName {
        let raw = label.to_string();
        let text = clean(label);
        let unnamed = |kind: ChannelKind, canonical: String| ChannelName {
            raw: raw.clone(),
            kind,
            electrode: None,
            site: None,
            reference: None,
            bipolar: None,
            canonical,
        };
        if text.eq_ignore_ascii_case("EDF Annotations") || text.eq_ignore_ascii_case("BDF Annotations") {
            return unnamed(ChannelKind::Annotations, text.to_string());
        }
        if text.is_empty() {
            return unnamed(ChannelKind::Other, String::new());
        }

        // Type prefix: the first word, if it is a type word. A single word that is a type word
        // (`EMG`, `ECG`, `Photic`) is the type with no site.
        let (first, rest) = match text.split_once(char::is_whitespace) {
            Some((f, r)) => (f, r.trim()),
            None => (text, ""),
        };
        let (prefix, body) = match prefix_kind(first) {
            Some(p) => (p, rest),
            None => (None, text),
        };
        // A single word like `EMG-REF` or `ECG-A2` is a type word with a reference.
        let (site_part, ref_part) = match body.split_once('-') {
            Some((a, b)) => (clean(a), Some(clean(b)).filter(|s| !s.is_empty())),
            None => (clean(body), None),
        };
        let (prefix, site_part) = if prefix.is_none() && body == text {
            match prefix_kind(site_part) {
                Some(Some(k)) if !site_part.eq_ignore_ascii_case("EEG") => (Some(k), ""),
                _ => (prefix, site_part),
            }
        } else {
            (prefix, site_part)
        };

        let electrode = Electrode::from_name(site_part);
        let site_1010 = if electrode.is_none() { site_name(site_part) } else { None };
        let keyword = keyword_kind(site_part);
        let kind = match prefix {
            Some(ChannelKind::Eeg) => match keyword {
                Some(k) if electrode.is_none() && site_1010.is_none() => k,
                _ => ChannelKind::Eeg,
            },
            Some(k) => k,
            None => {
                if electrode.is_some() || site_1010.is_some() {
                    ChannelKind::Eeg
                } else {
                    keyword.unwrap_or(ChannelKind::Other)
                }
            }
        };

        if kind != ChannelKind::Eeg {
            let site = (!site_part.is_empty()).then(|| site_part.to_string());
            let canonical = match &site {
                Some(s) if !s.eq_ignore_ascii_case(kind.name()) => format!("{} {}", kind.name(), s),
                _ => kind.name().to_string(),
            };
            // `Other` keeps the label as written (minus padding): there is no type word to add.
            let canonical = if kind == ChannelKind::Other { text.to_string() } else { canonical };
            return ChannelName { raw, kind, electrode: None, site, reference: ref_part.map(reference_name), bipolar: None, canonical };
        }

        // EEG.
        let second = ref_part.and_then(Electrode::from_name);
        if let (Some(a), Some(b)) = (electrode, second) {
            return ChannelName {
                raw,
                kind,
                electrode: None,
                site: Some(a.name().to_string()),
                reference: None,
                bipolar: Some((a, b)),
                canonical: format!("{}-{}", a.name(), b.name()),
            };
        }
        let site = electrode.map(|e| e.name().to_string()).or(site_1010);
        let canonical = match &site {
            Some(s) => s.clone(),
            None if !site_part.is_empty() => site_part.to_string(),
            None => text.to_string(),
        };
        ChannelName { raw, kind, electrode, site, reference: ref_part.map(reference_name), bipolar: None, canonical }
    }

    /// True for a referential channel of one of the 19 10-20 electrodes.
    pub fn is_referential_1020(&self) -> bool {
        self.kind == ChannelKind::Eeg && self.electrode.is_some() && self.bipolar.is_none()
    }
}

/// The channels of a recording, normalised, with the referential channel of each of the 19
/// electrodes picked out.
///
/// ```
/// use eimfs_core::Electrode;
/// use eimfs_signal::names::ChannelMap;
///
/// let map = ChannelMap::from_labels(&["EEG Fp1-REF", "EEG T7-REF", "ECG EKG-REF", "FP2-F8"]).unwrap();
/// assert_eq!(map.channel(Electrode::Fp1), Some(0));
/// assert_eq!(map.channel(Electrode::T3), Some(1));
/// assert_eq!(map.channel(Electrode::O1), None);
/// assert_eq!(map.bipolar_channel(Electrode::Fp2, Electrode::F8), Some(3));
/// assert_eq!(map.common_reference(), Some("Ref"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelMap {
    names: Vec<ChannelName>,
    referential: [Option<usize>; 19],
    reference_electrode: Option<Electrode>,
}

/// Fewest channels written as pairs to one electrode that make a recording referenced to that
/// electrode ([`ChannelMap::from_labels`]).
pub const MIN_ELECTRODE_REFERENCED: usize = 4;

/// The common second electrode of a recording's EEG channels when none is referential and at
/// least [`MIN_ELECTRODE_REFERENCED`] are 10-20 pairs that all end in it.
fn electrode_reference(names: &[ChannelName]) -> Option<Electrode> {
    if names.iter().any(|n| n.is_referential_1020()) {
        return None;
    }
    let pairs: Vec<(Electrode, Electrode)> = names.iter().filter(|n| n.kind == ChannelKind::Eeg).filter_map(|n| n.bipolar).collect();
    let r = pairs.first()?.1;
    (pairs.len() >= MIN_ELECTRODE_REFERENCED && pairs.iter().all(|&(_, b)| b == r)).then_some(r)
}

impl ChannelMap {
    /// Normalise every label and pick, for each 10-20 electrode, its referential channel.
    ///
    /// Fails with [`Error::AmbiguousElectrode`] when two referential channels record the same
    /// electrode (for example `EEG T3-Ref` and `EEG T7-Ref`, or `EEG Fp1-Ref` and `EEG Fp1-LE`),
    /// naming both channels with their number (from 1, as `eimfs info` lists them).
    ///
    /// **Recordings referenced to an electrode.** When no channel is referential and at least
    /// [`MIN_ELECTRODE_REFERENCED`] EEG channels are 10-20 pairs that all share their second
    /// electrode (`EEG Fp1-Cz`, `EEG F3-Cz`, …), the recording is referential with that electrode
    /// as its reference: each channel is read as the referential channel of its first electrode
    /// (reference `Cz`), and the reference electrode has no channel, as in a recording whose
    /// reference electrode is recorded flat ([`ChannelMap::reference_electrode`]). Derivations to
    /// the reference (`Fp1-Cz`) are then those channels themselves.
    pub fn from_labels<S: AsRef<str>>(labels: &[S]) -> Result<ChannelMap> {
        let mut names: Vec<ChannelName> = labels.iter().map(|l| ChannelName::parse(l.as_ref())).collect();
        let reference_electrode = electrode_reference(&names);
        if let Some(r) = reference_electrode {
            for n in names.iter_mut() {
                if let Some((a, b)) = n.bipolar.filter(|&(_, b)| b == r && n.kind == ChannelKind::Eeg) {
                    n.electrode = Some(a);
                    n.reference = Some(b.name().to_string());
                    n.bipolar = None;
                    n.canonical = a.name().to_string();
                }
            }
        }
        let mut referential = [None; 19];
        let mut claims: Vec<Vec<usize>> = vec![Vec::new(); 19];
        for (i, n) in names.iter().enumerate() {
            if n.is_referential_1020() {
                claims[n.electrode.expect("referential channel has an electrode").index()].push(i);
            }
        }
        for e in Electrode::ALL {
            let c = &claims[e.index()];
            match c.len() {
                0 => {}
                1 => referential[e.index()] = Some(c[0]),
                _ => {
                    let channels = c.iter().map(|&i| format!("#{} \"{}\"", i + 1, clean(&names[i].raw))).collect::<Vec<_>>().join(", ");
                    return Err(Error::AmbiguousElectrode { electrode: e.name().to_string(), channels });
                }
            }
        }
        Ok(ChannelMap { names, referential, reference_electrode })
    }

    /// The electrode the recording is referenced to when its channels were written as pairs to
    /// one electrode (`EEG Fp1-Cz`, …; see [`ChannelMap::from_labels`]), else `None`.
    pub fn reference_electrode(&self) -> Option<Electrode> {
        self.reference_electrode
    }

    /// All channels, normalised, in the order given.
    pub fn names(&self) -> &[ChannelName] {
        &self.names
    }

    /// Number of channels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True if there are no channels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of the referential channel of electrode `e`, if the recording has one.
    pub fn channel(&self, e: Electrode) -> Option<usize> {
        self.referential[e.index()]
    }

    /// The referential channel index of each of the 19 electrodes, in [`Electrode::ALL`] order.
    pub fn referential(&self) -> &[Option<usize>; 19] {
        &self.referential
    }

    /// Electrodes that have a referential channel, with its index, in [`Electrode::ALL`] order.
    pub fn present(&self) -> Vec<(Electrode, usize)> {
        Electrode::ALL.into_iter().filter_map(|e| self.channel(e).map(|i| (e, i))).collect()
    }

    /// Electrodes with no referential channel.
    pub fn missing(&self) -> Vec<Electrode> {
        Electrode::ALL.into_iter().filter(|e| self.channel(*e).is_none()).collect()
    }

    /// Index of a channel recorded as the bipolar derivation `a-b` (exactly that order).
    pub fn bipolar_channel(&self, a: Electrode, b: Electrode) -> Option<usize> {
        self.names.iter().position(|n| n.kind == ChannelKind::Eeg && n.bipolar == Some((a, b)))
    }

    /// The reference shared by every referential 10-20 channel, if they all name the same one
    /// (`Ref`, `LE`, `Avg`…). `None` if there are none, if some name none, or if they differ
    /// (for example ipsilateral ears `A1`/`A2`).
    pub fn common_reference(&self) -> Option<&str> {
        let mut refs = self.referential.iter().flatten().map(|&i| self.names[i].reference.as_deref());
        let first = refs.next()??;
        refs.all(|r| r == Some(first)).then_some(first)
    }

    /// Channels named by a comma- or semicolon-separated list, in list order, e.g.
    /// `Fp1,T7,ECG EKG` or `EEG FP1-REF, Cz`. Each item matches, case-insensitively, a label as
    /// written (trimmed), a canonical name ([`ChannelName::canonical`]), a 10-20 electrode by its
    /// old or new name (its referential channel), or a bipolar pair `A-B` recorded as such; an
    /// item that matches no label and is a number `N` or `#N` is the N-th channel, counted from 1
    /// as `eimfs info` lists them (how to pick one of two channels with the same label).
    ///
    /// Fails with [`Error::UnknownChannel`] naming the item and the available labels, or with
    /// [`Error::AmbiguousChannel`] if an item matches several channels.
    ///
    /// ```
    /// use eimfs_signal::names::ChannelMap;
    /// let map = ChannelMap::from_labels(&["EEG Fp1-Ref", "EEG T3-Ref", "ECG EKG", "Resp Effort"]).unwrap();
    /// assert_eq!(map.select("t7, fp1, ECG EKG").unwrap(), vec![1, 0, 2]);
    /// assert!(map.select("O1").unwrap_err().to_string().starts_with("no channel matches `O1`"));
    /// assert_eq!(map.select("#4, 2").unwrap(), vec![3, 1]);
    /// ```
    pub fn select(&self, list: &str) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        for item in list.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            let by_label: Vec<usize> = (0..self.names.len()).filter(|&i| clean(&self.names[i].raw).eq_ignore_ascii_case(item)).collect();
            let number = item.strip_prefix('#').unwrap_or(item).parse::<usize>().ok().filter(|n| (1..=self.names.len()).contains(n));
            let hits = if !by_label.is_empty() {
                by_label
            } else if let Some(n) = number {
                vec![n - 1]
            } else {
                let item_name = ChannelName::parse(item);
                let mut hits: Vec<usize> = (0..self.names.len())
                    .filter(|&i| {
                        let n = &self.names[i];
                        n.canonical.eq_ignore_ascii_case(item)
                            || (n.kind == ChannelKind::Eeg && n.canonical.eq_ignore_ascii_case(&item_name.canonical))
                    })
                    .collect();
                if let (true, Some(e)) = (hits.is_empty(), Electrode::from_name(item)) {
                    hits.extend(self.channel(e));
                }
                hits
            };
            match hits.len() {
                0 => return Err(Error::UnknownChannel { item: item.to_string(), available: self.labels_list() }),
                1 => out.push(hits[0]),
                _ => {
                    return Err(Error::AmbiguousChannel {
                        item: item.to_string(),
                        channels: hits
                            .iter()
                            .map(|&i| format!("#{} \"{}\"", i + 1, clean(&self.names[i].raw)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
        if out.is_empty() {
            return Err(Error::UnknownChannel { item: list.to_string(), available: self.labels_list() });
        }
        Ok(out)
    }

    /// The labels as given (trimmed), comma-separated: used in error messages.
    pub fn labels_list(&self) -> String {
        self.names.iter().map(|n| clean(&n.raw)).collect::<Vec<_>>().join(", ")
    }
}
