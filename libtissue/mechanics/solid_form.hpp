// An extra energy term of the solid's equilibrium (a rigid tool in contact, ...), evaluated in the same pass
// as the material so that a Newton iteration stays one evaluation.
#pragma once

#include <vector>

#include "libtissue/core/sparse_matrix.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/linalg/newton_problem.hpp"

namespace tissue {

/// An extra term of the solid's equilibrium beyond the material and the dead loads (e.g. a rigid tool in
/// penalty contact, loading/rigid_tool.hpp), written at all nodal dofs. Forms are evaluated in the same pass
/// as the solid, so a Newton iteration stays one evaluation.
class SolidForm {
 public:
  /// Virtual destructor: forms are used through pointers to this interface.
  virtual ~SolidForm() = default;
  /// At displacement u (3 x #nodes): returns the form's energy [J], adds its internal forces dE/du to *f
  /// (3 x #nodes), its sparse tangent values to *K (pattern of the solid's assembly map) and its low-rank
  /// tangent terms (free equations) to *low_rank; null pointers are skipped.
  virtual Real add(const VectorX& u, VectorX* f, SparseMatrix* K, std::vector<LowRankTerm>* low_rank) = 0;
  /// Whether the forces are the gradient of the energy (false with friction: the Newton line search then
  /// uses the residual norm).
  virtual bool conservative() const { return true; }
  /// Magnitude of the form's forces at the last evaluation [N] (the load scale of the force tolerance).
  virtual Real load_scale() const { return 0; }
};

}  // namespace tissue
