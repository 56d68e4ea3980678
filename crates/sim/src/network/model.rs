//! The node (neural mass) model interface of the network engine.

use std::fmt::Debug;

/// Number of nodes the engine integrates together when a model provides
/// [`NodeModel::dfun_lanes`] (structure-of-arrays blocks; 4 × f64 fills one AVX2 register).
pub const LANES: usize = 4;

/// A fixed-size vector of `f64`: the state of one node (`[f64; NVAR]`) or its coupling values
/// (`[f64; NCVAR]`). Implemented for every `[f64; N]`; the engine is monomorphised over `N`, so
/// its per-node loops are unrolled and free of bounds checks.
pub trait StateVec: Copy + AsRef<[f64]> + AsMut<[f64]> + Debug + Send + Sync + PartialEq + 'static {
    /// Number of components.
    const LEN: usize;
    /// The same vector for [`LANES`] nodes in structure-of-arrays form: `lanes[k][l]` is
    /// component `k` of the `l`-th node (`[[f64; LANES]; N]`).
    type Lanes: Copy + AsRef<[[f64; LANES]]> + AsMut<[[f64; LANES]]> + Debug + Send + Sync + 'static;
    /// All lanes zero.
    fn lanes_zeros() -> Self::Lanes;
    /// All components zero.
    fn zeros() -> Self;
    /// Copies `s` (which must have `LEN` elements) into a new vector.
    ///
    /// # Panics
    /// If `s.len() != LEN`.
    fn from_slice(s: &[f64]) -> Self;
}

impl<const N: usize> StateVec for [f64; N] {
    const LEN: usize = N;
    type Lanes = [[f64; LANES]; N];
    #[inline(always)]
    fn lanes_zeros() -> Self::Lanes {
        [[0.0; LANES]; N]
    }
    #[inline(always)]
    fn zeros() -> Self {
        [0.0; N]
    }
    #[inline]
    fn from_slice(s: &[f64]) -> Self {
        let mut v = [0.0; N];
        v.copy_from_slice(s);
        v
    }
}

/// A bound on one state variable, applied by the integrators after the predictor and after the
/// corrector, as TVB does with a model's `state_variable_boundaries` (values below `lo` are set to
/// `lo`, above `hi` to `hi`; use ±∞ for a one-sided bound).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateBound {
    /// Index of the bounded state variable.
    pub var: usize,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// A node model: the local dynamics of one region (a neural mass), evaluated by the network
/// engine for every node at every integration stage.
///
/// The model owns its per-node parameters (heterogeneity: e.g. one excitability per node) and
/// receives the node index in each call. The engine is generic over the model (no dynamic
/// dispatch in the step loop); keep these methods small and `#[inline]`.
///
/// # TVB correspondence
/// - `State` = one column of TVB's state array (`state_variables`), `STATE_NAMES` its names.
/// - [`coupling_source`](NodeModel::coupling_source) = the values kept in the delay history and
///   sent to other nodes. For TVB models it returns the `cvar` state variables (Epileptor: `x1`,
///   `x2`). A model may return any function of its state (e.g. a Wendling-type mass returns its
///   pyramidal membrane potential `y1 − y2 − y3`, or its firing rate), which TVB can only express
///   with a special coupling function.
/// - [`dfun`](NodeModel::dfun) = TVB's `dfun` for one node, with `coupling[k]` the output of the
///   coupling function for coupling variable `k` (TVB's `coupling[k, node]`).
/// - Observables = TVB's `variables_of_interest` (what monitors record).
/// - Noise amplitudes (TVB `nsig`) are set on the simulation ([`super::Noise`]), not on the model,
///   as in TVB where they belong to the integrator's noise.
///
/// # Example: a linear two-variable oscillator
/// ```
/// use eimfs_sim::network::{NodeModel, StateBound};
/// struct Osc { omega: Vec<f64> }
/// impl NodeModel for Osc {
///     type State = [f64; 2];
///     type Coupling = [f64; 1];
///     const STATE_NAMES: &'static [&'static str] = &["u", "v"];
///     fn n_nodes(&self) -> usize { self.omega.len() }
///     fn coupling_source(&self, _node: usize, x: &[f64; 2]) -> [f64; 1] { [x[0]] }
///     fn dfun(&self, node: usize, x: &[f64; 2], c: &[f64; 1]) -> [f64; 2] {
///         let w = self.omega[node];
///         [x[1], -w * w * x[0] + c[0]]
///     }
///     fn n_observables(&self) -> usize { 1 }
///     fn observable_names(&self) -> Vec<String> { vec!["u".into()] }
///     fn observe(&self, _node: usize, x: &[f64; 2], out: &mut [f64]) { out[0] = x[0]; }
/// }
/// ```
pub trait NodeModel {
    /// The state of one node, `[f64; NVAR]`.
    type State: StateVec;
    /// The coupling values of one node, `[f64; NCVAR]` (what it sends and what it receives).
    type Coupling: StateVec;
    /// Names of the state variables, in order (`STATE_NAMES.len() == State::LEN`).
    const STATE_NAMES: &'static [&'static str];

    /// Number of nodes the model holds parameters for (must equal the connectivity's size).
    fn n_nodes(&self) -> usize;

    /// The values this node puts into the delay history (TVB: its `cvar` state variables).
    fn coupling_source(&self, node: usize, x: &Self::State) -> Self::Coupling;

    /// Time derivative of the state of node `node` given its state and its afferent coupling
    /// (already passed through the coupling function).
    fn dfun(&self, node: usize, x: &Self::State, coupling: &Self::Coupling) -> Self::State;

    /// Whether the engine should integrate this model in blocks of [`LANES`] nodes through
    /// [`dfun_lanes`](Self::dfun_lanes) (set it when `dfun_lanes` is overridden with a
    /// vectorisable lane loop).
    const LANE_BATCHED: bool = false;

    /// `dfun` for the [`LANES`] nodes `node0 .. node0 + LANES` in structure-of-arrays form
    /// (`x[k][l]` = state variable `k` of node `node0 + l`). It must return exactly what
    /// [`dfun`](Self::dfun) returns for each lane, so that results do not depend on the path.
    /// Override it with a loop over lanes of branch-free arithmetic (`if` on values becomes a
    /// select) so that the compiler can use SIMD; the default calls `dfun` lane by lane.
    #[inline]
    fn dfun_lanes(
        &self,
        node0: usize,
        x: &<Self::State as StateVec>::Lanes,
        c: &<Self::Coupling as StateVec>::Lanes,
    ) -> <Self::State as StateVec>::Lanes {
        let mut out = <Self::State as StateVec>::lanes_zeros();
        for l in 0..LANES {
            let mut xl = Self::State::zeros();
            for (k, v) in xl.as_mut().iter_mut().enumerate() {
                *v = x.as_ref()[k][l];
            }
            let mut cl = Self::Coupling::zeros();
            for (k, v) in cl.as_mut().iter_mut().enumerate() {
                *v = c.as_ref()[k][l];
            }
            let d = self.dfun(node0 + l, &xl, &cl);
            for (k, v) in d.as_ref().iter().enumerate() {
                out.as_mut()[k][l] = *v;
            }
        }
        out
    }

    /// Bounds applied to state variables by the integrator (default: none, as for TVB's
    /// Epileptor). Read once when the simulation is built.
    fn bounds(&self) -> Vec<StateBound> {
        Vec::new()
    }

    /// Number of observables (TVB: variables of interest) computed by [`observe`](Self::observe).
    fn n_observables(&self) -> usize;

    /// Names of the observables (for output headers).
    fn observable_names(&self) -> Vec<String>;

    /// Computes the observables of one node into `out` (`out.len() == n_observables()`).
    fn observe(&self, node: usize, x: &Self::State, out: &mut [f64]);

    /// [`coupling_source`](Self::coupling_source) for the [`LANES`] nodes `node0 .. node0 + LANES`
    /// in structure-of-arrays form (`out[k][l]` = value `k` of node `node0 + l`). It must give
    /// exactly what `coupling_source` gives for each lane; the default calls it lane by lane.
    #[inline]
    fn coupling_source_lanes(&self, node0: usize, x: &<Self::State as StateVec>::Lanes) -> <Self::Coupling as StateVec>::Lanes {
        let mut out = <Self::Coupling as StateVec>::lanes_zeros();
        for l in 0..LANES {
            let mut xl = Self::State::zeros();
            for (k, v) in xl.as_mut().iter_mut().enumerate() {
                *v = x.as_ref()[k][l];
            }
            let c = self.coupling_source(node0 + l, &xl);
            for (k, v) in c.as_ref().iter().enumerate() {
                out.as_mut()[k][l] = *v;
            }
        }
        out
    }

    /// [`observe`](Self::observe) for the [`LANES`] nodes `node0 .. node0 + LANES` in
    /// structure-of-arrays form: `out[o][l]` = observable `o` of node `node0 + l`
    /// (`out.len() == n_observables()`). It must give exactly what `observe` gives for each lane;
    /// the default calls `observe` lane by lane. Used by the engine with
    /// [`dfun_lanes`](Self::dfun_lanes).
    #[inline]
    fn observe_lanes(&self, node0: usize, x: &<Self::State as StateVec>::Lanes, out: &mut [[f64; LANES]]) {
        let mut tmp = vec![0.0; out.len()];
        for l in 0..LANES {
            let mut xl = Self::State::zeros();
            for (k, v) in xl.as_mut().iter_mut().enumerate() {
                *v = x.as_ref()[k][l];
            }
            self.observe(node0 + l, &xl, &mut tmp);
            for (o, v) in tmp.iter().enumerate() {
                out[o][l] = *v;
            }
        }
    }
}
