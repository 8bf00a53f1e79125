// Shared helpers for mechanics tests: box meshes, materials, node perturbation.
#pragma once

#include <random>

#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/mesh/box_mesh.hpp"

namespace tissue::test {

/// A nearly incompressible neo-Hookean law (mu [Pa], kappa [Pa]).
inline RegionMechanics neo_hookean(Real mu, Real kappa) {
  return RegionMechanics{HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{kappa}}, 1000.0};
}

/// A transversely isotropic muscle law.
inline RegionMechanics muscle(Real mu, Real k1, Real k2, Real kappa) {
  return RegionMechanics{HyperelasticLaw{MuscleTI{mu, k1, k2}, VolumetricLogJ{kappa}}, 1060.0};
}

/// Unit-ish box [0,Lx]x[0,Ly]x[0,Lz] with n divisions; interior nodes moved randomly by up to `jitter` of h.
inline Mesh box(int nx, int ny, int nz, CellType type = CellType::hex8, Real jitter = 0.0,
                Vec3 size = Vec3(1, 1, 1), unsigned seed = 7) {
  BoxMeshOptions o;
  o.hi = size;
  o.nx = nx;
  o.ny = ny;
  o.nz = nz;
  o.cell_type = type;
  Mesh m = make_box_mesh(o);
  if (jitter > 0) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<Real> d(-jitter, jitter);
    const Vec3 h(size[0] / nx, size[1] / ny, size[2] / nz);
    for (Index n = 0; n < m.n_nodes(); ++n) {
      const Vec3 X = m.nodes.row(n).transpose();
      bool interior = true;
      for (int k = 0; k < 3; ++k) interior = interior && X[k] > 1e-12 && X[k] < size[k] - 1e-12;
      if (interior)
        for (int k = 0; k < 3; ++k) m.nodes(n, k) += d(rng) * h[k];
    }
  }
  return m;
}

/// Nodal displacement vector of the homogeneous map x = F X (3 x #nodes).
inline VectorX homogeneous_displacement(const Mesh& m, const Mat3& F) {
  VectorX u(3 * m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n)
    u.segment<3>(3 * n) = (F - Mat3::Identity()) * m.nodes.row(n).transpose();
  return u;
}

/// A dof map with every boundary node of the box fixed (for patch tests) or none fixed.
inline DofMap dofs_fixing(const Mesh& m, const std::vector<std::string>& sets) {
  DofMap d(m.n_nodes(), 3);
  for (const auto& s : sets) d.constrain_nodes(m.node_set(s).nodes);
  d.finalize();
  return d;
}

}  // namespace tissue::test
