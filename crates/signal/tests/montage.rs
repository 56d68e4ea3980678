//! Montages: derivation lists, application to a synthetic recording with known values, chunked
//! application, and the errors for missing electrodes.

use eimfs_core::Electrode::{self, *};
use eimfs_core::{Annotation, Recording, Signal};
use eimfs_signal::Error;
use eimfs_signal::montage::{ApplyOptions, Combination, DOUBLE_BANANA, DerivationSpec, Minus, Montage, NEONATAL};
use eimfs_signal::names::ChannelMap;

const N: usize = 64;

/// Known value of electrode `e` at sample `t`: distinct per electrode, varying in time.
fn value(e: Electrode, t: usize) -> f32 {
    (e.index() as f32 + 1.0) * 100.0 + (t as f32) * 0.5 - (t % 3) as f32 * 7.0
}

/// A recording in a scrambled order with Helsinki-style labels, modern names for T3..T6, plus
/// ECG and respiration.
fn recording(skip: &[Electrode]) -> Recording {
    let mut rec = Recording::default();
    let order = [O2, Fp1, T4, Cz, F7, C3, P4, T5, Fz, O1, F3, T6, Fp2, C4, P3, Pz, T3, F8, F4];
    for e in order {
        if skip.contains(&e) {
            continue;
        }
        let label = format!("EEG {}-REF", e.modern_name().to_uppercase());
        let mut s = Signal::new(label, "uV", 256.0, (0..N).map(|t| value(e, t)).collect());
        s.prefilter = "HP:0.1Hz".into();
        rec.signals.push(s);
        if e == Cz {
            rec.signals.push(Signal::new("ECG EKG-REF", "mV", 256.0, vec![1.0; N]));
        }
    }
    rec.signals.push(Signal::new("Resp Effort-REF", "uV", 256.0, vec![2.0; N]));
    rec.annotations.push(Annotation { onset: 1.0, duration: Some(2.0), text: "sz".into(), channel: None });
    rec.patient = "X F 01-JAN-2020 Baby".into();
    rec
}

#[test]
fn standard_derivation_lists() {
    let labels = |l: &[(Electrode, Electrode)]| l.iter().map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>().join(",");
    assert_eq!(
        labels(&DOUBLE_BANANA),
        "Fp1-F7,F7-T3,T3-T5,T5-O1,Fp1-F3,F3-C3,C3-P3,P3-O1,Fz-Cz,Cz-Pz,Fp2-F4,F4-C4,C4-P4,P4-O2,Fp2-F8,F8-T4,T4-T6,T6-O2"
    );
    assert_eq!(labels(&NEONATAL), "Fp1-C3,C3-O1,Fp1-T3,T3-O1,Fp2-C4,C4-O2,Fp2-T4,T4-O2,T3-C3,C3-Cz,Cz-C4,C4-T4");
    // Every double-banana pair joins neighbours; every electrode but the chain ends appears twice.
    for e in Electrode::ALL {
        let n = DOUBLE_BANANA.iter().filter(|(a, b)| *a == e || *b == e).count();
        let expect = match e {
            Fp1 | Fp2 | O1 | O2 => 2,
            Fz | Pz => 1,
            _ => 2,
        };
        assert_eq!(n, expect, "{e}");
        assert!(DOUBLE_BANANA.iter().all(|(a, b)| a.angle_to(*b) < 0.85), "neighbours only");
    }
    // The neonatal montage uses the nine electrodes of the reduced neonatal array.
    let mut used: Vec<Electrode> = NEONATAL.iter().flat_map(|(a, b)| [*a, *b]).collect();
    used.sort();
    used.dedup();
    assert_eq!(used, vec![Fp1, Fp2, T3, C3, Cz, C4, T4, O1, O2]);
}

#[test]
fn parse_names_and_lists() {
    for (s, m) in [
        ("as-recorded", Montage::AsRecorded),
        ("Referential", Montage::AsRecorded),
        ("average", Montage::CommonAverage),
        ("CAR", Montage::CommonAverage),
        ("double banana", Montage::DoubleBanana),
        ("double_banana", Montage::DoubleBanana),
        ("LB-18.1", Montage::DoubleBanana),
        ("bipolar", Montage::DoubleBanana),
        ("neonatal", Montage::Neonatal),
        ("Double-Distance", Montage::Neonatal),
    ] {
        assert_eq!(Montage::parse(s).unwrap(), m, "{s}");
        assert_eq!(s.parse::<Montage>().unwrap(), m);
    }
    let m = Montage::parse(" fp1-f7 ; F7-T7, T7-P7,Cz, Cz-Avg ,C3-REF").unwrap();
    assert_eq!(
        m,
        Montage::Custom(vec![
            DerivationSpec::bipolar(Fp1, F7),
            DerivationSpec::bipolar(F7, T3),
            DerivationSpec::bipolar(T3, T5),
            DerivationSpec { plus: Cz, minus: Minus::Reference },
            DerivationSpec { plus: Cz, minus: Minus::Average },
            DerivationSpec { plus: C3, minus: Minus::Reference },
        ])
    );
    assert_eq!(m.name(), "Fp1-F7,F7-T3,T3-T5,Cz,Cz-Avg,C3");
    assert_eq!(Montage::DoubleBanana.specs().unwrap().len(), 18);
    assert_eq!(Montage::Neonatal.specs().unwrap().len(), 12);
    assert_eq!(Montage::CommonAverage.specs(), None);

    let err = Montage::parse("Fp1-F7,F7-Q3").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot parse montage `Fp1-F7,F7-Q3`: `Q3` is not one of the 19 10-20 electrodes (Fp1 Fp2 F7 F3 Fz F4 F8 T3/T7 C3 Cz C4 T4/T8 T5/P7 P3 Pz P4 T6/P8 O1 O2)"
    );
    let err = Montage::parse("Cz-cz").unwrap_err().to_string();
    assert_eq!(err, "cannot parse montage `Cz-cz`: `Cz-cz` subtracts an electrode from itself");
    let err = Montage::parse(" , ").unwrap_err().to_string();
    assert!(err.contains("expected a montage name"), "{err}");
}

fn signal<'a>(rec: &'a Recording, label: &str) -> &'a [f32] {
    &rec.signal(label).unwrap_or_else(|| panic!("no {label} in {:?}", rec.signals.iter().map(|s| &s.label).collect::<Vec<_>>())).samples
}

#[test]
fn bipolar_montages_on_known_values() {
    let rec = recording(&[]);
    for (montage, list) in [(Montage::DoubleBanana, &DOUBLE_BANANA[..]), (Montage::Neonatal, &NEONATAL[..])] {
        let out = montage.apply(&rec, &ApplyOptions::default()).unwrap();
        assert_eq!(out.signals.len(), list.len());
        assert_eq!(out.annotations, rec.annotations);
        assert_eq!(out.patient, rec.patient);
        for (s, &(a, b)) in out.signals.iter().zip(list) {
            assert_eq!(s.label, format!("{a}-{b}"));
            assert_eq!((s.fs, s.unit.as_str(), s.prefilter.as_str()), (256.0, "uV", "HP:0.1Hz"));
            let want: Vec<f32> = (0..N).map(|t| value(a, t) - value(b, t)).collect();
            assert_eq!(s.samples, want, "{}", s.label);
        }
    }
    // The difference is exact: e.g. Fp1 (index 0) − F7 (index 2) = −200 µV at every sample.
    let out = Montage::DoubleBanana.apply(&rec, &ApplyOptions::default()).unwrap();
    assert!(signal(&out, "Fp1-F7").iter().all(|&v| v == -200.0));
    assert!(signal(&out, "T6-O2").iter().all(|&v| v == (17.0 - 19.0) * 100.0));
}

#[test]
fn common_average_with_exclusions() {
    let rec = recording(&[]);
    let out = Montage::CommonAverage.apply(&rec, &ApplyOptions::default()).unwrap();
    assert_eq!(out.signals.len(), 19);
    for (s, e) in out.signals.iter().zip(Electrode::ALL) {
        assert_eq!(s.label, format!("{e}-Avg"));
        for t in 0..N {
            let mean = Electrode::ALL.iter().map(|&x| value(x, t) as f64).sum::<f64>() / 19.0;
            assert!((s.samples[t] as f64 - (value(e, t) as f64 - mean)).abs() < 1e-3, "{} t={t}", s.label);
        }
    }
    // Every sample sums to zero across the 19 derivations.
    for t in 0..N {
        let sum: f64 = out.signals.iter().map(|s| s.samples[t] as f64).sum();
        assert!(sum.abs() < 1e-2, "t={t}: {sum}");
    }
    // Excluding Cz and O2 from the mean (and missing T6 in the file): the other 16 average.
    let rec = recording(&[T6]);
    let opts = ApplyOptions { exclude: vec![Cz, O2], keep_non_eeg: true };
    let out = Montage::CommonAverage.apply(&rec, &opts).unwrap();
    let kept: Vec<Electrode> = Electrode::ALL.into_iter().filter(|e| ![Cz, O2, T6].contains(e)).collect();
    assert_eq!(kept.len(), 16);
    let labels: Vec<&str> = out.signals.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 18 + 2);
    assert_eq!(&labels[18..], &["ECG EKG-REF", "Resp Effort-REF"]);
    assert!(!labels.contains(&"T6-Avg"));
    for t in [0, 17, 63] {
        let mean = kept.iter().map(|&x| value(x, t) as f64).sum::<f64>() / 16.0;
        let got = signal(&out, "Cz-Avg")[t] as f64;
        assert!((got - (value(Cz, t) as f64 - mean)).abs() < 1e-3, "Cz-Avg t={t}: {got}");
        let got = signal(&out, "Fp1-Avg")[t] as f64;
        assert!((got - (value(Fp1, t) as f64 - mean)).abs() < 1e-3);
    }
    let plan =
        Montage::CommonAverage.plan_for_labels(&rec.signals.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(), &[Cz, O2]).unwrap();
    assert_eq!(plan.average_inputs().len(), 16);
}

#[test]
fn as_recorded_and_custom() {
    let rec = recording(&[]);
    let out = Montage::AsRecorded.apply(&rec, &ApplyOptions::default()).unwrap();
    assert_eq!(out.signals.len(), 19);
    assert_eq!(out.signals[0].label, "O2");
    assert_eq!(out.signals[2].label, "T4"); // written T8 in the file
    assert_eq!(out.signals[2].samples, rec.signals[2].samples);

    // Modern names accepted in the list; labels use the classic names.
    let m = Montage::parse("Fp1-F7,F7-T7,T7-P7,P7-O1,Cz,Cz-Avg").unwrap();
    let out = m.apply(&rec, &ApplyOptions::default()).unwrap();
    let labels: Vec<&str> = out.signals.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["Fp1-F7", "F7-T3", "T3-T5", "T5-O1", "Cz", "Cz-Avg"]);
    assert_eq!(out.signals[2].samples[5], value(T3, 5) - value(T5, 5));
    assert_eq!(out.signals[4].samples, (0..N).map(|t| value(Cz, t)).collect::<Vec<_>>());
    let plan = m.plan_for_labels(&rec.signals.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(), &[]).unwrap();
    let d = &plan.derivations()[1];
    assert_eq!(d.electrodes, vec![F7, T3]);
    assert_eq!(d.electrodes.iter().map(|e| e.region().code()).collect::<Vec<_>>(), ["L-frontal", "L-temporal"]);
}

#[test]
fn missing_electrode_is_named_with_the_available_labels() {
    let rec = recording(&[T3]);
    let err = Montage::DoubleBanana.apply(&rec, &ApplyOptions::default()).unwrap_err();
    let available = rec.signals.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ");
    assert_eq!(
        err,
        Error::MissingElectrode {
            montage: "double-banana".into(),
            electrode: "T3".into(),
            needed_by: "F7-T3, T3-T5".into(),
            available: available.clone(),
        }
    );
    assert_eq!(
        err.to_string(),
        format!("montage double-banana: missing electrode(s) T3 (needed by F7-T3, T3-T5); available channels: {available}")
    );
    let err = Montage::Neonatal.apply(&recording(&[T3, Cz]), &ApplyOptions::default()).unwrap_err().to_string();
    assert!(err.starts_with("montage neonatal: missing electrode(s) T3, Cz (needed by Fp1-T3, T3-O1, T3-C3, C3-Cz, Cz-C4)"), "{err}");
    let err = Montage::parse("Fp1-F7,O1-T6").unwrap().apply(&recording(&[T6]), &ApplyOptions::default()).unwrap_err().to_string();
    assert!(
        err.starts_with("montage Fp1-F7,O1-T6: missing electrode(s) T6 (needed by O1-T6); available channels: EEG P8-REF")
            || err.contains("missing electrode(s) T6 (needed by O1-T6)"),
        "{err}"
    );
    // A file with no EEG at all.
    let err = Montage::CommonAverage.plan(&ChannelMap::from_labels(&["ECG EKG"]).unwrap(), &[]).unwrap_err().to_string();
    assert_eq!(err, "montage average: the recording has no 10-20 electrode to average (after exclusions); available channels: ECG EKG");
}

#[test]
fn bipolar_channels_already_recorded_are_used() {
    // A CHB-MIT-style file: bipolar channels only, one recorded in the reverse direction.
    let mut rec = Recording::default();
    for (i, &(a, b)) in DOUBLE_BANANA.iter().enumerate() {
        let (label, sign) = if i == 3 {
            (format!("{}-{}", b.modern_name().to_uppercase(), a.modern_name().to_uppercase()), -1.0)
        } else {
            (format!("{}-{}", a.modern_name().to_uppercase(), b.modern_name().to_uppercase()), 1.0)
        };
        rec.signals.push(Signal::new(label, "uV", 256.0, (0..N).map(|t| sign * (value(a, t) - value(b, t))).collect()));
    }
    let map = ChannelMap::from_labels(&rec.signals.iter().map(|s| s.label.as_str()).collect::<Vec<_>>()).unwrap();
    assert!(map.present().is_empty());
    let plan = Montage::DoubleBanana.plan(&map, &[]).unwrap();
    assert_eq!(plan.derivations()[0].combination, Combination::Channel(0));
    assert_eq!(plan.derivations()[3].combination, Combination::Negated(3));
    let out = Montage::DoubleBanana.apply(&rec, &ApplyOptions::default()).unwrap();
    for (s, &(a, b)) in out.signals.iter().zip(&DOUBLE_BANANA) {
        assert_eq!(s.samples, (0..N).map(|t| value(a, t) - value(b, t)).collect::<Vec<_>>(), "{}", s.label);
    }
    // As recorded keeps the file's bipolar channels, with canonical labels.
    let out = Montage::AsRecorded.apply(&rec, &ApplyOptions::default()).unwrap();
    assert_eq!(out.signals[3].label, "O1-T5");
    // The neonatal montage cannot be built from these channels.
    let err = Montage::Neonatal.plan(&map, &[]).unwrap_err().to_string();
    assert!(err.starts_with("montage neonatal: missing electrode(s) Fp1, Fp2, T3, C3, Cz, C4, T4, O1, O2 (needed by Fp1-C3, C3-O1, Fp1-T3, T3-O1, Fp2-C4, C4-O2, Fp2-T4, T4-O2, T3-C3, C3-Cz, Cz-C4, C4-T4); available channels: FP1-F7, F7-T7"), "{err}");
}

#[test]
fn chunked_application_equals_whole() {
    let rec = recording(&[]);
    let labels: Vec<&str> = rec.signals.iter().map(|s| s.label.as_str()).collect();
    for m in [Montage::DoubleBanana, Montage::Neonatal, Montage::CommonAverage, Montage::AsRecorded] {
        let whole = m.apply(&rec, &ApplyOptions::default()).unwrap();
        let plan = m.plan_for_labels(&labels, &[]).unwrap();
        assert_eq!(plan.labels(), whole.signals.iter().map(|s| s.label.clone()).collect::<Vec<_>>());
        // Only EEG channels are read.
        assert!(plan.inputs().iter().all(|&i| labels[i].starts_with("EEG")));
        let mut outputs = vec![Vec::new(); plan.derivations().len()];
        let mut joined = vec![Vec::new(); plan.derivations().len()];
        for start in (0..N).step_by(10) {
            let end = (start + 10).min(N);
            let inputs: Vec<&[f32]> = plan.inputs().iter().map(|&i| &rec.signals[i].samples[start..end]).collect();
            plan.apply_chunk(&inputs, &mut outputs).unwrap();
            for (j, o) in joined.iter_mut().zip(&outputs) {
                j.extend_from_slice(o);
            }
        }
        for (j, s) in joined.iter().zip(&whole.signals) {
            assert_eq!(j, &s.samples, "{m}: {}", s.label);
        }
        // Into caller slices.
        let inputs: Vec<&[f32]> = plan.inputs().iter().map(|&i| &rec.signals[i].samples[..5]).collect();
        let mut store = vec![[0.0f32; 5]; plan.derivations().len()];
        let mut views: Vec<&mut [f32]> = store.iter_mut().map(|a| &mut a[..]).collect();
        plan.apply_chunk_into(&inputs, &mut views).unwrap();
        assert_eq!(&store[0][..], &whole.signals[0].samples[..5]);
    }
    // Shape errors.
    let plan = Montage::DoubleBanana.plan_for_labels(&labels, &[]).unwrap();
    let x = [0.0f32; 4];
    let err = plan.apply_chunk(&[&x[..]], &mut vec![Vec::new(); 18]).unwrap_err().to_string();
    assert_eq!(
        err,
        format!("buffer shape: montage double-banana: 1 input channels given, the plan reads 19 (file channels {:?})", plan.inputs())
    );
}

#[test]
fn rate_and_length_mismatch_is_an_error() {
    let mut rec = recording(&[]);
    rec.signals[1].fs = 512.0; // EEG FP1-REF
    let err = Montage::DoubleBanana.apply(&rec, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(err.starts_with("channel EEG FP1-REF: sampling rate is 512 Hz, expected 256 Hz"), "{err}");
    let mut rec = recording(&[]);
    rec.signals[1].samples.pop();
    let err = Montage::Neonatal.apply(&rec, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(err.starts_with("channel EEG FP1-REF: length is 63 samples, expected 64 samples"), "{err}");
}

#[test]
fn as_recorded_without_eeg_is_an_error() {
    let map = ChannelMap::from_labels(&["ECG EKG", "Resp Effort", "EDF Annotations"]).unwrap();
    let err = Montage::AsRecorded.plan(&map, &[]).unwrap_err().to_string();
    assert_eq!(err, "montage as-recorded: the recording has no EEG channel; available channels: ECG EKG, Resp Effort, EDF Annotations");
    // Other EEG sites are passed through as recorded, with no 10-20 electrode attached.
    let map = ChannelMap::from_labels(&["EEG Fpz-Ref", "EEG Cz-Ref", "ECG EKG"]).unwrap();
    let plan = Montage::AsRecorded.plan(&map, &[]).unwrap();
    assert_eq!(plan.labels(), ["Fpz", "Cz"]);
    assert_eq!(plan.inputs(), &[0, 1]);
    assert!(plan.derivations()[0].electrodes.is_empty());
    assert_eq!(plan.derivations()[1].electrodes, vec![Cz]);
}

#[test]
fn recordings_referenced_to_an_electrode() {
    // The same EEG written as `EEG X-Cz` (18 channels, Cz the reference, plus ECG): read as
    // referential channels to Cz, and every montage gives what it gives on the referential file
    // whose Cz is zero.
    let mut cz_ref = Recording::default();
    let mut zero_cz = Recording::default();
    for e in Electrode::ALL {
        let x: Vec<f32> = (0..N).map(|t| if e == Cz { 0.0 } else { value(e, t) - value(Cz, t) }).collect();
        if e != Cz {
            cz_ref.signals.push(Signal::new(format!("EEG {}-Cz", e.modern_name()), "uV", 256.0, x.clone()));
        }
        zero_cz.signals.push(Signal::new(format!("EEG {e}-Ref"), "uV", 256.0, x));
    }
    cz_ref.signals.push(Signal::new("ECG EKG", "mV", 256.0, vec![1.0; N]));
    let labels: Vec<&str> = cz_ref.signals.iter().map(|s| s.label.as_str()).collect();
    let map = ChannelMap::from_labels(&labels).unwrap();
    assert_eq!(map.reference_electrode(), Some(Cz));
    assert_eq!(map.common_reference(), Some("Cz"));
    assert_eq!((map.channel(Fp1), map.channel(T3), map.channel(Cz)), (Some(0), Some(7), None));
    assert_eq!(map.names()[0].canonical, "Fp1");
    let opts = ApplyOptions { exclude: vec![Cz], keep_non_eeg: false };
    for montage in [Montage::DoubleBanana, Montage::Neonatal, Montage::parse("Fp1-Cz,Cz-O2,Cz,Fp1-Avg").unwrap()] {
        if montage == Montage::parse("Fp1-Cz,Cz-O2,Cz,Fp1-Avg").unwrap() {
            // A montage naming the reference on its own needs a channel for it.
            let err = montage.apply(&cz_ref, &opts).unwrap_err();
            assert!(matches!(&err, Error::MissingElectrode { electrode, .. } if electrode == "Cz"), "{err}");
            let ok = Montage::parse("Fp1-Cz,Cz-O2,Fp1-Avg").unwrap();
            let a = ok.apply(&cz_ref, &opts).unwrap();
            let b = ok.apply(&zero_cz, &opts).unwrap();
            assert_eq!(a.signals, b.signals);
            continue;
        }
        let a = montage.apply(&cz_ref, &opts).unwrap();
        let b = montage.apply(&zero_cz, &opts).unwrap();
        assert_eq!(a.signals.len(), b.signals.len());
        for (x, y) in a.signals.iter().zip(&b.signals) {
            assert_eq!((&x.label, &x.samples), (&y.label, &y.samples));
        }
    }
    // The common average leaves out the reference electrode, as it leaves out a flat one.
    let a = Montage::CommonAverage.apply(&cz_ref, &ApplyOptions::default()).unwrap();
    let b = Montage::CommonAverage.apply(&zero_cz, &opts).unwrap();
    assert_eq!(a.signals.len(), 18);
    let b: Vec<&Signal> = b.signals.iter().filter(|s| s.label != "Cz-Avg").collect();
    for (x, y) in a.signals.iter().zip(b) {
        assert_eq!((&x.label, &x.samples), (&y.label, &y.samples));
    }
    // Pairs that do not share one second electrode stay bipolar; so do three pairs to Cz.
    let map = ChannelMap::from_labels(&["C3-Cz", "Cz-C4", "Fp1-T3", "T3-O1"]).unwrap();
    assert_eq!((map.reference_electrode(), map.bipolar_channel(C3, Cz)), (None, Some(0)));
    let map = ChannelMap::from_labels(&["C3-Cz", "C4-Cz", "O1-Cz"]).unwrap();
    assert_eq!((map.reference_electrode(), map.channel(C3)), (None, None));
    // A referential channel among them: the pairs are pairs.
    let map = ChannelMap::from_labels(&["EEG Fp1-Cz", "EEG F3-Cz", "EEG C3-Cz", "EEG O1-Cz", "EEG T3-Ref"]).unwrap();
    assert_eq!((map.reference_electrode(), map.channel(Fp1), map.channel(T3)), (None, None, Some(4)));
}
