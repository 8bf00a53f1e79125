#include "libtissue/linalg/newton_solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// Armijo constant: accepted steps decrease the merit by at least this fraction of the prediction.
constexpr Real kArmijo = 1e-4;

bool finite_nonneg(Real v) {
  return std::isfinite(v) && v >= 0;
}

/// Wall-clock seconds of a scope, added to a counter.
class ScopeTimer {
 public:
  explicit ScopeTimer(double& sink) : sink_(sink), t0_(std::chrono::steady_clock::now()) {}
  ~ScopeTimer() { sink_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  ScopeTimer(const ScopeTimer&) = delete;
  ScopeTimer& operator=(const ScopeTimer&) = delete;

 private:
  double& sink_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace

void NewtonOptions::validate() const {
  require(max_iterations >= 1, "max_iterations", "must be at least 1, got " + std::to_string(max_iterations));
  require(finite_nonneg(rel_tolerance) && rel_tolerance < 1, "rel_tolerance",
          "must lie in [0, 1), got " + sci(rel_tolerance));
  require(finite_nonneg(abs_tolerance), "abs_tolerance",
          "must be finite and non-negative, got " + sci(abs_tolerance));
  require(finite_nonneg(load_tolerance) && load_tolerance < 1, "load_tolerance",
          "must lie in [0, 1), got " + sci(load_tolerance));
  require(finite_nonneg(increment_tolerance) && increment_tolerance < 1, "increment_tolerance",
          "must lie in [0, 1), got " + sci(increment_tolerance));
  require(max_line_search_steps >= 0 && max_line_search_steps <= 60, "max_line_search_steps",
          "must lie in [0, 60], got " + std::to_string(max_line_search_steps));
  require(std::isfinite(divergence_factor) && divergence_factor > 1, "divergence_factor",
          "must be finite and greater than 1, got " + sci(divergence_factor));
  require(std::isfinite(line_search_tolerance) && line_search_tolerance >= 0, "line_search_tolerance",
          "must be finite and non-negative, got " + sci(line_search_tolerance));
  require(max_tangent_reuse >= 0, "max_tangent_reuse",
          "must be non-negative, got " + std::to_string(max_tangent_reuse));
  require(std::isfinite(reuse_contraction) && reuse_contraction > 0 && reuse_contraction < 1,
          "reuse_contraction", "must lie in (0, 1), got " + sci(reuse_contraction));
  require(std::isfinite(bfgs_contraction) && bfgs_contraction > 0 && bfgs_contraction <= 1,
          "bfgs_contraction", "must lie in (0, 1], got " + sci(bfgs_contraction));
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

void NewtonSummary::add_counts(const NewtonSummary& o) {
  iterations += o.iterations;
  factorizations += o.factorizations;
  residual_evaluations += o.residual_evaluations;
  tangent_evaluations += o.tangent_evaluations;
  line_search_halvings += o.line_search_halvings;
  rejected_states += o.rejected_states;
  stale_rejections += o.stale_rejections;
  seconds_residual += o.seconds_residual;
  seconds_tangent += o.seconds_tangent;
  seconds_factorize += o.seconds_factorize;
  seconds_solve += o.seconds_solve;
}

NewtonSolver::NewtonSolver(NewtonOptions options, LinearSolver& linear) : options_(options), linear_(linear) {
  options_.validate();
}

void NewtonSolver::set_options(const NewtonOptions& options) {
  options.validate();
  options_ = options;
}

void NewtonSolver::factorize(NewtonSummary& s) {
  ScopeTimer timer(s.seconds_factorize);
  factor_valid_ = false;
  const std::int64_t nnz = static_cast<std::int64_t>(tangent_.nonZeros());
  if (!linear_.is_analyzed() || linear_.rows() != tangent_.rows() || linear_.analyzed_nonzeros() != nnz)
    linear_.analyze(tangent_);
  linear_.factorize(tangent_);
  ++s.factorizations;
  // Low-rank terms: Z = A^-1 V and the capacitance C^-1 + V^T Z (Woodbury).
  const Index n = tangent_.rows();
  const int m = static_cast<int>(low_rank_.size());
  lr_v_.resize(n, m);
  lr_z_.resize(n, m);
  Eigen::MatrixXd cap = Eigen::MatrixXd::Zero(m, m);
  for (int j = 0; j < m; ++j) {
    if (low_rank_[static_cast<size_t>(j)].v.size() != n || !(low_rank_[static_cast<size_t>(j)].c != 0))
      throw NumericalError("Newton: a low-rank tangent term has the wrong size or a zero coefficient");
    lr_v_.col(j) = low_rank_[static_cast<size_t>(j)].v;
    VectorX z;
    linear_.solve(lr_v_.col(j), z);
    lr_z_.col(j) = z;
    cap(j, j) = 1.0 / low_rank_[static_cast<size_t>(j)].c;
  }
  if (m > 0) {
    cap += lr_v_.transpose() * lr_z_;
    lr_cap_.compute(cap);
    if (lr_cap_.info() != Eigen::Success || !(lr_cap_.vectorD().cwiseAbs().minCoeff() > 0))
      throw NumericalError("Newton: the low-rank part makes the tangent singular");
  }
  factor_valid_ = true;
}

void NewtonSolver::solve_linear(const VectorX& b, VectorX& x, NewtonSummary& s) {
  ScopeTimer timer(s.seconds_solve);
  linear_.solve(b, x);
  if (lr_v_.cols() > 0) x -= lr_z_ * lr_cap_.solve(lr_v_.transpose() * x);
}

NewtonSummary NewtonSolver::solve(NewtonProblem& problem, VectorX& x, Real reference_residual) {
  const Index n = problem.n_equations();
  if (x.size() != n)
    throw InputError(
        "x", "has " + std::to_string(x.size()) + " entries, the problem " + std::to_string(n) + " equations");
  NewtonSummary s;
  VectorX r(n), dx(n), x_trial(n), r_trial(n);

  auto finish = [&](bool converged, Real rnorm, std::string reason) {
    s.converged = converged;
    s.final_residual = rnorm;
    s.reason = std::move(reason);
    return s;
  };
  // Evaluates at y (residual into `res`); with the tangent when `with_tangent`.
  auto evaluate = [&](const VectorX& y, VectorX& res, bool with_tangent) {
    if (with_tangent) {
      ScopeTimer timer(s.seconds_tangent);
      ++s.tangent_evaluations;
      low_rank_.clear();
      const NewtonEvaluation ev = problem.evaluate(y, &res, &tangent_, &low_rank_);
      if (tangent_.rows() != n || tangent_.cols() != n)
        throw InputError("tangent", "is " + std::to_string(tangent_.rows()) + " x " +
                                        std::to_string(tangent_.cols()) + ", expected " + std::to_string(n) +
                                        " x " + std::to_string(n));
      return ev;
    }
    ScopeTimer timer(s.seconds_residual);
    ++s.residual_evaluations;
    return problem.evaluate(y, &res, nullptr, nullptr);
  };

  // A kept factorisation of a problem of this size may serve the first iterations.
  bool stale = options_.keep_factorization && options_.max_tangent_reuse > 0 && factor_valid_ &&
               linear_.rows() == n && tangent_.rows() == n;
  if (!stale) factor_valid_ = false;
  NewtonEvaluation ev = evaluate(x, r, !stale);
  bool tangent_at_x = !stale;  // tangent_ holds the tangent at x (not yet factorised)
  Real rnorm = r.norm();
  if (!ev.admissible || !std::isfinite(rnorm))
    return finish(false, rnorm,
                  ev.admissible ? "the first residual is not finite" : "the start is inadmissible");
  s.initial_residual = s.final_residual = rnorm;
  s.residual_history.push_back(rnorm);
  const Real rel_target =
      std::max(options_.abs_tolerance, options_.rel_tolerance * std::max(rnorm, reference_residual));
  auto target = [&](const NewtonEvaluation& e) {
    return std::max(rel_target, options_.load_tolerance * e.load_scale);
  };
  if (rnorm <= target(ev)) return finish(true, rnorm, "residual below tolerance");

  const bool use_energy_default = options_.line_search && problem.has_energy();
  bool use_energy = use_energy_default && std::isfinite(ev.energy);
  Real energy = ev.energy;
  int reuses = 0;  // iterations solved with the current factorisation after the one that built it
  // BFGS pairs (s_i, y_i, 1 / y_i.s_i) gathered since the current factorisation (options_.bfgs).
  std::vector<VectorX> S, Y;
  std::vector<Real> rho;
  // d = -H r: H0 = the factorised tangent's inverse, updated by the BFGS pairs (two-loop recursion;
  // Nocedal & Wright 2006, alg. 7.4; Matthies & Strang 1979, IJNME 14:1613).
  auto direction = [&](VectorX& d) {
    VectorX q = -r;
    std::vector<Real> alpha(S.size());
    for (size_t i = S.size(); i-- > 0;) {
      alpha[i] = rho[i] * S[i].dot(q);
      q -= alpha[i] * Y[i];
    }
    solve_linear(q, d, s);
    for (size_t i = 0; i < S.size(); ++i) d += (alpha[i] - rho[i] * Y[i].dot(d)) * S[i];
  };

  for (int k = 1; k <= options_.max_iterations; ++k) {
    if (!stale) {
      if (!tangent_at_x) {
        ev = evaluate(x, r, true);
        rnorm = r.norm();
        energy = ev.energy;
        use_energy = use_energy_default && std::isfinite(energy);
      }
      try {
        factorize(s);
      } catch (const NumericalError& e) {
        return finish(false, rnorm,
                      "linear solve failed at iteration " + std::to_string(k) + ": " + e.what());
      }
      tangent_at_x = false;
      reuses = 0;
      S.clear();
      Y.clear();
      rho.clear();
    }
    try {
      direction(dx);
    } catch (const NumericalError& e) {
      return finish(false, rnorm, "linear solve failed at iteration " + std::to_string(k) + ": " + e.what());
    }
    s.iterations = k;
    const bool fresh = !stale && reuses == 0;  // a full Newton step at a fresh factorisation
    const Real slope = r.dot(dx);              // directional derivative of the energy along dx
    if (!dx.allFinite() || (!fresh && !(slope < 0))) {
      if (!fresh) {  // a reused factorisation gave no descent direction: redo with a fresh tangent
        ++s.stale_rejections;
        stale = false;
        continue;
      }
      return finish(false, rnorm, "Newton step is not finite at iteration " + std::to_string(k));
    }

    const Real dx_norm = dx.norm();
    const bool tiny_step = fresh && dx_norm <= options_.increment_tolerance * x.norm();
    const bool energy_mode = use_energy && slope < 0 && !tiny_step;
    const bool decrease_required = options_.line_search && !tiny_step;
    // Quasi-Newton directions get a short line search; if it fails, the step is redone with a fresh tangent.
    const int max_halvings = !decrease_required ? 0
                             : fresh            ? options_.max_line_search_steps
                             : options_.bfgs    ? std::min(3, options_.max_line_search_steps)
                                                : 0;

    Real alpha = 1;
    NewtonEvaluation ev_trial;
    Real rnorm_trial = 0;
    bool accepted = false;
    std::string failure;
    for (int h = 0; h <= max_halvings; ++h) {
      if (h > 0) {
        alpha *= 0.5;
        ++s.line_search_halvings;
      }
      x_trial = x + alpha * dx;
      ev_trial = evaluate(x_trial, r_trial, false);
      if (!ev_trial.admissible) {
        ++s.rejected_states;
        failure = "inadmissible state";
        continue;
      }
      rnorm_trial = r_trial.norm();
      if (!std::isfinite(rnorm_trial)) {
        failure = "residual is not finite";
        continue;
      }
      if (!fresh && !options_.bfgs) {  // chord step: the full step must contract the residual
        if (rnorm_trial > options_.reuse_contraction * rnorm && rnorm_trial > target(ev_trial)) {
          failure = "no contraction with the reused factorisation";
          continue;
        }
        accepted = true;
        break;
      }
      bool need_residual_decrease = decrease_required && !energy_mode;
      if (energy_mode) {
        if (!std::isfinite(ev_trial.energy)) {
          failure = "energy is not finite";
          continue;
        }
        if (ev_trial.energy > energy + kArmijo * alpha * slope) {
          // Differences at round-off level carry no information: judge by the residual instead.
          const Real noise = 1e3 * std::numeric_limits<Real>::epsilon() *
                             std::max(std::abs(energy), std::abs(ev_trial.energy));
          if (ev_trial.energy - energy > noise && std::abs(alpha * slope) > noise) {
            failure = "energy did not decrease";
            continue;
          }
          need_residual_decrease = true;
        }
      }
      if (need_residual_decrease && rnorm_trial > (1 - kArmijo * alpha) * rnorm &&
          rnorm_trial > target(ev_trial)) {
        failure = "residual did not decrease";
        continue;
      }
      // Overshoot of a stiffening problem: the energy fell, but its slope along dx has turned strongly
      // positive (g(1) = dx . r(x + dx) > eta |g(0)|), so its minimum lies well inside the step. One secant
      // step on g locates it (FEBio's line search tolerance); kept if it also satisfies Armijo, else the
      // full step is evaluated again and taken.
      const Real eta = options_.line_search_tolerance;
      if (energy_mode && eta > 0 && h == 0) {
        const Real g1 = dx.dot(r_trial);
        if (g1 > eta * std::abs(slope)) {
          const Real a = std::clamp(slope / (slope - g1), 0.1, 0.9);
          const NewtonEvaluation ev_full = ev_trial;
          x_trial = x + a * dx;
          ev_trial = evaluate(x_trial, r_trial, false);
          const Real rn = r_trial.norm();
          if (ev_trial.admissible && std::isfinite(rn) && std::isfinite(ev_trial.energy) &&
              ev_trial.energy <= energy + kArmijo * a * slope && ev_trial.energy < ev_full.energy) {
            alpha = a;
            rnorm_trial = rn;
            ++s.line_search_halvings;
          } else {  // back to the full step (the last evaluation must be the accepted state)
            x_trial = x + dx;
            ev_trial = evaluate(x_trial, r_trial, false);
            rnorm_trial = r_trial.norm();
          }
        }
      }
      accepted = true;
      break;
    }
    if (!accepted && !fresh) {  // the reused factorisation gave a poor direction: redo with a fresh tangent
      ++s.stale_rejections;
      stale = false;
      tangent_at_x = false;
      continue;
    }
    if (!accepted) {
      std::string why = "step rejected at iteration " + std::to_string(k) + ": " + failure;
      if (max_halvings > 0) why += " after " + std::to_string(max_halvings) + " halvings";
      return finish(false, rnorm, why);
    }

    const bool halved = alpha < 1;
    const bool contracted = rnorm_trial <= options_.reuse_contraction * rnorm;
    if (options_.bfgs && options_.max_tangent_reuse > 0) {  // curvature pair of this step
      VectorX sk = alpha * dx, yk = r_trial - r;
      const Real ys = yk.dot(sk);
      if (ys > 1e-12 * yk.norm() * sk.norm()) {
        S.push_back(std::move(sk));
        Y.push_back(std::move(yk));
        rho.push_back(1.0 / ys);
      }
    }
    x.swap(x_trial);
    r.swap(r_trial);
    rnorm = rnorm_trial;
    energy = ev_trial.energy;
    ev = ev_trial;
    s.residual_history.push_back(rnorm);
    ++reuses;
    // Keep the factorisation for the next iteration while it contracts and the budget allows (BFGS: while
    // the residual still falls; a chord step also needs a full step).
    const bool progress = options_.bfgs ? rnorm <= options_.bfgs_contraction * s.residual_history.rbegin()[1]
                                        : (!halved && contracted);
    stale = options_.max_tangent_reuse > 0 && progress && reuses <= options_.max_tangent_reuse;
    if (!stale) tangent_at_x = false;

    if (rnorm <= target(ev)) return finish(true, rnorm, "residual below tolerance");
    if (tiny_step) return finish(true, rnorm, "increment below tolerance");
    if (rnorm > options_.divergence_factor * s.initial_residual)
      return finish(false, rnorm,
                    "diverged: |r| = " + sci(rnorm) + " exceeds " + sci(options_.divergence_factor) +
                        " x the initial " + sci(s.initial_residual));
  }
  return finish(false, rnorm,
                "no convergence in " + std::to_string(options_.max_iterations) +
                    " iterations: |r| = " + sci(rnorm) + ", target " + sci(target(ev)));
}

}  // namespace tissue
