// A two-cell hex mesh (2 x 1 x 1 cells of 1 cm) used by the io tests and write_sample_results.
#pragma once

#include "libtissue/mesh/mesh.hpp"

namespace tissue::testing {

/// Two hex8 cells side by side along x, 12 nodes; node id = i + 3 * (j + 2 * k) at (i, j, k) cm.
inline Mesh two_hex_mesh() {
  Mesh m;
  m.cell_type = CellType::hex8;
  m.nodes.resize(12, 3);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 2; ++j)
      for (int i = 0; i < 3; ++i) m.nodes.row(i + 3 * (j + 2 * k)) << 0.01 * i, 0.01 * j, 0.01 * k;
  m.cells.resize(2, 8);
  for (int c = 0; c < 2; ++c) {
    auto id = [c](int di, int j, int k) { return c + di + 3 * (j + 2 * k); };
    m.cells.row(c) << id(0, 0, 0), id(1, 0, 0), id(1, 1, 0), id(0, 1, 0), id(0, 0, 1), id(1, 0, 1),
        id(1, 1, 1), id(0, 1, 1);
  }
  m.regions.add(Region{"erector_spinae_right", TissueKind::muscle, Side::right});
  m.regions.add(Region{"gluteus_medius_left", TissueKind::muscle, Side::left});
  m.region = {0, 1};
  m.node_sets.push_back(NodeSet{"bone_vertebrae", {0, 1, 2, 3, 4, 5}});
  FacetSet skin;
  skin.name = "skin";
  skin.nodes = {{6, 7, 10, 9}, {7, 8, 11, 10}};
  skin.cell = {0, 1};
  m.facet_sets.push_back(skin);
  m.fibres.resize(2, 3);
  m.fibres << 0, 1, 0, 0, 0, 1;
  return m;
}

}  // namespace tissue::testing
