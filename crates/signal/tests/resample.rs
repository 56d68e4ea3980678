//! Polyphase resampling against scipy.signal.resample_poly (fixtures from
//! ci/fixtures/signal_fixtures.py).

mod common;

use common::*;
use eimfs_signal::resample::{Padding, Resampler, firwin_kaiser, kaiser, resample_poly};

#[test]
fn firwin_matches_scipy() {
    let m = manifest();
    let want = load(&m["firwin_64_125"]);
    let h = firwin_kaiser(2501, 1.0 / 125.0, 5.0).unwrap();
    let e = rel_err(&h, &want);
    assert!(e < 1e-12, "firwin {e:e}");
    let r = Resampler::new(64, 125).unwrap();
    let scaled: Vec<f64> = want.iter().map(|v| v * 64.0).collect();
    assert!(rel_err(&r.filter(), &scaled) < 1e-12);
    assert_eq!(r.taps(), 2501);
    // Kaiser window: symmetric, 1 in the middle, I0(0)/I0(5) = 1/27.2398718… at the ends.
    let w = kaiser(11, 5.0);
    assert!((w[5] - 1.0).abs() < 1e-15 && (w[0] - w[10]).abs() < 1e-15);
    assert!((w[0] - 1.0 / 27.239_871_823_604_45).abs() < 1e-15, "{}", w[0]);
}

#[test]
fn resample_poly_matches_scipy() {
    let m = manifest();
    let mut report = Vec::new();
    for c in m["resample"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (fs_in, fs_out) = (c["fs_in"].as_f64().unwrap(), c["fs_out"].as_f64().unwrap());
        let r = Resampler::from_rates(fs_in, fs_out).unwrap();
        assert_eq!((r.up() as u64, r.down() as u64), (c["up"].as_u64().unwrap(), c["down"].as_u64().unwrap()), "{name}");
        let x = load(&c["input"]);
        let want = load(&c["output"]);
        assert_eq!(r.output_len(x.len()), want.len(), "{name}: length");
        let padding = if c["padtype"] == "mean" { Padding::Mean } else { Padding::Zero };
        let y = r.resample_with(&x, padding);
        let e64 = rel_err(&y, &want);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let y32: Vec<f64> = r.resample_with(&x32, padding).into_iter().map(f64::from).collect();
        let e32 = rel_err(&y32, &want);
        assert!(e64 < TOL && e32 < TOL, "{name}: f64 {e64:e}, f32 {e32:e}");
        report.push(format!("{name} ({}/{}): f64 {e64:.1e}, f32 {e32:.1e}", r.up(), r.down()));
        if padding == Padding::Zero {
            // The same through the convenience function and through the stream, in odd chunks.
            assert_eq!(resample_poly(&x, r.up(), r.down()).unwrap(), y);
            for chunk in [1usize, 97, 1000, 100_000] {
                let mut s = r.stream();
                let mut out: Vec<f64> = Vec::new();
                for c in x.chunks(chunk) {
                    s.push(c, &mut out);
                }
                s.finish(&mut out);
                assert_eq!(out, y, "{name}: stream in chunks of {chunk}");
                assert_eq!((s.received(), s.produced()), (x.len(), y.len()));
            }
        }
    }
    println!("resample_poly relative error vs scipy:\n  {}", report.join("\n  "));
}

#[test]
fn stream_memory_is_bounded() {
    let r = Resampler::from_rates(500.0, 256.0).unwrap();
    let mut s = r.stream();
    let mut out: Vec<f32> = Vec::new();
    let chunk = vec![1.0f32; 500];
    for _ in 0..200 {
        out.clear();
        s.push(&chunk, &mut out);
        assert!(s.buffered() <= 2501 / 64 + 5, "{} samples buffered", s.buffered());
    }
    // 100 000 samples in; the stream only keeps about one filter length of history.
    assert_eq!(s.received(), 100_000);
    // Output n is complete once input floor((125 n + 1250) / 64) has arrived.
    assert_eq!(s.produced(), (6_400_000 - 1250) / 125);
    s.finish(&mut out);
    assert_eq!(s.produced(), 51_200);
}

#[test]
fn identity_and_errors() {
    let r = Resampler::from_rates(256.0, 256.0).unwrap();
    assert_eq!((r.up(), r.down(), r.taps()), (1, 1, 1));
    let x = [1.0f32, 2.0, 3.0];
    assert_eq!(r.resample(&x), x.to_vec());
    assert_eq!(Resampler::from_rates(512.0, 256.0).unwrap().up(), 1);
    let r = Resampler::from_rates(250.5, 256.0).unwrap();
    assert_eq!((r.up(), r.down()), (512, 501));
    assert_eq!(Resampler::new(0, 3).unwrap_err().to_string(), "invalid parameter: resampling factors must be at least 1, got up 0, down 3");
    assert_eq!(
        Resampler::from_rates(-1.0, 256.0).unwrap_err().to_string(),
        "invalid parameter: input sampling rate must be positive, got -1 Hz"
    );
    // 256 samples per 0.999-s record (256.256… Hz, no short decimal form) to 64 Hz.
    let r = Resampler::from_rates(256.0 / 0.999, 64.0).unwrap();
    assert_eq!((r.up(), r.down()), (999, 4000));
    let r = Resampler::from_rates(256.0 / 1.001, 256.0).unwrap();
    assert_eq!((r.up(), r.down()), (1001, 1000));
    // 256 samples per 1.00005-s record: 20001 / 80000, beyond the largest term.
    let e = Resampler::from_rates(256.0 / 1.00005, 64.0).unwrap_err().to_string();
    assert!(e.contains("as a ratio of integers up to 8000"), "{e}");
    let e = Resampler::from_rates(256.0, 100003.0).unwrap_err().to_string();
    assert!(e.contains("needs a 2000061-tap filter"), "{e}");
}
