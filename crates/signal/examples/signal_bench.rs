//! Timing helper for `bench/signal.py`: reads one channel of raw little-endian f32 samples,
//! runs each operation a few times and prints one JSON line per operation with the median
//! wall time in seconds. Usage: `signal_bench FILE FS [REPEATS]`.

use std::time::Instant;

use eimfs_signal::filter::{Band, Sos, sosfiltfilt_into};
use eimfs_signal::resample::Resampler;
use eimfs_signal::spectrum::Welch;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn time(repeats: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut t = Vec::new();
    let mut check = 0.0;
    for _ in 0..repeats {
        let t0 = Instant::now();
        check = f();
        t.push(t0.elapsed().as_secs_f64());
    }
    (median(t), check)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: signal_bench FILE FS [REPEATS]");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read input");
    let x: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
    let fs: f64 = args[2].parse().expect("FS");
    let repeats: usize = args.get(3).map_or(5, |r| r.parse().expect("REPEATS"));

    let sos = Sos::butter(4, Band::Bandpass(0.5, 30.0), fs).unwrap();
    let mut out = vec![0.0f32; x.len()];
    let mut scratch = Vec::new();
    let (t, c) = time(repeats, || {
        sosfiltfilt_into(&sos, &x, &mut out, &mut scratch).unwrap();
        out[out.len() / 2] as f64
    });
    println!("{{\"op\": \"sosfiltfilt\", \"seconds\": {t}, \"check\": {c}}}");

    let mut w = Welch::new(fs, 512).unwrap();
    let mut psd = vec![0.0; w.n_freqs()];
    let (t, c) = time(repeats, || {
        w.psd(&x, &mut psd).unwrap();
        psd[40]
    });
    println!("{{\"op\": \"welch\", \"seconds\": {t}, \"check\": {c}}}");

    let (t, c) = time(repeats, || {
        let mut acc = 0.0;
        for win in x.chunks_exact(8 * fs as usize) {
            w.psd(win, &mut psd).unwrap();
            acc += psd[40];
        }
        acc
    });
    println!("{{\"op\": \"welch_8s_windows\", \"seconds\": {t}, \"check\": {c}}}");

    let r = Resampler::from_rates(fs, 200.0).unwrap();
    let (t, c) = time(repeats, || {
        let y = r.resample(&x);
        y[y.len() / 2] as f64
    });
    println!("{{\"op\": \"resample_poly\", \"seconds\": {t}, \"check\": {c}}}");
}
