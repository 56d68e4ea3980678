//! Runs an Epileptor network described by a JSON configuration and reports its speed; the eimfs
//! side of `bench/sim_vs_tvb.py`.
//!
//! ```text
//! cargo run --release -p eimfs-sim --example tvb_epileptor -- CONFIG.json
//! ```
//!
//! Configuration (all times in ms):
//! ```json
//! { "connectivity": "connectivity_76.zip", "speed": 3.0, "dt": 0.05, "length_ms": 1000.0,
//!   "coupling_a": 1.0, "precision": "double" | "tvb_single",
//!   "params": { "Ks": -0.2, "Kf": 0.1, "r": 0.00015 },          // others: TVB defaults
//!   "x0": [ ... one per region ... ],
//!   "initial_state": [ [x1, y1, z, x2, y2, g], ... one per region ... ],
//!   "nsig": [0, 0, 0, 0.0003, 0.0003, 0] | null,   "seed": 42,
//!   "avx2": true,                                                // false: portable build
//!   "tavg_period": 1.0,                                          // TemporalAverage, or null
//!   "eeg": { "gain": "gain.f64", "n_sensors": 65, "period": 1.0, "obs_noise_std": 0.2236 } | null,
//!   "output": "prefix" | null }
//! ```
//! The EEG gain file is `n_sensors × n_regions` little-endian float64, row-major. Monitors record
//! TVB's default Epileptor observables (`x2 − x1`, `z`). With `output`, each monitor's samples
//! are written to `<prefix>.m<k>.f64` (little-endian float64, `samples × 2 × columns`). Prints
//! one JSON line: steps, wall and CPU seconds of the run, simulated seconds per wall and per CPU
//! second, peak RSS. Single-threaded.

use eimfs_sim::connectivity::Connectivity;
use eimfs_sim::epileptor::{Epileptor, EpileptorParams};
use eimfs_sim::network::{CouplingPrecision, Difference, Monitor, Noise, Simulation, Sink};
use serde_json::Value;
use std::io::Write;
use std::time::Instant;

/// Writes samples to files (or counts them when there is no output).
struct FileSink {
    files: Vec<Option<std::io::BufWriter<std::fs::File>>>,
    samples: Vec<u64>,
}

impl Sink for FileSink {
    fn record(&mut self, monitor: usize, _time: f64, data: &[f64]) {
        self.samples[monitor] += 1;
        if let Some(f) = &mut self.files[monitor] {
            for v in data {
                f.write_all(&v.to_le_bytes()).expect("write output");
            }
        }
    }
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`, ns on CPU).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: tvb_epileptor CONFIG.json")?;
    let cfg: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let num = |v: &Value, what: &str| v.as_f64().ok_or_else(|| format!("{path}: `{what}` must be a number"));
    let conn = Connectivity::from_tvb_zip(cfg["connectivity"].as_str().ok_or("`connectivity` missing")?)?;
    let n = conn.n_regions();

    let mut p = EpileptorParams::default();
    if let Some(obj) = cfg["params"].as_object() {
        for (k, v) in obj {
            let v = num(v, k)?;
            match k.as_str() {
                "a" => p.a = v,
                "b" => p.b = v,
                "c" => p.c = v,
                "d" => p.d = v,
                "r" => p.r = v,
                "Iext" => p.iext = v,
                "slope" => p.slope = v,
                "Iext2" => p.iext2 = v,
                "tau" => p.tau = v,
                "aa" => p.aa = v,
                "bb" => p.bb = v,
                "Kvf" => p.kvf = v,
                "Kf" => p.kf = v,
                "Ks" => p.ks = v,
                "tt" => p.tt = v,
                other => {
                    return Err(format!("{path}: unknown Epileptor parameter `{other}`").into());
                }
            }
        }
    }
    let x0: Vec<f64> = cfg["x0"].as_array().ok_or("`x0` missing")?.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect();
    let model = Epileptor::uniform(n, p).with_x0(&x0)?;
    let initial: Vec<[f64; 6]> = cfg["initial_state"]
        .as_array()
        .ok_or("`initial_state` missing")?
        .iter()
        .map(|row| {
            let r: Vec<f64> = row.as_array().map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()).unwrap_or_default();
            r.try_into().map_err(|_| "each initial_state row needs 6 numbers")
        })
        .collect::<Result<_, _>>()?;
    let precision = match cfg["precision"].as_str().unwrap_or("double") {
        "double" => CouplingPrecision::Double,
        "tvb_single" => CouplingPrecision::TvbSingle,
        other => return Err(format!("{path}: unknown precision `{other}`").into()),
    };
    let dt = num(&cfg["dt"], "dt")?;
    let mut b = Simulation::builder(model, Difference { a: num(&cfg["coupling_a"], "coupling_a")? }, &conn)
        .speed(num(&cfg["speed"], "speed")?)
        .dt(dt)
        .precision(precision)
        .allow_avx2(cfg["avx2"].as_bool().unwrap_or(true))
        .seed(cfg["seed"].as_u64().unwrap_or(0))
        .initial_state(initial);
    if let Some(nsig) = cfg["nsig"].as_array() {
        b = b.noise(Noise::per_variable(nsig.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect()));
    }
    let mut n_mon = 0;
    if let Some(period) = cfg["tavg_period"].as_f64() {
        b = b.monitor(Monitor::temporal_average(period));
        n_mon += 1;
    }
    if cfg["eeg"].is_object() {
        let e = &cfg["eeg"];
        let bytes = std::fs::read(e["gain"].as_str().ok_or("`eeg.gain` missing")?)?;
        let gain: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
        let ns = e["n_sensors"].as_u64().ok_or("`eeg.n_sensors` missing")? as usize;
        b = b.monitor(
            Monitor::projection(gain, ns, num(&e["period"], "eeg.period")?).with_obs_noise(e["obs_noise_std"].as_f64().unwrap_or(0.0)),
        );
        n_mon += 1;
    }
    let mut sim = b.build()?;
    let mut sink = FileSink { files: Vec::new(), samples: vec![0; n_mon] };
    for k in 0..n_mon {
        sink.files.push(match cfg["output"].as_str() {
            Some(prefix) => Some(std::io::BufWriter::new(std::fs::File::create(format!("{prefix}.m{k}.f64"))?)),
            None => None,
        });
    }
    let length = num(&cfg["length_ms"], "length_ms")?;
    let c0 = cpu_seconds();
    let t0 = Instant::now();
    sim.run_for(length, &mut sink);
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(c0).map(|(b, a)| b - a);
    for f in sink.files.iter_mut().flatten() {
        f.flush()?;
    }
    let result = serde_json::json!({
        "regions": n,
        "connections": sim.n_connections(),
        "horizon": sim.horizon(),
        "steps": sim.step(),
        "simulated_s": sim.time() / 1000.0,
        "wall_s": wall,
        "sim_s_per_wall_s": sim.time() / 1000.0 / wall,
        "cpu_s": cpu,
        "sim_s_per_cpu_s": cpu.map(|c| sim.time() / 1000.0 / c),
        "avx2": sim.uses_avx2(),
        "steps_per_s": sim.step() as f64 / wall,
        "samples": sink.samples,
        "peak_rss_kb": peak_rss_kb(),
        "precision": format!("{precision:?}"),
        "stochastic": sim.is_stochastic(),
    });
    println!("{result}");
    Ok(())
}
