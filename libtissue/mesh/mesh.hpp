// The finite-element mesh: nodes, cells, regions, named node and facet sets, fibre directions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Cell shape. Node order follows VTK/Gmsh (hex8: bottom face 0-1-2-3 counter-clockwise seen
/// from above, then top face 4-5-6-7; tet4: 0 origin, 1 x, 2 y, 3 z in reference coordinates).
enum class CellType { hex8, tet4 };

/// Number of nodes of a cell type.
constexpr int nodes_per_cell(CellType t) {
  return t == CellType::hex8 ? 8 : 4;
}

/// What kind of tissue a region is made of (selects the default material family).
enum class TissueKind { skin, fat, fascia, muscle, other };

/// Body side of a region (patient's left or right), or none for midline layers.
enum class Side { none, left, right };

/// Returns "skin", "fat", "fascia", "muscle" or "other".
std::string_view to_string(TissueKind k);
/// Returns "none", "left" or "right".
std::string_view to_string(Side s);

/// One tagged region of the mesh (a tissue layer or a muscle).
struct Region {
  std::string name;                     ///< unique name, e.g. "erector_spinae_right"
  TissueKind kind = TissueKind::other;  ///< tissue family
  Side side = Side::none;               ///< body side
};

/// Region name <-> id table. Ids are dense, 0-based, in insertion order.
class RegionTable {
 public:
  /// Adds a region and returns its id; throws InputError on a duplicate name.
  int add(Region r);
  /// Id of a named region, or nullopt.
  std::optional<int> find(std::string_view name) const;
  /// Id of a named region; throws InputError("region", "unknown region '...'; known regions: ...").
  int id(std::string_view name) const;
  /// The region with this id.
  const Region& operator[](int id) const { return regions_.at(static_cast<size_t>(id)); }
  /// Number of regions.
  int size() const { return static_cast<int>(regions_.size()); }
  /// All regions in id order.
  const std::vector<Region>& all() const { return regions_; }

 private:
  std::vector<Region> regions_;
};

/// A named set of nodes (e.g. "bone_vertebrae": fixed nodes on bone).
struct NodeSet {
  std::string name;          ///< set name
  std::vector<Index> nodes;  ///< sorted, unique node ids
};

/// A named set of boundary facets (e.g. "skin"). Facet nodes are ordered so that the right-hand
/// rule gives the outward normal. Quads store 4 nodes; triangles store 3 and -1 in the last slot.
struct FacetSet {
  std::string name;                         ///< set name
  std::vector<std::array<Index, 4>> nodes;  ///< facet corner nodes
  std::vector<Index> cell;                  ///< owning cell of each facet
  /// Number of facets.
  Index size() const { return static_cast<Index>(nodes.size()); }
};

/// Unstructured mesh of one cell type. Coordinates in metres.
struct Mesh {
  CellType cell_type = CellType::hex8;  ///< shape of every cell
  MatrixX3 nodes;                       ///< #nodes x 3 coordinates [m]
  Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> cells;  ///< #cells x nodes_per_cell
  std::vector<int> region;           ///< region id of each cell (#cells)
  RegionTable regions;               ///< region names and kinds
  std::vector<NodeSet> node_sets;    ///< named node sets ("bone_*" are fixed to bone)
  std::vector<FacetSet> facet_sets;  ///< named facet sets ("skin" is the skin surface)
  MatrixX3 fibres;                   ///< #cells x 3 unit fibre direction (zero rows: no fibres)

  /// Number of nodes.
  Index n_nodes() const { return static_cast<Index>(nodes.rows()); }
  /// Number of cells.
  Index n_cells() const { return static_cast<Index>(cells.rows()); }
  /// Nodes per cell (8 or 4).
  int cell_size() const { return nodes_per_cell(cell_type); }
  /// The named node set; throws InputError naming the known sets if absent.
  const NodeSet& node_set(std::string_view name) const;
  /// The named facet set; throws InputError naming the known sets if absent.
  const FacetSet& facet_set(std::string_view name) const;
  /// Pointer to the named node set, or nullptr.
  const NodeSet* find_node_set(std::string_view name) const;
  /// Pointer to the named facet set, or nullptr.
  const FacetSet* find_facet_set(std::string_view name) const;
  /// Ids of the cells in a region.
  std::vector<Index> cells_in_region(int region_id) const;
  /// Checks sizes, index ranges, region ids, unit fibres and element quality (no inverted or
  /// degenerate cell); throws InputError whose message names the first problem and the cell.
  void validate() const;
};

}  // namespace tissue
