#include "libtissue/observe/myotonometer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "libtissue/core/error.hpp"
#include "libtissue/solver/mechanics_solver.hpp"

namespace tissue {

void MyotonOptions::validate() const {
  auto pos = [](Real v, const char* f) {
    require(std::isfinite(v) && v > 0, std::string("myoton.") + f, "must be > 0");
  };
  pos(preload, "preload");
  pos(impulse, "impulse");
  pos(impulse_duration, "impulse_duration");
  pos(probe_mass, "probe_mass");
  pos(probe_diameter, "probe_diameter");
  pos(probe_height, "probe_height");
  pos(probe_modulus, "probe_modulus");
  pos(preload_time, "preload_time");
  require(preload_steps >= 1, "myoton.preload_steps", "must be >= 1");
  pos(duration, "duration");
  pos(dt, "dt");
  require(duration > impulse_duration + 4 * dt, "myoton.duration",
          "must exceed the impulse by several steps");
  require(substeps >= 1, "myoton.substeps", "must be >= 1");
  pos(creep_first_step, "creep_first_step");
  require(creep_first_step < duration, "myoton.creep_first_step", "must be shorter than the duration");
  require(std::isfinite(creep_growth) && creep_growth > 1, "myoton.creep_growth", "must be > 1");
  require(tip_cells >= 1 && tip_cells <= 8, "myoton.tip_cells", "must be in [1, 8]");
  require(creep_force_fraction > 0 && creep_force_fraction <= 1, "myoton.creep_force_fraction",
          "must be in (0, 1]");
  pos(half_width, "half_width");
  require(half_width > probe_diameter, "myoton.half_width", "must exceed the probe diameter");
  pos(max_depth, "max_depth");
  require(std::isfinite(growth) && growth >= 1, "myoton.growth", "must be >= 1");
}

// ------------------------------------------------------------------------------------------ signal analysis

MyotonReading analyse_myoton_signal(const MyotonSignal& sig, Real impulse_end, Real probe_mass) {
  const size_t n = sig.time.size();
  require(n >= 8 && sig.displacement.size() == n && sig.acceleration.size() == n, "myoton.signal",
          "needs at least 8 samples of time, displacement and acceleration");
  MyotonReading out;
  out.signal = sig;
  size_t i0 = 0;
  while (i0 < n && sig.time[i0] < impulse_end - 1e-12) ++i0;
  require(n - i0 >= 8, "myoton.signal", "fewer than 8 samples after the impulse");
  // F: peak of |DFT| of the mean-free acceleration over the free oscillation (scan + parabolic refinement).
  const size_t m = n - i0;
  Real mean = 0;
  for (size_t i = i0; i < n; ++i) mean += sig.acceleration[i];
  mean /= static_cast<Real>(m);
  const Real T = sig.time[n - 1] - sig.time[i0];
  const Real dt = T / static_cast<Real>(m - 1);
  auto power = [&](Real f) {
    Real re = 0, im = 0;
    for (size_t i = i0; i < n; ++i) {
      const Real ph = 2 * std::numbers::pi * f * (sig.time[i] - sig.time[i0]);
      const Real a = sig.acceleration[i] - mean;
      re += a * std::cos(ph);
      im -= a * std::sin(ph);
    }
    return re * re + im * im;
  };
  const Real f_lo = std::max(1.0, 1.0 / T), f_hi = std::min(0.25 / dt, 200.0), df = 0.05;  // [Hz]
  Real best_f = f_lo, best_p = -1;
  for (Real f = f_lo; f <= f_hi; f += df) {
    const Real p = power(f);
    if (p > best_p) {
      best_p = p;
      best_f = f;
    }
  }
  {
    const Real pm = power(best_f - df), pp = power(best_f + df), den = pm - 2 * best_p + pp;
    out.frequency = den < 0 ? best_f + 0.5 * df * (pm - pp) / den : best_f;
  }
  // Maximal deformation: the first local maximum of the displacement (the impulse's peak).
  size_t i_max = 0;
  for (size_t i = 1; i + 1 < n; ++i)
    if (sig.displacement[i] > 0 && sig.displacement[i] >= sig.displacement[i - 1] &&
        sig.displacement[i] > sig.displacement[i + 1]) {
      i_max = i;
      break;
    }
  out.delta_l = sig.displacement[i_max];
  // a_max: largest |acceleration| over the first oscillation period after the impulse; S = a_max m / delta_l.
  const Real t_end = sig.time[i0] + 1.0 / std::max(out.frequency, 1e-6);
  for (size_t i = i0; i < n && sig.time[i] <= t_end; ++i)
    out.a_max = std::max(out.a_max, std::abs(sig.acceleration[i]));
  out.stiffness = out.delta_l > 0 ? out.a_max * probe_mass / out.delta_l : 0.0;
  // D = ln(a1/a3): the first two extrema after the impulse with the sign of the largest acceleration.
  std::vector<size_t> peaks;
  Real sign = 0;
  for (size_t i = i0; i < n && sig.time[i] <= t_end; ++i)
    if (std::abs(sig.acceleration[i]) == out.a_max) sign = sig.acceleration[i] > 0 ? 1.0 : -1.0;
  for (size_t i = i0 + 1; i + 1 < n; ++i) {  // not the sample where the force steps down
    const Real a = sign * sig.acceleration[i];
    if (a > 0 && a >= sign * sig.acceleration[i - 1] && a > sign * sig.acceleration[i + 1])
      peaks.push_back(i);
  }
  auto refined = [&](size_t i) {  // parabolic peak value
    const Real am = sign * sig.acceleration[i - 1], a0 = sign * sig.acceleration[i],
               ap = sign * sig.acceleration[i + 1];
    const Real den = am - 2 * a0 + ap;
    return den < 0 ? a0 - 0.125 * (am - ap) * (am - ap) / den : a0;
  };
  out.decrement = peaks.size() >= 2 ? std::log(refined(peaks[0]) / refined(peaks[1]))
                                    : std::numeric_limits<Real>::quiet_NaN();
  // Deformation time, relaxation time (return to the preloaded position), creep.
  out.deformation_time = sig.time[i_max] - sig.time[0];
  out.relaxation_time = std::numeric_limits<Real>::quiet_NaN();
  for (size_t i = i_max; i + 1 < n; ++i)
    if (sig.displacement[i] > 0 && sig.displacement[i + 1] <= 0) {
      const Real w0 = sig.displacement[i], w1 = sig.displacement[i + 1];
      const Real tc = sig.time[i] + (sig.time[i + 1] - sig.time[i]) * w0 / (w0 - w1);
      out.relaxation_time = tc - sig.time[i_max];
      break;
    }
  out.creep = out.deformation_time > 0 ? out.relaxation_time / out.deformation_time : 0.0;
  return out;
}

// ------------------------------------------------------------------------------------------ local model

namespace {

/// Point location in the full mesh: cell bounding boxes and centroids, binned in a uniform grid of about one
/// cell per bin (a query looks at the few cells whose boxes overlap its bin).
struct Locator {
  const Mesh& m;
  std::vector<Vec3> lo, hi, centre;
  Vec3 origin = Vec3::Zero(), bin = Vec3::Ones();  // grid origin and bin size [m]
  std::array<Index, 3> n{1, 1, 1};                 // bins per axis
  std::vector<std::vector<Index>> bins;            // cells overlapping each bin

  explicit Locator(const Mesh& mesh) : m(mesh) {
    const Index ne = m.n_cells();
    lo.resize(static_cast<size_t>(ne));
    hi.resize(static_cast<size_t>(ne));
    centre.resize(static_cast<size_t>(ne));
    Vec3 all_lo = Vec3::Constant(std::numeric_limits<Real>::infinity()), all_hi = -all_lo;
    for (Index e = 0; e < ne; ++e) {
      Vec3 l = Vec3::Constant(std::numeric_limits<Real>::infinity()), h = -l, c = Vec3::Zero();
      for (int a = 0; a < m.cell_size(); ++a) {
        const Vec3 X = m.nodes.row(m.cells(e, a)).transpose();
        l = l.cwiseMin(X);
        h = h.cwiseMax(X);
        c += X;
      }
      lo[static_cast<size_t>(e)] = l;
      hi[static_cast<size_t>(e)] = h;
      centre[static_cast<size_t>(e)] = c / m.cell_size();
      all_lo = all_lo.cwiseMin(l);
      all_hi = all_hi.cwiseMax(h);
    }
    if (ne == 0) return;
    const Vec3 extent = (all_hi - all_lo).cwiseMax(1e-12);
    const Real side = std::cbrt(extent.prod() / static_cast<Real>(ne));  // about one cell per bin
    for (int d = 0; d < 3; ++d) {
      n[d] = std::clamp<Index>(static_cast<Index>(std::ceil(extent[d] / side)), 1, 1024);
      bin[d] = extent[d] / static_cast<Real>(n[d]);
    }
    origin = all_lo;
    bins.resize(static_cast<size_t>(n[0] * n[1] * n[2]));
    for (Index e = 0; e < ne; ++e) {  // boxes widened by find's tolerance
      const auto k = static_cast<size_t>(e);
      const Vec3 tol = Vec3::Constant(1e-9 * (hi[k] - lo[k]).norm());
      const auto a = bin_of(lo[k] - tol), b = bin_of(hi[k] + tol);
      for (Index k = a[2]; k <= b[2]; ++k)
        for (Index j = a[1]; j <= b[1]; ++j)
          for (Index i = a[0]; i <= b[0]; ++i)
            bins[static_cast<size_t>(i + n[0] * (j + n[1] * k))].push_back(e);
    }
  }
  /// Bin indices of X (clamped to the grid).
  std::array<Index, 3> bin_of(const Vec3& X) const {
    std::array<Index, 3> b{};
    for (int d = 0; d < 3; ++d)
      b[d] = std::clamp<Index>(static_cast<Index>(std::floor((X[d] - origin[d]) / bin[d])), 0, n[d] - 1);
    return b;
  }
  /// Cell whose bounding box contains X (nearest centre among candidates), or -1.
  Index find(const Vec3& X) const {
    if (bins.empty()) return -1;
    const auto b = bin_of(X);
    Index best = -1;
    Real bd = std::numeric_limits<Real>::infinity();
    for (Index e : bins[static_cast<size_t>(b[0] + n[0] * (b[1] + n[1] * b[2]))]) {
      const auto k = static_cast<size_t>(e);
      const Real tol = 1e-9 * (hi[k] - lo[k]).norm();
      if (((X - lo[k]).array() < -tol).any() || ((X - hi[k]).array() > tol).any()) continue;
      const Real d = (X - centre[k]).squaredNorm();
      if (d < bd || (d == bd && e < best)) {
        bd = d;
        best = e;
      }
    }
    return best;
  }
};

/// Sorted unique values (merging values closer than tol).
std::vector<Real> unique_sorted(std::vector<Real> v, Real tol) {
  std::sort(v.begin(), v.end());
  std::vector<Real> out;
  for (Real x : v)
    if (out.empty() || x - out.back() > tol) out.push_back(x);
  return out;
}

}  // namespace

Myotonometer::Myotonometer(std::vector<MyotonSite> sites, MyotonOptions options)
    : sites_(std::move(sites)), options_(options) {
  options_.validate();
}

MyotonLocalModel Myotonometer::local_model(const StepView& view, const Vec3& point) const {
  view.validate();
  const SolidProblem& solid = *view.solid;
  const Mesh& gm = solid.mesh();
  const MyotonOptions& o = options_;
  const int nq = solid.geometry().n_qp();
  // Skin point and normal: the nearest skin quadrature point.
  const FacetSet* skin_set = gm.find_facet_set("skin");
  if (!skin_set) skin_set = gm.find_facet_set("zmax");
  require(skin_set != nullptr, "myoton.skin", "the mesh has no facet set \"skin\" (or \"zmax\")");
  const FacetQuadrature sq(gm, *skin_set);
  Index pbest = 0;
  for (Index p = 1; p < sq.size(); ++p)
    if ((sq.position(p) - point).squaredNorm() < (sq.position(pbest) - point).squaredNorm()) pbest = p;
  const Vec3 N = sq.normal(pbest);
  // Project the point onto the skin plane through the nearest skin point.
  const Vec3 X0 = point - (point - sq.position(pbest)).dot(N) * N;
  int k = 0;
  for (int i = 1; i < 3; ++i)
    if (std::abs(N[i]) < std::abs(N[k])) k = i;
  const Vec3 e1 = (Vec3::Unit(k) - N[k] * N).normalized(), e2 = N.cross(e1);
  Mat3 R;  // columns: local axes in global coordinates
  R.col(0) = e1;
  R.col(1) = e2;
  R.col(2) = N;
  auto global = [&](Real x, Real y, Real z) -> Vec3 { return X0 + R * Vec3(x, y, z); };
  const Locator loc(gm);
  // Depth: march down the column until leaving the mesh.
  const Real step = std::min(5e-4, o.max_depth / 20);
  Real depth = 0;
  std::vector<Real> levels{0.0};
  for (Real d = 0.5 * step; d <= o.max_depth + 1e-12; d += step) {
    const Index e = loc.find(global(0, 0, -d));
    if (e < 0) break;
    depth = std::min(o.max_depth, d + 0.5 * step);
    for (int a = 0; a < gm.cell_size(); ++a) {
      const Real z = (gm.nodes.row(gm.cells(e, a)).transpose() - X0).dot(N);
      if (z < -1e-9 && z > -o.max_depth) levels.push_back(z);
    }
  }
  require(depth > 2 * o.probe_diameter, "myoton.point",
          "no tissue below the point (or thinner than the probe)");
  // Snap the bottom to the deepest mesh level within half a march step.
  for (Real z : levels)
    if (std::abs(-z - depth) <= step) depth = -z;
  levels.push_back(-depth);
  levels = unique_sorted(levels, 1e-6 * depth);
  std::vector<Real> zs;
  for (Real z : levels)
    if (z >= -depth - 1e-12) zs.push_back(z);
  // Refine: cell size grows with depth from the tip cells' size.
  const Real s = std::sqrt(std::numbers::pi) * 0.5 * o.probe_diameter;  // square of the tip's area
  const int nt = o.tip_cells;
  const Real h_tip = s / nt;  // side of the cells under the tip
  // Downwards from the skin: cells of the tip cells' size growing by `growth` per cell, with a node on every
  // mesh level (layer interfaces kept); a level closer than 1.5 cells ends the cell there.
  std::vector<Real> z_nodes{zs.back()};  // zs ascends from the bottom to the skin (0)
  {
    Real h = h_tip;
    for (size_t i = zs.size() - 1; i-- > 0; h *= o.growth) {
      const Real z = z_nodes.back();
      if (z - zs[i] > 1.5 * h) {
        z_nodes.push_back(z - h);
        ++i;  // the level is still below
      } else {
        z_nodes.push_back(zs[i]);
      }
    }
    std::reverse(z_nodes.begin(), z_nodes.end());  // bottom first, as the node numbering expects
  }
  // In-plane grid: the tip's square of side s in nt x nt cells, then widths growing by `growth` from the
  // tip cells' size up to half_width.
  std::vector<Real> grid;
  {
    std::vector<Real> xs;  // node coordinates x >= s/2
    xs.push_back(0.5 * s);
    for (Real w = h_tip * o.growth; xs.back() < o.half_width - 1e-12; w *= o.growth) {
      Real next = xs.back() + w;
      if (o.half_width - next < 0.5 * w) next = o.half_width;
      xs.push_back(std::min(next, o.half_width));
    }
    for (auto it = xs.rbegin(); it != xs.rend(); ++it) grid.push_back(-*it);
    for (int i = 1; i < nt; ++i) grid.push_back(-0.5 * s + i * h_tip);
    for (Real x : xs) grid.push_back(x);
  }
  const int nx = static_cast<int>(grid.size()) - 1, nz = static_cast<int>(z_nodes.size()) - 1;
  MyotonLocalModel lm;
  lm.depth = depth;
  lm.normal = N;
  Mesh& m = lm.mesh;
  m.cell_type = CellType::hex8;
  const Index nn = static_cast<Index>((nx + 1) * (nx + 1) * (nz + 1));
  const int ic = (nx - nt) / 2;  // first tip cell index (grid symmetric)
  m.nodes.resize(nn + (nt + 1) * (nt + 1), 3);
  auto nid = [&](int i, int j, int kz) { return static_cast<Index>(i + (nx + 1) * (j + (nx + 1) * kz)); };
  auto top_id = [&](int i, int j) { return nn + static_cast<Index>(i + (nt + 1) * j); };  // probe top
  for (int kz = 0; kz <= nz; ++kz)
    for (int j = 0; j <= nx; ++j)
      for (int i = 0; i <= nx; ++i)
        m.nodes.row(nid(i, j, kz)) = Vec3(grid[i], grid[j], z_nodes[kz]).transpose();
  for (int j = 0; j <= nt; ++j)
    for (int i = 0; i <= nt; ++i) {
      m.nodes.row(top_id(i, j)) = Vec3(grid[ic + i], grid[ic + j], o.probe_height).transpose();
      lm.probe_top.push_back(top_id(i, j));
    }
  // Cells: region and state from the full-mesh cell at the centre; the probe's nt x nt cells last.
  const Index nc = static_cast<Index>(nx * nx * nz), np = static_cast<Index>(nt * nt);
  m.cells.resize(nc + np, 8);
  m.fibres.setZero(nc + np, 3);
  m.region.assign(static_cast<size_t>(nc + np), 0);
  std::vector<int> local_of_global(static_cast<size_t>(gm.regions.size()), -1);
  std::vector<Index> source(static_cast<size_t>(nc), -1);
  Index e = 0;
  for (int kz = 0; kz < nz; ++kz)
    for (int j = 0; j < nx; ++j)
      for (int i = 0; i < nx; ++i, ++e) {
        const Index c8[8] = {
            nid(i, j, kz),     nid(i + 1, j, kz),     nid(i + 1, j + 1, kz),     nid(i, j + 1, kz),
            nid(i, j, kz + 1), nid(i + 1, j, kz + 1), nid(i + 1, j + 1, kz + 1), nid(i, j + 1, kz + 1)};
        for (int a = 0; a < 8; ++a) m.cells(e, a) = c8[a];
        const Vec3 xc(0.5 * (grid[i] + grid[i + 1]), 0.5 * (grid[j] + grid[j + 1]),
                      0.5 * (z_nodes[kz] + z_nodes[kz + 1]));
        Index g = loc.find(global(xc[0], xc[1], xc[2]));
        if (g < 0) g = loc.find(global(0, 0, xc[2]));  // outside laterally: the column's cell at that depth
        if (g < 0) g = loc.find(global(0, 0, -0.5 * depth));
        require(g >= 0, "myoton.point", "cannot map the local model onto the mesh");
        source[static_cast<size_t>(e)] = g;
        const int gr = gm.region[static_cast<size_t>(g)];
        if (local_of_global[static_cast<size_t>(gr)] < 0) {
          local_of_global[static_cast<size_t>(gr)] = m.regions.add(gm.regions[gr]);
          lm.materials.push_back(solid.materials()[static_cast<size_t>(gr)]);
        }
        m.region[static_cast<size_t>(e)] = local_of_global[static_cast<size_t>(gr)];
        m.fibres.row(e) = (R.transpose() * gm.fibres.row(g).transpose()).transpose();
      }
  {  // probe block on the tip cells (stiff; its mass is the probe's, which only dynamics would see)
    const int probe_region = m.regions.add(Region{"probe", TissueKind::other, Side::none});
    for (int j = 0; j < nt; ++j)
      for (int i = 0; i < nt; ++i) {
        const Index c = nc + static_cast<Index>(i + nt * j);
        const Index b[4] = {nid(ic + i, ic + j, nz), nid(ic + i + 1, ic + j, nz),
                            nid(ic + i + 1, ic + j + 1, nz), nid(ic + i, ic + j + 1, nz)};
        const Index t4[4] = {top_id(i, j), top_id(i + 1, j), top_id(i + 1, j + 1), top_id(i, j + 1)};
        for (int a = 0; a < 4; ++a) {
          m.cells(c, a) = b[a];
          m.cells(c, 4 + a) = t4[a];
        }
        m.region[static_cast<size_t>(c)] = probe_region;
      }
    const Real vol = s * s * o.probe_height;
    lm.materials.push_back(
        RegionMechanics{CompressibleNeoHookean::from_E_nu(o.probe_modulus, 0.3), o.probe_mass / vol});
  }
  // Boundary node sets.
  for (int kz = 0; kz <= nz; ++kz)
    for (int j = 0; j <= nx; ++j)
      for (int i = 0; i <= nx; ++i) {
        const Index id = nid(i, j, kz);
        if (kz == 0)
          lm.bottom.push_back(id);
        else {
          if (i == 0 || i == nx) lm.x_sides.push_back(id);
          if (j == 0 || j == nx) lm.y_sides.push_back(id);
        }
      }
  // Tone per quadrature point (source cell mean) and nodal temperature (source cell mean).
  const Index nq_local = 8;
  lm.tone = VectorX::Zero((nc + np) * nq_local);
  const bool hasTone = view.tone && view.tone->size() > 0;
  const bool hasT = view.temperature && view.temperature->size() > 0;
  auto cell_T = [&](Index g) {
    Real t = 0;
    for (int a = 0; a < gm.cell_size(); ++a) t += (*view.temperature)[gm.cells(g, a)];
    return t / gm.cell_size();
  };
  for (Index c = 0; c < nc; ++c)
    if (hasTone)
      lm.tone.segment(c * nq_local, nq_local)
          .setConstant(view.tone->segment(source[static_cast<size_t>(c)] * nq, nq).mean());
  if (hasT) {
    lm.temperature = VectorX::Zero(m.n_nodes());
    VectorX count = VectorX::Zero(m.n_nodes());
    for (Index c = 0; c < nc; ++c) {
      const Real t = cell_T(source[static_cast<size_t>(c)]);
      for (int a = 0; a < 8; ++a) {
        lm.temperature[m.cells(c, a)] += t;
        count[m.cells(c, a)] += 1;
      }
    }
    for (Index n = 0; n < m.n_nodes(); ++n)
      lm.temperature[n] = count[n] > 0 ? lm.temperature[n] / count[n] : 0.0;
    for (Index p : lm.probe_top) lm.temperature[p] = lm.temperature[m.cells(nc, 0)];  // under the probe
  }
  return lm;
}

namespace {

struct LocalRun {
  SolidProblem solid;
  SolidHistory history;
  SolidInputs inputs;
  VectorX f_unit;  // unit probe force into the tissue, spread over the probe top nodes

  LocalRun(const MyotonLocalModel& lm, DofMap dofs)
      : solid(lm.mesh, lm.materials, std::move(dofs)), history(solid.make_history()) {
    inputs.temperature = lm.temperature.size() > 0 ? &lm.temperature : nullptr;
    inputs.tone = &lm.tone;
    inputs.history = &history;
    f_unit = VectorX::Zero(3 * lm.mesh.n_nodes());
    for (Index p : lm.probe_top) f_unit[3 * p + 2] = -1.0 / static_cast<Real>(lm.probe_top.size());
  }
  Real probe_w(const MyotonLocalModel& lm, const VectorX& u) const {  // mean displacement into the tissue
    Real w = 0;
    for (Index p : lm.probe_top) w -= u[3 * p + 2];
    return w / static_cast<Real>(lm.probe_top.size());
  }
};

DofMap local_dofs(const MyotonLocalModel& lm) {
  DofMap d(lm.mesh.n_nodes(), 3);
  d.constrain_nodes(lm.bottom);
  for (Index n : lm.x_sides) d.constrain(n, 0);
  for (Index n : lm.y_sides) d.constrain(n, 1);
  // The probe moves along the normal only.
  for (Index n : lm.probe_top) {
    d.constrain(n, 0);
    d.constrain(n, 1);
  }
  d.finalize();
  return d;
}

}  // namespace

Real Myotonometer::static_stiffness(const MyotonLocalModel& lm) const {
  LocalRun run(lm, local_dofs(lm));
  QuasiStaticSolver qs(run.solid);
  VectorX u = VectorX::Zero(3 * lm.mesh.n_nodes());
  const VectorX zero = VectorX::Zero(3 * lm.mesh.n_nodes());
  const Real F0 = options_.preload, F1 = options_.preload + options_.creep_force_fraction * options_.impulse;
  constexpr Real span = 1e-9;  // [s]: no time passes, so viscous laws respond instantaneously
  qs.solve(
      u, [&](Real t) { return MechanicalLoad{(t / span) * F0 * run.f_unit, zero}; }, 0, span,
      options_.preload_steps, {}, nullptr, &run.inputs, &run.history);
  const Real w0 = run.probe_w(lm, u);
  qs.solve(
      u, [&](Real t) { return MechanicalLoad{(F0 + (t / span) * (F1 - F0)) * run.f_unit, zero}; }, 0, span, 2,
      {}, nullptr, &run.inputs, &run.history);
  return (F1 - F0) / (run.probe_w(lm, u) - w0);
}

namespace {

/// Linear interpolation of samples (t_k, v_k) at t, in log t beyond the first positive sample (creep curves
/// on a geometric time grid); held constant past the last sample.
Real interpolate_creep(const std::vector<Real>& t, const std::vector<Real>& v, Real x) {
  if (x <= t.front()) return v.front();
  if (x >= t.back()) return v.back();
  const size_t k = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), x) - t.begin());  // t[k-1] <= x
  const Real a = t[k - 1], b = t[k];
  const Real f = a > 0 ? std::log(x / a) / std::log(b / a) : (x - a) / (b - a);
  return v[k - 1] + f * (v[k] - v[k - 1]);
}

}  // namespace

MyotonCreep Myotonometer::creep(const MyotonLocalModel& lm) const {
  const MyotonOptions& o = options_;
  LocalRun run(lm, local_dofs(lm));
  const VectorX zero = VectorX::Zero(3 * lm.mesh.n_nodes());
  QuasiStaticOptions qo;
  qo.newton.max_tangent_reuse = 8;  // the creep steps are small and nearly linear: one factorisation serves
  qo.newton.keep_factorization = true;  // many (the convergence test is unchanged)
  // Converged at 1e-7 of the probe force: a displacement error ~1e-7 F / k, far below the creep's increments.
  qo.force_tolerance = 1e-7;
  QuasiStaticSolver qs(run.solid, qo);
  // Preload: ramp over the first half of preload_time, hold for the second half.
  VectorX u0 = VectorX::Zero(3 * lm.mesh.n_nodes());
  const Real tr = 0.5 * o.preload_time;
  qs.solve(
      u0, [&](Real t) { return MechanicalLoad{std::min(t / tr, 1.0) * o.preload * run.f_unit, zero}; }, 0,
      o.preload_time, 2 * o.preload_steps, {}, nullptr, &run.inputs, &run.history);
  const SolidHistory preloaded = run.history;
  MyotonCreep c;
  c.time.push_back(0);
  for (Real t = o.creep_first_step;; t *= o.creep_growth) {
    c.time.push_back(std::min(t, o.duration));
    if (t >= o.duration) break;
  }
  // Follows force F held from t = 0 on the time grid from the preloaded state (first an instantaneous step to
  // F: no time passes, so the viscous branches respond unrelaxed); the probe's position at each time.
  auto follow = [&](Real F) {
    std::vector<Real> w;
    VectorX u = u0;
    run.history = preloaded;
    constexpr Real span = 1e-9;  // [s]
    if (F != o.preload) {
      qs.solve(
          u,
          [&](Real t) {
            return MechanicalLoad{(o.preload + (t / span) * (F - o.preload)) * run.f_unit, zero};
          },
          0, span, 2, {}, nullptr, &run.inputs, &run.history);
      // Rayleigh: the probe and the tissue moving in the shape of the instantaneous deflection.
      const VectorX phi = u - u0;
      const Real dw = run.probe_w(lm, u) - run.probe_w(lm, u0);
      c.moving_mass = phi.dot(run.solid.mass_times(phi)) / (dw * dw);
    }
    w.push_back(run.probe_w(lm, u));
    for (size_t k = 1; k < c.time.size(); ++k) {
      qs.solve(
          u, [&](Real) { return MechanicalLoad{F * run.f_unit, zero}; }, c.time[k - 1], c.time[k], 1, {},
          nullptr, &run.inputs, &run.history);
      w.push_back(run.probe_w(lm, u));
    }
    return w;
  };
  const Real dF = o.creep_force_fraction * o.impulse;
  const std::vector<Real> w_hold = follow(o.preload), w_push = follow(o.preload + dF);
  for (size_t k = 0; k < c.time.size(); ++k) {
    c.compliance.push_back((w_push[k] - w_hold[k]) / dF);
    c.drift.push_back(w_hold[k] - w_hold[0]);
  }
  return c;
}

MyotonSignal myoton_probe_signal(const MyotonCreep& c, const MyotonOptions& o) {
  // The probe (mass m) on the tissue's creep compliance J: m a = f(t) - p, x = integral J(t - s) dp(s), with
  // f the impulse over [0, impulse_duration). Newmark's trapezoidal rule on a fine step h, the hereditary
  // integral by the midpoint rule (each increment of p acting from its step's middle).
  const int sub = o.substeps;
  const Real h = o.dt / sub, m = c.moving_mass > 0 ? c.moving_mass : o.probe_mass;
  const int n = static_cast<int>(std::ceil(o.duration / h - 1e-9));
  const int n_imp = std::max(1, static_cast<int>(std::lround(o.impulse_duration / h)));
  std::vector<Real> J(static_cast<size_t>(n) + 1), dp(static_cast<size_t>(n) + 1, 0.0);
  for (int k = 0; k <= n; ++k)
    J[static_cast<size_t>(k)] = interpolate_creep(c.time, c.compliance, (k + 0.5) * h);
  const Real cm = h * h / (4 * m);
  Real x = 0, v = 0, p = 0, a = o.impulse / m;  // the impulse acts from t = 0+
  MyotonSignal sig;
  auto record = [&](Real t) {
    sig.time.push_back(t);
    sig.displacement.push_back(x + interpolate_creep(c.time, c.drift, t));
    sig.acceleration.push_back(a);
  };
  record(0);
  for (int i = 1; i <= n; ++i) {
    const Real f = i <= n_imp ? o.impulse : 0.0;  // force at the step's end (inside the pulse up to its end)
    Real H = 0;                                   // the earlier increments' displacement at t_i
    for (int j = 1; j < i; ++j) H += J[static_cast<size_t>(i - j)] * dp[static_cast<size_t>(j)];
    const Real xs = x + h * v + 0.25 * h * h * a + cm * f;
    const Real d = (xs - cm * p - H) / (J[0] + cm);
    dp[static_cast<size_t>(i)] = d;
    p += d;
    const Real a1 = (f - p) / m;
    x = xs - cm * p;
    v += 0.5 * h * (a + a1);
    a = a1;
    if (i == n_imp) a = -p / m;  // the pulse ends: the force steps down
    if (i % sub == 0) record(i * h);
  }
  return sig;
}

MyotonReading Myotonometer::run(const MyotonLocalModel& lm) const {
  return analyse_myoton_signal(myoton_probe_signal(creep(lm), options_), options_.impulse_duration,
                               options_.probe_mass);
}

MyotonReading Myotonometer::measure(const StepView& view, const Vec3& point) const {
  return run(local_model(view, point));
}

void append_myoton_series(const std::string& group, const MyotonReading& r, Observations& out) {
  out.series.push_back({group, "myoton_frequency", r.frequency, "Hz"});
  out.series.push_back({group, "myoton_stiffness", r.stiffness, "N/m"});
  out.series.push_back({group, "myoton_decrement", r.decrement, "1"});
  out.series.push_back({group, "myoton_relaxation_time", r.relaxation_time, "s"});
  out.series.push_back({group, "myoton_creep", r.creep, "1"});
}

void Myotonometer::on_step(const StepView& view, Observations& out) {
  for (const auto& site : sites_) append_myoton_series(site.name, measure(view, site.point), out);
}

}  // namespace tissue
