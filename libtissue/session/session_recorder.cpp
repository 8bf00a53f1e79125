#include "libtissue/session/session_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libtissue/config.hpp"
#include "libtissue/core/error.hpp"
#include "libtissue/session/simulation.hpp"

namespace tissue {
namespace {

constexpr Real kTimeTol = 1e-9;  // [s]

/// Nodes of each region (sorted, unique).
std::vector<std::vector<Index>> nodes_by_region(const Mesh& m) {
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

}  // namespace

SessionRecorder::SessionRecorder(const SessionProblems& problems, const SessionSpec& session,
                                 const Protocol& protocol, ResultsSink& sink)
    : problems_(problems),
      session_(session),
      protocol_(protocol),
      sink_(sink),
      region_nodes_(nodes_by_region(problems.mesh())),
      u_rest_(VectorX::Zero(3 * problems.mesh().n_nodes())) {
  const RunSpec& rs = session_.run;
  next_series_ = rs.series_every;
  next_field_ = rs.fields_every > 0 ? rs.fields_every : std::numeric_limits<Real>::infinity();
}

void SessionRecorder::write_header() {
  const Mesh& mesh = problems_.mesh();
  sink_.write_meta("tissue_version", TISSUE_VERSION);
  sink_.write_meta("session_source", session_.source);
  sink_.write_meta("session", session_.text);
  sink_.write_mesh(mesh);
  std::vector<EventRecord> ev;
  for (const auto& e : protocol_.events()) {
    const auto id = mesh.regions.find(e.region);
    ev.push_back({e.name, e.region, id ? mesh.regions[*id].side : Side::none, e.t0, e.t1});
  }
  if (!ev.empty()) sink_.append_events(ev);
}

bool SessionRecorder::row_due(Real t, bool last) const {
  return last || session_.run.series_every <= 0 || t >= next_series_ - kTimeTol;
}

bool SessionRecorder::fields_due(Real t, bool last) const {
  return (last || t >= next_field_ - kTimeTol) && t > last_field_;
}

CellStress SessionRecorder::record(Real t, const CoupledState& s, const VectorX& perfusion,
                                   const StepSources& src, int block, bool row,
                                   const std::vector<SeriesValue>& observed, RunSummary& summary) {
  const Mesh& mesh = problems_.mesh();
  const VectorX& vol = problems_.cell_volume();
  SolidInputs view;
  view.temperature = &s.temperature;
  view.tone = s.tone.size() ? &s.tone : nullptr;
  view.history = &s.history;
  const CellStress cs = problems_.solid().cell_stress(s.mech.u, &view);
  std::vector<SeriesValue> values;
  for (int r = 0; r < mesh.regions.size(); ++r) {
    RegionPeaks& pk = summary.regions[static_cast<size_t>(r)];
    Real dmax = 0, pmax = -std::numeric_limits<Real>::infinity(), vm = 0, gs = 0, wsum = 0, v = 0, tsum = 0;
    Real tmax = -std::numeric_limits<Real>::infinity();
    const bool substep_displacement =
        src.node_peak_displacement.size() == mesh.n_nodes() && src.displacement_reference == &u_rest_;
    for (Index n : region_nodes_[static_cast<size_t>(r)]) {
      dmax = std::max(dmax, (s.mech.u.segment<3>(3 * n) - u_rest_.segment<3>(3 * n)).norm());
      if (substep_displacement) dmax = std::max(dmax, src.node_peak_displacement[n]);
      tmax = std::max(tmax, s.temperature[n]);
    }
    const bool substep_peaks = src.cell_peak_pressure.size() == cs.pressure.size();
    const bool substep_von_mises = src.cell_peak_von_mises.size() == cs.von_mises.size();
    for (Index e : mesh.cells_in_region(r)) {
      pmax = std::max(pmax, cs.pressure[e]);
      if (substep_peaks) pmax = std::max(pmax, src.cell_peak_pressure[e]);
      vm = std::max(vm, cs.von_mises[e]);
      if (substep_von_mises) vm = std::max(vm, src.cell_peak_von_mises[e]);
      gs = std::max(gs, cs.max_shear_strain[e]);
      wsum += perfusion[e] * vol[e];
      Real te = 0;
      for (int a = 0; a < mesh.cell_size(); ++a) te += s.temperature[mesh.cells(e, a)];
      tsum += vol[e] * te / mesh.cell_size();
      v += vol[e];
    }
    const Real tmean = v > 0 ? tsum / v : 0;
    pk.peak_displacement = std::max(pk.peak_displacement, dmax);
    pk.peak_pressure = std::max(pk.peak_pressure, pmax);
    pk.peak_von_mises = std::max(pk.peak_von_mises, vm);
    pk.peak_shear_strain = std::max(pk.peak_shear_strain, gs);
    pk.peak_temperature = std::max(pk.peak_temperature, tmax);
    pk.final_temperature_mean = tmean;
    if (!row) continue;
    const std::string& g = mesh.regions[r].name;
    values.push_back({g, "temperature_mean", tmean, "K"});
    values.push_back({g, "temperature_max", tmax, "K"});
    values.push_back({g, "perfusion_mean", v > 0 ? wsum / v : 0.0, "1/s"});
    values.push_back({g, "peak_pressure", pmax, "Pa"});
    values.push_back({g, "displacement_max", dmax, "m"});
    values.push_back({g, "von_mises_max", vm, "Pa"});
  }
  Real cmax = 0;
  for (Real p : src.peak_pressure) cmax = std::max(cmax, p);
  summary.peak_contact_pressure = std::max(summary.peak_contact_pressure, cmax);
  summary.applied_force = std::max(summary.applied_force, src.force_max);
  if (!row) return cs;
  values.push_back({"session", "technique", static_cast<double>(block), "1"});
  values.push_back({"session", "tool_force", src.force_last, "N"});
  values.push_back({"session", "tool_force_max", src.force_max, "N"});
  values.push_back({"session", "contact_pressure_max", cmax, "Pa"});
  values.push_back({"session", "friction_heat", summary.friction_heat, "J"});
  values.push_back({"session", "dissipated_heat", summary.dissipated_heat, "J"});
  values.push_back({"session", "work", summary.work, "J"});
  values.push_back({"session", "stored_energy", s.stored_energy, "J"});
  values.push_back({"session", "contact_heat", summary.contact_heat, "J"});
  values.insert(values.end(), observed.begin(), observed.end());
  sink_.append_series(t, values);
  sink_.flush();
  if (session_.run.series_every > 0)
    next_series_ = (std::floor(t / session_.run.series_every + 1e-9) + 1) * session_.run.series_every;
  return cs;
}

void SessionRecorder::write_fields(Real t, const CoupledState& s, const CellStress& cs,
                                   const VectorX& perfusion) {
  const Mesh& mesh = problems_.mesh();
  const Index nn = mesh.n_nodes(), nc = mesh.n_cells();
  const VectorX du = s.mech.u - u_rest_;
  const Eigen::Map<const Eigen::Matrix<Real, Eigen::Dynamic, 3, Eigen::RowMajor>> U(du.data(), nn, 3);
  sink_.write_field("displacement", t, FieldCenter::node, U, "m");
  sink_.write_field("temperature", t, FieldCenter::node, s.temperature, "K");
  sink_.write_field("pressure", t, FieldCenter::cell, cs.pressure, "Pa");
  sink_.write_field("von_mises", t, FieldCenter::cell, cs.von_mises, "Pa");
  sink_.write_field("perfusion", t, FieldCenter::cell, perfusion, "1/s");
  if (session_.outputs.tone_field) {
    sink_.write_field("strain", t, FieldCenter::cell, cs.strain, "1");
    if (s.tone.size()) {
      const int nq = problems_.solid().geometry().n_qp();
      VectorX cell_tone(nc);
      for (Index e = 0; e < nc; ++e) cell_tone[e] = s.tone.segment(e * nq, nq).mean();
      sink_.write_field("tone", t, FieldCenter::cell, cell_tone, "1");
    }
  }
  sink_.flush();
  last_field_ = t;
  const Real every = session_.run.fields_every;
  next_field_ =
      every > 0 ? (std::floor(t / every + 1e-9) + 1) * every : std::numeric_limits<Real>::infinity();
}

void SessionRecorder::save(StateArchive& a) const {
  a.put("recorder.schedule", {next_series_, next_field_, last_field_});
}

void SessionRecorder::load(const StateArchive& a) {
  const auto& v = a.get("recorder.schedule");
  if (v.size() != 3) throw InputError("recorder.schedule", "malformed in the checkpoint");
  next_series_ = v[0], next_field_ = v[1], last_field_ = v[2];
}

}  // namespace tissue
