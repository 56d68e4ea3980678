//! Filters against scipy.signal (fixtures from ci/fixtures/signal_fixtures.py).

mod common;

use common::*;
use eimfs_signal::Error;
use eimfs_signal::filter::{Band, Sos, SosFilter, ZeroPhaseStream, sosfilt, sosfiltfilt, sosfiltfilt_into};
use serde_json::Value;

fn band(spec: &Value) -> Band {
    let f = f64s(&spec["freqs"]);
    match spec["band"].as_str().unwrap() {
        "lowpass" => Band::Lowpass(f[0]),
        "highpass" => Band::Highpass(f[0]),
        "bandpass" => Band::Bandpass(f[0], f[1]),
        "bandstop" => Band::Bandstop(f[0], f[1]),
        b => panic!("unknown band {b}"),
    }
}

fn design(specs: &Value, fs: f64) -> Sos {
    let mut out: Option<Sos> = None;
    for s in specs.as_array().unwrap() {
        let sos = match s["kind"].as_str().unwrap() {
            "butter" => Sos::butter(s["order"].as_u64().unwrap() as usize, band(s), fs).unwrap(),
            "notch" => Sos::notch(s["f0"].as_f64().unwrap(), s["q"].as_f64().unwrap(), fs).unwrap(),
            k => panic!("unknown kind {k}"),
        };
        out = Some(match out {
            None => sos,
            Some(prev) => prev.then(&sos),
        });
    }
    out.unwrap()
}

fn flat(s: &[[f64; 6]]) -> Vec<f64> {
    s.iter().flatten().copied().collect()
}

#[test]
fn butter_designs_match_scipy() {
    let m = manifest();
    let designs = m["butter"].as_array().unwrap();
    assert_eq!(designs.len(), 80);
    let mut worst = 0.0f64;
    for d in designs {
        let fs = d["fs"].as_f64().unwrap();
        let order = d["order"].as_u64().unwrap() as usize;
        let ours = Sos::butter(order, band(d), fs).unwrap();
        let want = rows6(&d["sos"]);
        assert_eq!(ours.sections().len(), want.len(), "{d}");
        let e = rel_err(&flat(ours.sections()), &flat(&want));
        assert!(e < 1e-12, "order {order} {} {:?} at {fs} Hz: relative error {e:e}", d["band"], d["freqs"]);
        worst = worst.max(e);
    }
    println!("butter: worst relative coefficient error {worst:e} over {} designs", designs.len());
}

#[test]
fn notch_matches_scipy_iirnotch_tf2sos() {
    let m = manifest();
    for d in m["notch"].as_array().unwrap() {
        let (f0, q, fs) = (d["f0"].as_f64().unwrap(), d["q"].as_f64().unwrap(), d["fs"].as_f64().unwrap());
        let ours = Sos::notch(f0, q, fs).unwrap();
        let e = rel_err(&flat(ours.sections()), &flat(&rows6(&d["sos"])));
        assert!(e < 1e-13, "notch {f0} Hz Q {q}: {e:e}");
        let zi: Vec<f64> = ours.zi().iter().flatten().copied().collect();
        let want: Vec<f64> = d["zi"].as_array().unwrap().iter().flat_map(f64s).collect();
        assert!(rel_err(&zi, &want) < 1e-12, "notch zi {zi:?} vs {want:?}");
        // Zero gain at the notch, unit gain at DC.
        assert!(ours.gain_at(f0, fs) < 1e-9);
        assert!((ours.gain_at(0.0, fs) - 1.0).abs() < 1e-12);
    }
}

#[test]
fn sosfiltfilt_matches_scipy() {
    let m = manifest();
    let mut report = Vec::new();
    for c in m["filter"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let fs = c["fs"].as_f64().unwrap();
        let x = load(&m["inputs"][c["input"].as_str().unwrap()]);
        let sos = design(&c["specs"], fs);
        // Our design equals scipy's (so the comparison below tests the filtering).
        assert!(rel_err(&flat(sos.sections()), &flat(&rows6(&c["sos"]))) < 1e-12, "{name}: design");
        let zi: Vec<f64> = sos.zi().iter().flatten().copied().collect();
        let want_zi: Vec<f64> = c["zi"].as_array().unwrap().iter().flat_map(f64s).collect();
        assert!(rel_err(&zi, &want_zi) < 1e-10, "{name}: sosfilt_zi");

        let want = load(&c["filtfilt"]);
        let y64 = sosfiltfilt(&sos, &x).unwrap();
        let e64 = rel_err(&y64, &want);
        // f32 input (the values are f32-representable) with f32 output.
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let y32: Vec<f64> = sosfiltfilt(&sos, &x32).unwrap().into_iter().map(f64::from).collect();
        let e32 = rel_err(&y32, &want);
        assert!(e64 < TOL && e32 < TOL, "{name}: f64 {e64:e}, f32 {e32:e}");
        report.push(format!("{name}: f64 {e64:.1e}, f32 {e32:.1e}"));
    }
    println!("sosfiltfilt relative error vs scipy:\n  {}", report.join("\n  "));
}

#[test]
fn sosfilt_chunked_matches_scipy_one_shot() {
    let m = manifest();
    let mut n = 0;
    for c in m["filter"].as_array().unwrap() {
        let Some(sf) = c.get("sosfilt") else { continue };
        n += 1;
        let name = c["name"].as_str().unwrap();
        let fs = c["fs"].as_f64().unwrap();
        let x = load(&m["inputs"][c["input"].as_str().unwrap()]);
        let sos = design(&c["specs"], fs);
        let want = load(sf);
        let e = rel_err(&sosfilt(&sos, &x), &want);
        assert!(e < TOL, "{name}: one-shot sosfilt {e:e}");

        // Streaming on f32 chunks of awkward sizes: identical to one shot in f32 and close to scipy.
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let whole = sosfilt(&sos, &x32);
        for chunk in [1usize, 7, 100, 333, 5000] {
            let mut f = SosFilter::new(sos.clone());
            let mut out = Vec::new();
            for c in x32.chunks(chunk) {
                let mut y = vec![0.0f32; c.len()];
                f.process(c, &mut y).unwrap();
                out.extend(y);
            }
            assert_eq!(out, whole, "{name}: chunks of {chunk}");
        }
        let y: Vec<f64> = whole.iter().map(|&v| v as f64).collect();
        assert!(rel_err(&y, &want) < TOL, "{name}: f32 streaming vs scipy");

        // Steady-state start (zi · x0), chunked in place.
        let want_zi = load(&c["sosfilt_zi_x0"]);
        let mut f = SosFilter::with_initial_value(sos.clone(), x[0]);
        let mut buf = x.clone();
        for c in buf.chunks_mut(256) {
            f.process_in_place(c);
        }
        let e = rel_err(&buf, &want_zi);
        assert!(e < TOL, "{name}: sosfilt with zi*x0 {e:e}");
    }
    assert_eq!(n, 3);
}

#[test]
fn sosfiltfilt_shortest_input_and_error() {
    let m = manifest();
    for c in m["filtfilt_short"].as_array().unwrap() {
        let fs = c["fs"].as_f64().unwrap();
        let sos = design(&c["specs"], fs);
        let padlen = c["padlen"].as_u64().unwrap() as usize;
        assert_eq!(sos.padlen(), padlen);
        let x = load(&m["inputs"]["x256"]);
        let y = sosfiltfilt(&sos, &x[..padlen + 1]).unwrap();
        assert!(rel_err(&y, &f64s(&c["y"])) < TOL);
        let err = sosfiltfilt(&sos, &x[..padlen]).unwrap_err();
        assert_eq!(err, Error::TooShort { what: format!("sosfiltfilt (padlen {padlen})"), len: padlen, needed: padlen });
        assert_eq!(err.to_string(), format!("sosfiltfilt (padlen {padlen}): input has {padlen} samples, needs more than {padlen}"));
    }
    // First-order low-pass: b2 = a2 = 0, so the pad is 3 × (3 − 1) = 6.
    assert_eq!(Sos::butter(1, Band::Lowpass(10.0), 256.0).unwrap().padlen(), 6);
}

#[test]
fn sosfiltfilt_into_reuses_scratch() {
    let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), 256.0).unwrap();
    let x: Vec<f32> = (0..3000).map(|i| ((i as f32) * 0.05).sin() * 50.0 + 10.0).collect();
    let mut scratch = Vec::new();
    let mut a = vec![0.0f32; x.len()];
    sosfiltfilt_into(&sos, &x, &mut a, &mut scratch).unwrap();
    let cap = scratch.capacity();
    assert!(cap >= x.len() + 2 * sos.padlen());
    let mut b = vec![0.0f32; x.len()];
    sosfiltfilt_into(&sos, &x, &mut b, &mut scratch).unwrap();
    assert_eq!(a, b);
    assert_eq!(scratch.capacity(), cap);
    let mut short = vec![0.0f32; 10];
    assert!(matches!(sosfiltfilt_into(&sos, &x, &mut short, &mut scratch), Err(Error::BufferShape(_))));
}

#[test]
fn design_errors_say_what_is_wrong() {
    let e = Sos::butter(4, Band::Lowpass(128.0), 256.0).unwrap_err().to_string();
    assert_eq!(e, "invalid filter: low-pass cut-off 128 Hz must be above 0 and below the Nyquist frequency 128 Hz (sampling rate 256 Hz)");
    let e = Sos::butter(4, Band::Bandpass(30.0, 0.5), 256.0).unwrap_err().to_string();
    assert_eq!(e, "invalid filter: band edges must increase, got 30 Hz to 0.5 Hz");
    let e = Sos::butter(0, Band::Highpass(1.0), 256.0).unwrap_err().to_string();
    assert_eq!(e, "invalid filter: Butterworth order must be 1 to 20, got 0");
    let e = Sos::notch(50.0, 0.0, 256.0).unwrap_err().to_string();
    assert_eq!(e, "invalid filter: notch quality factor must be positive, got 0");
    let e = Sos::notch(50.0, 30.0, 90.0).unwrap_err().to_string();
    assert!(e.contains("notch frequency 50 Hz must be above 0 and below the Nyquist frequency 45 Hz"), "{e}");
    assert!(Sos::new(vec![[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]]).is_err());
    // Sections are normalised to a0 = 1.
    let s = Sos::new(vec![[2.0, 4.0, 2.0, 2.0, 1.0, 0.5]]).unwrap();
    assert_eq!(s.sections()[0], [1.0, 2.0, 1.0, 1.0, 0.5, 0.25]);
}

/// A long EEG-like test signal with a DC offset, slow drift and line noise.
fn long_signal(n: usize) -> Vec<f32> {
    let mut state = 99u64;
    let mut drift = 0.0f32;
    (0..n)
        .map(|i| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            drift += u * 0.3;
            let t = i as f32 / 256.0;
            80.0 + drift
                + 30.0 * (2.0 * std::f32::consts::PI * 2.5 * t).sin()
                + 12.0 * (2.0 * std::f32::consts::PI * 50.0 * t).sin()
                + 10.0 * u
        })
        .collect()
}

#[test]
fn zero_phase_stream_equals_whole_sosfiltfilt() {
    let x = long_signal(300_000);
    let fs = 256.0;
    let filters = [
        Sos::butter(4, Band::Bandpass(0.5, 30.0), fs).unwrap(),
        Sos::butter(2, Band::Highpass(0.3), fs).unwrap(),
        Sos::butter(4, Band::Bandpass(1.0, 40.0), fs).unwrap().then(&Sos::notch(50.0, 30.0, fs).unwrap()),
        Sos::butter(1, Band::Lowpass(10.0), fs).unwrap(),
    ];
    for sos in filters {
        let whole: Vec<f64> = sosfiltfilt(&sos, &x).unwrap().into_iter().map(f64::from).collect();
        let z = ZeroPhaseStream::new(sos.clone()).unwrap();
        let margin = z.margin();
        assert!(margin > 10 && margin < 200_000, "margin {margin}");
        // Default blocks, and small blocks (many interior blocks), with awkward chunk sizes.
        for (block, chunk, n) in [(z.block(), 4096usize, x.len()), (z.block(), 77_777, x.len()), (1000, 333, x.len()), (1, 500, 10_000)] {
            let (x, whole) = if n == x.len() {
                (&x[..], whole.clone())
            } else {
                (&x[..n], sosfiltfilt(&sos, &x[..n]).unwrap().into_iter().map(f64::from).collect())
            };
            let mut z = ZeroPhaseStream::with_block(sos.clone(), margin, block).unwrap();
            let mut out: Vec<f32> = Vec::new();
            for c in x.chunks(chunk) {
                z.push(c, &mut out).unwrap();
                assert!(z.pending() <= block + margin + chunk, "pending {}", z.pending());
            }
            z.finish(&mut out).unwrap();
            assert_eq!(out.len(), x.len());
            let y: Vec<f64> = out.into_iter().map(f64::from).collect();
            let e = rel_err(&y, &whole);
            // f32 output rounding is 6e-8 of the values; the stream adds nothing visible.
            assert!(e < 2e-7, "block {block}, chunk {chunk}, margin {margin}: {e:e}");
        }
        // In f64 the block truncation error itself is visible: below 1e-10.
        let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let whole64 = sosfiltfilt(&sos, &x64).unwrap();
        let mut z = ZeroPhaseStream::with_block(sos.clone(), margin, 5000).unwrap();
        let mut out: Vec<f64> = Vec::new();
        for c in x64.chunks(3000) {
            z.push(c, &mut out).unwrap();
        }
        z.finish(&mut out).unwrap();
        let e = rel_err(&out, &whole64);
        assert!(e < 1e-10, "f64, margin {margin}: {e:e}");
    }
    // Too short for the pad, as sosfiltfilt.
    let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), fs).unwrap();
    let mut z = ZeroPhaseStream::new(sos).unwrap();
    let mut out: Vec<f32> = Vec::new();
    z.push(&x[..27], &mut out).unwrap();
    assert_eq!(z.finish(&mut out).unwrap_err().to_string(), "zero-phase stream (padlen 27): input has 27 samples, needs more than 27");
}

#[test]
fn settling_samples_grow_with_lower_cutoff() {
    let a = Sos::butter(2, Band::Highpass(1.0), 256.0).unwrap().settling_samples(1e-12);
    let b = Sos::butter(2, Band::Highpass(0.1), 256.0).unwrap().settling_samples(1e-12);
    // A second-order high-pass decays like exp(−2π·fc·t/√2): 10× lower cut-off, ~10× longer.
    assert!(a > 1000 && a < 5000, "{a}");
    assert!((b as f64 / a as f64) > 8.0 && (b as f64 / a as f64) < 12.0, "{a} {b}");
}
