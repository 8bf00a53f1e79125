#include "libtissue/fem/reference_cell.hpp"

#include <cmath>

namespace tissue {

Eigen::Matrix<Real, 8, 1> Hex8::shape(const Vec3& xi) {
  Eigen::Matrix<Real, 8, 1> N;
  for (int a = 0; a < 8; ++a)
    N[a] = 0.125 * (1 + nodes[a][0] * xi[0]) * (1 + nodes[a][1] * xi[1]) * (1 + nodes[a][2] * xi[2]);
  return N;
}

Eigen::Matrix<Real, 8, 3> Hex8::gradients(const Vec3& xi) {
  Eigen::Matrix<Real, 8, 3> G;
  for (int a = 0; a < 8; ++a) {
    const Real x = nodes[a][0], y = nodes[a][1], z = nodes[a][2];
    G(a, 0) = 0.125 * x * (1 + y * xi[1]) * (1 + z * xi[2]);
    G(a, 1) = 0.125 * y * (1 + x * xi[0]) * (1 + z * xi[2]);
    G(a, 2) = 0.125 * z * (1 + x * xi[0]) * (1 + y * xi[1]);
  }
  return G;
}

Vec3 Hex8::qp(int q) {
  const Real g = 1.0 / std::sqrt(3.0);
  return Vec3(nodes[q][0] * g, nodes[q][1] * g, nodes[q][2] * g);
}

Eigen::Matrix<Real, 4, 1> Tet4::shape(const Vec3& xi) {
  return Eigen::Matrix<Real, 4, 1>(1 - xi[0] - xi[1] - xi[2], xi[0], xi[1], xi[2]);
}

Eigen::Matrix<Real, 4, 3> Tet4::gradients(const Vec3&) {
  Eigen::Matrix<Real, 4, 3> G;
  G << -1, -1, -1, 1, 0, 0, 0, 1, 0, 0, 0, 1;
  return G;
}

Vec3 Tet4::qp(int q) {
  const Real a = 0.5854101966249685, b = 0.1381966011250105;
  switch (q) {
    case 0:
      return Vec3(b, b, b);
    case 1:
      return Vec3(a, b, b);
    case 2:
      return Vec3(b, a, b);
    default:
      return Vec3(b, b, a);
  }
}

Eigen::Matrix<Real, 4, 1> Quad4::shape(Real s, Real t) {
  return Eigen::Matrix<Real, 4, 1>(0.25 * (1 - s) * (1 - t), 0.25 * (1 + s) * (1 - t),
                                   0.25 * (1 + s) * (1 + t), 0.25 * (1 - s) * (1 + t));
}

Eigen::Matrix<Real, 4, 2> Quad4::gradients(Real s, Real t) {
  Eigen::Matrix<Real, 4, 2> G;
  G << -0.25 * (1 - t), -0.25 * (1 - s), 0.25 * (1 - t), -0.25 * (1 + s), 0.25 * (1 + t), 0.25 * (1 + s),
      -0.25 * (1 + t), 0.25 * (1 - s);
  return G;
}

FacetQuadPoint Quad4::qp(int q) {
  const Real g = 1.0 / std::sqrt(3.0);
  const Real s[4] = {-g, g, g, -g}, t[4] = {-g, -g, g, g};
  return {s[q], t[q], 1.0};
}

Eigen::Matrix<Real, 3, 1> Tri3::shape(Real s, Real t) {
  return Eigen::Matrix<Real, 3, 1>(1 - s - t, s, t);
}

Eigen::Matrix<Real, 3, 2> Tri3::gradients(Real, Real) {
  Eigen::Matrix<Real, 3, 2> G;
  G << -1, -1, 1, 0, 0, 1;
  return G;
}

FacetQuadPoint Tri3::qp(int q) {
  const Real a = 2.0 / 3.0, b = 1.0 / 6.0;
  const Real s[3] = {b, a, b}, t[3] = {b, b, a};
  return {s[q], t[q], 1.0 / 6.0};
}

}  // namespace tissue
