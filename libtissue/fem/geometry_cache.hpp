// Reference-configuration geometry at quadrature points, computed once (total Lagrangian).
#pragma once

#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// dN/dX and J0*w at every quadrature point of every cell, plus the shape values at the points.
/// Memory: #cells * n_qp * (3 * n_nodes + 1) doubles.
class GeometryCache {
 public:
  /// Computes the cache; throws InputError naming the cell if a Jacobian is not positive.
  explicit GeometryCache(const Mesh& mesh);

  /// Quadrature points per cell.
  int n_qp() const { return n_qp_; }
  /// Nodes per cell.
  int n_nodes() const { return n_nodes_; }
  /// Pointer to dN_a/dX_j of cell e at point q, stored node-major: [a * 3 + j].
  const Real* grad(Index e, int q) const {
    return grad_.data() + (static_cast<size_t>(e) * n_qp_ + static_cast<size_t>(q)) * 3 * n_nodes_;
  }
  /// Reference volume element J0 * w of cell e at point q [m^3].
  Real dV(Index e, int q) const { return dv_[static_cast<size_t>(e) * n_qp_ + static_cast<size_t>(q)]; }
  /// Shape value N_a at point q (the same for every cell).
  Real shape(int q, int a) const {
    return shape_[static_cast<size_t>(q) * n_nodes_ + static_cast<size_t>(a)];
  }
  /// Reference volume of cell e [m^3].
  Real cell_volume(Index e) const;

 private:
  int n_qp_ = 0, n_nodes_ = 0;
  std::vector<Real> grad_, dv_, shape_;
};

/// Reference position of quadrature point q of cell e [m].
Vec3 quadrature_point_position(const Mesh& mesh, const GeometryCache& geo, Index e, int q);

}  // namespace tissue
