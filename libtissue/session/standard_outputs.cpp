#include "libtissue/session/standard_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/observe/region_stats.hpp"
#include "libtissue/session/simulation.hpp"

namespace tissue {
namespace {

constexpr Real kTimeTol = 1e-9;  // [s]

/// Regions matching a muscle name: the region itself, or both sides of a name without "_left"/"_right".
std::vector<int> muscles_named(const Mesh& mesh, const std::string& name) {
  std::vector<int> out;
  for (int r = 0; r < mesh.regions.size(); ++r) {
    const Region& reg = mesh.regions[r];
    if (reg.kind != TissueKind::muscle) continue;
    if (reg.name == name || reg.name == name + "_left" || reg.name == name + "_right") out.push_back(r);
  }
  return out;
}

std::string muscle_list(const Mesh& mesh) {
  std::string s;
  for (const auto& r : mesh.regions.all())
    if (r.kind == TissueKind::muscle) s += (s.empty() ? "" : ", ") + r.name;
  return s.empty() ? "(none)" : s;
}

StepView step_view(const SessionStep& st) {
  StepView v;
  v.time = st.t1;
  v.solid = st.solid;
  v.displacement = &st.state->mech.u;
  v.history = &st.state->history;
  v.temperature = &st.state->temperature;
  v.tone = &st.state->tone;
  v.perfusion = st.cell_perfusion;
  v.skin = st.skin;
  v.skin_pressure = st.skin_pressure;
  return v;
}

}  // namespace

StandardOutputs::StandardOutputs(const Model& model, const SessionSpec& session, const Protocol& protocol)
    : model_(model), spec_(session.outputs), resting_(RestingTone::defaults()) {
  const Mesh& mesh = model.mesh;
  const PatientSpec& patient = session.patient;
  if (patient.resting_tone) resting_.normal = *patient.resting_tone;
  if (patient.hypertonic_tone) resting_.hypertonic = *patient.hypertonic_tone;
  for (const auto& name : patient.hypertonic) {
    if (muscles_named(mesh, name).empty())
      throw InputError(patient.where, "patient.hypertonic",
                       "unknown muscle '" + name + "'; muscles of this model: " + muscle_list(mesh));
    resting_.make_hypertonic(name);
  }
  try {
    resting_.validate();
  } catch (const InputError& e) {
    throw InputError(patient.where, "patient." + e.field(), e.message());
  }
  law_ = make_default_tone_law();
  if (spec_.safety) {
    SafetyOptions so;
    so.bone_pressure = spec_.bone_pressure;
    so.temperature_limit = spec_.temperature_limit;
    so.strain_limit = spec_.strain_limit;
    safety_options_ = so;
    try {
      safety_ = std::make_unique<SafetyMonitor>(so);
    } catch (const InputError& e) {
      throw InputError(spec_.where, "outputs." + e.field().substr(e.field().find('.') + 1), e.message());
    }
  }
  if (spec_.myotonometer) {
    std::vector<int> regions;
    auto add = [&](int r) {
      if (std::find(regions.begin(), regions.end(), r) == regions.end() && !mesh.cells_in_region(r).empty())
        regions.push_back(r);
    };
    const bool all = spec_.myoton_sites.size() == 1 && spec_.myoton_sites[0] == "all";
    if (all) {
      for (int r = 0; r < mesh.regions.size(); ++r)
        if (mesh.regions[r].kind == TissueKind::muscle) add(r);
    } else if (spec_.myoton_sites.empty()) {  // the muscles the session works on
      for (const auto& e : protocol.events())
        if (const auto id = mesh.regions.find(e.region);
            e.phase == ProtocolPhase::technique && id && mesh.regions[*id].kind == TissueKind::muscle)
          add(*id);
    } else {
      for (const auto& name : spec_.myoton_sites) {
        const auto found = muscles_named(mesh, name);
        if (found.empty())
          throw InputError(spec_.where, "outputs.myoton_sites",
                           "unknown muscle '" + name + "'; muscles of this model: " + muscle_list(mesh));
        for (int r : found) add(r);
      }
    }
    for (int r : regions) {
      sites_.push_back({mesh.regions[r].name, skin_point_above_region(mesh, r)});
      site_region_.push_back(r);
    }
    held_.resize(sites_.size());
    myoton_ = std::make_unique<Myotonometer>(sites_);
  }
  for (const auto& e : protocol.events())
    if (e.phase == ProtocolPhase::technique) t_after_ = std::max(t_after_, e.t1);
  t_end_ = protocol.duration();
  for (int r = 0; r < mesh.regions.size(); ++r)
    if (mesh.regions[r].kind == TissueKind::muscle && !mesh.cells_in_region(r).empty()) {
      MuscleReport m;
      m.region = mesh.regions[r].name;
      m.resting_tone = resting_.for_region(m.region);
      report_.push_back(m);
      report_region_.push_back(r);
    }
}

void StandardOutputs::set_resting_tone(const SessionStep& step, VectorX& tone) {
  rest_ = resting_tone_field(model_.mesh, step.solid->geometry().n_qp(), resting_);
  tone = rest_;
}

void StandardOutputs::begin(const SessionStep& step, std::vector<SeriesValue>& series,
                            std::vector<SafetyFlag>& flags) {
  const SolidProblem& solid = *step.solid;
  // A new run starts afresh: dose, held readings and the report.
  if (safety_) safety_ = std::make_unique<SafetyMonitor>(safety_options_);
  held_.assign(sites_.size(), MyotonReading{});
  for (auto& r : report_) r = MuscleReport{r.region, r.resting_tone, {}, {}, 0.0, {}};
  // Warmth is measured from this run's resting temperature at each point, shifted onto the law's base.
  const VectorX T_base = point_temperature(solid, &step.state->temperature, kCelsius + 37.0);
  T_shift_ = VectorX::Constant(T_base.size(), ToneParameters::defaults().temperature_base) - T_base;
  next_myoton_ = 0;
  take(step, true, true, series, flags);
}

const ToneCoupling* StandardOutputs::tone_coupling(const ToneLaw* law) {
  if (!spec_.tone || rest_.size() == 0) return nullptr;
  coupling_.law = law ? law : law_.get();
  coupling_.resting = &rest_;
  coupling_.temperature_shift = T_shift_.size() == rest_.size() ? &T_shift_ : nullptr;
  return &coupling_;
}

void StandardOutputs::observe(const SessionStep& step, std::vector<SeriesValue>& series,
                              std::vector<SafetyFlag>& flags) {
  if (rest_.size() == 0) return;
  const Real t = step.t1;
  const bool due = myoton_ && (t >= next_myoton_ - kTimeTol || std::abs(t - t_after_) < kTimeTol ||
                               t >= t_end_ - kTimeTol);
  take(step, step.record, due, series, flags);
}

void StandardOutputs::take(const SessionStep& step, bool record, bool myoton,
                           std::vector<SeriesValue>& series, std::vector<SafetyFlag>& flags) {
  const SolidProblem& solid = *step.solid;
  const Mesh& mesh = model_.mesh;
  const Real t = step.t1;
  const StepView v = step_view(step);
  // Which report slots this instant fills.
  const bool at_start = t <= kTimeTol;
  const bool at_after = std::abs(t - t_after_) < kTimeTol;
  const bool at_end = t >= t_end_ - kTimeTol;
  const bool capture = at_start || at_after || at_end;
  const VectorX& T = step.state->temperature;
  for (size_t k = 0; k < report_.size(); ++k)
    for (Index e : mesh.cells_in_region(report_region_[k]))
      for (int a = 0; a < mesh.cell_size(); ++a)
        report_[k].peak_temperature = std::max(report_[k].peak_temperature, T[mesh.cells(e, a)]);

  if (safety_) {
    Observations o;
    safety_->on_step(v, o);
    flags.insert(flags.end(), o.flags.begin(), o.flags.end());
    if (record) series.insert(series.end(), o.series.begin(), o.series.end());
  }
  if (myoton) {
    // The sites' readings are independent runs on their own local models: one per thread of the run (each
    // reading is serial), identical results whatever the thread count. Errors cross the parallel region as
    // exception pointers and are rethrown in site order.
    std::vector<std::exception_ptr> errors(sites_.size());
    parallel_for(static_cast<Index>(sites_.size()), solid.options().threads, [&](Index i, int) {
      const auto k = static_cast<size_t>(i);
      try {
        held_[k] = myoton_->measure(v, sites_[k].point);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    });
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    next_myoton_ = spec_.myoton_every > 0
                       ? (std::floor(t / spec_.myoton_every + 1e-9) + 1) * spec_.myoton_every
                       : std::numeric_limits<Real>::infinity();
  }
  if (!record && !capture) return;

  ElastographyResult el;
  if (spec_.elastography) el = elastography_.compute(v);
  const VectorX Tq = point_temperature(solid, &T, kCelsius + 37.0);
  const int nq = solid.geometry().n_qp();
  const VectorX& tone = step.state->tone;
  for (size_t k = 0; k < report_.size(); ++k) {
    const int r = report_region_[k];
    const std::string& g = report_[k].region;
    MuscleState ms;
    ms.time = t;
    std::vector<Real> a;
    for (Index e : mesh.cells_in_region(r))
      for (int q = 0; q < nq; ++q) a.push_back(tone.size() ? tone[e * nq + q] : 0.0);
    ms.tone = tone.size() ? region_point_mean(solid, tone, r) : 0.0;
    ms.temperature_mean = region_point_mean(solid, Tq, r);
    if (record) {
      series.push_back({g, "tone", ms.tone, "1"});
      series.push_back({g, "tone_p10", percentile(a, 10), "1"});
      series.push_back({g, "tone_p90", percentile(a, 90), "1"});
    }
    if (spec_.elastography) {
      const RegionElasticity& re = el.regions[static_cast<size_t>(r)];
      ms.shear_modulus = re.modulus.mu_parallel;
      ms.shear_modulus_across = re.modulus.mu_perp;
      ms.shear_wave_speed = re.speed_parallel;
    }
    for (size_t i = 0; i < sites_.size(); ++i)
      if (site_region_[i] == r) {
        ms.myoton_frequency = held_[i].frequency;
        ms.myoton_stiffness = held_[i].stiffness;
        ms.myoton_decrement = held_[i].decrement;
      }
    if (at_start) report_[k].before = ms;
    if (at_after) report_[k].after_session = ms;
    if (at_end) report_[k].end = ms;
  }
  if (!record) return;
  if (spec_.elastography) {
    Observations o;
    append_elastography_series(el, o);
    series.insert(series.end(), o.series.begin(), o.series.end());
  }
  for (size_t i = 0; i < sites_.size(); ++i) {
    Observations o;
    append_myoton_series(sites_[i].name, held_[i], o);
    series.insert(series.end(), o.series.begin(), o.series.end());
  }
}

namespace {

constexpr size_t kReadingValues = 8, kStateValues = 9;

void put_reading(std::vector<Real>& out, const MyotonReading& r) {
  out.insert(out.end(), {r.frequency, r.stiffness, r.decrement, r.relaxation_time, r.creep,
                         r.deformation_time, r.a_max, r.delta_l});
}

void get_reading(const Real* v, MyotonReading& r) {
  r.frequency = v[0], r.stiffness = v[1], r.decrement = v[2], r.relaxation_time = v[3];
  r.creep = v[4], r.deformation_time = v[5], r.a_max = v[6], r.delta_l = v[7];
}

void put_state(std::vector<Real>& out, const MuscleState& m) {
  out.insert(out.end(), {m.time, m.tone, m.shear_modulus, m.shear_modulus_across, m.shear_wave_speed,
                         m.myoton_frequency, m.myoton_stiffness, m.myoton_decrement, m.temperature_mean});
}

void get_state(const Real* v, MuscleState& m) {
  m.time = v[0], m.tone = v[1], m.shear_modulus = v[2], m.shear_modulus_across = v[3],
  m.shear_wave_speed = v[4];
  m.myoton_frequency = v[5], m.myoton_stiffness = v[6], m.myoton_decrement = v[7], m.temperature_mean = v[8];
}

}  // namespace

void StandardOutputs::save(StateArchive& a) const {
  std::vector<Real> held, report;
  for (const auto& r : held_) put_reading(held, r);
  for (const auto& m : report_) {
    put_state(report, m.before);
    put_state(report, m.after_session);
    put_state(report, m.end);
    report.push_back(m.peak_temperature);
  }
  a.put("outputs.held", std::span<const Real>(held));
  a.put("outputs.report", std::span<const Real>(report));
  a.put("outputs.next_myoton", next_myoton_);
  if (safety_) safety_->save(a, "outputs.safety");
}

void StandardOutputs::load(const StateArchive& a) {
  const auto& held = a.get("outputs.held");
  const auto& report = a.get("outputs.report");
  if (held.size() != kReadingValues * held_.size() ||
      report.size() != (3 * kStateValues + 1) * report_.size())
    throw InputError("outputs", "the checkpoint's outputs do not fit this session's muscles and sites");
  for (size_t i = 0; i < held_.size(); ++i) get_reading(held.data() + kReadingValues * i, held_[i]);
  for (size_t k = 0; k < report_.size(); ++k) {
    const Real* v = report.data() + (3 * kStateValues + 1) * k;
    get_state(v, report_[k].before);
    get_state(v + kStateValues, report_[k].after_session);
    get_state(v + 2 * kStateValues, report_[k].end);
    report_[k].peak_temperature = v[3 * kStateValues];
  }
  next_myoton_ = a.scalar("outputs.next_myoton");
  if (safety_) safety_->load(a, "outputs.safety");
}

}  // namespace tissue
