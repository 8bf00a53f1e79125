// peer_block: runs the peer problem of /work/shared/benchmarks/peer-block.md end to end and prints
// a small table beside FEBio's published figures.
//
//   build-bench/benchmarks/peer_block [--size NXxNYxNZ] [--threads N] [--steps N] [--solver NAME]
//                                     [--material prony|elastic] [--reuse N] [--contraction F]
//                                     [--bfgs] [--keep] [--production] [--depth MM] [--progress]
//                                     [--linear-tolerance TOL]
//   e.g. peer_block --size 44x44x22 --threads 2 --production
//
// Sizes: 28x28x14 (default) and 44x44x22. Solver names: cholmod, ldlt, lu, cg, amg, automatic.
// Material: the viscoelastic law of peer-block.md (default, what FEBio ran) or its elastic part.
// --reuse N: modified Newton, a factorised tangent serves up to N further iterations while the
// residual halves per iteration (NewtonOptions::max_tangent_reuse; default 0 = exact Newton).
// --depth MM: the top face's final displacement (default 5 mm; FEBio's figures apply only to it). A small
// depth with --material elastic --steps 1 is the linear-elastic block benchmarks/mfem_block.py compares
// with MFEM. The last line ("result: key=value ...") is for scripts.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "libtissue/core/error.hpp"
#include "peer_block_case.hpp"

namespace {
using namespace tissue;

void usage() {
  std::printf(
      "usage: peer_block [--size NXxNYxNZ] [--threads N] [--steps N] [--solver NAME]\n"
      "                  [--material prony|elastic] [--reuse N] [--contraction F] [--depth MM]\n"
      "                  [--bfgs] [--keep] [--production] [--progress] [--linear-tolerance TOL]\n"
      "  --size     hex divisions, default 28x28x14 (the peer's sizes: 28x28x14, 44x44x22)\n"
      "  --threads  element-loop and BLAS threads, default 1\n"
      "  --steps    quasi-static steps over t in [0, 1], default 20\n"
      "  --solver   cholmod (default), ldlt, lu, cg, amg or automatic\n"
      "  --linear-tolerance  cg and amg: relative residual of each linear solve, default 1e-10\n"
      "  --material prony (default: FEBio's viscoelastic law) or elastic (its neo-Hookean part)\n"
      "  --reuse    modified Newton: iterations per factorised tangent beyond the first, default 0\n"
      "  --contraction  reuse only while |r| shrinks by this factor per iteration, default 0.5\n"
      "  --bfgs     with --reuse: BFGS quasi-Newton steps on a reused factorisation instead of chord steps\n"
      "  --keep     with --reuse: a step starts with the previous step's factorisation\n"
      "  --production  the production Newton setting: --reuse 10 --bfgs --keep (RESULTS.md, section 4)\n"
      "  --depth    final displacement of the top face in mm, default 5 (the peer's)\n"
      "  --progress one line per accepted step on stderr\n");
}

/// FEBio 4's figures from peer-block.md (with the Prony series), or nullptr for other sizes.
struct Peer {
  const char* wall;
  const char* memory;
  int iterations;
  Real Rz, bulge_mm;
};
const Peer* febio(int nx, int ny, int nz) {
  static const Peer small{"135-177 s", "0.5-0.75 GB", 60, bench::kFebio28.Rz, bench::kFebio28.bulge_mm};
  static const Peer large{"3324 s", "5.1 GB", 60, bench::kFebio44.Rz, bench::kFebio44.bulge_mm};
  if (nx == 28 && ny == 28 && nz == 14) return &small;
  if (nx == 44 && ny == 44 && nz == 22) return &large;
  return nullptr;
}
}  // namespace

int main(int argc, char** argv) {
  bench::PeerBlockCase c;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
      if (a == "-h" || a == "--help") {
        usage();
        return 0;
      } else if (a == "--size" && v) {
        if (std::sscanf(v, "%dx%dx%d", &c.block.nx, &c.block.ny, &c.block.nz) != 3 || c.block.ny % 2 ||
            c.block.nz % 2)
          throw InputError("size", "expected NXxNYxNZ with even NY and NZ, got '" + std::string(v) + "'");
        ++i;
      } else if (a == "--threads" && v) {
        c.threads = std::atoi(v);
        ++i;
      } else if (a == "--steps" && v) {
        c.block.steps = std::atoi(v);
        ++i;
      } else if (a == "--material" && v) {
        const std::string m = v;
        if (m == "prony")
          c.material = bench::peer_block_viscoelastic;
        else if (m == "elastic")
          c.material = bench::peer_block_elastic;
        else
          throw InputError("material", "expected prony or elastic, got '" + m + "'");
        ++i;
      } else if (a == "--reuse" && v) {
        c.max_tangent_reuse = std::atoi(v);
        ++i;
      } else if (a == "--contraction" && v) {
        c.reuse_contraction = std::atof(v);
        ++i;
      } else if (a == "--depth" && v) {
        c.block.depth = 1e-3 * std::atof(v);
        if (!(c.block.depth > 0 && c.block.depth < 0.02))
          throw InputError("depth", "must lie in (0, 20) mm, got '" + std::string(v) + "'");
        ++i;
      } else if (a == "--production") {
        bench::use_production_newton(c);
      } else if (a == "--bfgs") {
        c.bfgs = true;
      } else if (a == "--keep") {
        c.keep_factorization = true;
      } else if (a == "--progress") {
        c.progress = true;
      } else if (a == "--linear-tolerance" && v) {
        c.linear_tolerance = std::atof(v);
        ++i;
      } else if (a == "--solver" && v) {
        c.linear = parse_linear_solver_kind(v);
        ++i;
      } else {
        usage();
        return 2;
      }
    }
    if (c.threads < 1) throw InputError("threads", "must be at least 1");
    const bench::PeerBlockResult r = bench::run_peer_block(c);
    const Peer* p = c.block.depth == PeerBlock{}.depth ? febio(c.block.nx, c.block.ny, c.block.nz) : nullptr;
    std::printf(
        "peer block %dx%dx%d: %d cells, %d nodes, %d free equations, hex8 2x2x2, %s, max_tangent_reuse %d\n",
        c.block.nx, c.block.ny, c.block.nz, static_cast<int>(r.cells), static_cast<int>(r.nodes),
        static_cast<int>(r.equations),
        r.viscoelastic ? "neo-Hookean + Prony (FEBio viscoelastic)" : "elastic neo-Hookean",
        c.max_tangent_reuse);
    std::printf("%-28s %-22s %s\n", "", "libtissue", "FEBio 4 (with Prony)");
    std::printf("%-28s %-22.1f %s\n", "wall time [s]", r.wall_seconds, p ? p->wall : "-");
    std::printf("%-28s %-22.1f %s\n", "  quasi-static solve [s]", r.solve_seconds, "");
    std::printf("%-28s %-22.1f %s\n", "  linear solver [s]", r.linear_seconds, p ? "95-99% of wall" : "");
    std::printf("%-28s %-22.1f %s\n", "  factorize [s]", r.factorize_seconds, "");
    char its[64];
    std::snprintf(its, sizeof its, "%d (%d steps, %d cuts)", r.newton_iterations, r.steps, r.cuts);
    std::printf("%-28s %-22s %s\n", "Newton iterations", its, p ? "60 (quasi-Newton)" : "-");
    std::printf("%-28s %-22d %s\n", "factorisations", r.factorizations, p ? "20 (44^3 run)" : "");
    std::printf("%-28s %-22s %s\n", "linear solver", r.linear_solver.c_str(), "skyline / SuperLU_MT");
    std::printf("%-28s %-22.3g %s\n", "factor nonzeros", static_cast<double>(r.factor_nonzeros), "");
    std::printf("%-28s %-22d %s\n", "threads", c.threads, "2");
    std::printf("%-28s %-22.0f %s\n", "peak memory (VmHWM) [MiB]",
                static_cast<double>(r.peak_rss) / (1 << 20), p ? p->memory : "-");
    char rz[32], bu[32];
    std::snprintf(rz, sizeof rz, "%.3f", p ? p->Rz : 0.0);
    std::snprintf(bu, sizeof bu, "%.3f", p ? p->bulge_mm : 0.0);
    std::printf("%-28s %-22.3f %s\n", "Rz top face, t = 1 [N]", r.Rz, p ? rz : "-");
    std::printf("%-28s %-22.3f %s\n", "bulge ux(40,20,10) [mm]", 1e3 * r.bulge, p ? bu : "-");
    if (p)
      std::printf("%-28s Rz %.4f, bulge %.4f\n", "ratio libtissue / FEBio", r.Rz / p->Rz,
                  1e3 * r.bulge / p->bulge_mm);
    std::printf(
        "result: wall_s=%.6g solve_s=%.6g linear_s=%.6g peak_rss_bytes=%lld newton=%d factorizations=%d "
        "equations=%lld Rz_N=%.12g bulge_m=%.12g\n",
        r.wall_seconds, r.solve_seconds, r.linear_seconds, static_cast<long long>(r.peak_rss),
        r.newton_iterations, r.factorizations, static_cast<long long>(r.equations), r.Rz, r.bulge);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_block: %s\n", e.what());
    return 1;
  }
}
