// Shared helpers of the thermal tests: slab and block meshes, simple properties, norms.
#pragma once

#include <cmath>
#include <vector>

#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"

namespace tissue::test {

/// Thin slab [0, w] x [0, w] x [0, L] with nz hex (or Kuhn tet) layers along z.
inline Mesh slab(int nz, Real L, Real w, CellType type = CellType::hex8) {
  BoxMeshOptions o;
  o.hi = Vec3(w, w, L);
  o.nx = 1;
  o.ny = 1;
  o.nz = nz;
  o.cell_type = type;
  return make_box_mesh(o);
}

/// Properties with the given rho, c, k, perfusion [1/s] and metabolic heat [W/m^3].
inline ThermalProperties props(Real rho, Real c, Real k, Real w = 0, Real qmet = 0) {
  ThermalProperties p;
  p.density = rho;
  p.heat_capacity = c;
  p.conductivity = k;
  p.perfusion = w;
  p.metabolic_heat = qmet;
  return p;
}

/// Root-mean-square over nodes of T - f(z).
template <class F>
Real rms_error_z(const Mesh& m, const VectorX& T, const F& exact) {
  Real s = 0;
  for (Index n = 0; n < m.n_nodes(); ++n) {
    const Real d = T[n] - exact(m.nodes(n, 2));
    s += d * d;
  }
  return std::sqrt(s / m.n_nodes());
}

/// Observed order log(e0/e1)/log(2) of errors on meshes (or steps) halved each time.
inline Real order(Real coarse, Real fine) {
  return std::log(coarse / fine) / std::log(2.0);
}

}  // namespace tissue::test
