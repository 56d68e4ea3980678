//! Timing helper for `bench/signal.py`: reads one channel of raw little-endian f32 samples,
//! runs each operation a few times and prints one JSON line per operation with the median wall
//! time and the median CPU time of the thread (Linux `/proc/thread-self/schedstat`; wall time
//! elsewhere) in seconds. Usage: `signal_bench FILE FS [REPEATS]`.

use std::time::Instant;

use eimfs_signal::filter::{Band, Sos, sosfiltfilt_into};
use eimfs_signal::resample::Resampler;
use eimfs_signal::spectrum::Welch;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// CPU time of this thread in seconds, if the OS reports it.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

/// (median wall seconds, median CPU seconds, check value)
fn time(repeats: usize, mut f: impl FnMut() -> f64) -> (f64, f64, f64) {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut check = 0.0;
    for _ in 0..repeats {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        check = f();
        let w = t0.elapsed().as_secs_f64();
        wall.push(w);
        cpu.push(match (c0, cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => w,
        });
    }
    (median(wall), median(cpu), check)
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
    let (t, cpu, c) = time(repeats, || {
        sosfiltfilt_into(&sos, &x, &mut out, &mut scratch).unwrap();
        out[out.len() / 2] as f64
    });
    println!("{{\"op\": \"sosfiltfilt\", \"seconds\": {t}, \"cpu_seconds\": {cpu}, \"check\": {c}}}");

    let mut w = Welch::new(fs, 512).unwrap();
    let mut psd = vec![0.0; w.n_freqs()];
    let (t, cpu, c) = time(repeats, || {
        w.psd(&x, &mut psd).unwrap();
        psd[40]
    });
    println!("{{\"op\": \"welch\", \"seconds\": {t}, \"cpu_seconds\": {cpu}, \"check\": {c}}}");

    let (t, cpu, c) = time(repeats, || {
        let mut acc = 0.0;
        for win in x.chunks_exact(8 * fs as usize) {
            w.psd(win, &mut psd).unwrap();
            acc += psd[40];
        }
        acc
    });
    println!("{{\"op\": \"welch_8s_windows\", \"seconds\": {t}, \"cpu_seconds\": {cpu}, \"check\": {c}}}");

    let r = Resampler::from_rates(fs, 200.0).unwrap();
    let (t, cpu, c) = time(repeats, || {
        let y = r.resample(&x);
        y[y.len() / 2] as f64
    });
    println!("{{\"op\": \"resample_poly\", \"seconds\": {t}, \"cpu_seconds\": {cpu}, \"check\": {c}}}");
}
