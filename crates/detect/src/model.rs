//! The classifier: a small versioned JSON model and our own evaluator.
//!
//! A model file holds
//! * `format` = `"eimfs-detect-model"` and `version` = 1 (this evaluator's schema);
//! * `features`: the feature names it was trained on, which must equal
//!   [`FEATURE_NAMES`] in order;
//! * `classifier`: either gradient-boosted trees (`"kind": "gbdt"`: a baseline log-odds plus
//!   the sum of the trees' leaf values, the format of scikit-learn's
//!   `HistGradientBoostingClassifier` for binary targets) or a logistic regression on standardised
//!   features (`"kind": "logistic"`); the output is the ictal probability `1 / (1 + e^−raw)`;
//! * `postprocess`: the event-assembly settings tuned together with the classifier
//!   ([`PostProcess`]);
//! * `training`: free-form provenance (command, data, seeds, date, cross-validated scores).
//!
//! The evaluator reproduces scikit-learn's `predict_proba` (checked against it by a fixture,
//! `ci/fixtures/detect_model_fixture.py`). The default model is built into the binary
//! ([`Model::embedded`]); `--model FILE` replaces it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{FEATURE_NAMES, NF};

/// The `format` value of a model file.
pub const MODEL_FORMAT: &str = "eimfs-detect-model";
/// The schema version this evaluator reads.
pub const MODEL_VERSION: u32 = 1;

/// The default model, built into the binary.
pub const EMBEDDED_MODEL: &str = include_str!("../models/default.json");

/// One regression tree in array form: node `i` is a leaf when `feature[i] < 0`; otherwise go to
/// `left[i]` when `x[feature[i]] <= threshold[i]` (or when the value is missing and
/// `missing_left[i]`), else to `right[i]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Split feature per node, −1 for leaves.
    pub feature: Vec<i32>,
    /// Split threshold per node.
    pub threshold: Vec<f64>,
    /// Left child per node.
    pub left: Vec<u32>,
    /// Right child per node.
    pub right: Vec<u32>,
    /// Leaf value per node (log-odds contribution).
    pub value: Vec<f64>,
    /// Where missing values (NaN) go per node.
    pub missing_left: Vec<bool>,
}

impl Tree {
    fn check(&self, t: usize) -> std::result::Result<(), String> {
        let n = self.feature.len();
        if n == 0 {
            return Err(format!("tree {t} has no nodes"));
        }
        for (what, len) in [
            ("threshold", self.threshold.len()),
            ("left", self.left.len()),
            ("right", self.right.len()),
            ("value", self.value.len()),
            ("missing_left", self.missing_left.len()),
        ] {
            if len != n {
                return Err(format!("tree {t}: `{what}` has {len} entries, `feature` has {n}"));
            }
        }
        for i in 0..n {
            let f = self.feature[i];
            if f >= NF as i32 {
                return Err(format!("tree {t} node {i}: feature index {f} out of range (0-{})", NF - 1));
            }
            if f >= 0 {
                let (l, r) = (self.left[i] as usize, self.right[i] as usize);
                if l <= i || r <= i || l >= n || r >= n {
                    return Err(format!("tree {t} node {i}: children {l}, {r} must be later nodes below {n}"));
                }
            }
        }
        Ok(())
    }

    /// The tree's value for one feature row.
    #[inline]
    pub fn eval(&self, x: &[f32]) -> f64 {
        let mut i = 0usize;
        loop {
            let f = self.feature[i];
            if f < 0 {
                return self.value[i];
            }
            let v = x[f as usize];
            let go_left = if v.is_nan() { self.missing_left[i] } else { (v as f64) <= self.threshold[i] };
            i = if go_left { self.left[i] } else { self.right[i] } as usize;
        }
    }
}

/// The classifier of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Classifier {
    /// Gradient-boosted trees: `raw = baseline + Σ tree(x)`.
    Gbdt {
        /// Baseline log-odds.
        baseline: f64,
        /// The trees (leaf values include the learning rate).
        trees: Vec<Tree>,
    },
    /// Logistic regression on standardised features: `raw = intercept + Σ coef·(x − mean)/scale`.
    Logistic {
        /// Feature means.
        mean: Vec<f64>,
        /// Feature scales (standard deviations).
        scale: Vec<f64>,
        /// Coefficients.
        coef: Vec<f64>,
        /// Intercept.
        intercept: f64,
    },
}

/// Event-assembly settings stored with the classifier they were tuned for (see
/// [`crate::assemble`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostProcess {
    /// Centred moving average applied to each electrode's probability, seconds (odd).
    pub smooth_seconds: usize,
    /// A region becomes ictal when its probability reaches this.
    pub threshold_on: f64,
    /// … and stays ictal while its probability is at least this.
    pub threshold_off: f64,
    /// Ictal stretches of one region separated by less than this are joined, seconds.
    pub gap_close_seconds: f64,
    /// A region's ictal stretch shorter than this is not a visit, seconds.
    pub min_region_seconds: f64,
    /// A seizure shorter than this is dropped (ACNS: 10 s), seconds.
    pub min_seizure_seconds: f64,
    /// How far `--sensitivity low|high` moves both thresholds (up|down).
    pub sensitivity_shift: f64,
}

impl Default for PostProcess {
    fn default() -> Self {
        PostProcess {
            smooth_seconds: 5,
            threshold_on: 0.5,
            threshold_off: 0.35,
            gap_close_seconds: 4.0,
            min_region_seconds: 6.0,
            min_seizure_seconds: 10.0,
            sensitivity_shift: 0.1,
        }
    }
}

/// One node of a compiled tree (see [`Compiled`]).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Node {
    /// Threshold rounded down to f32: for an f32 value `v`, `v <= t` (in f64) exactly when
    /// `v <= round_down_f32(t)`, so decisions equal the f64 comparison.
    threshold: f32,
    /// Feature index, or −1 for a leaf.
    feature: i32,
    missing_left: bool,
    left: u32,
    right: u32,
    value: f64,
}

/// The trees in one flat, cache-friendly array (built when a model is loaded).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    nodes: Vec<Node>,
    roots: Vec<u32>,
    /// The same trees padded to complete binary trees of depth `depth` (when every tree is at
    /// most [`MAX_COMPLETE_DEPTH`] deep), for branch-free evaluation of many rows at once.
    complete: Option<CompleteTrees>,
}

/// Deepest tree evaluated as a complete tree (2^8 leaves per tree at most).
pub const MAX_COMPLETE_DEPTH: usize = 8;

/// Complete binary trees in heap order: internal node `i` has children `2i + 1` and `2i + 2`;
/// a row goes right when its value is above the threshold (or is missing and `nan_right`).
/// Leaves shallower than `depth` are padded with pass-through nodes (threshold +∞, missing left)
/// whose left-most descendant leaf holds the value.
#[derive(Clone, Debug, PartialEq)]
struct CompleteTrees {
    depth: usize,
    internal: usize,
    feature: Vec<u32>,
    threshold: Vec<f32>,
    nan_right: Vec<bool>,
    leaves: Vec<f64>,
}

impl CompleteTrees {
    fn new(trees: &[Tree]) -> Option<CompleteTrees> {
        fn depth(t: &Tree, i: usize) -> usize {
            if t.feature[i] < 0 { 0 } else { 1 + depth(t, t.left[i] as usize).max(depth(t, t.right[i] as usize)) }
        }
        let d = trees.iter().map(|t| depth(t, 0)).max().unwrap_or(0);
        if d > MAX_COMPLETE_DEPTH {
            return None;
        }
        let internal = (1usize << d) - 1;
        let nl = 1usize << d;
        let mut c = CompleteTrees {
            depth: d,
            internal,
            feature: Vec::with_capacity(trees.len() * internal),
            threshold: Vec::with_capacity(trees.len() * internal),
            nan_right: Vec::with_capacity(trees.len() * internal),
            leaves: Vec::with_capacity(trees.len() * nl),
        };
        for t in trees {
            let (mut f, mut th, mut nr, mut lv) =
                (vec![0u32; internal], vec![f32::INFINITY; internal], vec![false; internal], vec![0f64; nl]);
            // (tree node, heap position, level)
            let mut stack = vec![(0usize, 0usize, 0usize)];
            while let Some((n, pos, level)) = stack.pop() {
                if t.feature[n] < 0 {
                    // Pass-through nodes below: every leaf under `pos` gets the value.
                    let span = 1usize << (d - level);
                    let first = (pos + 1) * span - 1 - internal;
                    lv[first..first + span].iter_mut().for_each(|v| *v = t.value[n]);
                    continue;
                }
                f[pos] = t.feature[n] as u32;
                th[pos] = f32_down(t.threshold[n]);
                nr[pos] = !t.missing_left[n];
                stack.push((t.left[n] as usize, 2 * pos + 1, level + 1));
                stack.push((t.right[n] as usize, 2 * pos + 2, level + 1));
            }
            c.feature.extend(f);
            c.threshold.extend(th);
            c.nan_right.extend(nr);
            c.leaves.extend(lv);
        }
        Some(c)
    }

    /// Add every tree's value for each row to `out` (trees in order, so the sums equal
    /// [`Compiled::sum`]'s).
    fn add(&self, rows: &[[f32; NF]], out: &mut [f64]) {
        if self.internal <= MAX_BITS_NODES && rows.len() >= BITS_MIN_ROWS {
            let mut scratch = EvalScratch::default();
            self.add_bits(rows, out, &mut scratch);
            return;
        }
        let (d, ni, nl) = (self.depth, self.internal, self.internal + 1);
        let n_trees = self.leaves.len() / nl;
        for t in 0..n_trees {
            let f = &self.feature[t * ni..(t + 1) * ni];
            let th = &self.threshold[t * ni..(t + 1) * ni];
            let nr = &self.nan_right[t * ni..(t + 1) * ni];
            let lv = &self.leaves[t * nl..(t + 1) * nl];
            for (x, o) in rows.iter().zip(out.iter_mut()) {
                let mut i = 0usize;
                for _ in 0..d {
                    let v = x[f[i] as usize];
                    let right = if v.is_nan() { nr[i] } else { v > th[i] };
                    i = 2 * i + 1 + right as usize;
                }
                *o += lv[i - ni];
            }
        }
    }

    /// [`CompleteTrees::add`] for trees of at most 31 internal nodes (depth ≤ 5): the features
    /// are transposed to columns; per tree every node's decision is computed for all rows at
    /// once (a branch-free, vectorised compare over a column, one bit per node), then each row
    /// walks its bits to its leaf. The decisions and the order of the additions are those of the
    /// row-by-row walk, so the sums are identical.
    fn add_bits(&self, rows: &[[f32; NF]], out: &mut [f64], scratch: &mut EvalScratch) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports the features the function is compiled for.
                unsafe { self.add_bits_avx2(rows, out, scratch) };
                return;
            }
        }
        self.add_bits_impl(rows, out, scratch);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn add_bits_avx2(&self, rows: &[[f32; NF]], out: &mut [f64], scratch: &mut EvalScratch) {
        self.add_bits_impl(rows, out, scratch);
    }

    #[inline(always)]
    fn add_bits_impl(&self, rows: &[[f32; NF]], out: &mut [f64], scratch: &mut EvalScratch) {
        let n = rows.len().min(out.len());
        let (d, ni, nl) = (self.depth, self.internal, self.internal + 1);
        let n_trees = self.leaves.len() / nl;
        let EvalScratch { cols, bits, idx } = scratch;
        cols.clear();
        cols.resize(NF * n, 0.0);
        for (r, x) in rows[..n].iter().enumerate() {
            for (f, &v) in x.iter().enumerate() {
                cols[f * n + r] = v;
            }
        }
        bits.clear();
        bits.resize(n, 0);
        let out = &mut out[..n];
        for t in 0..n_trees {
            let f = &self.feature[t * ni..(t + 1) * ni];
            let th = &self.threshold[t * ni..(t + 1) * ni];
            let nr = &self.nan_right[t * ni..(t + 1) * ni];
            let lv = &self.leaves[t * nl..(t + 1) * nl];
            bits.iter_mut().for_each(|b| *b = 0);
            for k in 0..ni {
                let col = &cols[f[k] as usize * n..(f[k] as usize + 1) * n];
                let th = th[k];
                if th == f32::INFINITY && !nr[k] {
                    continue; // pass-through node: always left
                }
                if nr[k] {
                    // Right when above the threshold or missing (NaN: hence not `v > th`).
                    #[allow(clippy::neg_cmp_op_on_partial_ord)]
                    for (b, &v) in bits.iter_mut().zip(col) {
                        *b |= ((!(v <= th)) as u32) << k;
                    }
                } else {
                    for (b, &v) in bits.iter_mut().zip(col) {
                        *b |= ((v > th) as u32) << k;
                    }
                }
            }
            // Walk level by level for all rows (vectorised variable shifts), then add the
            // leaves.
            idx.clear();
            idx.resize(n, 0);
            for _ in 0..d {
                for (i, &b) in idx.iter_mut().zip(bits.iter()) {
                    *i = 2 * *i + 1 + ((b >> *i) & 1);
                }
            }
            for (&i, o) in idx.iter().zip(out.iter_mut()) {
                *o += lv[i as usize - ni];
            }
        }
    }
}

/// Largest number of internal nodes per complete tree for the bitwise evaluation (one bit per
/// node in a `u32`).
const MAX_BITS_NODES: usize = 31;
/// Fewest rows for which the bitwise (column) evaluation pays off.
const BITS_MIN_ROWS: usize = 8;

/// Buffers of the column evaluation.
#[derive(Default)]
struct EvalScratch {
    cols: Vec<f32>,
    bits: Vec<u32>,
    idx: Vec<u32>,
}

/// The largest f32 not greater than `t`.
fn f32_down(t: f64) -> f32 {
    let f = t as f32;
    if (f as f64) > t { f.next_down() } else { f }
}

impl Compiled {
    fn new(trees: &[Tree]) -> Compiled {
        let mut c = Compiled { complete: CompleteTrees::new(trees), ..Compiled::default() };
        for t in trees {
            let base = c.nodes.len() as u32;
            c.roots.push(base);
            for i in 0..t.feature.len() {
                c.nodes.push(Node {
                    threshold: f32_down(t.threshold[i]),
                    feature: t.feature[i],
                    missing_left: t.missing_left[i],
                    left: base + t.left[i],
                    right: base + t.right[i],
                    value: t.value[i],
                });
            }
        }
        c
    }

    /// `init` plus every tree's value, added tree by tree (scikit-learn's order).
    #[inline]
    fn sum(&self, x: &[f32], init: f64) -> f64 {
        let mut total = init;
        for &r in &self.roots {
            let mut n = &self.nodes[r as usize];
            while n.feature >= 0 {
                let v = x[n.feature as usize];
                let left = if v.is_nan() { n.missing_left } else { v <= n.threshold };
                n = &self.nodes[if left { n.left } else { n.right } as usize];
            }
            total += n.value;
        }
        total
    }
}

/// A detection model: classifier plus the settings tuned with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Schema version, [`MODEL_VERSION`].
    pub version: u32,
    /// Model name, e.g. `eimfs-default-2026-11`.
    pub name: String,
    /// Feature names, in row order.
    pub features: Vec<String>,
    /// The classifier.
    pub classifier: Classifier,
    /// Event-assembly settings.
    #[serde(default)]
    pub postprocess: PostProcess,
    /// Provenance (free-form).
    #[serde(default)]
    pub training: serde_json::Value,
    /// The trees compiled for evaluation.
    #[serde(skip)]
    compiled: Compiled,
}

impl Model {
    /// Parse and check a model. `source` names it in errors (a path or `embedded`).
    pub fn from_json(text: &str, source: &str) -> Result<Model> {
        let err = |message: String| Error::Model { source_name: source.to_string(), message };
        let mut m: Model = serde_json::from_str(text).map_err(|e| err(format!("not a valid model file: {e}")))?;
        if m.format != MODEL_FORMAT {
            return Err(err(format!("field `format` is {:?}, expected {MODEL_FORMAT:?}", m.format)));
        }
        if m.version != MODEL_VERSION {
            return Err(err(format!("field `version` is {}, this eimfs reads version {MODEL_VERSION}", m.version)));
        }
        if m.features.len() != NF || m.features.iter().zip(FEATURE_NAMES).any(|(a, b)| a != b) {
            return Err(err(format!(
                "field `features` lists [{}]; this eimfs computes [{}]",
                m.features.join(", "),
                FEATURE_NAMES.join(", ")
            )));
        }
        match &m.classifier {
            Classifier::Gbdt { trees, baseline } => {
                if !baseline.is_finite() {
                    return Err(err("classifier baseline is not finite".into()));
                }
                for (t, tree) in trees.iter().enumerate() {
                    tree.check(t).map_err(err)?;
                }
            }
            Classifier::Logistic { mean, scale, coef, intercept } => {
                for (what, v) in [("mean", mean), ("scale", scale), ("coef", coef)] {
                    if v.len() != NF {
                        return Err(err(format!("logistic `{what}` has {} entries, expected {NF}", v.len())));
                    }
                }
                if scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) || !intercept.is_finite() {
                    return Err(err("logistic `scale` must be positive and `intercept` finite".into()));
                }
            }
        }
        let p = &m.postprocess;
        if !(0.0 < p.threshold_off && p.threshold_off <= p.threshold_on && p.threshold_on < 1.0) {
            return Err(err(format!(
                "postprocess thresholds must satisfy 0 < threshold_off <= threshold_on < 1, found {} and {}",
                p.threshold_off, p.threshold_on
            )));
        }
        if p.smooth_seconds == 0 || p.smooth_seconds.is_multiple_of(2) {
            return Err(err(format!("postprocess smooth_seconds must be odd, found {}", p.smooth_seconds)));
        }
        if let Classifier::Gbdt { trees, .. } = &m.classifier {
            m.compiled = Compiled::new(trees);
        }
        Ok(m)
    }

    /// Read a model file.
    pub fn from_file(path: &std::path::Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Model::from_json(&text, &path.display().to_string())
    }

    /// The model built into the binary.
    pub fn embedded() -> Model {
        Model::from_json(EMBEDDED_MODEL, "embedded").expect("the embedded model is valid (checked by a test)")
    }

    /// Raw score (log-odds) of a feature row.
    pub fn raw(&self, x: &[f32]) -> f64 {
        match &self.classifier {
            Classifier::Gbdt { baseline, trees } => {
                if self.compiled.roots.len() == trees.len() {
                    self.compiled.sum(x, *baseline)
                } else {
                    trees.iter().fold(*baseline, |acc, t| acc + t.eval(x))
                }
            }
            Classifier::Logistic { mean, scale, coef, intercept } => {
                intercept + x.iter().zip(mean).zip(scale).zip(coef).map(|(((&v, m), s), c)| c * (v as f64 - m) / s).sum::<f64>()
            }
        }
    }

    /// Ictal probability of a feature row.
    pub fn probability(&self, x: &[f32]) -> f64 {
        1.0 / (1.0 + (-self.raw(x)).exp())
    }

    /// Ictal probabilities of many rows (faster than one at a time for tree models: each tree
    /// is walked for all rows, branch-free).
    pub fn probabilities(&self, rows: &[[f32; NF]], out: &mut [f64]) {
        match (&self.classifier, &self.compiled.complete) {
            (Classifier::Gbdt { baseline, trees }, Some(c)) if self.compiled.roots.len() == trees.len() => {
                out.iter_mut().for_each(|o| *o = *baseline);
                c.add(rows, out);
                out.iter_mut().for_each(|o| *o = 1.0 / (1.0 + (-*o).exp()));
            }
            _ => {
                for (x, o) in rows.iter().zip(out.iter_mut()) {
                    *o = self.probability(x);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_json(classifier: &str) -> String {
        let names: Vec<String> = FEATURE_NAMES.iter().map(|n| format!("\"{n}\"")).collect();
        format!(r#"{{"format":"eimfs-detect-model","version":1,"name":"t","features":[{}],"classifier":{classifier}}}"#, names.join(","))
    }

    #[test]
    fn gbdt_evaluates_trees_with_missing_values() {
        // One stump on feature 1 (x <= 2.5 → -1, else +2; NaN goes right) and a constant tree.
        let c = r#"{"kind":"gbdt","baseline":0.5,"trees":[
            {"feature":[1,-1,-1],"threshold":[2.5,0,0],"left":[1,0,0],"right":[2,0,0],"value":[0,-1.0,2.0],"missing_left":[false,false,false]},
            {"feature":[-1],"threshold":[0],"left":[0],"right":[0],"value":[0.25],"missing_left":[false]}]}"#;
        let m = Model::from_json(&model_json(c), "test").unwrap();
        let mut x = [0f32; NF];
        x[1] = 2.5;
        assert_eq!(m.raw(&x), 0.5 - 1.0 + 0.25);
        x[1] = 2.6;
        assert_eq!(m.raw(&x), 0.5 + 2.0 + 0.25);
        x[1] = f32::NAN;
        assert_eq!(m.raw(&x), 2.75);
        assert!((m.probability(&x) - 1.0 / (1.0 + (-2.75f64).exp())).abs() < 1e-15);
        assert_eq!(m.postprocess, PostProcess::default());
    }

    #[test]
    fn rounded_down_thresholds_decide_like_f64() {
        for t in [0.1f64, -0.1, 1.0 / 3.0, 2.5, -7.25e-3, 1e-40, 123456.789] {
            let d = f32_down(t);
            assert!((d as f64) <= t);
            assert!((d.next_up() as f64) > t);
            for v in [d.next_down(), d, d.next_up(), t as f32] {
                assert_eq!((v as f64) <= t, v <= d, "t {t} v {v}");
            }
        }
    }

    #[test]
    fn logistic_standardises() {
        let mean = vec![1.0; NF];
        let scale = vec![2.0; NF];
        let mut coef = vec![0.0; NF];
        coef[0] = 4.0;
        let c = serde_json::json!({"kind": "logistic", "mean": mean, "scale": scale, "coef": coef, "intercept": -1.0});
        let m = Model::from_json(&model_json(&c.to_string()), "test").unwrap();
        let mut x = [0f32; NF];
        x[0] = 3.0;
        assert_eq!(m.raw(&x), -1.0 + 4.0 * (3.0 - 1.0) / 2.0);
    }

    #[test]
    fn malformed_models_are_refused_with_the_reason() {
        let bad_child = r#"{"kind":"gbdt","baseline":0,"trees":[{"feature":[0],"threshold":[1],"left":[0],"right":[0],"value":[0],"missing_left":[true]}]}"#;
        let e = Model::from_json(&model_json(bad_child), "m.json").unwrap_err().to_string();
        assert_eq!(e, "model m.json: tree 0 node 0: children 0, 0 must be later nodes below 1");
        let e = Model::from_json(r#"{"format":"x","version":1}"#, "m.json").unwrap_err().to_string();
        assert!(e.starts_with("model m.json: not a valid model file"), "{e}");
        let text = model_json(r#"{"kind":"gbdt","baseline":0,"trees":[]}"#).replace("\"log_rms\"", "\"rms\"");
        let e = Model::from_json(&text, "m.json").unwrap_err().to_string();
        assert!(e.contains("field `features` lists [rms, "), "{e}");
        let text = model_json(r#"{"kind":"gbdt","baseline":0,"trees":[]}"#).replace("\"version\":1", "\"version\":7");
        let e = Model::from_json(&text, "m.json").unwrap_err().to_string();
        assert_eq!(e, "model m.json: field `version` is 7, this eimfs reads version 1");
    }

    #[test]
    fn batch_evaluation_equals_row_by_row() {
        // The column (bitwise) evaluation of many rows must give exactly the probabilities of the
        // node-by-node walk of each row, missing values and values equal to thresholds included.
        let m = Model::embedded();
        let Classifier::Gbdt { trees, .. } = &m.classifier else { panic!("the embedded model is a gbdt") };
        let thresholds: Vec<f32> = trees.iter().flat_map(|t| t.threshold.iter().map(|&v| v as f32)).collect();
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let rows: Vec<[f32; NF]> = (0..203)
            .map(|_| {
                let mut x = [0f32; NF];
                for v in x.iter_mut() {
                    *v = match next() % 10 {
                        0 => f32::NAN,
                        1..=4 => thresholds[next() as usize % thresholds.len()],
                        _ => (next() % 2000) as f32 / 100.0 - 10.0,
                    };
                }
                x
            })
            .collect();
        let mut batch = vec![0f64; rows.len()];
        m.probabilities(&rows, &mut batch);
        let mut differing = 0;
        for (x, &p) in rows.iter().zip(&batch) {
            let one = m.probability(x);
            let walked = 1.0
                / (1.0
                    + (-trees.iter().fold(
                        match &m.classifier {
                            Classifier::Gbdt { baseline, .. } => *baseline,
                            _ => 0.0,
                        },
                        |a, t| a + t.eval(x),
                    ))
                    .exp());
            assert_eq!(p.to_bits(), one.to_bits());
            assert_eq!(p.to_bits(), walked.to_bits());
            differing += (p != batch[0]) as usize;
        }
        // The rows are varied enough to reach many leaves.
        assert!(differing > 150, "{differing}");
    }

    #[test]
    fn embedded_model_is_valid() {
        let m = Model::embedded();
        assert_eq!(m.format, MODEL_FORMAT);
        assert_eq!(m.features.len(), NF);
        // A flat-ish background row is far from ictal.
        let x = [0f32; NF];
        assert!(m.probability(&x).is_finite());
    }
}
