//! Per-channel data-quality statistics over a whole file, streamed in parallel.

use rayon::prelude::*;
use serde::Serialize;

use crate::Result;
use crate::decode::Sample;
use crate::reader::EdfFile;

/// Options of [`EdfFile::stats`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatsOptions {
    /// A sample is *flat* when it belongs to a run of identical consecutive digital values lasting
    /// at least this many seconds (at least 2 samples). Default 1 s.
    pub flat_seconds: f64,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions { flat_seconds: 1.0 }
    }
}

/// Statistics of one data signal over the whole file (physical units unless stated otherwise).
///
/// Fields are NaN when the file has no samples of this signal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelStats {
    /// Samples read.
    pub n_samples: u64,
    /// Smallest physical value.
    pub min: f64,
    /// Largest physical value.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Root mean square (DC included): `sqrt(mean(x²))`.
    pub rms: f64,
    /// Standard deviation (population).
    pub std: f64,
    /// Smallest digital value seen.
    pub digital_min: i32,
    /// Largest digital value seen.
    pub digital_max: i32,
    /// Flat samples: in runs of identical digital values of at least `flat_run_samples`.
    pub n_flat: u64,
    /// `n_flat / n_samples`.
    pub flat_fraction: f64,
    /// Run length (samples) from which identical values count as flat: `max(2, ceil(flat_seconds × fs))`.
    pub flat_run_samples: u64,
    /// Clipped samples: digital value at (or beyond) the header's digital minimum or maximum.
    pub n_clipped: u64,
    /// `n_clipped / n_samples`.
    pub clipped_fraction: f64,
}

/// Summary of runs of identical values in a segment, mergeable left to right.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Runs {
    len: u64,
    first: i32,
    /// Length of the run starting at the first sample.
    prefix: u64,
    last: i32,
    /// Length of the run ending at the last sample.
    suffix: u64,
    /// Samples in long (>= L) runs touching neither end.
    interior: u64,
    /// The whole segment is one run (prefix == suffix == len).
    all_same: bool,
}

impl Runs {
    const EMPTY: Runs = Runs { len: 0, first: 0, prefix: 0, last: 0, suffix: 0, interior: 0, all_same: false };

    fn merge(self, b: Runs, l: u64) -> Runs {
        if self.len == 0 {
            return b;
        }
        if b.len == 0 {
            return self;
        }
        let a = self;
        let keep = |n: u64| if n >= l { n } else { 0 };
        let len = a.len + b.len;
        if a.last == b.first {
            let joined = a.suffix + b.prefix;
            match (a.all_same, b.all_same) {
                (true, true) => Runs { len, first: a.first, prefix: len, last: b.last, suffix: len, interior: 0, all_same: true },
                (true, false) => {
                    Runs { len, first: a.first, prefix: joined, last: b.last, suffix: b.suffix, interior: b.interior, all_same: false }
                }
                (false, true) => {
                    Runs { len, first: a.first, prefix: a.prefix, last: b.last, suffix: joined, interior: a.interior, all_same: false }
                }
                (false, false) => Runs {
                    len,
                    first: a.first,
                    prefix: a.prefix,
                    last: b.last,
                    suffix: b.suffix,
                    interior: a.interior + b.interior + keep(joined),
                    all_same: false,
                },
            }
        } else {
            let mut interior = a.interior + b.interior;
            if !a.all_same {
                interior += keep(a.suffix);
            }
            if !b.all_same {
                interior += keep(b.prefix);
            }
            Runs { len, first: a.first, prefix: a.prefix, last: b.last, suffix: b.suffix, interior, all_same: false }
        }
    }

    fn flat(&self, l: u64) -> u64 {
        let keep = |n: u64| if n >= l { n } else { 0 };
        if self.all_same { keep(self.len) } else { self.interior + keep(self.prefix) + keep(self.suffix) }
    }
}

/// Accumulated digital statistics of one channel over a stretch of records.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Acc {
    n: u64,
    min: i32,
    max: i32,
    sum: i128,
    sumsq: i128,
    clipped: u64,
    runs: Runs,
}

impl Acc {
    const EMPTY: Acc = Acc { n: 0, min: i32::MAX, max: i32::MIN, sum: 0, sumsq: 0, clipped: 0, runs: Runs::EMPTY };

    fn merge(self, b: Acc, l: u64) -> Acc {
        Acc {
            n: self.n + b.n,
            min: self.min.min(b.min),
            max: self.max.max(b.max),
            sum: self.sum + b.sum,
            sumsq: self.sumsq + b.sumsq,
            clipped: self.clipped + b.clipped,
            runs: self.runs.merge(b.runs, l),
        }
    }
}

#[inline(always)]
/// Statistics of one contiguous slice of digital samples. `chunk` is the block size used to
/// find long runs (any run of at least `2 × chunk - 1` samples contains a whole chunk).
fn slice_acc(x: &[i32], l: u64, chunk: usize, dmin: i32, dmax: i32, const_chunks: &mut Vec<usize>) -> Acc {
    let n = x.len();
    if n == 0 {
        return Acc::EMPTY;
    }
    let (mut mn, mut mx, mut sum, mut sumsq) = (i32::MAX, i32::MIN, 0i128, 0i128);
    const_chunks.clear();
    for (k, c) in x.chunks(chunk).enumerate() {
        let (cmn, cmx, s, q) = chunk_stats(c);
        mn = mn.min(cmn);
        mx = mx.max(cmx);
        sum += s as i128;
        sumsq += q as i128;
        if cmn == cmx {
            const_chunks.push(k);
        }
    }
    let clipped = if mn <= dmin || mx >= dmax { x.iter().filter(|&&v| v <= dmin || v >= dmax).count() as u64 } else { 0 };

    // Runs: the one at the start, the one at the end, and long ones in between (found from the
    // constant chunks only, so that ordinary data costs nothing here).
    let first = x[0];
    let p = x.iter().position(|&v| v != first).unwrap_or(n);
    let runs = if p == n {
        Runs { len: n as u64, first, prefix: n as u64, last: first, suffix: n as u64, interior: 0, all_same: true }
    } else {
        let last = x[n - 1];
        let s = x.iter().rposition(|&v| v != last).map_or(0, |i| i + 1);
        let mut interior = 0u64;
        let mut pos = p;
        for &k in const_chunks.iter() {
            let (cs, ce) = (k * chunk, ((k + 1) * chunk).min(n));
            if cs < pos || ce > s {
                continue; // inside the run counted last, the prefix or the suffix
            }
            let v = x[cs];
            let mut a = cs;
            while a > pos && x[a - 1] == v {
                a -= 1;
            }
            let mut b = ce;
            while b < s && x[b] == v {
                b += 1;
            }
            if (b - a) as u64 >= l {
                interior += (b - a) as u64;
            }
            pos = b;
        }
        Runs { len: n as u64, first, prefix: p as u64, last, suffix: (n - s) as u64, interior, all_same: false }
    };
    Acc { n: n as u64, min: mn, max: mx, sum, sumsq, clipped, runs }
}

/// min, max, sum and sum of squares of a short slice (at most 4096 samples, so that the sums fit
/// in i64 for 24-bit data).
#[inline(always)]
fn chunk_stats(c: &[i32]) -> (i32, i32, i64, i64) {
    let (mut mn, mut mx, mut s, mut q) = (i32::MAX, i32::MIN, 0i64, 0i64);
    for &v in c {
        mn = mn.min(v);
        mx = mx.max(v);
        s += v as i64;
        q += (v as i64) * (v as i64);
    }
    (mn, mx, s, q)
}

/// Statistics of records `records`, per data signal. Dispatches to an AVX2 build of the same
/// code where the CPU has it (the portable x86-64 baseline has no vector 32-bit min/max or
/// 64-bit products).
fn block_stats(f: &EdfFile, records: std::ops::Range<usize>, l: &[u64], chunk: &[usize], bdf: bool, sb: usize) -> Vec<Acc> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { block_stats_avx2(f, records, l, chunk, bdf, sb) };
    }
    block_stats_body(f, records, l, chunk, bdf, sb)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_stats_avx2(f: &EdfFile, records: std::ops::Range<usize>, l: &[u64], chunk: &[usize], bdf: bool, sb: usize) -> Vec<Acc> {
    block_stats_body(f, records, l, chunk, bdf, sb)
}

#[inline(always)]
fn block_stats_body(f: &EdfFile, records: std::ops::Range<usize>, l: &[u64], chunk: &[usize], bdf: bool, sb: usize) -> Vec<Acc> {
    let signals = f.signals();
    let mut acc = vec![Acc::EMPTY; signals.len()];
    let mut scratch: Vec<i32> = Vec::new();
    let mut consts = Vec::new();
    for r in records {
        let rec = f.record_bytes(r);
        for (c, s) in signals.iter().enumerate() {
            let spr = s.samples_per_record;
            scratch.resize(spr, 0);
            i32::decode(&rec[s.record_offset..s.record_offset + spr * sb], bdf, 0.0, 0.0, &mut scratch);
            let a = slice_acc(&scratch, l[c], chunk[c], s.digital_min, s.digital_max, &mut consts);
            acc[c] = acc[c].merge(a, l[c]);
        }
    }
    acc
}

impl EdfFile {
    /// Read every sample of every data signal once and compute [`ChannelStats`] per signal.
    ///
    /// Runs on all cores over blocks of records and keeps memory bounded (mapped pages are
    /// released after each block). `progress` is called with the number of records finished
    /// since the last call (from worker threads).
    pub fn stats(&self, options: &StatsOptions, progress: &(dyn Fn(usize) + Sync)) -> Result<Vec<ChannelStats>> {
        let signals = self.signals();
        let nch = signals.len();
        let n = self.n_records();
        let rb = self.header().record_bytes;
        let l: Vec<u64> = signals.iter().map(|s| ((options.flat_seconds * s.fs - 1e-9).ceil().max(2.0)) as u64).collect();
        let chunk: Vec<usize> = l.iter().map(|&l| (l.div_ceil(2) as usize).clamp(1, 4096)).collect();
        let block = ((4 << 20) / rb).max(1);
        let nblocks = n.div_ceil(block);
        let bdf = self.file_type().is_bdf();
        let sb = self.file_type().sample_bytes();

        let blocks: Vec<Vec<Acc>> = (0..nblocks)
            .into_par_iter()
            .map(|b| {
                let r0 = b * block;
                let r1 = (r0 + block).min(n);
                let acc = block_stats(self, r0..r1, &l, &chunk, bdf, sb);
                self.release(r0..r1);
                progress(r1 - r0);
                acc
            })
            .collect();

        let mut total = vec![Acc::EMPTY; nch];
        for b in blocks {
            for (c, a) in b.into_iter().enumerate() {
                total[c] = total[c].merge(a, l[c]);
            }
        }
        Ok(total
            .iter()
            .zip(signals)
            .zip(&l)
            .map(|((a, s), &l)| {
                let (g, o) = (s.gain(), s.offset());
                let nf = a.n as f64;
                let (min, max, mean, std, rms) = if a.n == 0 {
                    (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN)
                } else {
                    let (lo, hi) = (g * a.min as f64 + o, g * a.max as f64 + o);
                    let mean_d = a.sum as f64 / nf;
                    // n² var = n Σx² - (Σx)², exact in i128.
                    let var_d = (a.n as i128 * a.sumsq - a.sum * a.sum) as f64 / (nf * nf);
                    let mean = g * mean_d + o;
                    let std = g.abs() * var_d.max(0.0).sqrt();
                    (lo.min(hi), lo.max(hi), mean, std, (mean * mean + std * std).sqrt())
                };
                let n_flat = a.runs.flat(l);
                let frac = |k: u64| if a.n == 0 { f64::NAN } else { k as f64 / nf };
                ChannelStats {
                    n_samples: a.n,
                    min,
                    max,
                    mean,
                    rms,
                    std,
                    digital_min: a.min,
                    digital_max: a.max,
                    n_flat,
                    flat_fraction: frac(n_flat),
                    flat_run_samples: l,
                    n_clipped: a.clipped,
                    clipped_fraction: frac(a.clipped),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: flat samples by a plain scan.
    fn flat_naive(x: &[i32], l: u64) -> u64 {
        let mut flat = 0;
        let mut i = 0;
        while i < x.len() {
            let mut j = i;
            while j < x.len() && x[j] == x[i] {
                j += 1;
            }
            if (j - i) as u64 >= l {
                flat += (j - i) as u64;
            }
            i = j;
        }
        flat
    }

    fn split_acc(x: &[i32], cuts: &[usize], l: u64) -> Acc {
        let chunk = (l.div_ceil(2) as usize).max(1);
        let mut acc = Acc::EMPTY;
        let mut prev = 0;
        let mut consts = Vec::new();
        for &c in cuts.iter().chain([x.len()].iter()) {
            acc = acc.merge(slice_acc(&x[prev..c], l, chunk, -100, 100, &mut consts), l);
            prev = c;
        }
        acc
    }

    #[test]
    fn flat_runs_across_slices_match_a_plain_scan() {
        // A deterministic mix of noise and runs of many lengths, cut at many places.
        let mut x = Vec::new();
        let mut state = 12345u32;
        let mut rnd = || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as i32
        };
        for k in 0..400 {
            let len = 1 + (rnd() % 40) as usize;
            let v = if k % 3 == 0 { 7 } else { rnd() % 5 };
            if k % 2 == 0 {
                x.extend(std::iter::repeat_n(v, len));
            } else {
                for _ in 0..len {
                    x.push(rnd() % 5 - 2);
                }
            }
        }
        for l in [2u64, 3, 5, 10, 17, 25] {
            let want = flat_naive(&x, l);
            for step in [1usize, 3, 7, 16, 50, 1000, x.len()] {
                let cuts: Vec<usize> = (1..).map(|i| i * step).take_while(|&c| c < x.len()).collect();
                let got = split_acc(&x, &cuts, l).runs.flat(l);
                assert_eq!(got, want, "l={l} step={step}");
            }
        }
    }

    #[test]
    fn vectorised_build_equals_portable_build() {
        use eimfs_core::{Recording, Signal};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.edf");
        let mut rec = Recording::default();
        let x: Vec<f32> = (0..2560).map(|i| if i % 700 < 300 { 3.0 } else { ((i * i) % 97) as f32 - 48.0 }).collect();
        rec.signals.push(Signal::new("a", "uV", 256.0, x.clone()));
        rec.signals.push(Signal::new("b", "uV", 64.0, x[..640].to_vec()));
        crate::write_recording(&p, &rec, &Default::default()).unwrap();
        let f = EdfFile::open(&p).unwrap();
        let (l, chunk) = ([256u64, 64], [128usize, 32]);
        let fast = block_stats(&f, 0..10, &l, &chunk, false, 2);
        let portable = block_stats_body(&f, 0..10, &l, &chunk, false, 2);
        assert_eq!(fast, portable);
        assert_eq!(fast[0].n, 2560);
        assert_eq!(fast[0].runs.flat(256), 1200); // four runs of 300 identical samples
    }

    #[test]
    fn slice_statistics() {
        let x = [-100, 5, 5, 5, 100, 100, 3];
        let mut consts = Vec::new();
        let a = slice_acc(&x, 3, 2, -100, 100, &mut consts);
        assert_eq!((a.n, a.min, a.max, a.sum, a.sumsq, a.clipped), (7, -100, 100, 118, 30084, 3));
        assert_eq!(a.runs.flat(3), 3);
        assert_eq!(slice_acc(&x, 2, 1, -100, 100, &mut consts).runs.flat(2), 5);
        let all = slice_acc(&[4, 4, 4], 2, 1, -100, 100, &mut consts);
        assert!(all.runs.all_same);
        assert_eq!(all.runs.flat(2), 3);
    }
}
