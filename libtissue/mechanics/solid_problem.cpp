#include "libtissue/mechanics/solid_problem.hpp"

#include <Eigen/Dense>
#include <array>
#include <limits>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"

namespace tissue {
namespace {

/// Element vectors and matrices of one cell with NEN nodes.
template <int NEN>
struct ElementWork {
  static constexpr int ND = 3 * NEN;
  Eigen::Matrix<Real, ND, 1> f;
  Eigen::Matrix<Real, ND, ND> K;
  Eigen::Matrix<Real, ND, 1> gv;   // d v / d u (mean dilatation)
  Eigen::Matrix<Real, ND, ND> Hv;  // d2 v / d u2
  Real energy = 0;
  Real dissipation = 0;
  Real stored = 0;         // stored energy of the cell at the end of the step [J]
  Real work = 0;           // stress work of the step along its path [J] (laws with history)
  Real strain_change = 0;  // integral of |dev(E1 - E0)| over the cell [m^3] (laws with history)
  Mat3 sigma_dV;           // integral of sigma over the cell (without the mean-dilatation pressure) [N m]
  Real volume = 0;         // reference volume of the cell [m^3]
  Real pressure = 0;       // cell-mean hydrostatic pressure -tr(sigma)/3 [Pa]
  Real von_mises = 0;      // von Mises stress of the cell-mean Cauchy stress [Pa]
  bool ok = true;
};

/// What a law returns at one quadrature point.
struct PointResponse {
  Real energy;       ///< energy density (or incremental potential) [J/m^3]
  Mat3 S;            ///< second Piola-Kirchhoff stress [Pa]
  Mat6 D;            ///< dS/dE [Pa]
  Real dissipation;  ///< energy dissipated in the step [J/m^3]
  Real stored;       ///< stored (free) energy density at the end of the step [J/m^3]
  Real work = 0;     ///< stress work of the step along its path [J/m^3] (laws with history)
  Real J_prev = 1;   ///< volume ratio at the start of the step (laws with history; mean dilatation) [-]
  Real strain_change =
      0;  ///< |dev(E1 - E0)|, the step's deviatoric Green-Lagrange strain change (history) [-]
};

PointResponse point(const IsoResponse& r) {
  return {r.energy, r.S, r.D, 0.0, r.energy};
}

/// Volume ratio J = sqrt(det C) of a right Cauchy-Green tensor in Voigt order (not doubled).
Real volume_ratio(const Voigt6& c) {
  return std::sqrt(from_voigt(c).determinant());
}

/// Frobenius norm of the deviatoric part of the Green-Lagrange strain change (C - C_prev) / 2 [-].
Real deviatoric_strain_change(const Mat3& C, const Voigt6& c_prev) {
  Mat3 dE = 0.5 * (C - from_voigt(c_prev));
  dE.diagonal().array() -= dE.trace() / 3.0;
  return dE.norm();
}

template <int NEN>
Mat3 deformation_gradient(const Eigen::Matrix<Real, NEN, 3>& ue, const Real* g) {
  Mat3 F = Mat3::Identity();
  for (int a = 0; a < NEN; ++a)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) F(i, j) += ue(a, i) * g[a * 3 + j];
  return F;
}

/// Adds the stress-divergence and tangent terms of one quadrature point. The tangent is accumulated as
/// node-pair blocks K_ab = B_a^T D B_b + (g_a . S g_b) I for b >= a only (the upper blocks; element()
/// mirrors them), with B_a the 6 x 3 strain-displacement block of node a.
template <int NEN>
void add_stress_terms(const Mat3& F, const Real* g, const Mat3& S, const Mat6& D, Real dV, bool want_K,
                      ElementWork<NEN>& w) {
  using Block = Eigen::Matrix<Real, 6, 3>;
  std::array<Block, NEN> B;
  for (int a = 0; a < NEN; ++a) {
    const Real gx = g[a * 3], gy = g[a * 3 + 1], gz = g[a * 3 + 2];
    Block& b = B[static_cast<size_t>(a)];
    for (int i = 0; i < 3; ++i) {
      b(0, i) = F(i, 0) * gx;
      b(1, i) = F(i, 1) * gy;
      b(2, i) = F(i, 2) * gz;
      b(3, i) = F(i, 0) * gy + F(i, 1) * gx;
      b(4, i) = F(i, 1) * gz + F(i, 2) * gy;
      b(5, i) = F(i, 0) * gz + F(i, 2) * gx;
    }
  }
  const Voigt6 s = to_voigt(S) * dV;
  for (int a = 0; a < NEN; ++a)
    w.f.template segment<3>(3 * a).noalias() += B[static_cast<size_t>(a)].transpose() * s;
  if (!want_K) return;
  const Mat6 Dv = D * dV;
  std::array<Block, NEN> DB;
  std::array<Vec3, NEN> Sg;
  for (int a = 0; a < NEN; ++a) {
    DB[static_cast<size_t>(a)].noalias() = Dv * B[static_cast<size_t>(a)];
    Sg[static_cast<size_t>(a)].noalias() = S * Eigen::Map<const Vec3>(g + 3 * a) * dV;
  }
  for (int a = 0; a < NEN; ++a)
    for (int b = a; b < NEN; ++b) {
      Mat3 k = B[static_cast<size_t>(a)].transpose() * DB[static_cast<size_t>(b)];
      k.diagonal().array() += Sg[static_cast<size_t>(a)].dot(Eigen::Map<const Vec3>(g + 3 * b));
      w.K.template block<3, 3>(3 * a, 3 * b) += k;
    }
}

/// Adds J dV to the element volume and its first and second derivatives (mean dilatation). The second
/// derivative is accumulated as the upper node-pair blocks (b > a; the diagonal blocks vanish); element()
/// mirrors them.
template <int NEN>
Real add_volume_terms(const Mat3& F, Real J, const Real* g, Real dV, bool want_K, ElementWork<NEN>& w) {
  const Mat3 Finv = F.inverse();
  Eigen::Matrix<Real, NEN, 3> d;
  for (int a = 0; a < NEN; ++a) d.row(a) = Eigen::Map<const Vec3>(g + 3 * a).transpose() * Finv;
  const Real s = J * dV;
  for (int a = 0; a < NEN; ++a) w.gv.template segment<3>(3 * a) += s * d.row(a).transpose();
  if (want_K)
    for (int a = 0; a < NEN; ++a)
      for (int b = a + 1; b < NEN; ++b) {
        const Mat3 m = d.row(a).transpose() * d.row(b) - d.row(b).transpose() * d.row(a);
        w.Hv.template block<3, 3>(3 * a, 3 * b) += s * m;
      }
  return s;
}

/// Copies the upper node-pair blocks of an element matrix into the lower ones (transposed).
template <int NEN>
void mirror_blocks(Eigen::Matrix<Real, 3 * NEN, 3 * NEN>& M) {
  for (int a = 0; a < NEN; ++a)
    for (int b = a + 1; b < NEN; ++b)
      M.template block<3, 3>(3 * b, 3 * a) = M.template block<3, 3>(3 * a, 3 * b).transpose();
}

/// Evaluates one cell with the point law `law(C, e, q)` (returns PointResponse) and, if `vol` is
/// given, the mean-dilatation volumetric term.
template <int NEN, class PointFn>
void element(const Mesh& mesh, const GeometryCache& geo, const VectorX& u, Index e, const PointFn& law,
             const VolumetricLogJ* vol, bool want_K, ElementWork<NEN>& w) {
  constexpr int NQ = NEN == 8 ? 8 : 4;
  Eigen::Matrix<Real, NEN, 3> ue;
  for (int a = 0; a < NEN; ++a)
    ue.row(a) = u.segment<3>(3 * static_cast<Index>(mesh.cells(e, a))).transpose();
  w.f.setZero();
  if (want_K) w.K.setZero();
  if (vol) {
    w.gv.setZero();
    if (want_K) w.Hv.setZero();
  }
  w.energy = 0;
  w.dissipation = 0;
  w.stored = 0;
  w.work = 0;
  w.strain_change = 0;
  w.sigma_dV.setZero();
  w.volume = 0;
  w.ok = true;
  Real v = 0, V0 = 0, v_prev = 0;
  for (int q = 0; q < NQ; ++q) {
    const Real* g = geo.grad(e, q);
    const Real dV = geo.dV(e, q);
    const Mat3 F = deformation_gradient<NEN>(ue, g);
    const Real J = F.determinant();
    if (!(J > 0)) {
      w.ok = false;
      return;
    }
    const Mat3 C = F.transpose() * F;
    const PointResponse r = law(C, e, q, want_K);
    w.energy += r.energy * dV;
    w.dissipation += r.dissipation * dV;
    w.stored += r.stored * dV;
    w.work += r.work * dV;
    w.strain_change += r.strain_change * dV;
    w.sigma_dV.noalias() += (dV / J) * (F * r.S * F.transpose());
    w.volume += dV;
    add_stress_terms<NEN>(F, g, r.S, r.D, dV, want_K, w);
    if (vol) {
      v += add_volume_terms<NEN>(F, J, g, dV, want_K, w);
      v_prev += r.J_prev * dV;
      V0 += dV;
    }
  }
  w.pressure = -w.sigma_dV.trace() / (3 * w.volume);
  {  // the mean-dilatation pressure below is isotropic: it leaves the deviator alone
    const Mat3 mean = w.sigma_dV / w.volume;
    w.von_mises = std::sqrt(1.5 * (mean - (mean.trace() / 3) * Mat3::Identity()).squaredNorm());
  }
  if (want_K) {
    mirror_blocks<NEN>(w.K);
    if (vol) mirror_blocks<NEN>(w.Hv);
  }
  if (vol) {
    const Real theta = v / V0;
    const Real dU = vol->dU(theta);
    w.pressure -= dU;
    w.energy += V0 * vol->U(theta);
    w.stored += V0 * vol->U(theta);
    w.work += V0 * (vol->U(theta) - vol->U(v_prev / V0));
    w.f.noalias() += dU * w.gv;
    if (want_K) {
      w.K.noalias() += (vol->d2U(theta) / V0) * (w.gv * w.gv.transpose());
      w.K.noalias() += dU * w.Hv;
    }
  }
}

}  // namespace

void SolidOptions::validate() const {
  if (threads < 1) throw InputError("threads", "must be at least 1, got " + std::to_string(threads));
}

SolidProblem::SolidProblem(const Mesh& mesh, std::vector<RegionMechanics> materials, DofMap dofs,
                           SolidOptions options)
    : mesh_(mesh),
      materials_(std::move(materials)),
      dofs_(std::move(dofs)),
      options_(options),
      geo_(mesh),
      map_(mesh, dofs_) {
  options_.validate();
  if (static_cast<int>(materials_.size()) != mesh.regions.size())
    throw InputError("materials", "expected one material per region (" + std::to_string(mesh.regions.size()) +
                                      "), got " + std::to_string(materials_.size()));
  for (int r = 0; r < mesh.regions.size(); ++r) {
    const std::string& name = mesh.regions[r].name;
    std::visit([&](const auto& law) { law.validate(name); }, materials_[static_cast<size_t>(r)].law);
    if (!(materials_[static_cast<size_t>(r)].density > 0))
      throw InputError(name + ".density", "must be positive");
  }
  if (dofs_.components() != 3 || dofs_.n_nodes() != mesh.n_nodes())
    throw InputError("dofs", "the dof map must have 3 components for every mesh node");
  colors_ = color_regions(mesh);
}

void SolidProblem::set_threads(int threads) {
  options_.threads = threads;
  options_.validate();
}

namespace {
/// Where one assembly pass writes: per-cell scalars and the optional global force vector and tangent.
struct AssemblyTargets {
  VectorX* f_int;
  SparseMatrix* K;
  std::vector<Real>& energy;
  std::vector<Real>& dissipation;
  std::vector<Real>& stored;
  std::vector<Real>& work;
  std::vector<Real>& strain_change;
  std::vector<Real>& pressure;
  std::vector<Real>& von_mises;
  std::vector<char>& ok;
};

/// Evaluates cell e with a region's point law and scatters its force and tangent (lock-free: cells of one
/// colour share no node).
template <int NEN, class PointFn>
void assemble_cell(const Mesh& mesh, const GeometryCache& geo, const AssemblyMap& map, const VectorX& u,
                   Index e, const PointFn& law, const VolumetricLogJ* vol, AssemblyTargets& t) {
  constexpr int ND = 3 * NEN;
  const bool want_K = t.K != nullptr;
  ElementWork<NEN> w;
  element<NEN>(mesh, geo, u, e, law, vol, want_K, w);
  const auto i = static_cast<size_t>(e);
  t.energy[i] = w.energy;
  t.dissipation[i] = w.dissipation;
  t.stored[i] = w.stored;
  t.work[i] = w.work;
  t.strain_change[i] = w.volume > 0 ? w.strain_change / w.volume : 0.0;
  t.pressure[i] = w.pressure;
  t.von_mises[i] = w.von_mises;
  t.ok[i] = w.ok;
  if (!w.ok) return;
  if (t.f_int)
    for (int a = 0; a < NEN; ++a)
      t.f_int->segment<3>(3 * static_cast<Index>(mesh.cells(e, a))) += w.f.template segment<3>(3 * a);
  if (want_K) {
    Real* values = t.K->valuePtr();
    const int* slot = map.slots(e);
    for (int r = 0; r < ND; ++r)
      for (int c = 0; c < ND; ++c)
        if (const int s = slot[r * ND + c]; s >= 0) values[s] += w.K(r, c);
  }
}

/// Reads temperature and tone at quadrature points and the history of point (e, q).
struct PointContext {
  const Mesh& mesh;
  const GeometryCache& geo;
  const SolidInputs* in;

  Real temperature(Index e, int q, Real fallback) const {
    if (!in || !in->temperature) return fallback;
    Real T = 0;
    for (int a = 0; a < geo.n_nodes(); ++a) T += geo.shape(q, a) * (*in->temperature)[mesh.cells(e, a)];
    return T;
  }
  Real tone(Index e, int q) const {
    if (!in || !in->tone) return 0.0;
    return (*in->tone)[static_cast<Index>(e) * geo.n_qp() + q];
  }
  Real dt() const { return in ? in->dt : 0.0; }
  /// History at the start of the step (undeformed without a history).
  const PronyState& previous(Index e, int q) const {
    static const PronyState undeformed{};
    return in && in->history ? in->history->at(e, q) : undeformed;
  }
};

/// Calls fn(point_law, volumetric_or_null) with the point law of a region, whatever its type. The
/// end-of-step history goes to `end` (null: discarded, e.g. for stress output).
template <class Fn>
void with_point_law(const SolidLaw& law, bool mean_dil, const PointContext& ctx, SolidHistory* end, Fn&& fn) {
  std::visit(
      [&](const auto& L) {
        using T = std::decay_t<decltype(L)>;
        auto end_state = [end](Index e, int q, PronyState& scratch) -> PronyState& {
          return end ? end->at(e, q) : scratch;
        };
        if constexpr (std::is_same_v<T, CompressibleNeoHookean>) {
          fn([&L](const Mat3& C, Index, int, bool) { return point(L.response(C)); }, nullptr);
        } else if constexpr (std::is_same_v<T, HyperelasticLaw>) {
          if (mean_dil) {
            std::visit(
                [&](const auto& iso) {
                  fn(
                      [&iso, &ctx](const Mat3& C, Index e, int, bool want_D) {
                        return point(iso.isochoric(C, ctx.mesh.fibres.row(e).transpose(), want_D));
                      },
                      &L.vol);
                },
                L.iso);
          } else {
            fn([&L, &ctx](const Mat3& C, Index e, int,
                          bool) { return point(total_response(L, C, ctx.mesh.fibres.row(e).transpose())); },
               nullptr);
          }
        } else if constexpr (std::is_same_v<T, TissueMaterial>) {
          auto pt = [&L, &ctx, mean_dil, end_state](const Mat3& C, Index e, int q, bool want_D) {
            PronyState scratch;
            const PronyState& prev = ctx.previous(e, q);
            const Real J_prev = volume_ratio(prev.C);
            const Real dev = deviatoric_strain_change(C, prev.C);
            const TissueResponse r = tissue_response(L, C, ctx.mesh.fibres.row(e).transpose(),
                                                     ctx.temperature(e, q, L.thermal.T_ref), ctx.tone(e, q),
                                                     ctx.dt(), prev, end_state(e, q, scratch), want_D);
            PointResponse out{r.energy, r.S,    r.D, r.dissipation, r.stored_energy + r.active_energy,
                              r.work,   J_prev, dev};
            if (!mean_dil) {
              const VolResponse v = volumetric_response(L.elastic.vol, C);
              out.energy += v.energy;
              out.stored += v.energy;
              out.work += v.energy - L.elastic.vol.U(J_prev);
              out.S += v.S;
              out.D += v.D;
            }
            return out;
          };
          fn(pt, mean_dil ? &L.elastic.vol : nullptr);
        } else {  // PeerViscoelastic
          const Real mu = L.elastic.mu, bulk = L.elastic.lambda + 2.0 / 3.0 * L.elastic.mu;
          fn(
              [&L, &ctx, mu, bulk, end_state](const Mat3& C, Index e, int q, bool want_D) {
                PronyState scratch;
                const Real dev = deviatoric_strain_change(C, ctx.previous(e, q).C);
                const ViscoResponse r =
                    peer_prony_update(L.prony, ctx.previous(e, q), C, L.elastic.response(C), ctx.dt(), 1.0,
                                      mu, bulk, end_state(e, q, scratch), want_D);
                return PointResponse{r.incremental_energy, r.S,    r.D, r.dissipation,
                                     r.stored_energy,      r.work, 1.0, dev};
              },
              nullptr);
        }
      },
      law);
}
}  // namespace

void PeerViscoelastic::validate(std::string_view tissue) const {
  elastic.validate(tissue);
  prony.validate(tissue);
}

bool has_history(const SolidLaw& law) {
  return std::holds_alternative<TissueMaterial>(law) || std::holds_alternative<PeerViscoelastic>(law);
}

SolidHistory::SolidHistory(Index n_cells, int n_qp)
    : nq_(n_qp), points_(static_cast<size_t>(n_cells) * static_cast<size_t>(n_qp)) {}

VectorX SolidProblem::jump_history(SolidHistory& history, const SolidHistory& cycle_start, Real period,
                                   Real cycles, const VectorX* temperature) const {
  SolidInputs at;
  at.temperature = temperature;
  const PointContext ctx{mesh_, geo_, &at};
  VectorX change = VectorX::Zero(mesh_.n_cells());
  parallel_for(mesh_.n_cells(), options_.threads, [&](Index e, int) {
    const SolidLaw& law = materials_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].law;
    for (int q = 0; q < geo_.n_qp(); ++q) {
      PronyState& h = history.at(e, q);
      const Real before = h.stored_energy;
      Real m = 1.0;  // the temperature's modulus factor (stored energies are kept in reference units)
      if (const auto* t = std::get_if<TissueMaterial>(&law)) {
        const Real mu = small_strain_shear_modulus(t->elastic.iso);
        const Real T = ctx.temperature(e, q, t->thermal.T_ref);
        m = t->thermal.modulus_factor(T);
        prony_jump_cycles(t->prony.terms, cycle_start.at(e, q), period, cycles, t->thermal.a_T(T), mu, mu, h);
      } else if (const auto* p = std::get_if<PeerViscoelastic>(&law)) {
        const Real mu = p->elastic.mu, bulk = p->elastic.lambda + 2.0 / 3.0 * p->elastic.mu;
        prony_jump_cycles(p->prony.terms, cycle_start.at(e, q), period, cycles, 1.0, mu, bulk, h);
      }
      change[e] += m * (h.stored_energy - before) * geo_.dV(e, q);
    }
  });
  return change;
}

bool SolidProblem::needs_history() const {
  for (const auto& m : materials_)
    if (has_history(m.law)) return true;
  return false;
}

SolidEvaluation SolidProblem::evaluate(const VectorX& u, VectorX* f_int, SparseMatrix* K,
                                       const SolidInputs* inputs, SolidStepState* step) const {
  const Index ne = mesh_.n_cells();
  std::vector<Real> energy(static_cast<size_t>(ne), 0.0), dissipation(static_cast<size_t>(ne), 0.0),
      stored(static_cast<size_t>(ne), 0.0), work(static_cast<size_t>(ne), 0.0),
      strain_change(static_cast<size_t>(ne), 0.0), pressure(static_cast<size_t>(ne), 0.0),
      von_mises(static_cast<size_t>(ne), 0.0);
  std::vector<char> ok(static_cast<size_t>(ne), 1);
  if (f_int) f_int->setZero(3 * mesh_.n_nodes());
  if (K) std::fill(K->valuePtr(), K->valuePtr() + K->nonZeros(), 0.0);
  SolidHistory* end = nullptr;
  if (step) {
    if (step->history.size() != ne * geo_.n_qp()) step->history = make_history();
    end = &step->history;
  }
  const bool hex = mesh_.cell_type == CellType::hex8;
  const bool mean_dil = hex && options_.volumetric == VolumetricTreatment::mean_dilatation;
  const PointContext ctx{mesh_, geo_, inputs};
  AssemblyTargets targets{f_int,         K,        energy,    dissipation, stored, work,
                          strain_change, pressure, von_mises, ok};
  auto pass = [&]<int NEN>() {
    parallel_for_colored_groups(colors_, options_.threads, [&](int region, auto&& run) {
      with_point_law(
          materials_[static_cast<size_t>(region)].law, mean_dil, ctx, end,
          [&](const auto& pt, const VolumetricLogJ* vol) {
            run([&](Index e, int) { assemble_cell<NEN>(mesh_, geo_, map_, u, e, pt, vol, targets); });
          });
    });
  };
  if (hex)
    pass.template operator()<8>();
  else
    pass.template operator()<4>();
  SolidEvaluation out;
  for (Index e = 0; e < ne; ++e) {
    if (!ok[static_cast<size_t>(e)]) {
      out.admissible = false;
      out.first_bad_cell = e;
      out.energy = std::numeric_limits<Real>::infinity();
      return out;
    }
    out.energy += energy[static_cast<size_t>(e)];
  }
  if (step) {
    step->dissipation = Eigen::Map<const VectorX>(dissipation.data(), ne);
    step->pressure = Eigen::Map<const VectorX>(pressure.data(), ne);
    step->von_mises = Eigen::Map<const VectorX>(von_mises.data(), ne);
    step->strain_change = Eigen::Map<const VectorX>(strain_change.data(), ne);
    step->stored_energy = step->work = step->elastic_energy = 0;
    for (Index e = 0; e < ne; ++e) {
      const auto i = static_cast<size_t>(e);
      step->stored_energy += stored[i];
      if (has_history(materials_[static_cast<size_t>(mesh_.region[i])].law))
        step->work += work[i];
      else
        step->elastic_energy += stored[i];
    }
  }
  return out;
}

SparseMatrix SolidProblem::mass_matrix() const {
  SparseMatrix M = map_.make_matrix();
  const int nen = mesh_.cell_size(), nq = geo_.n_qp(), nd = 3 * nen;
  Real* values = M.valuePtr();
  for (Index e = 0; e < mesh_.n_cells(); ++e) {
    const Real rho = materials_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].density;
    const int* slot = map_.slots(e);
    for (int a = 0; a < nen; ++a)
      for (int b = 0; b < nen; ++b) {
        Real m = 0;
        for (int q = 0; q < nq; ++q) m += rho * geo_.shape(q, a) * geo_.shape(q, b) * geo_.dV(e, q);
        for (int i = 0; i < 3; ++i)
          if (const int s = slot[(3 * a + i) * nd + 3 * b + i]; s >= 0) values[s] += m;
      }
  }
  return M;
}

VectorX SolidProblem::mass_times(const VectorX& a_full) const {
  VectorX out = VectorX::Zero(3 * mesh_.n_nodes());
  const int nen = mesh_.cell_size(), nq = geo_.n_qp();
  for (Index e = 0; e < mesh_.n_cells(); ++e) {
    const Real rho = materials_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].density;
    for (int a = 0; a < nen; ++a)
      for (int b = 0; b < nen; ++b) {
        Real m = 0;
        for (int q = 0; q < nq; ++q) m += rho * geo_.shape(q, a) * geo_.shape(q, b) * geo_.dV(e, q);
        out.segment<3>(3 * static_cast<Index>(mesh_.cells(e, a))) +=
            m * a_full.segment<3>(3 * static_cast<Index>(mesh_.cells(e, b)));
      }
  }
  return out;
}

VectorX SolidProblem::body_force(const Vec3& g) const {
  VectorX out = VectorX::Zero(3 * mesh_.n_nodes());
  const int nen = mesh_.cell_size(), nq = geo_.n_qp();
  for (Index e = 0; e < mesh_.n_cells(); ++e) {
    const Real rho = materials_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].density;
    for (int q = 0; q < nq; ++q)
      for (int a = 0; a < nen; ++a)
        out.segment<3>(3 * static_cast<Index>(mesh_.cells(e, a))) +=
            rho * geo_.shape(q, a) * geo_.dV(e, q) * g;
  }
  return out;
}

CellStress SolidProblem::cell_stress(const VectorX& u, const SolidInputs* inputs) const {
  const Index ne = mesh_.n_cells();
  const int nen = mesh_.cell_size(), nq = geo_.n_qp();
  const bool mean_dil =
      mesh_.cell_type == CellType::hex8 && options_.volumetric == VolumetricTreatment::mean_dilatation;
  // Stresses at the committed state: the committed history with dt = 0 reproduces them exactly.
  SolidInputs at_state;
  if (inputs) at_state = *inputs;
  at_state.dt = 0;
  const PointContext ctx{mesh_, geo_, &at_state};
  CellStress out;
  out.cauchy.setZero(ne, 6);
  out.strain.setZero(ne, 6);
  out.pressure.setZero(ne);
  out.von_mises.setZero(ne);
  out.max_shear_strain.setZero(ne);
  out.J.setZero(ne);
  for (int r = 0; r < mesh_.regions.size(); ++r) {
    const auto& law = materials_[static_cast<size_t>(r)].law;
    with_point_law(law, mean_dil, ctx, nullptr, [&](const auto& pt, const VolumetricLogJ* vol) {
      const auto cells = mesh_.cells_in_region(r);
      parallel_for(static_cast<Index>(cells.size()), options_.threads, [&](Index k, int) {
        const Index e = cells[static_cast<size_t>(k)];
        Mat3 sigma_sum = Mat3::Zero(), E_sum = Mat3::Zero();
        Real v = 0, V0 = 0;
        for (int q = 0; q < nq; ++q) {
          const Real* g = geo_.grad(e, q);
          Mat3 F = Mat3::Identity();
          for (int a = 0; a < nen; ++a)
            for (int i = 0; i < 3; ++i)
              for (int j = 0; j < 3; ++j)
                F(i, j) += u[3 * static_cast<Index>(mesh_.cells(e, a)) + i] * g[a * 3 + j];
          const Real J = F.determinant();
          const Mat3 C = F.transpose() * F;
          const Mat3 S = pt(C, e, q, false).S;
          const Real dV = geo_.dV(e, q);
          sigma_sum += (F * S * F.transpose() / J) * dV;
          E_sum += 0.5 * (C - Mat3::Identity()) * dV;
          v += J * dV;
          V0 += dV;
        }
        Mat3 sigma = sigma_sum / V0;
        const Real theta = v / V0;
        if (vol) sigma += vol->dU(theta) * Mat3::Identity();
        const Mat3 E = E_sum / V0;
        out.cauchy.row(e) = to_voigt(sigma).transpose();
        out.strain.row(e) = to_voigt(E).transpose();
        const Real p = -sigma.trace() / 3.0;
        out.pressure[e] = p;
        const Mat3 dev = sigma + p * Mat3::Identity();
        out.von_mises[e] = std::sqrt(1.5 * dev.squaredNorm());
        const Eigen::SelfAdjointEigenSolver<Mat3> es(E, Eigen::EigenvaluesOnly);
        out.max_shear_strain[e] = 0.5 * (es.eigenvalues()[2] - es.eigenvalues()[0]);
        out.J[e] = theta;
      });
    });
  }
  return out;
}

}  // namespace tissue
