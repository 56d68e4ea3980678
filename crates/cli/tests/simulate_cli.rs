//! `eimfs simulate`: outputs, determinism, TVB connectivity and lead-field files, and clear errors
//! naming the field for bad parameters.

mod common;
use common::eimfs;
use std::path::Path;
use std::process::Command;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_parameters_name_the_field() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["simulate", "--duration", "-5", "--out", out], "duration"),
        (&["simulate", "--duration", "10x", "--out", out], "duration"),
        (&["simulate", "--variant", "R999X", "--duration", "10", "--out", out], "unknown variant `R999X`"),
        (&["simulate", "--fs", "32", "--duration", "10", "--out", out], "fs"),
        (&["simulate", "--quinidine", "-1", "--duration", "10", "--out", out], "quinidine"),
        (&["simulate", "--variant", "custom:f0=2", "--duration", "10", "--out", out], "variant.open_fraction"),
    ];
    for (args, needle) in cases {
        let o = eimfs(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(needle), "{args:?}: {e}");
    }
    // Nothing was written.
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
}

#[test]
fn malformed_scenario_and_connectivity_files() {
    let d = tempfile::tempdir().unwrap();
    let sc = d.path().join("bad.toml");
    std::fs::write(&sc, "duration = \"1m\"\n\n[[seizure]]\nonset = 5.0\npath = [\"L_central\", \"L_nowhere\"]\ndwell = 10.0\n").unwrap();
    let o = eimfs(&["simulate", "--scenario", sc.to_str().unwrap(), "--out", d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.toml:3: seizure 1: field `path`: unknown region `L_nowhere`"), "{e}");
    std::fs::write(&sc, "[[seizure]]\nonset = 5.0\npath = [\"L_central\"]\ndwell = 10.0\nspeed = 2\n").unwrap();
    let e = stderr(&eimfs(&["simulate", "--scenario", sc.to_str().unwrap(), "--out", d.path().to_str().unwrap()]));
    assert!(e.contains("bad.toml:") && e.contains("speed"), "{e}");
    let zip = d.path().join("conn.zip");
    std::fs::write(&zip, b"not a zip").unwrap();
    let e = stderr(&eimfs(&["simulate", "--connectivity", zip.to_str().unwrap(), "--duration", "10", "--out", d.path().to_str().unwrap()]));
    assert!(e.contains("conn.zip"), "{e}");
    let lf = d.path().join("lf.tsv");
    std::fs::write(&lf, "sensor\ta\tb\nFp1\t1\t2\n").unwrap();
    let e = stderr(&eimfs(&["simulate", "--leadfield", lf.to_str().unwrap(), "--duration", "10", "--out", d.path().to_str().unwrap()]));
    assert!(e.contains("lf.tsv") && e.contains("missing rows for 10-20 electrodes"), "{e}");
}

fn files(dir: &Path, name: &str) -> (Vec<u8>, String, String) {
    (
        std::fs::read(dir.join(format!("{name}.edf"))).unwrap(),
        std::fs::read_to_string(dir.join(format!("{name}_events.tsv"))).unwrap(),
        std::fs::read_to_string(dir.join(format!("{name}_truth.json"))).unwrap(),
    )
}

#[test]
fn scenario_run_writes_three_files_deterministically() {
    let d = tempfile::tempdir().unwrap();
    let sc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario_example.toml");
    let run = |name: &str, threads: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_eimfs"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "-q",
                "simulate",
                "--scenario",
                sc.to_str().unwrap(),
                "--duration",
                "6m",
                "--seed",
                "5",
                "--out",
                d.path().to_str().unwrap(),
                "--name",
                name,
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run("a", "1");
    run("b", "2");
    let (ea, ta, ja) = files(d.path(), "a");
    let (eb, tb, jb) = files(d.path(), "b");
    assert_eq!(ea, eb, "EDF differs between runs with 1 and 2 threads");
    assert_eq!(ta, tb);
    assert_eq!(ja, jb);
    // The scripted seizures are in the truth: onsets near 60, 240, 400 and 420 s.
    let truth: serde_json::Value = serde_json::from_str(&ja).unwrap();
    let onsets: Vec<f64> = truth["seizures"].as_array().unwrap().iter().map(|s| s["onset"].as_f64().unwrap()).collect();
    for want in [60.0, 240.0] {
        assert!(onsets.iter().any(|o| (o - want).abs() < 3.0), "no seizure near {want}: {onsets:?}");
    }
    assert!(ta.starts_with("onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"));
    assert!(ta.contains("\tsz_foc\t"));
    // EDF+C header: version 0, 19 signals + annotations.
    assert_eq!(&ea[0..8], b"0       ");
    assert_eq!(std::str::from_utf8(&ea[252..256]).unwrap().trim(), "20");
    assert!(std::str::from_utf8(&ea[192..236]).unwrap().starts_with("EDF+C"));
}

#[test]
fn tvb_connectivity_and_leadfield_files() {
    use eimfs_sim::connectivity::Connectivity;
    let d = tempfile::tempdir().unwrap();
    // A small TVB-style connectivity: 8 regions on a ring, both hemispheres.
    let n = 8;
    let labels: Vec<String> = (0..n).map(|i| format!("{}R{i}", if i < 4 { "l" } else { "r" })).collect();
    let mut w = vec![0.0; n * n];
    let mut tl = vec![0.0; n * n];
    let centres: Vec<[f64; 3]> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            [if i < 4 { -40.0 } else { 40.0 }, 60.0 * a.cos(), 30.0 + 20.0 * a.sin()]
        })
        .collect();
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let dd: f64 = (0..3).map(|k| (centres[i][k] - centres[j][k]).powi(2)).sum::<f64>().sqrt();
                tl[i * n + j] = dd;
                w[i * n + j] = (-dd / 40.0).exp();
            }
        }
    }
    let conn = Connectivity::new(labels, w, tl, centres).unwrap();
    let zip = d.path().join("ring.zip");
    conn.write_tvb_zip(&zip).unwrap();
    let out = d.path().to_str().unwrap();
    // The lead field of this network in the documented file format, then a run that reads both.
    let lf = d.path().join("lf.tsv");
    let o = eimfs(&["-q", "simulate", "leadfield", "--connectivity", zip.to_str().unwrap(), "--out", lf.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = eimfs(&[
        "-q",
        "simulate",
        "--connectivity",
        zip.to_str().unwrap(),
        "--leadfield",
        lf.to_str().unwrap(),
        "--duration",
        "60",
        "--name",
        "ring",
        "--out",
        out,
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.path().join("ring_truth.json")).unwrap()).unwrap();
    assert_eq!(truth["network"]["n_regions"], 8);
    assert_eq!(truth["regions"].as_array().unwrap().len(), 8);
    // A lead field with the wrong number of columns is refused, naming the file.
    let o = eimfs(&["-q", "simulate", "--leadfield", lf.to_str().unwrap(), "--duration", "10", "--out", out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("8 sources (columns) for a network of 22 regions"), "{}", stderr(&o));
}

#[test]
fn cells_subcommand_prints_table_and_json() {
    let o = eimfs(&["simulate", "cells", "--variant", "gof", "--steps", "5", "--max-current", "4", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["curves"].as_array().unwrap().len(), 6);
    let effects = v["population_effects"].as_array().unwrap();
    let gain = |c: &str| effects.iter().find(|e| e["cell"] == c).unwrap()["gain"].as_f64().unwrap();
    assert!(gain("sst") < gain("pyramidal") && gain("pyramidal") < 1.0);
    let o = eimfs(&["simulate", "cells", "--variant", "wt", "--steps", "3", "--max-current", "2"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("sst cell") && text.contains("population gains"), "{text}");
}
