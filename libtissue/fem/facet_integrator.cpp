#include "libtissue/fem/facet_integrator.hpp"

#include <Eigen/Dense>

#include "libtissue/fem/reference_cell.hpp"

namespace tissue {
namespace {
template <class Facet>
void build(const Mesh& mesh, const FacetSet& set, std::vector<Vec3>& X, std::vector<Vec3>& N,
           std::vector<Real>& dA, std::vector<Real>& shape) {
  constexpr int nc = Facet::n_nodes;
  for (Index f = 0; f < set.size(); ++f) {
    Eigen::Matrix<Real, nc, 3> P;
    for (int a = 0; a < nc; ++a)
      P.row(a) = mesh.nodes.row(set.nodes[static_cast<size_t>(f)][static_cast<size_t>(a)]);
    for (int q = 0; q < Facet::n_qp; ++q) {
      const FacetQuadPoint qp = Facet::qp(q);
      const auto Ns = Facet::shape(qp.s, qp.t);
      const auto G = Facet::gradients(qp.s, qp.t);
      const Vec3 xs = P.transpose() * G.col(0), xt = P.transpose() * G.col(1);
      const Vec3 n = xs.cross(xt);
      const Real len = n.norm();
      X.push_back(P.transpose() * Ns);
      N.push_back(n / len);
      dA.push_back(len * qp.w);
      for (int a = 0; a < 4; ++a) shape.push_back(a < nc ? Ns[a] : 0.0);
    }
  }
}
}  // namespace

FacetQuadrature::FacetQuadrature(const Mesh& mesh, const FacetSet& set) : facet_nodes_(set.nodes) {
  if (mesh.cell_type == CellType::hex8) {
    npf_ = Quad4::n_qp;
    build<Quad4>(mesh, set, X_, N_, dA_, shape_);
  } else {
    npf_ = Tri3::n_qp;
    build<Tri3>(mesh, set, X_, N_, dA_, shape_);
  }
}

Real FacetQuadrature::total_area() const {
  Real a = 0;
  for (Real d : dA_) a += d;
  return a;
}

void FacetQuadrature::add_vector_load(const std::vector<Vec3>& t, VectorX& f) const {
  const int nc = npf_ == 4 ? 4 : 3;
  for (Index p = 0; p < size(); ++p) {
    const auto& nodes = facet_nodes_[static_cast<size_t>(facet_of(p))];
    for (int a = 0; a < nc; ++a)
      f.segment<3>(3 * static_cast<Index>(nodes[static_cast<size_t>(a)])) +=
          shape(p, a) * area(p) * t[static_cast<size_t>(p)];
  }
}

void FacetQuadrature::add_scalar_load(const std::vector<Real>& flux, VectorX& q) const {
  const int nc = npf_ == 4 ? 4 : 3;
  for (Index p = 0; p < size(); ++p) {
    const auto& nodes = facet_nodes_[static_cast<size_t>(facet_of(p))];
    for (int a = 0; a < nc; ++a)
      q[nodes[static_cast<size_t>(a)]] += shape(p, a) * area(p) * flux[static_cast<size_t>(p)];
  }
}

Real FacetQuadrature::integrate(const std::vector<Real>& values) const {
  Real s = 0;
  for (Index p = 0; p < size(); ++p) s += values[static_cast<size_t>(p)] * area(p);
  return s;
}

}  // namespace tissue
