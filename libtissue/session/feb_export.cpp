#include "libtissue/session/feb_export.hpp"

#include <cstdio>
#include <string>
#include <variant>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

constexpr Real kMm = 1e3;             // m -> mm
constexpr Real kMPa = 1e-6;           // Pa -> MPa (= N/mm^2)
constexpr Real kTonnePerMm3 = 1e-12;  // kg/m^3 -> tonne/mm^3 (consistent with mm, N, s)
constexpr int kFebioMaxProny = 6;     // FEBio's viscoelastic materials take g1..g6, t1..t6

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

const char* const kUnitsLine =
    "Units: length mm, force N, time s, stress MPa (N/mm^2), density tonne/mm^3 (libtissue works in SI; "
    "converted on export).";

/// Adds the Prony terms g1, t1, g2, t2, ... (FEBio numbers them from 1).
void add_prony(FebMaterial& m, const std::vector<PronyTerm>& terms, const std::string& field) {
  require(static_cast<int>(terms.size()) <= kFebioMaxProny, field,
          "FEBio's viscoelastic materials take at most 6 Prony terms, the law has " +
              std::to_string(terms.size()));
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const std::string n = std::to_string(i + 1);  // (append, not "g" + n: GCC 12's -Wrestrict misfires on it)
    m.param(std::string("g").append(n), terms[i].g);
    m.param(std::string("t").append(n), terms[i].tau);
  }
}

/// The mesh nodes in mm.
MatrixX3 nodes_mm(const Mesh& mesh) {
  return mesh.nodes * kMm;
}

}  // namespace

FebModel peer_block_feb(const PeerBlock& b) {
  const Mesh mesh = b.mesh();  // validates
  FebModel f;
  f.comments = {
      "Peer benchmark block " + std::to_string(b.nx) + "x" + std::to_string(b.ny) + "x" +
          std::to_string(b.nz) +
          " (/work/shared/benchmarks/peer-block.md), written by libtissue's `tissue "
          "export-feb`.",
      "Block [0," + fmt("%g", b.size.x() * kMm) + "] x [0," + fmt("%g", b.size.y() * kMm) + "] x [0," +
          fmt("%g", b.size.z() * kMm) + "] mm, hex8 " + std::to_string(b.nx) + " x " + std::to_string(b.ny) +
          " x " + std::to_string(b.nz) +
          "; compressible neo-Hookean in FEBio's viscoelastic (Prony series on the whole 2nd Piola-Kirchhoff "
          "stress).",
      "Bottom (z = 0) fixed; top: ux = uy = 0, uz = " + fmt("%g", -b.depth * kMm) + " mm * t over [0, " +
          fmt("%g", b.duration) + "] s; " + std::to_string(b.steps) + " quasi-static steps of " +
          fmt("%g", b.dt()) + " s.",
      kUnitsLine,
      "Run: febio4 -i block.feb. Logs: bulge_ux.txt (ux at x = 40, y = 20, z = 10 mm), top_reaction.txt "
      "(Rx, Ry, Rz of the top nodes; their sum is the reaction on the top face).",
  };
  f.time_steps = b.steps;
  f.step_size = b.dt();
  f.nodes = nodes_mm(mesh);

  FebMaterial elastic;
  elastic.tag = "elastic";
  elastic.type = "neo-Hookean";
  elastic.param("density", b.density * kTonnePerMm3).param("E", b.E * kMPa).param("v", b.nu);
  FebMaterial visco;
  visco.type = "viscoelastic";
  visco.name = "block";
  visco.comment = "FEBio viscoelastic: S = g0 Se + sum g_i H_i (the peer's law, exact)";
  visco.param("g0", b.g0);
  add_prony(visco, b.prony, "peer_block.prony");
  visco.children.push_back(elastic);
  f.materials.push_back(visco);

  FebPart part;
  part.name = "block";
  part.cell_type = mesh.cell_type;
  part.cells.assign(mesh.cells.data(), mesh.cells.data() + mesh.cells.size());  // row-major
  f.parts.push_back(std::move(part));

  f.node_sets.push_back({"bottom", mesh.node_set(PeerBlock::kFixedSet).nodes});
  f.node_sets.push_back({"top", mesh.node_set(PeerBlock::kPressedSet).nodes});
  f.load_curves.push_back(FebLoadCurve{{{0.0, 0.0}, {b.duration, 1.0}}});

  FebBoundary fix;
  fix.name = "fixed_bottom";
  fix.node_set = "bottom";
  f.boundary.push_back(fix);
  FebBoundary hold;
  hold.name = "top_xy";
  hold.node_set = "top";
  hold.fixed = {true, true, false};
  f.boundary.push_back(hold);
  FebBoundary press;
  press.kind = FebBoundary::Kind::prescribed_displacement;
  press.name = "top_uz";
  press.node_set = "top";
  press.dof = 2;
  press.scale = -b.depth * kMm;
  press.load_curve = 0;
  f.boundary.push_back(press);

  f.plot_vars = {"displacement", "stress", "reaction forces"};
  f.node_logs.push_back({"ux", "bulge_ux.txt", {b.bulge_node()}});
  f.node_logs.push_back({"Rx;Ry;Rz", "top_reaction.txt", f.node_sets[1].nodes});
  return f;
}

FebMaterial feb_material(const std::string& name, const TissueParameters& t,
                         std::vector<std::string>& notes) {
  const TissueMaterial& law = t.material;
  const Real kappa = law.elastic.vol.kappa * kMPa;
  std::string note = name + " (" + t.name + "): ";
  FebMaterial elastic;
  if (const auto* nh = std::get_if<NeoHookean>(&law.elastic.iso)) {
    elastic.type = "Mooney-Rivlin";
    elastic.param("density", t.density() * kTonnePerMm3)
        .param("c1", 0.5 * nh->mu * kMPa)
        .param("c2", 0.0)
        .param("k", kappa);
    note +=
        "neo-Hookean (isochoric) + kappa/2 (ln J)^2 -> Mooney-Rivlin c1 = mu/2, c2 = 0, k = kappa "
        "(exact)";
  } else {
    const auto& ti = std::get<MuscleTI>(law.elastic.iso);
    elastic.type = "uncoupled solid mixture";
    elastic.param("density", t.density() * kTonnePerMm3).param("k", kappa);
    FebMaterial matrix;
    matrix.tag = "solid";
    matrix.type = "Mooney-Rivlin";
    matrix.param("c1", 0.5 * ti.mu * kMPa).param("c2", 0.0);
    FebMaterial fibre;
    fibre.tag = "solid";
    fibre.type = "fiber-exp-pow-uncoupled";
    fibre.param("ksi", ti.k1 * kMPa).param("alpha", ti.k2).param("beta", 2.0);
    elastic.children = {matrix, fibre};
    note +=
        "muscle (neo-Hookean matrix + exponential fibre) -> uncoupled solid mixture of Mooney-Rivlin "
        "(c1 = mu/2) and fiber-exp-pow-uncoupled (ksi = k1, alpha = k2, beta = 2) along the element's "
        "mat_axis (exact)";
  }
  FebMaterial m;
  if (law.prony.terms.empty()) {
    m = elastic;
    m.tag = "material";
  } else {
    elastic.tag = "elastic";
    m.type = "uncoupled viscoelastic";
    m.param("density", t.density() * kTonnePerMm3)
        .param("k", kappa)
        .param("g0", law.prony.long_term_fraction());
    add_prony(m, law.prony.terms, t.name + ".prony");
    m.children.push_back(elastic);
    note +=
        "; Prony series on the isochoric stress -> uncoupled viscoelastic, g0 = 1 - sum g_i (same "
        "relaxation function; FEBio convolves the fictitious deviatoric stress, libtissue the isochoric "
        "one: equal at small volume change)";
  }
  m.name = name;
  note +=
      "; dropped: temperature shift (law at T_ref = " + fmt("%.1f", law.thermal.T_ref - kCelsius) + " degC)";
  if (law.active) note += ", active fibre stress (tone)";
  notes.push_back(note);
  m.comment = note;
  return m;
}

FebModel model_feb(const Model& model) {
  const Mesh& mesh = model.mesh;
  require(static_cast<int>(model.tissues.size()) == mesh.regions.size(), "model.tissues",
          "needs one tissue per region");
  FebModel f;
  f.comments = {
      "libtissue model: " + std::to_string(mesh.n_nodes()) + " nodes, " + std::to_string(mesh.n_cells()) +
          " " + (mesh.cell_type == CellType::hex8 ? "hex8" : "tet4") + " cells, " +
          std::to_string(mesh.regions.size()) +
          " regions (one part and one material each), written by "
          "`tissue export-feb` (libtissue).",
      kUnitsLine,
      "Exported: mesh, materials (nearest FEBio law per region, see the comment above each material and "
      "docs/febio-export.md), fibre directions (mat_axis), the fixed bone node sets, the skin surface.",
      "NOT exported: the session's techniques and loads (tools, footprints, contact, heat), temperature "
      "dependence, active muscle tone, bone temperature. The step below is a placeholder of 1 s without "
      "load: add loads on the surface \"skin\".",
  };
  f.time_steps = 10;
  f.step_size = 0.1;
  f.nodes = nodes_mm(mesh);
  std::vector<std::string> notes;
  const int k = mesh.cell_size();
  for (int r = 0; r < mesh.regions.size(); ++r) {
    const std::string& name = mesh.regions[r].name;
    FebPart part;
    part.name = name;
    part.material = r;
    part.cell_type = mesh.cell_type;
    const TissueParameters& tissue = model.tissues[static_cast<std::size_t>(r)];
    const bool fibred = std::holds_alternative<MuscleTI>(tissue.material.elastic.iso);
    f.materials.push_back(feb_material(name, tissue, notes));
    for (Index c : mesh.cells_in_region(r)) {
      for (int j = 0; j < k; ++j) part.cells.push_back(mesh.cells(c, j));
      if (fibred)
        part.fibres.push_back(mesh.fibres.rows() > c ? Vec3(mesh.fibres.row(c).transpose()) : Vec3::Zero());
    }
    if (part.size() > 0) f.parts.push_back(std::move(part));
  }
  for (const auto& name : model.fixed_sets) {
    f.node_sets.push_back({name, mesh.node_set(name).nodes});
    FebBoundary b;
    b.name = "fixed_" + name;
    b.node_set = name;
    f.boundary.push_back(b);
  }
  if (const FacetSet* skin = mesh.find_facet_set("skin")) f.surfaces.push_back({"skin", skin->nodes});
  return f;
}

}  // namespace tissue
