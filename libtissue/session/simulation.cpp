#include "libtissue/session/simulation.hpp"

#include <chrono>
#include <cmath>
#include <sstream>

#include "libtissue/config.hpp"
#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/solver/mechanics_solver.hpp"

namespace tissue {

Simulation::Simulation(const Model& model, SessionSpec session, RunContext ctx)
    : model_(model), session_(std::move(session)), ctx_(std::move(ctx)) {
  if (ctx_.threads < 1) ctx_.threads = session_.run.threads > 0 ? session_.run.threads : hardware_threads();
  ctx_.validate();
  for (size_t i = 0; i < session_.techniques.size(); ++i) {
    const auto& t = session_.techniques[i];
    if (!model_.mesh.regions.find(t.target)) {
      std::string known;
      for (const auto& r : model_.mesh.regions.all()) known += (known.empty() ? "" : ", ") + r.name;
      throw InputError(t.where, "technique[" + std::to_string(i) + "].target",
                       "unknown muscle '" + t.target + "'; regions of this model: " + known);
    }
  }
  if (!model_.mesh.find_facet_set("skin"))
    throw InputError("model", "the mesh has no 'skin' facet set, so no tool can be applied");
}

namespace {
/// Nodes of each region (sorted, unique).
std::vector<std::vector<Index>> region_nodes(const Mesh& m) {
  std::vector<std::vector<Index>> out(static_cast<size_t>(m.regions.size()));
  for (Index e = 0; e < m.n_cells(); ++e)
    for (int a = 0; a < m.cell_size(); ++a) out[static_cast<size_t>(m.region[static_cast<size_t>(e)])].push_back(m.cells(e, a));
  for (auto& v : out) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  return out;
}
}  // namespace

RunSummary Simulation::run(ResultsSink& sink) {
  const auto wall0 = std::chrono::steady_clock::now();
  const Mesh& mesh = model_.mesh;
  DofMap dofs(mesh.n_nodes(), 3);
  dofs.constrain_nodes(model_.fixed_nodes());
  dofs.finalize();
  SolidOptions sopt;
  sopt.threads = ctx_.threads;
  const SolidProblem solid(mesh, model_.region_mechanics(), std::move(dofs), sopt);
  QuasiStaticOptions qopt;
  qopt.linear.kind = session_.run.linear_solver;
  QuasiStaticSolver solver(solid, qopt);
  FootprintLoad footprint(mesh, mesh.facet_set("skin"));
  SolidHistory history = solid.make_history();
  SolidInputs inputs;
  inputs.history = &history;

  sink.write_meta("tissue_version", TISSUE_VERSION);
  sink.write_meta("session_source", session_.source);
  sink.write_meta("session", session_.text);
  sink.write_mesh(mesh);

  RunSummary summary;
  summary.n_cells = mesh.n_cells();
  summary.n_nodes = mesh.n_nodes();
  summary.n_equations = solid.dofs().n_equations();
  for (const auto& r : mesh.regions.all()) summary.regions.push_back({r.name});
  const auto nodes_of = region_nodes(mesh);

  VectorX u = VectorX::Zero(3 * mesh.n_nodes());
  Real t_start = 0;
  const Real total_time = [&] {
    Real s = 0;
    for (const auto& t : session_.techniques) s += t.ramp + t.hold;
    return s;
  }();

  auto record = [&](Real time, const VectorX& disp, Real force, const std::vector<Real>& contact) {
    const CellStress cs = solid.cell_stress(disp, &inputs);
    std::vector<SeriesValue> row;
    for (int r = 0; r < mesh.regions.size(); ++r) {
      RegionPeaks& pk = summary.regions[static_cast<size_t>(r)];
      Real dmax = 0, pmax = -std::numeric_limits<Real>::infinity(), vm = 0, gs = 0;
      for (Index n : nodes_of[static_cast<size_t>(r)]) dmax = std::max(dmax, disp.segment<3>(3 * n).norm());
      for (Index e = 0; e < mesh.n_cells(); ++e) {
        if (mesh.region[static_cast<size_t>(e)] != r) continue;
        pmax = std::max(pmax, cs.pressure[e]);
        vm = std::max(vm, cs.von_mises[e]);
        gs = std::max(gs, cs.max_shear_strain[e]);
      }
      pk.peak_displacement = std::max(pk.peak_displacement, dmax);
      pk.peak_pressure = std::max(pk.peak_pressure, pmax);
      pk.peak_von_mises = std::max(pk.peak_von_mises, vm);
      pk.peak_shear_strain = std::max(pk.peak_shear_strain, gs);
      const std::string& g = mesh.regions[r].name;
      row.push_back({g, "displacement_max", dmax, "m"});
      row.push_back({g, "pressure_max", pmax, "Pa"});
      row.push_back({g, "von_mises_max", vm, "Pa"});
    }
    Real cmax = 0;
    for (Real p : contact) cmax = std::max(cmax, p);
    summary.peak_contact_pressure = std::max(summary.peak_contact_pressure, cmax);
    summary.applied_force = std::max(summary.applied_force, force);
    row.push_back({"session", "tool_force", force, "N"});
    row.push_back({"session", "contact_pressure_max", cmax, "Pa"});
    sink.append_series(time, row);
    sink.flush();
    return cs;
  };

  auto write_fields = [&](Real time, const VectorX& disp, const CellStress& cs) {
    const Eigen::Map<const Eigen::Matrix<Real, Eigen::Dynamic, 3, Eigen::RowMajor>> U(disp.data(), mesh.n_nodes(), 3);
    sink.write_field("displacement", time, FieldCenter::node, U, "m");
    sink.write_field("pressure", time, FieldCenter::cell, cs.pressure, "Pa");
    sink.write_field("von_mises", time, FieldCenter::cell, cs.von_mises, "Pa");
    sink.write_field("volume_ratio", time, FieldCenter::cell, cs.J, "1");
    sink.write_field("strain", time, FieldCenter::cell, cs.strain, "1");
    sink.write_field("stress", time, FieldCenter::cell, cs.cauchy, "Pa");
    sink.flush();
  };

  record(0.0, u, 0.0, {});
  for (size_t k = 0; k < session_.techniques.size(); ++k) {
    const auto& tech = session_.techniques[k];
    const int region = *mesh.regions.find(tech.target);
    ToolPose pose;
    pose.centre = skin_point_above_region(mesh, region) + tech.offset;
    const std::vector<Real> unit_pressure = footprint.pressure(tech.tool, pose, 1.0);
    VectorX unit_force = VectorX::Zero(3 * mesh.n_nodes());
    footprint.add_forces(unit_pressure, pose.push, unit_force);
    const VectorX zero = VectorX::Zero(3 * mesh.n_nodes());
    const LoadFunction load = [&](Real t) {
      const Real s = std::clamp((t - t_start) / tech.ramp, 0.0, 1.0);
      return MechanicalLoad{s * tech.force * unit_force, zero};
    };
    auto scaled = [&](Real force) {
      std::vector<Real> p(unit_pressure);
      for (auto& x : p) x *= force;
      return p;
    };
    ctx_.message(LogLevel::info, "technique " + std::to_string(k) + ": static compression, " +
                                     std::string(tech.tool.name) + " over " + tech.target);
    auto on_step = [&](Real t, const VectorX& disp) {
      const Real force = tech.force * std::clamp((t - t_start) / tech.ramp, 0.0, 1.0);
      record(t, disp, force, scaled(force));
      ctx_.report(t / total_time, "static compression");
    };
    auto rs = solver.solve(u, load, t_start, t_start + tech.ramp, tech.steps, on_step, nullptr, &inputs);
    summary.steps += rs.steps;
    summary.newton_iterations += rs.newton_iterations;
    summary.linear_solver = rs.linear_solver;
    const Real t_end = t_start + tech.ramp + tech.hold;
    if (tech.hold > 0) {  // creep under the held force (viscoelastic tissue)
      rs = solver.solve(u, load, t_start + tech.ramp, t_end, tech.hold_steps, on_step, nullptr, &inputs);
      summary.steps += rs.steps;
      summary.newton_iterations += rs.newton_iterations;
    }
    const CellStress cs = solid.cell_stress(u, &inputs);
    write_fields(t_end, u, cs);
    sink.append_events(std::vector<EventRecord>{
        {"static_compression", tech.target, mesh.regions[region].side, t_start, t_end}});
    t_start = t_end;
    ctx_.report(t_start / total_time, "static compression");
  }
  summary.simulated_time = t_start;
  sink.flush();
  summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return summary;
}

}  // namespace tissue
