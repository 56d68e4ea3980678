"""Export scikit-learn classifiers to the eimfs detector's JSON model format (version 1).

See crates/detect/src/model.rs for the schema. Gradient-boosted trees come from a fitted
`HistGradientBoostingClassifier` (binary, numerical features): baseline log-odds plus, per tree,
the node arrays (feature, threshold, left, right, value, missing_left); leaf values already include
the learning rate, exactly as scikit-learn sums them in `_raw_predict`. Logistic regressions come
from a `Pipeline(StandardScaler, LogisticRegression)`.
"""

import json

import numpy as np

FORMAT = "eimfs-detect-model"
VERSION = 1


def _tree(nodes):
    leaf = nodes["is_leaf"].astype(bool)
    if nodes["is_categorical"].any():
        raise ValueError("categorical splits are not supported by the eimfs evaluator")
    return {
        "feature": [-1 if l else int(f) for f, l in zip(nodes["feature_idx"], leaf)],
        # scikit-learn splits "missing vs present" with an infinite threshold; JSON has no
        # infinity, and the largest double decides the same for every finite value.
        "threshold": [0.0 if l else float(np.clip(t, -np.finfo(np.float64).max, np.finfo(np.float64).max)) for t, l in zip(nodes["num_threshold"], leaf)],
        "left": [0 if l else int(v) for v, l in zip(nodes["left"], leaf)],
        "right": [0 if l else int(v) for v, l in zip(nodes["right"], leaf)],
        "value": [float(v) if l else 0.0 for v, l in zip(nodes["value"], leaf)],
        "missing_left": [bool(m) for m in nodes["missing_go_to_left"]],
    }


def gbdt_classifier(model):
    """The `classifier` object of a fitted binary HistGradientBoostingClassifier."""
    if len(model.classes_) != 2:
        raise ValueError("binary classifiers only")
    baseline = float(np.asarray(model._baseline_prediction).ravel()[0])
    trees = [_tree(pred[0].nodes) for pred in model._predictors]
    return {"kind": "gbdt", "baseline": baseline, "trees": trees}


def logistic_classifier(pipeline):
    """The `classifier` object of a fitted Pipeline(StandardScaler, LogisticRegression)."""
    scaler, lr = pipeline[0], pipeline[-1]
    return {
        "kind": "logistic",
        "mean": [float(v) for v in scaler.mean_],
        "scale": [float(v) for v in scaler.scale_],
        "coef": [float(v) for v in lr.coef_.ravel()],
        "intercept": float(lr.intercept_.ravel()[0]),
    }


def model_json(name, features, classifier, postprocess=None, training=None):
    m = {"format": FORMAT, "version": VERSION, "name": name, "features": list(features), "classifier": classifier}
    if postprocess is not None:
        m["postprocess"] = postprocess
    m["training"] = training or {}
    return m


def dump(model, path):
    with open(path, "w") as f:
        json.dump(model, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


def predict(classifier, X):
    """Ictal probability of the rows of X under a `gbdt` classifier object (as the eimfs evaluator
    computes it: left when the value is at most the threshold, missing values as `missing_left`)."""
    if classifier["kind"] != "gbdt":
        raise ValueError("gbdt classifiers only")
    X = np.asarray(X, dtype=np.float64)
    raw = np.full(len(X), classifier["baseline"])
    rows = np.arange(len(X))
    for t in classifier["trees"]:
        feature, threshold = np.asarray(t["feature"]), np.asarray(t["threshold"])
        left, right, value = np.asarray(t["left"]), np.asarray(t["right"]), np.asarray(t["value"])
        missing_left = np.asarray(t["missing_left"])
        node = np.zeros(len(X), dtype=int)
        while True:
            inner = feature[node] >= 0
            if not inner.any():
                break
            r, n = rows[inner], node[inner]
            v = X[r, feature[n]]
            go_left = np.where(np.isnan(v), missing_left[n], v <= threshold[n])
            node[inner] = np.where(go_left, left[n], right[n])
        raw += value[node]
    return 1.0 / (1.0 + np.exp(-raw))
