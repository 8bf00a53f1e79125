// The nonlinear system r(x) = 0 that NewtonSolver solves.
#pragma once

#include <limits>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/linalg/sparse.hpp"

namespace tissue {

/// What one evaluation of a NewtonProblem found besides the residual and tangent (one pass gives all).
struct NewtonEvaluation {
  Real energy = std::numeric_limits<Real>::quiet_NaN();  ///< E(x) when the problem has an energy, else NaN
  bool admissible = true;  ///< false if x is inadmissible (e.g. an inverted element): Newton backtracks
  /// Size of the loads in the residual's unit (e.g. |f_ext| + |contact forces| [N]); 0 if unknown. The
  /// solver's force tolerance is relative to it.
  Real load_scale = 0;
};

/// A symmetric rank-one term c v v^T of a tangent given as sparse + low rank (e.g. a rigid tool whose
/// position was eliminated: the Schur complement of its single unknown). v has n_equations() entries.
struct LowRankTerm {
  VectorX v;   ///< direction (free equations)
  Real c = 0;  ///< coefficient (may be negative; the sum must keep the tangent nonsingular)
};

/// A nonlinear system r(x) = 0 with tangent K = dr/dx = sparse part + sum of low-rank terms, optionally
/// the gradient of an energy (r = dE/dx), which enables the energy line search.
class NewtonProblem {
 public:
  /// Virtual destructor: problems are used through references to this interface.
  virtual ~NewtonProblem() = default;

  /// Number of unknowns and equations.
  virtual Index n_equations() const = 0;

  /// Evaluates r(x) into *residual and the sparse part of K(x) = dr/dx into *tangent (and its low-rank
  /// terms into *low_rank); any pointer may be null (then skip that output). *tangent is owned by the
  /// solver and keeps its pattern between calls: build the pattern when it is empty or of the wrong size,
  /// otherwise write only its values. Both triangles of a symmetric tangent must be stored. Returns the
  /// energy (if any), the admissibility and the load scale at x, from the same pass.
  virtual NewtonEvaluation evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent,
                                    std::vector<LowRankTerm>* low_rank = nullptr) = 0;

  /// True when evaluate() returns an energy whose gradient is the residual.
  virtual bool has_energy() const { return false; }
};

}  // namespace tissue
