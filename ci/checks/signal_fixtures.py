#!/usr/bin/env python3
"""Regenerate the eimfs-signal scipy fixtures in a temporary directory with CI's pinned venv and
check they match the checked-in ones (crates/signal/tests/data/) to RTOL relative, so the Rust
tests always compare against what the pinned scipy computes. Exits non-zero on any difference."""
import importlib.util
import json
import pathlib
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "crates" / "signal" / "tests" / "data"
# Relative tolerance. Not 1e-12: scipy's linear algebra (sosfilt_zi solves a linear system through
# LAPACK) runs on OpenBLAS kernels chosen per CPU, and the same pinned scipy differs between
# machines by a few 1e-12 (1.2e-12 on sfzi_bp4_notch60 on an AVX-512 machine against the
# checked-in fixtures, written on another machine). A change of scipy's semantics is far
# larger than 1e-9.
RTOL = 1e-9


def compare(a, b, path, errors):
    if isinstance(a, dict):
        if set(a) != set(b):
            errors.append(f"{path}: keys {sorted(set(a) ^ set(b))} differ")
            return
        for k in a:
            compare(a[k], b[k], f"{path}.{k}", errors)
    elif isinstance(a, list):
        if len(a) != len(b):
            errors.append(f"{path}: length {len(a)} vs {len(b)}")
            return
        if a and all(isinstance(v, (int, float)) for v in a):
            x, y = np.asarray(a, float), np.asarray(b, float)
            scale = max(np.abs(y).max(), 1e-300)
            if np.abs(x - y).max() / scale > RTOL:
                errors.append(f"{path}: max relative difference {np.abs(x - y).max() / scale:.1e}")
            return
        for i, (u, v) in enumerate(zip(a, b)):
            compare(u, v, f"{path}[{i}]", errors)
    elif isinstance(a, float) and isinstance(b, float):
        if abs(a - b) > RTOL * max(abs(b), 1e-300):
            errors.append(f"{path}: {a!r} vs {b!r}")
    elif a != b and path not in (".scipy", ".numpy"):
        errors.append(f"{path}: {a!r} vs {b!r}")


def main():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "ci" / "fixtures" / "signal_fixtures.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    errors = []
    with tempfile.TemporaryDirectory() as d:
        gen.main(d)
        fresh = pathlib.Path(d)
        new_man = json.loads((fresh / "manifest.json").read_text())
        old_man = json.loads((DATA / "manifest.json").read_text())
        compare(new_man, old_man, "", errors)
        names = sorted(p.name for p in fresh.glob("*.f64"))
        old_names = sorted(p.name for p in DATA.glob("*.f64"))
        if names != old_names:
            errors.append(f"file sets differ: {sorted(set(names) ^ set(old_names))}")
        for n in set(names) & set(old_names):
            x = np.fromfile(fresh / n, "<f8")
            y = np.fromfile(DATA / n, "<f8")
            if x.shape != y.shape:
                errors.append(f"{n}: {x.size} vs {y.size} values")
                continue
            scale = max(np.abs(y).max(), 1e-300)
            if np.abs(x - y).max() / scale > RTOL:
                errors.append(f"{n}: max relative difference {np.abs(x - y).max() / scale:.1e}")
        print(f"compared manifest.json ({len(json.dumps(old_man))} bytes) and {len(names)} reference arrays "
              f"from scipy {new_man['scipy']} / numpy {new_man['numpy']} (checked in: scipy {old_man['scipy']})")
    if errors:
        print("signal fixtures differ from a fresh scipy run:\n  " + "\n  ".join(errors[:50]))
        sys.exit(1)
    print("signal fixtures: up to date")


if __name__ == "__main__":
    main()
