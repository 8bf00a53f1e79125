// FEBio export (libtissue/io/feb_writer.hpp, libtissue/session/feb_export.hpp): the FebModel of the peer
// block and of the coarse lumbar-hip model, and the writer's structure. tests/python/test_febio_export.py
// reads the CLI's files back with an XML parser.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/io/feb_writer.hpp"
#include "libtissue/session/feb_export.hpp"

using namespace tissue;

namespace {

/// Occurrences of `needle` in `text`.
std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

const FebBoundary& bc(const FebModel& f, const std::string& name) {
  for (const auto& b : f.boundary)
    if (b.name == name) return b;
  FAIL("no boundary condition " << name);
  return f.boundary.front();
}

}  // namespace

TEST_CASE("feb: the peer block's description in mm, N, s, MPa") {
  PeerBlock b;
  b.nx = 6;
  b.ny = 4;
  b.nz = 2;
  const FebModel f = peer_block_feb(b);
  CHECK(f.nodes.rows() == 7 * 5 * 3);
  CHECK(f.n_elements() == 6 * 4 * 2);
  CHECK(f.nodes.col(0).maxCoeff() == Approx(40.0));
  CHECK(f.nodes.col(2).maxCoeff() == Approx(20.0));
  CHECK(f.node_set("bottom").nodes.size() == 7 * 5);
  CHECK(f.node_set("top").nodes.size() == 7 * 5);
  for (Index n : f.node_set("bottom").nodes) CHECK(f.nodes(n, 2) == 0.0);
  for (Index n : f.node_set("top").nodes) CHECK(f.nodes(n, 2) == Approx(20.0));
  // the bulge node is at (40, 20, 10) mm
  REQUIRE(f.node_logs.size() == 2);
  const Index bulge = f.node_logs[0].nodes.at(0);
  CHECK(f.nodes.row(bulge).transpose().isApprox(Vec3(40, 20, 10)));

  REQUIRE(f.materials.size() == 1);
  const FebMaterial& m = f.materials[0];
  CHECK(m.type == "viscoelastic");
  CHECK(m.get("g0") == 1.0);
  CHECK(m.get("g1") == 0.5);
  CHECK(m.get("t1") == 0.1);
  CHECK(m.get("g2") == 0.3);
  CHECK(m.get("t2") == 1.0);
  REQUIRE(m.children.size() == 1);
  CHECK(m.children[0].tag == "elastic");
  CHECK(m.children[0].type == "neo-Hookean");
  CHECK(m.children[0].get("E") == Approx(0.01));
  CHECK(m.children[0].get("v") == 0.45);

  CHECK(f.time_steps == 20);
  CHECK(f.step_size == Approx(0.05));
  const FebBoundary& press = bc(f, "top_uz");
  CHECK(press.kind == FebBoundary::Kind::prescribed_displacement);
  CHECK(press.dof == 2);
  REQUIRE(press.load_curve == 0);
  CHECK(press.scale * f.load_curves[0].points.back().second == Approx(-5.0));
  CHECK(f.load_curves[0].points.back().first == 1.0);
  CHECK(bc(f, "fixed_bottom").fixed == std::array<bool, 3>{true, true, true});
  CHECK(bc(f, "top_xy").fixed == std::array<bool, 3>{true, true, false});

  std::ostringstream os;
  write_feb(f, os);
  const std::string xml = os.str();
  CHECK(count(xml, "<febio_spec version=\"4.0\">") == 1);
  CHECK(count(xml, "<node id=") == 105);
  CHECK(count(xml, "<elem id=") == 48);
  CHECK(count(xml, "<bc ") == 3);
  CHECK(count(xml, "</febio_spec>") == 1);
}

TEST_CASE("feb: the peer block refuses bad sizes") {
  PeerBlock b;
  b.ny = 27;
  CHECK_THROWS_AS(peer_block_feb(b), InputError);
  b.ny = 28;
  b.nx = 0;
  CHECK_THROWS_AS(b.validate(), InputError);
  b.nx = 28;
  b.prony.resize(7, PronyTerm{0.1, 1.0});  // FEBio takes at most 6 terms
  CHECK_THROWS_AS(peer_block_feb(b), InputError);
}

TEST_CASE("feb: the coarse lumbar-hip model, one part and material per region") {
  const Model model = Model::lumbar_hip(Resolution::coarse);
  const FebModel f = model_feb(model);
  CHECK(f.nodes.rows() == model.mesh.n_nodes());
  CHECK(f.n_elements() == model.mesh.n_cells());
  REQUIRE(static_cast<int>(f.materials.size()) == model.mesh.regions.size());
  for (int r = 0; r < model.mesh.regions.size(); ++r) {
    const FebMaterial& m = f.materials[static_cast<std::size_t>(r)];
    CHECK(m.name == model.mesh.regions[r].name);
    CHECK(m.get("density") == Approx(model.tissues[static_cast<std::size_t>(r)].density() * 1e-12));
  }
  for (const FebPart& p : f.parts) {
    CHECK(p.name == f.materials[static_cast<std::size_t>(p.material)].name);
    const auto& iso = model.tissues[static_cast<std::size_t>(p.material)].material.elastic.iso;
    const std::size_t fibres = std::holds_alternative<MuscleTI>(iso) ? static_cast<std::size_t>(p.size()) : 0;
    CHECK(p.fibres.size() == fibres);
  }
  REQUIRE(f.boundary.size() == model.fixed_sets.size());
  CHECK(f.node_set(model.fixed_sets[0]).nodes == model.mesh.node_set(model.fixed_sets[0]).nodes);
  std::ostringstream os;
  write_feb(f, os);
  CHECK(count(os.str(), "<elem id=") == static_cast<std::size_t>(model.mesh.n_cells()));
  CHECK(count(os.str(), "<SolidDomain ") == f.parts.size());
}

TEST_CASE("feb: the writer refuses dangling references") {
  FebModel f;
  f.nodes = MatrixX3::Zero(1, 3);
  FebBoundary b;
  b.node_set = "nowhere";
  f.boundary.push_back(b);
  std::ostringstream os;
  CHECK_THROWS_AS(write_feb(f, os), InputError);
  f.boundary.clear();
  f.node_sets.push_back({"one", {1}});  // node 1 of a one-node mesh
  CHECK_THROWS_AS(write_feb(f, os), InputError);
}
