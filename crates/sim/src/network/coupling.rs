//! Long-range coupling functions (TVB `tvb.simulator.coupling` semantics).
//!
//! For node `i` and coupling variable `k` the engine computes, as TVB's `SparseCoupling` does,
//!
//! ```text
//! c_i[k] = post( Σ_j  w_ij · pre( x_i[k](t−dt), x_j[k](t−dt−τ_ij) ) )
//! ```
//!
//! over the non-zero weights of row `i` (`w_ij` is the weight *from j to i*), where `x_i(t−dt)`
//! is node i's current (latest) coupling value and `x_j(t−dt−τ_ij)` the delayed value of node j.
//! A row without non-zero weights gets `post(0)`.

/// A coupling function: `pre` is applied to every afferent connection, `post` to the weighted
/// sum. Implement it for custom couplings (e.g. a sigmoid of the delayed input).
pub trait CouplingFunction: Clone + Send + Sync {
    /// Pre-summation transform of one connection: `x_i` is the receiving node's current value,
    /// `x_j` the sending node's delayed value.
    fn pre(&self, x_i: f64, x_j: f64) -> f64;
    /// Post-summation transform of the weighted sum.
    fn post(&self, sum: f64) -> f64;
    /// `Some(s)` when `pre(x_i, x_j) = x_j − s·x_i` exactly in real arithmetic (Linear: 0,
    /// Difference: 1). The engine then computes `Σ_j w_ij x_j − s·x_i·Σ_j w_ij`, one operation
    /// fewer per connection (in double precision; the result differs from summing `pre` terms
    /// only by rounding). Default `None`: `pre` is applied to every connection.
    #[inline(always)]
    fn diffusive_scale(&self) -> Option<f64> {
        None
    }
    /// `pre` in single precision, used by [`CouplingPrecision::TvbSingle`](super::CouplingPrecision)
    /// (TVB computes `pre` on its float32 history in float32). The default rounds the double
    /// precision `pre` of the two values; override it when the function has a natural f32 form.
    #[inline(always)]
    fn pre_f32(&self, x_i: f32, x_j: f32) -> f32 {
        self.pre(x_i as f64, x_j as f64) as f32
    }
}

/// TVB `coupling.Linear`: `a · Σ_j w_ij x_j + b` (TVB default a = 0.00390625, b = 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear {
    /// Scale of the weighted sum.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Default for Linear {
    fn default() -> Self {
        Linear { a: 0.003_906_25, b: 0.0 }
    }
}

impl CouplingFunction for Linear {
    #[inline(always)]
    fn pre(&self, _x_i: f64, x_j: f64) -> f64 {
        x_j
    }
    #[inline(always)]
    fn pre_f32(&self, _x_i: f32, x_j: f32) -> f32 {
        x_j
    }
    #[inline(always)]
    fn diffusive_scale(&self) -> Option<f64> {
        Some(0.0)
    }
    #[inline(always)]
    fn post(&self, sum: f64) -> f64 {
        self.a * sum + self.b
    }
}

/// TVB `coupling.Difference`: `a · Σ_j w_ij (x_j(t−τ_ij) − x_i(t))` (TVB default a = 0.1),
/// the diffusive coupling used with the Epileptor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// Scale of the weighted sum.
    pub a: f64,
}

impl Default for Difference {
    fn default() -> Self {
        Difference { a: 0.1 }
    }
}

impl CouplingFunction for Difference {
    #[inline(always)]
    fn pre(&self, x_i: f64, x_j: f64) -> f64 {
        x_j - x_i
    }
    #[inline(always)]
    fn pre_f32(&self, x_i: f32, x_j: f32) -> f32 {
        x_j - x_i
    }
    #[inline(always)]
    fn diffusive_scale(&self) -> Option<f64> {
        Some(1.0)
    }
    #[inline(always)]
    fn post(&self, sum: f64) -> f64 {
        self.a * sum
    }
}
