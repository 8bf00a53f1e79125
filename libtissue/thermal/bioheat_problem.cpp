#include "libtissue/thermal/bioheat_problem.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"

namespace tissue {
namespace {

std::string fmt(Real v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

/// A dof map with no constraints, numbered.
DofMap finalized(DofMap d) {
  d.finalize();
  return d;
}

/// Local index (0..nen-1) in cell e of each corner of a facet (-1 for the unused 4th triangle slot).
std::array<int, 4> facet_local(const Mesh& mesh, const FacetSet& set, Index f) {
  std::array<int, 4> loc{-1, -1, -1, -1};
  const Index e = set.cell[static_cast<size_t>(f)];
  for (int c = 0; c < 4; ++c) {
    const Index node = set.nodes[static_cast<size_t>(f)][static_cast<size_t>(c)];
    if (node < 0) continue;
    for (int a = 0; a < mesh.cell_size(); ++a)
      if (mesh.cells(e, a) == node) loc[static_cast<size_t>(c)] = a;
    if (loc[static_cast<size_t>(c)] < 0)
      throw InputError("facet_set." + set.name,
                       "facet " + std::to_string(f) + " has node " + std::to_string(node) +
                           " that is not a node of its owning cell " + std::to_string(e));
  }
  return loc;
}

/// Adds the surface mass-type matrix sum_p h_p N_a N_b dA_p of a facet set into `values` (full
/// pattern), h_p * N_a dA_p into `rowsum` and h_p T_p N_a dA_p into `load`. h, T per point.
template <class HFn, class TFn>
void add_surface_robin(const Mesh& mesh, const AssemblyMap& map, const FacetSet& set,
                       const FacetQuadrature& fq, const std::vector<std::array<int, 4>>& local, const HFn& h,
                       const TFn& Tamb, bool lumped, Real* values, VectorX& rowsum, VectorX& load) {
  const int nen = mesh.cell_size();
  const int nc = fq.points_per_facet() == 4 ? 4 : 3;
  for (Index p = 0; p < fq.size(); ++p) {
    const Real hp = h(p);
    if (hp == 0) continue;
    const Index f = fq.facet_of(p);
    const Index e = set.cell[static_cast<size_t>(f)];
    const int* slot = map.slots(e);
    const auto& loc = local[static_cast<size_t>(f)];
    const auto& nodes = fq.facet_nodes(f);
    const Real w = hp * fq.area(p);
    for (int a = 0; a < nc; ++a) {
      const Real wa = w * fq.shape(p, a);
      rowsum[nodes[static_cast<size_t>(a)]] += wa;
      load[nodes[static_cast<size_t>(a)]] += wa * Tamb(p);
      const int la = loc[static_cast<size_t>(a)];
      if (lumped) {
        values[slot[la * nen + la]] += wa;
        continue;
      }
      for (int b = 0; b < nc; ++b)
        values[slot[la * nen + loc[static_cast<size_t>(b)]]] += wa * fq.shape(p, b);
    }
  }
}

}  // namespace

Real scheme_theta(ThermalScheme scheme) {
  return scheme == ThermalScheme::crank_nicolson ? 0.5 : 1.0;
}

void ThermalOptions::validate() const {
  if (threads < 1) throw InputError("thermal.threads", "must be at least 1, got " + std::to_string(threads));
  if (!(perfusion_update_tolerance >= 0))
    throw InputError("thermal.perfusion_update_tolerance",
                     "must be non-negative, got " + fmt(perfusion_update_tolerance));
  linear_solver.validate();
}

BioheatProblem::BioheatProblem(const Mesh& mesh, std::vector<ThermalProperties> properties,
                               BloodProperties blood, ThermalBoundary boundary, ThermalOptions options)
    : mesh_(mesh),
      props_(std::move(properties)),
      blood_(blood),
      boundary_(std::move(boundary)),
      options_(std::move(options)),
      geo_(mesh),
      full_dofs_(finalized(DofMap(mesh.n_nodes(), 1))),
      dofs_(mesh.n_nodes(), 1),
      full_map_(mesh, full_dofs_) {
  options_.validate();
  blood_.validate();
  if (static_cast<int>(props_.size()) != mesh.regions.size())
    throw InputError("thermal.properties", "expected one entry per region (" +
                                               std::to_string(mesh.regions.size()) + "), got " +
                                               std::to_string(props_.size()));
  for (int r = 0; r < mesh.regions.size(); ++r) props_[static_cast<size_t>(r)].validate(mesh.regions[r].name);

  // Dirichlet nodes.
  fixed_value_ = VectorX::Zero(mesh.n_nodes());
  std::vector<char> is_fixed(static_cast<size_t>(mesh.n_nodes()), 0);
  for (const auto& fx : boundary_.fixed) {
    const NodeSet& ns = mesh.node_set(fx.node_set);
    if (!(fx.temperature > 0) || !std::isfinite(fx.temperature))
      throw InputError("fixed." + fx.node_set + ".temperature",
                       "must be a positive absolute temperature, got " + fmt(fx.temperature) + " K");
    for (Index n : ns.nodes) {
      is_fixed[static_cast<size_t>(n)] = 1;
      fixed_value_[n] = fx.temperature;
    }
  }
  for (Index n = 0; n < mesh.n_nodes(); ++n)
    if (is_fixed[static_cast<size_t>(n)]) {
      fixed_nodes_.push_back(n);
      dofs_.constrain(n, 0);
    }
  dofs_.finalize();

  colors_.resize(static_cast<size_t>(mesh.regions.size()));
  for (int r = 0; r < mesh.regions.size(); ++r)
    colors_[static_cast<size_t>(r)] = color_cells(mesh, mesh.cells_in_region(r));

  // Matrices on the full pattern, and the reduced pattern with its slot map.
  M_ = full_map_.make_matrix();
  K_ = M_;
  P_ = M_;
  C_ = M_;
  L_ = M_;
  A_ = M_;
  {
    const AssemblyMap red(mesh, dofs_);
    A_red_ = red.make_matrix();
    L_red_ = A_red_;
    red_to_full_.assign(static_cast<size_t>(A_red_.nonZeros()), -1);
    const int nd = mesh.cell_size();
    for (Index e = 0; e < mesh.n_cells(); ++e) {
      const int* rs = red.slots(e);
      const int* fs = full_map_.slots(e);
      for (int k = 0; k < nd * nd; ++k)
        if (rs[k] >= 0) red_to_full_[static_cast<size_t>(rs[k])] = fs[k];
    }
  }
  assemble_constant();

  // Convection facet sets (constant: folded into K_).
  conv_rowsum_ = VectorX::Zero(mesh.n_nodes());
  conv_load_ = VectorX::Zero(mesh.n_nodes());
  for (const auto& cv : boundary_.convection) {
    const std::string field = "convection." + cv.facet_set;
    if (!(cv.h >= 0) || !std::isfinite(cv.h))
      throw InputError(field + ".h", "must be non-negative, got " + fmt(cv.h) + " W/m^2/K");
    if (!(cv.ambient_temperature > 0) || !std::isfinite(cv.ambient_temperature))
      throw InputError(field + ".ambient_temperature",
                       "must be a positive absolute temperature, got " + fmt(cv.ambient_temperature) + " K");
    const FacetSet& set = mesh.facet_set(cv.facet_set);
    const FacetQuadrature fq(mesh, set);
    std::vector<std::array<int, 4>> local;
    for (Index f = 0; f < set.size(); ++f) local.push_back(facet_local(mesh, set, f));
    add_surface_robin(
        mesh, full_map_, set, fq, local, [&](Index) { return cv.h; },
        [&](Index) { return cv.ambient_temperature; }, options_.lumped, K_.valuePtr(), conv_rowsum_,
        conv_load_);
  }

  // Load surface (friction heat flux, contact patch).
  if (const FacetSet* set = mesh.find_facet_set(boundary_.load_surface)) {
    surface_ = std::make_unique<FacetQuadrature>(mesh, *set);
    for (Index f = 0; f < set->size(); ++f) surface_local_.push_back(facet_local(mesh, *set, f));
    contact_h_.assign(static_cast<size_t>(surface_->size()), 0.0);
  }
  contact_rowsum_ = VectorX::Zero(mesh.n_nodes());
  contact_load_ = VectorX::Zero(mesh.n_nodes());
  perf_rowsum_ = VectorX::Zero(mesh.n_nodes());
  reset_perfusion();
  sum_dirty_ = true;

  solver_ = make_linear_solver(options_.linear_solver, dofs_.n_equations());
  f_ = VectorX::Zero(mesh.n_nodes());
  b_ = f_;
  r_ = f_;
  x_ = f_;
  Ttheta_ = f_;
  red_ = VectorX::Zero(dofs_.n_equations());
  sol_ = red_;
}

BioheatProblem::~BioheatProblem() = default;

void BioheatProblem::set_threads(int threads) {
  options_.threads = threads;
  options_.validate();
}

namespace {
/// Per-cell assembly of capacity, conduction, metabolic load and integral of N_a (NEN nodes).
template <int NEN>
void assemble_constant_cells(const Mesh& mesh, const GeometryCache& geo, const AssemblyMap& map,
                             const std::vector<ThermalProperties>& props,
                             const std::vector<std::vector<std::vector<Index>>>& colors, int threads,
                             bool lumped, Real* Mv, Real* Kv, VectorX& capacity, VectorX& met,
                             std::vector<Real>& shape_int) {
  const int nq = geo.n_qp();
  for (int r = 0; r < mesh.regions.size(); ++r) {
    const ThermalProperties& p = props[static_cast<size_t>(r)];
    const Real rc = p.density * p.heat_capacity;
    parallel_for_colored(colors[static_cast<size_t>(r)], threads, [&](Index e, int) {
      Eigen::Matrix<Real, NEN, NEN> Me = Eigen::Matrix<Real, NEN, NEN>::Zero();
      Eigen::Matrix<Real, NEN, NEN> Ke = Eigen::Matrix<Real, NEN, NEN>::Zero();
      Eigen::Matrix<Real, NEN, 1> Ni = Eigen::Matrix<Real, NEN, 1>::Zero();
      for (int q = 0; q < nq; ++q) {
        const Real dV = geo.dV(e, q);
        const Eigen::Map<const Eigen::Matrix<Real, 3, NEN>> G(geo.grad(e, q));
        Eigen::Matrix<Real, NEN, 1> N;
        for (int a = 0; a < NEN; ++a) N[a] = geo.shape(q, a);
        Me.noalias() += (rc * dV) * (N * N.transpose());
        Ke.noalias() += (p.conductivity * dV) * (G.transpose() * G);
        Ni += dV * N;
      }
      if (lumped) Me = (rc * Ni).asDiagonal();
      const int* slot = map.slots(e);
      for (int a = 0; a < NEN; ++a) {
        const Index na = mesh.cells(e, a);
        capacity[na] += rc * Ni[a];
        met[na] += p.metabolic_heat * Ni[a];
        shape_int[static_cast<size_t>(e) * NEN + static_cast<size_t>(a)] = Ni[a];
        for (int b = 0; b < NEN; ++b) {
          Mv[slot[a * NEN + b]] += Me(a, b);
          Kv[slot[a * NEN + b]] += Ke(a, b);
        }
      }
    });
  }
}

/// Per-cell assembly of the perfusion matrix rho_b c_b sum_q w_q N_a N_b dV and its row sums.
template <int NEN>
void assemble_perfusion_cells(const Mesh& mesh, const GeometryCache& geo, const AssemblyMap& map,
                              const std::vector<std::vector<std::vector<Index>>>& colors, int threads,
                              bool lumped, Real rbcb, const std::vector<Real>& w, Real* Pv, VectorX& rowsum) {
  const int nq = geo.n_qp();
  for (const auto& region_colors : colors)
    parallel_for_colored(region_colors, threads, [&](Index e, int) {
      Eigen::Matrix<Real, NEN, NEN> Pe = Eigen::Matrix<Real, NEN, NEN>::Zero();
      for (int q = 0; q < nq; ++q) {
        const Real c = rbcb * w[static_cast<size_t>(e) * static_cast<size_t>(nq) + static_cast<size_t>(q)] *
                       geo.dV(e, q);
        if (c == 0) continue;
        Eigen::Matrix<Real, NEN, 1> N;
        for (int a = 0; a < NEN; ++a) N[a] = geo.shape(q, a);
        Pe.noalias() += c * (N * N.transpose());
      }
      if (lumped) {
        const Eigen::Matrix<Real, NEN, 1> d = Pe.rowwise().sum();
        Pe = d.asDiagonal();
      }
      const int* slot = map.slots(e);
      for (int a = 0; a < NEN; ++a) {
        rowsum[mesh.cells(e, a)] += Pe.row(a).sum();
        for (int b = 0; b < NEN; ++b) Pv[slot[a * NEN + b]] += Pe(a, b);
      }
    });
}
}  // namespace

void BioheatProblem::assemble_constant() {
  capacity_ = VectorX::Zero(mesh_.n_nodes());
  met_load_ = VectorX::Zero(mesh_.n_nodes());
  cell_shape_integral_.assign(static_cast<size_t>(mesh_.n_cells()) * static_cast<size_t>(mesh_.cell_size()),
                              0.0);
  if (mesh_.cell_type == CellType::hex8)
    assemble_constant_cells<8>(mesh_, geo_, full_map_, props_, colors_, options_.threads, options_.lumped,
                               M_.valuePtr(), K_.valuePtr(), capacity_, met_load_, cell_shape_integral_);
  else
    assemble_constant_cells<4>(mesh_, geo_, full_map_, props_, colors_, options_.threads, options_.lumped,
                               M_.valuePtr(), K_.valuePtr(), capacity_, met_load_, cell_shape_integral_);
}

void BioheatProblem::assemble_perfusion() {
  std::fill(P_.valuePtr(), P_.valuePtr() + P_.nonZeros(), 0.0);
  perf_rowsum_.setZero();
  const Real rbcb = blood_.density * blood_.heat_capacity;
  if (mesh_.cell_type == CellType::hex8)
    assemble_perfusion_cells<8>(mesh_, geo_, full_map_, colors_, options_.threads, options_.lumped, rbcb,
                                perf_qp_, P_.valuePtr(), perf_rowsum_);
  else
    assemble_perfusion_cells<4>(mesh_, geo_, full_map_, colors_, options_.threads, options_.lumped, rbcb,
                                perf_qp_, P_.valuePtr(), perf_rowsum_);
  perf_dirty_ = false;
}

VectorX BioheatProblem::initial_temperature(Real T0) const {
  VectorX T = VectorX::Constant(mesh_.n_nodes(), T0);
  apply_fixed_temperatures(T);
  return T;
}

void BioheatProblem::apply_fixed_temperatures(VectorX& T) const {
  for (Index n : fixed_nodes_) T[n] = fixed_value_[n];
}

void BioheatProblem::set_fixed_temperature(std::string_view node_set, Real temperature) {
  bool found = false;
  for (auto& fx : boundary_.fixed)
    if (fx.node_set == node_set) found = true;
  if (!found)
    throw InputError(
        "fixed", "node set '" + std::string(node_set) + "' is not a fixed-temperature set of this problem");
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw InputError("fixed." + std::string(node_set) + ".temperature",
                     "must be a positive absolute temperature, got " + fmt(temperature) + " K");
  for (auto& fx : boundary_.fixed)
    if (fx.node_set == node_set) fx.temperature = temperature;
  // Re-apply all sets in order so that overlapping sets keep "last one wins".
  for (const auto& fx : boundary_.fixed)
    for (Index n : mesh_.node_set(fx.node_set).nodes) fixed_value_[n] = fx.temperature;
}

void BioheatProblem::reset_perfusion() {
  const int nq = geo_.n_qp();
  std::vector<Real> w(static_cast<size_t>(mesh_.n_cells()) * static_cast<size_t>(nq));
  for (Index e = 0; e < mesh_.n_cells(); ++e)
    for (int q = 0; q < nq; ++q)
      w[static_cast<size_t>(e) * static_cast<size_t>(nq) + static_cast<size_t>(q)] =
          props_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].perfusion;
  perf_qp_ = std::move(w);
  perf_dirty_ = true;
}

void BioheatProblem::set_cell_perfusion(std::span<const Real> w) {
  if (static_cast<Index>(w.size()) != mesh_.n_cells())
    throw InputError("perfusion", "expected one value per cell (" + std::to_string(mesh_.n_cells()) +
                                      "), got " + std::to_string(w.size()));
  const int nq = geo_.n_qp();
  std::vector<Real> qp(perf_qp_.size());
  for (size_t e = 0; e < w.size(); ++e)
    for (int q = 0; q < nq; ++q) qp[e * static_cast<size_t>(nq) + static_cast<size_t>(q)] = w[e];
  set_perfusion_qp(qp);
}

void BioheatProblem::check_perfusion_size(std::string_view field, size_t n) const {
  if (n != perf_qp_.size())
    throw InputError(std::string(field), "expected #cells x n_qp = " + std::to_string(perf_qp_.size()) +
                                             " values, got " + std::to_string(n));
}

void BioheatProblem::set_perfusion_qp(std::span<const Real> w) {
  check_perfusion_size("perfusion", w.size());
  Real wmax = 0, dmax = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!(w[i] >= 0) || !std::isfinite(w[i]))
      throw InputError("perfusion", "must be non-negative, got " + fmt(w[i]) + " 1/s at quadrature point " +
                                        std::to_string(i));
    wmax = std::max(wmax, std::abs(perf_qp_[i]));
    dmax = std::max(dmax, std::abs(w[i] - perf_qp_[i]));
  }
  if (dmax == 0 ||
      (options_.perfusion_update_tolerance > 0 && dmax <= options_.perfusion_update_tolerance * wmax))
    return;
  std::copy(w.begin(), w.end(), perf_qp_.begin());
  perf_dirty_ = true;
}

void BioheatProblem::save(StateArchive& a) const {
  a.put("heat.perfusion", std::span<const Real>(perf_qp_));
}

void BioheatProblem::load(const StateArchive& a) {
  const std::vector<double>& w = a.get("heat.perfusion");
  check_perfusion_size("heat.perfusion", w.size());
  std::copy(w.begin(), w.end(), perf_qp_.begin());
  perf_dirty_ = true;
}

void BioheatProblem::set_perfusion(const PerfusionLaw& law, const VectorX& T, const VectorX& s) {
  law.validate();
  if (T.size() != mesh_.n_nodes() || s.size() != mesh_.n_nodes())
    throw InputError("perfusion", "temperature and stimulus need one value per node (" +
                                      std::to_string(mesh_.n_nodes()) + ")");
  const int nq = geo_.n_qp(), nen = mesh_.cell_size();
  std::vector<Real>& w = perf_scratch_;
  w.resize(perf_qp_.size());
  parallel_for(mesh_.n_cells(), options_.threads, [&](Index e, int) {
    const ThermalProperties& pr = props_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])];
    const Real w0 = pr.perfusion, gain = pr.perfusion_gain.value_or(law.stimulus_gain);
    for (int q = 0; q < nq; ++q) {
      Real Tq = 0, sq = 0;
      for (int a = 0; a < nen; ++a) {
        Tq += geo_.shape(q, a) * T[mesh_.cells(e, a)];
        sq += geo_.shape(q, a) * s[mesh_.cells(e, a)];
      }
      w[static_cast<size_t>(e) * static_cast<size_t>(nq) + static_cast<size_t>(q)] =
          w0 * law.factor(Tq, sq, gain);
    }
  });
  set_perfusion_qp(w);
}

VectorX BioheatProblem::cell_perfusion() const {
  const int nq = geo_.n_qp();
  VectorX out(mesh_.n_cells());
  for (Index e = 0; e < mesh_.n_cells(); ++e) {
    Real wv = 0, v = 0;
    for (int q = 0; q < nq; ++q) {
      wv +=
          perf_qp_[static_cast<size_t>(e) * static_cast<size_t>(nq) + static_cast<size_t>(q)] * geo_.dV(e, q);
      v += geo_.dV(e, q);
    }
    out[e] = wv / v;
  }
  return out;
}

void BioheatProblem::check_loads(const ThermalLoads& l) const {
  const size_t np = surface_ ? static_cast<size_t>(surface_->size()) : 0;
  const auto check_surface = [&](std::span<const Real> v, const char* name) {
    if (v.empty()) return;
    if (!surface_)
      throw InputError(std::string("loads.") + name,
                       "no load surface: the mesh has no facet set '" + boundary_.load_surface + "'");
    if (v.size() != np)
      throw InputError(std::string("loads.") + name, "expected one value per point of '" +
                                                         boundary_.load_surface + "' (" + std::to_string(np) +
                                                         "), got " + std::to_string(v.size()));
    for (size_t p = 0; p < v.size(); ++p)
      if (!std::isfinite(v[p]))
        throw InputError(std::string("loads.") + name,
                         "must be finite, got " + fmt(v[p]) + " at point " + std::to_string(p));
  };
  check_surface(l.surface_flux, "surface_flux");
  check_surface(l.contact_h, "contact_h");
  check_surface(l.contact_temperature, "contact_temperature");
  if (l.contact_h.empty() != l.contact_temperature.empty())
    throw InputError("loads.contact_temperature", "contact_h and contact_temperature must be given together");
  for (size_t p = 0; p < l.contact_h.size(); ++p)
    if (!(l.contact_h[p] >= 0))
      throw InputError("loads.contact_h", "must be non-negative, got " + fmt(l.contact_h[p]) +
                                              " W/m^2/K at point " + std::to_string(p));
  if (!l.cell_source.empty() && static_cast<Index>(l.cell_source.size()) != mesh_.n_cells())
    throw InputError("loads.cell_source", "expected one value per cell (" + std::to_string(mesh_.n_cells()) +
                                              "), got " + std::to_string(l.cell_source.size()));
  for (size_t e = 0; e < l.cell_source.size(); ++e)
    if (!std::isfinite(l.cell_source[e]))
      throw InputError("loads.cell_source", "must be finite, got " + fmt(l.cell_source[e]) +
                                                " W/m^3 in cell " + std::to_string(e));
}

void BioheatProblem::update_contact(std::span<const Real> h, std::span<const Real> T_tool) {
  if (!surface_) return;
  bool changed = false;
  for (size_t p = 0; p < contact_h_.size(); ++p) {
    const Real hp = h.empty() ? 0.0 : h[p];
    if (hp != contact_h_[p]) {
      contact_h_[p] = hp;
      changed = true;
    }
  }
  const FacetSet& set = mesh_.facet_set(boundary_.load_surface);
  contact_rowsum_.setZero();
  contact_load_.setZero();
  if (changed) {
    std::fill(C_.valuePtr(), C_.valuePtr() + C_.nonZeros(), 0.0);
    add_surface_robin(
        mesh_, full_map_, set, *surface_, surface_local_,
        [&](Index p) { return contact_h_[static_cast<size_t>(p)]; },
        [&](Index p) { return T_tool.empty() ? 0.0 : T_tool[static_cast<size_t>(p)]; }, options_.lumped,
        C_.valuePtr(), contact_rowsum_, contact_load_);
    sum_dirty_ = true;
  } else {
    // Same conductances: only the tool temperature (load) may differ; rebuild row sums and load.
    const int nc = surface_->points_per_facet() == 4 ? 4 : 3;
    for (Index p = 0; p < surface_->size(); ++p) {
      const Real hp = contact_h_[static_cast<size_t>(p)];
      if (hp == 0) continue;
      const auto& nodes = surface_->facet_nodes(surface_->facet_of(p));
      for (int a = 0; a < nc; ++a) {
        const Real wa = hp * surface_->area(p) * surface_->shape(p, a);
        contact_rowsum_[nodes[static_cast<size_t>(a)]] += wa;
        contact_load_[nodes[static_cast<size_t>(a)]] += wa * T_tool[static_cast<size_t>(p)];
      }
    }
  }
}

void BioheatProblem::build_load(const ThermalLoads& l, VectorX& f) const {
  f = met_load_;
  f += conv_load_;
  f += blood_.arterial_temperature * perf_rowsum_;
  f += contact_load_;
  if (!l.surface_flux.empty()) {
    const int nc = surface_->points_per_facet() == 4 ? 4 : 3;
    for (Index p = 0; p < surface_->size(); ++p) {
      const auto& nodes = surface_->facet_nodes(surface_->facet_of(p));
      const Real q = l.surface_flux[static_cast<size_t>(p)] * surface_->area(p);
      for (int a = 0; a < nc; ++a) f[nodes[static_cast<size_t>(a)]] += q * surface_->shape(p, a);
    }
  }
  if (!l.cell_source.empty()) {
    const int nen = mesh_.cell_size();
    for (Index e = 0; e < mesh_.n_cells(); ++e)
      for (int a = 0; a < nen; ++a)
        f[mesh_.cells(e, a)] +=
            l.cell_source[static_cast<size_t>(e)] *
            cell_shape_integral_[static_cast<size_t>(e) * static_cast<size_t>(nen) + static_cast<size_t>(a)];
  }
}

void BioheatProblem::prepare_matrices(const ThermalLoads& loads) {
  check_loads(loads);
  update_contact(loads.contact_h, loads.contact_temperature);
  if (perf_dirty_) {
    assemble_perfusion();
    sum_dirty_ = true;
  }
  if (!sum_dirty_) return;
  const Index nnz = L_.nonZeros();
  const Real *k = K_.valuePtr(), *p = P_.valuePtr(), *c = C_.valuePtr();
  Real* l = L_.valuePtr();
  for (Index i = 0; i < nnz; ++i) l[i] = k[i] + p[i] + c[i];
  sum_dirty_ = false;
  step_valid_ = false;
  steady_valid_ = false;
}

void BioheatProblem::solve_reduced(LinearSolver& solver, const SparseMatrix& A_full, SparseMatrix& A_red,
                                   bool refactor, const VectorX& b, VectorX& T) {
  if (refactor) {
    Real* v = A_red.valuePtr();
    const Real* fv = A_full.valuePtr();
    for (size_t k = 0; k < red_to_full_.size(); ++k) v[k] = fv[red_to_full_[k]];
    solver.factorize(A_red);
  }
  // Lift the Dirichlet values: r = b - A * T_D (T_D: fixed values, zero elsewhere).
  x_.setZero();
  for (Index n : fixed_nodes_) x_[n] = fixed_value_[n];
  r_.noalias() = A_full * x_;
  r_ = b - r_;
  dofs_.gather(r_, red_);
  if (dofs_.n_equations() > 0) solver.solve(red_, sol_);
  T = x_;
  dofs_.scatter(sol_, T);
}

ThermalStepReport BioheatProblem::step(VectorX& T, Real dt, const ThermalLoads& loads) {
  if (!(dt > 0) || !std::isfinite(dt)) throw InputError("dt", "must be positive, got " + fmt(dt) + " s");
  if (T.size() != mesh_.n_nodes())
    throw InputError("temperature", "expected one value per node (" + std::to_string(mesh_.n_nodes()) +
                                        "), got " + std::to_string(T.size()));
  prepare_matrices(loads);
  const Real theta = scheme_theta(options_.scheme);
  const bool refactor = !step_valid_ || dt != factorized_dt_ || !solver_->is_factorized();
  if (refactor) {
    const Index nnz = A_.nonZeros();
    const Real *m = M_.valuePtr(), *l = L_.valuePtr();
    Real* a = A_.valuePtr();
    for (Index i = 0; i < nnz; ++i) a[i] = m[i] / dt + theta * l[i];
  }
  build_load(loads, f_);
  // b = M T0 / dt - (1 - theta) L T0 + f
  b_.noalias() = M_ * T;
  b_ /= dt;
  if (theta < 1) {
    r_.noalias() = L_ * T;
    b_ -= (1 - theta) * r_;
  }
  b_ += f_;
  Ttheta_ = T;  // T0
  const Real H0 = capacity_.dot(T);
  step_valid_ = false;  // stays false if the solve throws
  solve_reduced(*solver_, A_, A_red_, refactor, b_, T);
  factorized_dt_ = dt;
  step_valid_ = true;

  ThermalStepReport rep;
  rep.refactorized = refactor;
  if (!fixed_nodes_.empty()) {
    r_.noalias() = A_ * T;
    r_ -= b_;
    Real reaction = 0;
    for (Index n : fixed_nodes_) reaction += r_[n];
    rep.fixed_temperature_heat = dt * reaction;
  }
  Ttheta_ = theta * T + (1 - theta) * Ttheta_;
  rep.heat_content_change = capacity_.dot(T) - H0;
  rep.source_heat = dt * source_heat_rate(loads);
  if (!loads.surface_flux.empty()) {
    Real q = 0;
    for (Index p = 0; p < surface_->size(); ++p)
      q += loads.surface_flux[static_cast<size_t>(p)] * surface_->area(p);
    rep.surface_flux_heat = dt * q;
  }
  rep.convection_heat = -dt * (conv_rowsum_.dot(Ttheta_) - conv_load_.sum());
  rep.contact_heat = -dt * (contact_rowsum_.dot(Ttheta_) - contact_load_.sum());
  rep.perfusion_heat = -dt * (perf_rowsum_.dot(Ttheta_) - blood_.arterial_temperature * perf_rowsum_.sum());
  return rep;
}

void BioheatProblem::steady_state(VectorX& T, const ThermalLoads& loads) {
  prepare_matrices(loads);
  const Real sink = conv_rowsum_.sum() + perf_rowsum_.sum() + contact_rowsum_.sum();
  if (fixed_nodes_.empty() && !(sink > 0))
    throw InputError("thermal.boundary",
                     "the steady state needs a fixed temperature, convection, contact or "
                     "perfusion; the problem has none");
  if (!steady_solver_) steady_solver_ = make_linear_solver(options_.linear_solver, dofs_.n_equations());
  const bool refactor = !steady_valid_ || !steady_solver_->is_factorized();
  steady_valid_ = false;
  build_load(loads, f_);
  b_ = f_;
  if (T.size() != mesh_.n_nodes()) T.resize(mesh_.n_nodes());
  solve_reduced(*steady_solver_, L_, L_red_, refactor, b_, T);
  steady_valid_ = true;
}

Real BioheatProblem::heat_content(const VectorX& T) const {
  return capacity_.dot(T);
}

Real BioheatProblem::convection_heat_rate(const VectorX& T) const {
  return -(conv_rowsum_.dot(T) - conv_load_.sum());
}

Real BioheatProblem::perfusion_heat_rate(const VectorX& T) const {
  // Row sums of P from the quadrature-point perfusion (valid even before the matrix is assembled).
  const int nq = geo_.n_qp(), nen = mesh_.cell_size();
  const Real rbcb = blood_.density * blood_.heat_capacity;
  Real q = 0;
  for (Index e = 0; e < mesh_.n_cells(); ++e)
    for (int qp = 0; qp < nq; ++qp) {
      Real Tq = 0;
      for (int a = 0; a < nen; ++a) Tq += geo_.shape(qp, a) * T[mesh_.cells(e, a)];
      q -= rbcb * perf_qp_[static_cast<size_t>(e) * static_cast<size_t>(nq) + static_cast<size_t>(qp)] *
           (Tq - blood_.arterial_temperature) * geo_.dV(e, qp);
    }
  return q;
}

Real BioheatProblem::source_heat_rate(const ThermalLoads& loads) const {
  Real q = met_load_.sum();
  if (!loads.cell_source.empty()) {
    if (static_cast<Index>(loads.cell_source.size()) != mesh_.n_cells())
      throw InputError("loads.cell_source", "expected one value per cell (" +
                                                std::to_string(mesh_.n_cells()) + "), got " +
                                                std::to_string(loads.cell_source.size()));
    for (Index e = 0; e < mesh_.n_cells(); ++e)
      q += loads.cell_source[static_cast<size_t>(e)] * geo_.cell_volume(e);
  }
  return q;
}

std::int64_t BioheatProblem::factorizations() const {
  return solver_->stats().factorizations;
}

std::int64_t BioheatProblem::analyses() const {
  return solver_->stats().analyses;
}

}  // namespace tissue
