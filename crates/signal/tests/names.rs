//! Channel label normalisation: the issue's examples, every label of the 16 Helsinki clips, and
//! the electrode picker.

use std::path::PathBuf;

use eimfs_core::Electrode::{self, *};
use eimfs_signal::Error;
use eimfs_signal::names::{ChannelKind, ChannelMap, ChannelName, microvolts_per_unit, site_name};

/// (label, kind, electrode, site, reference, bipolar, canonical)
type Row = (
    &'static str,
    ChannelKind,
    Option<Electrode>,
    Option<&'static str>,
    Option<&'static str>,
    Option<(Electrode, Electrode)>,
    &'static str,
);

#[test]
fn issue_examples() {
    use ChannelKind::*;
    let rows: &[Row] = &[
        ("EEG Fp1-Ref", Eeg, Some(Fp1), Some("Fp1"), Some("Ref"), None, "Fp1"),
        ("EEG FP1-REF", Eeg, Some(Fp1), Some("Fp1"), Some("Ref"), None, "Fp1"),
        ("Fp1", Eeg, Some(Fp1), Some("Fp1"), None, None, "Fp1"),
        ("fp1", Eeg, Some(Fp1), Some("Fp1"), None, None, "Fp1"),
        ("EEG T3-LE", Eeg, Some(T3), Some("T3"), Some("LE"), None, "T3"),
        ("EEG Fp1-A1", Eeg, Some(Fp1), Some("Fp1"), Some("A1"), None, "Fp1"),
        ("FP1-F7", Eeg, None, Some("Fp1"), None, Some((Fp1, F7)), "Fp1-F7"),
        ("T7-P7", Eeg, None, Some("T3"), None, Some((T3, T5)), "T3-T5"),
        ("EEG T7-Avg", Eeg, Some(T3), Some("T3"), Some("Avg"), None, "T3"),
        ("EEG T8-AVG", Eeg, Some(T4), Some("T4"), Some("Avg"), None, "T4"),
        ("EEG P7-REF", Eeg, Some(T5), Some("T5"), Some("Ref"), None, "T5"),
        ("EEG p8-ref", Eeg, Some(T6), Some("T6"), Some("Ref"), None, "T6"),
        ("EEG CZ-AR", Eeg, Some(Cz), Some("Cz"), Some("Avg"), None, "Cz"),
        ("ECG EKG-REF", Ecg, None, Some("EKG"), Some("Ref"), None, "ECG EKG"),
        ("ECG EKG", Ecg, None, Some("EKG"), None, None, "ECG EKG"),
        ("EKG", Ecg, None, None, None, None, "ECG"),
        ("EEG EKG1-REF", Ecg, None, Some("EKG1"), Some("Ref"), None, "ECG EKG1"),
        ("Resp Effort", Respiration, None, Some("Effort"), None, None, "Resp Effort"),
        ("Resp Effort-REF", Respiration, None, Some("Effort"), Some("Ref"), None, "Resp Effort"),
        ("EMG", Emg, None, None, None, None, "EMG"),
        ("EMG Chin", Emg, None, Some("Chin"), None, None, "EMG Chin"),
        ("EOG ROC-A2", Eog, None, Some("ROC"), Some("A2"), None, "EOG ROC"),
        ("EEG LOC-REF", Eog, None, Some("LOC"), Some("Ref"), None, "EOG LOC"),
        ("Photic", Photic, None, None, None, None, "Photic"),
        ("EEG PHOTIC-REF", Photic, None, Some("PHOTIC"), Some("Ref"), None, "Photic"),
        ("SpO2", Oximetry, None, None, None, None, "SpO2"),
        ("EDF Annotations", Annotations, None, None, None, None, "EDF Annotations"),
        ("BDF Annotations ", Annotations, None, None, None, None, "BDF Annotations"),
        // Other 10-10 sites and ear electrodes: EEG with the name kept, no 10-20 electrode.
        ("EEG Fpz-Ref", Eeg, None, Some("Fpz"), Some("Ref"), None, "Fpz"),
        ("EEG FPZ-REF", Eeg, None, Some("Fpz"), Some("Ref"), None, "Fpz"),
        ("Oz", Eeg, None, Some("Oz"), None, None, "Oz"),
        ("EEG A1-REF", Eeg, None, Some("A1"), Some("Ref"), None, "A1"),
        ("A2", Eeg, None, Some("A2"), None, None, "A2"),
        ("EEG AFZ", Eeg, None, Some("AFz"), None, None, "AFz"),
        ("FC1", Eeg, None, Some("FC1"), None, None, "FC1"),
        ("EEG TP10-Ref", Eeg, None, Some("TP10"), Some("Ref"), None, "TP10"),
        ("EEG Fp1-Fpz", Eeg, Some(Fp1), Some("Fp1"), Some("Fpz"), None, "Fp1"),
        ("POL Fp1", Eeg, Some(Fp1), Some("Fp1"), None, None, "Fp1"),
        ("EEG T1-REF", Eeg, None, Some("T1"), Some("Ref"), None, "T1"),
        ("EEG 26-REF", Eeg, None, None, Some("Ref"), None, "26"),
        ("DC03", Other, None, Some("DC03"), None, None, "DC03"),
        ("Event", Other, None, Some("Event"), None, None, "Event"),
    ];
    for &(label, kind, electrode, site, reference, bipolar, canonical) in rows {
        let c = ChannelName::parse(label);
        assert_eq!(c.raw, label);
        assert_eq!(c.kind, kind, "{label}: kind");
        assert_eq!(c.electrode, electrode, "{label}: electrode");
        assert_eq!(c.site.as_deref(), site, "{label}: site");
        assert_eq!(c.reference.as_deref(), reference, "{label}: reference");
        assert_eq!(c.bipolar, bipolar, "{label}: bipolar");
        assert_eq!(c.canonical, canonical, "{label}: canonical");
        assert_eq!(c.to_string(), canonical);
    }
}

#[test]
fn old_and_new_names_every_case() {
    for e in Electrode::ALL {
        for name in [e.name().to_string(), e.modern_name().to_string()] {
            for label in [
                format!("EEG {name}-Ref"),
                format!("EEG {}-REF", name.to_uppercase()),
                format!("eeg {}-ref", name.to_lowercase()),
                name.to_string(),
                format!("  EEG {name}-LE\0\0"),
            ] {
                let c = ChannelName::parse(&label);
                assert_eq!(c.kind, ChannelKind::Eeg, "{label}");
                assert_eq!(c.electrode, Some(e), "{label}");
                assert_eq!(c.canonical, e.name(), "{label}");
                assert!(c.is_referential_1020());
            }
        }
    }
    assert_eq!(site_name("fpz").as_deref(), Some("Fpz"));
    assert_eq!(site_name("POZ").as_deref(), Some("POz"));
    assert_eq!(site_name("ft9").as_deref(), Some("FT9"));
    assert_eq!(site_name("t7").as_deref(), Some("T3"));
    assert_eq!(site_name("F11"), None);
    assert_eq!(site_name("F0"), None);
    assert_eq!(site_name("EKG"), None);
    assert_eq!(site_name("ROC"), None);
}

/// The distinct labels of the 16 Helsinki clips, as their EDF headers write them.
const HELSINKI_LABELS: [&str; 43] = [
    "EEG Fp1-Ref",
    "EEG Fp2-Ref",
    "EEG F3-Ref",
    "EEG F4-Ref",
    "EEG F7-Ref",
    "EEG F8-Ref",
    "EEG Fz-Ref",
    "EEG C3-Ref",
    "EEG C4-Ref",
    "EEG Cz-Ref",
    "EEG T3-Ref",
    "EEG T5-Ref",
    "EEG T4-Ref",
    "EEG T6-Ref",
    "EEG P3-Ref",
    "EEG P4-Ref",
    "EEG Pz-Ref",
    "EEG O1-Ref",
    "EEG O2-Ref",
    "ECG EKG",
    "Resp Effort",
    "EDF Annotations",
    "EEG Fp1-REF",
    "EEG Fp2-REF",
    "EEG F3-REF",
    "EEG F4-REF",
    "EEG C3-REF",
    "EEG C4-REF",
    "EEG P3-REF",
    "EEG P4-REF",
    "EEG O1-REF",
    "EEG O2-REF",
    "EEG F7-REF",
    "EEG F8-REF",
    "EEG T3-REF",
    "EEG T4-REF",
    "EEG T5-REF",
    "EEG T6-REF",
    "EEG Fz-REF",
    "EEG Cz-REF",
    "EEG Pz-REF",
    "ECG EKG-REF",
    "Resp Effort-REF",
];

fn check_helsinki_label(label: &str) {
    let c = ChannelName::parse(label);
    let body = label.trim();
    if let Some(rest) = body.strip_prefix("EEG ") {
        let (site, reference) = rest.split_once('-').unwrap();
        assert_eq!(c.kind, ChannelKind::Eeg, "{label}");
        assert_eq!(c.electrode, Electrode::from_name(site), "{label}");
        assert!(c.electrode.is_some(), "{label}");
        assert_eq!(c.canonical, site, "{label}");
        assert_eq!(c.reference.as_deref(), Some("Ref"), "{label} ({reference})");
    } else if body.starts_with("ECG") {
        assert_eq!((c.kind, c.canonical.as_str()), (ChannelKind::Ecg, "ECG EKG"), "{label}");
    } else if body.starts_with("Resp") {
        assert_eq!((c.kind, c.canonical.as_str()), (ChannelKind::Respiration, "Resp Effort"), "{label}");
    } else {
        assert_eq!(body, "EDF Annotations");
        assert_eq!(c.kind, ChannelKind::Annotations);
    }
}

#[test]
fn helsinki_labels_listed() {
    for l in HELSINKI_LABELS {
        check_helsinki_label(l);
    }
}

fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EIMFS_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if dir.join("data/helsinki-dev").is_dir() {
        Some(dir)
    } else if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {} (set EIMFS_SHARED)", dir.display());
    } else {
        eprintln!("skipping: no shared data at {} (set EIMFS_SHARED)", dir.display());
        None
    }
}

/// Labels straight from an EDF header: 16 bytes each from byte 256.
fn edf_labels(path: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let ns: usize = std::str::from_utf8(&bytes[252..256]).unwrap().trim().parse().unwrap();
    (0..ns).map(|i| String::from_utf8(bytes[256 + 16 * i..256 + 16 * (i + 1)].to_vec()).unwrap()).collect()
}

#[test]
fn helsinki_headers() {
    let Some(shared) = shared_dir() else { return };
    let mut files: Vec<_> = std::fs::read_dir(shared.join("data/helsinki-dev"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "edf"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 16);
    for f in &files {
        let labels = edf_labels(f);
        assert_eq!(labels.len(), 22, "{}", f.display());
        for l in &labels {
            assert!(HELSINKI_LABELS.contains(&l.trim()), "{}: label {l:?} not in the listed set", f.display());
            check_helsinki_label(l);
        }
        let map = ChannelMap::from_labels(&labels).unwrap();
        assert!(map.missing().is_empty(), "{}: missing {:?}", f.display(), map.missing());
        assert_eq!(map.common_reference(), Some("Ref"));
        for (e, i) in map.present() {
            assert_eq!(Electrode::from_name(labels[i].trim()[4..].split('-').next().unwrap()), Some(e));
        }
        let kinds: Vec<ChannelKind> = map.names().iter().map(|n| n.kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == ChannelKind::Eeg).count(), 19);
        assert_eq!(&kinds[19..], &[ChannelKind::Ecg, ChannelKind::Respiration, ChannelKind::Annotations]);
    }
}

#[test]
fn picker_reports_duplicates_and_missing() {
    let labels = ["EEG Fp1-Ref", "EEG T3-Ref", "ECG EKG", "EEG T7-Ref"];
    let err = ChannelMap::from_labels(&labels).unwrap_err();
    assert_eq!(err, Error::AmbiguousElectrode { electrode: "T3".into(), channels: "#2 \"EEG T3-Ref\", #4 \"EEG T7-Ref\"".into() });
    assert_eq!(
        err.to_string(),
        "electrode T3 is recorded by more than one channel: #2 \"EEG T3-Ref\", #4 \"EEG T7-Ref\" (numbered from 1 as `eimfs info` lists them); keep one, e.g. with `eimfs convert IN OUT --channels` listing the channels to keep by label or number"
    );
    let err = ChannelMap::from_labels(&["EEG Fp1-REF", "EEG FP1-LE"]).unwrap_err().to_string();
    assert!(err.starts_with("electrode Fp1 is recorded by more than one channel: #1 \"EEG Fp1-REF\", #2 \"EEG FP1-LE\""), "{err}");

    // Bipolar channels and other sites do not claim an electrode.
    let map = ChannelMap::from_labels(&["FP1-F7", "EEG Fpz-Ref", "EEG F7-Ref", "EEG A1-Ref"]).unwrap();
    assert_eq!(map.channel(Fp1), None);
    assert_eq!(map.channel(F7), Some(2));
    assert_eq!(map.bipolar_channel(Fp1, F7), Some(0));
    assert_eq!(map.bipolar_channel(F7, Fp1), None);
    assert_eq!(map.missing().len(), 18);
    assert_eq!(map.present(), vec![(F7, 2)]);

    // Mixed references are allowed but reported as not common.
    let map = ChannelMap::from_labels(&["EEG Fp1-A1", "EEG Fp2-A2"]).unwrap();
    assert_eq!(map.common_reference(), None);
    let map = ChannelMap::from_labels(&["EEG Fp1-LE", "EEG Fp2-LE"]).unwrap();
    assert_eq!(map.common_reference(), Some("LE"));
}

#[test]
fn select_channels_by_name() {
    let labels = ["EEG Fp1-REF", "EEG T3-REF", "ECG EKG-REF", "Resp Effort-REF", "FP2-F8", "EEG Fpz-REF", "EDF Annotations"];
    let map = ChannelMap::from_labels(&labels).unwrap();
    // Raw labels, canonical names, old/new electrode names, bipolar pairs, any case, list order.
    assert_eq!(map.select("EEG T3-REF").unwrap(), vec![1]);
    assert_eq!(map.select("t7;FP1 , ecg ekg,Resp Effort").unwrap(), vec![1, 0, 2, 3]);
    assert_eq!(map.select("Fp2-F8, fpz, EEG FPZ-Ref").unwrap(), vec![4, 5, 5]);
    assert_eq!(map.select("EEG Fp1-LE").unwrap(), vec![0]);
    let err = map.select("Fp1,O1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no channel matches `O1`; available channels: EEG Fp1-REF, EEG T3-REF, ECG EKG-REF, Resp Effort-REF, FP2-F8, EEG Fpz-REF, EDF Annotations"
    );
    assert!(matches!(map.select(" , "), Err(Error::UnknownChannel { .. })));
    let map = ChannelMap::from_labels(&["EEG Fpz-REF", "EEG Fpz-LE"]).unwrap();
    assert_eq!(
        map.select("Fpz").unwrap_err().to_string(),
        "`Fpz` matches more than one channel: #1 \"EEG Fpz-REF\", #2 \"EEG Fpz-LE\" (numbered from 1 as `eimfs info` lists them); use the full label or the number"
    );
    // The number the error suggests picks the channel; numbers out of range match nothing; a
    // label that is a number wins over the position.
    assert_eq!(map.select("#2, 1").unwrap(), vec![1, 0]);
    assert!(matches!(map.select("3"), Err(Error::UnknownChannel { .. })));
    assert!(matches!(map.select("#0"), Err(Error::UnknownChannel { .. })));
    let map = ChannelMap::from_labels(&["EEG Fp1-REF", "1"]).unwrap();
    assert_eq!(map.select("1").unwrap(), vec![1]);
}

#[test]
fn physical_dimensions_to_microvolts() {
    for (dim, want) in [
        ("uV", Some(1.0)),
        ("UV      ", Some(1.0)),
        ("µV", Some(1.0)),
        ("\u{3bc}V", Some(1.0)),
        ("microvolt", Some(1.0)),
        ("mV", Some(1e3)),
        ("MV", Some(1e3)),
        ("millivolts", Some(1e3)),
        ("V", Some(1e6)),
        (" v ", Some(1e6)),
        ("nV", Some(1e-3)),
        ("", None),
        ("mmHg", None),
        ("%", None),
        ("bpm", None),
        ("kV", None),
    ] {
        assert_eq!(microvolts_per_unit(dim), want, "{dim:?}");
    }
}
