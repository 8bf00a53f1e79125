#include "libtissue/fem/dof_map.hpp"

#include <stdexcept>

namespace tissue {

DofMap::DofMap(Index n_nodes, int components)
    : n_nodes_(n_nodes), comps_(components), eq_(static_cast<size_t>(n_nodes) * components, 0) {}

void DofMap::constrain(Index node, int component) {
  if (finalized_) throw std::logic_error("DofMap::constrain called after finalize()");
  eq_.at(static_cast<size_t>(node) * comps_ + component) = -1;
}

void DofMap::constrain_nodes(const std::vector<Index>& nodes) {
  for (Index n : nodes)
    for (int c = 0; c < comps_; ++c) constrain(n, c);
}

void DofMap::finalize() {
  n_eq_ = 0;
  for (auto& e : eq_) e = (e < 0) ? -1 : n_eq_++;
  finalized_ = true;
}

void DofMap::gather(const VectorX& full, VectorX& free) const {
  free.resize(n_eq_);
  for (size_t d = 0; d < eq_.size(); ++d)
    if (eq_[d] >= 0) free[eq_[d]] = full[static_cast<Index>(d)];
}

void DofMap::scatter(const VectorX& free, VectorX& full) const {
  for (size_t d = 0; d < eq_.size(); ++d)
    if (eq_[d] >= 0) full[static_cast<Index>(d)] = free[eq_[d]];
}

std::vector<int> DofMap::equation_components() const {
  std::vector<int> out(static_cast<size_t>(n_eq_));
  for (size_t d = 0; d < eq_.size(); ++d)
    if (eq_[d] >= 0) out[static_cast<size_t>(eq_[d])] = static_cast<int>(d % static_cast<size_t>(comps_));
  return out;
}

}  // namespace tissue
