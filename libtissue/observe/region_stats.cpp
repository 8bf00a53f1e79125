#include "libtissue/observe/region_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace tissue {

Real percentile(std::vector<Real> v, Real pct) {
  if (v.empty()) return std::numeric_limits<Real>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const Real pos = std::clamp(pct, 0.0, 100.0) / 100.0 * static_cast<Real>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<Real>(lo)) * (v[hi] - v[lo]);
}

std::vector<RegionSummary> RegionStats::compute(const StepView& view) const {
  view.validate();
  const SolidProblem& s = *view.solid;
  const Mesh& m = s.mesh();
  const GeometryCache& g = s.geometry();
  const int nq = g.n_qp();
  const bool hasT = view.temperature && view.temperature->size() > 0;
  const bool hasTone = view.tone && view.tone->size() > 0;
  const bool hasPerf = view.perfusion && view.perfusion->size() > 0;
  const VectorX Tq = point_temperature(s, view.temperature, kCelsius + 37.0);
  VectorX pressure = VectorX::Zero(m.n_cells());
  if (view.displacement) {
    const SolidInputs in = view.inputs();
    pressure = s.cell_stress(*view.displacement, &in).pressure;
  }
  std::vector<RegionSummary> out;
  for (int r = 0; r < m.regions.size(); ++r) {
    RegionSummary rs;
    rs.region = m.regions[r].name;
    const auto cells = m.cells_in_region(r);
    std::vector<Real> tones;
    std::set<Index> nodes;
    Real vol = 0, tone_sum = 0, T_sum = 0, perf_sum = 0;
    rs.peak_pressure = cells.empty() ? 0.0 : -std::numeric_limits<Real>::infinity();
    for (Index e : cells) {
      for (int a = 0; a < m.cell_size(); ++a) nodes.insert(m.cells(e, a));
      rs.peak_pressure = std::max(rs.peak_pressure, pressure[e]);
      for (int q = 0; q < nq; ++q) {
        const Real dV = g.dV(e, q);
        const Real a = hasTone ? (*view.tone)[e * nq + q] : 0.0;
        tones.push_back(a);
        tone_sum += a * dV;
        T_sum += Tq[e * nq + q] * dV;
        vol += dV;
      }
      if (hasPerf && view.perfusion->size() == m.n_cells())
        perf_sum += (*view.perfusion)[e] * g.cell_volume(e);
    }
    if (vol > 0) {
      rs.tone_mean = tone_sum / vol;
      rs.temperature_mean = T_sum / vol;
    }
    rs.tone_p10 = percentile(tones, 10);
    rs.tone_p90 = percentile(tones, 90);
    rs.temperature_max = hasT ? -std::numeric_limits<Real>::infinity() : rs.temperature_mean;
    Real perf_nodes = 0;
    for (Index n : nodes) {
      if (hasT) rs.temperature_max = std::max(rs.temperature_max, (*view.temperature)[n]);
      if (hasPerf && view.perfusion->size() == m.n_nodes()) perf_nodes += (*view.perfusion)[n];
    }
    if (!hasPerf)
      rs.perfusion_mean = std::numeric_limits<Real>::quiet_NaN();
    else if (view.perfusion->size() == m.n_nodes())
      rs.perfusion_mean = nodes.empty() ? 0.0 : perf_nodes / static_cast<Real>(nodes.size());
    else
      rs.perfusion_mean = vol > 0 ? perf_sum / vol : 0.0;
    out.push_back(rs);
  }
  return out;
}

void RegionStats::on_step(const StepView& view, Observations& out) {
  for (const auto& r : compute(view)) {
    if (std::isnan(r.tone_p10)) continue;  // empty region
    out.series.push_back({r.region, "tone", r.tone_mean, "1"});
    out.series.push_back({r.region, "tone_p10", r.tone_p10, "1"});
    out.series.push_back({r.region, "tone_p90", r.tone_p90, "1"});
    out.series.push_back({r.region, "temperature_mean", r.temperature_mean, "K"});
    out.series.push_back({r.region, "temperature_max", r.temperature_max, "K"});
    if (!std::isnan(r.perfusion_mean))
      out.series.push_back({r.region, "perfusion_mean", r.perfusion_mean, "1/s"});
    out.series.push_back({r.region, "peak_pressure", r.peak_pressure, "Pa"});
  }
}

}  // namespace tissue
