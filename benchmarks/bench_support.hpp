// Shared helpers of the benchmark programs: peak memory, thread control, a STREAM-like triad
// (memory-bandwidth reference measured in the same run), the lumbar-hip fixture and the palm load.
// Needs no Google Benchmark (tests/verification/test_peer_block.cpp includes it).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/mesh/lumbar_hip.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

// OpenBLAS (used by CHOLMOD's supernodal kernels) reads its thread count at load time; this weak
// reference lets a benchmark change it when OpenBLAS is the BLAS in use, and is null otherwise.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace tissue::bench {

/// Peak resident set size of this process (VmHWM of /proc/self/status) [bytes]; 0 if unknown.
inline std::int64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      std::int64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

/// Sets the OpenMP and (if OpenBLAS is loaded) BLAS thread counts.
inline void set_threads(int threads) {
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  if (openblas_set_num_threads) openblas_set_num_threads(threads);
}

/// Name of the BLAS thread control in use ("openblas" or "none").
inline const char* blas_thread_control() {
  return openblas_set_num_threads ? "openblas" : "none";
}

/// Wall-clock seconds since an arbitrary epoch.
inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// STREAM-like triad a = b + s c over three arrays of `bytes_per_array` bytes each.
class Triad {
 public:
  /// Allocates and first-touches the arrays.
  explicit Triad(std::size_t bytes_per_array = std::size_t{64} << 20)
      : n_(bytes_per_array / sizeof(double)), a_(n_, 0.0), b_(n_, 1.0), c_(n_, 2.0) {}

  /// One triad pass on `threads` OpenMP threads.
  void run(int threads, double s = 3.0) {
    double* a = a_.data();
    const double* b = b_.data();
    const double* c = c_.data();
    const std::int64_t n = static_cast<std::int64_t>(n_);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
  }
  /// Bytes counted per pass, STREAM convention (read b and c, write a; no write-allocate).
  double bytes_per_pass() const { return 3.0 * static_cast<double>(n_) * sizeof(double); }
  /// A value of the result, to keep the compiler from discarding passes.
  double probe() const { return a_[n_ / 2]; }

 private:
  std::size_t n_;
  std::vector<double> a_, b_, c_;
};

/// Median triad bandwidth [bytes/s] at `threads` threads over `passes` passes (measured once per
/// thread count and program run, then cached), the reference for "fraction of bandwidth".
inline double triad_bandwidth(int threads, int passes = 11) {
  static std::map<int, double> cache;
  if (auto it = cache.find(threads); it != cache.end()) return it->second;
  Triad t;
  t.run(threads);  // warm-up
  std::vector<double> bw;
  for (int k = 0; k < passes; ++k) {
    const double t0 = now_seconds();
    t.run(threads);
    bw.push_back(t.bytes_per_pass() / (now_seconds() - t0));
  }
  std::nth_element(bw.begin(), bw.begin() + passes / 2, bw.end());
  return cache[threads] = bw[static_cast<std::size_t>(passes / 2)];
}

/// Per-region materials of the lumbar-hip model with realistic orders of magnitude: neo-Hookean
/// skin mu = 100 kPa, fat 0.75 kPa, fascia 50 kPa; MuscleTI muscles mu = 5 kPa, k1 = 10 kPa,
/// k2 = 10; kappa = 100 mu everywhere (nearly incompressible).
inline std::vector<RegionMechanics> lumbar_hip_materials(const Mesh& mesh) {
  std::vector<RegionMechanics> out;
  for (const Region& r : mesh.regions.all()) {
    auto decoupled = [](IsochoricLaw iso, Real mu) {
      return RegionMechanics{HyperelasticLaw{iso, VolumetricLogJ{100 * mu}}, 1050.0};
    };
    switch (r.kind) {
      case TissueKind::skin:
        out.push_back(decoupled(NeoHookean{100e3}, 100e3));
        break;
      case TissueKind::fat:
        out.push_back(decoupled(NeoHookean{0.75e3}, 0.75e3));
        break;
      case TissueKind::fascia:
        out.push_back(decoupled(NeoHookean{50e3}, 50e3));
        break;
      default:
        out.push_back(decoupled(MuscleTI{5e3, 10e3, 10.0}, 5e3));
        break;
    }
  }
  return out;
}

/// The lumbar-hip model with "bone_all" fixed and the materials above. Not movable (the solid
/// borrows the mesh).
struct LumbarHipModel {
  Mesh mesh;
  std::unique_ptr<SolidProblem> solid;

  /// Builds the mesh and the solid problem.
  explicit LumbarHipModel(Resolution res, int threads = 1) : mesh(generate_lumbar_hip(res)) {
    DofMap dofs(mesh.n_nodes(), 3);
    dofs.constrain_nodes(mesh.node_set("bone_all").nodes);
    dofs.finalize();
    SolidOptions opt;
    opt.threads = threads;
    solid = std::make_unique<SolidProblem>(mesh, lumbar_hip_materials(mesh), std::move(dofs), opt);
  }
  LumbarHipModel(const LumbarHipModel&) = delete;
  LumbarHipModel& operator=(const LumbarHipModel&) = delete;

  /// A small random displacement (uniform in +-amplitude [m] on free dofs, zero on fixed ones).
  VectorX random_displacement(Real amplitude = 1e-5, unsigned seed = 42) const {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<Real> d(-amplitude, amplitude);
    VectorX u = VectorX::Zero(3 * mesh.n_nodes());
    for (Index k = 0; k < u.size(); ++k)
      if (!solid->dofs().constrained(k)) u[k] = d(gen);
    return u;
  }
};

/// Nodal forces of a palm patch pressed into the "skin" facet set (outward normal +z, so the
/// pressure acts in -z): a cosine bump with semi-axes 4 x 5 cm centred at x = +4.2 cm, y = 26 cm
/// (over the right erector spinae), scaled to a resultant of exactly `total_force` [N].
inline VectorX palm_patch_load(const Mesh& mesh, Real total_force = 40.0) {
  const FacetQuadrature fq(mesh, mesh.facet_set("skin"));
  const Vec3 centre(0.042, 0.26, 0.0);
  const Real ax = 0.04, ay = 0.05;
  std::vector<Vec3> t(static_cast<size_t>(fq.size()), Vec3::Zero());
  for (Index q = 0; q < fq.size(); ++q) {
    const Vec3 X = fq.position(q);
    const Real r = std::hypot((X[0] - centre[0]) / ax, (X[1] - centre[1]) / ay);
    const Real p = r < 1 ? 0.5 * (1 + std::cos(std::numbers::pi * r)) : 0.0;  // unit peak
    t[static_cast<size_t>(q)] = -p * fq.normal(q);
  }
  VectorX f = VectorX::Zero(3 * mesh.n_nodes());
  fq.add_vector_load(t, f);
  Real fz = 0;
  for (Index n = 0; n < mesh.n_nodes(); ++n) fz += f[3 * n + 2];
  return f * (total_force / std::abs(fz));  // exact resultant on this mesh
}

/// The model at a resolution, built once per program run.
inline LumbarHipModel& lumbar_hip_model(Resolution res) {
  static std::map<Resolution, std::unique_ptr<LumbarHipModel>> cache;
  auto& m = cache[res];
  if (!m) m = std::make_unique<LumbarHipModel>(res);
  return *m;
}

}  // namespace tissue::bench
