// Reference cells (hex8, tet4, quad4, tri3) and their Gauss quadrature rules, at fixed sizes.
#pragma once

#include <array>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Trilinear hexahedron on [-1, 1]^3, VTK/Gmsh node order.
struct Hex8 {
  static constexpr int n_nodes = 8;  ///< nodes per cell
  static constexpr int n_qp = 8;     ///< 2x2x2 Gauss points (exact for the trilinear mass matrix)
  /// Reference coordinates of the nodes.
  static constexpr std::array<std::array<Real, 3>, 8> nodes = {
      {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, -1, 1}, {1, 1, 1}, {-1, 1, 1}}};
  /// Shape functions at a reference point.
  static Eigen::Matrix<Real, 8, 1> shape(const Vec3& xi);
  /// Shape-function gradients d N_a / d xi_j at a reference point (8 x 3).
  static Eigen::Matrix<Real, 8, 3> gradients(const Vec3& xi);
  /// Gauss point q (0..7) in reference coordinates.
  static Vec3 qp(int q);
  /// Gauss weight (all equal to 1).
  static constexpr Real qw(int) { return 1.0; }
};

/// Linear tetrahedron with nodes (0,0,0), (1,0,0), (0,1,0), (0,0,1).
struct Tet4 {
  static constexpr int n_nodes = 4;  ///< nodes per cell
  static constexpr int n_qp = 4;     ///< 4-point rule (degree 2: exact for the linear mass matrix)
  /// Shape functions at a reference point.
  static Eigen::Matrix<Real, 4, 1> shape(const Vec3& xi);
  /// Constant shape-function gradients (4 x 3).
  static Eigen::Matrix<Real, 4, 3> gradients(const Vec3& xi);
  /// Quadrature point q (0..3).
  static Vec3 qp(int q);
  /// Quadrature weight (sum 1/6 = reference volume).
  static constexpr Real qw(int) { return 1.0 / 24.0; }
};

/// A point on a reference facet with its weight and the shape values of the facet's corners.
struct FacetQuadPoint {
  Real s, t;  ///< facet reference coordinates
  Real w;     ///< weight
};

/// Bilinear quadrilateral facet on [-1, 1]^2 (2x2 Gauss) for surface loads on hex meshes.
struct Quad4 {
  static constexpr int n_nodes = 4;  ///< corners
  static constexpr int n_qp = 4;     ///< Gauss points
  /// Shape functions at (s, t).
  static Eigen::Matrix<Real, 4, 1> shape(Real s, Real t);
  /// Derivatives (4 x 2) at (s, t).
  static Eigen::Matrix<Real, 4, 2> gradients(Real s, Real t);
  /// Quadrature point q.
  static FacetQuadPoint qp(int q);
};

/// Linear triangle facet (3-point rule, degree 2) for surface loads on tet meshes.
struct Tri3 {
  static constexpr int n_nodes = 3;  ///< corners
  static constexpr int n_qp = 3;     ///< points
  /// Shape functions at (s, t).
  static Eigen::Matrix<Real, 3, 1> shape(Real s, Real t);
  /// Constant derivatives (3 x 2).
  static Eigen::Matrix<Real, 3, 2> gradients(Real s, Real t);
  /// Quadrature point q (weights sum to 1/2).
  static FacetQuadPoint qp(int q);
};

}  // namespace tissue
