// accuracy_guard: the speed settings against tight reference settings on a shortened default session.
//
//   build/benchmarks/accuracy_guard [--session FILE] [--scale F] [--resolution coarse|default|fine]
//                                   [--threads N] [--reference-substeps F]
//
// Runs the session (default data/sessions/default.toml) with every item's duration (and hold, rest and
// follow-up, and the cycle-jump windows, so that each item keeps its windows) scaled by F (default 0.1) twice
// on the same model: with the production [run] settings of the file, and with reference settings (every cycle
// resolved, exact Newton with a fresh tangent per iteration, tolerances 10-100x tighter, mechanical step
// limits and the heat step x F_ref (default 0.25), every substep solved). It prints per muscle the changes
// (after the last technique minus before) of temperature, tone and shear modulus and the peak hydrostatic
// pressure of both runs, their differences relative to the largest reference change of the quantity over the
// muscles, and whether each is within 5 %. Exit code 0 when all are, 1 otherwise. Myotonometer readings are
// off in both runs (they are verified on their own).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/io/memory_sink.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"

namespace {
using namespace tissue;

/// Scales the durations of every item (holds, rests and the follow-up too) and the cycle-jump windows, so
/// that each item keeps its number of windows; ramps keep their length but never exceed a third of the
/// scaled duration.
void scale_session(SessionSpec& s, Real f) {
  s.run.cycle_window *= f;
  s.run.glide_window *= f;
  for (auto& item : s.protocol)
    std::visit(
        [f](auto& o) {
          using O = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<O, StaticCompressionOptions> ||
                        std::is_same_v<O, StaticCompressionSpec>) {
            o.hold *= f;
          } else if constexpr (requires { o.duration; }) {
            o.duration *= f;
            if constexpr (requires { o.ramp; }) o.ramp = std::min(o.ramp, o.duration / 3);
          }
        },
        item.options);
  s.follow_up *= f;
}

/// Tight settings: what the production levers are measured against.
void reference_settings(RunSpec& r, Real substeps) {
  r.cycle_averaging = false;
  r.tangent_reuse = 0;
  r.keep_factorization = false;
  r.extrapolate = false;
  r.newton_tolerance = 1e-8;
  // 10x tighter than production: at 100x a gun substep stalls at the round-off floor of the penalty contact
  // (|r| 1.4e-4 N against a target of 9.4e-5 N on a 94-N head force, x 0.05 default session).
  r.force_tolerance = 1e-5;
  r.substep_scale = substeps;
  r.dt_thermal *= substeps;
  r.dt_quiet = r.dt_thermal;
  r.rest_motion = 0;
}

struct Outcome {
  RunSummary summary;
  double seconds = 0;
};

/// Runs the session once; prints a progress line to stderr about every 5 % (the reference takes long).
Outcome run(const Model& model, const SessionSpec& spec, int threads, const char* label) {
  RunContext ctx;
  ctx.threads = threads;
  const auto start = std::chrono::steady_clock::now();
  int next_percent = 0;
  ctx.progress = [&, label](double fraction, std::string_view status) {
    if (100 * fraction < next_percent) return;
    next_percent = static_cast<int>(100 * fraction) / 5 * 5 + 5;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s %5.1f %% after %.0f s: %.*s\n", label, 100 * fraction, s,
                 static_cast<int>(status.size()), status.data());
  };
  MemorySink sink;
  Simulation sim(model, spec, ctx);
  const auto t0 = std::chrono::steady_clock::now();
  Outcome o;
  o.summary = sim.run(sink);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

struct Quantity {
  const char* name;
  const char* unit;
  Real scale;  // to the printed unit
  Real (*of)(const MuscleReport&, const RunSummary&);
};

Real peak_pressure(const RunSummary& s, const std::string& region) {
  for (const auto& r : s.regions)
    if (r.region == region) return r.peak_pressure;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string session = std::string(TISSUE_SOURCE_DIR) + "/data/sessions/default.toml", resolution;
  Real scale = 0.1, reference = 0.25;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "accuracy_guard: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--session")
      session = next();
    else if (a == "--scale")
      scale = std::stod(next());
    else if (a == "--resolution")
      resolution = next();
    else if (a == "--threads")
      threads = std::stoi(next());
    else if (a == "--reference-substeps")
      reference = std::stod(next());
    else {
      std::fprintf(stderr,
                   "usage: accuracy_guard [--session FILE] [--scale F] [--resolution R] [--threads N] "
                   "[--reference-substeps F]\n");
      return 2;
    }
  }
  try {
    SessionSpec prod = read_session_file(session);
    if (!resolution.empty()) prod.model.resolution = resolution;
    prod.outputs.myotonometer = false;
    scale_session(prod, scale);
    SessionSpec ref = prod;
    reference_settings(ref.run, reference);
    const Model model = Model::from_spec(prod.model);
    std::printf("accuracy_guard: %s x %.3g (%.0f s simulated), %s model (%ld cells), %d threads\n",
                session.c_str(), scale, prod.duration(), prod.model.resolution.c_str(),
                static_cast<long>(model.mesh.n_cells()), threads);
    const Outcome p = run(model, prod, threads, "production");
    std::printf("production: %.1f s wall, %d substeps, %d Newton iterations, %d factorisations\n", p.seconds,
                p.summary.steps, p.summary.newton_iterations, p.summary.factorizations);
    const Outcome r = run(model, ref, threads, "reference");
    std::printf(
        "reference:  %.1f s wall, %d substeps, %d Newton iterations, %d factorisations (ratio %.1fx)\n",
        r.seconds, r.summary.steps, r.summary.newton_iterations, r.summary.factorizations,
        r.seconds / p.seconds);
    const std::vector<Quantity> qs = {
        {"temperature rise", "mK", 1e3,
         [](const MuscleReport& m, const RunSummary&) {
           return m.after_session.temperature_mean - m.before.temperature_mean;
         }},
        {"tone change", "1e-3", 1e3,
         [](const MuscleReport& m, const RunSummary&) { return m.after_session.tone - m.before.tone; }},
        {"shear modulus change", "Pa", 1.0,
         [](const MuscleReport& m, const RunSummary&) {
           return m.after_session.shear_modulus - m.before.shear_modulus;
         }},
        {"peak pressure", "kPa", 1e-3,
         [](const MuscleReport& m, const RunSummary& s) { return peak_pressure(s, m.region); }}};
    constexpr Real kTolerance = 0.05;
    bool all = true;
    for (const Quantity& q : qs) {
      Real largest = 0;
      for (const auto& m : r.summary.muscles) largest = std::max(largest, std::abs(q.of(m, r.summary)));
      std::printf("\n%s [%s]\n%-26s %12s %12s %12s %6s\n", q.name, q.unit, "muscle", "production",
                  "reference", "diff/largest", "ok");
      for (size_t k = 0; k < r.summary.muscles.size(); ++k) {
        const Real vp = q.of(p.summary.muscles[k], p.summary), vr = q.of(r.summary.muscles[k], r.summary);
        const Real rel = largest > 0 ? std::abs(vp - vr) / largest : 0.0;
        const bool ok = rel <= kTolerance;
        all = all && ok;
        std::printf("%-26s %12.4g %12.4g %11.2f%% %6s\n", r.summary.muscles[k].region.c_str(), q.scale * vp,
                    q.scale * vr, 100 * rel, ok ? "yes" : "NO");
      }
    }
    std::printf("\n%s: every change within %.0f %% of the reference's largest change\n",
                all ? "PASS" : "FAIL", 100 * kTolerance);
    return all ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "accuracy_guard: %s\n", e.what());
    return 2;
  }
}
