#include "libtissue/solver/coupled_stepper.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "libtissue/core/error.hpp"

namespace tissue {

void CoupledOptions::validate() const {
  if (mechanics_substeps < 1)
    throw InputError("mechanics_substeps", "must be at least 1, got " + std::to_string(mechanics_substeps));
  quasi_static.validate();
  dynamic.validate();
}

CoupledStepper::CoupledStepper(const SolidProblem& solid, BioheatProblem& heat, CoupledOptions options)
    : solid_(solid), heat_(heat), options_(std::move(options)) {
  options_.validate();
  const Mesh& m = solid_.mesh();
  if (heat_.mesh().n_nodes() != m.n_nodes() || heat_.mesh().n_cells() != m.n_cells())
    throw InputError("heat", "the bioheat problem must live on the mechanics mesh (" +
                                 std::to_string(m.n_nodes()) + " nodes, " + std::to_string(m.n_cells()) +
                                 " cells)");
  if (options_.integrator == MechanicsIntegrator::quasi_static)
    quasi_static_ = std::make_unique<QuasiStaticSolver>(solid_, options_.quasi_static);
  else
    dynamic_ = std::make_unique<DynamicSolver>(solid_, options_.dynamic);
  const GeometryCache& geo = solid_.geometry();
  volume_.setZero(m.n_cells());
  for (Index e = 0; e < m.n_cells(); ++e)
    for (int q = 0; q < geo.n_qp(); ++q) volume_[e] += geo.dV(e, q);
}

CoupledState CoupledStepper::initial_state(Real T0, Real t0) const {
  CoupledState s{DynamicState{}, solid_.make_history(), heat_.initial_temperature(T0), VectorX(), t0};
  const Index nd = solid_.dofs().n_dofs();
  s.mech.u = VectorX::Zero(nd);
  s.mech.v = VectorX::Zero(nd);
  s.mech.a = VectorX::Zero(nd);
  return s;
}

void CoupledStepper::initialize_dynamics(CoupledState& s, const MechanicalLoad& load0) {
  if (!dynamic_) throw InputError("integrator", "initialize_dynamics needs MechanicsIntegrator::dynamic");
  dynamic_->initialize(s.mech, load0);
}

void CoupledStepper::check_temperature(const VectorX& T) const {
  const Mesh& m = solid_.mesh();
  for (int r = 0; r < m.regions.size(); ++r) {
    const auto* law = std::get_if<TissueMaterial>(&solid_.materials()[static_cast<size_t>(r)].law);
    if (!law) continue;
    Real lo = std::numeric_limits<Real>::infinity(), hi = -lo;
    for (Index e : m.cells_in_region(r))
      for (int a = 0; a < m.cell_size(); ++a) {
        const Real Tn = T[m.cells(e, a)];
        lo = std::min(lo, Tn);
        hi = std::max(hi, Tn);
      }
    if (lo <= hi) {
      law->thermal.check_range(lo, m.regions[r].name);
      law->thermal.check_range(hi, m.regions[r].name);
    }
  }
}

CoupledStepSummary CoupledStepper::advance(CoupledState& s, const LoadFunction& load, Real dt_thermal,
                                           const ThermalLoads& external, const RunContext* ctx,
                                           const ToneCoupling* tone) {
  const Mesh& m = solid_.mesh();
  const Index nc = m.n_cells();
  if (!(dt_thermal > 0) || !std::isfinite(dt_thermal))
    throw InputError("dt_thermal", "must be positive, got " + std::to_string(dt_thermal) + " s");
  if (s.temperature.size() != m.n_nodes())
    throw InputError("state.temperature", "expected " + std::to_string(m.n_nodes()) + " nodal values");
  if (s.tone.size() != 0 && s.tone.size() != nc * solid_.geometry().n_qp())
    throw InputError("state.tone", "expected #cells x n_qp values or none");
  if (!external.cell_source.empty() && static_cast<Index>(external.cell_source.size()) != nc)
    throw InputError("external.cell_source", "expected one value per cell (" + std::to_string(nc) + ")");
  if (options_.check_temperature_range) check_temperature(s.temperature);

  CoupledStepSummary out;
  out.t0 = s.time;
  out.t1 = s.time + dt_thermal;
  out.cell_dissipation.setZero(nc);

  // 1. Mechanics over [t0, t1] with temperature and tone frozen at t0 (lagged, staggered).
  const VectorX T_frozen = s.temperature;
  VectorX step_dissipation = VectorX::Zero(nc);
  SolidInputs in;
  in.temperature = &T_frozen;
  in.tone = s.tone.size() ? &s.tone : nullptr;
  in.history = &s.history;
  in.dissipation = &step_dissipation;
  const int n = options_.mechanics_substeps;
  // Tone stimulus: cell pressure averaged over the substeps (time-weighted).
  const bool with_tone = tone && tone->law && tone->resting;
  VectorX pressure_time = VectorX::Zero(with_tone ? nc : 0);
  Real t_last = out.t0;
  auto add_pressure = [&](Real t, const VectorX& u) {
    if (!with_tone) return;
    SolidInputs at = in;
    at.dissipation = nullptr;
    pressure_time += (t - t_last) * solid_.cell_stress(u, &at).pressure;
    t_last = t;
  };
  if (quasi_static_) {
    const auto on_step = [&](Real t, const VectorX& u) {
      out.cell_dissipation += step_dissipation;
      add_pressure(t, u);
    };
    out.mechanics = quasi_static_->solve(s.mech.u, load, out.t0, out.t1, n, on_step, ctx, &in);
  } else {
    const Real h = dt_thermal / n;
    for (int k = 0; k < n; ++k) {
      const MechanicsRunSummary r = dynamic_->step(s.mech, load, out.t0 + k * h, h, &in);
      out.cell_dissipation += step_dissipation;  // the sum over any cut sub-steps (DynamicSolver::step)
      add_pressure(out.t0 + (k + 1) * h, s.mech.u);
      out.mechanics.steps += r.steps;
      out.mechanics.cuts += r.cuts;
      out.mechanics.newton_iterations += r.newton_iterations;
      out.mechanics.last = r.last;
      out.mechanics.linear_solver = r.linear_solver;
      if (ctx) ctx->report(static_cast<double>(k + 1) / n, "dynamic substep");
    }
  }
  out.dissipated_energy = out.cell_dissipation.sum();

  // 2. Heat: dissipated energy as a source held over the thermal step, plus the caller's loads.
  std::vector<Real> source(static_cast<size_t>(nc));
  for (Index e = 0; e < nc; ++e) {
    source[static_cast<size_t>(e)] = out.cell_dissipation[e] / (volume_[e] * dt_thermal);
    if (!external.cell_source.empty())
      source[static_cast<size_t>(e)] += external.cell_source[static_cast<size_t>(e)];
  }
  ThermalLoads loads = external;
  loads.cell_source = source;
  out.thermal = heat_.step(s.temperature, dt_thermal, loads);
  out.max_temperature_change = (s.temperature - T_frozen).cwiseAbs().maxCoeff();

  // 3. Tone: integrated over the macro step with the averaged stimulus (pressure) and the new temperature.
  if (with_tone) {
    const GeometryCache& geo = solid_.geometry();
    const int nq = geo.n_qp();
    if (tone->resting->size() != nc * nq)
      throw InputError("tone.resting", "expected #cells x n_qp values (" + std::to_string(nc * nq) + ")");
    if (s.tone.size() != nc * nq) s.tone = *tone->resting;
    const Real span = std::max(t_last - out.t0, 1e-300);
    std::vector<ToneStimulus> stim(static_cast<size_t>(nc * nq));
    for (Index e = 0; e < nc; ++e)
      for (int q = 0; q < nq; ++q) {
        Real T = 0;
        for (int a = 0; a < geo.n_nodes(); ++a) T += geo.shape(q, a) * s.temperature[m.cells(e, a)];
        stim[static_cast<size_t>(e * nq + q)] = {std::max(pressure_time[e] / span, 0.0), T};
      }
    tone->law->integrate(s.tone, *tone->resting, stim, dt_thermal);
  }
  s.time = out.t1;
  return out;
}

}  // namespace tissue
