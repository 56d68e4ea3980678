//! Welch PSD against scipy.signal.welch and the band-power helpers (fixtures from
//! ci/fixtures/signal_fixtures.py).

mod common;

use common::*;
use eimfs_signal::Error;
use eimfs_signal::spectrum::{
    Average, Detrend, Welch, WelchConfig, band_power, band_powers, peak_frequency, relative_band_power, spectral_edge, spectral_entropy,
    welch,
};

#[test]
fn welch_matches_scipy() {
    let m = manifest();
    let x256 = load(&m["inputs"]["x256"]);
    let x500 = load(&m["inputs"]["x500"]);
    let mut report = Vec::new();
    for c in m["welch"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let fs = c["fs"].as_f64().unwrap();
        let n = c["n"].as_u64().unwrap() as usize;
        let x = if name.starts_with("x500") { &x500[..n] } else { &x256[..n] };
        let kw = &c["kwargs"];
        let want_f = f64s(&c["freqs"]);
        let want = f64s(&c["psd"]);
        let (freqs, psd) = if name == "default" || name == "short100" {
            // The one-call function with scipy's defaults (and its short-input rule).
            welch(x, fs, 256).unwrap()
        } else {
            let nperseg = kw.get("nperseg").and_then(|v| v.as_u64()).unwrap_or(256) as usize;
            let mut cfg = WelchConfig::new(nperseg);
            if let Some(v) = kw.get("noverlap") {
                cfg.noverlap = v.as_u64().unwrap() as usize;
            }
            if let Some(v) = kw.get("nfft") {
                cfg.nfft = v.as_u64().unwrap() as usize;
            }
            if kw.get("average").is_some() {
                cfg.average = Average::Median;
            }
            match kw.get("detrend").and_then(|v| v.as_str()) {
                Some("linear") => cfg.detrend = Detrend::Linear,
                Some("none") => cfg.detrend = Detrend::None,
                None => {}
                Some(d) => panic!("unknown detrend {d}"),
            }
            let mut w = Welch::with_config(fs, cfg).unwrap();
            let mut psd = vec![0.0; w.n_freqs()];
            let nseg = w.psd(x, &mut psd).unwrap();
            assert_eq!(nseg, w.segments(x.len()));
            // Again with the same estimator and f32 input: same plan, same answer.
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut psd32 = vec![0.0; w.n_freqs()];
            w.psd(&x32, &mut psd32).unwrap();
            assert_eq!(psd32, psd, "{name}: f32 input holds the same values");
            (w.frequencies(), psd)
        };
        assert_eq!(freqs.len(), want_f.len(), "{name}: bins");
        assert!(rel_err(&freqs, &want_f) < 1e-14, "{name}: frequencies");
        let e = rel_err(&psd, &want);
        // Elementwise too: every bin, including the small ones far above the signal's band.
        let worst_bin = psd.iter().zip(&want).map(|(a, b)| (a - b).abs() / b.abs().max(1e-300)).fold(0.0f64, f64::max);
        assert!(e < TOL && worst_bin < 1e-6, "{name}: {e:e}, worst bin {worst_bin:e}");
        report.push(format!("{name}: {e:.1e} (worst bin {worst_bin:.1e})"));
    }
    println!("welch relative error vs scipy:\n  {}", report.join("\n  "));
}

#[test]
fn band_power_matches_rectangle_rule_reference() {
    let m = manifest();
    let x = load(&m["inputs"]["x256"]);
    let (f, p) = welch(&x, 256.0, 256).unwrap();
    for b in m["bandpower"].as_array().unwrap() {
        let (lo, hi) = (b["lo"].as_f64().unwrap(), b["hi"].as_f64().unwrap());
        let want = b["power"].as_f64().unwrap();
        let got = band_power(&f, &p, lo, hi);
        assert!(((got - want) / want).abs() < 1e-9, "[{lo}, {hi}): {got} vs {want}");
    }
    let all = band_powers(&f, &p, &[(0.5, 4.0), (4.0, 8.0)]);
    assert_eq!(all, vec![band_power(&f, &p, 0.5, 4.0), band_power(&f, &p, 4.0, 8.0)]);
}

fn sine(fs: f64, n: usize, f0: f64, amp: f64) -> Vec<f64> {
    (0..n).map(|i| amp * (2.0 * std::f64::consts::PI * f0 * i as f64 / fs).sin()).collect()
}

#[test]
fn spectral_features_on_known_signals() {
    let fs = 256.0;
    // 20 µV at 6 Hz plus 5 µV at 20 Hz: powers 200 and 12.5 µV² (Parseval, Hann leakage stays
    // within ±1 bin of 1 Hz).
    let x: Vec<f64> = sine(fs, 2560, 6.0, 20.0).iter().zip(sine(fs, 2560, 20.0, 5.0)).map(|(a, b)| a + b).collect();
    let (f, p) = welch(&x, fs, 256).unwrap();
    assert!((band_power(&f, &p, 4.0, 8.0) - 200.0).abs() < 0.5, "{}", band_power(&f, &p, 4.0, 8.0));
    assert!((band_power(&f, &p, 18.0, 22.0) - 12.5).abs() < 0.05);
    assert!(band_power(&f, &p, 30.0, 128.0) < 1e-6);
    let rel = relative_band_power(&f, &p, (4.0, 8.0), (0.0, 128.0));
    assert!((rel - 200.0 / 212.5).abs() < 1e-3, "{rel}");
    assert_eq!(peak_frequency(&f, &p, 0.5, 30.0), Some(6.0));
    assert_eq!(peak_frequency(&f, &p, 10.0, 30.0), Some(20.0));
    assert_eq!(peak_frequency(&f, &p, 200.0, 300.0), None);
    // The Hann window spreads each line over three bins in power ratios 1:4:1, so the 6 Hz line
    // (94 % of the power) fills 5-7 Hz: cumulative 78 % at 6 Hz, 94 % at 7 Hz → SEF90 = 7 Hz.
    // The 20 Hz line brings 95 % at 19 Hz and 99 % at 20 Hz → SEF98 = 20 Hz.
    assert_eq!(spectral_edge(&f, &p, 0.5, 0.5, 30.0), Some(6.0));
    assert_eq!(spectral_edge(&f, &p, 0.9, 0.5, 30.0), Some(7.0));
    assert_eq!(spectral_edge(&f, &p, 0.98, 0.5, 30.0), Some(20.0));
    // Entropy: a pure tone is low, white noise is near 1.
    let h_tone = spectral_entropy(&f, &p, 0.5, 30.0).unwrap();
    let mut state = 12345u64;
    let noise: Vec<f64> = (0..25600)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect();
    let (fn_, pn) = welch(&noise, fs, 256).unwrap();
    let h_noise = spectral_entropy(&fn_, &pn, 0.5, 127.0).unwrap();
    assert!(h_tone < 0.35, "tone entropy {h_tone}");
    assert!(h_noise > 0.98, "noise entropy {h_noise}");
    assert_eq!(spectral_entropy(&f, &p, 3.0, 3.5), None);
}

#[test]
fn errors_and_shapes() {
    let mut w = Welch::new(256.0, 256).unwrap();
    assert_eq!(w.n_freqs(), 129);
    assert_eq!(w.segments(255), 0);
    assert_eq!(w.segments(256), 1);
    assert_eq!(w.segments(256 + 127), 1);
    assert_eq!(w.segments(256 + 128), 2);
    let mut out = vec![0.0; 129];
    let err = w.psd(&[0.0f32; 100], &mut out).unwrap_err();
    assert_eq!(err, Error::TooShort { what: "welch (nperseg 256)".into(), len: 100, needed: 255 });
    let err = w.psd(&[0.0f32; 300], &mut [0.0; 10]).unwrap_err().to_string();
    assert_eq!(err, "buffer shape: welch: output has 10 bins, expected 129");
    let mut cfg = WelchConfig::new(128);
    cfg.noverlap = 128;
    assert_eq!(
        Welch::with_config(256.0, cfg).unwrap_err().to_string(),
        "invalid parameter: welch: noverlap 128 must be less than nperseg 128"
    );
    let mut cfg = WelchConfig::new(128);
    cfg.nfft = 64;
    assert!(Welch::with_config(256.0, cfg).is_err());
    let mut cfg = WelchConfig::new(4);
    cfg.window = Some(vec![1.0; 4]);
    let mut w = Welch::with_config(4.0, cfg).unwrap();
    // Boxcar window, one segment of a constant: everything removed by the mean detrend.
    let mut out = vec![1.0; 3];
    w.psd(&[3.0f64; 4], &mut out).unwrap();
    assert_eq!(out, vec![0.0; 3]);
}
