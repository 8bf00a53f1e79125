#include "libtissue/observe/step_view.hpp"

#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

SolidInputs StepView::inputs() const {
  SolidInputs in;
  in.dt = 0;
  in.temperature = temperature && temperature->size() > 0 ? temperature : nullptr;
  in.tone = tone && tone->size() > 0 ? tone : nullptr;
  in.history = history;
  return in;
}

void StepView::validate() const {
  require(solid != nullptr, "step_view.solid", "missing");
  const Mesh& m = solid->mesh();
  const Index nq = solid->geometry().n_qp();
  if (displacement)
    require(displacement->size() == 3 * m.n_nodes(), "step_view.displacement",
            "expected 3 x #nodes = " + std::to_string(3 * m.n_nodes()) + " values");
  if (temperature && temperature->size() > 0)
    require(temperature->size() == m.n_nodes(), "step_view.temperature", "expected one value per node");
  if (tone && tone->size() > 0)
    require(tone->size() == m.n_cells() * nq, "step_view.tone", "expected #cells x n_qp values");
  if (perfusion && perfusion->size() > 0)
    require(perfusion->size() == m.n_nodes() || perfusion->size() == m.n_cells(), "step_view.perfusion",
            "expected one value per node or per cell");
  if (!skin_pressure.empty())
    require(skin && static_cast<Index>(skin_pressure.size()) == skin->size(), "step_view.skin_pressure",
            "expected one value per skin quadrature point");
  if (history) require(history->n_qp() == nq, "step_view.history", "wrong number of quadrature points");
}

VectorX point_temperature(const SolidProblem& solid, const VectorX* T, Real fallback) {
  const Mesh& m = solid.mesh();
  const GeometryCache& g = solid.geometry();
  const int nq = g.n_qp(), nen = m.cell_size();
  VectorX out = VectorX::Constant(static_cast<Index>(m.n_cells()) * nq, fallback);
  if (!T || T->size() == 0) return out;
  require(T->size() == m.n_nodes(), "temperature", "expected one value per node");
  for (Index e = 0; e < m.n_cells(); ++e)
    for (int q = 0; q < nq; ++q) {
      Real v = 0;
      for (int a = 0; a < nen; ++a) v += g.shape(q, a) * (*T)[m.cells(e, a)];
      out[e * nq + q] = v;
    }
  return out;
}

VectorX point_pressure(const StepView& view) {
  view.validate();
  const SolidProblem& s = *view.solid;
  const int nq = s.geometry().n_qp();
  const Index ne = s.mesh().n_cells();
  VectorX out = VectorX::Zero(ne * nq);
  if (!view.displacement) return out;
  const SolidInputs in = view.inputs();
  const CellStress cs = s.cell_stress(*view.displacement, &in);
  for (Index e = 0; e < ne; ++e) out.segment(e * nq, nq).setConstant(cs.pressure[e]);
  return out;
}

VectorX resting_tone_field(const Mesh& mesh, int n_qp, const RestingTone& resting) {
  resting.validate();
  VectorX out = VectorX::Zero(static_cast<Index>(mesh.n_cells()) * n_qp);
  for (Index e = 0; e < mesh.n_cells(); ++e) {
    const Region& r = mesh.regions[mesh.region[static_cast<size_t>(e)]];
    if (r.kind == TissueKind::muscle) out.segment(e * n_qp, n_qp).setConstant(resting.for_region(r.name));
  }
  return out;
}

Real region_point_mean(const SolidProblem& solid, const VectorX& field, int region) {
  const GeometryCache& g = solid.geometry();
  const int nq = g.n_qp();
  Real sum = 0, vol = 0;
  for (Index e : solid.mesh().cells_in_region(region))
    for (int q = 0; q < nq; ++q) {
      sum += field[e * nq + q] * g.dV(e, q);
      vol += g.dV(e, q);
    }
  return vol > 0 ? sum / vol : 0.0;
}

}  // namespace tissue
