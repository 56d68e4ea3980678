//! Level 2: conductance-based neurons with the K_Na current, and their f–I curves.
//!
//! Three single-compartment cell types, one per population of the region model
//! ([`crate::region`]):
//!
//! * [`CellType::Pyramidal`]: a regular-spiking pyramidal cell, Traub–Miles Na⁺/K⁺ kinetics and a
//!   slow M-current as in Pospischil et al. (Biol Cybern 2008, 99:427), plus the K_Na current and a
//!   small persistent Na⁺ current (Compte et al. 2003 put I_NaP in the pyramidal dendrite).
//! * [`CellType::Sst`]: a somatostatin-like, non-fast-spiking interneuron, Wang–Buzsáki
//!   (J Neurosci 1996, 16:6402) kinetics slowed to non-fast-spiking widths, a prominent persistent
//!   Na⁺ current, a high input resistance and a small soma.
//! * [`CellType::Pv`]: a parvalbumin-like fast-spiking interneuron, the Wang–Buzsáki model as
//!   published, plus the K_Na current.
//!
//! All three carry the same K_Na channel ([`crate::channel::KnaChannel`], the same variant) at the
//! same density. Nothing variant-specific is written into the cells: the variant only changes the
//! channel. The larger effect of a KCNT1 gain of function on SST-like interneurons (Shore et al.,
//! Cell Rep 2020, 33:108303; SST hypo- and PV hyperexcitability, eLife 2024) comes from three cited
//! physiological differences:
//!
//! 1. **Subthreshold Na⁺ entry**: SST/non-fast-spiking interneurons have a prominent persistent
//!    Na⁺ current, which keeps \[Na\]ᵢ — and therefore K_Na — raised below threshold (K_Na is activated
//!    by the persistent Na⁺ current at rest: Budelli et al. 2009; Hage & Salkoff 2012).
//! 2. **Input resistance**: SST/Martinotti cells have a high input resistance (a small leak
//!    conductance), so the same extra K⁺ conductance at rest shifts their rheobase more.
//! 3. **Surface-to-volume ratio**: a small soma (Martinotti cells ~10 µm vs ~20 µm for pyramidal
//!    somata) loads Na⁺ faster for the same current density: `k_Na ∝ 1/diameter`.
//!
//! # Example
//!
//! ```
//! use eimfs_sim::cells::{CellType, Neuron};
//! use eimfs_sim::channel::{Quinidine, Variant};
//!
//! let wt = Neuron::new(CellType::Sst, &Variant::wild_type(), Quinidine::none());
//! let gof = Neuron::new(CellType::Sst, &Variant::gain_of_function(), Quinidine::none());
//! let (f_wt, f_gof) = (wt.rate(3.0), gof.rate(3.0));
//! assert!(f_gof < f_wt, "gain of function lowers SST firing: {f_gof} vs {f_wt}");
//! ```

use serde::{Deserialize, Serialize};

use crate::channel::{KnaChannel, Quinidine, SodiumPump, Variant};

/// The three neuron types of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellType {
    /// Regular-spiking pyramidal cell (excitatory).
    Pyramidal,
    /// Somatostatin-like non-fast-spiking interneuron (dendrite-targeting, slow inhibition).
    Sst,
    /// Parvalbumin-like fast-spiking interneuron (soma-targeting, fast inhibition).
    Pv,
}

impl CellType {
    /// All types.
    pub const ALL: [CellType; 3] = [CellType::Pyramidal, CellType::Sst, CellType::Pv];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            CellType::Pyramidal => "pyramidal",
            CellType::Sst => "sst",
            CellType::Pv => "pv",
        }
    }
}

/// Which gating kinetics the transient Na⁺ and delayed-rectifier K⁺ currents follow.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Kinetics {
    /// Wang & Buzsáki 1996 (instantaneous m, h and n with temperature factor φ).
    WangBuzsaki {
        /// Temperature factor of h and n (5 in the published fast-spiking model).
        phi: f64,
    },
    /// Traub & Miles as used by Pospischil et al. 2008, with spike threshold parameter V_T (mV).
    Traub {
        /// V_T, mV.
        v_t: f64,
    },
}

/// Parameters of a single-compartment neuron (units: mV, ms, µF/cm², mS/cm², µA/cm², mM).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellParams {
    /// Cell type.
    pub cell: CellType,
    /// Na⁺/K⁺ gating kinetics.
    pub kinetics: Kinetics,
    /// Membrane capacitance.
    pub c_m: f64,
    /// Transient Na⁺ conductance.
    pub g_na: f64,
    /// Na⁺ reversal.
    pub e_na: f64,
    /// Delayed-rectifier K⁺ conductance.
    pub g_k: f64,
    /// K⁺ reversal of the voltage-gated K⁺ currents.
    pub e_k: f64,
    /// Leak conductance.
    pub g_l: f64,
    /// Leak reversal.
    pub e_l: f64,
    /// Slow M-type K⁺ conductance (Pospischil 2008).
    pub g_m: f64,
    /// Maximal time constant of the M-current, ms.
    pub tau_m_max: f64,
    /// Persistent Na⁺ conductance.
    pub g_nap: f64,
    /// Half-activation of I_NaP, mV.
    pub nap_vhalf: f64,
    /// Slope of I_NaP activation, mV.
    pub nap_slope: f64,
    /// K_Na channel density relative to Compte et al. 2003 (1 for all cell types).
    pub kna_density: f64,
    /// Soma diameter in µm: sets the Na⁺ loading rate `k_Na`.
    pub soma_diameter_um: f64,
    /// Na⁺ nanodomain gain ([`NANODOMAIN_MM`], the same for every cell type).
    pub nanodomain_mm: f64,
}

/// Na⁺ loading rate of a 20 µm soma in mM/ms per µA/cm² of inward Na⁺ current.
///
/// Chosen so that sustained firing at 20 Hz raises \[Na\]ᵢ by several mM over seconds, the range of
/// somatic Na⁺ transients and of the K_Na-mediated slow adaptation in Compte et al. 2003 (whose
/// α_Na·A_soma is 1.5·10⁻³ in these units for a larger soma); it scales as 1/diameter.
pub const K_NA_20UM: f64 = 4.0e-4;

impl CellParams {
    /// The default parameters of a cell type (see the module docs for sources).
    pub fn default_for(cell: CellType) -> CellParams {
        match cell {
            // Pospischil et al. 2008 regular-spiking cell: g_Na 50, g_Kd 5, g_M 0.07, τ_max 1000 ms,
            // V_T −60 mV, leak 0.1 mS/cm² at −70 mV; I_NaP small (dendritic in Compte 2003).
            CellType::Pyramidal => CellParams {
                cell,
                kinetics: Kinetics::Traub { v_t: -60.0 },
                c_m: 1.0,
                g_na: 50.0,
                e_na: 50.0,
                g_k: 5.0,
                e_k: -90.0,
                g_l: 0.1,
                e_l: -70.0,
                g_m: 0.07,
                tau_m_max: 1000.0,
                g_nap: 0.005,
                nap_vhalf: -55.7,
                nap_slope: 7.7,
                kna_density: 1.0,
                soma_diameter_um: 30.0,
                nanodomain_mm: NANODOMAIN_MM,
            },
            // Non-fast-spiking SST-like cell: Wang–Buzsáki channels with φ = 2 (broader spikes, lower
            // maximal rates), high input resistance (leak 0.04 mS/cm²), prominent I_NaP, a small
            // M-current (SST cells adapt) and a 10 µm soma.
            CellType::Sst => CellParams {
                cell,
                kinetics: Kinetics::WangBuzsaki { phi: 2.0 },
                c_m: 1.0,
                g_na: 35.0,
                e_na: 55.0,
                g_k: 9.0,
                e_k: -90.0,
                g_l: 0.04,
                e_l: -78.0,
                g_m: 0.03,
                tau_m_max: 1000.0,
                g_nap: 0.035,
                nap_vhalf: -55.7,
                nap_slope: 7.7,
                kna_density: 1.0,
                soma_diameter_um: 10.0,
                nanodomain_mm: NANODOMAIN_MM,
            },
            // Wang & Buzsáki 1996 as published (fast spiking), soma 15 µm, no I_NaP.
            CellType::Pv => CellParams {
                cell,
                kinetics: Kinetics::WangBuzsaki { phi: 5.0 },
                c_m: 1.0,
                g_na: 35.0,
                e_na: 55.0,
                g_k: 9.0,
                e_k: -90.0,
                g_l: 0.1,
                e_l: -65.0,
                g_m: 0.0,
                tau_m_max: 1000.0,
                g_nap: 0.0,
                nap_vhalf: -55.7,
                nap_slope: 7.7,
                kna_density: 1.0,
                soma_diameter_um: 15.0,
                nanodomain_mm: NANODOMAIN_MM,
            },
        }
    }

    /// Na⁺ loading rate k_Na, mM/ms per µA/cm².
    pub fn k_na(&self) -> f64 {
        K_NA_20UM * 20.0 / self.soma_diameter_um
    }
}

/// State of a neuron: V (mV), gates h, n, M-gate p, \[Na\]ᵢ (mM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellState {
    /// Membrane potential, mV.
    pub v: f64,
    /// Na⁺ inactivation.
    pub h: f64,
    /// K⁺ activation.
    pub n: f64,
    /// M-current activation.
    pub p: f64,
    /// Na⁺ activation (Traub kinetics only; Wang–Buzsáki uses m∞).
    pub m: f64,
    /// Intracellular Na⁺, mM.
    pub na: f64,
}

/// A neuron: parameters plus its K_Na channel and Na⁺ pump.
#[derive(Clone, Debug)]
pub struct Neuron {
    /// Parameters.
    pub params: CellParams,
    /// The K_Na channel (variant and drug applied, density included).
    pub kna: KnaChannel,
    /// Na⁺ pump.
    pub pump: SodiumPump,
}

#[inline]
fn vtrap(x: f64, y: f64) -> f64 {
    // x / (exp(x/y) − 1), continuous at x = 0.
    if (x / y).abs() < 1e-6 { y * (1.0 - x / y / 2.0) } else { x / libm::expm1(x / y) }
}

/// Na⁺ nanodomain gain: extra \[Na\]ᵢ seen by K_Na channels next to persistent Na⁺ channels, mM per
/// µA/cm² of inward I_NaP.
pub const NANODOMAIN_MM: f64 = 3.0;

/// Spike detection threshold (upward crossing), mV.
const SPIKE_THRESHOLD: f64 = -20.0;

impl Neuron {
    /// A neuron of type `cell` with the default parameters, K_Na channel of `variant` under `drug`.
    pub fn new(cell: CellType, variant: &Variant, drug: Quinidine) -> Neuron {
        Neuron::with_params(CellParams::default_for(cell), variant, drug)
    }

    /// A neuron with explicit parameters.
    pub fn with_params(params: CellParams, variant: &Variant, drug: Quinidine) -> Neuron {
        let kna = KnaChannel::new(variant, drug).with_density(params.kna_density);
        Neuron { params, kna, pump: SodiumPump::default() }
    }

    /// Resting initial state (gates at their steady state at E_L, \[Na\]ᵢ at the pump equilibrium).
    pub fn initial_state(&self) -> CellState {
        let v = self.params.e_l;
        let (m, h, n) = self.gate_inf(v);
        let p = 1.0 / (1.0 + libm::exp(-(v + 35.0) / 10.0));
        CellState { v, h, n, p, m, na: self.pump.na_eq }
    }

    fn gate_inf(&self, v: f64) -> (f64, f64, f64) {
        let (am, bm, ah, bh, an, bn) = self.rates(v);
        (am / (am + bm), ah / (ah + bh), an / (an + bn))
    }

    /// α/β rates (1/ms) of m, h, n at `v`, including the temperature factor.
    fn rates(&self, v: f64) -> (f64, f64, f64, f64, f64, f64) {
        match self.params.kinetics {
            Kinetics::WangBuzsaki { phi } => {
                let am = 0.1 * vtrap(-(v + 35.0), 10.0);
                let bm = 4.0 * libm::exp(-(v + 60.0) / 18.0);
                let ah = phi * 0.07 * libm::exp(-(v + 58.0) / 20.0);
                let bh = phi / (libm::exp(-0.1 * (v + 28.0)) + 1.0);
                let an = phi * 0.01 * vtrap(-(v + 34.0), 10.0);
                let bn = phi * 0.125 * libm::exp(-(v + 44.0) / 80.0);
                (am, bm, ah, bh, an, bn)
            }
            Kinetics::Traub { v_t } => {
                let u = v - v_t;
                let am = 0.32 * vtrap(-(u - 13.0), 4.0);
                let bm = 0.28 * vtrap(u - 40.0, 5.0);
                let ah = 0.128 * libm::exp(-(u - 17.0) / 18.0);
                let bh = 4.0 / (1.0 + libm::exp(-(u - 40.0) / 5.0));
                let an = 0.032 * vtrap(-(u - 15.0), 5.0);
                let bn = 0.5 * libm::exp(-(u - 10.0) / 40.0);
                (am, bm, ah, bh, an, bn)
            }
        }
    }

    /// Advance `s` by `dt` ms with injected current `i_app` (µA/cm²): exponential (Rush–Larsen)
    /// steps for the gates, forward Euler for V and \[Na\]ᵢ. Returns the inward Na⁺ current.
    pub fn step(&self, s: &mut CellState, i_app: f64, dt: f64) -> f64 {
        let p = &self.params;
        let v = s.v;
        let (am, bm, ah, bh, an, bn) = self.rates(v);
        let m = match p.kinetics {
            Kinetics::WangBuzsaki { .. } => am / (am + bm),
            Kinetics::Traub { .. } => s.m,
        };
        let i_na = p.g_na * m * m * m * s.h * (v - p.e_na);
        let i_k = p.g_k * s.n.powi(4) * (v - p.e_k);
        let i_l = p.g_l * (v - p.e_l);
        let i_m = p.g_m * s.p * (v - p.e_k);
        let m_nap = 1.0 / (1.0 + libm::exp(-(v - p.nap_vhalf) / p.nap_slope));
        let i_nap = p.g_nap * m_nap * (v - p.e_na);
        // K_Na senses the bulk [Na]ᵢ plus the Na⁺ nanodomain of the persistent Na⁺ channels
        // (Hage & Salkoff 2012): proportional to the inward I_NaP.
        let i_kna = self.kna.current(v, s.na + p.nanodomain_mm * (-i_nap).max(0.0));
        let dv = (i_app - i_na - i_k - i_l - i_m - i_nap - i_kna) / p.c_m;
        // Gates: x∞ + (x − x∞) exp(−dt/τ).
        let relax = |x: f64, a: f64, b: f64| {
            let tau = 1.0 / (a + b);
            let inf = a * tau;
            inf + (x - inf) * libm::exp(-dt / tau)
        };
        s.h = relax(s.h, ah, bh);
        s.n = relax(s.n, an, bn);
        if let Kinetics::Traub { .. } = p.kinetics {
            s.m = relax(s.m, am, bm);
        }
        if p.g_m > 0.0 {
            let x = (v + 35.0) / 20.0;
            let tau_p = p.tau_m_max / (3.3 * libm::exp(x) + libm::exp(-x));
            let p_inf = 1.0 / (1.0 + libm::exp(-(v + 35.0) / 10.0));
            s.p = p_inf + (s.p - p_inf) * libm::exp(-dt / tau_p);
        }
        let i_na_in = i_na + i_nap; // negative = inward
        s.na += dt * (-p.k_na() * i_na_in - self.pump.rate(s.na));
        s.na = s.na.max(0.1);
        s.v += dt * dv;
        i_na_in
    }

    /// Run the f–I protocol at current `i_app`: `rest_ms` at zero current from the resting state
    /// (subthreshold Na⁺ entry and any open K_Na settle), then a step of `step_ms`. Returns the
    /// number of spikes during the step and the final \[Na\]ᵢ.
    pub fn step_response(&self, i_app: f64, rest_ms: f64, step_ms: f64) -> (usize, f64) {
        let dt = CELL_DT_MS;
        let mut s = self.initial_state();
        let n_rest = (rest_ms / dt).round() as usize;
        for _ in 0..n_rest {
            self.step(&mut s, 0.0, dt);
        }
        let n_step = (step_ms / dt).round() as usize;
        let mut spikes = 0;
        let mut above = s.v > SPIKE_THRESHOLD;
        for _ in 0..n_step {
            self.step(&mut s, i_app, dt);
            let a = s.v > SPIKE_THRESHOLD;
            if a && !above {
                spikes += 1;
            }
            above = a;
        }
        (spikes, s.na)
    }

    /// Mean firing rate (Hz) during a 1 s step of `i_app` µA/cm² after 2 s at rest.
    pub fn rate(&self, i_app: f64) -> f64 {
        self.step_response(i_app, F_I_REST_MS, F_I_STEP_MS).0 as f64 * 1000.0 / F_I_STEP_MS
    }

    /// Resting \[Na\]ᵢ and membrane potential after 2 s without input.
    pub fn resting(&self) -> (f64, f64) {
        let dt = CELL_DT_MS;
        let mut s = self.initial_state();
        for _ in 0..(F_I_REST_MS / dt) as usize {
            self.step(&mut s, 0.0, dt);
        }
        (s.na, s.v)
    }

    /// Rheobase: the smallest current (µA/cm², to 0.01) that gives at least one spike in the step.
    pub fn rheobase(&self) -> f64 {
        let fires = |i: f64| self.step_response(i, F_I_REST_MS, F_I_STEP_MS).0 > 0;
        let (mut lo, mut hi) = (0.0, 1.0);
        while !fires(hi) {
            lo = hi;
            hi *= 2.0;
            if hi > 1000.0 {
                return f64::INFINITY;
            }
        }
        while hi - lo > 0.01 {
            let mid = 0.5 * (lo + hi);
            if fires(mid) { hi = mid } else { lo = mid }
        }
        hi
    }

    /// The current (µA/cm²) at which this cell fires at `rate_hz` (bisection on the f–I curve).
    pub fn current_for_rate(&self, rate_hz: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, 1.0);
        while self.rate(hi) < rate_hz {
            lo = hi;
            hi *= 2.0;
            if hi > 1000.0 {
                return f64::INFINITY;
            }
        }
        for _ in 0..30 {
            let mid = 0.5 * (lo + hi);
            if self.rate(mid) >= rate_hz {
                hi = mid
            } else {
                lo = mid
            }
            if hi - lo < 1e-3 {
                break;
            }
        }
        hi
    }
}

/// Integration step of the cell models, ms.
pub const CELL_DT_MS: f64 = 0.025;

/// Duration at rest before the current step of the f–I protocol, ms.
pub const F_I_REST_MS: f64 = 2000.0;
/// Duration of the current step of the f–I protocol, ms.
pub const F_I_STEP_MS: f64 = 1000.0;

/// One f–I curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiCurve {
    /// Cell type.
    pub cell: CellType,
    /// Variant name.
    pub variant: String,
    /// Injected currents, µA/cm².
    pub current: Vec<f64>,
    /// Mean rates during the 1 s step, Hz.
    pub rate: Vec<f64>,
    /// Rheobase, µA/cm².
    pub rheobase: f64,
    /// Resting \[Na\]ᵢ, mM.
    pub resting_na: f64,
    /// Resting potential, mV.
    pub resting_v: f64,
}

/// The f–I curve of `cell` with `variant` under `drug` at the given currents (computed in
/// parallel).
pub fn fi_curve(cell: CellType, variant: &Variant, drug: Quinidine, currents: &[f64]) -> FiCurve {
    use rayon::prelude::*;
    let n = Neuron::new(cell, variant, drug);
    let rate: Vec<f64> = currents.par_iter().map(|&i| n.rate(i)).collect();
    let (resting_na, resting_v) = n.resting();
    FiCurve { cell, variant: variant.name.clone(), current: currents.to_vec(), rate, rheobase: n.rheobase(), resting_na, resting_v }
}

/// Currents (µA/cm²) at which the f–I curves of the population mapping are evaluated.
pub fn mapping_currents() -> Vec<f64> {
    (0..=32).map(|i| i as f64 * 0.5).collect()
}

/// Wild-type rates on [`mapping_currents`] per cell type, computed once per process.
fn wild_type_rates(cell: CellType) -> &'static [f64] {
    use std::sync::OnceLock;
    static CACHE: [OnceLock<Vec<f64>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let k = CellType::ALL.iter().position(|c| *c == cell).expect("cell type");
    CACHE[k].get_or_init(|| {
        use rayon::prelude::*;
        let wt = Neuron::new(cell, &Variant::wild_type(), Quinidine::none());
        mapping_currents().par_iter().map(|&i| wt.rate(i)).collect()
    })
}

/// SD of the input current across a population, µA/cm²: neurons of one population receive
/// different inputs and have different thresholds, which smooths the single-cell f–I curve into a
/// population rate function (the reason neural-mass sigmoids are shallow).
pub const POPULATION_INPUT_SD: f64 = 1.5;

/// Population rate at mean input `mean` from a single-cell f–I curve sampled at `currents`:
/// the rate averaged over a Gaussian spread of inputs of SD [`POPULATION_INPUT_SD`] (currents
/// below 0 give 0 Hz, above the grid the last rate is held).
pub fn population_rate(currents: &[f64], rates: &[f64], mean: f64) -> f64 {
    let sd = POPULATION_INPUT_SD;
    let interp = |i: f64| -> f64 {
        if i <= currents[0] {
            return if i < 0.0 { 0.0 } else { rates[0] };
        }
        let last = currents.len() - 1;
        if i >= currents[last] {
            return rates[last];
        }
        let k = currents.partition_point(|&c| c <= i) - 1;
        let t = (i - currents[k]) / (currents[k + 1] - currents[k]);
        rates[k] + t * (rates[k + 1] - rates[k])
    };
    // Gauss–Hermite-like fixed quadrature on ±4 SD.
    let n = 161;
    let (mut num, mut den) = (0.0, 0.0);
    for j in 0..n {
        let z = -4.0 + 8.0 * j as f64 / (n - 1) as f64;
        let w = libm::exp(-0.5 * z * z);
        num += w * interp(mean + sd * z);
        den += w;
    }
    num / den
}

/// Reference population rate (Hz) that defines each population's operating point: the mean input
/// at which the wild-type population fires at this rate. Cortical pyramidal and SST cells fire at
/// ~10–20 Hz in active network states, fast-spiking cells several times faster.
pub fn operating_rate(cell: CellType) -> f64 {
    match cell {
        CellType::Pyramidal => 15.0,
        CellType::Sst => 15.0,
        CellType::Pv => 40.0,
    }
}

/// How a variant changes one population at its operating point: the input of the region model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PopulationEffect {
    /// Cell type.
    pub cell: CellType,
    /// Mean input at the operating point (where the wild-type population fires at
    /// [`operating_rate`]), µA/cm².
    pub operating_current: f64,
    /// Wild-type population rate at the operating point, Hz.
    pub rate_wt: f64,
    /// Variant population rate at the operating point, Hz.
    pub rate_variant: f64,
    /// Gain factor: variant rate / wild-type rate at the operating point.
    pub gain: f64,
    /// Single-cell rheobase of the wild type, µA/cm².
    pub rheobase_wt: f64,
    /// Single-cell rheobase of the variant, µA/cm².
    pub rheobase_variant: f64,
}

/// Compute the effect of `variant` under `drug` on each cell type at its operating point: the
/// single-cell f–I curves of wild type and variant on [`mapping_currents`], smoothed into
/// population rates by [`population_rate`], compared at the wild-type operating point.
pub fn population_effects(variant: &Variant, drug: Quinidine) -> Vec<PopulationEffect> {
    use rayon::prelude::*;
    let currents = mapping_currents();
    CellType::ALL
        .iter()
        .map(|&cell| {
            let var = Neuron::new(cell, variant, drug);
            let r_wt: Vec<f64> = wild_type_rates(cell).to_vec();
            let r_var: Vec<f64> = currents.par_iter().map(|&i| var.rate(i)).collect();
            let target = operating_rate(cell);
            let (mut lo, mut hi) = (-4.0 * POPULATION_INPUT_SD, currents[currents.len() - 1]);
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if population_rate(&currents, &r_wt, mid) >= target { hi = mid } else { lo = mid }
            }
            let i_op = 0.5 * (lo + hi);
            let rate_wt = population_rate(&currents, &r_wt, i_op);
            let rate_variant = population_rate(&currents, &r_var, i_op);
            let first = |r: &[f64]| currents.iter().zip(r).find(|(_, f)| **f > 0.0).map(|(c, _)| *c).unwrap_or(f64::INFINITY);
            PopulationEffect {
                cell,
                operating_current: i_op,
                rate_wt,
                rate_variant,
                gain: if rate_wt > 0.0 { rate_variant / rate_wt } else { 1.0 },
                rheobase_wt: first(&r_wt),
                rheobase_variant: first(&r_var),
            }
        })
        .collect()
}
