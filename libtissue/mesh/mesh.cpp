#include "libtissue/mesh/mesh.hpp"

#include <algorithm>

#include "libtissue/core/error.hpp"

namespace tissue {

std::string_view to_string(TissueKind k) {
  switch (k) {
    case TissueKind::skin:
      return "skin";
    case TissueKind::fat:
      return "fat";
    case TissueKind::fascia:
      return "fascia";
    case TissueKind::muscle:
      return "muscle";
    case TissueKind::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(Side s) {
  switch (s) {
    case Side::none:
      return "none";
    case Side::left:
      return "left";
    case Side::right:
      return "right";
  }
  return "none";
}

int RegionTable::add(Region r) {
  if (find(r.name)) throw InputError("region", "duplicate region name '" + r.name + "'");
  if (r.name.empty()) throw InputError("region", "region name must not be empty");
  regions_.push_back(std::move(r));
  return size() - 1;
}

std::optional<int> RegionTable::find(std::string_view name) const {
  for (size_t i = 0; i < regions_.size(); ++i)
    if (regions_[i].name == name) return static_cast<int>(i);
  return std::nullopt;
}

int RegionTable::id(std::string_view name) const {
  if (auto i = find(name)) return *i;
  std::string known;
  for (const auto& r : regions_) known += (known.empty() ? "" : ", ") + r.name;
  throw InputError("region", "unknown region '" + std::string(name) + "'; known regions: " + known);
}

namespace {
template <class Set>
std::string known_names(const std::vector<Set>& sets) {
  std::string known;
  for (const auto& s : sets) known += (known.empty() ? "" : ", ") + s.name;
  return known.empty() ? "(none)" : known;
}
}  // namespace

const NodeSet* Mesh::find_node_set(std::string_view name) const {
  for (const auto& s : node_sets)
    if (s.name == name) return &s;
  return nullptr;
}

const FacetSet* Mesh::find_facet_set(std::string_view name) const {
  for (const auto& s : facet_sets)
    if (s.name == name) return &s;
  return nullptr;
}

const NodeSet& Mesh::node_set(std::string_view name) const {
  if (const auto* s = find_node_set(name)) return *s;
  throw InputError("node_set",
                   "unknown node set '" + std::string(name) + "'; known: " + known_names(node_sets));
}

const FacetSet& Mesh::facet_set(std::string_view name) const {
  if (const auto* s = find_facet_set(name)) return *s;
  throw InputError("facet_set",
                   "unknown facet set '" + std::string(name) + "'; known: " + known_names(facet_sets));
}

std::vector<Index> Mesh::cells_in_region(int region_id) const {
  std::vector<Index> out;
  for (Index e = 0; e < n_cells(); ++e)
    if (region[static_cast<size_t>(e)] == region_id) out.push_back(e);
  return out;
}

}  // namespace tissue
