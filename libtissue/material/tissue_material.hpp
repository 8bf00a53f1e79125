// The composed constitutive law of one tissue region: hyperelastic base + isochoric Prony series +
// temperature shift + optional active fibre stress. Pointwise, allocation-free in the hot path.
#pragma once

#include <optional>
#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/material/active.hpp"
#include "libtissue/material/hyperelastic.hpp"
#include "libtissue/material/thermal.hpp"
#include "libtissue/material/viscoelastic.hpp"

namespace tissue {

/// Constitutive law of one tissue. Moduli of `elastic` and the Prony relaxation times hold at thermal.T_ref.
/// The volumetric part elastic.vol (kappa) is NOT scaled with temperature: the bulk modulus of water-rich
/// tissue is dominated by water and barely changes over 15-55 degC; only the isochoric (shear) response is.
struct TissueMaterial {
  HyperelasticLaw elastic;            ///< hyperelastic base at T_ref (isochoric law + volumetric kappa)
  PronySeries prony;                  ///< normalized Prony series on the isochoric stress (empty = elastic)
  ThermalShift thermal;               ///< a_T(T) on relaxation times, m(T) on the isochoric stress
  std::optional<ActiveFibre> active;  ///< active fibre stress (muscle tone); needs a fibre direction

  /// Validates every part; fields "<tissue>.mu", "<tissue>.prony[i].tau", "<tissue>.thermal.T_ref",
  /// "<tissue>.active.sigma_max", ...
  void validate(std::string_view tissue) const;
};

/// Small-strain shear modulus mu [Pa] of an isochoric law (its tangent at C = I is 2 mu P_dev).
Real small_strain_shear_modulus(const IsochoricLaw& law);

/// Pointwise isochoric response of a TissueMaterial at the end of a step.
struct TissueResponse {
  Mat3 S;       ///< isochoric S incl. viscous branches and active stress [Pa] (add the volumetric part)
  Mat6 D;       ///< algorithmic tangent dS/dE at fixed history, tone and temperature [Pa]
  Real energy;  ///< incremental potential: m(T) phi_visc + W_act, dEnergy/dE = S [J/m^3]
  Real stored_energy;  ///< free energy of the passive part m(T) Psi [J/m^3]
  Real dissipation;    ///< viscous energy dissipated in the step [J/m^3] (q_visc = dissipation / dt)
  Real active_energy;  ///< W_act [J/m^3] (0 without active fibre)
  /// Stress work of the step along its path (C linear in time from the history's C to C) [J/m^3]: the Prony
  /// stress's exact mean over the step times dE, plus W_act(C) - W_act(C_prev) at the step's tone.
  Real work;
};

/// Evaluates one quadrature point: C (right Cauchy-Green), unit reference fibre f0, temperature T [K] (the
/// step's temperature; not range-checked here, call thermal.check_range outside the hot path), tone a in
/// [0, 1] (ignored without `active`), step dt >= 0 [s], history at the start of the step `previous`;
/// writes the history at the end of the step into `current` (may be the same object as `previous`).
/// S = m(T) S_visc(C; a_T(T)) + S_act(C, f0, a), with S_visc from prony_update on the reference-temperature
/// isochoric law, so history and energies are stored in reference units and a temperature change at fixed
/// strain causes no relaxation transient and no spurious dissipation. Without want_D the tangent D is left
/// zero (residual evaluations skip its cost).
TissueResponse tissue_response(const TissueMaterial& material, const Mat3& C, const Vec3& f0, Real T,
                               Real tone, Real dt, const PronyState& previous, PronyState& current,
                               bool want_D = true);

}  // namespace tissue
