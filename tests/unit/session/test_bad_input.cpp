// C++ API misuse and bad input that only C++ can give: the rows of docs/bad-input.md that name a test of
// this file (tests/python/test_bad_input.py runs each by name, so a renamed or removed case fails there).
#include <catch2/catch.hpp>

#include "libtissue/core/units.hpp"
#include "libtissue/io/h5.hpp"
#include "libtissue/io/memory_sink.hpp"
#include "libtissue/io/results_reader.hpp"
#include "libtissue/io/results_writer.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/mesh/msh_reader.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/technique/thermal_techniques.hpp"
#include "unit/io/tmp_dir.hpp"

using namespace tissue;
using Catch::Matchers::Contains;

TEST_CASE("bad input: a sink holds one run", "[bad_input]") {
  const Mesh mesh = make_box_mesh(BoxMeshOptions{});
  MemorySink sink;
  sink.write_mesh(mesh);
  CHECK_THROWS_WITH(sink.write_mesh(mesh), Contains("the mesh was already written (one sink holds one run)"));
  testing::TempDir dir;
  ResultsWriter out(dir / "run.h5", OpenMode::create_new);
  out.write_mesh(mesh);
  CHECK_THROWS_WITH(out.write_mesh(mesh), Contains("was already written (one results file holds one run"));
}

TEST_CASE("bad input: a closed results writer refuses writes", "[bad_input]") {
  testing::TempDir dir;
  ResultsWriter out(dir / "run.h5", OpenMode::create_new);
  out.close();
  CHECK_THROWS_WITH(out.write_meta("a", "b"), Contains("is already closed"));
}

TEST_CASE("bad input: a results writer needs a file in an existing folder", "[bad_input]") {
  testing::TempDir dir;
  CHECK_THROWS_AS(ResultsWriter(dir / "no" / "run.h5", OpenMode::overwrite), InputError);
  CHECK_THROWS_WITH(ResultsWriter(dir / "no" / "run.h5", OpenMode::overwrite), Contains("does not exist"));
  CHECK_THROWS_WITH(ResultsWriter(dir / "", OpenMode::overwrite), Contains("is a folder"));
}

TEST_CASE("bad input: the results reader refuses another program's HDF5 file", "[bad_input]") {
  testing::TempDir dir;
  {
    H5File f = H5File::create(dir / "other.h5", OpenMode::create_new);
    f.create_groups("/data");
  }
  CHECK_THROWS_AS(ResultsReader(dir / "other.h5"), InputError);
  CHECK_THROWS_WITH(ResultsReader(dir / "other.h5"), Contains("not a libtissue results file"));
}

TEST_CASE("bad input: a mesh length scale must be a positive length", "[bad_input]") {
  MshReadOptions opt;
  opt.length_scale = -1;
  CHECK_THROWS_WITH(parse_msh("", "x.msh", opt), Contains("msh.length_scale: must be a positive length"));
}

TEST_CASE("bad input: an unknown fixed node set names model.fixed", "[bad_input]") {
  ModelSpec spec;
  spec.resolution = "coarse";
  spec.fixed_sets = {"bone_nothing"};
  CHECK_THROWS_WITH(Model::from_spec(spec), Contains("model.fixed: unknown node set 'bone_nothing'"));
}

TEST_CASE("bad input: option ranges of temperatures are stated in degC", "[bad_input]") {
  HeatPackOptions o;
  o.temperature = kCelsius + 500;
  CHECK_THROWS_WITH(o.validate("heat_pack"),
                    Contains("heat_pack.temperature: must lie in [0, 70] degC, got 500 degC"));
}

TEST_CASE("bad input: a unit of the wrong dimension names both", "[bad_input]") {
  CHECK_THROWS_WITH(units::parse_as("1e5 N", units::force / units::length, "k"),
                    Contains("k: expected a stiffness (N/m) but '1e5 N' is a force (N)"));
}
