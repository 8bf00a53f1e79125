#include "libtissue/solver/coupled_stepper.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Relative time tolerance of substep ends [-].
constexpr Real kTimeTol = 1e-9;

}  // namespace

// ------------------------------------------------------------------------------------------ sources

void StepSources::reset(Index cells, Index points, Index nodes) {
  dissipation.setZero(cells);
  strain_path.setZero(cells);
  friction.assign(static_cast<size_t>(points), 0.0);
  h_dt.assign(static_cast<size_t>(points), 0.0);
  hT_dt.assign(static_cast<size_t>(points), 0.0);
  peak_pressure.assign(static_cast<size_t>(points), 0.0);
  cell_peak_pressure.setConstant(cells, -std::numeric_limits<Real>::infinity());
  cell_peak_von_mises.setZero(cells);
  node_peak_displacement.setZero(nodes);
  tone_drive_time.setZero(cells);
  tone_drive_span = 0;
  friction_heat = work = force_last = force_max = 0;
}

void StepSources::add_tone_drive(const VectorX& p_start, const VectorX& p_end, Real h) {
  const Index n = tone_drive_time.size();
  if (tone_drive_law) {
    // The law's drive of the pressure interpolated linearly over the substep, by 3-point Gauss-Legendre.
    constexpr Real g = 0.3872983346207417;  // sqrt(3/5) / 2
    constexpr std::array<Real, 3> s = {0.5 - g, 0.5, 0.5 + g}, w = {5.0 / 18, 8.0 / 18, 5.0 / 18};
    for (Index e = 0; e < n; ++e) {
      if (p_start[e] == p_end[e]) {  // a constant pressure (tissue at rest): one evaluation
        tone_drive_time[e] += h * tone_drive_law->pressure_drive(p_end[e]);
        continue;
      }
      Real sum = 0;
      for (int k = 0; k < 3; ++k)
        sum += w[k] * tone_drive_law->pressure_drive(p_start[e] + s[k] * (p_end[e] - p_start[e]));
      tone_drive_time[e] += h * sum;
    }
  } else {
    tone_drive_time += (0.5 * h) * (p_start + p_end);
  }
  tone_drive_span += h;
}

void StepSources::add_peaks(const VectorX& u, const VectorX& pressure, const VectorX& von_mises) {
  if (cell_peak_pressure.size() == pressure.size())
    cell_peak_pressure = cell_peak_pressure.cwiseMax(pressure);
  if (cell_peak_von_mises.size() == von_mises.size())
    cell_peak_von_mises = cell_peak_von_mises.cwiseMax(von_mises);
  if (displacement_reference && displacement_reference->size() == u.size() &&
      3 * node_peak_displacement.size() == u.size())
    for (Index n = 0; n < node_peak_displacement.size(); ++n)
      node_peak_displacement[n] =
          std::max(node_peak_displacement[n],
                   (u.segment<3>(3 * n) - displacement_reference->segment<3>(3 * n)).norm());
}

void StepSources::extrapolate(const StepSources& before, Real f, Real stored) {
  dissipation += f * (dissipation - before.dissipation);
  if (strain_path.size() == before.strain_path.size()) strain_path += f * (strain_path - before.strain_path);
  work += f * (work - before.work - stored);
}

FunctionLoads::FunctionLoads(LoadFunction load, Real max_substep) : load_(std::move(load)), h_(max_substep) {
  require(std::isfinite(h_) && h_ > 0, "max_substep", "must be positive and finite");
}

void FunctionLoads::loads(Real, Real t1, const VectorX&, SubstepLoads& out) {
  out.load = load_(t1);
  out.path = load_;
  out.forms.clear();
  out.loaded = (out.load.f_ext.size() && !out.load.f_ext.isZero(0)) ||
               (out.load.u_prescribed.size() && !out.load.u_prescribed.isZero(0));
}

// ------------------------------------------------------------------------------------------ options

void SubstepPolicy::validate() const {
  require(exact_newton_iterations >= 1, "policy.exact_newton_iterations", "must be at least 1");
  require(max_cuts >= 0, "policy.max_cuts", "must be non-negative");
}

void CoupledOptions::validate() const {
  try {
    quasi_static.validate();
  } catch (const InputError& e) {
    throw InputError("quasi_static." + e.field(), e.message());
  }
  try {
    dynamic.validate();
  } catch (const InputError& e) {
    throw InputError("dynamic." + e.field(), e.message());
  }
  policy.validate();
  require(std::isfinite(max_thermal_step) && max_thermal_step > 0, "max_thermal_step", "must be positive");
  require(std::isfinite(rest_motion) && rest_motion >= 0, "rest_motion", "must be non-negative");
  require(std::isfinite(rest_tone) && rest_tone >= 0, "rest_tone", "must be non-negative");
  if (perfusion) perfusion->validate();
}

void MechanicsStats::add(const MechanicsStats& o) {
  substeps += o.substeps;
  rest_substeps += o.rest_substeps;
  cuts += o.cuts;
  exact_retries += o.exact_retries;
  newton.add_counts(o.newton);
  seconds += o.seconds;
  seconds_loads += o.seconds_loads;
}

// ------------------------------------------------------------------------------------------ stepper

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
  CoupledState s;
  s.history = solid_.make_history();
  s.temperature = heat_.initial_temperature(T0);
  s.time = t0;
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

StepSources CoupledStepper::make_sources(const ToneLaw* tone_drive) const {
  StepSources out;
  out.tone_drive_law = tone_drive;
  const Index np = heat_.load_surface() ? heat_.load_surface()->size() : 0;
  out.reset(solid_.mesh().n_cells(), np, solid_.mesh().n_nodes());
  return out;
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

bool CoupledStepper::try_solve(CoupledState& s, const SubstepLoads& L, Real t0, Real t1, bool exact,
                               SolidStepState& step, VectorX& u_trial, MechanicsStats& stats,
                               std::string& reason) {
  const Real h = t1 - t0;
  SolidInputs in;
  in.dt = h;
  in.temperature = &s.temperature;
  in.tone = s.tone.size() ? &s.tone : nullptr;
  in.history = &s.history;
  if (quasi_static_) {
    // Predictor: the last substep's motion scaled to this substep (a moving tool keeps moving); the retry
    // with exact Newton starts from the committed state.
    // A footprint that moves by about its own size per substep makes the extrapolated field a poor guess
    // (a 5 cm/s stone: |r| 5e3 N against 3 N at the committed state), so Newton starts from the better of
    // the two.
    u_trial = s.mech.u;
    const bool extrapolate =
        !exact && options_.extrapolate && h_last_ > 0 && du_last_.size() == u_trial.size();
    if (extrapolate) u_trial += std::min(h / h_last_, 1.0) * du_last_;
    const int max_iterations = exact ? options_.policy.exact_newton_iterations : 0;
    const NewtonSummary r = quasi_static_->solve_step(u_trial, L.load, in, L.forms, step, exact,
                                                      max_iterations, extrapolate ? &s.mech.u : nullptr);
    stats.newton.add_counts(r);
    reason = r.reason;
    return r.converged;
  }
  // Dynamics: dead loads varying linearly over the substep from the committed state's load.
  if (!L.forms.empty()) throw InputError("integrator", "rigid tools need the quasi-static integrator");
  const MechanicalLoad end = L.load;
  const LoadFunction load = L.path ? L.path : LoadFunction([&](Real) { return end; });
  DynamicState trial = s.mech;
  SolidHistory history = s.history;
  VectorX dissipation;
  try {
    const MechanicsRunSummary r = dynamic_->step(trial, load, t0, h, &in, &history, &dissipation);
    stats.newton.add_counts(r.totals);
    stats.cuts += r.cuts;
  } catch (const NumericalError& e) {
    reason = e.what();
    return false;
  }
  u_trial = trial.u;
  s.mech.v = trial.v;
  s.mech.a = trial.a;
  step.history = std::move(history);
  step.dissipation = std::move(dissipation);
  SolidInputs at;
  at.temperature = in.temperature;
  at.tone = in.tone;
  at.history = &step.history;
  CellStress cs = solid_.cell_stress(trial.u, &at);
  step.pressure = std::move(cs.pressure);
  step.von_mises = std::move(cs.von_mises);
  return true;
}

bool CoupledStepper::solve_substep(CoupledState& s, LoadProvider& loads, Real t0, Real t1,
                                   SolidStepState& step, MechanicsStats& stats, StepFailure& failure) {
  (void)t0;
  Real h = t1 - s.time;
  int cuts = 0;
  VectorX u_trial;
  SubstepLoads L;
  while (s.time < t1 - kTimeTol * std::max(1.0, std::abs(t1))) {
    const Real ta = s.time;
    Real tb = std::min(ta + h, t1);
    if (t1 - tb < kTimeTol * std::max(1.0, std::abs(t1))) tb = t1;
    {
      const auto c0 = Clock::now();
      loads.loads(ta, tb, s.mech.u, L);
      stats.seconds_loads += seconds_since(c0);
    }
    const bool tone_moved =
        tone_solved_.size() != s.tone.size() ||
        (s.tone.size() && (s.tone - tone_solved_).lpNorm<Eigen::Infinity>() > options_.rest_tone);
    if (!L.loaded && at_rest_ && !tone_moved && options_.rest_motion > 0) {
      // Unloaded and settled: no solve (the viscous history left is below what the outputs resolve).
      sources_->add_tone_drive(s.pressure, s.pressure, tb - ta);
      s.time = tb;
      h_last_ = 0;
      ++stats.rest_substeps;
      const auto c0 = Clock::now();
      loads.accepted(ta, tb, s.mech.u, *sources_);
      stats.seconds_loads += seconds_since(c0);
      continue;
    }
    std::string reason;
    bool ok = try_solve(s, L, ta, tb, false, step, u_trial, stats, reason);
    if (!ok && quasi_static_) {
      ++stats.exact_retries;
      ok = try_solve(s, L, ta, tb, true, step, u_trial, stats, reason);
    }
    if (!ok) {
      if (cuts >= options_.policy.max_cuts) {  // max_cuts halvings in a row did not help
        failure.t0 = ta;
        failure.t1 = tb;
        failure.reason = reason;
        failure.tried = std::string(quasi_static_ ? "kept factorisation, exact Newton, " : "") +
                        std::to_string(cuts) + " halvings of the substep";
        // Where the residual is largest at the last iterate.
        if (quasi_static_ && u_trial.size() == s.mech.u.size()) {
          VectorX f;
          SolidInputs in;
          in.dt = tb - ta;
          in.temperature = &s.temperature;
          in.tone = s.tone.size() ? &s.tone : nullptr;
          in.history = &s.history;
          StaticEquilibrium eq(solid_, L.load, &in, L.forms);
          VectorX x, r;
          solid_.dofs().gather(u_trial, x);
          eq.evaluate(x, &r, nullptr, nullptr);
          VectorX full = VectorX::Zero(solid_.dofs().n_dofs());
          solid_.dofs().scatter(r, full);
          Real worst = -1;
          for (Index n = 0; n < solid_.mesh().n_nodes(); ++n) {
            const Real v = full.segment<3>(3 * n).norm();
            if (std::isfinite(v) && v > worst) {
              worst = v;
              failure.worst_node = n;
            }
          }
          failure.worst_residual = worst;
        }
        if (quasi_static_) quasi_static_->invalidate_factorization();
        return false;
      }
      ++cuts;
      ++stats.cuts;
      h = 0.5 * (tb - ta);
      continue;
    }
    // Commit the accepted substep: displacement, history, work, sources, predictor, rest state.
    const VectorX du = u_trial - s.mech.u;
    if (quasi_static_) {  // the tools' work on the tissue (no work bookkeeping in dynamics)
      sources_->work += step.work + (step.elastic_energy - s.elastic_energy);
      s.elastic_energy = step.elastic_energy;
    }
    sources_->add_tone_drive(s.pressure.size() == step.pressure.size() ? s.pressure : step.pressure,
                             step.pressure, tb - ta);
    s.pressure = step.pressure;
    sources_->add_peaks(u_trial, step.pressure, step.von_mises);
    s.stored_energy = step.stored_energy;
    sources_->dissipation += step.dissipation;
    if (step.strain_change.size() == sources_->strain_path.size())
      sources_->strain_path += step.strain_change;
    std::swap(s.history, step.history);
    s.mech.u = u_trial;
    s.time = tb;
    du_last_ = du;
    h_last_ = tb - ta;
    at_rest_ = !L.loaded && du.lpNorm<Eigen::Infinity>() < options_.rest_motion;
    tone_solved_ = s.tone;
    ++stats.substeps;
    {
      const auto c0 = Clock::now();
      loads.accepted(ta, tb, s.mech.u, *sources_);
      stats.seconds_loads += seconds_since(c0);
    }
    if (cuts > 0) {  // grow back after a cut
      h = std::min(2 * (tb - ta), t1 - s.time);
      cuts = 0;
    }
  }
  return true;
}

bool CoupledStepper::mechanics(CoupledState& s, LoadProvider& loads, Real t_end, StepSources& sources,
                               MechanicsStats& stats, StepFailure& failure, const RunContext* ctx) {
  const auto c0 = Clock::now();
  const Index nc = solid_.mesh().n_cells();
  if (s.pressure.size() != nc) s.pressure = VectorX::Zero(nc);
  if (sources.tone_drive_time.size() != nc) {
    sources.tone_drive_time = VectorX::Zero(nc);
    sources.tone_drive_span = 0;
  }
  sources_ = &sources;
  SolidStepState step;
  bool ok = true;
  const Real t_start = s.time;
  while (s.time < t_end - kTimeTol * std::max(1.0, std::abs(t_end))) {
    Real h = std::min(loads.max_substep(s.time), t_end - s.time);
    if (!(h > 0))
      throw InputError("loads.max_substep", "must be positive at t = " + std::to_string(s.time) + " s");
    Real t1 = s.time + h;
    if (t_end - t1 < kTimeTol * std::max(1.0, std::abs(t_end))) t1 = t_end;
    if (!solve_substep(s, loads, s.time, t1, step, stats, failure)) {
      ok = false;
      break;
    }
    if (ctx && t_end > t_start) ctx->report((s.time - t_start) / (t_end - t_start), "mechanics");
  }
  sources_ = nullptr;
  stats.seconds += seconds_since(c0);
  return ok;
}

VectorX CoupledStepper::nodal_stimulus(const PerfusionLaw& law, const StepSources& sources, Real dt) const {
  const Mesh& m = solid_.mesh();
  VectorX u = VectorX::Zero(m.n_nodes()), count = VectorX::Zero(m.n_nodes());
  const bool have = sources.strain_path.size() == m.n_cells() && dt > 0;
  for (Index e = 0; e < m.n_cells(); ++e) {
    const Real ue = have ? law.stimulus(sources.strain_path[e] / dt) : 0.0;
    for (int a = 0; a < m.cell_size(); ++a) {
      u[m.cells(e, a)] += ue;
      count[m.cells(e, a)] += 1;
    }
  }
  for (Index n = 0; n < m.n_nodes(); ++n)
    if (count[n] > 0) u[n] /= count[n];
  return u;
}

void CoupledStepper::heat_and_tone(CoupledState& s, Real t0, const StepSources& sources,
                                   CoupledStepReport& report, const ThermalLoads& external,
                                   const ToneCoupling* tone) {
  const Mesh& m = solid_.mesh();
  const Index nc = m.n_cells();
  const Real dt = s.time - t0;
  report.t0 = t0;
  report.t1 = s.time;
  report.dissipated_energy = sources.dissipation.size() ? sources.dissipation.sum() : 0.0;
  if (!(dt > 0)) return;
  if (!external.cell_source.empty() && static_cast<Index>(external.cell_source.size()) != nc)
    throw InputError("external.cell_source", "expected one value per cell (" + std::to_string(nc) + ")");

  // 2. Heat: the macro step's energies as sources held over it.
  const auto c0 = Clock::now();
  const VectorX T0 = s.temperature;
  if (options_.perfusion) {
    if (s.perfusion_stimulus.size() != m.n_nodes()) s.perfusion_stimulus = VectorX::Zero(m.n_nodes());
    heat_.set_perfusion(*options_.perfusion, s.temperature, s.perfusion_stimulus);  // lagged
  }
  std::vector<Real> cell_source(static_cast<size_t>(nc));
  for (Index e = 0; e < nc; ++e) {
    Real q = sources.dissipation.size() ? sources.dissipation[e] / (volume_[e] * dt) : 0.0;
    if (!external.cell_source.empty()) q += external.cell_source[static_cast<size_t>(e)];
    cell_source[static_cast<size_t>(e)] = q;
  }
  const size_t np = sources.friction.size();
  std::vector<Real> flux(np), h(np), Tc(np);
  for (size_t p = 0; p < np; ++p) {
    flux[p] = sources.friction[p] / dt;
    if (p < external.surface_flux.size()) flux[p] += external.surface_flux[p];
    h[p] = sources.h_dt[p] / dt;
    Tc[p] = sources.h_dt[p] > 0 ? sources.hT_dt[p] / sources.h_dt[p] : 0.0;
  }
  ThermalLoads loads = external;
  loads.cell_source = cell_source;
  if (np > 0) {
    loads.surface_flux = flux;
    bool any_contact = false;
    for (Real v : h) any_contact = any_contact || v > 0;
    if (any_contact || external.contact_h.empty()) {
      loads.contact_h = h;
      loads.contact_temperature = Tc;
    }
  }
  const int n_heat = std::max(1, static_cast<int>(std::ceil(dt / options_.max_thermal_step - 0.05)));
  for (int k = 0; k < n_heat; ++k) {
    const ThermalStepReport r = heat_.step(s.temperature, dt / n_heat, loads);
    report.thermal.heat_content_change += r.heat_content_change;
    report.thermal.source_heat += r.source_heat;
    report.thermal.surface_flux_heat += r.surface_flux_heat;
    report.thermal.contact_heat += r.contact_heat;
    report.thermal.convection_heat += r.convection_heat;
    report.thermal.perfusion_heat += r.perfusion_heat;
    report.thermal.fixed_temperature_heat += r.fixed_temperature_heat;
    report.thermal.refactorized = report.thermal.refactorized || r.refactorized;
    ++report.thermal_steps;
  }
  if (options_.perfusion)
    options_.perfusion->advance(s.perfusion_stimulus, nodal_stimulus(*options_.perfusion, sources, dt), dt);
  report.max_temperature_change = (s.temperature - T0).cwiseAbs().maxCoeff();
  report.seconds_heat += seconds_since(c0);

  // 3. Tone: the law over the macro step with the substep-averaged pressure and the mean temperature.
  const auto c1 = Clock::now();
  if (tone && tone->law && tone->resting) {
    const GeometryCache& geo = solid_.geometry();
    const int nq = geo.n_qp();
    if (tone->resting->size() != nc * nq)
      throw InputError("tone.resting", "expected #cells x n_qp values (" + std::to_string(nc * nq) + ")");
    if (tone->temperature_shift && tone->temperature_shift->size() != nc * nq)
      throw InputError("tone.temperature_shift",
                       "expected #cells x n_qp values (" + std::to_string(nc * nq) + ")");
    if (s.tone.size() != nc * nq) s.tone = *tone->resting;
    const Real span = sources.tone_drive_span;
    const bool driven = span > 0 && sources.tone_drive_time.size() == nc;
    std::vector<ToneStimulus> stim(static_cast<size_t>(nc * nq));
    for (Index e = 0; e < nc; ++e) {
      // The pressure whose drive is the substeps' mean drive (the mean pressure for a law linear in it).
      const Real d = driven ? sources.tone_drive_time[e] / span : 0.0;
      const Real p = driven ? (sources.tone_drive_law ? sources.tone_drive_law->pressure_of_drive(d) : d)
                            : (s.pressure.size() ? s.pressure[e] : 0.0);
      for (int q = 0; q < nq; ++q) {
        Real T = 0;
        for (int a = 0; a < geo.n_nodes(); ++a)
          T += geo.shape(q, a) * 0.5 * (T0[m.cells(e, a)] + s.temperature[m.cells(e, a)]);
        const Index i = e * nq + q;
        if (tone->temperature_shift) T += (*tone->temperature_shift)[i];
        stim[static_cast<size_t>(i)] = {std::max(p, 0.0), T};
      }
    }
    tone->law->integrate(s.tone, *tone->resting, stim, dt);
  }
  report.seconds_tone += seconds_since(c1);
}

CoupledStepReport CoupledStepper::advance(CoupledState& s, LoadProvider& loads, Real t1,
                                          const ThermalLoads& external, const ToneCoupling* tone,
                                          const RunContext* ctx) {
  const Mesh& m = solid_.mesh();
  const Index nc = m.n_cells();
  if (!(t1 > s.time) || !std::isfinite(t1))
    throw InputError("t1", "must lie after the state's time " + std::to_string(s.time) + " s, got " +
                               std::to_string(t1) + " s");
  if (s.temperature.size() != m.n_nodes())
    throw InputError("state.temperature", "expected " + std::to_string(m.n_nodes()) + " nodal values");
  if (s.tone.size() != 0 && s.tone.size() != nc * solid_.geometry().n_qp())
    throw InputError("state.tone", "expected #cells x n_qp values or none");
  if (options_.check_temperature_range) check_temperature(s.temperature);

  CoupledStepReport report;
  report.t0 = s.time;
  report.sources = make_sources(tone ? tone->law : nullptr);
  const CoupledState start = s;
  if (!mechanics(s, loads, t1, report.sources, report.mechanics, report.failure, ctx)) {
    report.ok = false;
    report.t1 = report.failure.t1;
    s = start;
    return report;
  }
  heat_and_tone(s, report.t0, report.sources, report, external, tone);
  return report;
}

}  // namespace tissue

namespace tissue {
namespace {

/// Doubles of one point's viscoelastic history in a checkpoint: C, S0, the branch stresses, Psi, deferred.
constexpr size_t kPronyDoubles = 6 * (2 + kMaxPronyTerms) + 2;

void put_prony(const PronyState& p, double* out) {
  auto put6 = [&out](const Voigt6& v) { out = std::copy(v.data(), v.data() + 6, out); };
  put6(p.C);
  put6(p.S0);
  for (const Voigt6& h : p.h) put6(h);
  out[0] = p.stored_energy;
  out[1] = p.deferred;
}

void get_prony(const double* in, PronyState& p) {
  auto get6 = [&in](Voigt6& v) {
    std::copy(in, in + 6, v.data());
    in += 6;
  };
  get6(p.C);
  get6(p.S0);
  for (Voigt6& h : p.h) get6(h);
  p.stored_energy = in[0];
  p.deferred = in[1];
}

/// A vector read from `a` that must have `n` entries (n < 0: any); empty stays empty.
VectorX sized(const StateArchive& a, std::string_view key, Index n) {
  VectorX v = a.vector(key);
  if (n >= 0 && v.size() != n && v.size() != 0)
    throw InputError(std::string(key), "the checkpoint has " + std::to_string(v.size()) +
                                           " values where this model has " + std::to_string(n) +
                                           ": it belongs to another model");
  return v;
}

}  // namespace

void save_state(StateArchive& a, const CoupledState& s) {
  a.put("state.u", s.mech.u);
  a.put("state.v", s.mech.v);
  a.put("state.a", s.mech.a);
  std::vector<double> h(static_cast<size_t>(s.history.size()) * kPronyDoubles);
  for (Index i = 0; i < s.history.size(); ++i) {
    put_prony(s.history.at(i / s.history.n_qp(), static_cast<int>(i % s.history.n_qp())),
              h.data() + static_cast<size_t>(i) * kPronyDoubles);
  }
  a.put("state.history", std::span<const double>(h));
  a.put("state.history_qp", static_cast<double>(s.history.n_qp()));
  a.put("state.temperature", s.temperature);
  a.put("state.tone", s.tone);
  a.put("state.time", s.time);
  a.put("state.elastic_energy", s.elastic_energy);
  a.put("state.pressure", s.pressure);
  a.put("state.perfusion_stimulus", s.perfusion_stimulus);
  a.put("state.stored_energy", s.stored_energy);
}

void load_state(const StateArchive& a, CoupledState& s) {
  const Index n_dof = s.mech.u.size();
  s.mech.u = sized(a, "state.u", n_dof);
  s.mech.v = sized(a, "state.v", -1);
  s.mech.a = sized(a, "state.a", -1);
  const auto& h = a.get("state.history");
  const int nq = static_cast<int>(a.scalar("state.history_qp"));
  if (h.size() != static_cast<size_t>(s.history.size()) * kPronyDoubles || nq != s.history.n_qp())
    throw InputError("state.history", "the checkpoint's viscous history does not fit this model");
  for (Index i = 0; i < s.history.size(); ++i)
    get_prony(h.data() + static_cast<size_t>(i) * kPronyDoubles,
              s.history.at(i / nq, static_cast<int>(i % nq)));
  s.temperature = sized(a, "state.temperature", s.temperature.size());
  s.tone = sized(a, "state.tone", -1);
  s.time = a.scalar("state.time");
  s.elastic_energy = a.scalar("state.elastic_energy");
  s.pressure = sized(a, "state.pressure", -1);
  s.perfusion_stimulus = sized(a, "state.perfusion_stimulus", -1);
  s.stored_energy = a.scalar("state.stored_energy");
}

void CoupledStepper::save(StateArchive& a) const {
  a.put("stepper.du_last", du_last_);
  a.put("stepper.h_last", h_last_);
  a.put("stepper.at_rest", at_rest_ ? 1.0 : 0.0);
  a.put("stepper.tone_solved", tone_solved_);
}

void CoupledStepper::load(const StateArchive& a) {
  du_last_ = a.vector("stepper.du_last");
  h_last_ = a.scalar("stepper.h_last");
  at_rest_ = a.scalar("stepper.at_rest") != 0;
  tone_solved_ = a.vector("stepper.tone_solved");
}

}  // namespace tissue
