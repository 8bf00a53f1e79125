// Mesh::validate(): structural consistency and element quality (inverted / degenerate cells).
#include <Eigen/Geometry>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

namespace {

// Neighbours of each hex8 corner, ordered so that the triple product is positive for a
// positively oriented (VTK-ordered) hex.
constexpr int kHexCornerEdges[8][3] = {{1, 3, 4}, {2, 0, 5}, {3, 1, 6}, {0, 2, 7},
                                       {7, 5, 0}, {4, 6, 1}, {5, 7, 2}, {6, 4, 3}};
// Relative tolerance: a Jacobian below kTiny * h^3 (h = longest edge) counts as zero.
constexpr Real kTiny = 1e-8;

[[noreturn]] void fail(const std::string& msg) {
  throw InputError("mesh", msg);
}

std::string cell_label(Index e) {
  return "cell " + std::to_string(e);
}

void check_hex(const Mesh& m, Index e) {
  Vec3 x[8];
  for (int a = 0; a < 8; ++a) x[a] = m.nodes.row(m.cells(e, a)).transpose();
  static constexpr int edges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                                       {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  Real h = 0;
  for (const auto& ed : edges) h = std::max(h, (x[ed[1]] - x[ed[0]]).norm());
  const Real tol = kTiny * h * h * h;
  if (!(h > 0)) fail(cell_label(e) + " is degenerate (zero volume)");
  // Corner Jacobians.
  int worst = -1;
  Real worst_det = 0;
  for (int c = 0; c < 8; ++c) {
    const Vec3 a = x[kHexCornerEdges[c][0]] - x[c];
    const Vec3 b = x[kHexCornerEdges[c][1]] - x[c];
    const Vec3 d = x[kHexCornerEdges[c][2]] - x[c];
    const Real det = a.dot(b.cross(d));
    if (worst < 0 || det < worst_det) {
      worst = c;
      worst_det = det;
    }
  }
  // Centre Jacobian: J = 1/8 [sum s_x x, sum s_y x, sum s_z x] at xi = 0.
  static constexpr int sx[8] = {-1, 1, 1, -1, -1, 1, 1, -1};
  static constexpr int sy[8] = {-1, -1, 1, 1, -1, -1, 1, 1};
  static constexpr int sz[8] = {-1, -1, -1, -1, 1, 1, 1, 1};
  Mat3 J = Mat3::Zero();
  for (int a = 0; a < 8; ++a) {
    J.col(0) += 0.5 * sx[a] * x[a];
    J.col(1) += 0.5 * sy[a] * x[a];
    J.col(2) += 0.5 * sz[a] * x[a];
  }
  J /= 4.0;  // edge-vector scale: for a box these columns are the edge vectors
  const Real centre_det = J.determinant();
  const Real vol = cell_volume(m, e);
  if (std::abs(vol) <= tol) fail(cell_label(e) + " is degenerate (zero volume)");
  if (worst_det < -tol)
    fail(cell_label(e) + " is inverted (negative Jacobian at corner " + std::to_string(worst) + ")");
  if (centre_det < -tol) fail(cell_label(e) + " is inverted (negative Jacobian at centre)");
  if (worst_det <= tol)
    fail(cell_label(e) + " is degenerate (zero Jacobian at corner " + std::to_string(worst) + ")");
  if (centre_det <= tol) fail(cell_label(e) + " is degenerate (zero Jacobian at centre)");
}

void check_tet(const Mesh& m, Index e) {
  Vec3 x[4];
  for (int a = 0; a < 4; ++a) x[a] = m.nodes.row(m.cells(e, a)).transpose();
  Real h = 0;
  for (int a = 0; a < 4; ++a)
    for (int b = a + 1; b < 4; ++b) h = std::max(h, (x[b] - x[a]).norm());
  const Real det = (x[1] - x[0]).dot((x[2] - x[0]).cross(x[3] - x[0]));
  const Real tol = kTiny * h * h * h;
  if (std::abs(det) <= tol || !(h > 0)) fail(cell_label(e) + " is degenerate (zero volume)");
  if (det < 0) fail(cell_label(e) + " is inverted (negative volume)");
}

}  // namespace

void Mesh::validate() const {
  const Index nn = n_nodes(), ne = n_cells();
  const int npc = cell_size();
  if (ne == 0) fail("mesh has no cells");
  if (cells.cols() != npc)
    fail("cells has " + std::to_string(cells.cols()) + " columns, expected " + std::to_string(npc) + " for " +
         (cell_type == CellType::hex8 ? "hex8" : "tet4"));
  if (region.size() != static_cast<size_t>(ne))
    fail("region has " + std::to_string(region.size()) + " entries, expected one per cell (" +
         std::to_string(ne) + ")");
  if (fibres.rows() != ne)
    fail("fibres has " + std::to_string(fibres.rows()) + " rows, expected one per cell (" +
         std::to_string(ne) + ")");
  for (Index i = 0; i < nn; ++i)
    if (!nodes.row(i).allFinite()) fail("node " + std::to_string(i) + " has a non-finite coordinate");
  for (Index e = 0; e < ne; ++e) {
    for (int a = 0; a < npc; ++a) {
      const Index n = cells(e, a);
      if (n < 0 || n >= nn)
        fail(cell_label(e) + " refers to node " + std::to_string(n) + ", out of range [0, " +
             std::to_string(nn) + ")");
    }
    const int r = region[static_cast<size_t>(e)];
    if (r < 0 || r >= regions.size())
      fail(cell_label(e) + " has region id " + std::to_string(r) + ", but only " +
           std::to_string(regions.size()) + " regions exist");
    const Real len = fibres.row(e).norm();
    if (!std::isfinite(len) || (len != 0.0 && std::abs(len - 1.0) > 1e-6))
      fail(cell_label(e) + " has a fibre of length " + std::to_string(len) +
           " (must be unit length or zero)");
  }
  // Element quality before the sets: an inverted cell also makes its facets look misordered.
  for (Index e = 0; e < ne; ++e) {
    if (cell_type == CellType::hex8)
      check_hex(*this, e);
    else
      check_tet(*this, e);
  }
  for (const auto& s : node_sets) {
    for (size_t i = 0; i < s.nodes.size(); ++i) {
      const Index n = s.nodes[i];
      if (n < 0 || n >= nn)
        fail("node set '" + s.name + "' refers to node " + std::to_string(n) + ", out of range");
      if (i > 0 && s.nodes[i - 1] >= n) fail("node set '" + s.name + "' is not sorted and unique");
    }
  }
  const auto faces = cell_faces(cell_type);
  for (const auto& s : facet_sets) {
    if (s.cell.size() != s.nodes.size())
      fail("facet set '" + s.name + "' has " + std::to_string(s.cell.size()) + " owning cells for " +
           std::to_string(s.nodes.size()) + " facets");
    const int nf = faces[0][3] < 0 ? 3 : 4;
    for (size_t f = 0; f < s.nodes.size(); ++f) {
      const Index c = s.cell[f];
      const std::string where = "facet " + std::to_string(f) + " of facet set '" + s.name + "'";
      if (c < 0 || c >= ne) fail(where + " has owning cell " + std::to_string(c) + ", out of range");
      if (nf == 3 && s.nodes[f][3] != -1) fail(where + " has 4 nodes but the mesh is tet4");
      for (int a = 0; a < nf; ++a) {
        const Index n = s.nodes[f][static_cast<size_t>(a)];
        if (n < 0 || n >= nn) fail(where + " refers to node " + std::to_string(n) + ", out of range");
      }
      // The facet must be a face of its cell, in outward order (a cyclic rotation of a local face).
      bool found = false;
      for (const auto& lf : faces) {
        for (int rot = 0; rot < nf && !found; ++rot) {
          bool same = true;
          for (int a = 0; a < nf && same; ++a)
            same = s.nodes[f][static_cast<size_t>(a)] == cells(c, lf[static_cast<size_t>((a + rot) % nf)]);
          found = same;
        }
        if (found) break;
      }
      if (!found) fail(where + " is not an outward-ordered face of its owning cell " + std::to_string(c));
    }
  }
}

}  // namespace tissue
