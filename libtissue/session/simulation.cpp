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
#include "libtissue/io/checkpoint_file.hpp"
#include "libtissue/session/cycle_jump.hpp"
#include "libtissue/session/protocol_loads.hpp"
#include "libtissue/session/session_problems.hpp"
#include "libtissue/session/session_recorder.hpp"

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
  if (session_.model.tissue != model_.tissue_changes)
    throw InputError(
        "model.tissue",
        "the model was built with other tissue-parameter changes than the " +
            std::string("session's [tissue.<name>] tables (the session has ") +
            std::to_string(session_.model.tissue.size()) + ", the model " +
            std::to_string(model_.tissue_changes.size()) +
            "): build the model from the session's [model] table (Model::from_spec(session.model); "
            "Python: Model.from_spec(session.model), or simulate() without a Model)");
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
    add_observer([so](const SessionStep& st, std::vector<SeriesValue>& series,
                      std::vector<SafetyFlag>& flags) { so->observe(st, series, flags); });
  }
}

void Simulation::add_observer(StepObserver observer) {
  observers_.push_back(std::move(observer));
}
void Simulation::set_tone_law(std::shared_ptr<const ToneLaw> law) {
  tone_law_ = std::move(law);
}

Real EnergyBudget::mechanical_imbalance() const {
  return work != 0 ? (work - stored_change - dissipated) / work : 0.0;
}

namespace {

/// The state at the end of a macro step as observers see it.
SessionStep step_view(const SessionProblems& p, const CoupledState& s, const VectorX& perfusion,
                      const StepSources& src, const ProtocolState& st, Real t0, bool jump, bool record) {
  SessionStep v;
  v.t0 = t0;
  v.t1 = s.time;
  v.solid = &p.solid();
  v.state = &s;
  v.cell_perfusion = &perfusion;
  v.cell_dissipation = &src.dissipation;
  v.skin = &p.skin();
  v.skin_pressure = src.peak_pressure;
  v.protocol = st;
  v.cycle_jump = jump;
  v.record = record;
  return v;
}

/// The message of a run stopped by a failed substep: when, which item, tool and region, and what was tried.
std::string failure_message(const StepFailure& f, const Protocol& protocol, const Mesh& mesh) {
  std::ostringstream m;
  m << "mechanics failed at t = " << f.t1 << " s (substep from " << f.t0 << " s)";
  const ProtocolState st = protocol.at(std::max(f.t0, 0.0));
  if (st.technique) {
    m << " in item " << st.item << " (" << st.technique->name();
    if (st.command) m << ", tool " << st.command->footprint.name;
    if (!st.technique->target().empty()) m << ", over " << st.technique->target();
    m << ")";
  } else {
    m << " in a " << to_string(st.phase);
  }
  if (f.worst_node >= 0) {
    for (Index e = 0; e < mesh.n_cells(); ++e)
      for (int a = 0; a < mesh.cell_size(); ++a)
        if (mesh.cells(e, a) == f.worst_node) {
          m << "; largest residual " << f.worst_residual << " N in region "
            << mesh.regions[mesh.region[static_cast<size_t>(e)]].name;
          e = mesh.n_cells() - 1;
          break;
        }
  }
  m << "; tried: " << f.tried << "; last Newton: " << f.reason;
  return m.str();
}

/// The run's totals that a checkpoint carries: RunSummary's counters, peaks, profile counts and flags.
void save_summary(StateArchive& a, const RunSummary& r) {
  const EnergyBudget& e = r.energy;
  a.put("summary.totals",
        {r.peak_contact_pressure, r.applied_force, Real(r.steps), Real(r.rest_steps),
         Real(r.newton_iterations), Real(r.factorizations), Real(r.thermal_steps), r.friction_heat,
         r.dissipated_heat, r.work, r.contact_heat, Real(r.resolved_cycles), Real(r.jumped_cycles),
         e.perfusion_heat, e.convection_heat, e.core_heat, e.heat_content_change});
  std::vector<Real> regions, profile, flags;
  for (const auto& g : r.regions)
    regions.insert(regions.end(), {g.peak_displacement, g.peak_pressure, g.peak_von_mises,
                                   g.peak_shear_strain, g.peak_temperature, g.final_temperature_mean});
  for (const auto& p : r.profile)
    profile.insert(profile.end(),
                   {Real(p.macro_steps), Real(p.jump_windows), Real(p.mechanics.substeps),
                    Real(p.mechanics.rest_substeps), Real(p.mechanics.cuts), Real(p.mechanics.exact_retries),
                    Real(p.mechanics.newton.iterations), Real(p.mechanics.newton.factorizations),
                    p.mechanics.seconds, p.seconds_heat, p.seconds_tone, p.seconds_outputs, p.seconds});
  std::vector<std::string> kinds, places, units;
  for (const auto& f : r.safety_flags) {
    flags.insert(flags.end(), {f.time, f.value, f.threshold});
    kinds.push_back(f.kind);
    places.push_back(f.region);
    units.push_back(f.units);
  }
  a.put("summary.regions", std::span<const Real>(regions));
  a.put("summary.profile", std::span<const Real>(profile));
  a.put("summary.flags", std::span<const Real>(flags));
  a.put_strings("summary.flag_kinds", std::move(kinds));
  a.put_strings("summary.flag_regions", std::move(places));
  a.put_strings("summary.flag_units", std::move(units));
}

/// Reads what save_summary wrote into a summary set up for the same model and protocol.
void load_summary(const StateArchive& a, RunSummary& r) {
  const auto& t = a.get("summary.totals");
  const auto& regions = a.get("summary.regions");
  const auto& profile = a.get("summary.profile");
  const auto& flags = a.get("summary.flags");
  const auto& kinds = a.strings("summary.flag_kinds");
  const auto& places = a.strings("summary.flag_regions");
  const auto& units = a.strings("summary.flag_units");
  if (t.size() != 17 || regions.size() != 6 * r.regions.size() || profile.size() != 13 * r.profile.size() ||
      flags.size() != 3 * kinds.size() || places.size() != kinds.size() || units.size() != kinds.size())
    throw InputError("summary", "the checkpoint's run totals do not fit this session and model");
  auto i = [](Real v) { return static_cast<int>(v); };
  r.peak_contact_pressure = t[0], r.applied_force = t[1], r.steps = i(t[2]), r.rest_steps = i(t[3]);
  r.newton_iterations = i(t[4]), r.factorizations = i(t[5]), r.thermal_steps = i(t[6]);
  r.friction_heat = t[7], r.dissipated_heat = t[8], r.work = t[9], r.contact_heat = t[10];
  r.resolved_cycles = i(t[11]), r.jumped_cycles = i(t[12]);
  r.energy.perfusion_heat = t[13], r.energy.convection_heat = t[14], r.energy.core_heat = t[15];
  r.energy.heat_content_change = t[16];
  for (size_t k = 0; k < r.regions.size(); ++k) {
    RegionPeaks& g = r.regions[k];
    const Real* v = regions.data() + 6 * k;
    g.peak_displacement = v[0], g.peak_pressure = v[1], g.peak_von_mises = v[2], g.peak_shear_strain = v[3];
    g.peak_temperature = v[4], g.final_temperature_mean = v[5];
  }
  for (size_t k = 0; k < r.profile.size(); ++k) {
    ItemProfile& p = r.profile[k];
    const Real* v = profile.data() + 13 * k;
    p.macro_steps = i(v[0]), p.jump_windows = i(v[1]), p.mechanics.substeps = i(v[2]);
    p.mechanics.rest_substeps = i(v[3]), p.mechanics.cuts = i(v[4]), p.mechanics.exact_retries = i(v[5]);
    p.mechanics.newton.iterations = i(v[6]), p.mechanics.newton.factorizations = i(v[7]);
    p.mechanics.seconds = v[8], p.seconds_heat = v[9], p.seconds_tone = v[10], p.seconds_outputs = v[11];
    p.seconds = v[12];
  }
  r.safety_flags.clear();
  for (size_t k = 0; k < kinds.size(); ++k)
    r.safety_flags.push_back(
        {kinds[k], places[k], flags[3 * k], flags[3 * k + 1], flags[3 * k + 2], units[k]});
}

/// What a checkpoint must match to be resumed: the protocol's items, the model's size and its tissue-table
/// changes (none: no line, as in checkpoints written before they were recorded).
std::vector<std::string> protocol_signature(const Protocol& protocol, const Model& model) {
  const Mesh& mesh = model.mesh;
  std::vector<std::string> sig{"mesh " + std::to_string(mesh.n_nodes()) + " nodes " +
                               std::to_string(mesh.n_cells()) + " cells"};
  for (const TissueOverride& o : model.tissue_changes) sig.push_back(o.field() + " = " + o.value);
  for (const auto& e : protocol.events()) {
    std::ostringstream o;
    o.precision(12);
    o << e.name << " " << e.region << " " << e.t0 << " " << e.t1;
    sig.push_back(o.str());
  }
  return sig;
}

}  // namespace

RunSummary Simulation::run(ResultsSink& sink) {
  return run_guarded(sink, nullptr);
}

RunSummary Simulation::resume(ResultsSink& sink, const StateArchive& checkpoint) {
  return run_guarded(sink, &checkpoint);
}

RunSummary Simulation::run_guarded(ResultsSink& sink, const StateArchive* from) {
  // The run's status is in the results file from the start (docs/results-format.md): a file that still says
  // "running" after its process ended was killed.
  sink.write_meta("status", "running");
  sink.write_meta("status_reason", "");
  try {
    RunSummary summary = run_protocol(sink, from);
    sink.write_meta("status", "completed");
    sink.flush();
    return summary;
  } catch (const Cancelled& e) {
    record_stop(sink, "interrupted", e.what());
    throw;
  } catch (const NumericalError& e) {
    record_stop(sink, "failed", e.what());
    throw;
  } catch (const InputError& e) {
    record_stop(sink, "failed", e.what());
    throw;
  } catch (...) {  // e.g. an exception from a caller's callback (Python's KeyboardInterrupt)
    record_stop(sink, "interrupted", "stopped by an exception from a callback (e.g. KeyboardInterrupt)");
    throw;
  }
}

void Simulation::record_stop(ResultsSink& sink, std::string_view status, std::string_view reason) {
  try {
    sink.write_meta("status", status);
    sink.write_meta("status_reason", reason);
    sink.flush();
  } catch (const std::exception& e) {  // the run's own error is the one to report
    ctx_.message(LogLevel::warning,
                 std::string("could not record the run's status in the results: ") + e.what());
  }
}

RunSummary Simulation::run_protocol(ResultsSink& sink, const StateArchive* from) {
  const auto wall0 = std::chrono::steady_clock::now();
  auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  set_runtime_threads(ctx_.threads);
  const RunSpec& rs = session_.run;
  // --- set-up: problems, stepper, tools, cycle jumping, recording -----------------------------------
  SessionProblems problems(model_, rs, ctx_.threads);
  const Mesh& mesh = problems.mesh();
  // A checkpoint starts a fresh stepper (no kept factorisation, no solver history) in the run that goes on
  // and in a run resumed from it, so that both solve alike.
  auto fresh_stepper = [&problems]() {
    return std::make_unique<CoupledStepper>(problems.solid(), problems.heat(), problems.stepper_options());
  };
  std::unique_ptr<CoupledStepper> stepper = fresh_stepper();
  RigidContactOptions contact;
  contact.penalty = rs.contact_penalty;
  ProtocolLoads tools(problems, protocol_, rs.depth_stiffness, contact, rs.substep_scale);
  const CycleJumper jumper(protocol_, rs);
  SessionRecorder recorder(problems, session_, protocol_, sink);
  if (!from) recorder.write_header();  // a resumed run's file has it
  RunSummary summary;
  summary.n_cells = mesh.n_cells();
  summary.n_nodes = mesh.n_nodes();
  summary.n_equations = problems.solid().dofs().n_equations();
  for (const auto& r : mesh.regions.all()) summary.regions.push_back({r.name});
  for (const auto& e : protocol_.events()) {
    ItemProfile ip;
    ip.name = e.name;
    ip.region = e.region;
    ip.t0 = e.t0;
    ip.t1 = e.t1;
    summary.profile.push_back(std::move(ip));
  }

  // --- t = 0: the body at rest, resting tone balanced, first readings --------------------------------
  CoupledState s = problems.initial_state();
  VectorX perfusion = problems.heat().cell_perfusion();
  StepSources none = stepper->make_sources();
  const ToneCoupling* tone = nullptr;
  std::vector<SeriesValue> observed;
  if (standard_) {
    SessionStep v0 = step_view(problems, s, perfusion, none, protocol_.at(0.0), 0.0, false, true);
    standard_->set_resting_tone(v0, s.tone);
    if (s.tone.size() && s.tone.maxCoeff() > 0 && rs.prebalance_time > 0) {
      // The resting tone's active fibre stress belongs to the body at rest: balance it before t = 0 (the
      // viscoelastic branches relax over prebalance_time); displacements are recorded from this state.
      const VectorX zero = VectorX::Zero(3 * mesh.n_nodes());
      FunctionLoads unloaded([&](Real) { return MechanicalLoad{zero, zero}; }, rs.prebalance_time / 3);
      StepSources discard = stepper->make_sources();
      MechanicsStats stats;
      StepFailure failure;
      s.time = -rs.prebalance_time;
      if (!stepper->mechanics(s, unloaded, 0.0, discard, stats, failure))
        throw NumericalError("balancing the resting tone before t = 0 failed: " + failure.reason);
      s.time = 0;
      summary.steps += stats.substeps;
      summary.newton_iterations += stats.newton.iterations;
      recorder.set_rest(s.mech.u);
      stepper->unsettle();
    }
    std::vector<SafetyFlag> flags;
    standard_->begin(v0, observed, flags);
    tone = standard_->tone_coupling(tone_law_.get());
    if (!flags.empty() && !from) sink.append_flags(flags);
    summary.safety_flags.insert(summary.safety_flags.end(), flags.begin(), flags.end());
  }
  ToneCoupling custom;  // a tone law set without standard outputs: resting tone 0
  VectorX zero_rest;
  if (!tone && tone_law_ && !standard_) {
    zero_rest = VectorX::Zero(mesh.n_cells() * problems.solid().geometry().n_qp());
    custom = {tone_law_.get(), &zero_rest, nullptr};
    tone = &custom;
  }
  Real stored0 = s.stored_energy;
  if (!from)
    recorder.write_fields(0.0, s, recorder.record(0.0, s, perfusion, none, -1, true, observed, summary),
                          perfusion);

  // --- checkpoints: everything that goes on from one macro step to the next
  // ---------------------------------
  const std::vector<std::string> signature = protocol_signature(protocol_, model_);
  auto snapshot = [&]() {
    StateArchive a;
    a.put_strings("run.signature", signature);
    a.put("run.stored0", stored0);
    save_state(a, s);
    stepper->save(a);
    problems.heat().save(a);
    tools.save(a);
    recorder.save(a);
    if (standard_) standard_->save(a);
    save_summary(a, summary);
    return a;
  };
  if (from) {
    if (from->strings("run.signature") != signature)
      throw InputError("checkpoint",
                       "was written for another protocol or model (or other [tissue] changes) than "
                       "this session's");
    stored0 = from->scalar("run.stored0");
    load_state(*from, s);
    stepper = fresh_stepper();
    stepper->load(*from);
    problems.heat().load(*from);
    tools.load(*from);
    recorder.load(*from);
    if (standard_) standard_->load(*from);
    load_summary(*from, summary);
  }
  const bool checkpoints = !checkpoint_file_.empty();
  const Real every = rs.checkpoint_every;
  Real next_checkpoint =
      every > 0 ? (std::floor(s.time / every + 1e-9) + 1) * every : std::numeric_limits<Real>::infinity();

  // --- macro steps: tool -> loads -> mechanics -> heat -> tone -> outputs -----------------------------
  const Real T_end = protocol_.duration();
  while (s.time < T_end - 1e-9) {
    if (ctx_.cancelled()) {
      sink.flush();
      if (checkpoints) write_checkpoint(checkpoint_file_, snapshot());
      throw Cancelled("run cancelled at t = " + std::to_string(s.time) +
                      " s; the results up to then are written" +
                      (checkpoints ? " and a checkpoint to resume from" : ""));
    }
    std::optional<StateArchive> step_start;  // what a failed macro step's checkpoint holds
    if (checkpoints) step_start = snapshot();
    const auto step0 = std::chrono::steady_clock::now();
    const MacroPlan plan = jumper.plan(s.time, T_end);
    const ProtocolState st = protocol_.at(plan.t0);
    CoupledStepReport rep;
    rep.sources = stepper->make_sources(tone ? tone->law : nullptr);
    rep.sources.displacement_reference = &recorder.rest();
    const bool ok = plan.jump
                        ? jumper.run(plan, *stepper, s, tools, rep.sources, rep.mechanics, rep.failure)
                        : stepper->mechanics(s, tools, plan.t1, rep.sources, rep.mechanics, rep.failure);
    if (!ok) {
      sink.flush();
      if (step_start) write_checkpoint(checkpoint_file_, *step_start);
      throw NumericalError(failure_message(rep.failure, protocol_, mesh) +
                           (step_start ? "; checkpoint at t = " + std::to_string(plan.t0) + " s saved" : ""));
    }
    stepper->heat_and_tone(s, plan.t0, rep.sources, rep, {}, tone);
    perfusion = problems.heat().cell_perfusion();

    const auto out0 = std::chrono::steady_clock::now();
    const bool last = s.time >= T_end - 1e-9;
    const bool row = recorder.row_due(s.time, last);
    const SessionStep view = step_view(problems, s, perfusion, rep.sources, st, plan.t0, plan.jump, row);
    observed.clear();
    std::vector<SafetyFlag> flags;
    for (const auto& obs : observers_) obs(view, observed, flags);
    if (!flags.empty()) sink.append_flags(flags);
    summary.safety_flags.insert(summary.safety_flags.end(), flags.begin(), flags.end());
    summary.friction_heat += rep.sources.friction_heat;
    summary.dissipated_heat += rep.dissipated_energy;
    summary.work += rep.sources.work;
    summary.contact_heat += rep.thermal.contact_heat;
    summary.energy.perfusion_heat += rep.thermal.perfusion_heat;
    summary.energy.convection_heat += rep.thermal.convection_heat;
    summary.energy.core_heat += rep.thermal.fixed_temperature_heat;
    summary.energy.heat_content_change += rep.thermal.heat_content_change;
    const CellStress cs =
        recorder.record(s.time, s, perfusion, rep.sources, st.block, row, observed, summary);
    if (recorder.fields_due(s.time, last)) recorder.write_fields(s.time, s, cs, perfusion);

    summary.steps += rep.mechanics.substeps;
    summary.rest_steps += rep.mechanics.rest_substeps;
    summary.newton_iterations += rep.mechanics.newton.iterations;
    summary.factorizations += rep.mechanics.newton.factorizations;
    summary.thermal_steps += rep.thermal_steps;
    if (plan.jump) {
      summary.resolved_cycles += plan.resolved;
      summary.jumped_cycles += plan.jumped;
    }
    if (st.item >= 0 && st.item < static_cast<int>(summary.profile.size())) {
      ItemProfile& ip = summary.profile[static_cast<size_t>(st.item)];
      ++ip.macro_steps;
      ip.jump_windows += plan.jump ? 1 : 0;
      ip.mechanics.add(rep.mechanics);
      ip.seconds_heat += rep.seconds_heat;
      ip.seconds_tone += rep.seconds_tone;
      ip.seconds_outputs += since(out0);
      ip.seconds += since(step0);
    }
    std::ostringstream status;
    status << (st.technique ? std::string(st.technique->name()) : std::string(to_string(st.phase)))
           << " t=" << s.time << " s";
    try {  // a caller's progress callback may throw (Python's KeyboardInterrupt): the step is complete
      ctx_.report(T_end > 0 ? s.time / T_end : 1.0, status.str());
    } catch (...) {
      sink.flush();
      if (checkpoints) write_checkpoint(checkpoint_file_, snapshot());
      throw;
    }
    if (checkpoints && s.time >= next_checkpoint - 1e-9 && !last) {
      const StateArchive a = snapshot();
      write_checkpoint(checkpoint_file_, a);
      stepper = fresh_stepper();
      stepper->load(a);
      problems.heat().load(a);  // as the resumed run does: both rebuild the heat matrix alike
      next_checkpoint = (std::floor(s.time / every + 1e-9) + 1) * every;
    }
  }
  summary.simulated_time = s.time;
  summary.linear_solver =
      stepper->quasi_static_solver() ? stepper->quasi_static_solver()->linear_solver().name() : "";
  summary.rigid_tool_steps = tools.stats().rigid_substeps;
  summary.stalled_steps = tools.stats().stalled_substeps;
  summary.energy.work = summary.work;
  summary.energy.dissipated = summary.dissipated_heat;
  summary.energy.stored_change = s.stored_energy - stored0;
  summary.energy.friction_heat = summary.friction_heat;
  summary.energy.contact_heat = summary.contact_heat;
  if (standard_) summary.muscles = standard_->report();
  sink.flush();
  summary.wall_seconds = since(wall0);
  return summary;
}

}  // namespace tissue
