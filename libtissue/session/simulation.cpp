#include "libtissue/session/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>

#include "libtissue/config.hpp"
#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/loading/contact_loads.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"
#include "libtissue/thermal/perfusion_law.hpp"

namespace tissue {
namespace {

/// Version-1 static compression: ramp to the force in `steps` steps, hold in `hold_steps` steps; the
/// tool stays on at the end.
class HeldPress final : public Technique {
 public:
  HeldPress(const Mesh& mesh, const StaticCompressionSpec& s) : s_(s) {
    pose_.centre = skin_point_above_region(mesh, *mesh.regions.find(s.target)) + s.offset;
  }
  std::string_view name() const override { return "static_compression"; }
  ToolCommand command(Real t) const override {
    if (t < 0 || t > duration()) return ToolCommand::inactive();
    ToolCommand c;
    c.pose = pose_;
    c.footprint = s_.tool;
    c.force = s_.force * std::clamp(t / s_.ramp, 0.0, 1.0);
    c.mu = 0;
    return c;
  }
  Real max_dt(Real t) const override {
    auto next = [](Real t0, Real len, int n, Real t) {  // time to the next of n equal steps of [t0, t0 + len]
      const Real h = len / n;
      const Real k = std::floor((t - t0) / h + 1e-9) + 1;
      return std::max(t0 + k * h - t, 1e-12);
    };
    if (t < s_.ramp) return next(0, s_.ramp, s_.steps, t);
    if (s_.hold > 0 && t < duration()) return next(s_.ramp, s_.hold, s_.hold_steps, t);
    return std::numeric_limits<Real>::infinity();
  }
  Real duration() const override { return s_.ramp + s_.hold; }
  std::string_view target() const override { return s_.target; }

 private:
  StaticCompressionSpec s_;
  ToolPose pose_;
};

template <class T, class O>
std::shared_ptr<const Technique> build(const SkinPatch& patch, const O& o) {
  return std::make_shared<const T>(patch, o);
}

/// Nodes of each region (sorted, unique).
std::vector<std::vector<Index>> region_nodes(const Mesh& m) {
  std::vector<std::vector<Index>> out(static_cast<size_t>(m.regions.size()));
  for (Index e = 0; e < m.n_cells(); ++e)
    for (int a = 0; a < m.cell_size(); ++a)
      out[static_cast<size_t>(m.region[static_cast<size_t>(e)])].push_back(m.cells(e, a));
  for (auto& v : out) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  return out;
}

std::string unknown_region_message(const Mesh& mesh, const std::string& name) {
  std::string known;
  for (const auto& r : mesh.regions.all()) known += (known.empty() ? "" : ", ") + r.name;
  return "unknown muscle '" + name + "'; regions of this model: " + known;
}

}  // namespace

std::shared_ptr<const Technique> make_technique(const TechniqueSpec& item, const Mesh& mesh,
                                                std::string_view prefix) {
  const std::string p(prefix);
  if (std::holds_alternative<RestOptions>(item.options)) return nullptr;
  if (const auto* custom = std::get_if<CustomTechnique>(&item.options)) {  // built in code: used as is
    item.validate(p);
    return custom->technique;
  }
  if (!mesh.regions.find(item.target))
    throw InputError(item.where, p + ".target", unknown_region_message(mesh, item.target));
  try {
    if (const auto* v1 = std::get_if<StaticCompressionSpec>(&item.options)) {
      item.validate(p);
      return std::make_shared<const HeldPress>(mesh, *v1);
    }
    const SkinPatch patch = SkinPatch::of_region(mesh, item.target);
    return std::visit(
        [&](const auto& o) -> std::shared_ptr<const Technique> {
          using O = std::decay_t<decltype(o)>;
          if constexpr (!std::is_same_v<O, StaticCompressionSpec>) o.validate(p);
          if constexpr (std::is_same_v<O, StrokingOptions>)
            return build<Stroking>(patch, o);
          else if constexpr (std::is_same_v<O, DeepStrokingOptions>)
            return build<DeepStroking>(patch, o);
          else if constexpr (std::is_same_v<O, KneadingOptions>)
            return build<Kneading>(patch, o);
          else if constexpr (std::is_same_v<O, PercussionOptions>)
            return build<Percussion>(patch, o);
          else if constexpr (std::is_same_v<O, MassageGunOptions>)
            return build<MassageGun>(patch, o);
          else if constexpr (std::is_same_v<O, TransverseFrictionOptions>)
            return build<TransverseFriction>(patch, o);
          else if constexpr (std::is_same_v<O, StaticCompressionOptions>)
            return build<StaticCompression>(patch, o);
          else if constexpr (std::is_same_v<O, VibrationOptions>)
            return build<Vibration>(patch, o);
          else if constexpr (std::is_same_v<O, HeatPackOptions>)
            return build<HeatPack>(patch, o);
          else if constexpr (std::is_same_v<O, HotStoneOptions>)
            return build<HotStone>(patch, o);
          else
            return nullptr;
        },
        item.options);
  } catch (const InputError& e) {
    // Constructors name their own key ("static_compression.offset"); rename to the item's prefix.
    std::string field = e.field();
    if (field.rfind(p, 0) != 0)
      field = p + (field.find('.') == std::string::npos ? "." + field : field.substr(field.find('.')));
    throw InputError(item.where, field, e.message());
  }
}

Simulation::Simulation(const Model& model, SessionSpec session, RunContext ctx)
    : model_(model), session_(std::move(session)), ctx_(std::move(ctx)) {
  if (ctx_.threads < 1) ctx_.threads = session_.run.threads > 0 ? session_.run.threads : hardware_threads();
  ctx_.validate();
  if (!model_.mesh.find_facet_set("skin"))
    throw InputError("model", "the mesh has no 'skin' facet set, so no tool can be applied");
  const RunSpec& r = session_.run;
  if (!(r.dt_thermal > 0)) throw InputError("run.dt_thermal", "must be positive");
  if (r.resolved_cycles < 1) throw InputError("run.resolved_cycles", "must be at least 1");
  if (r.jumped_cycles < 0) throw InputError("run.jumped_cycles", "must not be negative");
  if (!(session_.follow_up >= 0)) throw InputError("session.follow_up", "must not be negative");
  const auto items = session_.items();
  const size_t n_v1 = session_.techniques.size();
  for (size_t i = 0; i < items.size(); ++i) {
    // Version-1 presses and version-2 items are numbered in their own lists, as in the file.
    const std::string prefix = "technique[" + std::to_string(i < n_v1 ? i : i - n_v1) + "]";
    const auto& it = items[i];
    if (const auto* rest = std::get_if<RestOptions>(&it.options)) {
      it.validate(prefix);
      protocol_.rest(rest->duration);
    } else {
      protocol_.add(make_technique(it, model_.mesh, prefix), it.target);
    }
  }
  protocol_.follow_up(session_.follow_up);
  if (session_.outputs.standard) {  // tone law, elastography, myotonometer, safety (docs/sessions.md)
    standard_ = std::make_shared<StandardOutputs>(model_, session_, protocol_);
    auto so = standard_;
    set_tone_update([so](const SessionStep& st, VectorX& tone) { so->update_tone(st, tone); });
    add_observer([so](const SessionStep& st, std::vector<SeriesValue>& series,
                      std::vector<SafetyFlag>& flags) { so->observe(st, series, flags); });
  }
}

void Simulation::add_observer(StepObserver observer) {
  observers_.push_back(std::move(observer));
}
void Simulation::set_tone_update(ToneUpdate update) {
  tone_update_ = std::move(update);
}

namespace {

/// Most tool samples per mechanical substep for the heat and pressure sources (midpoint rule; one per
/// quarter of the footprint's smaller semi-axis travelled).
constexpr int kLoadSamples = 8;
/// Largest nodal motion [m] of an unloaded substep below which the tissue counts as at rest.
constexpr Real kRestMotion = 1e-7;
/// Force halvings a substep may take when the tissue cannot carry the tool's load.
constexpr int kMaxYields = 3;
/// Tone change [-] since the last solve that unsettles tissue at rest.
constexpr Real kRestTone = 1e-3;

/// Sources accumulated over the mechanical substeps of one macro step (energies, so that friction
/// heat = friction work and dissipated heat = hysteresis exactly).
struct Accumulator {
  VectorX dissipation;              ///< viscous energy per cell [J]
  std::vector<Real> friction;       ///< integral of the friction heat flux over time per skin point [J/m^2]
  std::vector<Real> h_dt;           ///< integral of the contact conductance over time [J/m^2/K]
  std::vector<Real> hT_dt;          ///< integral of conductance x tool temperature over time [J/m^2]
  std::vector<Real> peak_pressure;  ///< largest tool pressure per skin point [Pa]
  Real friction_heat = 0;           ///< friction heat into the skin [J]
  Real work = 0;                    ///< work of the tool on the tissue [J]
  Real force_last = 0;              ///< normal force of the last substep [N]
  Real force_max = 0;               ///< largest normal force of the substeps [N]

  void reset(Index cells, Index points) {
    dissipation.setZero(cells);
    friction.assign(static_cast<size_t>(points), 0.0);
    h_dt.assign(static_cast<size_t>(points), 0.0);
    hT_dt.assign(static_cast<size_t>(points), 0.0);
    peak_pressure.assign(static_cast<size_t>(points), 0.0);
    friction_heat = work = force_last = force_max = 0;
  }
  /// Adds f times the mechanical energies (viscous heat, work) accumulated since `before` (cycle jumping:
  /// the settled cycles repeated); the tool loads of jumped cycles are sampled instead.
  void extrapolate(const Accumulator& before, Real f) {
    dissipation += f * (dissipation - before.dissipation);
    work += f * (work - before.work);
  }
};

}  // namespace

RunSummary Simulation::run(ResultsSink& sink) {
  const auto wall0 = std::chrono::steady_clock::now();
  set_runtime_threads(ctx_.threads);
  const Mesh& mesh = model_.mesh;
  const RunSpec& rs = session_.run;
  const Index nc = mesh.n_cells(), nn = mesh.n_nodes();

  // --- problems -------------------------------------------------------------------------------
  DofMap dofs(nn, 3);
  dofs.constrain_nodes(model_.fixed_nodes());
  dofs.finalize();
  SolidOptions sopt;
  sopt.threads = ctx_.threads;
  const SolidProblem solid(mesh, model_.region_mechanics(), std::move(dofs), sopt);
  QuasiStaticOptions qopt;
  qopt.linear.kind = rs.linear_solver;
  qopt.newton.rel_tolerance = rs.newton_tolerance;
  qopt.newton.max_tangent_reuse = rs.tangent_reuse;
  qopt.force_tolerance = rs.force_tolerance;
  // A hard tool can load thin skin into an indefinite tangent (wrinkling under a gun head): factorise
  // such tangents with LU and go back to Cholesky as soon as the tangent is positive definite again.
  qopt.linear.symmetric_fallback = true;
  qopt.linear.fallback_retries_primary = true;
  QuasiStaticSolver solver(solid, qopt);
  const ContactLoad contact(mesh, mesh.facet_set("skin"));
  const FacetQuadrature& quad = contact.quadrature();
  const Index np = quad.size();

  std::vector<ThermalProperties> props;
  for (const auto& t : model_.tissues) props.push_back(t.thermal);
  ThermalBoundary boundary;
  for (const auto& set : model_.fixed_sets) boundary.fixed.push_back({set, rs.core_temperature});
  boundary.convection.push_back({"skin", rs.skin_heat_transfer, rs.air_temperature});
  boundary.load_surface = "skin";
  ThermalOptions topt;
  topt.threads = ctx_.threads;
  topt.lumped = true;  // no over/undershoot next to a hot stone on coarse meshes
  topt.perfusion_update_tolerance = 0.01;
  topt.linear_solver.kind =
      rs.linear_solver == LinearSolverKind::cg ? LinearSolverKind::cg : LinearSolverKind::automatic;
  BioheatProblem heat(mesh, props, BloodProperties{}, boundary, topt);
  if (!heat.load_surface() || heat.load_surface()->size() != np)
    throw std::logic_error("Simulation: bioheat and contact quadratures of the skin differ");
  const PerfusionLaw perfusion_law;
  const VectorX no_stimulus = VectorX::Zero(nn);

  VectorX cell_volume = VectorX::Zero(nc);
  for (Index e = 0; e < nc; ++e)
    for (int q = 0; q < solid.geometry().n_qp(); ++q) cell_volume[e] += solid.geometry().dV(e, q);

  // Skin nodes (depth control measures the indentation at the one nearest the tool centre).
  std::vector<Index> skin_nodes;
  for (Index f = 0; f < quad.n_facets(); ++f)
    for (int a = 0; a < quad.points_per_facet(); ++a)
      skin_nodes.push_back(quad.facet_nodes(f)[static_cast<size_t>(a)]);
  std::sort(skin_nodes.begin(), skin_nodes.end());
  skin_nodes.erase(std::unique(skin_nodes.begin(), skin_nodes.end()), skin_nodes.end());
  auto nearest_skin_node = [&](const Vec3& x) {
    Index best = skin_nodes.front();
    Real d = std::numeric_limits<Real>::infinity();
    for (Index n : skin_nodes) {
      const Real dn = (mesh.nodes.row(n).transpose() - x).squaredNorm();
      if (dn < d) d = dn, best = n;
    }
    return best;
  };

  // --- state: at rest, temperature at the steady state of perfusion, metabolism, core and air ----
  CoupledState s{DynamicState{}, solid.make_history(), VectorX(), VectorX(), 0.0};
  s.mech.u = s.mech.v = s.mech.a = VectorX::Zero(3 * nn);
  s.temperature = heat.initial_temperature(rs.core_temperature);
  for (int k = 0; k < 4; ++k) {  // steady state with the perfusion of its own temperature (fixed point)
    heat.set_perfusion(perfusion_law, s.temperature, no_stimulus);
    heat.steady_state(s.temperature);
  }
  VectorX T_frozen = s.temperature;
  VectorX step_dissipation = VectorX::Zero(nc);
  SolidInputs in;
  in.temperature = &T_frozen;
  in.history = &s.history;
  in.dissipation = &step_dissipation;

  sink.write_meta("tissue_version", TISSUE_VERSION);
  sink.write_meta("session_source", session_.source);
  sink.write_meta("session", session_.text);
  sink.write_mesh(mesh);
  {
    std::vector<EventRecord> ev;
    for (const auto& e : protocol_.events()) {
      const auto id = mesh.regions.find(e.region);
      ev.push_back({e.name, e.region, id ? mesh.regions[*id].side : Side::none, e.t0, e.t1});
    }
    if (!ev.empty()) sink.append_events(ev);
  }

  RunSummary summary;
  summary.n_cells = nc;
  summary.n_nodes = nn;
  summary.n_equations = solid.dofs().n_equations();
  for (const auto& r : mesh.regions.all()) summary.regions.push_back({r.name});
  const auto nodes_of = region_nodes(mesh);
  const Real T_end = protocol_.duration();

  // --- mechanics over [ta, tb] with substeps small enough for the protocol ------------------------
  const VectorX zero = VectorX::Zero(3 * nn);
  VectorX f_prev = zero;               // tool forces at the end of the previous substep
  VectorX u_prev;                      // displacement before the previous substep (for the predictor)
  Real h_prev = 0;                     // length of the previous substep [s]
  Real compliance = 2e-3, F_prev = 0;  // depth control: secant compliance of the tissue [m/N], last force [N]
  Accumulator acc;
  // Samples the tool at the midpoints of kLoadSamples equal parts of [tau, tau + h] (item `st`) and adds
  // the friction heat, hot-tool contact and peak pressure to acc; force_at(t, w) gives the normal force
  // of a depth-controlled tool at time t, fraction w of the substep.
  auto sample_loads = [&](const ProtocolState& st, Real tau, Real h, const auto& force_at) {
    if (!st.technique) return;
    // One sample per quarter semi-axis of travel (at least one, at most kLoadSamples).
    const ToolCommand end = st.technique->command(tau + h - (tau - st.local_time));
    const Real travel = end.velocity.norm() * h / std::max(std::min(end.footprint.a, end.footprint.b), 1e-6);
    const int n = std::clamp(static_cast<int>(std::ceil(4 * travel - 1e-9)), 1, kLoadSamples);
    const Real hs = h / n;
    for (int k = 0; k < n; ++k) {
      const Real w = (k + 0.5) / n;
      const ToolCommand cs = st.technique->command(tau + w * h - (tau - st.local_time));
      if (!cs.active) continue;
      const Real Fs = cs.control == ToolControl::depth ? force_at(tau + w * h, w) : cs.force;
      const FacetLoads Ls = contact.evaluate(cs, Fs);
      for (Index p = 0; p < np; ++p) {
        const auto i = static_cast<size_t>(p);
        if (!Ls.heat_flux.empty()) acc.friction[i] += hs * Ls.heat_flux[i];
        if (!Ls.contact_h.empty() && Ls.contact_h[i] > 0) {
          acc.h_dt[i] += hs * Ls.contact_h[i];
          acc.hT_dt[i] += hs * Ls.contact_h[i] * Ls.contact_temperature[i];
        }
        if (!Ls.pressure.empty()) acc.peak_pressure[i] = std::max(acc.peak_pressure[i], Ls.pressure[i]);
      }
      if (!Ls.heat_flux.empty()) acc.friction_heat += hs * total_friction_heat(quad, Ls);
    }
  };
  // Loads only over [ta, tb] (jumped cycles): the tool's own path and timing, no mechanics; force_at as
  // in sample_loads.
  auto sample_window = [&](Real ta, Real tb, const auto& force_at) {
    Real tau = ta;
    while (tau < tb - 1e-12) {
      Real h = std::min(protocol_.max_dt(tau), tb - tau);
      if (tb - tau - h < 1e-9 * std::max(tb - ta, 1e-6)) h = tb - tau;
      sample_loads(protocol_.at(tau), tau, h, [&](Real t, Real) { return force_at(t); });
      tau += h;
    }
  };
  std::vector<std::pair<Real, Real>>* force_log = nullptr;  // (time, force) of the substeps, when set
  bool at_rest = true;  // unloaded and settled: substeps skip the mechanics solve
  VectorX tone_solved;  // tone of the last solve (a tone change unsettles the tissue)
  auto tone_moved = [&] {
    if (tone_solved.size() != s.tone.size())
      return !(s.tone.size() == 0 || s.tone.isZero(0)) || tone_solved.size() > 0;
    return s.tone.size() > 0 && (s.tone - tone_solved).lpNorm<Eigen::Infinity>() > kRestTone;
  };
  auto resolve = [&](Real ta, Real tb) {
    Real tau = ta;
    while (tau < tb - 1e-12) {
      const ProtocolState st = protocol_.at(tau);
      Real h = std::min(protocol_.max_dt(tau), tb - tau);
      if (tb - tau - h < 1e-9 * std::max(tb - ta, 1e-6)) h = tb - tau;
      const Real t1 = tau + h;
      // The item active at the start of the substep commands its end (the tool stays on up to the end
      // of its block, even where the next item starts at t1).
      const ToolCommand cmd =
          st.technique ? st.technique->command(t1 - (tau - st.local_time)) : ToolCommand::inactive();
      Real F = 0;
      Index probe = -1;
      Real ind0 = 0;
      if (cmd.active) {
        if (cmd.control == ToolControl::depth) {
          // depth_control_force F = k (d - indentation) solved with the indentation linearised by the
          // secant compliance c: F = k (d - i0 + c F0) / (1 + k c), clamped to [0, force_limit].
          probe = nearest_skin_node(cmd.pose.centre);
          ind0 = s.mech.u.segment<3>(3 * probe).dot(cmd.pose.push);
          const Real k = rs.depth_stiffness;
          F = std::clamp(k * (cmd.depth - ind0 + compliance * F_prev) / (1 + k * compliance), 0.0,
                         cmd.force_limit);
        } else {
          F = cmd.force;
        }
      }
      FacetLoads L = cmd.active ? contact.evaluate(cmd, F) : FacetLoads::zero(np);
      VectorX f1 = zero;
      if (cmd.active) contact.add_forces(L, f1);
      // Unloaded tissue whose last unloaded substep moved it by less than kRestMotion is at rest: no
      // solve until the next load (the viscous history left is below what the outputs resolve).
      const bool unloaded = f1.isZero(0) && f_prev.isZero(0);
      if (!unloaded) at_rest = false;
      if (!at_rest) {
        const VectorX u0 = s.mech.u;
        const VectorX& fa = f_prev;
        // Predictor: linear extrapolation of the last substep (Newton starts closer to the moving load).
        if (rs.extrapolate && h_prev > 0 && u_prev.size() == u0.size())
          s.mech.u += std::min(h / h_prev, 1.0) * (u0 - u_prev);
        const LoadFunction load = [&](Real t) {
          const Real a = std::clamp((t - tau) / h, 0.0, 1.0);
          return MechanicalLoad{fa + a * (f1 - fa), zero};
        };
        const auto on_step = [&](Real, const VectorX&) { acc.dissipation += step_dissipation; };
        MechanicsRunSummary r;
        for (int attempt = 0;; ++attempt) {
          try {
            r = solver.solve(s.mech.u, load, tau, t1, 1, on_step, nullptr, &in);
            break;
          } catch (const NumericalError&) {
            // The tissue cannot carry this tool load on this mesh (e.g. a gun head driven deep into
            // thin, coarse fat): the tool gives way, as a hand or a stalling gun would. Halve the
            // force, at most kMaxYields times per substep, and count it; otherwise fail.
            if (!cmd.active || attempt == kMaxYields) throw;
            s.mech.u = u0;
            F *= 0.5;
            L = contact.evaluate(cmd, F);
            f1 = zero;
            contact.add_forces(L, f1);
            ++summary.tool_yields;
          }
        }
        summary.steps += r.steps;
        summary.newton_iterations += r.newton_iterations;
        summary.linear_solver = r.linear_solver;
        acc.work += 0.5 * (fa + f1).dot(s.mech.u - u0);
        if (unloaded && (s.mech.u - u0).lpNorm<Eigen::Infinity>() < kRestMotion) at_rest = true;
        tone_solved = s.tone;
        u_prev = u0;
        h_prev = h;
      } else {
        h_prev = 0;
      }
      if (probe >= 0 && std::abs(F - F_prev) > 1e-6 * std::max(1.0, F)) {
        const Real c = (s.mech.u.segment<3>(3 * probe).dot(cmd.pose.push) - ind0) / (F - F_prev);
        if (c > 0 && std::isfinite(c)) compliance = std::clamp(c, compliance / 4, compliance * 4);
      }
      // Heat and pressure sources, finer than the mechanics (depth control: force interpolated from the
      // previous substep).
      sample_loads(st, tau, h, [&](Real, Real w) { return F_prev + w * (F - F_prev); });
      if (force_log) {
        if (force_log->empty()) force_log->push_back({tau, F_prev});
        force_log->push_back({t1, F});
      }
      if (!L.pressure.empty())
        for (Index p = 0; p < np; ++p)
          acc.peak_pressure[static_cast<size_t>(p)] =
              std::max(acc.peak_pressure[static_cast<size_t>(p)], L.pressure[static_cast<size_t>(p)]);
      F_prev = cmd.active ? F : 0.0;
      acc.force_last = F;
      acc.force_max = std::max(acc.force_max, F);
      f_prev = std::move(f1);
      tau = t1;
    }
  };

  // --- recording ----------------------------------------------------------------------------------
  std::vector<Real> surface_flux(static_cast<size_t>(np)), contact_h(static_cast<size_t>(np)),
      contact_T(static_cast<size_t>(np)), cell_source(static_cast<size_t>(nc));
  VectorX perfusion = heat.cell_perfusion();
  std::vector<SeriesValue> observed;
  int current_block = -1;
  VectorX u_rest = VectorX::Zero(3 * nn);  // the body at rest (resting tone balanced); u is recorded from it
  auto region_temperatures = [&](int r, Real& mean, Real& mx) {
    Real vol = 0, sum = 0;
    mx = -std::numeric_limits<Real>::infinity();
    for (Index e : mesh.cells_in_region(r)) {
      Real te = 0;
      for (int a = 0; a < mesh.cell_size(); ++a) te += s.temperature[mesh.cells(e, a)];
      sum += cell_volume[e] * te / mesh.cell_size();
      vol += cell_volume[e];
    }
    for (Index n : nodes_of[static_cast<size_t>(r)]) mx = std::max(mx, s.temperature[n]);
    mean = vol > 0 ? sum / vol : 0;
  };
  auto evaluate_state = [&](Real time, bool write_row) {
    SolidInputs view;
    view.temperature = &s.temperature;
    view.tone = s.tone.size() ? &s.tone : nullptr;
    view.history = &s.history;
    const CellStress cs = solid.cell_stress(s.mech.u, &view);
    std::vector<SeriesValue> row;
    for (int r = 0; r < mesh.regions.size(); ++r) {
      RegionPeaks& pk = summary.regions[static_cast<size_t>(r)];
      Real dmax = 0, pmax = -std::numeric_limits<Real>::infinity(), vm = 0, gs = 0, wsum = 0, vol = 0;
      for (Index n : nodes_of[static_cast<size_t>(r)])
        dmax = std::max(dmax, (s.mech.u.segment<3>(3 * n) - u_rest.segment<3>(3 * n)).norm());
      for (Index e : mesh.cells_in_region(r)) {
        pmax = std::max(pmax, cs.pressure[e]);
        vm = std::max(vm, cs.von_mises[e]);
        gs = std::max(gs, cs.max_shear_strain[e]);
        wsum += perfusion[e] * cell_volume[e];
        vol += cell_volume[e];
      }
      Real tmean = 0, tmax = 0;
      region_temperatures(r, tmean, tmax);
      pk.peak_displacement = std::max(pk.peak_displacement, dmax);
      pk.peak_pressure = std::max(pk.peak_pressure, pmax);
      pk.peak_von_mises = std::max(pk.peak_von_mises, vm);
      pk.peak_shear_strain = std::max(pk.peak_shear_strain, gs);
      pk.peak_temperature = std::max(pk.peak_temperature, tmax);
      pk.final_temperature_mean = tmean;
      if (!write_row) continue;
      const std::string& g = mesh.regions[r].name;
      row.push_back({g, "temperature_mean", tmean, "K"});
      row.push_back({g, "temperature_max", tmax, "K"});
      row.push_back({g, "perfusion_mean", vol > 0 ? wsum / vol : 0.0, "1/s"});
      row.push_back({g, "peak_pressure", pmax, "Pa"});
      row.push_back({g, "displacement_max", dmax, "m"});
      row.push_back({g, "von_mises_max", vm, "Pa"});
    }
    Real cmax = 0;
    for (Real p : acc.peak_pressure) cmax = std::max(cmax, p);
    summary.peak_contact_pressure = std::max(summary.peak_contact_pressure, cmax);
    summary.applied_force = std::max(summary.applied_force, acc.force_max);
    if (!write_row) return cs;
    row.push_back({"session", "technique", static_cast<double>(current_block), "1"});
    row.push_back({"session", "tool_force", acc.force_last, "N"});
    row.push_back({"session", "tool_force_max", acc.force_max, "N"});
    row.push_back({"session", "contact_pressure_max", cmax, "Pa"});
    row.push_back({"session", "friction_heat", summary.friction_heat, "J"});
    row.push_back({"session", "dissipated_heat", summary.dissipated_heat, "J"});
    row.push_back({"session", "work", summary.work, "J"});
    row.push_back({"session", "contact_heat", summary.contact_heat, "J"});
    row.insert(row.end(), observed.begin(), observed.end());
    sink.append_series(time, row);
    sink.flush();
    return cs;
  };
  auto write_fields = [&](Real time, const CellStress& cs) {
    const VectorX du = s.mech.u - u_rest;
    const Eigen::Map<const Eigen::Matrix<Real, Eigen::Dynamic, 3, Eigen::RowMajor>> U(du.data(), nn, 3);
    sink.write_field("displacement", time, FieldCenter::node, U, "m");
    sink.write_field("temperature", time, FieldCenter::node, s.temperature, "K");
    sink.write_field("pressure", time, FieldCenter::cell, cs.pressure, "Pa");
    sink.write_field("von_mises", time, FieldCenter::cell, cs.von_mises, "Pa");
    sink.write_field("perfusion", time, FieldCenter::cell, perfusion, "1/s");
    if (session_.outputs.tone_field) {
      sink.write_field("strain", time, FieldCenter::cell, cs.strain, "1");
      if (s.tone.size()) {
        const int nq = solid.geometry().n_qp();
        VectorX cell_tone(nc);
        for (Index e = 0; e < nc; ++e) cell_tone[e] = s.tone.segment(e * nq, nq).mean();
        sink.write_field("tone", time, FieldCenter::cell, cell_tone, "1");
      }
    }
    sink.flush();
  };

  acc.reset(nc, np);
  if (standard_) {  // resting tone and the readings at t = 0, before the first macro step
    SessionStep v0;
    v0.solid = &solid;
    v0.state = &s;
    v0.cell_perfusion = &perfusion;
    v0.skin = &quad;
    v0.skin_pressure = acc.peak_pressure;
    v0.protocol = protocol_.at(0.0);
    v0.record = true;
    std::vector<SafetyFlag> flags;
    standard_->set_resting_tone(v0, s.tone);
    if (s.tone.size() && s.tone.maxCoeff() > 0) {
      // The resting tone's active fibre stress belongs to the body at rest: balance it before t = 0
      // (10 min, so the viscoelastic branches relax); displacements are recorded from this state.
      in.tone = &s.tone;
      const LoadFunction none = [&](Real) { return MechanicalLoad{zero, zero}; };
      const MechanicsRunSummary r = solver.solve(s.mech.u, none, -600.0, 0.0, 3, {}, nullptr, &in);
      summary.steps += r.steps;
      summary.newton_iterations += r.newton_iterations;
      u_rest = s.mech.u;
      tone_solved = s.tone;
    }
    standard_->begin(v0, observed, flags);
    if (!flags.empty()) sink.append_flags(flags);
    summary.safety_flags.insert(summary.safety_flags.end(), flags.begin(), flags.end());
  }
  {
    const CellStress cs = evaluate_state(0.0, true);
    write_fields(0.0, cs);
  }
  Real next_series = rs.series_every, next_field = rs.fields_every > 0 ? rs.fields_every : T_end;
  Real last_field = 0;

  // --- macro steps ----------------------------------------------------------------------------------
  Real t = 0;
  while (t < T_end - 1e-9) {
    const ProtocolState st = protocol_.at(t);
    current_block = st.block;
    const Real boundary_t = std::min(protocol_.next_event(t).value_or(T_end), T_end);
    acc.reset(nc, np);
    T_frozen = s.temperature;
    in.tone = s.tone.size() ? &s.tone : nullptr;
    if (tone_moved()) at_rest = false;
    heat.set_perfusion(perfusion_law, s.temperature, no_stimulus);  // lagged
    perfusion = heat.cell_perfusion();

    const std::optional<Real> period = st.technique ? st.technique->period() : std::nullopt;
    bool jump = false;
    int K = 0, M = 0;
    if (rs.cycle_averaging && period) {
      K = rs.resolved_cycles;
      const Real window = rs.cycle_window > 0 ? rs.cycle_window : rs.dt_thermal;
      M = rs.jumped_cycles > 0 ? rs.jumped_cycles : static_cast<int>(std::floor(window / *period + 1e-9)) - K;
      jump = M > 0 && t + (K + M) * *period <= boundary_t + 1e-9;
    }
    Real dt = 0;
    if (jump) {
      // Resolve K cycles; the last K - 1 (settled) cycles stand for the M jumped ones (all K when K = 1).
      // The resolved cycles sit in the middle of the window (midpoint sampling of a gliding tool).
      const Real P = *period;
      const int j = (M - 1) / 2;
      const Real tr = t + j * P;
      Accumulator before = acc;
      std::optional<SolidHistory> cycle_start;  // history one period before the end of the resolved cycles
      std::vector<std::pair<Real, Real>> last_cycle;  // (time, force) over the last resolved cycle
      if (K == 1) cycle_start = s.history;
      if (K == 1) force_log = &last_cycle;
      resolve(tr, tr + P);
      if (K > 1) before = acc;
      if (K > 2) resolve(tr + P, tr + (K - 1) * P);
      if (K > 1) {
        cycle_start = s.history;
        force_log = &last_cycle;
        resolve(tr + (K - 1) * P, tr + K * P);
      }
      force_log = nullptr;
      // Mechanics of the jumped cycles (viscous heat, work): the settled cycles repeated.
      acc.extrapolate(before, static_cast<Real>(M) / std::max(K - 1, 1));
      // The slow viscous branches (tau >> P) keep creeping over the jumped cycles: advance them too.
      solid.jump_history(s.history, *cycle_start, P, M, &in);
      // Tool loads of the jumped cycles (friction heat, hot contact, pressure) along the tool's own path,
      // with a depth-controlled tool's force repeating that of the last resolved cycle by phase.
      const Real c0 = tr + (K - 1) * P;
      auto force_at = [&](Real time) {
        const Real ph = c0 + (time - c0) - P * std::floor((time - c0) / P);
        auto it = std::lower_bound(last_cycle.begin(), last_cycle.end(), ph,
                                   [](const auto& a, Real x) { return a.first < x; });
        if (it == last_cycle.begin()) return it->second;
        if (it == last_cycle.end()) return last_cycle.back().second;
        const auto& a = *(it - 1);
        const Real f = (ph - a.first) / std::max(it->first - a.first, 1e-300);
        return a.second + f * (it->second - a.second);
      };
      sample_window(t, tr, force_at);
      sample_window(tr + K * P, t + (K + M) * P, force_at);
      dt = (K + M) * P;
      summary.resolved_cycles += K;
      summary.jumped_cycles += M;
    } else {
      dt = std::min(rs.dt_thermal, boundary_t - t);
      if (boundary_t - (t + dt) < 0.05 * rs.dt_thermal) dt = boundary_t - t;  // no sliver before a boundary
      resolve(t, t + dt);
    }

    // Heat: the step-averaged sources (energy / dt) of the macro step; a long jump window takes
    // several thermal steps of at most dt_thermal with the same averaged sources.
    for (Index e = 0; e < nc; ++e)
      cell_source[static_cast<size_t>(e)] = acc.dissipation[e] / (cell_volume[e] * dt);
    for (Index p = 0; p < np; ++p) {
      const auto i = static_cast<size_t>(p);
      surface_flux[i] = acc.friction[i] / dt;
      contact_h[i] = acc.h_dt[i] / dt;
      contact_T[i] = acc.h_dt[i] > 0 ? acc.hT_dt[i] / acc.h_dt[i] : 0.0;
    }
    ThermalLoads loads;
    loads.surface_flux = surface_flux;
    loads.contact_h = contact_h;
    loads.contact_temperature = contact_T;
    loads.cell_source = cell_source;
    const int n_heat = std::max(1, static_cast<int>(std::ceil(dt / rs.dt_thermal - 0.05)));
    for (int k = 0; k < n_heat; ++k) {
      const ThermalStepReport rep = heat.step(s.temperature, dt / n_heat, loads);
      summary.contact_heat += rep.contact_heat;
      ++summary.thermal_steps;
    }
    summary.friction_heat += acc.friction_heat;
    summary.dissipated_heat += acc.dissipation.sum();
    summary.work += acc.work;
    const Real t0 = t;
    t = (boundary_t - (t + dt) < 1e-9) ? boundary_t : t + dt;
    s.time = t;

    // Tone and observers read the state at the end of the macro step.
    SessionStep view;
    view.t0 = t0;
    view.t1 = t;
    view.solid = &solid;
    view.state = &s;
    view.cell_perfusion = &perfusion;
    view.cell_dissipation = &acc.dissipation;
    view.skin = &quad;
    view.skin_pressure = acc.peak_pressure;
    view.protocol = st;
    view.cycle_jump = jump;
    const bool last = t >= T_end - 1e-9;
    const bool row = last || rs.series_every <= 0 || t >= next_series - 1e-9;
    view.record = row;
    if (tone_update_) tone_update_(view, s.tone);
    observed.clear();
    std::vector<SafetyFlag> flags;
    for (const auto& obs : observers_) obs(view, observed, flags);
    if (!flags.empty()) sink.append_flags(flags);
    summary.safety_flags.insert(summary.safety_flags.end(), flags.begin(), flags.end());
    const CellStress cs = evaluate_state(t, row);
    if (row && rs.series_every > 0)
      next_series = (std::floor(t / rs.series_every + 1e-9) + 1) * rs.series_every;
    if (last || (rs.fields_every > 0 && t >= next_field - 1e-9)) {
      if (t > last_field) write_fields(t, cs);
      last_field = t;
      if (rs.fields_every > 0) next_field = (std::floor(t / rs.fields_every + 1e-9) + 1) * rs.fields_every;
    }
    std::ostringstream status;
    status << (st.technique ? std::string(st.technique->name()) : std::string(to_string(st.phase)))
           << " t=" << t << " s";
    ctx_.report(T_end > 0 ? t / T_end : 1.0, status.str());
  }
  summary.simulated_time = t;
  if (standard_) summary.muscles = standard_->report();
  sink.flush();
  summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return summary;
}

}  // namespace tissue
