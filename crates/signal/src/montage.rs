//! Montages: which derivations to compute from the recorded channels.
//!
//! | name ([`Montage::parse`]) | derivations |
//! |---|---|
//! | `as-recorded` (`referential`, `raw`, `none`) | every EEG channel as the file has it |
//! | `average` (`avg`, `car`, `common-average`) | each available 10-20 electrode minus the mean of the available ones (electrodes the caller excludes — flat, noisy — are left out of the mean) |
//! | `double-banana` (`banana`, `bipolar`, `lb-18.1`, `longitudinal`) | the 18 longitudinal bipolar derivations, see [`DOUBLE_BANANA`] |
//! | `neonatal` (`neonatal-bipolar`, `double-distance`) | the 12 double-distance bipolar derivations of neonatal EEG, see [`NEONATAL`] |
//! | a list, e.g. `Fp1-F7,F7-T3` | bipolar pairs (`A-B`), referential electrodes (`Cz`) or average-referenced ones (`Cz-Avg`); old and new names (T3/T7…) and any case |
//!
//! A [`Montage`] is abstract; [`Montage::plan`] resolves it against a file's channels
//! ([`ChannelMap`]) into a [`MontagePlan`]: the file channels to read ([`MontagePlan::inputs`])
//! and, per output derivation, how to combine them. A bipolar derivation is computed from the two
//! referential channels, or taken from a channel already recorded as that pair (`FP1-F7`, or its
//! reverse negated). The plan applies to a whole [`Recording`] ([`Montage::apply`]) or chunk by
//! chunk ([`MontagePlan::apply_chunk`]) so multi-day files never have to be in memory.
//!
//! A montage that needs an electrode the file lacks fails with [`Error::MissingElectrode`],
//! naming the electrode, the derivations that need it and the file's labels.

use std::fmt;

use eimfs_core::{Electrode, Recording, Signal};

use crate::error::{Error, Result};
use crate::names::{ChannelKind, ChannelMap};

use Electrode::*;

/// The 18 derivations of the longitudinal bipolar ("double banana") montage: the left temporal
/// chain, the left parasagittal chain, the midline, the right parasagittal chain, the right
/// temporal chain, each front to back. These are the 18 derivations of the ACNS standard
/// longitudinal bipolar montage (Acharya et al., "American Clinical Neurophysiology Society
/// Guideline 3: A Proposal for Standard Montages to Be Used in Clinical EEG", J Clin
/// Neurophysiol 2016;33:312-316, montage LB-18.1; its variants differ only in the order of the
/// chains). The chain order above is the one we understand LB-18.1 to use; it was not checked
/// against the guideline's table, which was not accessible while this was written. ACNS writes
/// the temporal electrodes with their 10-10 names (T7, P7, T8, P8); eimfs labels them T3, T5,
/// T4, T6.
pub const DOUBLE_BANANA: [(Electrode, Electrode); 18] = [
    (Fp1, F7),
    (F7, T3),
    (T3, T5),
    (T5, O1),
    (Fp1, F3),
    (F3, C3),
    (C3, P3),
    (P3, O1),
    (Fz, Cz),
    (Cz, Pz),
    (Fp2, F4),
    (F4, C4),
    (C4, P4),
    (P4, O2),
    (Fp2, F8),
    (F8, T4),
    (T4, T6),
    (T6, O2),
];

/// The 12 derivations of the neonatal "double-distance" bipolar montage on the nine electrodes
/// of the reduced neonatal array (Fp1, Fp2, C3, C4, Cz, T3, T4, O1, O2): per hemisphere a
/// parasagittal chain Fp-C-O and a temporal chain Fp-T-O, then the transverse central chain
/// T3-C3-Cz-C4-T4. This is the list issue 2 gives; the reduced array is the one neonatal
/// guidelines allow for small heads (ACNS: Shellhaas et al., "The American Clinical
/// Neurophysiology Society's Guideline on Continuous Electroencephalography Monitoring in
/// Neonates", J Clin Neurophysiol 2011;28:611-617). The exact derivation list was not checked
/// against that guideline's text (not accessible while this was written). The Helsinki dataset
/// (Stevenson et al., Sci Data 2019;6:190039) records all 19 electrodes referentially, so both
/// this montage and [`DOUBLE_BANANA`] can be derived from it.
pub const NEONATAL: [(Electrode, Electrode); 12] =
    [(Fp1, C3), (C3, O1), (Fp1, T3), (T3, O1), (Fp2, C4), (C4, O2), (Fp2, T4), (T4, O2), (T3, C3), (C3, Cz), (Cz, C4), (C4, T4)];

/// What is subtracted from the first electrode of a derivation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Minus {
    /// Nothing: the channel as recorded against the recording reference.
    Reference,
    /// Another electrode (bipolar derivation).
    Electrode(Electrode),
    /// The common average of the available electrodes.
    Average,
}

/// One derivation of a montage, before it is resolved against a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DerivationSpec {
    /// The electrode at input 1.
    pub plus: Electrode,
    /// What is subtracted.
    pub minus: Minus,
}

impl DerivationSpec {
    /// Bipolar derivation `a-b`.
    pub const fn bipolar(a: Electrode, b: Electrode) -> Self {
        DerivationSpec { plus: a, minus: Minus::Electrode(b) }
    }

    /// Label: `Fp1-F7`, `Cz` (referential), `Cz-Avg`.
    pub fn label(&self) -> String {
        match self.minus {
            Minus::Reference => self.plus.name().to_string(),
            Minus::Electrode(b) => format!("{}-{}", self.plus.name(), b.name()),
            Minus::Average => format!("{}-Avg", self.plus.name()),
        }
    }
}

/// A montage. Parse one from its name or a derivation list with [`Montage::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Montage {
    /// Every EEG channel as the file records it (usually referential).
    AsRecorded,
    /// Common average reference over the available 10-20 electrodes.
    CommonAverage,
    /// The 18-channel longitudinal bipolar montage [`DOUBLE_BANANA`].
    DoubleBanana,
    /// The 12-channel neonatal double-distance bipolar montage [`NEONATAL`].
    Neonatal,
    /// A user-defined list of derivations.
    Custom(Vec<DerivationSpec>),
}

impl fmt::Display for Montage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for Montage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Montage> {
        Montage::parse(s)
    }
}

fn parse_electrode(item: &str, input: &str) -> Result<Electrode> {
    Electrode::from_name(item).ok_or_else(|| Error::MontageParse {
        input: input.to_string(),
        reason: format!(
            "`{}` is not one of the 19 10-20 electrodes (Fp1 Fp2 F7 F3 Fz F4 F8 T3/T7 C3 Cz C4 T4/T8 T5/P7 P3 Pz P4 T6/P8 O1 O2)",
            item.trim()
        ),
    })
}

impl Montage {
    /// Parse a montage name (see the module docs; case-insensitive, `_` and spaces read as `-`)
    /// or a comma- or semicolon-separated derivation list such as `Fp1-F7,F7-T3` or
    /// `fp1-f7; f7-t7; Cz; Cz-Avg`.
    ///
    /// ```
    /// use eimfs_signal::montage::{Montage, DerivationSpec};
    /// use eimfs_core::Electrode::*;
    ///
    /// assert_eq!(Montage::parse("Double Banana").unwrap(), Montage::DoubleBanana);
    /// assert_eq!(
    ///     Montage::parse("Fp1-F7, F7-T7").unwrap(),
    ///     Montage::Custom(vec![DerivationSpec::bipolar(Fp1, F7), DerivationSpec::bipolar(F7, T3)])
    /// );
    /// let err = Montage::parse("Fp1-X9").unwrap_err().to_string();
    /// assert!(err.contains("`X9` is not one of the 19 10-20 electrodes"), "{err}");
    /// ```
    pub fn parse(s: &str) -> Result<Montage> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let named = match norm.as_str() {
            "as-recorded" | "asrecorded" | "recorded" | "referential" | "raw" | "none" | "ref" => Some(Montage::AsRecorded),
            "average" | "avg" | "car" | "common-average" | "common-average-reference" => Some(Montage::CommonAverage),
            "double-banana" | "doublebanana" | "banana" | "bipolar" | "lb-18.1" | "lb18" | "longitudinal" | "longitudinal-bipolar" => {
                Some(Montage::DoubleBanana)
            }
            "neonatal" | "neonatal-bipolar" | "double-distance" | "neonatal-double-distance" => Some(Montage::Neonatal),
            _ => None,
        };
        if let Some(m) = named {
            return Ok(m);
        }
        let mut specs = Vec::new();
        for item in s.split([',', ';']) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let spec = match item.split_once('-') {
                None => DerivationSpec { plus: parse_electrode(item, s)?, minus: Minus::Reference },
                Some((a, b)) => {
                    let plus = parse_electrode(a, s)?;
                    let b = b.trim();
                    let minus = match b.to_ascii_lowercase().as_str() {
                        "avg" | "average" | "car" | "ar" | "av" => Minus::Average,
                        "ref" => Minus::Reference,
                        _ => Minus::Electrode(parse_electrode(b, s)?),
                    };
                    if minus == Minus::Electrode(plus) {
                        return Err(Error::MontageParse {
                            input: s.to_string(),
                            reason: format!("`{item}` subtracts an electrode from itself"),
                        });
                    }
                    DerivationSpec { plus, minus }
                }
            };
            specs.push(spec);
        }
        if specs.is_empty() {
            return Err(Error::MontageParse {
                input: s.to_string(),
                reason: "expected a montage name (as-recorded, average, double-banana, neonatal) or a list like `Fp1-F7,F7-T3`".to_string(),
            });
        }
        Ok(Montage::Custom(specs))
    }

    /// Name: `as-recorded`, `average`, `double-banana`, `neonatal`, or the derivation list.
    pub fn name(&self) -> String {
        match self {
            Montage::AsRecorded => "as-recorded".into(),
            Montage::CommonAverage => "average".into(),
            Montage::DoubleBanana => "double-banana".into(),
            Montage::Neonatal => "neonatal".into(),
            Montage::Custom(specs) => specs.iter().map(DerivationSpec::label).collect::<Vec<_>>().join(","),
        }
    }

    /// The fixed derivation list of the bipolar and custom montages (`None` for as-recorded and
    /// average, whose derivations depend on the file).
    pub fn specs(&self) -> Option<Vec<DerivationSpec>> {
        let bip = |l: &[(Electrode, Electrode)]| l.iter().map(|&(a, b)| DerivationSpec::bipolar(a, b)).collect();
        match self {
            Montage::AsRecorded | Montage::CommonAverage => None,
            Montage::DoubleBanana => Some(bip(&DOUBLE_BANANA)),
            Montage::Neonatal => Some(bip(&NEONATAL)),
            Montage::Custom(s) => Some(s.clone()),
        }
    }

    /// Resolve this montage against a file's channels.
    ///
    /// `exclude` lists electrodes to leave out of the common average (flat, disconnected or
    /// noisy); their own derivations are still produced. Fails with
    /// [`Error::MissingElectrode`] if a derivation needs an electrode the file lacks.
    pub fn plan(&self, map: &ChannelMap, exclude: &[Electrode]) -> Result<MontagePlan> {
        let mut b = PlanBuilder { inputs: Vec::new() };
        let mut derivations = Vec::new();
        let mut avg_set: Vec<usize> = Vec::new();
        let montage = self.name();
        let needs_avg = match self {
            Montage::CommonAverage => true,
            Montage::Custom(s) => s.iter().any(|d| d.minus == Minus::Average),
            _ => false,
        };
        if needs_avg {
            for (e, ch) in map.present() {
                if !exclude.contains(&e) {
                    let pos = b.input(ch);
                    avg_set.push(pos);
                }
            }
            if avg_set.is_empty() {
                return Err(Error::NoEeg {
                    montage,
                    what: "10-20 electrode to average (after exclusions)".into(),
                    available: map.labels_list(),
                });
            }
        }
        match self {
            Montage::AsRecorded => {
                for (i, n) in map.names().iter().enumerate() {
                    if n.kind != ChannelKind::Eeg {
                        continue;
                    }
                    let electrodes = match (n.electrode, n.bipolar) {
                        (_, Some((a, c))) => vec![a, c],
                        (Some(e), None) => vec![e],
                        _ => vec![],
                    };
                    let pos = b.input(i);
                    derivations.push(Derivation { label: n.canonical.clone(), electrodes, combination: Combination::Channel(pos) });
                }
                if derivations.is_empty() {
                    return Err(Error::NoEeg { montage, what: "EEG channel".into(), available: map.labels_list() });
                }
            }
            Montage::CommonAverage => {
                for (e, ch) in map.present() {
                    let pos = b.input(ch);
                    derivations.push(Derivation {
                        label: format!("{}-Avg", e.name()),
                        electrodes: vec![e],
                        combination: Combination::MinusAverage(pos),
                    });
                }
            }
            _ => {
                let specs = self.specs().expect("bipolar and custom montages have fixed lists");
                // Collect every missing electrode first so the error names them all.
                let mut missing: Vec<Electrode> = Vec::new();
                let mut needed_by: Vec<String> = Vec::new();
                for spec in &specs {
                    let mut need = vec![spec.plus];
                    // In a pair, the reference electrode of a recording referenced to an
                    // electrode is present: its referential signal is zero.
                    let mut pair = false;
                    if let Minus::Electrode(m) = spec.minus {
                        need.push(m);
                        if map.bipolar_channel(spec.plus, m).is_some() || map.bipolar_channel(m, spec.plus).is_some() {
                            continue;
                        }
                        pair = true;
                    }
                    let has = |e: Electrode| map.channel(e).is_some() || (pair && map.reference_electrode() == Some(e));
                    let absent: Vec<Electrode> = need.into_iter().filter(|e| !has(*e)).collect();
                    if !absent.is_empty() {
                        needed_by.push(spec.label());
                        missing.extend(absent);
                    }
                }
                if !missing.is_empty() {
                    missing.sort_by_key(|e| e.index());
                    missing.dedup();
                    needed_by.dedup();
                    return Err(Error::MissingElectrode {
                        montage,
                        electrode: missing.iter().map(|e| e.name()).collect::<Vec<_>>().join(", "),
                        needed_by: needed_by.join(", "),
                        available: map.labels_list(),
                    });
                }
                for spec in specs {
                    let label = spec.label();
                    let (electrodes, combination) = match spec.minus {
                        Minus::Reference => (vec![spec.plus], Combination::Channel(b.input(map.channel(spec.plus).unwrap()))),
                        Minus::Average => (vec![spec.plus], Combination::MinusAverage(b.input(map.channel(spec.plus).unwrap()))),
                        Minus::Electrode(m) => {
                            let r = map.reference_electrode();
                            let c = match (map.channel(spec.plus), map.channel(m)) {
                                (Some(p), Some(q)) => Combination::Difference(b.input(p), b.input(q)),
                                (Some(p), None) if r == Some(m) => Combination::Channel(b.input(p)),
                                (None, Some(q)) if r == Some(spec.plus) => Combination::Negated(b.input(q)),
                                _ => match map.bipolar_channel(spec.plus, m) {
                                    Some(ch) => Combination::Channel(b.input(ch)),
                                    None => Combination::Negated(
                                        b.input(map.bipolar_channel(m, spec.plus).expect("checked above: the reversed pair is recorded")),
                                    ),
                                },
                            };
                            (vec![spec.plus, m], c)
                        }
                    };
                    derivations.push(Derivation { label, electrodes, combination });
                }
            }
        }
        Ok(MontagePlan { montage, inputs: b.inputs, derivations, average: avg_set })
    }

    /// Resolve this montage against a list of channel labels (an EDF header): shorthand for
    /// [`ChannelMap::from_labels`] then [`Montage::plan`].
    pub fn plan_for_labels<S: AsRef<str>>(&self, labels: &[S], exclude: &[Electrode]) -> Result<MontagePlan> {
        self.plan(&ChannelMap::from_labels(labels)?, exclude)
    }

    /// Apply this montage to a whole recording.
    ///
    /// The output has one signal per derivation (unit, rate, transducer and prefilter of the
    /// derivation's first input channel), then, if `options.keep_non_eeg`, the recording's
    /// non-EEG signals (ECG, respiration…) unchanged. Start time, identification fields and
    /// annotations are copied. All input channels of the montage must share sampling rate and
    /// length.
    ///
    /// ```
    /// use eimfs_core::{Recording, Signal};
    /// use eimfs_signal::montage::{ApplyOptions, Montage};
    ///
    /// let mut rec = Recording::default();
    /// rec.signals.push(Signal::new("EEG Fp1-Ref", "uV", 256.0, vec![10.0, 20.0]));
    /// rec.signals.push(Signal::new("EEG F7-Ref", "uV", 256.0, vec![1.0, 2.0]));
    /// let out = Montage::parse("Fp1-F7").unwrap().apply(&rec, &ApplyOptions::default()).unwrap();
    /// assert_eq!(out.signals[0].label, "Fp1-F7");
    /// assert_eq!(out.signals[0].samples, vec![9.0, 18.0]);
    /// ```
    pub fn apply(&self, rec: &Recording, options: &ApplyOptions) -> Result<Recording> {
        let labels: Vec<&str> = rec.signals.iter().map(|s| s.label.as_str()).collect();
        let map = ChannelMap::from_labels(&labels)?;
        let plan = self.plan(&map, &options.exclude)?;
        // The rate and length most input channels share; the first channel that differs is named.
        let mode = |key: &dyn Fn(&Signal) -> String| -> (String, usize) {
            let mut counts: Vec<(String, usize, usize)> = Vec::new(); // (value, count, first input)
            for &i in &plan.inputs {
                let k = key(&rec.signals[i]);
                match counts.iter_mut().find(|c| c.0 == k) {
                    Some(c) => c.1 += 1,
                    None => counts.push((k, 1, i)),
                }
            }
            let best = counts.iter().max_by_key(|c| (c.1, std::cmp::Reverse(c.2))).expect("a plan has inputs");
            (best.0.clone(), best.2)
        };
        for (what, key) in [
            ("sampling rate", &(|s: &Signal| format!("{} Hz", s.fs)) as &dyn Fn(&Signal) -> String),
            ("length", &|s: &Signal| format!("{} samples", s.samples.len())),
        ] {
            let (expected, like) = mode(key);
            if let Some(&i) = plan.inputs.iter().find(|&&i| key(&rec.signals[i]) != expected) {
                return Err(Error::ChannelMismatch {
                    label: rec.signals[i].label.trim().to_string(),
                    what,
                    found: key(&rec.signals[i]),
                    expected: format!("{expected} (as {})", rec.signals[like].label.trim()),
                });
            }
        }
        let inputs: Vec<&[f32]> = plan.inputs.iter().map(|&i| rec.signals[i].samples.as_slice()).collect();
        let mut outputs: Vec<Vec<f32>> = vec![Vec::new(); plan.derivations.len()];
        plan.apply_chunk(&inputs, &mut outputs)?;
        let mut signals = Vec::with_capacity(outputs.len());
        for (d, samples) in plan.derivations.iter().zip(outputs) {
            let src = &rec.signals[plan.inputs[d.combination.first_input()]];
            signals.push(Signal {
                label: d.label.clone(),
                unit: src.unit.clone(),
                fs: src.fs,
                samples,
                transducer: src.transducer.clone(),
                prefilter: src.prefilter.clone(),
            });
        }
        if options.keep_non_eeg {
            for (s, n) in rec.signals.iter().zip(map.names()) {
                if !matches!(n.kind, ChannelKind::Eeg | ChannelKind::Annotations) {
                    signals.push(s.clone());
                }
            }
        }
        Ok(Recording {
            start: rec.start,
            patient: rec.patient.clone(),
            recording: rec.recording.clone(),
            signals,
            annotations: rec.annotations.clone(),
        })
    }
}

/// Options of [`Montage::apply`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplyOptions {
    /// Electrodes left out of the common average.
    pub exclude: Vec<Electrode>,
    /// Append the non-EEG signals (ECG, respiration, EOG…) after the derivations.
    pub keep_non_eeg: bool,
}

struct PlanBuilder {
    inputs: Vec<usize>,
}

impl PlanBuilder {
    /// Position of file channel `ch` among the plan's inputs (added if new).
    fn input(&mut self, ch: usize) -> usize {
        match self.inputs.iter().position(|&c| c == ch) {
            Some(p) => p,
            None => {
                self.inputs.push(ch);
                self.inputs.len() - 1
            }
        }
    }
}

/// How a derivation is computed from the plan's inputs (positions in [`MontagePlan::inputs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Combination {
    /// One input as is.
    Channel(usize),
    /// One input negated (a recorded bipolar channel in the reverse direction).
    Negated(usize),
    /// First input minus second.
    Difference(usize, usize),
    /// The input minus the common average of [`MontagePlan::average_inputs`].
    MinusAverage(usize),
}

impl Combination {
    fn first_input(&self) -> usize {
        match *self {
            Combination::Channel(p) | Combination::Negated(p) | Combination::Difference(p, _) | Combination::MinusAverage(p) => p,
        }
    }
}

/// One output derivation of a resolved montage.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivation {
    /// Label, e.g. `Fp1-F7`, `Cz-Avg`, `Fp1` (as recorded).
    pub label: String,
    /// The 10-20 electrodes it involves (input 1 first), for mapping to regions. Empty for
    /// as-recorded channels of other sites (`Fpz`, `A1`).
    pub electrodes: Vec<Electrode>,
    /// How it is computed.
    pub combination: Combination,
}

/// A montage resolved against a file: which channels to read and how to combine them.
#[derive(Clone, Debug, PartialEq)]
pub struct MontagePlan {
    montage: String,
    inputs: Vec<usize>,
    derivations: Vec<Derivation>,
    average: Vec<usize>,
}

impl MontagePlan {
    /// Name of the montage.
    pub fn montage(&self) -> &str {
        &self.montage
    }

    /// The file channel indices to read, in the order [`MontagePlan::apply_chunk`] expects them.
    pub fn inputs(&self) -> &[usize] {
        &self.inputs
    }

    /// Output derivations, in order.
    pub fn derivations(&self) -> &[Derivation] {
        &self.derivations
    }

    /// Output labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.derivations.iter().map(|d| d.label.clone()).collect()
    }

    /// Positions (in [`MontagePlan::inputs`]) of the channels averaged for the common average
    /// (empty if the montage uses none).
    pub fn average_inputs(&self) -> &[usize] {
        &self.average
    }

    /// Compute the derivations for one chunk.
    ///
    /// `inputs[i]` holds the samples of file channel `self.inputs()[i]`; all must have the same
    /// length. `outputs` must have one vector per derivation; each is cleared and filled with
    /// that many samples (allocation is reused between chunks).
    pub fn apply_chunk(&self, inputs: &[&[f32]], outputs: &mut [Vec<f32>]) -> Result<()> {
        let n = self.check_inputs(inputs)?;
        if outputs.len() != self.derivations.len() {
            return Err(Error::BufferShape(format!(
                "montage {}: {} output buffers given, {} derivations",
                self.montage,
                outputs.len(),
                self.derivations.len()
            )));
        }
        for o in outputs.iter_mut() {
            o.clear();
            o.resize(n, 0.0);
        }
        let mut views: Vec<&mut [f32]> = outputs.iter_mut().map(|v| v.as_mut_slice()).collect();
        self.compute(inputs, &mut views, n);
        Ok(())
    }

    /// Like [`MontagePlan::apply_chunk`] but into caller-provided slices, each exactly as long
    /// as the inputs.
    pub fn apply_chunk_into(&self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) -> Result<()> {
        let n = self.check_inputs(inputs)?;
        if outputs.len() != self.derivations.len() || outputs.iter().any(|o| o.len() != n) {
            return Err(Error::BufferShape(format!(
                "montage {}: need {} output slices of {} samples, got {} slices of lengths {:?}",
                self.montage,
                self.derivations.len(),
                n,
                outputs.len(),
                outputs.iter().map(|o| o.len()).collect::<Vec<_>>()
            )));
        }
        self.compute(inputs, outputs, n);
        Ok(())
    }

    fn check_inputs(&self, inputs: &[&[f32]]) -> Result<usize> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::BufferShape(format!(
                "montage {}: {} input channels given, the plan reads {} (file channels {:?})",
                self.montage,
                inputs.len(),
                self.inputs.len(),
                self.inputs
            )));
        }
        let n = inputs.first().map_or(0, |x| x.len());
        if let Some((i, x)) = inputs.iter().enumerate().find(|(_, x)| x.len() != n) {
            return Err(Error::BufferShape(format!(
                "montage {}: input {} (file channel {}) has {} samples, input 0 has {}",
                self.montage,
                i,
                self.inputs[i],
                x.len(),
                n
            )));
        }
        Ok(n)
    }

    fn compute(&self, inputs: &[&[f32]], outputs: &mut [&mut [f32]], n: usize) {
        let mut avg: Vec<f32> = Vec::new();
        if !self.average.is_empty() {
            let mut acc = vec![0.0f64; n];
            for &p in &self.average {
                for (a, &x) in acc.iter_mut().zip(inputs[p]) {
                    *a += x as f64;
                }
            }
            let k = self.average.len() as f64;
            avg = acc.into_iter().map(|a| (a / k) as f32).collect();
        }
        for (d, out) in self.derivations.iter().zip(outputs.iter_mut()) {
            match d.combination {
                Combination::Channel(p) => out.copy_from_slice(inputs[p]),
                Combination::Negated(p) => {
                    for (o, &x) in out.iter_mut().zip(inputs[p]) {
                        *o = -x;
                    }
                }
                Combination::Difference(p, q) => {
                    for ((o, &x), &y) in out.iter_mut().zip(inputs[p]).zip(inputs[q]) {
                        *o = x - y;
                    }
                }
                Combination::MinusAverage(p) => {
                    for ((o, &x), &m) in out.iter_mut().zip(inputs[p]).zip(&avg) {
                        *o = x - m;
                    }
                }
            }
        }
    }
}
