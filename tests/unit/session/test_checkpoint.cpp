// Checkpoints and resume (issue 12): a run resumed from a checkpoint continues the run that goes on to
// round-off; a checkpoint of another protocol (or other tissue parameters) is refused; the results file is
// cut back to the checkpoint.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "libtissue/core/error.hpp"
#include "libtissue/io/checkpoint_file.hpp"
#include "libtissue/io/memory_sink.hpp"
#include "libtissue/io/results_reader.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"
#include "unit/io/sample_mesh.hpp"
#include "unit/io/tmp_dir.hpp"

namespace tissue {
namespace {

/// A short session with a moving tool, a rest and a follow-up; checkpoints every 2 s.
const char* kSession = R"toml([model]
resolution = "coarse"
[run]
threads = 1
checkpoint_every = "2 s"
[session]
follow_up = "1 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "30 N"
duration = "3 s"
hand_conductance = "2000 W/(m^2 K)"
[[technique]]
type = "rest"
duration = "1 s"
[outputs]
myotonometer = false
)toml";

/// Runs `s` on `m` into `sink` with checkpoints to `file`; the file keeps the last periodic one.
RunSummary run_with_checkpoints(const Model& m, const SessionSpec& s, const std::filesystem::path& file,
                                MemorySink& sink) {
  Simulation sim(m, s);
  sim.set_checkpoint_file(file);
  return sim.run(sink);
}

/// A thumb pressing straight down over a muscle with a force ramped to `force` over 0.5 s (1 s long).
class Press final : public Technique {
 public:
  Press(const Mesh& mesh, Real force) : force_(force) {
    centre_ = skin_point_above_region(mesh, *mesh.regions.find("erector_spinae_right"));
  }
  std::string_view name() const override { return "press"; }
  ToolCommand command(Real t) const override {
    if (t < 0 || t > duration()) return ToolCommand::inactive();
    ToolCommand c;
    c.pose.centre = centre_;
    c.footprint = Footprint::thumb();
    c.force = force_ * std::min(t / 0.5, 1.0);
    c.mu = 0;
    return c;
  }
  Real max_dt(Real) const override { return 0.25; }
  Real duration() const override { return 1.0; }
  std::string_view target() const override { return "erector_spinae_right"; }

 private:
  Real force_;
  Vec3 centre_;
};

/// A rest of 2 s, then the press with `force`, then a 1 s follow-up; a failed substep is halved `cuts` times.
SessionSpec press_session(const Model& m, Real force, int cuts) {
  std::string text = R"([model]
resolution = "coarse"
[run]
threads = 1
max_cuts = {cuts}
[session]
follow_up = "1 s"
[[technique]]
type = "rest"
duration = "2 s"
[outputs]
myotonometer = false
)";
  text.replace(text.find("{cuts}"), 6, std::to_string(cuts));
  SessionSpec s = parse_session(text, "press.toml");
  TechniqueSpec press;
  press.type = "press";
  press.target = "erector_spinae_right";
  press.options = CustomTechnique{std::make_shared<const Press>(m.mesh, force)};
  s.protocol.push_back(press);
  return s;
}

}  // namespace

TEST_CASE("A failed run saves its state and completes when resumed with a changed setting",
          "[session][checkpoint]") {
  const testing::TempDir dir;
  const Model m = Model::from_spec(parse_session("[model]\nresolution = \"coarse\"\n", "m.toml").model);
  MemorySink failed;
  Simulation crush(m, press_session(m, 5000.0, 0));  // 5 kN on a thumb, no halving: the solve fails
  crush.set_checkpoint_file(dir / "p.checkpoint.h5");
  CHECK_THROWS_WITH(crush.run(failed),
                    Catch::Contains("in item 1 (press") && Catch::Contains("checkpoint at t = 2"));
  CHECK(failed.meta().at("status") == "failed");
  const StateArchive cp = read_checkpoint(dir / "p.checkpoint.h5");
  CHECK(cp.scalar("state.time") == Approx(2.0));  // the start of the failed macro step
  MemorySink rest;
  Simulation gentle(m, press_session(m, 20.0, 6));  // the same items and times; gentler, with halvings
  const RunSummary r = gentle.resume(rest, cp);
  CHECK(r.simulated_time == Approx(4.0));
  CHECK(r.applied_force == Approx(20.0));
  CHECK(rest.meta().at("status") == "completed");
  CHECK(rest.series_time().front() > 2.0);
}

TEST_CASE("A run resumed from a checkpoint continues the uninterrupted run to round-off",
          "[session][checkpoint]") {
  const testing::TempDir dir;
  const SessionSpec s = parse_session(kSession, "resume.toml");
  const Model m = Model::from_spec(s.model);
  // The whole run; its checkpoint file keeps the last periodic checkpoint (t = 4 s of 5 s).
  MemorySink whole;
  const RunSummary ra = run_with_checkpoints(m, s, dir / "a.checkpoint.h5", whole);
  const StateArchive cp = read_checkpoint(dir / "a.checkpoint.h5");
  const double tc = cp.scalar("state.time");
  CHECK(tc == Approx(4.0));

  MemorySink rest;
  Simulation b(m, s);
  const RunSummary rb = b.resume(rest, cp);
  CHECK(rest.meta().at("status") == "completed");
  // Every series row after the checkpoint is the same, bit for bit.
  const auto& ta = whole.series_time();
  const auto& tb = rest.series_time();
  REQUIRE(!tb.empty());
  const size_t first = static_cast<size_t>(std::find(ta.begin(), ta.end(), tb.front()) - ta.begin());
  REQUIRE(first + tb.size() == ta.size());
  CHECK(tb.front() > tc);
  int compared = 0;
  for (const auto& c : rest.series_columns()) {
    const auto& va = whole.series(c.group, c.name);
    const auto& vb = rest.series(c.group, c.name);
    for (size_t i = 0; i < tb.size(); ++i) {
      INFO(c.group << "/" << c.name << " at t = " << tb[i]);
      if (std::isnan(va[first + i])) {
        CHECK(std::isnan(vb[i]));
      } else {
        CHECK(vb[i] == va[first + i]);
        ++compared;
      }
    }
  }
  CHECK(compared > 100);
  // The summary counts the whole run.
  CHECK(rb.simulated_time == ra.simulated_time);
  CHECK(rb.work == ra.work);
  CHECK(rb.dissipated_heat == ra.dissipated_heat);
  CHECK(rb.newton_iterations == ra.newton_iterations);
  CHECK(rb.energy.stored_change == ra.energy.stored_change);
  REQUIRE(rb.regions.size() == ra.regions.size());
  for (size_t k = 0; k < ra.regions.size(); ++k)
    CHECK(rb.regions[k].peak_pressure == ra.regions[k].peak_pressure);
}

TEST_CASE("A checkpoint of another protocol is refused", "[session][checkpoint]") {
  const testing::TempDir dir;
  const SessionSpec s = parse_session(kSession, "resume.toml");
  const Model m = Model::from_spec(s.model);
  MemorySink sink;
  run_with_checkpoints(m, s, dir / "a.checkpoint.h5", sink);
  SessionSpec other = s;
  other.follow_up = 2.0;  // a different protocol
  Simulation b(m, other);
  MemorySink rest;
  CHECK_THROWS_WITH(b.resume(rest, read_checkpoint(dir / "a.checkpoint.h5")),
                    Catch::Contains("another protocol or model"));
  CHECK(rest.meta().at("status") == "failed");
  CHECK_THROWS_WITH(read_checkpoint(dir / "missing.checkpoint.h5"),
                    Catch::Contains("no checkpoint to resume"));
  // The same protocol with other tissue parameters ([tissue.<name>] tables) is refused too.
  SessionSpec stiffer = s;
  stiffer.model.tissue.push_back({"muscle", "hyperelastic.mu", "2.5 kPa", {}});
  const Model m2 = Model::from_spec(stiffer.model);
  Simulation c(m2, stiffer);
  MemorySink rest2;
  CHECK_THROWS_WITH(c.resume(rest2, read_checkpoint(dir / "a.checkpoint.h5")),
                    Catch::Contains("[tissue] changes"));
}

TEST_CASE("A results file reopened at a time keeps what was written up to then", "[io][checkpoint]") {
  const testing::TempDir dir;
  const auto path = dir / "r.h5";
  {
    ResultsWriter w(path);
    w.write_meta("session", "x");
    const Mesh mesh = testing::two_hex_mesh();
    w.write_mesh(mesh);
    for (int i = 0; i <= 4; ++i) {
      const SeriesValue v{"session", "q", 10.0 * i, "1"};
      w.append_series(i, std::span<const SeriesValue>(&v, 1));
      w.write_field("T", i, FieldCenter::node, Eigen::MatrixXd::Constant(mesh.n_nodes(), 1, i), "K");
    }
    w.append_flags(std::vector<SafetyFlag>{{"k", "skin", 1.0, 2, 1, "1"}, {"k", "skin", 3.5, 2, 1, "1"}});
  }
  {
    const auto w = reopen_results_at(path, 2.0);
  }
  const ResultsReader r(path);
  CHECK(r.series_time() == std::vector<double>{0, 1, 2});
  CHECK(r.series("session", "q").values == std::vector<double>{0, 10, 20});
  CHECK(r.field_times() == std::vector<double>{0, 1, 2});
  CHECK(r.flags().size() == 1);
  CHECK(r.meta("session") == "x");
  CHECK(!std::filesystem::exists(dir / "r.h5.partial"));
}

}  // namespace tissue
