// Quasi-static / dynamic finite-strain solid: internal forces, tangent, energy, mass, stresses.
//
// Total Lagrangian. Hex8 cells with decoupled laws W = W_iso(Cbar) + U(J) use the mean-dilatation
// (Q1/P0 three-field, condensed) treatment of the volumetric part, which removes volumetric locking
// (Simo, Taylor & Pister 1985, CMAME 51:177; de Souza Neto et al. 2008, ch. 15): the element energy is
//   Pi_e = sum_q W_iso(C_q) dV_q + V0_e U(v_e / V0_e),   v_e = sum_q J_q dV_q,
// a displacement-only functional whose gradient and Hessian are assembled exactly, so the tangent is
// symmetric and consistent. Tet4 cells and compressible laws use the plain pointwise form.
#pragma once

#include <variant>
#include <vector>

#include "libtissue/core/parallel.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/fem/assembly_map.hpp"
#include "libtissue/fem/dof_map.hpp"
#include "libtissue/fem/geometry_cache.hpp"
#include "libtissue/material/hyperelastic.hpp"
#include "libtissue/material/tissue_material.hpp"
#include "libtissue/material/viscoelastic.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// FEBio-style viscoelastic compressible law (Prony series on the whole second Piola-Kirchhoff
/// stress), used to compare with the peer benchmark of ../shared/benchmarks/peer-block.md.
struct PeerViscoelastic {
  CompressibleNeoHookean elastic;  ///< elastic part
  PeerPronySeries prony;           ///< S = g0 Se + sum g_i H_i
  /// Validates both parts (fields "<tissue>.mu", "<tissue>.prony[i].tau", ...).
  void validate(std::string_view tissue) const;
};

/// Mechanical law of a region: a decoupled elastic law, a compressible law, the full tissue law
/// (viscoelastic, temperature-dependent, active), or the peer benchmark's viscoelastic law.
using SolidLaw = std::variant<HyperelasticLaw, CompressibleNeoHookean, TissueMaterial, PeerViscoelastic>;

/// Whether a law carries history (needs a SolidHistory).
bool has_history(const SolidLaw& law);

/// Viscoelastic history (Prony state) at every quadrature point: the committed state of a run, or the
/// trial state at the end of a step. A step reads the committed history (SolidInputs::history) and writes
/// the trial one (SolidStepState::history); the stepper keeps the trial history of the accepted state.
class SolidHistory {
 public:
  /// Empty history (no points).
  SolidHistory() = default;
  /// History for n_cells x n_qp points, all undeformed.
  SolidHistory(Index n_cells, int n_qp);
  /// State of point (e, q).
  const PronyState& at(Index e, int q) const { return points_[idx(e, q)]; }
  /// State of point (e, q), writable.
  PronyState& at(Index e, int q) { return points_[idx(e, q)]; }
  /// Quadrature points per cell.
  int n_qp() const { return nq_; }
  /// Number of points (#cells x n_qp).
  Index size() const { return static_cast<Index>(points_.size()); }

 private:
  size_t idx(Index e, int q) const {
    return static_cast<size_t>(e) * static_cast<size_t>(nq_) + static_cast<size_t>(q);
  }
  int nq_ = 0;
  std::vector<PronyState> points_;
};

/// Inputs of an evaluation beyond the displacement: the step, the fields mechanics reads (temperature,
/// tone, frozen over the step) and the committed history of the viscous laws at the start of the step.
struct SolidInputs {
  Real dt = 0;                            ///< step length [s] (0: instantaneous elastic response)
  const VectorX* temperature = nullptr;   ///< nodal temperature [K]; null: each law's T_ref
  const VectorX* tone = nullptr;          ///< tone per quadrature point (#cells x n_qp) in [0, 1]; null: 0
  const SolidHistory* history = nullptr;  ///< history at the start of the step; needed by viscous laws
};

/// The solid's state at the end of a step for the evaluated displacement: an explicit output of
/// SolidProblem::evaluate. The stepper keeps the one of the accepted state (no extra element pass).
struct SolidStepState {
  SolidHistory history;  ///< viscous history at the end of the step (sized by evaluate)
  VectorX dissipation;   ///< energy dissipated in the step per cell [J]
  VectorX pressure;      ///< cell-mean hydrostatic pressure -tr(sigma)/3 per cell [Pa] (> 0 compressive)
  VectorX von_mises;     ///< von Mises stress of the cell-mean Cauchy stress per cell [Pa] (as cell_stress)
  /// Cell-mean |dev(E1 - E0)| over the step per cell [-] (laws with history; 0 elsewhere): the deviatoric
  /// strain the tissue went through, whose rate drives the perfusion stimulus.
  VectorX strain_change;
  Real stored_energy = 0;  ///< stored (free) energy of the solid at the end of the step [J]: elastic, viscous
                           ///< branches, volumetric and active fibre energy
  /// Stress work of the step over the cells whose laws carry history [J], each quadrature point along the
  /// step's path (C linear in time; the Prony stress's exact mean over the step). At equilibrium it is the
  /// work of the loads on those cells, including the viscous overstress inside the step that the end states
  /// miss.
  Real work = 0;
  /// Stored energy of the cells whose laws carry no history [J] (their work over a step is its change).
  Real elastic_energy = 0;
};

/// Mechanical properties of one mesh region.
struct RegionMechanics {
  SolidLaw law;           ///< constitutive law
  Real density = 1050.0;  ///< mass density [kg/m^3]
};

/// How the volumetric part of decoupled laws is integrated on hex8 cells.
enum class VolumetricTreatment {
  mean_dilatation,  ///< Q1/P0 (locking-free; default)
  pointwise         ///< plain full integration (locks when nearly incompressible; for comparison)
};

/// Options of the solid problem.
struct SolidOptions {
  VolumetricTreatment volumetric = VolumetricTreatment::mean_dilatation;  ///< hex8 volumetric treatment
  int threads = 1;                                                        ///< element-loop threads
  /// Throws InputError naming the field if invalid.
  void validate() const;
};

/// Result of one assembly.
struct SolidEvaluation {
  Real energy = 0;            ///< stored strain energy [J]
  bool admissible = true;     ///< false if some cell has J <= 0 at a quadrature point
  Index first_bad_cell = -1;  ///< the lowest-numbered inadmissible cell, or -1
};

/// Per-cell stress and strain measures (cell means over quadrature points).
struct CellStress {
  Eigen::Matrix<Real, Eigen::Dynamic, 6, Eigen::RowMajor> cauchy;  ///< #cells x 6 Cauchy stress (Voigt) [Pa]
  Eigen::Matrix<Real, Eigen::Dynamic, 6, Eigen::RowMajor>
      strain;                ///< #cells x 6 Green-Lagrange strain (Voigt) [-]
  VectorX pressure;          ///< #cells hydrostatic pressure -tr(sigma)/3 [Pa] (positive in compression)
  VectorX von_mises;         ///< #cells von Mises stress [Pa]
  VectorX max_shear_strain;  ///< #cells max principal shear of E (E1 - E3)/2 [-]
  VectorX J;                 ///< #cells volume ratio [-]
};

/// The finite-strain solid: owns geometry, dof map, assembly map and per-region laws; holds no state.
class SolidProblem {
 public:
  /// Sets up the problem. `materials` has one entry per mesh region; `dofs` must be finalized.
  /// Throws InputError if the number of materials does not match the regions or a law is invalid.
  SolidProblem(const Mesh& mesh, std::vector<RegionMechanics> materials, DofMap dofs,
               SolidOptions options = {});

  /// The mesh (borrowed).
  const Mesh& mesh() const { return mesh_; }
  /// Dof map (3 per node).
  const DofMap& dofs() const { return dofs_; }
  /// Reference geometry.
  const GeometryCache& geometry() const { return geo_; }
  /// Pattern and scatter slots of the tangent.
  const AssemblyMap& assembly_map() const { return map_; }
  /// Options in use.
  const SolidOptions& options() const { return options_; }
  /// Per-region materials.
  const std::vector<RegionMechanics>& materials() const { return materials_; }
  /// Sets the element-loop thread count.
  void set_threads(int threads);

  /// Strain energy (incremental potential for viscous laws), and optionally internal forces f_int
  /// (3 x #nodes, all dofs), the tangent K = d f_int / d u over free equations (K must come from
  /// assembly_map().make_matrix()) and the step state at the end of the step (`step`). One element pass.
  /// u holds all nodal displacements (3 x #nodes) [m]. Viscous laws need inputs->history.
  SolidEvaluation evaluate(const VectorX& u, VectorX* f_int, SparseMatrix* K,
                           const SolidInputs* inputs = nullptr, SolidStepState* step = nullptr) const;
  /// Whether any region needs a SolidHistory.
  bool needs_history() const;
  /// A fresh (undeformed) history sized for this problem.
  SolidHistory make_history() const { return SolidHistory(mesh_.n_cells(), geo_.n_qp()); }
  /// Cycle jump of the viscous history (prony_jump_cycles at every point of the viscous regions): advances
  /// the committed `history`, which ends a resolved cycle of `period` [s], by `cycles` more cycles, given
  /// `cycle_start`, the committed history one period earlier. a_T is taken at `temperature` (nodal [K];
  /// null: each law's T_ref). Returns the change of each cell's stored energy [J] (the branches' creep:
  /// energy the tools put in where it grows, heat where the branches relax).
  VectorX jump_history(SolidHistory& history, const SolidHistory& cycle_start, Real period, Real cycles,
                       const VectorX* temperature = nullptr) const;
  /// Consistent mass matrix over free equations [kg].
  SparseMatrix mass_matrix() const;
  /// M * a restricted to all dofs (3 x #nodes), for inertia forces with prescribed accelerations.
  VectorX mass_times(const VectorX& a_full) const;
  /// Nodal body-force load of gravity g [m/s^2] (3 x #nodes) [N].
  VectorX body_force(const Vec3& g) const;
  /// Cell-mean Cauchy stress, strain and derived measures at displacement u.
  CellStress cell_stress(const VectorX& u, const SolidInputs* inputs = nullptr) const;

 private:
  const Mesh& mesh_;
  std::vector<RegionMechanics> materials_;
  DofMap dofs_;
  SolidOptions options_;
  GeometryCache geo_;
  AssemblyMap map_;
  ColoredRegions colors_;  // conflict-free colours over all cells, grouped by region inside each colour
};

}  // namespace tissue
