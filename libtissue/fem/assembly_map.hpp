// Fixed sparsity pattern of a global matrix and the element-entry -> value-slot scatter map,
// which makes assembly a lock-free "values[slot] += k" over conflict-free element colours.
#pragma once

#include <Eigen/SparseCore>
#include <vector>

#include "libtissue/core/parallel.hpp"
#include "libtissue/core/sparse_matrix.hpp"
#include "libtissue/fem/dof_map.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Pattern of a global matrix plus, for each cell, the value slot of each element-matrix entry.
class AssemblyMap {
 public:
  /// Builds the pattern of all equation pairs that share a cell and the scatter slots.
  AssemblyMap(const Mesh& mesh, const DofMap& dofs);

  /// A matrix with the full pattern and zero values.
  SparseMatrix make_matrix() const;
  /// Element dofs per cell (nodes_per_cell * components).
  int element_dofs() const { return nd_; }
  /// Value slots of cell e: element_dofs()^2 entries, row-major over local dofs (a*comps+i),
  /// -1 where the row or column dof is constrained.
  const int* slots(Index e) const { return slots_.data() + static_cast<size_t>(e) * nd_ * nd_; }
  /// Number of stored non-zeros.
  Index nonzeros() const { return static_cast<Index>(rows_.size()); }

 private:
  int nd_ = 0;
  Index n_eq_ = 0;
  std::vector<int> colptr_, rows_;
  std::vector<int> slots_;
};

/// Greedy colouring of the given cells so that no two cells of one colour share a node.
/// Colours list cells in increasing id order, so the colouring is deterministic.
std::vector<std::vector<Index>> color_cells(const Mesh& mesh, const std::vector<Index>& cells);

/// Greedy colouring of all cells of the mesh (no two cells of a colour share a node), each colour split by
/// region (groups in region order): the input of parallel_for_colored_groups for region-wise kernels.
ColoredRegions color_regions(const Mesh& mesh);

}  // namespace tissue
