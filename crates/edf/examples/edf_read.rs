//! Decode every sample of a file and report the time, for `bench/edf_read.py`.
//!
//! `cargo run --release -p eimfs-edf --example edf_read -- MODE FILE`
//!
//! * `whole`: [`EdfFile::read_recording`]: every data signal as physical `f32` in memory (all
//!   cores), like the peers' whole-file reads.
//! * `stream`: [`EdfFile::chunks`] over all channels, about 16 MB of file per chunk, each chunk
//!   decoded to physical `f32` into the same buffers (`Chunks::next_into`): bounded memory.
//!
//! Prints `seconds=<open + decode time> samples=<count> checksum=<sum of the first and last value
//! of every decoded block>` on stdout.

use std::time::Instant;

use eimfs_edf::EdfFile;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 || !matches!(args[1].as_str(), "whole" | "stream") {
        eprintln!("usage: edf_read whole|stream FILE");
        std::process::exit(2);
    }
    let t0 = Instant::now();
    let f = match EdfFile::open(&args[2]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let (mut samples, mut checksum) = (0usize, 0f64);
    if args[1] == "whole" {
        let rec = f.read_recording().expect("decode");
        for s in &rec.signals {
            samples += s.samples.len();
            checksum += ends(&s.samples);
        }
    } else {
        let all: Vec<usize> = (0..f.signals().len()).collect();
        let mut chunks = f.chunks(&all, f.records_per_chunk(16 << 20)).expect("channels");
        let mut chunk = eimfs_edf::Chunk::default();
        while chunks.next_into(&mut chunk) {
            for d in &chunk.data {
                samples += d.len();
                checksum += ends(d);
            }
        }
    }
    println!("seconds={} samples={samples} checksum={checksum}", t0.elapsed().as_secs_f64());
}

/// First plus last value (keeps the decoded data observable without timing a full pass over it).
fn ends(x: &[f32]) -> f64 {
    x.first().map_or(0.0, |&v| v as f64) + x.last().map_or(0.0, |&v| v as f64)
}
