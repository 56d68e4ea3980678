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
//! for i in [62, 47, 40] { m.params_mut()[i].x0 = -1.6; }
//! for i in [69, 72] { m.params_mut()[i].x0 = -1.8; }
//! assert_eq!(m.params()[47].x0, -1.6);
//! ```

use crate::network::{NodeModel, detmath};
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
    observables: Vec<EpileptorObservable>,
}

impl Epileptor {
    /// `n` nodes with TVB's default parameters and observables (`x2 − x1`, `z`).
    pub fn new(n: usize) -> Self {
        Self::uniform(n, EpileptorParams::default())
    }
    /// `n` nodes with the same parameters.
    pub fn uniform(n: usize, p: EpileptorParams) -> Self {
        Epileptor { params: vec![p; n], observables: vec![EpileptorObservable::X2MinusX1, EpileptorObservable::Z] }
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
        for (p, &v) in self.params.iter_mut().zip(x0) {
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
    /// Per-node parameters, mutably.
    pub fn params_mut(&mut self) -> &mut [EpileptorParams] {
        &mut self.params
    }
    /// The observables.
    pub fn observables(&self) -> &[EpileptorObservable] {
        &self.observables
    }
}

/// The Epileptor's derivative for one node (TVB's `_numba_dfun`, same operation order).
#[inline(always)]
pub fn epileptor_dfun(p: &EpileptorParams, y: &[f64; 6], c_pop1: f64, c_pop2: f64) -> [f64; 6] {
    let [x1, y1, z, x2, y2, g] = *y;
    // population 1
    let f1 = if x1 < 0.0 { -p.a * (x1 * x1) + p.b * x1 } else { p.slope - x2 + 0.6 * ((z - 4.0) * (z - 4.0)) };
    let dx1 = p.tt * (y1 - z + p.iext + p.kvf * c_pop1 + f1 * x1);
    let dy1 = p.tt * (p.c - p.d * (x1 * x1) - y1);
    // energy
    let h = if p.modification {
        p.x0 + 3.0 / (1.0 + detmath::exp(-(x1 + 0.5) / 0.1))
    } else {
        let e = if z < 0.0 {
            // z**7 by binary powering, as numba's integer power does: z * z² → z³, z⁴, z³ · z⁴
            let z2 = z * z;
            let z3 = z * z2;
            let z4 = z2 * z2;
            -0.1 * (z3 * z4)
        } else {
            0.0
        };
        4.0 * (x1 - p.x0) + e
    };
    let dz = p.tt * (p.r * (h - z + p.ks * c_pop1));
    // population 2
    let dx2 = p.tt * (-y2 + x2 - x2 * (x2 * x2) + p.iext2 + p.bb * g - 0.3 * (z - 3.5) + p.kf * c_pop2);
    let f2 = if x2 < -0.25 { 0.0 } else { p.aa * (x2 + 0.25) };
    let dy2 = p.tt * ((-y2 + f2) / p.tau);
    // filter
    let dg = p.tt * (-0.01 * (g - 0.1 * x1));
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
}
