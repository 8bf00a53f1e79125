// Geometric helpers on a Mesh: cell volumes and centres, local faces, boundary facets, normals.
#pragma once

#include <array>
#include <span>
#include <string>
#include <utility>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Local faces of a cell type, each ordered so that the right-hand rule gives the outward normal
/// of a positively oriented cell. hex8: 6 quads; tet4: 4 triangles with -1 in the last slot.
std::span<const std::array<int, 4>> cell_faces(CellType t);

/// Centroid of a cell (mean of its corner nodes) [m].
Vec3 cell_centre(const Mesh& mesh, Index cell);

/// Volume of a cell [m^3] (exact for trilinear hex8 and linear tet4; negative if inverted).
Real cell_volume(const Mesh& mesh, Index cell);

/// Total volume of the cells of one region [m^3].
Real region_volume(const Mesh& mesh, int region_id);

/// Area-weighted normal of facet f of a facet set: unit outward normal times the facet area [m^2].
Vec3 facet_area_normal(const Mesh& mesh, const FacetSet& set, Index f);

/// All boundary facets of the mesh (faces that belong to exactly one cell), ordered outward,
/// with their owning cells, in a facet set of the given name.
FacetSet boundary_facets(const Mesh& mesh, std::string name = "boundary");

namespace detail {
/// Sorts the first n (3 or 4) entries of a face key in place (order-independent face identity).
inline void sort_face_key(std::array<Index, 4>& k, int n) {
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && k[static_cast<size_t>(j - 1)] > k[static_cast<size_t>(j)]; --j)
      std::swap(k[static_cast<size_t>(j - 1)], k[static_cast<size_t>(j)]);
}
}  // namespace detail

}  // namespace tissue
