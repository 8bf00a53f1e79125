#include "libtissue/fem/assembly_map.hpp"

#include <algorithm>

namespace tissue {

AssemblyMap::AssemblyMap(const Mesh& mesh, const DofMap& dofs) {
  const int nen = mesh.cell_size();
  const int nc = dofs.components();
  nd_ = nen * nc;
  n_eq_ = dofs.n_equations();
  const Index nn = mesh.n_nodes(), ne = mesh.n_cells();

  // Node-to-node adjacency through cells (sorted, unique, including the node itself).
  std::vector<std::vector<Index>> adj(static_cast<size_t>(nn));
  for (Index e = 0; e < ne; ++e)
    for (int a = 0; a < nen; ++a)
      for (int b = 0; b < nen; ++b) adj[static_cast<size_t>(mesh.cells(e, a))].push_back(mesh.cells(e, b));
  for (auto& v : adj) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }

  // Column j = equation of (node m, comp c): rows are the equations of m's neighbours, sorted
  // because equations are numbered node-major.
  colptr_.assign(static_cast<size_t>(n_eq_) + 1, 0);
  for (Index m = 0; m < nn; ++m)
    for (int c = 0; c < nc; ++c) {
      const Index j = dofs.equation(m, c);
      if (j < 0) continue;
      int count = 0;
      for (Index n : adj[static_cast<size_t>(m)])
        for (int k = 0; k < nc; ++k) count += dofs.equation(n, k) >= 0;
      colptr_[static_cast<size_t>(j) + 1] = count;
    }
  for (size_t j = 0; j < static_cast<size_t>(n_eq_); ++j) colptr_[j + 1] += colptr_[j];
  rows_.resize(static_cast<size_t>(colptr_.back()));
  for (Index m = 0; m < nn; ++m)
    for (int c = 0; c < nc; ++c) {
      const Index j = dofs.equation(m, c);
      if (j < 0) continue;
      int pos = colptr_[static_cast<size_t>(j)];
      for (Index n : adj[static_cast<size_t>(m)])
        for (int k = 0; k < nc; ++k)
          if (const Index i = dofs.equation(n, k); i >= 0) rows_[static_cast<size_t>(pos++)] = i;
    }
  adj.clear();

  // Scatter slots: binary search of the row in its column.
  slots_.resize(static_cast<size_t>(ne) * nd_ * nd_);
  std::vector<Index> eq(static_cast<size_t>(nd_));
  for (Index e = 0; e < ne; ++e) {
    for (int a = 0; a < nen; ++a)
      for (int i = 0; i < nc; ++i) eq[static_cast<size_t>(a * nc + i)] = dofs.equation(mesh.cells(e, a), i);
    int* s = slots_.data() + static_cast<size_t>(e) * nd_ * nd_;
    for (int r = 0; r < nd_; ++r)
      for (int c = 0; c < nd_; ++c) {
        const Index row = eq[static_cast<size_t>(r)], col = eq[static_cast<size_t>(c)];
        if (row < 0 || col < 0) {
          s[r * nd_ + c] = -1;
          continue;
        }
        const auto begin = rows_.begin() + colptr_[static_cast<size_t>(col)];
        const auto end = rows_.begin() + colptr_[static_cast<size_t>(col) + 1];
        s[r * nd_ + c] = static_cast<int>(std::lower_bound(begin, end, row) - rows_.begin());
      }
  }
}

SparseMatrix AssemblyMap::make_matrix() const {
  SparseMatrix K(n_eq_, n_eq_);
  K.resizeNonZeros(static_cast<Index>(rows_.size()));
  std::copy(colptr_.begin(), colptr_.end(), K.outerIndexPtr());
  std::copy(rows_.begin(), rows_.end(), K.innerIndexPtr());
  std::fill(K.valuePtr(), K.valuePtr() + rows_.size(), 0.0);
  return K;
}

std::vector<std::vector<Index>> color_cells(const Mesh& mesh, const std::vector<Index>& cells) {
  const int nen = mesh.cell_size();
  // For each node, a bitmask of the colours already used by cells touching it (up to 64 colours;
  // structured hex meshes need 8, unstructured tet meshes typically < 40).
  std::vector<std::uint64_t> used(static_cast<size_t>(mesh.n_nodes()), 0);
  std::vector<std::vector<Index>> colors;
  for (Index e : cells) {
    std::uint64_t mask = 0;
    for (int a = 0; a < nen; ++a) mask |= used[static_cast<size_t>(mesh.cells(e, a))];
    int c = 0;
    while (c < 64 && (mask >> c & 1u)) ++c;
    if (c == 64) throw std::runtime_error("color_cells: more than 64 colours needed");
    if (c >= static_cast<int>(colors.size())) colors.resize(static_cast<size_t>(c) + 1);
    colors[static_cast<size_t>(c)].push_back(e);
    for (int a = 0; a < nen; ++a) used[static_cast<size_t>(mesh.cells(e, a))] |= std::uint64_t{1} << c;
  }
  return colors;
}

ColoredRegions color_regions(const Mesh& mesh) {
  std::vector<Index> all(static_cast<size_t>(mesh.n_cells()));
  for (Index e = 0; e < mesh.n_cells(); ++e) all[static_cast<size_t>(e)] = e;
  ColoredRegions out;
  for (const auto& color : color_cells(mesh, all)) {
    std::vector<ColorGroup> groups;
    for (int r = 0; r < mesh.regions.size(); ++r) {
      ColorGroup g{r, {}};
      for (Index e : color)
        if (mesh.region[static_cast<size_t>(e)] == r) g.items.push_back(e);
      if (!g.items.empty()) groups.push_back(std::move(g));
    }
    out.push_back(std::move(groups));
  }
  return out;
}

}  // namespace tissue
