// Consumer check: builds the coarse default model and one mechanics evaluation via the installed package.
#include <cstdio>

#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/mesh/lumbar_hip.hpp"

int main() {
  const tissue::Mesh model = tissue::generate_lumbar_hip(tissue::Resolution::coarse);
  tissue::BoxMeshOptions o;
  o.nx = o.ny = o.nz = 2;
  const tissue::Mesh box = tissue::make_box_mesh(o);
  tissue::DofMap dofs(box.n_nodes(), 3);
  dofs.finalize();
  tissue::SolidProblem solid(
      box, {{tissue::HyperelasticLaw{tissue::NeoHookean{1e3}, tissue::VolumetricLogJ{1e5}}, 1000}}, dofs);
  tissue::VectorX u = tissue::VectorX::Zero(3 * box.n_nodes());
  const auto ev = solid.evaluate(u, nullptr, nullptr);
  std::printf("consumer: lumbar-hip coarse model has %ld cells; box energy at rest %g J\n",
              static_cast<long>(model.n_cells()), ev.energy);
  return (model.n_cells() > 0 && ev.admissible && ev.energy == 0.0) ? 0 : 1;
}
