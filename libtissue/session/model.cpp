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

Model Model::from_spec(const ModelSpec& spec, const TissueLibrary& library) {
  if (!spec.mesh_file.empty())
    return from_msh(spec.mesh_file, spec.mesh_length_scale, spec.fixed_sets, library);
  Model m = lumbar_hip(parse_resolution(spec.resolution), library);
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
