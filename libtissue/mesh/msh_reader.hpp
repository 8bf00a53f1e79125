// Reader for Gmsh .msh 4.1 files (ASCII and little-endian binary) with physical groups.
#pragma once

#include <string>
#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Options of read_msh().
struct MshReadOptions {
  Real length_scale = 1.0;     ///< factor from file units to metres (1e-3 for files in mm)
  Vec3 fibre = Vec3::UnitX();  ///< fibre direction given to every muscle cell (normalised; zero: none)
};

/// Reads a Gmsh .msh 4.1 file. 3D elements (hex8 type 5 or tet4 type 4, not mixed) become cells;
/// their physical volumes become regions (kind from the name: "skin", "fat", "fascia", else muscle;
/// side from a "_left"/"_right" suffix). Physical surfaces (tri3, quad4) become facet sets, oriented
/// outward from their owning cell, and node sets of the same name; physical points and curves
/// become node sets. Nodes used by no cell are dropped. Throws InputError with file and line
/// (ASCII) or byte offset (binary) on unsupported versions or element types, truncated sections,
/// malformed numbers, cells in no physical volume and mixed cell types.
Mesh read_msh(const std::string& path, const MshReadOptions& options = {});

/// Parses .msh 4.1 content held in memory; `label` names the source in error messages.
Mesh parse_msh(std::string_view content, const std::string& label, const MshReadOptions& options = {});

}  // namespace tissue
