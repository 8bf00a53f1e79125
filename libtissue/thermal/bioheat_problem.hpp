// Pennes bioheat problem on the mechanics mesh (hex8 or tet4, one nodal temperature per node):
//
//   rho c dT/dt = div(k grad T) + w_b rho_b c_b (T_a - T) + q_met + q_src      (Pennes 1948)
//
// Galerkin FE with the consistent capacity matrix M (rho c), conduction K (k), perfusion P
// (w_b rho_b c_b, w_b per quadrature point), convection R (h on facet sets) and a contact patch
// C (h_contact on surface points). With L = K + R + P + C and nodal loads f, the theta-method reads
//   (M/dt + theta L) T1 = (M/dt - (1 - theta) L) T0 + f,
// theta = 1 (backward Euler, O(dt)) or 1/2 (Crank-Nicolson, O(dt^2)). Perfusion is lagged (set
// before the step, e.g. from the temperature at its start) and loads are constant over the step
// (step averages), so every step is one linear solve with a matrix that changes only when dt, the
// perfusion field or the contact patch changes: the pattern is fixed, so the solver's symbolic
// analysis is done once and only the numeric factorisation is redone, and only then.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/state_archive.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/fem/assembly_map.hpp"
#include "libtissue/fem/dof_map.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/fem/geometry_cache.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/mesh/mesh.hpp"
#include "libtissue/thermal/perfusion_law.hpp"
#include "libtissue/thermal/thermal_properties.hpp"

namespace tissue {

/// Time integration scheme of the bioheat equation (theta-method).
enum class ThermalScheme {
  backward_euler,  ///< theta = 1: L-stable, first order in dt
  crank_nicolson   ///< theta = 1/2: second order in dt, not L-stable (rough data rings)
};

/// The theta of a scheme: 1 for backward Euler, 1/2 for Crank-Nicolson.
Real scheme_theta(ThermalScheme scheme);

/// Options of the bioheat problem.
struct ThermalOptions {
  int threads = 1;                                       ///< element-loop threads (>= 1)
  ThermalScheme scheme = ThermalScheme::backward_euler;  ///< time integration scheme
  LinearSolverOptions linear_solver{};                   ///< linear solver (SPD systems)
  /// Relative change of the perfusion field (max |dw| / max |w|) below which a new perfusion
  /// field is ignored and the factorisation kept; 0 (default) refactorises on any change [-].
  Real perfusion_update_tolerance = 0.0;
  /// Row-sum lumping of the mass-type matrices (capacity, perfusion, convection, contact). Keeps
  /// every energy total and O(h^2) accuracy, and gives a discrete maximum principle (no over- or
  /// undershoot next to a hot patch for small dt on coarse meshes); false: consistent matrices.
  bool lumped = false;
  /// Throws InputError naming the first invalid field.
  void validate() const;
};

/// Prescribed temperature on a node set (e.g. "bone_all" at 37 C = 310.15 K).
struct FixedTemperature {
  std::string node_set;  ///< name of the mesh node set
  Real temperature = 0;  ///< prescribed temperature [K]
};

/// Convection (Robin) on a facet set: outward heat flux h (T - T_ambient).
struct Convection {
  std::string facet_set;         ///< name of the mesh facet set (e.g. "skin")
  Real h = 0;                    ///< heat transfer coefficient [W/m^2/K] (>= 0)
  Real ambient_temperature = 0;  ///< room-air temperature [K]
};

/// Boundary conditions fixed for the life of a BioheatProblem (facets not named are insulated).
struct ThermalBoundary {
  std::vector<FixedTemperature> fixed;  ///< Dirichlet node sets (values changeable later)
  std::vector<Convection> convection;   ///< Robin facet sets (constant h, T_ambient)
  /// Facet set whose FacetQuadrature points carry ThermalLoads::surface_flux and the contact
  /// patch; ignored when the mesh has no such set (then those loads must stay empty).
  std::string load_surface = "skin";
};

/// Loads of one step, held constant over it (pass step averages). Empty spans mean "none".
/// Non-owning: the arrays must outlive the call.
struct ThermalLoads {
  /// Heat flux into the tissue at each point of load_surface() [W/m^2] (friction heat, heat pack).
  std::span<const Real> surface_flux{};
  /// Contact conductance at each point of load_surface() [W/m^2/K]; 0 outside the tool patch.
  std::span<const Real> contact_h{};
  /// Tool (hot stone) temperature at each point of load_surface() [K]; used where contact_h > 0.
  std::span<const Real> contact_temperature{};
  /// Volumetric heat source per cell [W/m^3] (viscous dissipation, extra metabolism).
  std::span<const Real> cell_source{};
};

/// Energy bookkeeping of one step [J]; every term is heat INTO the tissue over the step, so that
/// heat_content_change = sum of the other terms up to the linear-solver tolerance.
struct ThermalStepReport {
  Real heat_content_change = 0;  ///< integral of rho c (T1 - T0) dV
  Real source_heat = 0;          ///< dt * integral of (q_met + q_src) dV
  Real surface_flux_heat = 0;    ///< dt * integral of q dA over the load surface
  Real convection_heat = 0;      ///< -dt * integral of h (T_theta - T_amb) dA (negative: loss)
  Real contact_heat = 0;         ///< -dt * integral of h_c (T_theta - T_tool) dA
  Real perfusion_heat = 0;       ///< -dt * integral of w_b rho_b c_b (T_theta - T_a) dV (negative: removal)
  Real fixed_temperature_heat = 0;  ///< dt * heat flow through the Dirichlet nodes (reactions)
  bool refactorized = false;        ///< whether this step refactorised the system matrix
  /// heat_content_change minus the sum of the other terms (~ solver tolerance) [J].
  Real imbalance() const {
    return heat_content_change - (source_heat + surface_flux_heat + convection_heat + contact_heat +
                                  perfusion_heat + fixed_temperature_heat);
  }
};

/// The Pennes bioheat problem: owns geometry, matrices and the linear solver; the temperature
/// field (#nodes [K]) is owned by the caller. Not thread-safe (step() reuses work arrays).
class BioheatProblem {
 public:
  /// Sets up matrices and the solver. `properties` has one entry per mesh region (region-id
  /// order). Throws InputError naming "<region>.<field>", "blood.<field>", "convection.<set>.h"
  /// etc. for bad input, and for unknown node or facet sets.
  BioheatProblem(const Mesh& mesh, std::vector<ThermalProperties> properties, BloodProperties blood,
                 ThermalBoundary boundary = {}, ThermalOptions options = {});
  ~BioheatProblem();
  BioheatProblem(const BioheatProblem&) = delete;
  BioheatProblem& operator=(const BioheatProblem&) = delete;

  /// The mesh (borrowed).
  const Mesh& mesh() const { return mesh_; }
  /// Free-temperature numbering (1 dof per node; Dirichlet nodes constrained).
  const DofMap& dofs() const { return dofs_; }
  /// Reference geometry.
  const GeometryCache& geometry() const { return geo_; }
  /// Quadrature of the load surface (points of surface_flux / contact arrays), or nullptr.
  const FacetQuadrature* load_surface() const { return surface_.get(); }
  /// Per-region properties.
  const std::vector<ThermalProperties>& properties() const { return props_; }
  /// Blood properties.
  const BloodProperties& blood() const { return blood_; }
  /// Boundary conditions.
  const ThermalBoundary& boundary() const { return boundary_; }
  /// Options in use.
  const ThermalOptions& options() const { return options_; }
  /// Sets the element-loop thread count (>= 1).
  void set_threads(int threads);

  /// A nodal field at uniform temperature T0 [K] with the Dirichlet values applied (#nodes).
  VectorX initial_temperature(Real T0) const;
  /// Overwrites the Dirichlet nodes of T (#nodes) with their prescribed values.
  void apply_fixed_temperatures(VectorX& T) const;
  /// Changes the prescribed temperature [K] of one of the boundary's fixed node sets.
  void set_fixed_temperature(std::string_view node_set, Real temperature);

  /// Restores the baseline perfusion w_b0 of each region (the state after construction).
  void reset_perfusion();
  /// Sets a perfusion value per cell [1/s] (#cells, >= 0).
  void set_cell_perfusion(std::span<const Real> w);
  /// Sets the perfusion at every quadrature point [1/s] (#cells x n_qp, cell-major, >= 0): the
  /// hook for any other perfusion law.
  void set_perfusion_qp(std::span<const Real> w);
  /// Evaluates `law` at every quadrature point from nodal temperature T [K] and nodal stimulus
  /// state s [-] (both #nodes): w = w_b0(region) * law.factor(T_q, s_q). Call at the start of a
  /// step (lagged perfusion).
  void set_perfusion(const PerfusionLaw& law, const VectorX& T, const VectorX& s);
  /// Perfusion at the quadrature points [1/s] (#cells x n_qp, cell-major).
  const std::vector<Real>& perfusion_qp() const { return perf_qp_; }
  /// Writes the perfusion it holds to `a` under "heat.perfusion" (a checkpoint): set_perfusion keeps it
  /// within perfusion_update_tolerance of the law's value, so it is state, not a function of the temperature.
  void save(StateArchive& a) const;
  /// Reads what save() wrote (exactly, no update tolerance); InputError "heat.perfusion" for another model.
  void load(const StateArchive& a);
  /// Volume-mean perfusion of each cell [1/s] (#cells).
  VectorX cell_perfusion() const;

  /// Advances T (#nodes [K], the state at the start) by dt [s] under `loads`; on return T holds
  /// the end-of-step field. Returns the step's energy bookkeeping. Throws InputError on bad sizes
  /// or values, NumericalError if the solve fails.
  ThermalStepReport step(VectorX& T, Real dt, const ThermalLoads& loads = {});
  /// Solves the steady problem L T = f with the current perfusion and `loads`; T (#nodes [K]) is
  /// overwritten. Needs a fixed temperature, convection, contact or perfusion (else InputError).
  void steady_state(VectorX& T, const ThermalLoads& loads = {});

  /// Heat content integral of rho c T dV [J] (T in K; use differences).
  Real heat_content(const VectorX& T) const;
  /// Heat flow into the tissue by convection at T: -integral of h (T - T_amb) dA [W].
  Real convection_heat_rate(const VectorX& T) const;
  /// Heat flow into the tissue by perfusion at T: -integral of w_b rho_b c_b (T - T_a) dV [W].
  Real perfusion_heat_rate(const VectorX& T) const;
  /// Volumetric heat input of `loads` plus metabolism: integral of (q_met + q_src) dV [W].
  Real source_heat_rate(const ThermalLoads& loads = {}) const;

  /// Consistent capacity matrix over all nodes (#nodes x #nodes) [J/K].
  const SparseMatrix& capacity_matrix() const { return M_; }
  /// Conduction plus convection matrix over all nodes [W/K].
  const SparseMatrix& conduction_matrix() const { return K_; }
  /// Perfusion matrix over all nodes [W/K] (as of the last step or steady solve).
  const SparseMatrix& perfusion_matrix() const { return P_; }
  /// Numeric factorisations done by the time-step solver so far.
  std::int64_t factorizations() const;
  /// Symbolic analyses done by the time-step solver so far (1 after the first step).
  std::int64_t analyses() const;

 private:
  void assemble_constant();
  void assemble_perfusion();
  void update_contact(std::span<const Real> h, std::span<const Real> T_tool);
  void build_load(const ThermalLoads& loads, VectorX& f) const;
  void check_loads(const ThermalLoads& loads) const;
  void solve_reduced(LinearSolver& solver, const SparseMatrix& A_full, SparseMatrix& A_red, bool refactor,
                     const VectorX& b, VectorX& T);
  void prepare_matrices(const ThermalLoads& loads);
  /// Throws InputError `field` unless n is #cells x n_qp.
  void check_perfusion_size(std::string_view field, size_t n) const;

  const Mesh& mesh_;
  std::vector<ThermalProperties> props_;
  BloodProperties blood_;
  ThermalBoundary boundary_;
  ThermalOptions options_;
  GeometryCache geo_;
  DofMap full_dofs_, dofs_;
  AssemblyMap full_map_;
  std::vector<std::vector<std::vector<Index>>> colors_;  // per region: conflict-free colours
  std::unique_ptr<FacetQuadrature> surface_;
  std::vector<std::array<int, 4>> surface_local_;  // corner -> local node in owning cell
  std::vector<Index> fixed_nodes_;
  VectorX fixed_value_;           // #nodes; meaningful at fixed nodes
  std::vector<int> red_to_full_;  // reduced value slot -> full value slot

  SparseMatrix M_, K_, P_, C_, L_, A_, A_red_, L_red_;
  VectorX capacity_, conv_rowsum_, conv_load_, met_load_, perf_rowsum_, contact_rowsum_, contact_load_;
  std::vector<Real> cell_shape_integral_;  // #cells x nen: integral of N_a dV [m^3]
  std::vector<Real> perf_qp_, perf_scratch_, contact_h_;
  bool perf_dirty_ = true, sum_dirty_ = true, step_valid_ = false, steady_valid_ = false;
  Real factorized_dt_ = -1;
  std::unique_ptr<LinearSolver> solver_, steady_solver_;
  VectorX f_, b_, r_, x_, red_, sol_, Ttheta_;
};

}  // namespace tissue
