#include "libtissue/fem/geometry_cache.hpp"

#include <Eigen/Dense>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/fem/reference_cell.hpp"

namespace tissue {
namespace {
template <class Cell>
void fill(const Mesh& mesh, std::vector<Real>& grad, std::vector<Real>& dv, std::vector<Real>& shape) {
  constexpr int nen = Cell::n_nodes, nq = Cell::n_qp;
  const Index ne = mesh.n_cells();
  grad.resize(static_cast<size_t>(ne) * nq * 3 * nen);
  dv.resize(static_cast<size_t>(ne) * nq);
  shape.resize(static_cast<size_t>(nq) * nen);
  std::array<Eigen::Matrix<Real, nen, 3>, nq> dNdxi;
  for (int q = 0; q < nq; ++q) {
    dNdxi[q] = Cell::gradients(Cell::qp(q));
    const auto N = Cell::shape(Cell::qp(q));
    for (int a = 0; a < nen; ++a) shape[static_cast<size_t>(q) * nen + a] = N[a];
  }
  for (Index e = 0; e < ne; ++e) {
    Eigen::Matrix<Real, nen, 3> X;
    for (int a = 0; a < nen; ++a) X.row(a) = mesh.nodes.row(mesh.cells(e, a));
    for (int q = 0; q < nq; ++q) {
      const Mat3 J = X.transpose() * dNdxi[q];  // dX_i / dxi_j
      const Real det = J.determinant();
      if (!(det > 0))
        throw InputError("mesh", "cell " + std::to_string(e) + " is inverted or degenerate (Jacobian " +
                                     std::to_string(det) + " at quadrature point " + std::to_string(q) + ")");
      const Eigen::Matrix<Real, nen, 3> G = dNdxi[q] * J.inverse();
      Real* g = grad.data() + (static_cast<size_t>(e) * nq + q) * 3 * nen;
      for (int a = 0; a < nen; ++a)
        for (int j = 0; j < 3; ++j) g[a * 3 + j] = G(a, j);
      dv[static_cast<size_t>(e) * nq + q] = det * Cell::qw(q);
    }
  }
}
}  // namespace

GeometryCache::GeometryCache(const Mesh& mesh) {
  if (mesh.cell_type == CellType::hex8) {
    n_qp_ = Hex8::n_qp;
    n_nodes_ = Hex8::n_nodes;
    fill<Hex8>(mesh, grad_, dv_, shape_);
  } else {
    n_qp_ = Tet4::n_qp;
    n_nodes_ = Tet4::n_nodes;
    fill<Tet4>(mesh, grad_, dv_, shape_);
  }
}

Real GeometryCache::cell_volume(Index e) const {
  Real v = 0;
  for (int q = 0; q < n_qp_; ++q) v += dV(e, q);
  return v;
}

Vec3 quadrature_point_position(const Mesh& mesh, const GeometryCache& geo, Index e, int q) {
  Vec3 x = Vec3::Zero();
  for (int a = 0; a < geo.n_nodes(); ++a) x += geo.shape(q, a) * mesh.nodes.row(mesh.cells(e, a)).transpose();
  return x;
}

}  // namespace tissue
