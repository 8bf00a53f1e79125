// Degrees of freedom: node x component -> equation number (-1 for constrained dofs).
#pragma once

#include <vector>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Maps each (node, component) to an equation index, skipping constrained dofs.
/// Equations are numbered node-major, so a node's free components are consecutive.
class DofMap {
 public:
  /// A map for n_nodes nodes with `components` dofs each (3 for displacement, 1 for temperature).
  DofMap(Index n_nodes, int components);

  /// Marks a dof as constrained (Dirichlet). Call before finalize().
  void constrain(Index node, int component);
  /// Marks every component of the given nodes as constrained.
  void constrain_nodes(const std::vector<Index>& nodes);
  /// Numbers the free dofs. Must be called once after all constraints.
  void finalize();

  /// Equation of (node, component), or -1 if constrained.
  Index equation(Index node, int component) const {
    return eq_[static_cast<size_t>(node) * comps_ + component];
  }
  /// Equation of a flat dof index (node * components + component), or -1.
  Index equation(Index dof) const { return eq_[static_cast<size_t>(dof)]; }
  /// Whether a flat dof is constrained.
  bool constrained(Index dof) const { return eq_[static_cast<size_t>(dof)] < 0; }
  /// Number of free equations.
  Index n_equations() const { return n_eq_; }
  /// The component (0 .. components() - 1) of each free equation, for solvers that treat vector fields by
  /// component (LinearSolver::set_components).
  std::vector<int> equation_components() const;
  /// Number of dofs, free and constrained (n_nodes * components).
  Index n_dofs() const { return static_cast<Index>(eq_.size()); }
  /// Components per node.
  int components() const { return comps_; }
  /// Number of nodes.
  Index n_nodes() const { return n_nodes_; }

  /// Copies the free entries of a full dof vector into an equation vector.
  void gather(const VectorX& full, VectorX& free) const;
  /// Writes an equation vector into the free entries of a full dof vector (constrained entries kept).
  void scatter(const VectorX& free, VectorX& full) const;

 private:
  Index n_nodes_;
  int comps_;
  Index n_eq_ = 0;
  bool finalized_ = false;
  std::vector<Index> eq_;
};

}  // namespace tissue
