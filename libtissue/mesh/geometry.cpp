#include "libtissue/mesh/geometry.hpp"

#include <Eigen/Geometry>
#include <Eigen/LU>
#include <algorithm>

namespace tissue {

namespace {
constexpr std::array<std::array<int, 4>, 6> kHexFaces = {{
    {0, 3, 2, 1},  // z- (bottom)
    {4, 5, 6, 7},  // z+ (top)
    {0, 1, 5, 4},  // y-
    {2, 3, 7, 6},  // y+
    {3, 0, 4, 7},  // x-
    {1, 2, 6, 5},  // x+
}};
constexpr std::array<std::array<int, 4>, 4> kTetFaces = {{
    {0, 2, 1, -1},
    {0, 1, 3, -1},
    {1, 2, 3, -1},
    {0, 3, 2, -1},
}};

Vec3 node(const Mesh& m, Index i) {
  return m.nodes.row(i).transpose();
}
}  // namespace

std::span<const std::array<int, 4>> cell_faces(CellType t) {
  if (t == CellType::hex8) return {kHexFaces.data(), kHexFaces.size()};
  return {kTetFaces.data(), kTetFaces.size()};
}

Vec3 cell_centre(const Mesh& mesh, Index cell) {
  Vec3 c = Vec3::Zero();
  const int n = mesh.cell_size();
  for (int a = 0; a < n; ++a) c += node(mesh, mesh.cells(cell, a));
  return c / n;
}

Real cell_volume(const Mesh& mesh, Index cell) {
  if (mesh.cell_type == CellType::tet4) {
    const Vec3 x0 = node(mesh, mesh.cells(cell, 0));
    Mat3 J;
    for (int a = 0; a < 3; ++a) J.col(a) = node(mesh, mesh.cells(cell, a + 1)) - x0;
    return J.determinant() / 6.0;
  }
  // Trilinear hex: det J is of degree <= 2 per reference coordinate, so 2x2x2 Gauss is exact.
  static constexpr int sx[8] = {-1, 1, 1, -1, -1, 1, 1, -1};
  static constexpr int sy[8] = {-1, -1, 1, 1, -1, -1, 1, 1};
  static constexpr int sz[8] = {-1, -1, -1, -1, 1, 1, 1, 1};
  Eigen::Matrix<Real, 8, 3> X;
  for (int a = 0; a < 8; ++a) X.row(a) = mesh.nodes.row(mesh.cells(cell, a));
  const Real g = 1.0 / std::sqrt(3.0);
  Real vol = 0;
  for (int q = 0; q < 8; ++q) {
    const Real xi = sx[q] * g, eta = sy[q] * g, zeta = sz[q] * g;
    Eigen::Matrix<Real, 3, 8> dN;
    for (int a = 0; a < 8; ++a) {
      dN(0, a) = 0.125 * sx[a] * (1 + sy[a] * eta) * (1 + sz[a] * zeta);
      dN(1, a) = 0.125 * sy[a] * (1 + sx[a] * xi) * (1 + sz[a] * zeta);
      dN(2, a) = 0.125 * sz[a] * (1 + sx[a] * xi) * (1 + sy[a] * eta);
    }
    const Mat3 J = dN * X;  // rows: d/dxi; J(i, k) = dX_k / dxi_i
    vol += J.determinant();
  }
  return vol;
}

Real region_volume(const Mesh& mesh, int region_id) {
  Real v = 0;
  for (Index e = 0; e < mesh.n_cells(); ++e)
    if (mesh.region[static_cast<size_t>(e)] == region_id) v += cell_volume(mesh, e);
  return v;
}

Vec3 facet_area_normal(const Mesh& mesh, const FacetSet& set, Index f) {
  const auto& n = set.nodes[static_cast<size_t>(f)];
  if (n[3] < 0) {
    const Vec3 a = node(mesh, n[0]), b = node(mesh, n[1]), c = node(mesh, n[2]);
    return 0.5 * (b - a).cross(c - a);
  }
  // Quad: half the cross product of the diagonals (exact area vector for planar quads).
  const Vec3 a = node(mesh, n[0]), b = node(mesh, n[1]), c = node(mesh, n[2]), d = node(mesh, n[3]);
  return 0.5 * (c - a).cross(d - b);
}

FacetSet boundary_facets(const Mesh& mesh, std::string name) {
  struct Entry {
    std::array<Index, 4> key;
    Index cell;
    int local;
  };
  const auto faces = cell_faces(mesh.cell_type);
  std::vector<Entry> all;
  all.reserve(static_cast<size_t>(mesh.n_cells()) * faces.size());
  for (Index e = 0; e < mesh.n_cells(); ++e) {
    for (size_t lf = 0; lf < faces.size(); ++lf) {
      std::array<Index, 4> key{-1, -1, -1, -1};
      const int nf = faces[lf][3] < 0 ? 3 : 4;
      for (int a = 0; a < nf; ++a)
        key[static_cast<size_t>(a)] = mesh.cells(e, faces[lf][static_cast<size_t>(a)]);
      detail::sort_face_key(key, nf);
      all.push_back({key, e, static_cast<int>(lf)});
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Entry& a, const Entry& b) { return a.key != b.key ? a.key < b.key : a.cell < b.cell; });
  FacetSet out;
  out.name = std::move(name);
  for (size_t i = 0; i < all.size();) {
    size_t j = i + 1;
    while (j < all.size() && all[j].key == all[i].key) ++j;
    if (j == i + 1) {
      const auto& lf = faces[static_cast<size_t>(all[i].local)];
      std::array<Index, 4> nodes{-1, -1, -1, -1};
      for (size_t a = 0; a < 4; ++a)
        if (lf[a] >= 0) nodes[a] = mesh.cells(all[i].cell, lf[a]);
      out.nodes.push_back(nodes);
      out.cell.push_back(all[i].cell);
    }
    i = j;
  }
  return out;
}

}  // namespace tissue
