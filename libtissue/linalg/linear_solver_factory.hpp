// Factory that turns LinearSolverOptions and a system size into a LinearSolver.
#pragma once

#include <memory>

#include "libtissue/core/types.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"

namespace tissue {

/// True when libtissue was built with CHOLMOD and UMFPACK (SuiteSparse).
bool cholmod_available() noexcept;

/// Creates the solver chosen by options for a system of n_equations unknowns. automatic picks
/// CHOLMOD (EigenLDLT without SuiteSparse) up to options.direct_max_equations and CG beyond.
/// Validates options; throws InputError for kind cholmod in a build without CHOLMOD.
std::unique_ptr<LinearSolver> make_linear_solver(const LinearSolverOptions& options, Index n_equations);

}  // namespace tissue
