#include "libtissue/solver/mechanics_solver.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "libtissue/core/error.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"

namespace tissue {

// ---------------------------------------------------------------------------------------------
// StaticEquilibrium

StaticEquilibrium::StaticEquilibrium(const SolidProblem& solid, const MechanicalLoad& load,
                                     const SolidInputs* inputs, std::span<SolidForm* const> forms,
                                     SolidStepState* step)
    : solid_(solid), load_(load), inputs_(inputs), forms_(forms), step_(step) {
  f_ext_norm_ = load_.f_ext.size() ? load_.f_ext.norm() : 0.0;
}

VectorX StaticEquilibrium::full(const VectorX& x) const {
  VectorX u = load_.u_prescribed;
  if (u.size() == 0) u = VectorX::Zero(solid_.dofs().n_dofs());
  solid_.dofs().scatter(x, u);
  return u;
}

bool StaticEquilibrium::has_energy() const {
  for (const SolidForm* f : forms_)
    if (!f->conservative()) return false;
  return true;
}

NewtonEvaluation StaticEquilibrium::evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent,
                                             std::vector<LowRankTerm>* low_rank) {
  if (tangent &&
      (tangent->rows() != n_equations() || tangent->nonZeros() != solid_.assembly_map().nonzeros()))
    *tangent = solid_.assembly_map().make_matrix();
  const VectorX u = full(x);
  VectorX f;
  const SolidEvaluation ev = solid_.evaluate(u, residual ? &f : nullptr, tangent, inputs_, step_);
  NewtonEvaluation out;
  out.admissible = ev.admissible;
  if (!ev.admissible) {
    out.energy = std::numeric_limits<Real>::infinity();
    if (residual) residual->setConstant(n_equations(), std::numeric_limits<Real>::quiet_NaN());
    return out;
  }
  Real energy = ev.energy;
  Real scale = f_ext_norm_;
  for (SolidForm* form : forms_) {
    energy += form->add(u, residual ? &f : nullptr, tangent, low_rank);
    scale += form->load_scale();
  }
  if (load_.f_ext.size()) {
    energy -= load_.f_ext.dot(u);
    if (residual) f -= load_.f_ext;
  }
  out.energy = energy;
  out.load_scale = scale;
  if (residual) solid_.dofs().gather(f, *residual);
  return out;
}

// ---------------------------------------------------------------------------------------------
// QuasiStaticSolver

void QuasiStaticOptions::validate() const {
  newton.validate();
  linear.validate();
  if (max_cuts < 0) throw InputError("max_cuts", "must be non-negative");
  if (!(force_tolerance >= 0 && force_tolerance < 1))
    throw InputError("force_tolerance", "must lie in [0, 1)");
}

std::string MechanicsRunSummary::brief() const {
  std::ostringstream s;
  s << steps << " steps, " << cuts << " cuts, " << newton_iterations << " Newton iterations, linear solver "
    << linear_solver;
  return s.str();
}

namespace {
/// The Newton options of a quasi-static solver: its force tolerance becomes Newton's load tolerance.
NewtonOptions static_newton_options(const QuasiStaticOptions& o) {
  NewtonOptions n = o.newton;
  n.load_tolerance = std::max(n.load_tolerance, o.force_tolerance);
  return n;
}
// The linear solver of a solid: told each equation's displacement component (for systems AMG).
std::unique_ptr<LinearSolver> make_solid_linear_solver(const LinearSolverOptions& options,
                                                       const DofMap& dofs) {
  auto solver = make_linear_solver(options, dofs.n_equations());
  solver->set_components(dofs.equation_components());
  return solver;
}

}  // namespace

QuasiStaticSolver::QuasiStaticSolver(const SolidProblem& solid, QuasiStaticOptions options)
    : solid_(solid),
      options_((options.validate(), std::move(options))),
      linear_(make_solid_linear_solver(options_.linear, solid_.dofs())),
      newton_(static_newton_options(options_), *linear_) {}

NewtonSummary QuasiStaticSolver::solve_step(VectorX& u, const MechanicalLoad& load, const SolidInputs& inputs,
                                            std::span<SolidForm* const> forms, SolidStepState& step,
                                            bool exact, int max_iterations, const VectorX* other_start) {
  if (u.size() != solid_.dofs().n_dofs()) u = VectorX::Zero(solid_.dofs().n_dofs());
  StaticEquilibrium problem(solid_, load, &inputs, forms, &step);
  VectorX x;
  solid_.dofs().gather(u, x);
  Real reference_residual = 0;  // the relative tolerance stays that of the start u (Newton's reference)
  if (other_start && other_start->size() == u.size()) {
    // The candidate start with the smaller residual (an inadmissible one counts as infinitely bad).
    VectorX y, r;
    solid_.dofs().gather(*other_start, y);
    auto residual_norm = [&](const VectorX& z) {
      const NewtonEvaluation e = problem.evaluate(z, &r, nullptr, nullptr);
      const Real n = e.admissible ? r.norm() : std::numeric_limits<Real>::infinity();
      return std::isfinite(n) ? n : std::numeric_limits<Real>::infinity();
    };
    const Real r_u = residual_norm(x), r_other = residual_norm(y);
    if (r_other < r_u) {
      x.swap(y);
      if (std::isfinite(r_u)) reference_residual = r_u;
    }
  }
  const NewtonOptions kept = newton_.options();
  if (exact || max_iterations > 0) {
    NewtonOptions o = kept;
    if (exact) {
      o.max_tangent_reuse = 0;
      o.keep_factorization = false;
      newton_.invalidate();
    }
    if (max_iterations > 0) o.max_iterations = max_iterations;
    newton_.set_options(o);
  }
  NewtonSummary s;
  try {
    s = newton_.solve(problem, x, reference_residual);
  } catch (const NumericalError& e) {
    s.converged = false;
    s.reason = e.what();
  }
  newton_.set_options(kept);
  u = problem.full(x);
  return s;
}

MechanicsRunSummary QuasiStaticSolver::solve(VectorX& u, const LoadFunction& load, Real t0, Real t1,
                                             int steps, const StepCallback& on_step, const RunContext* ctx,
                                             const SolidInputs* inputs, SolidHistory* history) {
  if (solid_.needs_history() && !history)
    throw InputError("history", "a region has a viscoelastic law: pass the committed SolidHistory");
  if (steps < 1) throw InputError("steps", "must be at least 1");
  if (u.size() != solid_.dofs().n_dofs()) u = VectorX::Zero(solid_.dofs().n_dofs());
  MechanicsRunSummary out;
  const Real dt_nominal = (t1 - t0) / steps;
  Real dt = dt_nominal, t = t0;
  int cuts_in_row = 0;
  SolidInputs in = inputs ? *inputs : SolidInputs{};
  in.history = history;
  SolidStepState step;
  while (t < t1 - 1e-12 * std::abs(t1 - t0)) {
    const Real dt_try = std::min(dt, t1 - t);
    const MechanicalLoad l = load(t + dt_try);
    in.dt = dt_try;
    VectorX trial = u;
    const NewtonSummary s = solve_step(trial, l, in, {}, step);
    out.newton_iterations += s.iterations;
    out.totals.add_counts(s);
    out.last = s;
    if (s.converged) {
      u = std::move(trial);
      if (history) std::swap(*history, step.history);  // commit the accepted step's history
      t += dt_try;
      ++out.steps;
      if (on_step) on_step(t, u, step);
      if (ctx) ctx->report((t - t0) / (t1 - t0), "quasi-static step");
      if (cuts_in_row == 0 && dt < dt_nominal) dt = std::min(2 * dt, dt_nominal);
      cuts_in_row = 0;
    } else {
      newton_.invalidate();
      ++out.cuts;
      if (++cuts_in_row > options_.max_cuts) {
        std::ostringstream m;
        m << "quasi-static solve failed at t = " << t + dt_try << " after " << options_.max_cuts
          << " step cuts: " << s.reason;
        throw NumericalError(m.str());
      }
      dt *= 0.5;
    }
  }
  out.linear_solver = linear_->name();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generalized-alpha dynamics

GeneralizedAlphaParameters GeneralizedAlphaParameters::from_rho_inf(Real r) {
  GeneralizedAlphaParameters p;
  p.alpha_m = (2 * r - 1) / (r + 1);
  p.alpha_f = r / (r + 1);
  p.gamma = 0.5 - p.alpha_m + p.alpha_f;
  p.beta = 0.25 * (1 - p.alpha_m + p.alpha_f) * (1 - p.alpha_m + p.alpha_f);
  return p;
}

void DynamicOptions::validate() const {
  if (!(rho_inf >= 0 && rho_inf <= 1))
    throw InputError("rho_inf", "must lie in [0, 1], got " + std::to_string(rho_inf));
  newton.validate();
  linear.validate();
  if (max_cuts < 0) throw InputError("max_cuts", "must be non-negative");
}

namespace {
/// One generalized-alpha step as a Newton problem in the free displacements at t + dt.
class AlphaStep final : public NewtonProblem {
 public:
  AlphaStep(const SolidProblem& solid, const SparseMatrix& M, const GeneralizedAlphaParameters& p,
            const DynamicState& s0, const MechanicalLoad& load_end, const MechanicalLoad& load_alpha, Real dt,
            const SolidInputs* inputs, SolidStepState* step)
      : solid_(solid),
        M_(M),
        p_(p),
        s0_(s0),
        end_(load_end),
        alpha_(load_alpha),
        dt_(dt),
        in_(inputs),
        step_(step) {}

  Index n_equations() const override { return solid_.dofs().n_equations(); }

  DynamicState state(const VectorX& x) const {
    DynamicState s;
    s.u = end_.u_prescribed.size() ? end_.u_prescribed : VectorX::Zero(s0_.u.size());
    solid_.dofs().scatter(x, s.u);
    const Real b = p_.beta, dt = dt_;
    s.a = (s.u - s0_.u - dt * s0_.v) / (b * dt * dt) - (0.5 / b - 1.0) * s0_.a;
    s.v = s0_.v + dt * ((1 - p_.gamma) * s0_.a + p_.gamma * s.a);
    return s;
  }

  NewtonEvaluation evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent,
                            std::vector<LowRankTerm>* /*low_rank*/) override {
    if (tangent && (tangent->rows() != n_equations() || tangent->nonZeros() != M_.nonZeros()))
      *tangent = solid_.assembly_map().make_matrix();
    const DynamicState s = state(x);
    const VectorX uf = (1 - p_.alpha_f) * s.u + p_.alpha_f * s0_.u;
    const VectorX am = (1 - p_.alpha_m) * s.a + p_.alpha_m * s0_.a;
    VectorX f;
    const auto ev = solid_.evaluate(uf, residual ? &f : nullptr, tangent, in_, step_);
    if (tangent) {
      const Real cm = (1 - p_.alpha_m) / (p_.beta * dt_ * dt_), ck = 1 - p_.alpha_f;
      Real* kv = tangent->valuePtr();
      const Real* mv = M_.valuePtr();
      for (Index k = 0; k < tangent->nonZeros(); ++k) kv[k] = ck * kv[k] + cm * mv[k];
    }
    NewtonEvaluation out;
    out.admissible = ev.admissible;
    if (!residual) return out;
    if (!ev.admissible) {
      residual->setConstant(n_equations(), std::numeric_limits<Real>::quiet_NaN());
      return out;
    }
    f += solid_.mass_times(am);
    if (alpha_.f_ext.size()) {
      f -= alpha_.f_ext;
      out.load_scale = alpha_.f_ext.norm();
    }
    solid_.dofs().gather(f, *residual);
    return out;
  }

 private:
  const SolidProblem& solid_;
  const SparseMatrix& M_;
  const GeneralizedAlphaParameters& p_;
  const DynamicState& s0_;
  const MechanicalLoad& end_;
  const MechanicalLoad& alpha_;
  Real dt_;
  const SolidInputs* in_;
  SolidStepState* step_;
};
}  // namespace

DynamicSolver::DynamicSolver(const SolidProblem& solid, DynamicOptions options)
    : solid_(solid),
      options_((options.validate(), std::move(options))),
      p_(GeneralizedAlphaParameters::from_rho_inf(options_.rho_inf)),
      M_(solid_.mass_matrix()),
      linear_(make_solid_linear_solver(options_.linear, solid_.dofs())),
      newton_(options_.newton, *linear_) {}

void DynamicSolver::initialize(DynamicState& s, const MechanicalLoad& load0) {
  const Index nd = solid_.dofs().n_dofs();
  if (s.u.size() != nd) s.u = VectorX::Zero(nd);
  if (s.v.size() != nd) s.v = VectorX::Zero(nd);
  s.a = VectorX::Zero(nd);
  VectorX f;
  solid_.evaluate(s.u, &f, nullptr);
  VectorX rhs_full = -f;
  if (load0.f_ext.size()) rhs_full += load0.f_ext;
  VectorX rhs, a;
  solid_.dofs().gather(rhs_full, rhs);
  auto mass_solver = make_solid_linear_solver(options_.linear, solid_.dofs());
  mass_solver->factorize(M_);
  mass_solver->solve(rhs, a);
  solid_.dofs().scatter(a, s.a);
}

NewtonSummary DynamicSolver::try_step(DynamicState& s, const LoadFunction& load, Real t, Real dt,
                                      const SolidInputs& inputs, SolidStepState& step) {
  const MechanicalLoad end = load(t + dt);
  const MechanicalLoad alpha = load(t + (1 - p_.alpha_f) * dt);
  AlphaStep problem(solid_, M_, p_, s, end, alpha, dt, &inputs, &step);
  VectorX x;
  solid_.dofs().gather(s.u + dt * s.v, x);  // predictor: constant velocity
  NewtonSummary summary;
  try {
    summary = newton_.solve(problem, x);
  } catch (const NumericalError& e) {
    summary.converged = false;
    summary.reason = e.what();
  }
  if (summary.converged) s = problem.state(x);  // the last evaluation was at x: `step` is its state
  return summary;
}

MechanicsRunSummary DynamicSolver::step(DynamicState& s, const LoadFunction& load, Real t, Real dt,
                                        const SolidInputs* inputs, SolidHistory* history,
                                        VectorX* dissipation) {
  if (solid_.needs_history() && !history)
    throw InputError("history", "a region has a viscoelastic law: pass the committed SolidHistory");
  MechanicsRunSummary out;
  Real done = 0, h = dt;
  int cuts_in_row = 0;
  if (dissipation) dissipation->setZero(solid_.mesh().n_cells());
  SolidInputs in = inputs ? *inputs : SolidInputs{};
  in.history = history;
  SolidStepState step;
  while (done < dt * (1 - 1e-12)) {
    const Real h_try = std::min(h, dt - done);
    DynamicState trial = s;
    in.dt = h_try;
    const NewtonSummary r = try_step(trial, load, t + done, h_try, in, step);
    out.newton_iterations += r.iterations;
    out.totals.add_counts(r);
    out.last = r;
    if (r.converged) {
      s = std::move(trial);
      if (dissipation) *dissipation += step.dissipation;
      if (history) std::swap(*history, step.history);
      done += h_try;
      ++out.steps;
      cuts_in_row = 0;
    } else {
      newton_.invalidate();
      ++out.cuts;
      if (++cuts_in_row > options_.max_cuts)
        throw NumericalError("dynamic step failed at t = " + std::to_string(t + done) + ": " + r.reason);
      h *= 0.5;
    }
  }
  out.linear_solver = linear_->name();
  return out;
}

Real DynamicSolver::kinetic_energy(const DynamicState& s) const {
  return 0.5 * s.v.dot(solid_.mass_times(s.v));
}

}  // namespace tissue
