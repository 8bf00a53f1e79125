#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "libtissue/config.hpp"
#include "libtissue/core/error.hpp"
#include "libtissue/io/memory_sink.hpp"
#include "libtissue/io/results_reader.hpp"
#include "libtissue/io/results_writer.hpp"
#include "sample_mesh.hpp"
#include "tmp_dir.hpp"

using namespace tissue;

namespace {

Eigen::MatrixXd displacement(const Mesh& m, double t) {
  return 0.1 * t * m.nodes;
}

Eigen::MatrixXd tone(double t) {
  Eigen::MatrixXd a(2, 1);
  a << 1 - 0.1 * t, 1 - 0.2 * t;
  return a;
}

// Writes meta, mesh, two snapshots, three series rows (temperature_max appears in row 2),
// an event and a flag, flushing after each step.
void write_run(ResultsSink& out, const Mesh& mesh) {
  out.write_meta("session", "duration = \"1 s\"");
  out.write_mesh(mesh);
  for (double t : {0.0, 0.5}) {
    out.write_field("displacement", t, FieldCenter::node, displacement(mesh, t), "m");
    out.write_field("tone", t, FieldCenter::cell, tone(t), "1");
  }
  for (int i = 0; i < 3; ++i) {
    const double t = 0.25 * i;
    std::vector<SeriesValue> row{{"erector_spinae_right", "tone", 1 - 0.1 * t, "1"},
                                 {"session", "work", 2 * t, "J"}};
    if (i == 2) row.push_back({"erector_spinae_right", "temperature_max", 310.5, "K"});
    out.append_series(t, row);
  }
  const std::vector<EventRecord> ev{{"deep_stroking", "erector_spinae_right", Side::right, 0.0, 0.5},
                                    {"rest", "", Side::none, 0.5, 1.0}};
  out.append_events(ev);
  const SafetyFlag flag{"pressure_on_bone", "erector_spinae_right", 0.25, 1.2e5, 1.0e5, "Pa"};
  out.append_flags(std::span<const SafetyFlag>(&flag, 1));
  out.flush();
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("ResultsWriter round trip: mesh, fields, series, events, flags, meta", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "run.h5";
  const Mesh mesh = testing::two_hex_mesh();
  {
    ResultsWriter out(path);
    write_run(out, mesh);
  }
  const ResultsReader in(path);

  // meta
  CHECK(in.meta("tissue_version") == TISSUE_VERSION);
  CHECK(in.meta("unit_system") == "SI");
  CHECK(in.meta("session") == "duration = \"1 s\"");
  CHECK(in.meta("created").size() == 20);  // 2024-01-01T00:00:00Z
  CHECK(in.meta().count("format_version") == 1);

  // mesh
  const Mesh m = in.mesh();
  CHECK(m.cell_type == CellType::hex8);
  CHECK(m.nodes == mesh.nodes);
  CHECK(m.cells == mesh.cells);
  CHECK(m.region == mesh.region);
  REQUIRE(m.regions.size() == 2);
  CHECK(m.regions[1].name == "gluteus_medius_left");
  CHECK(m.regions[1].kind == TissueKind::muscle);
  CHECK(m.regions[1].side == Side::left);
  CHECK(m.fibres == mesh.fibres);
  CHECK(m.node_set("bone_vertebrae").nodes == mesh.node_sets[0].nodes);
  CHECK(m.facet_set("skin").nodes == mesh.facet_sets[0].nodes);
  CHECK(m.facet_set("skin").cell == mesh.facet_sets[0].cell);
  CHECK_NOTHROW(m.validate());
  CHECK(in.file().string_attr("/mesh/nodes", "units") == "m");
  CHECK(in.file().string_attr("/mesh/cells", "cell_type") == "hex8");

  // fields: shared snapshot index per time
  CHECK(in.field_times() == std::vector<double>{0.0, 0.5});
  CHECK(in.field_names() == std::vector<std::string>{"displacement", "tone"});
  CHECK(in.field_steps("tone") == std::vector<int>{0, 1});
  const FieldData u = in.field("displacement", 1);
  CHECK(u.center == FieldCenter::node);
  CHECK(u.units == "m");
  CHECK(u.time == 0.5);
  CHECK(u.values.isApprox(displacement(mesh, 0.5)));
  const FieldData a = in.field("tone", 1);
  CHECK(a.center == FieldCenter::cell);
  CHECK(a.values.rows() == 2);
  CHECK(a.values.cols() == 1);
  CHECK(a.values.isApprox(tone(0.5)));
  CHECK(in.file().shape("/fields/tone/000001") == H5Dims{2});
  CHECK(in.file().shape("/fields/displacement/000000") == H5Dims{12, 3});
  CHECK(in.file().string_attr("/fields/time", "units") == "s");

  // series: late quantity NaN-padded, units as attributes
  CHECK(in.series_time() == std::vector<double>{0.0, 0.25, 0.5});
  CHECK(in.series_groups() == std::vector<std::string>{"erector_spinae_right", "session"});
  CHECK(in.series_names("erector_spinae_right") == std::vector<std::string>{"tone", "temperature_max"});
  const SeriesData tmax = in.series("erector_spinae_right", "temperature_max");
  CHECK(tmax.units == "K");
  REQUIRE(tmax.values.size() == 3);
  CHECK(std::isnan(tmax.values[0]));
  CHECK(std::isnan(tmax.values[1]));
  CHECK(tmax.values[2] == 310.5);
  const SeriesData work = in.series("session", "work");
  CHECK(work.units == "J");
  CHECK(work.values == std::vector<double>{0.0, 0.5, 1.0});
  CHECK(in.file().string_attr("/series/time", "units") == "s");

  // events and flags
  const auto ev = in.events();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].name == "deep_stroking");
  CHECK(ev[0].side == Side::right);
  CHECK(ev[1].region.empty());
  CHECK(ev[1].t1 == 1.0);
  const auto fl = in.flags();
  REQUIRE(fl.size() == 1);
  CHECK(fl[0].kind == "pressure_on_bone");
  CHECK(fl[0].value == 1.2e5);
  CHECK(fl[0].threshold == 1.0e5);
  CHECK(fl[0].units == "Pa");
  CHECK(in.file().string_attr("/events/t0", "units") == "s");
}

TEST_CASE("MemorySink follows the same rules as the HDF5 writer", "[io]") {
  const Mesh mesh = testing::two_hex_mesh();
  MemorySink sink;
  write_run(sink, mesh);
  CHECK(sink.field_times() == std::vector<double>{0.0, 0.5});
  REQUIRE(sink.find_field("tone", 1) != nullptr);
  CHECK(sink.find_field("tone", 1)->values.isApprox(tone(0.5)));
  const auto& tmax = sink.series("erector_spinae_right", "temperature_max");
  REQUIRE(tmax.size() == 3);
  CHECK(std::isnan(tmax[0]));
  CHECK(tmax[2] == 310.5);
  CHECK(sink.series_columns().size() == 3);
  CHECK(sink.events().size() == 2);
  CHECK(sink.flags().size() == 1);
  CHECK(sink.flush_count() == 1);

  // validation
  CHECK_THROWS_WITH(sink.write_field("tone", 0.25, FieldCenter::cell, tone(0), "1"),
                    Catch::Contains("earlier"));
  CHECK_THROWS_WITH(sink.write_field("tone", 0.5, FieldCenter::cell, tone(0), "1"),
                    Catch::Contains("already written at snapshot 1"));
  CHECK_THROWS_WITH(sink.write_field("tone", 1.0, FieldCenter::cell, tone(1), "%"),
                    Catch::Contains("was recorded in '1'"));
  CHECK_THROWS_WITH(sink.write_field("temperature", 1.0, FieldCenter::node, tone(1), "K"),
                    Catch::Contains("2 rows but the mesh has 12 nodes"));
  CHECK_THROWS_WITH(sink.write_field("bad/name", 1.0, FieldCenter::cell, tone(1), "1"),
                    Catch::Contains("invalid name"));
  const std::vector<SeriesValue> dup{{"session", "work", 1, "J"}, {"session", "work", 2, "J"}};
  CHECK_THROWS_WITH(sink.append_series(1.0, dup), Catch::Contains("appears twice"));
  const std::vector<SeriesValue> kwh{{"session", "work", 1, "kWh"}};
  CHECK_THROWS_WITH(sink.append_series(1.0, kwh), Catch::Contains("was recorded in 'J'"));
  CHECK_THROWS_WITH(sink.append_series(0.1, kwh), Catch::Contains("earlier than the previous row"));
  CHECK(sink.series_time().size() == 3);  // failed rows leave no trace
}

TEST_CASE("ResultsWriter refuses to overwrite an existing file unless asked", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "run.h5";
  const Mesh mesh = testing::two_hex_mesh();
  {
    ResultsWriter(path).write_mesh(mesh);
  }
  CHECK_THROWS_AS(ResultsWriter(path), InputError);
  CHECK_THROWS_WITH(ResultsWriter(path, OpenMode::create_new), Catch::Contains(path.string()) &&
                                                                   Catch::Contains("already exists") &&
                                                                   Catch::Contains("OpenMode::overwrite"));
  CHECK(ResultsReader(path).has_mesh());  // untouched
  {
    ResultsWriter out(path, OpenMode::overwrite);
  }
  CHECK_FALSE(ResultsReader(path).has_mesh());  // replaced by an empty run
}

TEST_CASE("ResultsWriter rejects fields before the mesh and fields of the wrong size", "[io]") {
  testing::TempDir dir;
  ResultsWriter out(dir / "run.h5");
  CHECK_THROWS_WITH(out.write_field("tone", 0, FieldCenter::cell, tone(0), "1"),
                    Catch::Contains("write_mesh"));
  out.write_mesh(testing::two_hex_mesh());
  CHECK_THROWS_WITH(out.write_field("tone", 0, FieldCenter::node, tone(0), "1"), Catch::Contains("12 nodes"));
  CHECK_THROWS_AS(out.write_mesh(testing::two_hex_mesh()), std::logic_error);
  out.close();
  CHECK_THROWS_AS(out.write_meta("x", "y"), std::logic_error);
}

TEST_CASE("XDMF companion is rewritten after each snapshot as a temporal collection", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "run.h5";
  const auto xdmf = dir / "run.xdmf";
  const Mesh mesh = testing::two_hex_mesh();
  ResultsWriter out(path);
  CHECK(out.xdmf_path() == xdmf);
  out.write_mesh(mesh);
  REQUIRE(std::filesystem::exists(xdmf));
  CHECK(slurp(xdmf).find("run.h5:/mesh/region_id") != std::string::npos);  // static grid, no snapshot yet
  out.write_field("tone", 0.0, FieldCenter::cell, tone(0), "1");
  std::string x = slurp(xdmf);
  CHECK(x.find("CollectionType=\"Temporal\"") != std::string::npos);
  CHECK(x.find("run.h5:/fields/tone/000000") != std::string::npos);
  CHECK(x.find("/fields/displacement") == std::string::npos);
  out.write_field("displacement", 0.0, FieldCenter::node, displacement(mesh, 0), "m");
  out.write_field("displacement", 2.0, FieldCenter::node, displacement(mesh, 2), "m");
  x = slurp(xdmf);
  CHECK(x.find("TopologyType=\"Hexahedron\"") != std::string::npos);
  CHECK(x.find("<Time Value=\"2\" />") != std::string::npos);
  CHECK(x.find("Name=\"displacement\" AttributeType=\"Vector\" Center=\"Node\"") != std::string::npos);
  CHECK(x.find("Name=\"tone\" AttributeType=\"Scalar\" Center=\"Cell\"") != std::string::npos);
  CHECK(x.find("run.h5:/fields/displacement/000001") != std::string::npos);
  CHECK(x.find("/fields/tone/000001") == std::string::npos);  // tone not written at t = 2
  CHECK_FALSE(std::filesystem::exists(dir / "run.xdmf.tmp"));
}

TEST_CASE("Flushed data survives a writer that is killed and never destroyed", "[io]") {
  testing::TempDir dir;
  const auto path = dir / "crash.h5";
  const Mesh mesh = testing::two_hex_mesh();
  int ready[2], go[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(go) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // child: write, signal the parent, then wait to be killed (no destructor runs)
    auto* out = new ResultsWriter(path);
    write_run(*out, mesh);
    const std::vector<SeriesValue> row{{"session", "work", 9.0, "J"}};
    out->append_series(1.0, row);
    char c = 'x';
    if (::write(ready[1], &c, 1) != 1) ::_exit(3);
    if (::read(go[0], &c, 1) < 0) ::_exit(4);
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  auto check = [&] {
    const ResultsReader in(path);
    CHECK(in.field_times() == std::vector<double>{0.0, 0.5});
    CHECK(in.field("displacement", 1).values.isApprox(displacement(mesh, 0.5)));
    CHECK(in.series_time() == std::vector<double>{0.0, 0.25, 0.5, 1.0});
    const auto tmax = in.series("erector_spinae_right", "temperature_max").values;
    REQUIRE(tmax.size() == 4);
    CHECK(tmax[2] == 310.5);
    CHECK(std::isnan(tmax[3]));
    CHECK(in.series("session", "work").values.back() == 9.0);
    CHECK(in.events().size() == 2);
    CHECK(in.flags().size() == 1);
    CHECK(in.mesh().n_cells() == 2);
  };
  check();  // a second, read-only handle while the writer is still alive
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  check();  // and after the writer died without closing the file
  ::close(ready[0]);
  ::close(ready[1]);
  ::close(go[0]);
  ::close(go[1]);
}

TEST_CASE("Tetrahedral meshes round-trip and get a Tetrahedron topology", "[io]") {
  testing::TempDir dir;
  Mesh m;
  m.cell_type = CellType::tet4;
  m.nodes.resize(4, 3);
  m.nodes << 0, 0, 0, 0.01, 0, 0, 0, 0.01, 0, 0, 0, 0.01;
  m.cells.resize(1, 4);
  m.cells << 0, 1, 2, 3;
  m.regions.add(Region{"fat", TissueKind::fat, Side::none});
  m.region = {0};
  {
    ResultsWriter out(dir / "tet.h5");
    out.write_mesh(m);
    Eigen::MatrixXd stress = Eigen::MatrixXd::Constant(1, 6, 1e3);
    out.write_field("stress", 0.0, FieldCenter::cell, stress, "Pa");
  }
  const Mesh back = ResultsReader(dir / "tet.h5").mesh();
  CHECK(back.cell_type == CellType::tet4);
  CHECK(back.cells == m.cells);
  CHECK(back.fibres.rows() == 0);
  CHECK(back.regions[0].kind == TissueKind::fat);
  const std::string x = slurp(dir / "tet.xdmf");
  CHECK(x.find("TopologyType=\"Tetrahedron\"") != std::string::npos);
  CHECK(x.find("Name=\"stress\" AttributeType=\"Tensor6\"") != std::string::npos);
  CHECK(ResultsReader(dir / "tet.h5").field("stress", 0).values.cols() == 6);
}
