// The nonlinear system r(x) = 0 that NewtonSolver solves.
#pragma once

#include <limits>

#include "libtissue/core/types.hpp"
#include "libtissue/linalg/sparse.hpp"

namespace tissue {

/// A nonlinear system r(x) = 0 with tangent K = dr/dx, optionally the gradient of an energy
/// (r = dE/dx), which enables the energy line search.
class NewtonProblem {
 public:
  /// Virtual destructor: problems are used through references to this interface.
  virtual ~NewtonProblem() = default;

  /// Number of unknowns and equations.
  virtual Index n_equations() const = 0;

  /// Evaluates r(x) into *residual and K(x) = dr/dx into *tangent; either pointer may be null
  /// (then skip that output). *tangent is owned by the solver and keeps its pattern between calls:
  /// build the pattern when it is empty or of the wrong size, otherwise write only its values.
  /// Both triangles of a symmetric tangent must be stored.
  virtual void evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent) = 0;

  /// True when energy() is implemented and residual = d(energy)/dx.
  virtual bool has_energy() const { return false; }

  /// Energy E(x) whose gradient is the residual [J, or the problem's unit]; NaN if not implemented.
  virtual Real energy(const VectorX& /*x*/) { return std::numeric_limits<Real>::quiet_NaN(); }

  /// False if x is inadmissible (e.g. an inverted element); Newton then backtracks the step.
  virtual bool accept(const VectorX& /*x*/) { return true; }
};

}  // namespace tissue
