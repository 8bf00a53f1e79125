// tissue: command-line front end of libtissue.
//   tissue run SESSION.toml -o OUT.h5 [--resolution coarse|default|fine] [--threads N] [--overwrite |
//   --resume] tissue info OUT.h5 tissue techniques tissue check SESSION.toml [--resolution
//   coarse|default|fine] tissue export-feb SESSION.toml -o MODEL.feb [--resolution coarse|default|fine]
//   tissue export-feb --peer-block NXxNYxNZ -o BLOCK.feb
//   tissue sweep SWEEP.toml -o STUDY/ [--threads N] [--case K | --collect]
// Exit codes: 0 success, 1 bad input (one-line reason), 2 numerical failure, 3 other error.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/io/checkpoint_file.hpp"
#include "libtissue/io/feb_writer.hpp"
#include "libtissue/io/results_reader.hpp"
#include "libtissue/io/results_writer.hpp"
#include "libtissue/session/feb_export.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/study/study.hpp"
#ifdef TISSUE_WITH_MPI
#include "sweep_mpi.hpp"
#endif

namespace {

using namespace tissue;

/// Set by SIGINT / SIGTERM during `tissue run`; the run stops at its next macro step (the one piece of
/// process-wide state: a signal handler can reach nothing else).
std::atomic<bool> interrupt_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void request_interrupt(int) {
  interrupt_requested.store(true);
}

/// A one-line progress bar on stderr with the estimated time left.
class ProgressBar {
 public:
  void operator()(double fraction, std::string_view status) {
    const auto now = std::chrono::steady_clock::now();
    if (fraction < 1.0 && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double left = fraction > 1e-6 ? elapsed * (1 - fraction) / fraction : 0;
    const int width = 30, filled = static_cast<int>(fraction * width + 0.5);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %6.0f s elapsed, ~%5.0f s left  %-24.*s", filled,
                 "##############################", width - filled, "", 100 * fraction, elapsed, left,
                 static_cast<int>(status.size()), status.data());
    if (fraction >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

/// A number right-aligned in `width` with `precision` decimals, or "-" when it was not measured (NaN).
std::string cell(Real v, int width, int precision) {
  char buf[64];
  if (std::isnan(v))
    std::snprintf(buf, sizeof buf, "%*s", width, "-");
  else
    std::snprintf(buf, sizeof buf, "%*.*f", width, precision, v);
  return buf;
}

/// Per muscle: tone and elasticity before, right after the last technique and at the end of recovery.
void print_muscles(const RunSummary& s) {
  if (s.muscles.empty()) return;
  const MuscleReport& m0 = s.muscles.front();
  std::printf(
      "\ntone and elasticity per muscle: before (t = 0), after the last technique (t = %.0f s), end of "
      "recovery (t = %.0f s); myotonometer at the skin above the muscles in [outputs] myoton_sites\n",
      m0.after_session.time, m0.end.time);
  std::printf("%-26s %-7s %7s %11s %11s %9s %9s %7s %9s %9s\n", "muscle", "when", "tone", "mu along",
              "mu across", "myoton F", "myoton S", "D", "T mean", "peak T");
  std::printf("%-26s %-7s %7s %11s %11s %9s %9s %7s %9s %9s\n", "", "", "[-]", "[kPa]", "[kPa]", "[Hz]",
              "[N/m]", "[-]", "[degC]", "[degC]");
  for (const auto& m : s.muscles) {
    const std::pair<const char*, const MuscleState*> rows[] = {
        {"before", &m.before}, {"after", &m.after_session}, {"end", &m.end}};
    bool first = true;
    for (const auto& [when, st] : rows) {
      std::printf("%-26s %-7s %s %s %s %s %s %s %s", first ? m.region.c_str() : "", when,
                  cell(st->tone, 7, 3).c_str(), cell(st->shear_modulus / 1e3, 11, 3).c_str(),
                  cell(st->shear_modulus_across / 1e3, 11, 3).c_str(),
                  cell(st->myoton_frequency, 9, 2).c_str(), cell(st->myoton_stiffness, 9, 1).c_str(),
                  cell(st->myoton_decrement, 7, 3).c_str(),
                  cell(st->temperature_mean - kCelsius, 9, 2).c_str());
      if (first) std::printf(" %9.2f", m.peak_temperature - kCelsius);
      std::printf("\n");
      first = false;
    }
  }
}

/// Safety flags with time, place (region) and value against the threshold.
void print_flags(const std::vector<SafetyFlag>& flags) {
  if (flags.empty()) {
    std::printf("\nsafety flags: none\n");
    return;
  }
  std::printf("\nsafety flags (%zu):\n", flags.size());
  for (const auto& f : flags) {
    Real v = f.value, th = f.threshold;
    std::string u = f.units;
    if (u == "K") v -= kCelsius, th -= kCelsius, u = "degC";
    if (u == "Pa") v /= 1e3, th /= 1e3, u = "kPa";
    std::printf("  t = %8.1f s  %-24s %-26s %.3g %s (limit %.3g %s)\n", f.time, f.kind.c_str(),
                f.region.c_str(), v, u.c_str(), th, u.c_str());
  }
}

/// Where the time went, per protocol item (the run's profile).
void print_profile(const RunSummary& s) {
  std::printf("\n%-20s %-22s %7s %6s %6s %7s %6s %8s %8s %8s %8s %8s\n", "item", "region", "sim [s]", "steps",
              "rest", "Newton", "facts", "mech [s]", "tang [s]", "fact [s]", "heat [s]", "out [s]");
  for (const auto& p : s.profile)
    std::printf("%-20s %-22s %7.1f %6d %6d %7d %6d %8.2f %8.2f %8.2f %8.2f %8.2f\n", p.name.c_str(),
                p.region.c_str(), p.t1 - p.t0, p.mechanics.substeps, p.mechanics.rest_substeps,
                p.mechanics.newton.iterations, p.mechanics.newton.factorizations, p.mechanics.seconds,
                p.mechanics.newton.seconds_tangent, p.mechanics.newton.seconds_factorize, p.seconds_heat,
                p.seconds_outputs);
}

void print_summary(const RunSummary& s, const std::string& out) {
  std::printf(
      "\nlibtissue run summary (%ld cells, %ld nodes, %ld equations; %d mechanical steps (%d at rest), %d "
      "Newton iterations, %d factorisations, %d thermal steps, %s; %.1f s simulated in %.1f s)\n",
      static_cast<long>(s.n_cells), static_cast<long>(s.n_nodes), static_cast<long>(s.n_equations), s.steps,
      s.rest_steps, s.newton_iterations, s.factorizations, s.thermal_steps, s.linear_solver.c_str(),
      s.simulated_time, s.wall_seconds);
  std::printf("peak tool force %.1f N, peak contact pressure %.2f kPa\n", s.applied_force,
              s.peak_contact_pressure / 1e3);
  const EnergyBudget& e = s.energy;
  std::printf(
      "energy: tool work %.3f J = stored %+.3f J + dissipated %.3f J (imbalance %+.1f %%); friction heat "
      "%.3f J, hot-tool heat %.1f J, perfusion %.1f J, air %.1f J\n",
      e.work, e.stored_change, e.dissipated, 100 * e.mechanical_imbalance(), e.friction_heat, e.contact_heat,
      e.perfusion_heat, e.convection_heat);
  if (s.rigid_tool_steps > 0)
    std::printf("rigid tools (massage-gun heads) in contact for %d substeps, %d of them at the stall force\n",
                s.rigid_tool_steps, s.stalled_steps);
  if (s.jumped_cycles > 0)
    std::printf("cycle averaging: %d cycles resolved, %d cycles jumped\n", s.resolved_cycles,
                s.jumped_cycles);
  print_profile(s);
  std::printf("\n%-26s %12s %12s %12s %12s %12s\n", "region", "peak |u|", "peak p", "peak vM", "peak T",
              "final T");
  std::printf("%-26s %12s %12s %12s %12s %12s\n", "", "[mm]", "[kPa]", "[kPa]", "[degC]", "mean [degC]");
  for (const auto& r : s.regions)
    std::printf("%-26s %12.3f %12.3f %12.3f %12.2f %12.2f\n", r.region.c_str(), r.peak_displacement * 1e3,
                r.peak_pressure / 1e3, r.peak_von_mises / 1e3, r.peak_temperature - kCelsius,
                r.final_temperature_mean - kCelsius);
  print_muscles(s);
  print_flags(s.safety_flags);
  std::printf("\nresults: %s (+ .xdmf for ParaView)\n", out.c_str());
}

/// Refuses a results path that cannot or must not be written (before the model is built); creates its folder.
void check_output(const std::string& session_path, const std::string& out, bool overwrite, bool resume) {
  const SourceLocation at{out, 0, 0};
  std::error_code ec;
  if (out.empty()) throw InputError(at, "-o", "the results file needs a name, e.g. -o results/run.h5");
  if (std::filesystem::is_directory(out, ec))
    throw InputError(
        at, "-o",
        "is a folder; give a file name such as " + (std::filesystem::path(out) / "run.h5").string());
  if (std::filesystem::exists(out, ec)) {
    if (std::filesystem::equivalent(out, session_path, ec))
      throw InputError(at, "-o", "is the session file itself; choose another results file");
    if (!overwrite && !resume)
      throw InputError(
          at, "",
          "results file already exists; pass --overwrite to replace it, --resume to continue it, "
          "or choose another -o");
  }
  if (const auto dir = std::filesystem::path(out).parent_path(); !dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError(at, "-o", "cannot create the folder '" + dir.string() + "': " + ec.message());
  }
}

int cmd_run(const std::string& session_path, const std::string& out, const std::string& resolution,
            int threads, bool overwrite, bool quiet, bool resume) {
  SessionSpec spec = read_session_file(session_path);
  if (!resolution.empty()) spec.model.resolution = resolution;
  if (threads > 0) spec.run.threads = threads;
  check_output(session_path, out, overwrite, resume);  // before minutes of model building
  const std::filesystem::path checkpoint = checkpoint_path(out);
  std::optional<StateArchive> from;
  if (resume) from = read_checkpoint(checkpoint);
  std::fprintf(stderr, "building model (%s)...\n",
               spec.model.mesh_file.empty() ? spec.model.resolution.c_str() : spec.model.mesh_file.c_str());
  const Model model = Model::from_spec(spec.model);
  RunContext ctx;
  ctx.threads = spec.run.threads > 0 ? spec.run.threads : hardware_threads();
  ProgressBar bar;
  if (!quiet) ctx.progress = [&bar](double f, std::string_view s) { bar(f, s); };
  ctx.cancel = &interrupt_requested;
  std::signal(SIGINT, request_interrupt);
  std::signal(SIGTERM, request_interrupt);
  ctx.log = [quiet](LogLevel l, std::string_view m) {
    if (!quiet || l >= LogLevel::warning)
      std::fprintf(stderr, "\n%.*s\n", static_cast<int>(m.size()), m.data());
  };
  Simulation sim(model, spec, ctx);
  sim.set_checkpoint_file(checkpoint);
  RunSummary s;
  if (from) {
    const double t = from->scalar("state.time");
    std::fprintf(stderr, "resuming from the checkpoint at t = %.1f s (%s)\n", t, checkpoint.c_str());
    const auto writer = reopen_results_at(out, t);
    s = sim.resume(*writer, *from);
    writer->close();
  } else {
    std::error_code ec;
    std::filesystem::remove(checkpoint, ec);  // a stale one of an earlier run must not be resumed
    ResultsWriter writer(out, overwrite ? OpenMode::overwrite : OpenMode::create_new);
    s = sim.run(writer);
    writer.close();
  }
  std::error_code ec;
  std::filesystem::remove(checkpoint, ec);  // the run is complete
  print_summary(s, out);
  return 0;
}

int cmd_info(const std::string& path) {
  ResultsReader r(path);
  std::printf("%s\n", path.c_str());
  const auto meta = r.meta();
  const auto status = meta.find("status");
  if (status == meta.end())
    std::printf("  status: not recorded (not written by tissue run)\n");
  else if (status->second == "running")
    std::printf(
        "  status: running, or killed (its process ended without a word); what it wrote is readable\n");
  else
    std::printf("  status: %s\n", status->second.c_str());
  if (const auto why = meta.find("status_reason"); why != meta.end() && !why->second.empty())
    std::printf("  reason: %s\n", why->second.c_str());
  for (const auto& [k, v] : meta)
    if (k != "session" && k != "status" && k != "status_reason")
      std::printf("  meta %-16s %s\n", k.c_str(), v.c_str());
  if (r.has_mesh()) {
    const Mesh m = r.mesh();
    std::printf("  mesh: %ld nodes, %ld cells, %d regions\n", static_cast<long>(m.n_nodes()),
                static_cast<long>(m.n_cells()), m.regions.size());
  }
  const auto times = r.series_time();
  std::printf("  series: %zu rows", times.size());
  if (!times.empty()) std::printf(" from %.3g s to %.3g s", times.front(), times.back());
  std::printf("\n");
  for (const auto& g : r.series_groups()) {
    std::printf("    %s:", g.c_str());
    for (const auto& n : r.series_names(g)) std::printf(" %s", n.c_str());
    std::printf("\n");
  }
  std::printf("  fields at %zu times:", r.field_times().size());
  for (const auto& n : r.field_names()) std::printf(" %s", n.c_str());
  std::printf("\n");
  return 0;
}

/// Lists the entries of the tissue tables that [tissue.<name>] tables and sweep keys can change.
void print_tissue_entries() {
  std::printf(
      "\nTissue parameters ([tissue.<tissue or muscle>] tables; sweep keys tissue.<name>.<entry>):\n"
      "entries of data/materials/<tissue>.toml, written with a unit of the entry's dimension\n"
      "(hyperelastic.mu = \"2.5 kPa\"). A muscle name (erector_spinae, gluteus_medius_left, ...)\n"
      "changes the muscle table for that muscle only.\n");
  const TissueLibrary library = TissueLibrary::defaults();
  for (const std::string& name : library.names()) {
    if (!library.has_table(name)) continue;
    std::printf("\n[tissue.%s]\n", name.c_str());
    for (const TissueEntry& e : library.entries(name))
      std::printf("  %-32s %12s %-12s %s\n", e.key.c_str(), e.value.c_str(),
                  e.unit == "1" ? "" : e.unit.c_str(), e.status.c_str());
  }
}

int cmd_techniques() {
  std::printf(
      "Items of a session file ([[technique]] type = ...). Quantities are strings with units, e.g.\n"
      "force = \"30 N\", speed = \"5 cm/s\", temperature = \"50 degC\", duration = \"2 min\".\n");
  for (const auto& t : technique_catalogue()) {
    std::printf("\n%s  %s\n", t.name.c_str(), t.summary.c_str());
    for (const auto& k : t.keys)
      std::printf("  %-16s %-12s %-14s %s%s\n", k.key.c_str(), k.kind.c_str(), k.default_value.c_str(),
                  k.doc.c_str(), k.range.empty() ? "" : (" [" + k.range + "]").c_str());
  }
  std::printf("\nValues outside the [plausible range] of a key are rejected.\n");
  std::printf("\n[session] follow_up = \"10 min\"  recovery time after the last item (default 0 s)\n");
  print_tissue_entries();
  return 0;
}

int cmd_check(const std::string& path, const std::string& resolution) {
  SessionSpec spec = read_session_file(path);
  if (!resolution.empty()) spec.model.resolution = resolution;
  const Model model = Model::from_spec(spec.model);
  Simulation sim(model, spec);
  if (spec.items().empty())
    std::fprintf(stderr, "%s: warning: the session has no techniques or rests, only the follow-up\n",
                 path.c_str());
  std::printf("%s: OK (%zu items, %.0f s including the follow-up; model %s with %ld cells)\n", path.c_str(),
              spec.items().size(), sim.protocol().duration(),
              spec.model.mesh_file.empty() ? spec.model.resolution.c_str() : spec.model.mesh_file.c_str(),
              static_cast<long>(model.mesh.n_cells()));
  return 0;
}

/// What `tissue export-feb --help` says is and is not exported.
constexpr const char* kExportFebHelp =
    "write an FEBio 4 input file (.feb, units mm, N, s, MPa; docs/febio-export.md): the peer block with its "
    "load case (--peer-block), or a session's model: mesh, one material per region (nearest FEBio law), "
    "fibres, fixed bone sets. Not exported for a session: its techniques and loads, temperature dependence, "
    "active muscle tone";

/// NXxNYxNZ of --peer-block, e.g. "28x28x14"; throws InputError on anything else.
PeerBlock parse_peer_block(const std::string& size) {
  PeerBlock b;
  int used = 0;
  if (std::sscanf(size.c_str(), "%dx%dx%d%n", &b.nx, &b.ny, &b.nz, &used) != 3 ||
      used != static_cast<int>(size.size()))
    throw InputError("--peer-block", "expected NXxNYxNZ, e.g. 28x28x14, got '" + size + "'");
  b.validate();
  return b;
}

int cmd_export_feb(const std::string& session_path, const std::string& peer_block, const std::string& out,
                   const std::string& resolution) {
  const SourceLocation at{out, 0, 0};
  if (out.empty()) throw InputError(at, "-o", "the FEBio file needs a name, e.g. -o model.feb");
  std::error_code ec;
  if (std::filesystem::is_directory(out, ec)) throw InputError(at, "-o", "is a folder; give a file name");
  if (!session_path.empty() && std::filesystem::equivalent(out, session_path, ec))
    throw InputError(at, "-o", "is the session file itself; choose another file");
  FebModel feb;
  if (!peer_block.empty()) {
    feb = peer_block_feb(parse_peer_block(peer_block));
  } else {
    if (session_path.empty()) throw InputError("export-feb", "give a session file or --peer-block NXxNYxNZ");
    SessionSpec spec = read_session_file(session_path);
    if (!resolution.empty()) spec.model.resolution = resolution;
    feb = model_feb(Model::from_spec(spec.model));
  }
  if (const auto dir = std::filesystem::path(out).parent_path(); !dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError(at, "-o", "cannot create the folder '" + dir.string() + "': " + ec.message());
  }
  write_feb_file(feb, out);
  std::printf(
      "%s: FEBio 4 model, %ld nodes, %ld elements, %zu materials, %d steps of %g s "
      "(run: febio4 -i %s)\n",
      out.c_str(), static_cast<long>(feb.nodes.rows()), static_cast<long>(feb.n_elements()),
      feb.materials.size(), feb.time_steps, feb.step_size, out.c_str());
  return 0;
}

/// "key = value, ..." of one case, for progress lines.
std::string case_label(const Sweep& sweep, int index) {
  std::string out;
  const SweepCase& c = sweep.cases.at(static_cast<std::size_t>(index));
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j)
    out += (out.empty() ? "" : ", ") + sweep.parameters[j].key + " = " + c.values[j].text;
  return out;
}

/// One line per case: what was done with it and how long it took.
void print_case(const Sweep& sweep, const CaseRun& r) {
  const int n = static_cast<int>(sweep.cases.size());
  if (!r.ran) {
    std::printf("case %d/%d skipped (%s): %s\n", r.index, n, std::string(to_string(r.before)).c_str(),
                case_label(sweep, r.index).c_str());
  } else {
    std::printf("case %d/%d %s%s in %.1f s: %s%s%s\n", r.index, n, std::string(to_string(r.after)).c_str(),
                r.resumed ? " (resumed)" : "", r.seconds, case_label(sweep, r.index).c_str(),
                r.message.empty() ? "" : "\n  ", r.message.c_str());
  }
  std::fflush(stdout);
}

/// The run context of the cases of a sweep: threads, progress bar, Ctrl-C, warnings.
RunContext sweep_context(int threads, bool quiet, ProgressBar& bar) {
  RunContext ctx;
  ctx.threads = threads;
  if (!quiet) ctx.progress = [&bar](double f, std::string_view s) { bar(f, s); };
  ctx.cancel = &interrupt_requested;
  std::signal(SIGINT, request_interrupt);
  std::signal(SIGTERM, request_interrupt);
  ctx.log = [](LogLevel l, std::string_view m) {
    if (l >= LogLevel::warning) std::fprintf(stderr, "\n%.*s\n", static_cast<int>(m.size()), m.data());
  };
  return ctx;
}

/// Writes study.h5 and study.csv and says how many cases are complete.
int collect_study(const Sweep& sweep, const std::filesystem::path& study) {
  const StudyTable t = write_study(sweep, study);
  int done = 0, failed = 0;
  for (const auto& s : t.status) done += s == "completed", failed += s == "failed";
  std::printf("study: %d of %zu cases completed, %d failed; %s, %s\n", done, t.cases.size(), failed,
              (study / "study.h5").c_str(), (study / "study.csv").c_str());
  return failed > 0 ? 2 : 0;
}

int cmd_sweep(const std::string& sweep_path, const std::string& out, int threads, int only_case, bool collect,
              bool quiet) {
  const Sweep sweep = read_sweep_file(sweep_path);
  if (out.empty())
    throw InputError(SourceLocation{out, 0, 0}, "-o", "the study needs a folder, e.g. -o study/");
  const std::filesystem::path study = out;
  if (std::error_code ec; std::filesystem::exists(study, ec) && !std::filesystem::is_directory(study, ec))
    throw InputError(SourceLocation{out, 0, 0}, "-o", "is a file; the study needs a folder");
  std::filesystem::create_directories(study / "cases");
  if (collect) return collect_study(sweep, study);
  const int n = static_cast<int>(sweep.cases.size());
  if (only_case >= n)
    throw InputError(SourceLocation{sweep_path, 0, 0}, "--case",
                     "the sweep has " + std::to_string(n) + " cases (0 .. " + std::to_string(n - 1) + ")");
  std::fprintf(stderr, "sweep %s: %d cases into %s\n", sweep_path.c_str(), n, study.c_str());
  ProgressBar bar;
  const RunContext ctx = sweep_context(threads, quiet, bar);
  ModelCache models;
  int failed = 0;
  for (int k = only_case >= 0 ? only_case : 0; k < (only_case >= 0 ? only_case + 1 : n); ++k) {
    bar = ProgressBar{};
    const CaseRun r = run_case(sweep, k, study, ctx, models);
    failed += r.after == CaseStatus::failed;
    print_case(sweep, r);
  }
  if (only_case >= 0) return failed > 0 ? 2 : 0;
  return collect_study(sweep, study);
}

#ifdef TISSUE_WITH_MPI
/// `tissue sweep` under mpirun: rank 0 hands out the cases and writes the study, the other ranks run cases.
int cmd_sweep_mpi(const std::string& sweep_path, const std::string& out, int threads) {
  const Sweep sweep = read_sweep_file(sweep_path);
  const std::filesystem::path study = out;
  if (cli::mpi_root()) {
    std::filesystem::create_directories(study / "cases");
    std::fprintf(stderr, "sweep %s: %zu cases into %s over MPI\n", sweep_path.c_str(), sweep.cases.size(),
                 study.c_str());
  }
  ProgressBar bar;
  const RunContext ctx = sweep_context(threads, true, bar);  // no progress bars from many ranks
  ModelCache models;
  auto run = [&](int k) {
    const CaseRun r = run_case(sweep, k, study, ctx, models);
    if (!r.message.empty()) std::fprintf(stderr, "case %d failed: %s\n", k, r.message.c_str());
    return r;
  };
  cli::mpi_work_queue(static_cast<int>(sweep.cases.size()), run,
                      [&](const CaseRun& r) { print_case(sweep, r); });
  return cli::mpi_root() ? collect_study(sweep, study) : 0;
}
#endif

/// `tissue sweep`: over MPI when started by mpirun with several ranks (MPI builds), else in this process.
int cmd_sweep_any(const std::string& sweep_path, const std::string& out, int threads, int only_case,
                  bool collect, bool quiet) {
#ifdef TISSUE_WITH_MPI
  if (only_case < 0 && !collect && cli::mpi_start(nullptr, nullptr)) {
    const int code = cmd_sweep_mpi(sweep_path, out, threads);
    cli::mpi_finish();
    return code;
  }
#endif
  return cmd_sweep(sweep_path, out, threads, only_case, collect, quiet);
}

/// Ends the program after an error: under MPI every rank is stopped (the others would wait forever).
int fail_with(int code) {
#ifdef TISSUE_WITH_MPI
  cli::mpi_abort_if_running(code);
#endif
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tissue: finite-element simulation of massage on lower-back and hip muscle tissue"};
  app.require_subcommand(1);
  std::string session, out = "results/run.h5", resolution, info_path, check_path;
  std::string feb_session, feb_out, peer_block;
  int threads = 0;
  bool overwrite = false, quiet = false, resume = false;
  auto* run = app.add_subcommand("run", "run a session file and write HDF5/XDMF results");
  run->add_option("session", session, "session file (TOML)")->required();
  run->add_option("-o,--output", out, "results file (.h5)");
  run->add_option("--resolution", resolution,
                  "model resolution: coarse, default or fine (overrides the file)")
      ->check(CLI::IsMember({"coarse", "default", "fine"}));
  run->add_option("--threads", threads, "threads (overrides the file; 0 = all cores)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            std::size_t end = 0;
            long n = -1;
            try {
              n = std::stol(v, &end);
            } catch (const std::exception&) {
            }
            if (end != v.size() || n < 0 || n > 4096)
              return "must be a whole number from 0 (all cores) to 4096, got '" + v + "'";
            return "";
          },
          "0..4096"));
  run->add_flag("--overwrite", overwrite, "replace an existing results file");
  run->add_flag("--resume", resume,
                "continue a killed, failed or interrupted run from its checkpoint (OUT.checkpoint.h5)")
      ->excludes("--overwrite");
  run->add_flag("-q,--quiet", quiet, "no progress bar");
  auto* info = app.add_subcommand("info", "describe a results file");
  info->add_option("file", info_path, "results file (.h5)")->required();
  app.add_subcommand("techniques", "list techniques with their parameters, units and defaults");
  auto* check = app.add_subcommand("check", "validate a session file without running it");
  check->add_option("session", check_path, "session file (TOML)")->required();
  check->add_option("--resolution", resolution, "model resolution to check against (overrides the file)")
      ->check(CLI::IsMember({"coarse", "default", "fine"}));
  auto* export_feb = app.add_subcommand("export-feb", kExportFebHelp);
  export_feb->add_option("session", feb_session, "session file (TOML) whose model is exported");
  export_feb
      ->add_option("--peer-block", peer_block,
                   "export the peer benchmark block (peer-block.md) with its load case, e.g. 28x28x14")
      ->excludes("session");
  export_feb->add_option("-o,--output", feb_out, "FEBio input file to write (.feb)")->required();
  export_feb
      ->add_option("--resolution", resolution,
                   "model resolution: coarse, default or fine (overrides the file)")
      ->check(CLI::IsMember({"coarse", "default", "fine"}))
      ->excludes("--peer-block");
  auto* sweep = app.add_subcommand("sweep", "run the cases of a parameter study (docs/studies.md)");
  std::string sweep_path, study_dir;
  int sweep_threads = 0, only_case = -1;
  bool collect = false;
  sweep->add_option("sweep", sweep_path, "sweep file (TOML)")->required();
  sweep->add_option("-o,--output", study_dir, "study folder (cases/, study.h5, study.csv)")->required();
  sweep->add_option("--threads", sweep_threads, "threads per case (0 = the session's [run] threads)")
      ->check(CLI::Range(0, 4096));
  sweep->add_option("--case", only_case, "run only this case (0-based); no study table")
      ->check(CLI::Range(0, 1 << 30));
  sweep->add_flag("--collect", collect, "only write study.h5 and study.csv from the cases done so far")
      ->excludes("--case");
  sweep->add_flag("-q,--quiet", quiet, "no progress bar");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // usage errors are bad input too: exit 1, not CLI11's own codes
    const int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  try {
    if (*run) return cmd_run(session, out, resolution, threads, overwrite, quiet, resume);
    if (*info) return cmd_info(info_path);
    if (app.got_subcommand("techniques")) return cmd_techniques();
    if (*check) return cmd_check(check_path, resolution);
    if (*export_feb) return cmd_export_feb(feb_session, peer_block, feb_out, resolution);
    if (*sweep) return cmd_sweep_any(sweep_path, study_dir, sweep_threads, only_case, collect, quiet);
  } catch (const InputError& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return fail_with(1);
  } catch (const NumericalError& e) {
    std::fprintf(stderr, "\nnumerical failure: %s\n", e.what());
    return fail_with(2);
  } catch (const Cancelled& e) {
    std::fprintf(stderr, "\ninterrupted: %s\n", e.what());
    return fail_with(130);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return fail_with(3);
  }
  return 0;
}
