// Small models shared by the session tests.
#pragma once

#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/tissue_library.hpp"

namespace tissue::test {

/// A 10 x 10 cm block of muscle `depth` deep (6 x 6 x 2 hex8, region "block", fibres along y), skin on
/// top (z = 0), fixed at the bottom; the bottom nodes are also the node set "bone_base".
inline Model box_model(Real depth = 0.04) {
  BoxMeshOptions o;
  o.lo = Vec3(-0.05, -0.05, -depth);
  o.hi = Vec3(0.05, 0.05, 0.0);
  o.nx = 6;
  o.ny = 6;
  o.nz = 2;
  o.fibre = Vec3::UnitY();
  Model m;
  m.mesh = make_box_mesh(o);
  FacetSet skin = *m.mesh.find_facet_set("zmax");
  skin.name = "skin";
  m.mesh.facet_sets.push_back(skin);
  NodeSet bone = m.mesh.node_set("zmin");
  bone.name = "bone_base";
  m.mesh.node_sets.push_back(bone);
  m.tissues = {TissueLibrary::defaults().tissue("muscle")};
  m.fixed_sets = {"zmin"};
  return m;
}

}  // namespace tissue::test
