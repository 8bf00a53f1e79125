#include "libtissue/session/model.hpp"

#include <algorithm>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/msh_reader.hpp"

namespace tissue {
namespace {
std::vector<TissueParameters> assign(const Mesh& mesh, const TissueLibrary& lib) {
  std::vector<TissueParameters> out;
  for (const auto& r : mesh.regions.all()) out.push_back(lib.for_region(r));
  return out;
}
}  // namespace

Model Model::lumbar_hip(Resolution resolution, const TissueLibrary& library) {
  Model m;
  m.mesh = generate_lumbar_hip(resolution);
  m.tissues = assign(m.mesh, library);
  m.fixed_sets = {"bone_all"};
  return m;
}

Model Model::from_msh(const std::string& path, Real length_scale, std::vector<std::string> fixed_sets,
                      const TissueLibrary& library) {
  MshReadOptions opt;
  opt.length_scale = length_scale;
  Model m;
  m.mesh = read_msh(path, opt);
  m.mesh.validate();
  m.tissues = assign(m.mesh, library);
  m.fixed_sets = std::move(fixed_sets);
  m.fixed_nodes();  // fail early on unknown sets
  return m;
}

namespace {
/// Fails at a [tissue.<name>] override whose name is neither a tissue table nor a muscle region of the mesh.
void check_tissue_names(const Mesh& mesh, const TissueLibrary& library,
                        const std::vector<TissueOverride>& overrides) {
  for (const auto& o : overrides) {
    if (library.has_table(o.tissue)) continue;
    bool found = false;
    std::string muscles;
    for (const auto& r : mesh.regions.all()) {
      if (r.kind != TissueKind::muscle && r.kind != TissueKind::other) continue;
      muscles += (muscles.empty() ? "" : ", ") + r.name;
      found = found || r.name == o.tissue || r.name == o.tissue + "_left" || r.name == o.tissue + "_right";
    }
    if (found) continue;
    std::string tissues;
    for (const auto& n : library.names())
      if (library.has_table(n)) tissues += (tissues.empty() ? "" : ", ") + n;
    throw InputError(o.where, "tissue." + o.tissue,
                     "unknown tissue or muscle '" + o.tissue + "'; tissues: " + tissues +
                         "; muscles of the model: " + muscles + " (with or without _left/_right)");
  }
}
}  // namespace

Model Model::from_spec(const ModelSpec& spec, const TissueLibrary& library) {
  const TissueLibrary lib = library.with_overrides(spec.tissue);
  Model m = spec.mesh_file.empty() ? lumbar_hip(parse_resolution(spec.resolution), lib)
                                   : from_msh(spec.mesh_file, spec.mesh_length_scale, spec.fixed_sets, lib);
  check_tissue_names(m.mesh, library, spec.tissue);
  m.tissue_changes = spec.tissue;
  m.fixed_sets = spec.fixed_sets;
  m.fixed_nodes();
  return m;
}

std::vector<RegionMechanics> Model::region_mechanics() const {
  std::vector<RegionMechanics> out;
  for (const auto& t : tissues) out.push_back(RegionMechanics{t.material, t.density()});
  return out;
}

std::vector<Index> Model::fixed_nodes() const {
  std::vector<Index> out;
  for (const auto& name : fixed_sets) {
    try {
      const NodeSet& s = mesh.node_set(name);
      out.insert(out.end(), s.nodes.begin(), s.nodes.end());
    } catch (const InputError& e) {  // name the session key, not the mesh accessor
      throw InputError(e.where(), "model.fixed", e.message());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tissue
