//! The JSON model evaluator against scikit-learn's `predict_proba` (fixture written by
//! `ci/fixtures/detect_model_fixture.py`).

use eimfs_detect::model::{Classifier, Model};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/model_fixture.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn check(kind: &str) -> (usize, f64) {
    let f = fixture();
    let part = &f[kind];
    let model = Model::from_json(&part["model"].to_string(), kind).unwrap();
    let rows = part["rows"].as_array().unwrap();
    let proba = part["proba"].as_array().unwrap();
    assert_eq!(rows.len(), proba.len());
    let mut worst = 0.0f64;
    for (r, p) in rows.iter().zip(proba) {
        let x: Vec<f32> = r.as_array().unwrap().iter().map(|v| v.as_f64().map(|v| v as f32).unwrap_or(f32::NAN)).collect();
        let want = p.as_f64().unwrap();
        let got = model.probability(&x);
        worst = worst.max((got - want).abs());
    }
    (rows.len(), worst)
}

#[test]
fn gradient_boosted_trees_equal_sklearn() {
    let f = fixture();
    let model = Model::from_json(&f["gbdt"]["model"].to_string(), "gbdt").unwrap();
    match &model.classifier {
        Classifier::Gbdt { trees, .. } => assert_eq!(trees.len(), 40),
        other => panic!("expected gbdt, got {other:?}"),
    }
    let (n, worst) = check("gbdt");
    assert_eq!(n, 200);
    // Rows with missing values included; same doubles summed in the same order.
    assert!(worst < 1e-12, "largest difference from predict_proba: {worst:e}");
}

#[test]
fn logistic_regression_equals_sklearn() {
    let (n, worst) = check("logistic");
    assert_eq!(n, 200);
    assert!(worst < 1e-12, "largest difference from predict_proba: {worst:e}");
}

#[test]
fn batch_evaluation_equals_row_by_row() {
    let f = fixture();
    let model = Model::from_json(&f["gbdt"]["model"].to_string(), "gbdt").unwrap();
    let rows: Vec<[f32; eimfs_detect::features::NF]> = f["gbdt"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut x = [0f32; eimfs_detect::features::NF];
            for (o, v) in x.iter_mut().zip(r.as_array().unwrap()) {
                *o = v.as_f64().map(|v| v as f32).unwrap_or(f32::NAN);
            }
            x
        })
        .collect();
    let mut batch = vec![0f64; rows.len()];
    model.probabilities(&rows, &mut batch);
    let proba = f["gbdt"]["proba"].as_array().unwrap();
    for ((x, b), p) in rows.iter().zip(&batch).zip(proba) {
        assert_eq!(*b, model.probability(x));
        assert!((b - p.as_f64().unwrap()).abs() < 1e-12);
    }
}
