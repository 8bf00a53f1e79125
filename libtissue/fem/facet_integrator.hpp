// Quadrature on a set of boundary facets (reference configuration): points, areas, normals,
// and integration of surface tractions / fluxes into nodal vectors.
#pragma once

#include <functional>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Quadrature points on the facets of a FacetSet: 4 per quad facet (2x2 Gauss), 3 per triangle.
class FacetQuadrature {
 public:
  /// Builds the points of `set` (quads for hex meshes, triangles for tet meshes).
  FacetQuadrature(const Mesh& mesh, const FacetSet& set);

  /// Total number of quadrature points.
  Index size() const { return static_cast<Index>(X_.size()); }
  /// Points per facet (4 or 3).
  int points_per_facet() const { return npf_; }
  /// Number of facets.
  Index n_facets() const { return static_cast<Index>(facet_nodes_.size()); }
  /// Reference position of point p [m].
  const Vec3& position(Index p) const { return X_[static_cast<size_t>(p)]; }
  /// Reference area weight of point p [m^2].
  Real area(Index p) const { return dA_[static_cast<size_t>(p)]; }
  /// Reference outward unit normal at point p.
  const Vec3& normal(Index p) const { return N_[static_cast<size_t>(p)]; }
  /// Corner nodes of facet f (3 or 4 valid entries).
  const std::array<Index, 4>& facet_nodes(Index f) const { return facet_nodes_[static_cast<size_t>(f)]; }
  /// Shape value of corner a at point p.
  Real shape(Index p, int a) const { return shape_[static_cast<size_t>(p) * 4 + static_cast<size_t>(a)]; }
  /// Facet of point p.
  Index facet_of(Index p) const { return p / npf_; }
  /// Total reference area [m^2].
  Real total_area() const;

  /// Adds the consistent nodal forces of a traction given at every point [Pa] to `f` (3 x #nodes).
  void add_vector_load(const std::vector<Vec3>& traction, VectorX& f) const;
  /// Adds the consistent nodal values of a scalar flux given at every point [W/m^2] to `q` (#nodes).
  void add_scalar_load(const std::vector<Real>& flux, VectorX& q) const;
  /// Integral of a scalar given at every point over the set.
  Real integrate(const std::vector<Real>& values) const;

 private:
  int npf_ = 4;
  std::vector<std::array<Index, 4>> facet_nodes_;
  std::vector<Vec3> X_, N_;
  std::vector<Real> dA_, shape_;
};

}  // namespace tissue
