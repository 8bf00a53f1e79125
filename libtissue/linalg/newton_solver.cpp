#include "libtissue/linalg/newton_solver.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// Armijo constant: accepted steps decrease the merit by at least this fraction of the prediction.
constexpr Real kArmijo = 1e-4;

std::string sci(Real v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

bool finite_nonneg(Real v) {
  return std::isfinite(v) && v >= 0;
}

}  // namespace

void NewtonOptions::validate() const {
  require(max_iterations >= 1, "max_iterations", "must be at least 1, got " + std::to_string(max_iterations));
  require(finite_nonneg(rel_tolerance) && rel_tolerance < 1, "rel_tolerance",
          "must lie in [0, 1), got " + sci(rel_tolerance));
  require(finite_nonneg(abs_tolerance), "abs_tolerance",
          "must be finite and non-negative, got " + sci(abs_tolerance));
  require(finite_nonneg(increment_tolerance) && increment_tolerance < 1, "increment_tolerance",
          "must lie in [0, 1), got " + sci(increment_tolerance));
  require(max_line_search_steps >= 0 && max_line_search_steps <= 60, "max_line_search_steps",
          "must lie in [0, 60], got " + std::to_string(max_line_search_steps));
  require(std::isfinite(divergence_factor) && divergence_factor > 1, "divergence_factor",
          "must be finite and greater than 1, got " + sci(divergence_factor));
  require(max_tangent_reuse >= 0, "max_tangent_reuse",
          "must be non-negative, got " + std::to_string(max_tangent_reuse));
  require(std::isfinite(reuse_contraction) && reuse_contraction > 0 && reuse_contraction < 1,
          "reuse_contraction", "must lie in (0, 1), got " + sci(reuse_contraction));
}

std::string NewtonSummary::brief() const {
  std::string s = converged ? "converged" : "not converged";
  s += " in " + std::to_string(iterations) + (iterations == 1 ? " iteration" : " iterations");
  if (factorizations != iterations)
    s += ", " + std::to_string(factorizations) + (factorizations == 1 ? " factorisation" : " factorisations");
  s += ", |r| " + sci(initial_residual) + " -> " + sci(final_residual);
  if (line_search_halvings > 0) s += ", " + std::to_string(line_search_halvings) + " halvings";
  if (!reason.empty()) s += " (" + reason + ")";
  return s;
}

NewtonSolver::NewtonSolver(NewtonOptions options, LinearSolver& linear) : options_(options), linear_(linear) {
  options_.validate();
}

NewtonSummary NewtonSolver::solve(NewtonProblem& problem, VectorX& x) {
  const Index n = problem.n_equations();
  if (x.size() != n)
    throw InputError(
        "x", "has " + std::to_string(x.size()) + " entries, the problem " + std::to_string(n) + " equations");
  NewtonSummary s;
  VectorX r(n), dx(n), x_trial(n), r_trial(n);

  problem.evaluate(x, &r, &tangent_);
  Real rnorm = r.norm();
  if (!std::isfinite(rnorm))
    throw NumericalError("Newton: the first residual is not finite (NaN or Inf) in a " + std::to_string(n) +
                         "-equation problem");
  s.initial_residual = s.final_residual = rnorm;
  s.residual_history.push_back(rnorm);
  const Real target = std::max(options_.abs_tolerance, options_.rel_tolerance * rnorm);

  auto finish = [&](bool converged, std::string reason) {
    s.converged = converged;
    s.final_residual = rnorm;
    s.reason = std::move(reason);
    return s;
  };
  if (rnorm <= target) return finish(true, "residual below tolerance");

  bool use_energy = options_.line_search && problem.has_energy();
  Real energy = use_energy ? problem.energy(x) : 0;
  if (use_energy && !std::isfinite(energy)) use_energy = false;  // fall back to the residual norm
  bool have_tangent = true;
  // Modified Newton: the factorisation of this solve may be reused while the residual contracts.
  int reuses = 0;            // iterations solved with the current factorisation after the first
  bool may_reuse = false;    // the last iteration contracted enough to keep the factorisation
  bool energy_valid = true;  // `energy` is the energy at x (skipped while tangents are reused)

  for (int k = 1; k <= options_.max_iterations; ++k) {
    const bool reuse = may_reuse && reuses < options_.max_tangent_reuse;
    if (reuse) {
      ++reuses;
    } else {
      if (!have_tangent) problem.evaluate(x, &r, &tangent_);
      have_tangent = true;
      if (tangent_.rows() != n || tangent_.cols() != n)
        throw InputError("tangent", "is " + std::to_string(tangent_.rows()) + " x " +
                                        std::to_string(tangent_.cols()) + ", expected " + std::to_string(n) +
                                        " x " + std::to_string(n));
      reuses = 0;
      if (use_energy && !energy_valid) {
        energy = problem.energy(x);
        energy_valid = true;
        if (!std::isfinite(energy)) use_energy = false;
      }
    }
    const std::int64_t nnz = static_cast<std::int64_t>(tangent_.nonZeros());
    try {
      if (!reuse) {
        if (!linear_.is_analyzed() || linear_.rows() != n || linear_.analyzed_nonzeros() != nnz)
          linear_.analyze(tangent_);
        linear_.factorize(tangent_);
        ++s.factorizations;
      }
      linear_.solve(-r, dx);
    } catch (const NumericalError& e) {
      return finish(false, "linear solve failed at iteration " + std::to_string(k) + ": " + e.what());
    }
    if (!dx.allFinite()) return finish(false, "Newton step is not finite at iteration " + std::to_string(k));
    s.iterations = k;

    const Real dx_norm = dx.norm();
    const bool tiny_step = dx_norm <= options_.increment_tolerance * x.norm();
    const Real slope = r.dot(dx);  // directional derivative of the energy along dx
    // A reused-tangent step is accepted only if the full step decreases the residual (one residual
    // evaluation); otherwise the iteration is redone with a fresh tangent and the usual line search.
    const bool energy_mode = use_energy && slope < 0 && !tiny_step && !reuse;
    const bool decrease_required = options_.line_search && !tiny_step;
    const int max_halvings = decrease_required && !reuse ? options_.max_line_search_steps : 0;

    Real alpha = 1;
    Real energy_trial = 0;
    Real rnorm_trial = 0;
    bool accepted = false;
    std::string failure;
    for (int h = 0; h <= max_halvings; ++h) {
      if (h > 0) {
        alpha *= 0.5;
        ++s.line_search_halvings;
      }
      x_trial = x + alpha * dx;
      if (!problem.accept(x_trial)) {
        ++s.rejected_states;
        failure = "inadmissible state";
        continue;
      }
      bool need_residual_decrease = decrease_required && !energy_mode;
      if (energy_mode) {
        energy_trial = problem.energy(x_trial);
        if (!std::isfinite(energy_trial)) {
          failure = "energy is not finite";
          continue;
        }
        if (energy_trial > energy + kArmijo * alpha * slope) {
          // Differences at round-off level carry no information: judge by the residual instead.
          const Real noise =
              1e3 * std::numeric_limits<Real>::epsilon() * std::max(std::abs(energy), std::abs(energy_trial));
          // When the predicted decrease itself is below the energy's round-off, the energies cannot
          // decide, so the residual does; otherwise a real increase rejects the step.
          if (energy_trial - energy > noise && std::abs(alpha * slope) > noise) {
            failure = "energy did not decrease";
            continue;
          }
          need_residual_decrease = true;
        }
      }
      problem.evaluate(x_trial, &r_trial, nullptr);
      rnorm_trial = r_trial.norm();
      if (!std::isfinite(rnorm_trial)) {
        failure = "residual is not finite";
        continue;
      }
      if (need_residual_decrease && rnorm_trial > (1 - kArmijo * alpha) * rnorm && rnorm_trial > target) {
        failure = "residual did not decrease";
        continue;
      }
      accepted = true;
      break;
    }
    if (!accepted && reuse) {  // the old tangent gave a poor direction: retry with a fresh one
      may_reuse = false;
      continue;
    }
    if (!accepted) {
      std::string why = "step rejected at iteration " + std::to_string(k) + ": " + failure;
      if (max_halvings > 0) why += " after " + std::to_string(max_halvings) + " halvings";
      return finish(false, why);
    }

    const bool halved = alpha < 1;
    may_reuse =
        options_.max_tangent_reuse > 0 && !halved && rnorm_trial <= options_.reuse_contraction * rnorm;
    x.swap(x_trial);
    r.swap(r_trial);
    rnorm = rnorm_trial;
    const bool next_reuse = may_reuse && reuses < options_.max_tangent_reuse;
    if (use_energy) {
      if (energy_mode) {
        energy = energy_trial;
      } else if (!next_reuse) {
        energy = problem.energy(x);
      }
      energy_valid = energy_mode || !next_reuse;  // a reused-tangent iteration needs no energy
    }
    if (use_energy && energy_valid && !std::isfinite(energy)) use_energy = false;
    s.residual_history.push_back(rnorm);
    have_tangent = false;

    if (rnorm <= target) return finish(true, "residual below tolerance");
    if (tiny_step) return finish(true, "increment below tolerance");
    if (rnorm > options_.divergence_factor * s.initial_residual)
      return finish(false, "diverged: |r| = " + sci(rnorm) + " exceeds " + sci(options_.divergence_factor) +
                               " x the initial " + sci(s.initial_residual));
  }
  return finish(false, "no convergence in " + std::to_string(options_.max_iterations) +
                           " iterations: |r| = " + sci(rnorm) + ", target " + sci(target));
}

}  // namespace tissue
