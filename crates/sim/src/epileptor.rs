//! The Epileptor node model exactly as The Virtual Brain defines it.
//!
//! This is tvb-library's `tvb.simulator.models.epileptor.Epileptor` (Jirsa et al. 2014,
//! "On the nature of seizure dynamics", Brain 137:2210), re-implemented from its equations with
//! the same operation order, so that a network run agrees with TVB's to rounding (checked by the
//! `epileptor_tvb` test against a TVB reference trace). State `(x1, y1, z, x2, y2, g)`, coupling
//! variables `x1` and `x2` (TVB `cvar = [0, 3]`), coupling inputs `c1` (from `x1`) and `c2`
//! (from `x2`):
//!
//! ```text
//! f1 = −a x1² + b x1                      if x1 < 0
//!      slope − x2 + 0.6 (z − 4)²          otherwise
//! ẋ1 = tt (y1 − z + Iext + Kvf c1 + f1 x1)
//! ẏ1 = tt (c − d x1² − y1)
//! h  = x0 + 3 / (1 + exp(−(x1 + 0.5)/0.1))                 if modification
//!      4 (x1 − x0) + (−0.1 z⁷ if z < 0 else 0)              otherwise
//! ż  = tt r (h − z + Ks c1)
//! ẋ2 = tt (−y2 + x2 − x2³ + Iext2 + bb g − 0.3 (z − 3.5) + Kf c2)
//! ẏ2 = tt (−y2 + (aa (x2 + 0.25) if x2 ≥ −0.25 else 0)) / tau
//! ġ  = tt (−0.01 (g − 0.1 x1))
//! ```
//!
//! Defaults (TVB's): a = 1, b = 3, c = 1, d = 5, r = 0.00035, x0 = −1.6, Iext = 3.1,
//! slope = 0, Iext2 = 0.45, tau = 10, aa = 6, bb = 2, Kvf = Kf = Ks = 0, tt = 1,
//! modification = false. TVB's parameter `s` is declared but unused by its equations and is
//! omitted. TVB's Epileptor has no state-variable bounds. Observables (TVB
//! `variables_of_interest`, default `x2 − x1` and `z`) are chosen with
//! [`Epileptor::with_observables`]. Time is in ms.
//!
//! The modified slow variable uses the deterministic [`crate::network::detmath::exp`].
//!
//! ```
//! use eimfs_sim::epileptor::{Epileptor, EpileptorParams};
//! // TVB's Epileptor tutorial: Ks = −0.2, Kf = 0.1, r = 0.00015, x0 = −2.4 except a few regions.
//! let mut m = Epileptor::uniform(76, EpileptorParams { ks: -0.2, kf: 0.1, r: 0.00015, x0: -2.4, ..Default::default() });
//! {
//!     let mut p = m.params_mut();
//!     for i in [62, 47, 40] { p[i].x0 = -1.6; }
//!     for i in [69, 72] { p[i].x0 = -1.8; }
//! }
//! assert_eq!(m.params()[47].x0, -1.6);
//! ```

use crate::network::{LANES, NodeModel, detmath};
use crate::{Error, Result};

/// Parameters of one Epileptor node (TVB names; see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpileptorParams {
    /// Cubic coefficient of the first population (TVB `a`, 1).
    pub a: f64,
    /// Quadratic coefficient of the first population (TVB `b`, 3).
    pub b: f64,
    /// Additive coefficient of `y1` (TVB `c`, 1; `y0` in Jirsa 2014).
    pub c: f64,
    /// Quadratic coefficient of `y1` (TVB `d`, 5).
    pub d: f64,
    /// Time scale of the slow permittivity variable `z` (TVB `r`, 0.00035; 1/τ0).
    pub r: f64,
    /// Epileptogenicity (TVB `x0`, −1.6; seizures recur spontaneously above ≈ −2.06).
    pub x0: f64,
    /// External input of the first population (TVB `Iext`, 3.1).
    pub iext: f64,
    /// Linear coefficient of the first population (TVB `slope`, 0).
    pub slope: f64,
    /// External input of the second population (TVB `Iext2`, 0.45).
    pub iext2: f64,
    /// Time constant of `y2` (TVB `tau`, 10).
    pub tau: f64,
    /// Linear coefficient in `y2` (TVB `aa`, 6).
    pub aa: f64,
    /// Coefficient of the low-pass coupling `g` into `x2` (TVB `bb`, 2).
    pub bb: f64,
    /// Very fast coupling scale, `c1` into `x1` (TVB `Kvf`, 0).
    pub kvf: f64,
    /// Fast coupling scale, `c2` into `x2` (TVB `Kf`, 0).
    pub kf: f64,
    /// Permittivity (slow) coupling scale, `c1` into `z` (TVB `Ks`, 0).
    pub ks: f64,
    /// Time scaling of the whole system (TVB `tt`, 1).
    pub tt: f64,
    /// Nonlinear influence on `z` (TVB `modification`, false).
    pub modification: bool,
}

impl Default for EpileptorParams {
    fn default() -> Self {
        EpileptorParams {
            a: 1.0,
            b: 3.0,
            c: 1.0,
            d: 5.0,
            r: 0.00035,
            x0: -1.6,
            iext: 3.1,
            slope: 0.0,
            iext2: 0.45,
            tau: 10.0,
            aa: 6.0,
            bb: 2.0,
            kvf: 0.0,
            kf: 0.0,
            ks: 0.0,
            tt: 1.0,
            modification: false,
        }
    }
}

/// An observable of the Epileptor (TVB `variables_of_interest` choices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpileptorObservable {
    /// `x1`.
    X1,
    /// `y1`.
    Y1,
    /// `z`.
    Z,
    /// `x2`.
    X2,
    /// `y2`.
    Y2,
    /// `g`.
    G,
    /// `x2 − x1` (the LFP proxy).
    X2MinusX1,
}

impl EpileptorObservable {
    /// TVB's name of the observable.
    pub fn name(self) -> &'static str {
        match self {
            Self::X1 => "x1",
            Self::Y1 => "y1",
            Self::Z => "z",
            Self::X2 => "x2",
            Self::Y2 => "y2",
            Self::G => "g",
            Self::X2MinusX1 => "x2 - x1",
        }
    }
    #[inline(always)]
    fn eval(self, x: &[f64; 6]) -> f64 {
        match self {
            Self::X1 => x[0],
            Self::Y1 => x[1],
            Self::Z => x[2],
            Self::X2 => x[3],
            Self::Y2 => x[4],
            Self::G => x[5],
            Self::X2MinusX1 => x[3] - x[0],
        }
    }
}

/// The Epileptor network model: one [`EpileptorParams`] per node.
#[derive(Clone, Debug, PartialEq)]
pub struct Epileptor {
    params: Vec<EpileptorParams>,
    /// The same parameters in blocks of [`LANES`] nodes (structure of arrays) for the engine's
    /// vectorised path; rebuilt whenever `params` may have changed.
    lanes: Vec<ParamLanes>,
    observables: Vec<EpileptorObservable>,
}

/// Parameters of [`LANES`] consecutive nodes, one array per parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ParamLanes {
    a: [f64; LANES],
    b: [f64; LANES],
    c: [f64; LANES],
    d: [f64; LANES],
    r: [f64; LANES],
    x0: [f64; LANES],
    iext: [f64; LANES],
    slope: [f64; LANES],
    iext2: [f64; LANES],
    tau: [f64; LANES],
    aa: [f64; LANES],
    bb: [f64; LANES],
    kvf: [f64; LANES],
    kf: [f64; LANES],
    ks: [f64; LANES],
    tt: [f64; LANES],
    modification: [bool; LANES],
    any_modification: bool,
}

fn build_lanes(params: &[EpileptorParams]) -> Vec<ParamLanes> {
    params
        .chunks(LANES)
        .map(|ch| {
            let mut pl = ParamLanes::default();
            for (l, p) in ch.iter().enumerate() {
                pl.a[l] = p.a;
                pl.b[l] = p.b;
                pl.c[l] = p.c;
                pl.d[l] = p.d;
                pl.r[l] = p.r;
                pl.x0[l] = p.x0;
                pl.iext[l] = p.iext;
                pl.slope[l] = p.slope;
                pl.iext2[l] = p.iext2;
                pl.tau[l] = p.tau;
                pl.aa[l] = p.aa;
                pl.bb[l] = p.bb;
                pl.kvf[l] = p.kvf;
                pl.kf[l] = p.kf;
                pl.ks[l] = p.ks;
                pl.tt[l] = p.tt;
                pl.modification[l] = p.modification;
                pl.any_modification |= p.modification;
            }
            pl
        })
        .collect()
}

/// Mutable access to the per-node parameters of an [`Epileptor`]; the model's internal
/// vectorised copy is refreshed when this guard is dropped.
pub struct ParamsMut<'a> {
    model: &'a mut Epileptor,
}

impl std::ops::Deref for ParamsMut<'_> {
    type Target = [EpileptorParams];
    fn deref(&self) -> &[EpileptorParams] {
        &self.model.params
    }
}

impl std::ops::DerefMut for ParamsMut<'_> {
    fn deref_mut(&mut self) -> &mut [EpileptorParams] {
        &mut self.model.params
    }
}

impl Drop for ParamsMut<'_> {
    fn drop(&mut self) {
        self.model.lanes = build_lanes(&self.model.params);
    }
}

impl Epileptor {
    /// `n` nodes with TVB's default parameters and observables (`x2 − x1`, `z`).
    pub fn new(n: usize) -> Self {
        Self::uniform(n, EpileptorParams::default())
    }
    /// `n` nodes with the same parameters.
    pub fn uniform(n: usize, p: EpileptorParams) -> Self {
        let params = vec![p; n];
        Epileptor { lanes: build_lanes(&params), params, observables: vec![EpileptorObservable::X2MinusX1, EpileptorObservable::Z] }
    }
    /// Sets the epileptogenicity of every node (`x0.len()` must be the number of nodes).
    pub fn with_x0(mut self, x0: &[f64]) -> Result<Self> {
        if x0.len() != self.params.len() {
            return Err(Error::InvalidParameter {
                field: "x0".into(),
                message: format!("{} values for {} nodes", x0.len(), self.params.len()),
            });
        }
        if let Some(k) = x0.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter { field: format!("x0[{k}]"), message: format!("not finite: {}", x0[k]) });
        }
        for (p, &v) in self.params_mut().iter_mut().zip(x0) {
            p.x0 = v;
        }
        Ok(self)
    }
    /// Sets the observables (TVB `variables_of_interest`).
    pub fn with_observables(mut self, obs: Vec<EpileptorObservable>) -> Self {
        self.observables = obs;
        self
    }
    /// Per-node parameters.
    pub fn params(&self) -> &[EpileptorParams] {
        &self.params
    }
    /// Per-node parameters, mutably (through a guard that refreshes the model's vectorised copy
    /// when dropped).
    pub fn params_mut(&mut self) -> ParamsMut<'_> {
        ParamsMut { model: self }
    }
    /// The observables.
    pub fn observables(&self) -> &[EpileptorObservable] {
        &self.observables
    }
}

/// The Epileptor's derivative for one node (TVB's `_numba_dfun`, same operation order).
#[inline(always)]
pub fn epileptor_dfun(p: &EpileptorParams, y: &[f64; 6], c_pop1: f64, c_pop2: f64) -> [f64; 6] {
    core(
        [p.a, p.b, p.c, p.d, p.r, p.x0, p.iext, p.slope, p.iext2, p.tau, p.aa, p.bb, p.kvf, p.kf, p.ks, p.tt],
        p.modification,
        y,
        c_pop1,
        c_pop2,
    )
}

#[inline(always)]
fn select(c: bool, a: f64, b: f64) -> f64 {
    if c { a } else { b }
}

/// The equations, shared by the node-by-node and the vectorised paths (so both give identical
/// results). `q` = a, b, c, d, r, x0, Iext, slope, Iext2, tau, aa, bb, Kvf, Kf, Ks, tt.
#[inline(always)]
fn core(q: [f64; 16], modification: bool, y: &[f64; 6], c_pop1: f64, c_pop2: f64) -> [f64; 6] {
    let [a, b, c, d, r, x0, iext, slope, iext2, tau, aa, bb, kvf, kf, ks, tt] = q;
    let [x1, y1, z, x2, y2, g] = *y;
    // Both sides of each piecewise definition are computed and then selected (branch-free, so
    // the lane loop vectorises); the selected value is computed exactly as TVB computes it.
    // population 1
    let f1_neg = -a * (x1 * x1) + b * x1;
    let f1_pos = slope - x2 + 0.6 * ((z - 4.0) * (z - 4.0));
    let f1 = select(x1 < 0.0, f1_neg, f1_pos);
    let dx1 = tt * (y1 - z + iext + kvf * c_pop1 + f1 * x1);
    let dy1 = tt * (c - d * (x1 * x1) - y1);
    // energy
    let h = if modification {
        x0 + 3.0 / (1.0 + detmath::exp(-(x1 + 0.5) / 0.1))
    } else {
        // z**7 by binary powering, as numba's integer power does: z * z² → z³, z⁴, z³ · z⁴
        let z2 = z * z;
        let z3 = z * z2;
        let z4 = z2 * z2;
        let e = select(z < 0.0, -0.1 * (z3 * z4), 0.0);
        4.0 * (x1 - x0) + e
    };
    let dz = tt * (r * (h - z + ks * c_pop1));
    // population 2
    let dx2 = tt * (-y2 + x2 - x2 * (x2 * x2) + iext2 + bb * g - 0.3 * (z - 3.5) + kf * c_pop2);
    let f2 = select(x2 < -0.25, 0.0, aa * (x2 + 0.25));
    let dy2 = tt * ((-y2 + f2) / tau);
    // filter
    let dg = tt * (-0.01 * (g - 0.1 * x1));
    [dx1, dy1, dz, dx2, dy2, dg]
}

impl NodeModel for Epileptor {
    type State = [f64; 6];
    type Coupling = [f64; 2];
    const STATE_NAMES: &'static [&'static str] = &["x1", "y1", "z", "x2", "y2", "g"];

    fn n_nodes(&self) -> usize {
        self.params.len()
    }

    #[inline(always)]
    fn coupling_source(&self, _node: usize, x: &[f64; 6]) -> [f64; 2] {
        [x[0], x[3]]
    }

    #[inline(always)]
    fn dfun(&self, node: usize, x: &[f64; 6], c: &[f64; 2]) -> [f64; 6] {
        epileptor_dfun(&self.params[node], x, c[0], c[1])
    }

    const LANE_BATCHED: bool = true;

    #[inline(always)]
    fn dfun_lanes(&self, node0: usize, x: &[[f64; LANES]; 6], c: &[[f64; LANES]; 2]) -> [[f64; LANES]; 6] {
        let mut out = [[0.0; LANES]; 6];
        let p = match (node0 % LANES, self.lanes.get(node0 / LANES)) {
            (0, Some(p)) if node0 + LANES <= self.params.len() => p,
            _ => {
                // not a whole block: node by node
                for l in 0..LANES.min(self.params.len().saturating_sub(node0)) {
                    let y = [x[0][l], x[1][l], x[2][l], x[3][l], x[4][l], x[5][l]];
                    let d = self.dfun(node0 + l, &y, &[c[0][l], c[1][l]]);
                    for k in 0..6 {
                        out[k][l] = d[k];
                    }
                }
                return out;
            }
        };
        macro_rules! lanes {
            ($modif:expr) => {
                for l in 0..LANES {
                    let q = [
                        p.a[l], p.b[l], p.c[l], p.d[l], p.r[l], p.x0[l], p.iext[l], p.slope[l], p.iext2[l], p.tau[l], p.aa[l], p.bb[l],
                        p.kvf[l], p.kf[l], p.ks[l], p.tt[l],
                    ];
                    let y = [x[0][l], x[1][l], x[2][l], x[3][l], x[4][l], x[5][l]];
                    let d = core(q, $modif(l), &y, c[0][l], c[1][l]);
                    for k in 0..6 {
                        out[k][l] = d[k];
                    }
                }
            };
        }
        if p.any_modification {
            lanes!(|l: usize| p.modification[l]);
        } else {
            lanes!(|_l: usize| false);
        }
        out
    }

    fn n_observables(&self) -> usize {
        self.observables.len()
    }

    fn observable_names(&self) -> Vec<String> {
        self.observables.iter().map(|o| o.name().to_owned()).collect()
    }

    #[inline]
    fn observe(&self, _node: usize, x: &[f64; 6], out: &mut [f64]) {
        for (o, v) in self.observables.iter().zip(out.iter_mut()) {
            *v = o.eval(x);
        }
    }

    #[inline(always)]
    fn coupling_source_lanes(&self, _node0: usize, x: &[[f64; LANES]; 6]) -> [[f64; LANES]; 2] {
        [x[0], x[3]]
    }

    #[inline(always)]
    fn observe_lanes(&self, _node0: usize, x: &[[f64; LANES]; 6], out: &mut [[f64; LANES]]) {
        for (o, v) in self.observables.iter().zip(out.iter_mut()) {
            *v = match o {
                EpileptorObservable::X2MinusX1 => std::array::from_fn(|l| x[3][l] - x[0][l]),
                _ => std::array::from_fn(|l| o.eval(&[x[0][l], x[1][l], x[2][l], x[3][l], x[4][l], x[5][l]])),
            };
        }
    }
}
