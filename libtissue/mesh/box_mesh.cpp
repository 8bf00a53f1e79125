#include "libtissue/mesh/box_mesh.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"

namespace tissue {

Mesh make_box_mesh(const BoxMeshOptions& o) {
  require(o.nx >= 1 && o.ny >= 1 && o.nz >= 1, "box.n",
          "divisions must be at least 1, got " + std::to_string(o.nx) + " x " + std::to_string(o.ny) + " x " +
              std::to_string(o.nz));
  require(o.lo.allFinite() && o.hi.allFinite() && (o.hi - o.lo).minCoeff() > 0, "box.hi",
          "upper corner must exceed the lower corner in x, y and z");
  require(o.fibre.allFinite(), "box.fibre", "fibre direction must be finite");
  const Index nx = o.nx, ny = o.ny, nz = o.nz;
  const Index sx = nx + 1, sy = ny + 1, sz = nz + 1;
  Mesh m;
  m.cell_type = o.cell_type;
  m.regions.add(Region{o.region, o.kind, o.side});
  m.nodes.resize(sx * sy * sz, 3);
  const auto nid = [&](Index i, Index j, Index k) { return i + sx * (j + sy * k); };
  const Index n[3] = {nx, ny, nz};
  const auto coord = [&](int d, Index i) {
    return i == n[d] ? o.hi[d]
                     : o.lo[d] + (o.hi[d] - o.lo[d]) * static_cast<Real>(i) / static_cast<Real>(n[d]);
  };
  for (Index k = 0; k < sz; ++k)
    for (Index j = 0; j < sy; ++j)
      for (Index i = 0; i < sx; ++i) m.nodes.row(nid(i, j, k)) << coord(0, i), coord(1, j), coord(2, k);

  const Index nhex = nx * ny * nz;
  const int per_hex = o.cell_type == CellType::hex8 ? 1 : 6;
  m.cells.resize(nhex * per_hex, m.cell_size());
  Index c = 0;
  for (Index k = 0; k < nz; ++k)
    for (Index j = 0; j < ny; ++j)
      for (Index i = 0; i < nx; ++i) {
        const std::array<Index, 8> h = {
            nid(i, j, k),     nid(i + 1, j, k),     nid(i + 1, j + 1, k),     nid(i, j + 1, k),
            nid(i, j, k + 1), nid(i + 1, j, k + 1), nid(i + 1, j + 1, k + 1), nid(i, j + 1, k + 1)};
        if (o.cell_type == CellType::hex8) {
          for (int a = 0; a < 8; ++a) m.cells(c, a) = h[static_cast<size_t>(a)];
          ++c;
          continue;
        }
        // Kuhn split: one tet per axis permutation, walking from corner (0,0,0) to (1,1,1). Every
        // face diagonal runs from the face's lowest to its highest corner, so neighbours conform.
        static constexpr int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        const auto corner = [&](int bx, int by, int bz) {
          // VTK local index of the corner with offsets (bx, by, bz).
          static constexpr int local[2][2][2] = {{{0, 4}, {3, 7}}, {{1, 5}, {2, 6}}};
          return h[static_cast<size_t>(local[bx][by][bz])];
        };
        for (const auto& p : perms) {
          int b[3] = {0, 0, 0};
          std::array<Index, 4> t;
          t[0] = corner(0, 0, 0);
          for (int s = 0; s < 3; ++s) {
            b[p[s]] = 1;
            t[static_cast<size_t>(s) + 1] = corner(b[0], b[1], b[2]);
          }
          // Odd permutations give a negatively oriented tet: swap two nodes.
          const bool odd = (p[0] == 0 && p[1] == 2) || (p[0] == 1 && p[1] == 0) || (p[0] == 2 && p[1] == 1);
          if (odd) std::swap(t[1], t[2]);
          for (int a = 0; a < 4; ++a) m.cells(c, a) = t[static_cast<size_t>(a)];
          ++c;
        }
      }
  m.region.assign(static_cast<size_t>(m.n_cells()), 0);
  const Real len = o.fibre.norm();
  const Vec3 f = len > 0 ? Vec3(o.fibre / len) : Vec3::Zero();
  m.fibres.resize(m.n_cells(), 3);
  for (Index e = 0; e < m.n_cells(); ++e) m.fibres.row(e) = f.transpose();

  // Node sets and facet sets by grid index.
  const char* names[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};
  const auto on_side = [&](Index node, int side) {
    const Index i = node % sx, j = (node / sx) % sy, k = node / (sx * sy);
    const Index g[3] = {i, j, k};
    const int d = side / 2;
    return g[d] == (side % 2 == 0 ? 0 : n[d]);
  };
  const FacetSet boundary = boundary_facets(m);
  for (int s = 0; s < 6; ++s) {
    NodeSet ns{names[s], {}};
    for (Index v = 0; v < m.n_nodes(); ++v)
      if (on_side(v, s)) ns.nodes.push_back(v);
    m.node_sets.push_back(std::move(ns));
    FacetSet fs;
    fs.name = names[s];
    for (Index fi = 0; fi < boundary.size(); ++fi) {
      const auto& fn = boundary.nodes[static_cast<size_t>(fi)];
      bool all = true;
      for (Index v : fn)
        if (v >= 0) all = all && on_side(v, s);
      if (all) {
        fs.nodes.push_back(fn);
        fs.cell.push_back(boundary.cell[static_cast<size_t>(fi)]);
      }
    }
    m.facet_sets.push_back(std::move(fs));
  }
  return m;
}

}  // namespace tissue
