//! Throughput of the signal layer on 24 h of one 256 Hz channel (22 118 400 samples):
//! `cargo bench -p eimfs-signal`. Figures are recorded in bench/README.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eimfs_signal::filter::{Band, Sos, SosFilter, ZeroPhaseStream, sosfiltfilt_into};
use eimfs_signal::montage::Montage;
use eimfs_signal::resample::Resampler;
use eimfs_signal::spectrum::Welch;

const FS: f64 = 256.0;
const N: usize = 24 * 3600 * 256;

fn day() -> Vec<f32> {
    let mut state = 7u64;
    (0..N)
        .map(|i| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 20.0;
            30.0 * (i as f32 * 0.05).sin() + noise + 100.0
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let x = day();
    let mut g = c.benchmark_group("24h_256Hz_1ch");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(N as u64));

    let bp = Sos::butter(4, Band::Bandpass(0.5, 30.0), FS).unwrap();
    let mut out = vec![0.0f32; N];
    let mut scratch = Vec::new();
    g.bench_function("sosfiltfilt_bp4_0.5-30", |b| b.iter(|| sosfiltfilt_into(&bp, black_box(&x), &mut out, &mut scratch).unwrap()));

    g.bench_function("sosfilt_stream_bp4_chunks_1s", |b| {
        b.iter(|| {
            let mut f = SosFilter::new(bp.clone());
            for (xc, yc) in x.chunks(256).zip(out.chunks_mut(256)) {
                f.process(xc, yc).unwrap();
            }
        })
    });

    g.bench_function("zero_phase_stream_bp4_chunks_1s", |b| {
        b.iter(|| {
            let mut z = ZeroPhaseStream::new(bp.clone()).unwrap();
            let mut y: Vec<f32> = Vec::with_capacity(N);
            for xc in x.chunks(256) {
                z.push(xc, &mut y).unwrap();
            }
            z.finish(&mut y).unwrap();
            y
        })
    });

    let mut w = Welch::new(FS, 512).unwrap();
    let mut psd = vec![0.0; w.n_freqs()];
    g.bench_function("welch_whole_nperseg512", |b| b.iter(|| w.psd(black_box(&x), &mut psd).unwrap()));
    // As the detector uses it: one PSD per 8 s window (2 s segments, 50 % overlap), 10 800 windows.
    g.bench_function("welch_8s_windows_nperseg512", |b| {
        b.iter(|| {
            for win in x.chunks_exact(8 * 256) {
                w.psd(win, &mut psd).unwrap();
            }
        })
    });

    let r = Resampler::from_rates(256.0, 200.0).unwrap();
    g.bench_function("resample_256_to_200", |b| b.iter(|| r.resample(black_box(&x))));
    g.finish();

    // Double banana on 19 channels, 1 s chunks of 1 h.
    let labels: Vec<String> = eimfs_core::Electrode::ALL.iter().map(|e| format!("EEG {}-REF", e.name())).collect();
    let plan = Montage::DoubleBanana.plan_for_labels(&labels, &[]).unwrap();
    let hour = &x[..3600 * 256];
    let mut outs = vec![Vec::new(); 18];
    let mut g = c.benchmark_group("1h_256Hz_19ch");
    g.sample_size(10);
    g.throughput(Throughput::Elements((hour.len() * 19) as u64));
    g.bench_function("double_banana_chunks_1s", |b| {
        b.iter(|| {
            for k in 0..3600 {
                let inputs: Vec<&[f32]> = (0..19).map(|_| &hour[k * 256..(k + 1) * 256]).collect();
                plan.apply_chunk(&inputs, &mut outs).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(signal, benches);
criterion_main!(signal);
