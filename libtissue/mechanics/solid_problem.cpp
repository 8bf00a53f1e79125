#include "libtissue/mechanics/solid_problem.hpp"

#include <Eigen/Dense>
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
  bool ok = true;
};

template <int NEN>
Mat3 deformation_gradient(const Eigen::Matrix<Real, NEN, 3>& ue, const Real* g) {
  Mat3 F = Mat3::Identity();
  for (int a = 0; a < NEN; ++a)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) F(i, j) += ue(a, i) * g[a * 3 + j];
  return F;
}

/// Adds the stress-divergence and tangent terms of one quadrature point.
template <int NEN>
void add_stress_terms(const Mat3& F, const Real* g, const Mat3& S, const Mat6& D, Real dV, bool want_K,
                      ElementWork<NEN>& w) {
  constexpr int ND = 3 * NEN;
  Eigen::Matrix<Real, 6, ND> B;
  for (int a = 0; a < NEN; ++a) {
    const Real gx = g[a * 3], gy = g[a * 3 + 1], gz = g[a * 3 + 2];
    for (int i = 0; i < 3; ++i) {
      const int c = 3 * a + i;
      B(0, c) = F(i, 0) * gx;
      B(1, c) = F(i, 1) * gy;
      B(2, c) = F(i, 2) * gz;
      B(3, c) = F(i, 0) * gy + F(i, 1) * gx;
      B(4, c) = F(i, 1) * gz + F(i, 2) * gy;
      B(5, c) = F(i, 0) * gz + F(i, 2) * gx;
    }
  }
  const Voigt6 s = to_voigt(S) * dV;
  w.f.noalias() += B.transpose().lazyProduct(s);
  if (!want_K) return;
  const Eigen::Matrix<Real, 6, ND> DB = (D * dV).lazyProduct(B);
  w.K.noalias() += B.transpose().lazyProduct(DB);
  for (int a = 0; a < NEN; ++a) {
    const Eigen::Map<const Vec3> ga(g + 3 * a);
    const Vec3 Sga = S * ga * dV;
    for (int b = 0; b < NEN; ++b) {
      const Real k = Sga.dot(Eigen::Map<const Vec3>(g + 3 * b));
      for (int i = 0; i < 3; ++i) w.K(3 * a + i, 3 * b + i) += k;
    }
  }
}

/// Adds J dV to the element volume and its first and second derivatives (mean dilatation).
template <int NEN>
Real add_volume_terms(const Mat3& F, Real J, const Real* g, Real dV, bool want_K, ElementWork<NEN>& w) {
  const Mat3 Finv = F.inverse();
  Eigen::Matrix<Real, NEN, 3> d;
  for (int a = 0; a < NEN; ++a) d.row(a) = Eigen::Map<const Vec3>(g + 3 * a).transpose() * Finv;
  const Real s = J * dV;
  for (int a = 0; a < NEN; ++a)
    for (int i = 0; i < 3; ++i) w.gv[3 * a + i] += s * d(a, i);
  if (want_K)
    for (int a = 0; a < NEN; ++a)
      for (int b = 0; b < NEN; ++b)
        for (int i = 0; i < 3; ++i)
          for (int k = 0; k < 3; ++k) w.Hv(3 * a + i, 3 * b + k) += s * (d(a, i) * d(b, k) - d(a, k) * d(b, i));
  return s;
}

/// Evaluates one cell with law evaluator `iso` (returns IsoResponse for C, f0) and, if `vol` is
/// given, the mean-dilatation volumetric term.
template <int NEN, class IsoFn>
void element(const Mesh& mesh, const GeometryCache& geo, const VectorX& u, Index e, const IsoFn& iso,
             const VolumetricLogJ* vol, bool want_K, ElementWork<NEN>& w) {
  constexpr int NQ = NEN == 8 ? 8 : 4;
  Eigen::Matrix<Real, NEN, 3> ue;
  for (int a = 0; a < NEN; ++a) ue.row(a) = u.segment<3>(3 * static_cast<Index>(mesh.cells(e, a))).transpose();
  const Vec3 f0 = mesh.fibres.row(e).transpose();
  w.f.setZero();
  if (want_K) w.K.setZero();
  if (vol) {
    w.gv.setZero();
    if (want_K) w.Hv.setZero();
  }
  w.energy = 0;
  w.ok = true;
  Real v = 0, V0 = 0;
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
    const IsoResponse r = iso(C, f0);
    w.energy += r.energy * dV;
    add_stress_terms<NEN>(F, g, r.S, r.D, dV, want_K, w);
    if (vol) {
      v += add_volume_terms<NEN>(F, J, g, dV, want_K, w);
      V0 += dV;
    }
  }
  if (vol) {
    const Real theta = v / V0;
    const Real dU = vol->dU(theta);
    w.energy += V0 * vol->U(theta);
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
  colors_.resize(static_cast<size_t>(mesh.regions.size()));
  for (int r = 0; r < mesh.regions.size(); ++r) colors_[static_cast<size_t>(r)] = color_cells(mesh, mesh.cells_in_region(r));
}

void SolidProblem::set_threads(int threads) {
  options_.threads = threads;
  options_.validate();
}

namespace {
template <int NEN>
struct RegionAssembler {
  const Mesh& mesh;
  const GeometryCache& geo;
  const AssemblyMap& map;
  const VectorX& u;
  VectorX* f_int;
  SparseMatrix* K;
  std::vector<Real>& energy;
  std::vector<char>& ok;
  int threads;

  template <class IsoFn>
  void run(const std::vector<std::vector<Index>>& colors, const IsoFn& iso, const VolumetricLogJ* vol) {
    constexpr int ND = 3 * NEN;
    const bool want_K = K != nullptr;
    Real* values = want_K ? K->valuePtr() : nullptr;
    parallel_for_colored(colors, threads, [&](Index e, int) {
      ElementWork<NEN> w;
      element<NEN>(mesh, geo, u, e, iso, vol, want_K, w);
      energy[static_cast<size_t>(e)] = w.energy;
      ok[static_cast<size_t>(e)] = w.ok;
      if (!w.ok) return;
      if (f_int)
        for (int a = 0; a < NEN; ++a) f_int->segment<3>(3 * static_cast<Index>(mesh.cells(e, a))) += w.f.template segment<3>(3 * a);
      if (want_K) {
        const int* slot = map.slots(e);
        for (int r = 0; r < ND; ++r)
          for (int c = 0; c < ND; ++c)
            if (const int s = slot[r * ND + c]; s >= 0) values[s] += w.K(r, c);
      }
    });
  }
};
}  // namespace

SolidEvaluation SolidProblem::evaluate(const VectorX& u, VectorX* f_int, SparseMatrix* K) const {
  const Index ne = mesh_.n_cells();
  std::vector<Real> energy(static_cast<size_t>(ne), 0.0);
  std::vector<char> ok(static_cast<size_t>(ne), 1);
  if (f_int) f_int->setZero(3 * mesh_.n_nodes());
  if (K) std::fill(K->valuePtr(), K->valuePtr() + K->nonZeros(), 0.0);
  const bool hex = mesh_.cell_type == CellType::hex8;
  const bool mean_dil = hex && options_.volumetric == VolumetricTreatment::mean_dilatation;

  auto run_region = [&](auto& assembler, int r) {
    const auto& colors = colors_[static_cast<size_t>(r)];
    std::visit(
        [&](const auto& law) {
          using L = std::decay_t<decltype(law)>;
          if constexpr (std::is_same_v<L, CompressibleNeoHookean>) {
            assembler.run(colors, [&law](const Mat3& C, const Vec3&) { return law.response(C); }, nullptr);
          } else if (mean_dil) {
            std::visit(
                [&](const auto& iso) {
                  assembler.run(colors, [&iso](const Mat3& C, const Vec3& f0) { return iso.isochoric(C, f0); },
                                &law.vol);
                },
                law.iso);
          } else {
            assembler.run(colors, [&law](const Mat3& C, const Vec3& f0) { return total_response(law, C, f0); },
                          nullptr);
          }
        },
        materials_[static_cast<size_t>(r)].law);
  };
  if (hex) {
    RegionAssembler<8> a{mesh_, geo_, map_, u, f_int, K, energy, ok, options_.threads};
    for (int r = 0; r < mesh_.regions.size(); ++r) run_region(a, r);
  } else {
    RegionAssembler<4> a{mesh_, geo_, map_, u, f_int, K, energy, ok, options_.threads};
    for (int r = 0; r < mesh_.regions.size(); ++r) run_region(a, r);
  }
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
        out.segment<3>(3 * static_cast<Index>(mesh_.cells(e, a))) += rho * geo_.shape(q, a) * geo_.dV(e, q) * g;
  }
  return out;
}

CellStress SolidProblem::cell_stress(const VectorX& u) const {
  const Index ne = mesh_.n_cells();
  const int nen = mesh_.cell_size(), nq = geo_.n_qp();
  const bool mean_dil = mesh_.cell_type == CellType::hex8 && options_.volumetric == VolumetricTreatment::mean_dilatation;
  CellStress out;
  out.cauchy.setZero(ne, 6);
  out.strain.setZero(ne, 6);
  out.pressure.setZero(ne);
  out.von_mises.setZero(ne);
  out.max_shear_strain.setZero(ne);
  out.J.setZero(ne);
  parallel_for(ne, options_.threads, [&](Index e, int) {
    const auto& law = materials_[static_cast<size_t>(mesh_.region[static_cast<size_t>(e)])].law;
    const Vec3 f0 = mesh_.fibres.row(e).transpose();
    Mat3 sigma_sum = Mat3::Zero(), E_sum = Mat3::Zero();
    Real v = 0, V0 = 0;
    for (int q = 0; q < nq; ++q) {
      const Real* g = geo_.grad(e, q);
      Mat3 F = Mat3::Identity();
      for (int a = 0; a < nen; ++a)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) F(i, j) += u[3 * static_cast<Index>(mesh_.cells(e, a)) + i] * g[a * 3 + j];
      const Real J = F.determinant();
      const Mat3 C = F.transpose() * F;
      Mat3 S;
      if (const auto* hl = std::get_if<HyperelasticLaw>(&law)) {
        if (mean_dil)
          S = std::visit([&](const auto& iso) { return iso.isochoric(C, f0).S; }, hl->iso);
        else
          S = total_response(*hl, C, f0).S;
      } else {
        S = std::get<CompressibleNeoHookean>(law).response(C).S;
      }
      const Real dV = geo_.dV(e, q);
      sigma_sum += (F * S * F.transpose() / J) * dV;
      E_sum += 0.5 * (C - Mat3::Identity()) * dV;
      v += J * dV;
      V0 += dV;
    }
    Mat3 sigma = sigma_sum / V0;
    const Real theta = v / V0;
    if (mean_dil)
      if (const auto* hl = std::get_if<HyperelasticLaw>(&law)) sigma += hl->vol.dU(theta) * Mat3::Identity();
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
  return out;
}

}  // namespace tissue
