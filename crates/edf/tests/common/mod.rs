//! A byte-level EDF/BDF builder for tests, independent of the crate's writer: every header field
//! can be set to arbitrary bytes to produce broken files.
#![allow(dead_code)]

/// One signal of a hand-built file.
#[derive(Clone, Debug)]
pub struct RawSignal {
    pub label: Vec<u8>,
    pub transducer: Vec<u8>,
    pub unit: Vec<u8>,
    pub phys_min: Vec<u8>,
    pub phys_max: Vec<u8>,
    pub dig_min: Vec<u8>,
    pub dig_max: Vec<u8>,
    pub prefilter: Vec<u8>,
    pub spr: Vec<u8>,
    pub reserved: Vec<u8>,
}

impl RawSignal {
    pub fn new(label: &str, spr: usize, phys: (f64, f64), dig: (i32, i32)) -> RawSignal {
        RawSignal {
            label: label.into(),
            transducer: b"AgAgCl electrode".to_vec(),
            unit: b"uV".to_vec(),
            phys_min: phys.0.to_string().into_bytes(),
            phys_max: phys.1.to_string().into_bytes(),
            dig_min: dig.0.to_string().into_bytes(),
            dig_max: dig.1.to_string().into_bytes(),
            prefilter: b"HP:0.5Hz LP:70Hz".to_vec(),
            spr: spr.to_string().into_bytes(),
            reserved: Vec::new(),
        }
    }
    pub fn annotations(label: &str, spr: usize, bdf: bool) -> RawSignal {
        let (lo, hi) = if bdf { (-8388608, 8388607) } else { (-32768, 32767) };
        let mut s = RawSignal::new(label, spr, (-1.0, 1.0), (lo, hi));
        s.transducer.clear();
        s.unit.clear();
        s.prefilter.clear();
        s
    }
}

/// A hand-built file: header fields as bytes plus the data area.
#[derive(Clone, Debug)]
pub struct RawEdf {
    pub version: Vec<u8>,
    pub patient: Vec<u8>,
    pub recording: Vec<u8>,
    pub date: Vec<u8>,
    pub time: Vec<u8>,
    pub header_bytes: Option<Vec<u8>>,
    pub reserved: Vec<u8>,
    pub n_records: Vec<u8>,
    pub duration: Vec<u8>,
    pub n_signals: Option<Vec<u8>>,
    pub signals: Vec<RawSignal>,
    pub data: Vec<u8>,
}

fn pad(b: &[u8], w: usize) -> Vec<u8> {
    let mut v = b.to_vec();
    v.resize(w, b' ');
    v.truncate(w);
    v
}

impl RawEdf {
    /// An EDF header (plain EDF unless `reserved` is changed) with the given signals and no data.
    pub fn edf(signals: Vec<RawSignal>, n_records: i64, duration: &str) -> RawEdf {
        RawEdf {
            version: b"0".to_vec(),
            patient: b"X X X X".to_vec(),
            recording: b"Startdate 21-NOV-2026 X X X".to_vec(),
            date: b"21.11.26".to_vec(),
            time: b"05.03.32".to_vec(),
            header_bytes: None,
            reserved: Vec::new(),
            n_records: n_records.to_string().into_bytes(),
            duration: duration.as_bytes().to_vec(),
            n_signals: None,
            signals,
            data: Vec::new(),
        }
    }

    pub fn bdf(signals: Vec<RawSignal>, n_records: i64, duration: &str) -> RawEdf {
        let mut e = RawEdf::edf(signals, n_records, duration);
        e.version = b"\xFFBIOSEMI".to_vec();
        e
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let ns = self.signals.len();
        let mut h = Vec::new();
        h.extend(pad(&self.version, 8));
        h.extend(pad(&self.patient, 80));
        h.extend(pad(&self.recording, 80));
        h.extend(pad(&self.date, 8));
        h.extend(pad(&self.time, 8));
        let hb = (256 * (ns + 1)).to_string().into_bytes();
        h.extend(pad(self.header_bytes.as_deref().unwrap_or(&hb), 8));
        h.extend(pad(&self.reserved, 44));
        h.extend(pad(&self.n_records, 8));
        h.extend(pad(&self.duration, 8));
        let nsb = ns.to_string().into_bytes();
        h.extend(pad(self.n_signals.as_deref().unwrap_or(&nsb), 4));
        type Get = fn(&RawSignal) -> &Vec<u8>;
        let fields: [(Get, usize); 10] = [
            (|s| &s.label, 16),
            (|s| &s.transducer, 80),
            (|s| &s.unit, 8),
            (|s| &s.phys_min, 8),
            (|s| &s.phys_max, 8),
            (|s| &s.dig_min, 8),
            (|s| &s.dig_max, 8),
            (|s| &s.prefilter, 80),
            (|s| &s.spr, 8),
            (|s| &s.reserved, 32),
        ];
        for (get, w) in fields {
            for s in &self.signals {
                h.extend(pad(get(s), w));
            }
        }
        h.extend_from_slice(&self.data);
        h
    }

    pub fn write(&self, path: &std::path::Path) {
        std::fs::write(path, self.to_bytes()).unwrap();
    }
}

/// Append samples as 16-bit little endian.
pub fn push_i16(data: &mut Vec<u8>, v: &[i32]) {
    for &x in v {
        data.extend_from_slice(&(x as i16).to_le_bytes());
    }
}

/// Append samples as 24-bit little endian.
pub fn push_i24(data: &mut Vec<u8>, v: &[i32]) {
    for &x in v {
        data.extend_from_slice(&x.to_le_bytes()[..3]);
    }
}

/// An annotation signal's bytes: TAL text padded with zeros to `bytes`.
pub fn tal_bytes(text: &[u8], bytes: usize) -> Vec<u8> {
    assert!(text.len() <= bytes, "TAL text longer than the annotation signal");
    let mut v = text.to_vec();
    v.resize(bytes, 0);
    v
}

/// A valid 3-signal EDF+C with `n` records of 1 s: EEG Fp1 and EEG Fp2 at 8 Hz (digital value
/// = 100 × record + sample index, Fp2 negated) and an annotation signal of 60 bytes.
pub fn small_edf_plus(n: usize) -> RawEdf {
    let mut e = RawEdf::edf(
        vec![
            RawSignal::new("EEG Fp1", 8, (-3276.8, 3276.7), (-32768, 32767)),
            RawSignal::new("EEG Fp2", 8, (-3276.8, 3276.7), (-32768, 32767)),
            RawSignal::annotations("EDF Annotations", 30, false),
        ],
        n as i64,
        "1",
    );
    e.reserved = b"EDF+C".to_vec();
    for r in 0..n {
        let v: Vec<i32> = (0..8).map(|i| 100 * r as i32 + i).collect();
        push_i16(&mut e.data, &v);
        push_i16(&mut e.data, &v.iter().map(|x| -x).collect::<Vec<_>>());
        let tal = if r == 1 { format!("+{r}\x14\x14\x00+1.5\x150.25\x14spike@@EEG Fp1\x14\x00") } else { format!("+{r}\x14\x14\x00") };
        e.data.extend(tal_bytes(tal.as_bytes(), 60));
    }
    e
}
