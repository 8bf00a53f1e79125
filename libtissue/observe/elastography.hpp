// Virtual shear-wave elastography: effective shear moduli and shear-wave speeds per region, from the
// linearised response about the current state (tone, temperature, viscoelastic state, pre-stress).
#pragma once

#include <string>
#include <vector>

#include "libtissue/observe/step_view.hpp"

namespace tissue {

/// Which viscoelastic modulus the linearisation uses.
enum class ElastographyModulus {
  instantaneous,  ///< Prony branches unrelaxed (shear waves at 50-500 Hz are much faster than tau_i ~ s);
                  ///< default
  long_term       ///< Prony branches fully relaxed (g_inf times the elastic tangent)
};

/// Options of Elastography.
struct ElastographyOptions {
  ElastographyModulus modulus = ElastographyModulus::instantaneous;  ///< tangent used
};

/// Effective shear moduli of a small plane shear wave at one point (or region mean).
struct ShearModuli {
  Real mu_parallel = 0;  ///< rho c^2 of a wave travelling along the fibre, polarised across [Pa]
  Real mu_perp = 0;      ///< rho c^2 of a wave travelling across the fibre, polarised across [Pa]
};

/// Acoustic shear moduli at one point from the deformation gradient F, the 2nd Piola-Kirchhoff stress S
/// [Pa], the material tangent D = dS/dE (Voigt, tensor components) [Pa] and the reference fibre f0 (zero:
/// isotropic, lab-frame mean). With the spatial tangent c_ijkl = F_iI F_jJ F_kK F_lL D_IJKL / J and the
/// Cauchy stress sigma = F S F^T / J, the acoustic tensor gives rho c^2 = p_i n_j c_ijkl p_k n_l + n.sigma.n
/// for propagation n and polarisation p (n . p = 0) (Ogden 2007, in Waves in Nonlinear Pre-Stressed
/// Materials, eq. 2.60; Destrade et al.). mu_parallel averages (n, p) = (f, s), (f, t); mu_perp averages (s,
/// t), (t, s), with f = F f0 / |F f0| and s, t completing an orthonormal frame. At rest this is the
/// small-strain shear modulus; the pre-stress term adds the active fibre stress a sigma_max f(lambda) to
/// mu_parallel.
ShearModuli acoustic_shear_moduli(const Mat3& F, const Mat3& S, const Mat6& D, const Vec3& f0);

/// Elastography reading of one region.
struct RegionElasticity {
  std::string region;       ///< region name
  ShearModuli modulus;      ///< volume-weighted mean moduli [Pa]
  Real density = 0;         ///< current mass density rho0 / J (volume mean) [kg/m^3]
  Real speed_parallel = 0;  ///< shear-wave speed along the fibres sqrt(mu_parallel / rho) [m/s]
  Real speed_perp = 0;      ///< shear-wave speed across the fibres sqrt(mu_perp / rho) [m/s]
};

/// Full elastography result.
struct ElastographyResult {
  std::vector<RegionElasticity> regions;  ///< one entry per mesh region, in id order
  VectorX cell_mu_parallel;               ///< cell means of mu_parallel [Pa] (field "shear_modulus")
  VectorX cell_mu_perp;                   ///< cell means of mu_perp [Pa]
};

/// Appends the series of every region with cells: shear_modulus (= mu_parallel, Pa), shear_modulus_across
/// (= mu_perp, Pa), shear_wave_speed (along the fibres, m/s), shear_wave_speed_across (m/s).
void append_elastography_series(const ElastographyResult& result, Observations& out);

/// Virtual shear-wave elastography (ARCHITECTURE 2.2): per region shear moduli and wave speeds.
/// Series (group = region): see append_elastography_series.
class Elastography final : public Observer {
 public:
  /// Observer with the given options.
  explicit Elastography(ElastographyOptions options = {});
  /// "elastography".
  std::string_view name() const override { return "elastography"; }
  /// Moduli at every quadrature point, region means and cell means at the view's state.
  ElastographyResult compute(const StepView& view) const;
  /// Appends the series of every region.
  void on_step(const StepView& view, Observations& out) override;

 private:
  ElastographyOptions options_;
};

}  // namespace tissue
