// The simulated body: mesh, per-region tissue parameters and bone supports. Holds no solver state.
#pragma once

#include <string>
#include <vector>

#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/mesh/lumbar_hip.hpp"
#include "libtissue/mesh/mesh.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/session/tissue_library.hpp"

namespace tissue {

/// A mesh with tissue parameters for every region and the node sets fixed to bone.
struct Model {
  Mesh mesh;                              ///< geometry, regions, sets, fibres
  std::vector<TissueParameters> tissues;  ///< parameters of each region (by region id)
  std::vector<std::string> fixed_sets;    ///< node sets held fixed (bone)
  /// The tissue-table changes the model was built with (from_spec: the session's [tissue.<name>] tables);
  /// a Simulation refuses a session whose changes differ, so they are never silently left out.
  std::vector<TissueOverride> tissue_changes;

  /// The built-in lumbar-hip model at a resolution with the default tissue library.
  static Model lumbar_hip(Resolution resolution, const TissueLibrary& library = TissueLibrary::defaults());
  /// A Gmsh mesh with tissue parameters chosen by region kind from the library.
  static Model from_msh(const std::string& path, Real length_scale, std::vector<std::string> fixed_sets,
                        const TissueLibrary& library = TissueLibrary::defaults());
  /// Builds what a session's [model] table asks for.
  static Model from_spec(const ModelSpec& spec, const TissueLibrary& library = TissueLibrary::defaults());

  /// Mechanical law (the full viscoelastic tissue law) and density of every region, in region order.
  std::vector<RegionMechanics> region_mechanics() const;
  /// Union of the fixed node sets; throws InputError naming an unknown set.
  std::vector<Index> fixed_nodes() const;
};

}  // namespace tissue
