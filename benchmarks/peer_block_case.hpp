// The peer benchmark of /work/shared/benchmarks/peer-block.md: compression of a 40 x 40 x 20 mm
// block (bottom fixed, top ux = uy = 0, uz = -5 mm t, 20 quasi-static steps of 0.05 s), plain hex8
// with 2x2x2 Gauss points. The problem itself (geometry, law, boundary sets, steps) is described once,
// by tissue::PeerBlock (libtissue/mechanics/peer_block.hpp, also read by `tissue export-feb`); this
// header runs it for bench_peer_block (Google Benchmark), peer_block (table beside FEBio) and
// tests/verification/test_peer_block.cpp (so this header and bench_support.hpp must not need Google
// Benchmark).
//
// Material (PeerBlockCase::material): by default FEBio's `viscoelastic` law as in peer-block.md,
// PeerViscoelastic = compressible neo-Hookean (E = 10 kPa, nu = 0.45) with the Prony series on the
// whole second Piola-Kirchhoff stress, g0 = 1, (g, tau) = (0.5, 0.1 s), (0.3, 1.0 s); the elastic
// law alone is selectable (peer_block_elastic). A law with history gets a SolidHistory through
// SolidInputs; the quasi-static solver commits it after every accepted step (t is time in seconds).
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "bench_support.hpp"
#include "libtissue/mechanics/peer_block.hpp"
#include "libtissue/solver/mechanics_solver.hpp"

namespace tissue::bench {

/// Elastic material of the peer problem: compressible neo-Hookean, E = 10 kPa, nu = 0.45.
inline RegionMechanics peer_block_elastic() {
  return PeerBlock{}.elastic();
}

/// Viscoelastic material of the peer problem (the default): FEBio's `viscoelastic` on the elastic
/// law above, S = g0 Se + sum g_i H_i with g0 = 1, (g_i, tau_i) = (0.5, 0.1 s), (0.3, 1.0 s).
inline RegionMechanics peer_block_viscoelastic() {
  return PeerBlock{}.viscoelastic();
}

/// FEBio 4's published results for the viscoelastic peer problem at t = 1 s (peer-block.md).
struct PeerBlockReference {
  Real Rz;        ///< reaction force on the top face [N]
  Real bulge_mm;  ///< ux at (40, 20, 10) mm [mm]
};
inline constexpr PeerBlockReference kFebio28{-10.616, 3.379};  ///< 28 x 28 x 14
inline constexpr PeerBlockReference kFebio44{-10.331, 3.366};  ///< 44 x 44 x 22

/// One run of the peer problem.
struct PeerBlockCase {
  PeerBlock block;  ///< size (block.nx, .ny, .nz), steps and depth of the problem (default: peer-block.md)
  int threads = 1;  ///< element-loop and BLAS threads
  std::function<RegionMechanics()> material = peer_block_viscoelastic;  ///< the law
  LinearSolverKind linear = LinearSolverKind::cholmod;                  ///< linear solver
  Real linear_tolerance = LinearSolverOptions{}.cg_tolerance;  ///< CG and AMG: relative residual per solve
  int max_tangent_reuse = 0;        ///< NewtonOptions::max_tangent_reuse (0: exact Newton)
  Real reuse_contraction = 0.5;     ///< NewtonOptions::reuse_contraction
  bool bfgs = false;                ///< NewtonOptions::bfgs (quasi-Newton steps on a reused factorisation)
  bool keep_factorization = false;  ///< NewtonOptions::keep_factorization (reuse across steps)
  bool progress = false;            ///< print one line per accepted step to stderr
};

/// The Newton setting of the peer problem's production runs (the test, the benchmarks, `peer_block
/// --production`, febio_block.py; RESULTS.md, section 4): a factorised tangent serves up to 10 more
/// iterations as BFGS quasi-Newton steps, and a step starts with the previous step's factorisation.
inline void use_production_newton(PeerBlockCase& c) {
  c.max_tangent_reuse = 10;
  c.bfgs = true;
  c.keep_factorization = true;
}

/// The setting before 2026-12-05, for comparison (bench_peer_block): chord steps, a factorised tangent reused
/// for up to 6 more iterations while |r| falls at least 4x per iteration, fresh at every step.
inline void use_chord_newton(PeerBlockCase& c) {
  c.max_tangent_reuse = 6;
  c.reuse_contraction = 0.25;
}

/// What one run of the peer problem gives.
struct PeerBlockResult {
  Index cells = 0, nodes = 0, equations = 0;  ///< sizes
  double wall_seconds = 0;                    ///< set-up + solve wall time [s]
  double solve_seconds = 0;                   ///< quasi-static solve only [s]
  double factorize_seconds = 0;               ///< in the linear solver's factorize() [s]
  double linear_seconds = 0;                  ///< in analyze + factorize + solve [s]
  int newton_iterations = 0, steps = 0, cuts = 0, factorizations = 0;
  std::int64_t factor_nonzeros = -1;  ///< nonzeros of the Cholesky factor, -1 if unknown
  std::string linear_solver;          ///< the solver's name
  bool viscoelastic = false;          ///< whether the law carries history
  Real Rz = 0;                        ///< reaction force on the top face at t = 1 [N]
  Real bulge = 0;                     ///< ux at (40, 20, 10) mm at t = 1 [m]
  std::int64_t peak_rss = 0;          ///< VmHWM of the process after the run [bytes]
};

/// Runs the peer problem.
inline PeerBlockResult run_peer_block(const PeerBlockCase& c) {
  const double t0 = now_seconds();
  set_threads(c.threads);
  const PeerBlock& b = c.block;
  const Mesh mesh = b.mesh();
  const auto& bottom = mesh.node_set(PeerBlock::kFixedSet).nodes;
  const auto& top = mesh.node_set(PeerBlock::kPressedSet).nodes;
  DofMap dofs(mesh.n_nodes(), 3);
  dofs.constrain_nodes(bottom);
  dofs.constrain_nodes(top);
  dofs.finalize();
  SolidOptions so;
  so.threads = c.threads;
  so.volumetric = VolumetricTreatment::pointwise;  // plain hex8 (compressible laws use it anyway)
  SolidProblem solid(mesh, {c.material()}, dofs, so);

  const LoadFunction load = [&](Real t) {
    MechanicalLoad l{VectorX(), VectorX::Zero(3 * mesh.n_nodes())};
    for (Index n : top) l.u_prescribed[3 * n + 2] = -b.depth * t / b.duration;
    return l;
  };
  QuasiStaticOptions qo;
  qo.linear.kind = c.linear;
  qo.linear.cg_tolerance = c.linear_tolerance;
  qo.newton.max_tangent_reuse = c.max_tangent_reuse;
  qo.newton.reuse_contraction = c.reuse_contraction;
  qo.newton.bfgs = c.bfgs;
  qo.newton.keep_factorization = c.keep_factorization && c.max_tangent_reuse > 0;
  QuasiStaticSolver qs(solid, qo);
  SolidHistory history = solid.make_history();
  SolidHistory* h = solid.needs_history() ? &history : nullptr;
  VectorX u = VectorX::Zero(3 * mesh.n_nodes());
  const double t1 = now_seconds();
  const auto on_step = [&](Real t, const VectorX&, const SolidStepState&) {
    if (c.progress)
      std::fprintf(stderr, "  t = %.3f  %.1f s, %lld factorisations\n", t, now_seconds() - t1,
                   static_cast<long long>(qs.linear_solver().stats().factorizations));
  };
  const MechanicsRunSummary s = qs.solve(u, load, 0.0, b.duration, b.steps, on_step, nullptr, nullptr, h);
  const double t2 = now_seconds();

  PeerBlockResult r;
  r.cells = mesh.n_cells();
  r.nodes = mesh.n_nodes();
  r.equations = solid.dofs().n_equations();
  r.solve_seconds = t2 - t1;
  r.newton_iterations = s.newton_iterations;
  r.steps = s.steps;
  r.cuts = s.cuts;
  r.linear_solver = s.linear_solver;
  const LinearSolverStats& ls = qs.linear_solver().stats();
  r.factorize_seconds = ls.seconds_factorize;
  r.linear_seconds = ls.seconds_analyze + ls.seconds_factorize + ls.seconds_solve;
  r.factorizations = static_cast<int>(ls.factorizations);
  r.factor_nonzeros = ls.factor_nonzeros;
  r.viscoelastic = h != nullptr;
  // Stress at the committed state: with dt = 0 and an unchanged strain the recursion returns the
  // committed branch stresses (without the history the law would answer with its instantaneous response).
  SolidInputs inputs;
  inputs.history = h;
  VectorX f;
  solid.evaluate(u, &f, nullptr, &inputs);
  for (Index n : top) r.Rz += f[3 * n + 2];
  r.bulge = u[3 * b.bulge_node()];
  r.wall_seconds = now_seconds() - t0;
  r.peak_rss = peak_rss_bytes();
  return r;
}

}  // namespace tissue::bench
