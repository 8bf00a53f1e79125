// Structured box meshes (hex8, or tet4 with six conforming tets per hex) for tests and benchmarks.
#pragma once

#include <string>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Options of make_box_mesh(). The box is [lo, hi] with nx x ny x nz hexahedral divisions.
struct BoxMeshOptions {
  Vec3 lo = Vec3::Zero();                ///< lower corner [m]
  Vec3 hi = Vec3::Ones();                ///< upper corner [m]
  int nx = 1;                            ///< divisions along x (>= 1)
  int ny = 1;                            ///< divisions along y (>= 1)
  int nz = 1;                            ///< divisions along z (>= 1)
  CellType cell_type = CellType::hex8;   ///< hex8, or tet4 (6 tets per hex, Kuhn split along 0-6)
  std::string region = "block";          ///< name of the single region
  TissueKind kind = TissueKind::muscle;  ///< tissue kind of the region
  Side side = Side::none;                ///< body side of the region
  Vec3 fibre = Vec3::UnitX();            ///< fibre direction of every cell (normalised; zero: none)
};

/// Builds a box mesh with one region, node sets and outward facet sets "xmin", "xmax", "ymin",
/// "ymax", "zmin", "zmax". Nodes are numbered i + (nx+1) (j + (ny+1) k). Throws InputError on
/// non-positive divisions or an empty box.
Mesh make_box_mesh(const BoxMeshOptions& options);

}  // namespace tissue
