//! Level 3: the region (neural-mass) model — Wendling et al. 2002 with the KCNT1 variant's
//! population gains and three activity-dependent slow processes.
//!
//! # Why Wendling 2002
//! Its four populations are the ones KCNT1 gain of function acts on differently: pyramidal cells
//! (and excitatory interneurons), **slow dendrite-targeting inhibition** (SST-like, gain `B`) and
//! **fast soma-targeting inhibition** (PV-like, gain `G`). Lowering `B` moves it from background
//! activity through sporadic spikes to sustained rhythmic spike discharges (the 3–6 Hz ictal
//! rhythm) and further to fast activity (Wendling et al., Eur J Neurosci 2002, 15:1499), so the
//! level-2 finding (SST firing falls most) maps onto the parameter that controls seizures in this
//! model. The Epileptor (Jirsa 2014) has an abstract excitability `x0` instead; it is available
//! in [`crate::epileptor`] for TVB comparisons.
//!
//! # Equations (time in seconds here; the engine integrates in ms)
//! ```text
//! v_P = y1 − y2 − y3 − u                        pyramidal membrane potential (mV)
//! S_X(v) = ρ_X · 2e0 / (1 + exp(r (v0 − v)))    population rate, ρ_X from level 2
//! γ  = max(0, 1 − χ cl)                          GABA_A efficacy (fast Cl⁻ load)
//! ÿ0 = A a S_P(v_P)                − 2a ẏ0 − a² y0
//! ÿ1 = A a (p + C2 S_P(C1 y0 − u)) − 2a ẏ1 − a² y1
//! ÿ2 = γ B b C4 S_S(C3 y0)          − 2b ẏ2 − b² y2
//! ÿ3 = γ G g C7 S_F(C5 y0 − C6 y4)  − 2g ẏ3 − g² y3
//! ÿ4 = B b S_S(C3 y0)               − 2b ẏ4 − b² y4
//! ṙ  = (S_P(v_P) − r) / τ_r                       smoothed pyramidal rate
//! h  = clamp((r − θ) / (r_ict − θ), 0, 1)         ictal drive (0 in background, 1 in seizures)
//! ċl = k_cl (h + κ_ff H) (1 − cl) − cl / τ_cl     fast Cl⁻ loading: seizures sustain themselves
//!                                               and invade (H = Σ_j w_ij h_j(t − τ_ij))
//! ṅa = J h − R (φ(na) − φ(na_eq))                population Na⁺ (φ of the Compte pump)
//! u  = κ (g_KNa(na) − g_KNa(na_eq))              K_Na adaptation of the variant's channel (mV)
//! ċs = k_s h (1 − cs) − cs / τ_s                  slow Cl⁻ load (minutes): seizures beget seizures
//! ξ̇  = −ξ/τ_ξ + √(2/τ_ξ) s_ξ η(t)               input fluctuation (τ_ξ = 2 ms)
//! ζ̇  = −ζ/τ_ζ + √(2/τ_ζ) s_ζ η'(t)              slow excitability fluctuation (τ_ζ = 20 s)
//! p  = p̄ + ξ + ζ + ΔP_s cs + ΔP_E E − ΔP_D D + K Σ_j w_ij S_P,j(t − τ_ij)   input
//! ```
//! The input fluctuation is Wendling's white input noise (SD 30 pulses/s at 512 Hz, i.e. a
//! spectral density σ² = 30²/512) made an Ornstein–Uhlenbeck process with the same low-frequency
//! density (`s_ξ² = σ²/(2τ_ξ)`), so that it enters through `p` and is scaled by A' like the input.
//! with `p̄` raised by `ΔP_E · E`. `D` and `E` are network-level variables (see
//! [`crate::dynamic`]).

use serde::{Deserialize, Serialize};

use crate::cells::{CellType, PopulationEffect};
use crate::channel::{KnaChannel, SodiumPump};

/// Number of state variables of one region.
pub const NVAR: usize = 16;
/// Index of the smoothed pyramidal rate `r` in the state.
pub const IX_RATE: usize = 10;
/// Index of the fast Cl⁻ load `cl`.
pub const IX_CL: usize = 11;
/// Index of the population Na⁺ concentration `na` (mM).
pub const IX_NA: usize = 12;
/// Index of the slow Cl⁻ load `cs`.
pub const IX_CS: usize = 13;
/// Index of the input fluctuation ξ (pulses/s).
pub const IX_XI: usize = 14;
/// Index of the slow excitability fluctuation ζ (pulses/s).
pub const IX_ZETA: usize = 15;
/// Names of the state variables.
pub const STATE_NAMES: [&str; NVAR] = ["y0", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8", "y9", "rate", "cl", "na", "cs", "xi", "zeta"];
/// Correlation time of the input fluctuation ξ, s.
pub const TAU_XI: f64 = 0.002;

/// Parameters shared by all regions (units: s, mV, s⁻¹, mM).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionParams {
    /// Excitatory synaptic rate constant a, s⁻¹ (Wendling 2002: 100).
    pub a: f64,
    /// Slow (dendritic) inhibitory rate constant b, s⁻¹ (50).
    pub b: f64,
    /// Fast (somatic) inhibitory rate constant g, s⁻¹ (500).
    pub g: f64,
    /// Excitatory synaptic gain A, mV (5).
    pub a_gain: f64,
    /// Slow inhibitory synaptic gain B of the wild-type infant cortex, mV.
    pub b_gain: f64,
    /// Fast inhibitory synaptic gain G, mV (15).
    pub g_gain: f64,
    /// Connectivity constant C (135); C1 = C, C2 = 0.8C, C3 = C4 = 0.25C, C5 = 0.3C, C6 = 0.1C,
    /// C7 = 0.8C.
    pub c: f64,
    /// Half of the maximal firing rate e0, s⁻¹ (2.5).
    pub e0: f64,
    /// Sigmoid threshold v0, mV (6).
    pub v0: f64,
    /// Sigmoid slope r, mV⁻¹ (0.56).
    pub r: f64,
    /// Mean afferent input p̄, pulses/s (Wendling: 90).
    pub p_mean: f64,
    /// SD of the afferent input as Wendling's white noise sampled at 512 Hz, pulses/s (30).
    pub p_sd: f64,
    /// Time constant of the smoothed rate, s.
    pub tau_rate: f64,
    /// Rate threshold θ of the ictal drive, s⁻¹.
    pub theta: f64,
    /// Fast Cl⁻ loading rate k_cl, s⁻¹.
    pub cl_load: f64,
    /// Fast Cl⁻ recovery τ_cl, s.
    pub cl_tau: f64,
    /// GABA_A efficacy lost per unit fast Cl⁻ load χ.
    pub cl_gaba: f64,
    /// Na⁺ loading J at full ictal drive, mM/s.
    pub na_load: f64,
    /// Population pump: maximal rate R, mM/s (the Compte pump's shape φ and equilibrium).
    pub na_pump: f64,
    /// K_Na adaptation κ, mV per mS/cm² of extra K_Na conductance.
    pub kna_mv: f64,
    /// Slow Cl⁻ loading rate k_s, s⁻¹.
    pub cs_load: f64,
    /// Slow Cl⁻ recovery τ_s, s.
    pub cs_tau: f64,
    /// Extra input per unit slow load, pulses/s (the lasting depolarising effect of the
    /// seizure-induced Cl⁻ load on pyramidal cells).
    pub cs_input: f64,
    /// Smoothed rate at which the ictal drive reaches 1, s⁻¹.
    pub rate_ictal: f64,
    /// Input removed per unit network depression D, pulses/s.
    pub depression_input: f64,
    /// Extra input at full network facilitation E = 1, pulses/s.
    pub facilitation_input: f64,
    /// Gain of the slow fluctuation ζ at full facilitation: ζ enters the input as
    /// (1 + g_E E) ζ, so that after seizures the excitability swings wider.
    pub facilitation_noise_gain: f64,
    /// SD of the slow fluctuation ζ of each region's input (state-dependent excitability),
    /// pulses/s.
    pub zeta_sd: f64,
    /// Correlation time of ζ, s.
    pub zeta_tau: f64,
    /// Synaptic kinetics factor k of the immature cortex: the rate constants a, b, g are
    /// multiplied by k and the gains A, B, G by k as well (the PSP areas A/a, B/b, G/g are kept),
    /// and the fast input noise density is divided by k. The fast subsystem is then exactly the
    /// k = 1 system in the time τ = k·t, so every rhythm is k times slower while the operating
    /// points, amplitudes and mean rates are unchanged. 1 = Wendling's adult values
    /// (ictal rhythm ≈ 7 Hz by upward mean crossings of the onset region's LFP); see [`crate::output::Config::kinetics`].
    #[serde(default = "unit")]
    pub kinetics: f64,
    /// Feedforward Cl⁻ loading by afferent ictal activity κ_ff (per unit weighted ictal drive of
    /// the other regions): the collapse of feedforward inhibitory restraint that lets a seizure
    /// invade a neighbour after a delay.
    pub ff_load: f64,
}

impl Default for RegionParams {
    fn default() -> Self {
        RegionParams {
            a: 100.0,
            b: 50.0,
            g: 500.0,
            a_gain: 5.0,
            b_gain: 88.0,
            g_gain: 15.0,
            c: 135.0,
            e0: 2.5,
            v0: 6.0,
            r: 0.56,
            p_mean: 98.0,
            p_sd: 30.0,
            tau_rate: 1.0,
            theta: 0.4,
            cl_load: 10.0,
            cl_tau: 3.0,
            cl_gaba: 0.5,
            na_load: 0.25,
            na_pump: 0.54,
            kna_mv: 100.0,
            cs_load: 0.01,
            cs_tau: 600.0,
            cs_input: 10.0,
            rate_ictal: 1.0,
            depression_input: 6.0,
            ff_load: 0.04,
            facilitation_input: 2.0,
            facilitation_noise_gain: 1.5,
            zeta_sd: 5.0,
            zeta_tau: 20.0,
            kinetics: 1.0,
        }
    }
}

/// Extra input at full scenario forcing, pulses/s: enough to take a region from its resting state
/// into the same ictal state as a spontaneous seizure within about a second; the region's own Cl⁻
/// loading then removes GABA_A efficacy, exactly as in the dynamic mode.
pub const FORCING_INPUT: f64 = 45.0;

/// Population gains of one variant (ratios of variant to wild-type population rates at the
/// operating point, [`crate::cells::population_effects`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gains {
    /// Pyramidal (and excitatory interneuron) output gain ρ_P.
    pub pyramidal: f64,
    /// SST-like slow inhibitory output gain ρ_S.
    pub sst: f64,
    /// PV-like fast inhibitory output gain ρ_F.
    pub pv: f64,
}

impl Gains {
    /// The wild type: all gains 1.
    pub const UNITY: Gains = Gains { pyramidal: 1.0, sst: 1.0, pv: 1.0 };

    /// Gains from the level-2 population effects.
    pub fn from_effects(effects: &[PopulationEffect]) -> Gains {
        let get = |c: CellType| effects.iter().find(|e| e.cell == c).map(|e| e.gain).unwrap_or(1.0);
        Gains { pyramidal: get(CellType::Pyramidal), sst: get(CellType::Sst), pv: get(CellType::Pv) }
    }
}

/// Per-region quantities.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeParams {
    /// Mean afferent input p̄ of this region, pulses/s (heterogeneous excitability).
    pub p_mean: f64,
    /// Scale of the slow inhibitory gain of this region (heterogeneity, 1 = mean).
    pub b_scale: f64,
}

/// The region model for a network of regions.
#[derive(Clone, Debug)]
pub struct RegionModel {
    /// Shared parameters.
    pub params: RegionParams,
    /// Variant gains.
    pub gains: Gains,
    /// The variant's K_Na channel (under the drug).
    pub kna: KnaChannel,
    /// Na⁺ pump shape (equilibrium and half-saturation of Compte 2003).
    pub pump: SodiumPump,
    /// Per-node parameters.
    pub nodes: Vec<NodeParams>,
    /// Global coupling K: pulses/s of input per (weight × pulses/s of source rate).
    pub coupling_gain: f64,
    /// Network depression D (set by the driver between blocks).
    pub depression: f64,
    /// Network facilitation E (set by the driver between blocks).
    pub facilitation: f64,
    /// Per-node forcing in \[0, 1\] (scenario mode; 0 in the dynamic mode): extra input
    /// ([`FORCING_INPUT`] per unit) that drives the region into its ictal state.
    pub forcing: Vec<f64>,
    g_kna_eq: f64,
    phi_eq: f64,
    k_pump3: f64,
    /// u(na) tabulated on [0, U_TABLE_MAX] (linear interpolation).
    u_table: Vec<f64>,
}

#[inline(always)]
fn unit() -> f64 {
    1.0
}

fn sigmoid(v: f64, two_e0: f64, v0: f64, r: f64) -> f64 {
    two_e0 / (1.0 + crate::network::detmath::exp(r * (v0 - v)))
}

/// Step of the adaptation table, mM.
const U_TABLE_STEP: f64 = 0.005;
/// Largest \[Na\] of the adaptation table, mM (above it the last value holds).
const U_TABLE_MAX: f64 = 150.0;

impl RegionModel {
    /// A model of `nodes` regions.
    pub fn new(params: RegionParams, gains: Gains, kna: KnaChannel, nodes: Vec<NodeParams>, coupling_gain: f64) -> RegionModel {
        let pump = SodiumPump::default();
        let g_kna_eq = kna.conductance(pump.na_eq);
        let x3 = pump.na_eq.powi(3);
        let phi_eq = x3 / (x3 + pump.k_pump.powi(3));
        let n = nodes.len();
        let k_pump3 = pump.k_pump.powi(3);
        let mut m = RegionModel {
            params,
            gains,
            kna,
            pump,
            nodes,
            coupling_gain,
            depression: 0.0,
            facilitation: 0.0,
            forcing: vec![0.0; n],
            g_kna_eq,
            phi_eq,
            k_pump3,
            u_table: Vec::new(),
        };
        let len = (U_TABLE_MAX / U_TABLE_STEP) as usize + 2;
        m.u_table = (0..len).map(|k| m.adaptation_exact(k as f64 * U_TABLE_STEP)).collect();
        m
    }

    /// K_Na adaptation u (mV) at population \[Na\] `na`, computed exactly.
    pub fn adaptation_exact(&self, na: f64) -> f64 {
        self.params.kna_mv * (self.kna.conductance(na.max(1e-6)) - self.g_kna_eq)
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there is no region.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A resting initial state (background activity, \[Na\] at equilibrium, no Cl⁻ load).
    pub fn resting_state(&self) -> [f64; NVAR] {
        let mut x = [0.0; NVAR];
        x[IX_NA] = self.pump.na_eq;
        x[IX_RATE] = 0.2;
        x
    }

    /// K_Na adaptation u (mV) at population \[Na\] `na` (tabulated, linear interpolation at
    /// 0.005 mM; the table is built with [`RegionModel::adaptation_exact`]).
    #[inline]
    pub fn adaptation_mv(&self, na: f64) -> f64 {
        let x = na.clamp(0.0, U_TABLE_MAX) / U_TABLE_STEP;
        let k = (x as usize).min(self.u_table.len() - 2);
        let t = x - k as f64;
        self.u_table[k] + t * (self.u_table[k + 1] - self.u_table[k])
    }

    /// Pyramidal population rate S_P (s⁻¹) of a node in state `x`: what it sends to other regions.
    #[inline]
    pub fn pyramidal_rate(&self, x: &[f64; NVAR]) -> f64 {
        let p = &self.params;
        let u = self.adaptation_mv(x[IX_NA]);
        self.gains.pyramidal * sigmoid(x[1] - x[2] - x[3] - u, 2.0 * p.e0, p.v0, p.r)
    }

    /// Ictal drive h = max(0, r − θ)/(2e0 − θ) of a node in state `x` (0 in background).
    #[inline]
    pub fn ictal_drive(&self, x: &[f64; NVAR]) -> f64 {
        let p = &self.params;
        ((x[IX_RATE] - p.theta) / (p.rate_ictal - p.theta)).clamp(0.0, 1.0)
    }

    /// Time derivatives per **millisecond** of node `node` given the afferent coupling input
    /// `coupling` (pulses/s, already weighted and summed).
    #[inline]
    pub fn derivatives(&self, node: usize, x: &[f64; NVAR], coupling: &[f64; 2]) -> [f64; NVAR] {
        let p = &self.params;
        let nd = &self.nodes[node];
        let gn = &self.gains;
        let two_e0 = 2.0 * p.e0;
        let (c1, c2, c3, c4, c5, c6, c7) = (p.c, 0.8 * p.c, 0.25 * p.c, 0.25 * p.c, 0.3 * p.c, 0.1 * p.c, 0.8 * p.c);
        let u = self.adaptation_mv(x[IX_NA]);
        let k = p.kinetics;
        let a_gain = k * p.a_gain;
        let f = self.forcing[node];
        let gaba = (1.0 - p.cl_gaba * x[IX_CL]).max(0.0);
        let s_p = gn.pyramidal * sigmoid(x[1] - x[2] - x[3] - u, two_e0, p.v0, p.r);
        let s_e = gn.pyramidal * sigmoid(c1 * x[0] - u, two_e0, p.v0, p.r);
        let s_s = gn.sst * sigmoid(c3 * x[0], two_e0, p.v0, p.r);
        let s_f = gn.pv * sigmoid(c5 * x[0] - c6 * x[4], two_e0, p.v0, p.r);
        let input = nd.p_mean
            + x[IX_XI]
            + (1.0 + p.facilitation_noise_gain * self.facilitation) * x[IX_ZETA]
            + p.cs_input * x[IX_CS]
            + p.facilitation_input * self.facilitation
            - p.depression_input * self.depression
            + self.coupling_gain * coupling[0]
            + FORCING_INPUT * f;
        let b_gain = k * p.b_gain * nd.b_scale;
        let g_gain = k * p.g_gain;
        let (a, b, g) = (k * p.a, k * p.b, k * p.g);
        let h = ((x[IX_RATE] - p.theta) / (p.rate_ictal - p.theta)).clamp(0.0, 1.0);
        let na = x[IX_NA];
        let na3 = na * na * na;
        let phi = na3 / (na3 + self.k_pump3);
        let d = [
            x[5],
            x[6],
            x[7],
            x[8],
            x[9],
            a_gain * a * s_p - 2.0 * a * x[5] - a * a * x[0],
            a_gain * a * (input + c2 * s_e) - 2.0 * a * x[6] - a * a * x[1],
            gaba * b_gain * b * c4 * s_s - 2.0 * b * x[7] - b * b * x[2],
            gaba * g_gain * g * c7 * s_f - 2.0 * g * x[8] - g * g * x[3],
            b_gain * b * s_s - 2.0 * b * x[9] - b * b * x[4],
            (s_p - x[IX_RATE]) / p.tau_rate,
            p.cl_load * (h + p.ff_load * coupling[1]) * (1.0 - x[IX_CL]) - x[IX_CL] / p.cl_tau,
            p.na_load * h - p.na_pump * (phi - self.phi_eq),
            p.cs_load * h * (1.0 - x[IX_CS]) - x[IX_CS] / p.cs_tau,
            -x[IX_XI] / TAU_XI,
            -x[IX_ZETA] / p.zeta_tau,
        ];
        let mut out = [0.0; NVAR];
        for k in 0..NVAR {
            out[k] = d[k] * 1e-3;
        }
        out
    }

    /// Additive noise intensity (TVB `nsig`, per ms) of the input fluctuation ξ: the engine adds
    /// `√(2 nsig dt)` N(0,1) per step (dt in ms), and `√(2/τ_ξ) s_ξ √(dt/1000)` is needed.
    pub fn zeta_nsig(&self) -> f64 {
        let p = &self.params;
        // increment √(2/τ) s √(dt/1000) = √(2 nsig dt)  ⇒  nsig = s² / (τ · 1000)
        p.zeta_sd * p.zeta_sd / (p.zeta_tau * 1000.0)
    }

    /// Additive noise intensity of the fast input fluctuation ξ (see [`RegionModel::xi_nsig`]).
    pub fn xi_nsig(&self) -> f64 {
        // Density ÷ k keeps the fast subsystem the k = 1 one in the time τ = k·t.
        let sigma2 = self.params.p_sd * self.params.p_sd / 512.0 / self.params.kinetics;
        let s2 = sigma2 / (2.0 * TAU_XI);
        s2 / (TAU_XI * 1000.0)
    }

    /// LFP proxy y1 − y2 − y3 (mV), the Wendling model's EEG signal.
    #[inline]
    pub fn lfp(x: &[f64; NVAR]) -> f64 {
        x[1] - x[2] - x[3]
    }
}

impl crate::network::NodeModel for RegionModel {
    type State = [f64; NVAR];
    type Coupling = [f64; 2];
    const STATE_NAMES: &'static [&'static str] = &STATE_NAMES;

    fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    #[inline]
    fn coupling_source(&self, _node: usize, x: &[f64; NVAR]) -> [f64; 2] {
        [self.pyramidal_rate(x), self.ictal_drive(x)]
    }

    #[inline]
    fn dfun(&self, node: usize, x: &[f64; NVAR], coupling: &[f64; 2]) -> [f64; NVAR] {
        self.derivatives(node, x, coupling)
    }

    fn bounds(&self) -> Vec<crate::network::StateBound> {
        use crate::network::StateBound;
        vec![
            StateBound { var: IX_CL, lo: 0.0, hi: 1.0 },
            StateBound { var: IX_CS, lo: 0.0, hi: 1.0 },
            StateBound { var: IX_NA, lo: 1.0, hi: f64::INFINITY },
        ]
    }

    fn n_observables(&self) -> usize {
        N_OBS
    }

    fn observable_names(&self) -> Vec<String> {
        OBS_NAMES.iter().map(|s| s.to_string()).collect()
    }

    #[inline]
    fn observe(&self, _node: usize, x: &[f64; NVAR], out: &mut [f64]) {
        out[0] = Self::lfp(x);
        out[1] = x[IX_RATE];
        out[2] = x[IX_NA];
        out[3] = x[IX_CL];
        out[4] = x[IX_CS];
    }
}

/// Number of observables recorded per region.
pub const N_OBS: usize = 5;
/// Observables: LFP proxy (mV), smoothed pyramidal rate (s⁻¹), \[Na\] (mM), fast and slow Cl⁻ load.
pub const OBS_NAMES: [&str; N_OBS] = ["lfp", "rate", "na", "cl", "cs"];
