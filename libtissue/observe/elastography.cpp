#include "libtissue/observe/elastography.hpp"

#include <cmath>
#include <type_traits>
#include <variant>

#include "libtissue/core/error.hpp"

namespace tissue {

namespace {

int voigt_index(int i, int j) {
  static constexpr int idx[3][3] = {{0, 3, 5}, {3, 1, 4}, {5, 4, 2}};
  return idx[i][j];
}

/// rho c^2 for propagation n and polarisation p.
Real wave_modulus(const Mat3& F, const Mat6& D, const Mat3& sigma, Real J, const Vec3& n, const Vec3& p) {
  // Pull n and p back: c_ijkl p_i n_j p_k n_l = D_IJKL P_I N_J P_K N_L / J with P = F^T p, N = F^T n.
  const Vec3 P = F.transpose() * p, N = F.transpose() * n;
  Real sum = 0;
  for (int I = 0; I < 3; ++I)
    for (int Jj = 0; Jj < 3; ++Jj) {
      const Real a = P[I] * N[Jj];
      if (a == 0) continue;
      for (int K = 0; K < 3; ++K)
        for (int L = 0; L < 3; ++L) sum += a * D(voigt_index(I, Jj), voigt_index(K, L)) * P[K] * N[L];
    }
  return sum / J + n.dot(sigma * n) * p.squaredNorm();
}

struct PointState {
  Mat3 S;
  Mat6 D;
};

/// S at the committed state (dt = 0) and the tangent of the requested kind at one point.
template <class Law>
PointState point_state(const Law& L, const Mat3& C, const Vec3& f0, Real T, Real a, const PronyState& prev,
                       ElastographyModulus kind) {
  constexpr Real kForever = 1e30;  // dt >> tau: fully relaxed branches
  PronyState scratch;
  if constexpr (std::is_same_v<Law, CompressibleNeoHookean>) {
    const IsoResponse r = L.response(C);
    return {r.S, r.D};
  } else if constexpr (std::is_same_v<Law, HyperelasticLaw>) {
    const IsoResponse r = total_response(L, C, f0);
    return {r.S, r.D};
  } else if constexpr (std::is_same_v<Law, TissueMaterial>) {
    const TissueResponse now = tissue_response(L, C, f0, T, a, 0.0, prev, scratch);
    Mat6 D = now.D;
    if (kind == ElastographyModulus::long_term)
      D = tissue_response(L, C, f0, T, a, kForever, prev, scratch).D;
    const VolResponse v = volumetric_response(L.elastic.vol, C);
    return {now.S + v.S, D + v.D};
  } else {  // PeerViscoelastic
    const Real mu = L.elastic.mu, bulk = L.elastic.lambda + 2.0 / 3.0 * L.elastic.mu;
    const ViscoResponse now =
        peer_prony_update(L.prony, prev, C, L.elastic.response(C), 0.0, 1.0, mu, bulk, scratch);
    Mat6 D = now.D;
    if (kind == ElastographyModulus::long_term)
      D = peer_prony_update(L.prony, prev, C, L.elastic.response(C), kForever, 1.0, mu, bulk, scratch).D;
    return {now.S, D};
  }
}

}  // namespace

ShearModuli acoustic_shear_moduli(const Mat3& F, const Mat3& S, const Mat6& D, const Vec3& f0) {
  const Real J = F.determinant();
  const Mat3 sigma = F * S * F.transpose() / J;
  ShearModuli out;
  if (f0.squaredNorm() < 1e-24) {
    Real sum = 0;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        if (i != j) sum += wave_modulus(F, D, sigma, J, Vec3::Unit(i), Vec3::Unit(j));
    out.mu_parallel = out.mu_perp = sum / 6.0;
    return out;
  }
  const Vec3 f = (F * f0).normalized();
  int k = 0;
  for (int i = 1; i < 3; ++i)
    if (std::abs(f[i]) < std::abs(f[k])) k = i;
  const Vec3 s = (Vec3::Unit(k) - f[k] * f).normalized();
  const Vec3 t = f.cross(s);
  out.mu_parallel = 0.5 * (wave_modulus(F, D, sigma, J, f, s) + wave_modulus(F, D, sigma, J, f, t));
  out.mu_perp = 0.5 * (wave_modulus(F, D, sigma, J, s, t) + wave_modulus(F, D, sigma, J, t, s));
  return out;
}

Elastography::Elastography(ElastographyOptions options) : options_(options) {}

ElastographyResult Elastography::compute(const StepView& view) const {
  view.validate();
  const SolidProblem& solid = *view.solid;
  const Mesh& m = solid.mesh();
  const GeometryCache& g = solid.geometry();
  const int nq = g.n_qp(), nen = m.cell_size();
  ElastographyResult out;
  out.cell_mu_parallel = VectorX::Zero(m.n_cells());
  out.cell_mu_perp = VectorX::Zero(m.n_cells());
  static const PronyState undeformed{};
  for (int r = 0; r < m.regions.size(); ++r) {
    const RegionMechanics& rm = solid.materials()[static_cast<size_t>(r)];
    RegionElasticity re;
    re.region = m.regions[r].name;
    Real vol = 0, mass = 0, cur_vol = 0;
    std::visit(
        [&](const auto& L) {
          using Law = std::decay_t<decltype(L)>;
          Real T_ref = kCelsius + 37.0;
          if constexpr (std::is_same_v<Law, TissueMaterial>) T_ref = L.thermal.T_ref;
          for (Index e : m.cells_in_region(r)) {
            const Vec3 f0 = m.fibres.row(e).transpose();
            Real cv = 0, cp = 0, cV = 0;
            for (int q = 0; q < nq; ++q) {
              const Real* gr = g.grad(e, q);
              Mat3 F = Mat3::Identity();
              Real T = 0;
              for (int a = 0; a < nen; ++a) {
                const Index node = m.cells(e, a);
                if (view.displacement)
                  for (int i = 0; i < 3; ++i)
                    for (int j = 0; j < 3; ++j) F(i, j) += (*view.displacement)[3 * node + i] * gr[a * 3 + j];
                if (view.temperature && view.temperature->size() > 0)
                  T += g.shape(q, a) * (*view.temperature)[node];
              }
              if (!(view.temperature && view.temperature->size() > 0)) T = T_ref;
              const Real a = view.tone && view.tone->size() > 0 ? (*view.tone)[e * nq + q] : 0.0;
              const PronyState& prev = view.history ? view.history->at(e, q) : undeformed;
              const Mat3 C = F.transpose() * F;
              const PointState ps = point_state(L, C, f0, T, a, prev, options_.modulus);
              const ShearModuli sm = acoustic_shear_moduli(F, ps.S, ps.D, f0);
              const Real dV = g.dV(e, q), J = F.determinant();
              cv += sm.mu_parallel * dV;
              cp += sm.mu_perp * dV;
              cV += dV;
              cur_vol += J * dV;
            }
            out.cell_mu_parallel[e] = cv / cV;
            out.cell_mu_perp[e] = cp / cV;
            re.modulus.mu_parallel += cv;
            re.modulus.mu_perp += cp;
            vol += cV;
            mass += rm.density * cV;
          }
        },
        rm.law);
    if (vol > 0) {
      re.modulus.mu_parallel /= vol;
      re.modulus.mu_perp /= vol;
      re.density = mass / cur_vol;
      re.speed_parallel = std::sqrt(std::max(re.modulus.mu_parallel, 0.0) / re.density);
      re.speed_perp = std::sqrt(std::max(re.modulus.mu_perp, 0.0) / re.density);
    }
    out.regions.push_back(re);
  }
  return out;
}

void append_elastography_series(const ElastographyResult& r, Observations& out) {
  for (const auto& re : r.regions) {
    if (re.density <= 0) continue;
    out.series.push_back({re.region, "shear_modulus", re.modulus.mu_parallel, "Pa"});
    out.series.push_back({re.region, "shear_modulus_across", re.modulus.mu_perp, "Pa"});
    out.series.push_back({re.region, "shear_wave_speed", re.speed_parallel, "m/s"});
    out.series.push_back({re.region, "shear_wave_speed_across", re.speed_perp, "m/s"});
  }
}

void Elastography::on_step(const StepView& view, Observations& out) {
  append_elastography_series(compute(view), out);
}

}  // namespace tissue
