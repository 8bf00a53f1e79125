#include "libtissue/session/session_problems.hpp"

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// Energy line search of the session's Newton: one secant step when the full step overshoots the energy's
/// minimum along it (NewtonOptions::line_search_tolerance). Numerical choice, FEBio's default LSTOL
/// (docs/engine.md, "Newton settings").
constexpr Real kSessionLineSearchTolerance = 0.9;

SolidProblem make_solid(const Model& model, int threads) {
  DofMap dofs(model.mesh.n_nodes(), 3);
  dofs.constrain_nodes(model.fixed_nodes());
  dofs.finalize();
  SolidOptions sopt;
  sopt.threads = threads;
  return SolidProblem(model.mesh, model.region_mechanics(), std::move(dofs), sopt);
}

const FacetSet& skin_of(const Model& model) {
  const FacetSet* skin = model.mesh.find_facet_set("skin");
  if (!skin) throw InputError("model", "the mesh has no 'skin' facet set, so no tool can be applied");
  return *skin;
}

BioheatProblem make_heat(const Model& model, const RunSpec& rs, int threads) {
  std::vector<ThermalProperties> props;
  for (const auto& t : model.tissues) props.push_back(t.thermal);
  ThermalBoundary boundary;
  for (const auto& set : model.fixed_sets) boundary.fixed.push_back({set, rs.core_temperature});
  boundary.convection.push_back({"skin", rs.skin_heat_transfer, rs.air_temperature});
  boundary.load_surface = "skin";
  ThermalOptions topt;
  topt.threads = threads;
  topt.lumped = true;  // no over/undershoot next to a hot stone on coarse meshes
  topt.perfusion_update_tolerance = 0.01;
  const bool iterative =
      rs.linear_solver == LinearSolverKind::cg || rs.linear_solver == LinearSolverKind::amg;
  topt.linear_solver.kind = iterative ? rs.linear_solver : LinearSolverKind::automatic;
  return BioheatProblem(model.mesh, props, BloodProperties{}, boundary, topt);
}

}  // namespace

SessionProblems::SessionProblems(const Model& model, const RunSpec& run, int threads)
    : model_(model),
      run_(run),
      solid_(make_solid(model, threads)),
      contact_(model.mesh, skin_of(model)),
      heat_(make_heat(model, run, threads)) {
  if (!heat_.load_surface() || heat_.load_surface()->size() != contact_.quadrature().size())
    throw std::logic_error("SessionProblems: bioheat and contact quadratures of the skin differ");
  const GeometryCache& geo = solid_.geometry();
  cell_volume_.setZero(model.mesh.n_cells());
  for (Index e = 0; e < model.mesh.n_cells(); ++e)
    for (int q = 0; q < geo.n_qp(); ++q) cell_volume_[e] += geo.dV(e, q);
}

CoupledOptions SessionProblems::stepper_options() const {
  CoupledOptions o;
  QuasiStaticOptions& q = o.quasi_static;
  q.linear.kind = run_.linear_solver;
  // A hard tool can load thin skin into an indefinite tangent (wrinkling under a gun head): factorise such
  // tangents with LU and go back to Cholesky as soon as the tangent is positive definite again.
  q.linear.symmetric_fallback = true;
  q.linear.fallback_retries_primary = true;
  q.newton.rel_tolerance = run_.newton_tolerance;
  q.newton.max_tangent_reuse = run_.tangent_reuse;
  q.newton.keep_factorization = run_.keep_factorization && run_.tangent_reuse > 0;
  q.newton.bfgs = true;
  q.newton.line_search_tolerance = kSessionLineSearchTolerance;
  q.force_tolerance = run_.force_tolerance;
  o.extrapolate = run_.extrapolate;
  o.policy.max_cuts = run_.max_cuts;
  o.max_thermal_step = run_.dt_thermal;
  o.rest_motion = run_.rest_motion;
  o.rest_tone = run_.rest_tone;
  o.perfusion = perfusion_;
  return o;
}

CoupledState SessionProblems::initial_state() {
  CoupledState s;
  s.history = solid_.make_history();
  const Index nd = solid_.dofs().n_dofs();
  s.mech.u = s.mech.v = s.mech.a = VectorX::Zero(nd);
  s.pressure = VectorX::Zero(model_.mesh.n_cells());
  s.perfusion_stimulus = VectorX::Zero(model_.mesh.n_nodes());
  s.temperature = heat_.initial_temperature(run_.core_temperature);
  for (int k = 0; k < 4; ++k) {  // steady state with the perfusion of its own temperature (fixed point)
    heat_.set_perfusion(perfusion_, s.temperature, s.perfusion_stimulus);
    heat_.steady_state(s.temperature);
  }
  return s;
}

}  // namespace tissue
