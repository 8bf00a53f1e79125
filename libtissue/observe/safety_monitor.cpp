#include "libtissue/observe/safety_monitor.hpp"

#include <cmath>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {

Real cem43_increment(Real T, Real dt) {
  const Real Tc = T - kCelsius;
  const Real R = Tc >= 43.0 ? 0.5 : 0.25;
  return dt / 60.0 * std::pow(R, 43.0 - Tc);
}

void SafetyOptions::validate() const {
  auto pos = [](Real v, const char* f) {
    require(std::isfinite(v) && v > 0, std::string("safety.") + f, "must be > 0");
  };
  pos(bone_distance, "bone_distance");
  pos(bone_pressure, "bone_pressure");
  pos(temperature_limit, "temperature_limit");
  pos(cem43_limit, "cem43_limit");
  pos(strain_limit, "strain_limit");
}

SafetyMonitor::SafetyMonitor(SafetyOptions options) : options_(std::move(options)) {
  options_.validate();
}

void SafetyMonitor::raise(const std::string& kind, const std::string& region, bool over, Real t, Real value,
                          Real threshold, const std::string& units, Observations& out) {
  bool& active = active_[kind + "/" + region];
  if (over && !active) out.flags.push_back(SafetyFlag{kind, region, t, value, threshold, units});
  active = over;
}

void SafetyMonitor::on_step(const StepView& view, Observations& out) {
  view.validate();
  const SolidProblem& s = *view.solid;
  const Mesh& m = s.mesh();
  const Real t = view.time;
  const int nreg = m.regions.size();
  // ---- temperature and CEM43 (nodal)
  if (view.temperature && view.temperature->size() > 0) {
    const VectorX& T = *view.temperature;
    VectorX rate(T.size());
    for (Index n = 0; n < T.size(); ++n) rate[n] = cem43_increment(T[n], 60.0);  // [min/min]
    if (!started_ || dose_.size() != T.size()) {
      dose_ = VectorX::Zero(T.size());
    } else {
      const Real dt_min = (t - last_time_) / 60.0;
      require(dt_min >= 0, "step_view.time", "time must not decrease");
      dose_ += 0.5 * dt_min * (rate + last_rate_);
    }
    last_rate_ = rate;
    last_time_ = t;
    started_ = true;
    std::vector<Real> Tmax(static_cast<size_t>(nreg), -std::numeric_limits<Real>::infinity());
    std::vector<Real> Dmax(static_cast<size_t>(nreg), 0.0);
    for (Index e = 0; e < m.n_cells(); ++e) {
      const size_t r = static_cast<size_t>(m.region[static_cast<size_t>(e)]);
      for (int a = 0; a < m.cell_size(); ++a) {
        const Index n = m.cells(e, a);
        Tmax[r] = std::max(Tmax[r], T[n]);
        Dmax[r] = std::max(Dmax[r], dose_[n]);
      }
    }
    for (int r = 0; r < nreg; ++r) {
      if (!std::isfinite(Tmax[static_cast<size_t>(r)])) continue;
      const std::string& name = m.regions[r].name;
      raise("temperature_above_limit", name, Tmax[static_cast<size_t>(r)] > options_.temperature_limit, t,
            Tmax[static_cast<size_t>(r)], options_.temperature_limit, "K", out);
      raise("thermal_dose", name, Dmax[static_cast<size_t>(r)] > options_.cem43_limit, t,
            Dmax[static_cast<size_t>(r)], options_.cem43_limit, "min", out);
      out.series.push_back({name, "cem43_max", Dmax[static_cast<size_t>(r)], "min"});
    }
  }
  // ---- pressure over bone (skin quadrature points)
  if (view.skin && !view.skin_pressure.empty()) {
    const FacetQuadrature& sq = *view.skin;
    if (static_cast<Index>(bone_depth_.size()) != sq.size()) {
      std::vector<Index> bone;
      for (const auto& ns : m.node_sets) {
        bool use = false;
        if (options_.bone_sets.empty())
          use = ns.name.rfind("bone_", 0) == 0;
        else
          for (const auto& b : options_.bone_sets) use = use || b == ns.name;
        if (use) bone.insert(bone.end(), ns.nodes.begin(), ns.nodes.end());
      }
      for (const auto& b : options_.bone_sets) (void)m.node_set(b);  // throws naming unknown sets
      bone_depth_.assign(static_cast<size_t>(sq.size()), std::numeric_limits<Real>::infinity());
      for (Index p = 0; p < sq.size(); ++p)
        for (Index n : bone)
          bone_depth_[static_cast<size_t>(p)] = std::min(
              bone_depth_[static_cast<size_t>(p)], (m.nodes.row(n).transpose() - sq.position(p)).norm());
    }
    // Region of a skin point: the owning cell of its facet in the "skin" set (else the first set of that
    // size).
    const FacetSet* skin_set = m.find_facet_set("skin");
    if (!skin_set || skin_set->size() != sq.n_facets()) {
      skin_set = nullptr;
      for (const auto& fs : m.facet_sets)
        if (!skin_set && fs.size() == sq.n_facets()) skin_set = &fs;
    }
    std::vector<Real> pmax(static_cast<size_t>(nreg), 0.0);
    last_bone_pressure_ = 0;
    for (Index p = 0; p < sq.size(); ++p) {
      if (bone_depth_[static_cast<size_t>(p)] >= options_.bone_distance) continue;
      const Real pr = view.skin_pressure[static_cast<size_t>(p)];
      const size_t r =
          skin_set ? static_cast<size_t>(
                         m.region[static_cast<size_t>(skin_set->cell[static_cast<size_t>(sq.facet_of(p))])])
                   : 0;
      pmax[r] = std::max(pmax[r], pr);
      last_bone_pressure_ = std::max(last_bone_pressure_, pr);
    }
    for (int r = 0; r < nreg; ++r)
      raise("pressure_on_bone", m.regions[r].name, pmax[static_cast<size_t>(r)] > options_.bone_pressure, t,
            pmax[static_cast<size_t>(r)], options_.bone_pressure, "Pa", out);
    out.series.push_back({"session", "bone_pressure_max", last_bone_pressure_, "Pa"});
  }
  // ---- excessive strain (cells)
  if (view.displacement) {
    const SolidInputs in = view.inputs();
    const CellStress cs = s.cell_stress(*view.displacement, &in);
    std::vector<Real> smax(static_cast<size_t>(nreg), 0.0);
    for (Index e = 0; e < m.n_cells(); ++e) {
      const size_t r = static_cast<size_t>(m.region[static_cast<size_t>(e)]);
      smax[r] = std::max(smax[r], cs.max_shear_strain[e]);
    }
    for (int r = 0; r < nreg; ++r)
      raise("excessive_strain", m.regions[r].name, smax[static_cast<size_t>(r)] > options_.strain_limit, t,
            smax[static_cast<size_t>(r)], options_.strain_limit, "1", out);
  }
}

void SafetyMonitor::save(StateArchive& a, std::string_view prefix) const {
  const std::string p(prefix);
  a.put(p + ".dose", dose_);
  a.put(p + ".last_rate", last_rate_);
  a.put(p + ".clock", {last_time_, started_ ? 1.0 : 0.0, last_bone_pressure_});
  std::vector<std::string> raised;
  for (const auto& [k, on] : active_)
    if (on) raised.push_back(k);
  a.put_strings(p + ".raised", std::move(raised));
}

void SafetyMonitor::load(const StateArchive& a, std::string_view prefix) {
  const std::string p(prefix);
  dose_ = a.vector(p + ".dose");
  last_rate_ = a.vector(p + ".last_rate");
  const auto& c = a.get(p + ".clock");
  if (c.size() != 3) throw InputError(p + ".clock", "the checkpoint's safety state is malformed");
  last_time_ = c[0];
  started_ = c[1] != 0;
  last_bone_pressure_ = c[2];
  active_.clear();
  for (const auto& k : a.strings(p + ".raised")) active_[k] = true;
}

}  // namespace tissue
