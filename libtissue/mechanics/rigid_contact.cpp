#include "libtissue/mechanics/rigid_contact.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

void RigidHead::validate(std::string_view prefix) const {
  const std::string p(prefix);
  require(std::isfinite(flat_radius) && flat_radius >= 0, p + ".flat_radius",
          "must be finite and non-negative, got " + std::to_string(flat_radius) + " m");
  require(std::isfinite(edge_radius) && edge_radius > 0, p + ".edge_radius",
          "must be positive and finite, got " + std::to_string(edge_radius) + " m");
}

void RigidDrive::validate(std::string_view prefix) const {
  const std::string p(prefix);
  if (mode == RigidDriveMode::depth) {
    require(std::isfinite(depth), p + ".depth", "is not a finite number");
    require(std::isfinite(stiffness) && stiffness > 0, p + ".stiffness", "must be positive and finite");
    require(force_limit > 0 && !std::isnan(force_limit), p + ".force_limit", "must be positive");
  } else {
    require(std::isfinite(force) && force >= 0, p + ".force", "must be finite and non-negative");
  }
}

void RigidTool::validate(std::string_view prefix) const {
  const std::string p(prefix);
  head.validate(p + ".head");
  drive.validate(p + ".drive");
  require(origin.allFinite(), p + ".origin", "is not a finite point");
  require(std::abs(axis.norm() - 1) < 1e-9, p + ".axis", "must be a unit vector");
  require(velocity.allFinite(), p + ".velocity", "is not finite");
  require(std::isfinite(mu) && mu >= 0, p + ".mu", "must be finite and non-negative");
}

void RigidContactOptions::validate(std::string_view prefix) const {
  const std::string p(prefix);
  require(std::isfinite(penalty) && penalty > 0, p + ".penalty", "must be positive and finite");
  require(std::isfinite(regularisation_speed) && regularisation_speed > 0, p + ".regularisation_speed",
          "must be positive and finite");
  require(std::isfinite(smoothing) && smoothing > 0, p + ".smoothing", "must be positive and finite");
}

namespace {
/// Smoothed penalty at penetration d = -g >= 0 for stiffness eps and smoothing delta: energy per area,
/// force per area (d energy / dd) and its derivative.
struct Penalty {
  Real energy, force, stiffness;
};
Penalty penalty(Real d, Real eps, Real delta) {
  if (!(d > 0)) return {0, 0, 0};
  if (d < delta) return {eps * d * d * d / (6 * delta), eps * d * d / (2 * delta), eps * d / delta};
  return {eps * (d * d / 2 - delta * d / 2 + delta * delta / 6), eps * (d - delta / 2), eps};
}
}  // namespace

/// Gap of one point and its derivatives: g, n = dg/dx, H = d2g/dx2 (dg/ds = -n.a, d2g/dxds = -H a,
/// d2g/ds2 = a.H a, since g depends on x - s a).
struct RigidToolContact::Geometry {
  Real g = 0;
  Vec3 n = Vec3::Zero();
  Mat3 H = Mat3::Zero();
};

RigidToolContact::RigidToolContact(const Mesh& mesh, const DofMap& dofs, const AssemblyMap& map,
                                   const FacetQuadrature& skin, RigidContactOptions options)
    : mesh_(mesh), dofs_(dofs), map_(map), skin_(skin), options_(options) {
  options_.validate();
  // Facet -> a cell holding all its corners, and the corners' local indices in that cell.
  const Index nf = skin_.n_facets();
  const int npf = skin_.points_per_facet() == 4 ? 4 : 3;
  std::vector<std::vector<Index>> cells_of(static_cast<size_t>(mesh_.n_nodes()));
  std::vector<char> on_skin(static_cast<size_t>(mesh_.n_nodes()), 0);
  for (Index f = 0; f < nf; ++f)
    for (int a = 0; a < npf; ++a)
      on_skin[static_cast<size_t>(skin_.facet_nodes(f)[static_cast<size_t>(a)])] = 1;
  for (Index e = 0; e < mesh_.n_cells(); ++e)
    for (int a = 0; a < mesh_.cell_size(); ++a)
      if (on_skin[static_cast<size_t>(mesh_.cells(e, a))])
        cells_of[static_cast<size_t>(mesh_.cells(e, a))].push_back(e);
  cell_.assign(static_cast<size_t>(nf), -1);
  local_.assign(static_cast<size_t>(nf), {-1, -1, -1, -1});
  for (Index f = 0; f < nf; ++f) {
    const auto& fn = skin_.facet_nodes(f);
    for (Index e : cells_of[static_cast<size_t>(fn[0])]) {
      std::array<int, 4> loc{-1, -1, -1, -1};
      bool all = true;
      for (int a = 0; a < npf && all; ++a) {
        for (int b = 0; b < mesh_.cell_size(); ++b)
          if (mesh_.cells(e, b) == fn[static_cast<size_t>(a)]) loc[static_cast<size_t>(a)] = b;
        all = loc[static_cast<size_t>(a)] >= 0;
      }
      if (all) {
        cell_[static_cast<size_t>(f)] = e;
        local_[static_cast<size_t>(f)] = loc;
        break;
      }
    }
    if (cell_[static_cast<size_t>(f)] < 0)
      throw InputError("contact.skin", "skin facet " + std::to_string(f) + " belongs to no cell of the mesh");
  }
  const auto np = static_cast<size_t>(skin_.size());
  pressure_.assign(np, 0.0);
  friction_.assign(np, Vec3::Zero());
  lambda_.assign(np, 0.0);
  lambda_committed_.assign(np, 0.0);
  normal_.assign(np, Vec3::Zero());
  normal_committed_.assign(np, Vec3::Zero());
}

void RigidToolContact::commit() {
  lambda_committed_ = lambda_;
  normal_committed_ = normal_;
}

void RigidToolContact::release() {
  std::fill(lambda_committed_.begin(), lambda_committed_.end(), 0.0);
}

void RigidToolContact::save(StateArchive& a, std::string_view prefix) const {
  const std::string p(prefix);
  a.put(p + ".lambda", std::span<const Real>(lambda_committed_));
  std::vector<Real> n;
  n.reserve(3 * normal_committed_.size());
  for (const Vec3& v : normal_committed_) n.insert(n.end(), {v.x(), v.y(), v.z()});
  a.put(p + ".normal", std::span<const Real>(n));
  a.put(p + ".head",
        {state_.head_depth, state_.force, state_.stalled ? 1.0 : 0.0, Real(state_.points_in_contact)});
}

void RigidToolContact::load(const StateArchive& a, std::string_view prefix) {
  const std::string p(prefix);
  const auto& lambda = a.get(p + ".lambda");
  const auto& n = a.get(p + ".normal");
  const auto& head = a.get(p + ".head");
  if (lambda.size() != lambda_committed_.size() || n.size() != 3 * lambda.size() || head.size() != 4)
    throw InputError(p, "the checkpoint's tool contact does not fit this model's skin");
  lambda_committed_ = lambda;
  for (size_t i = 0; i < normal_committed_.size(); ++i)
    normal_committed_[i] = Vec3(n[3 * i], n[3 * i + 1], n[3 * i + 2]);
  state_.head_depth = head[0];
  state_.force = head[1];
  state_.stalled = head[2] != 0;
  state_.points_in_contact = static_cast<int>(head[3]);
}

void RigidToolContact::set_tool(const RigidTool& tool) {
  tool.validate();
  tool_ = tool;
}

Vec3 RigidToolContact::point_position(Index p, const VectorX& u) const {
  Vec3 x = skin_.position(p);
  const auto& fn = skin_.facet_nodes(skin_.facet_of(p));
  const int npf = skin_.points_per_facet() == 4 ? 4 : 3;
  for (int a = 0; a < npf; ++a) x += skin_.shape(p, a) * u.segment<3>(3 * fn[static_cast<size_t>(a)]);
  return x;
}

RigidToolContact::Geometry RigidToolContact::gap(const Vec3& x, Real s) const {
  const Vec3& a = tool_.axis;
  const Real ap = tool_.head.flat_radius, re = tool_.head.edge_radius;
  const Vec3 d = x - tool_.origin - (s - re) * a;
  const Real z = d.dot(a);
  const Vec3 q = d - z * a;
  const Real rho = q.norm();
  Geometry out;
  if (rho <= ap) {  // in front of (or behind) the flat face: a plane
    out.g = z - re;
    out.n = a;
    return out;
  }
  Vec3 e;
  if (rho > 1e-14) {
    e = q / rho;
  } else {  // on the axis of a ball head: any radial direction
    e = (std::abs(a.x()) < 0.9 ? Vec3::UnitX() : Vec3::UnitY()).cross(a).normalized();
  }
  const Real w = rho - ap;
  const Real dist = std::hypot(w, z);
  out.g = dist - re;
  if (dist < 1e-14) {  // on the rim circle itself (deep inside the head): push along the axis
    out.n = a;
    return out;
  }
  out.n = (w * e + z * a) / dist;
  const Vec3 t = a.cross(e);
  out.H = (Mat3::Identity() - out.n * out.n.transpose()) / dist;
  if (ap > 0 && rho > 1e-14) out.H -= (ap / rho) / dist * (t * t.transpose());
  return out;
}

void RigidToolContact::head_balance(Real s, Real& h, Real& dh) const {
  const Vec3& a = tool_.axis;
  const Real eps = options_.penalty;
  h = 0;
  dh = 0;
  for (size_t k = 0; k < candidates_.size(); ++k) {
    const Geometry G = gap(x_[k], s);
    if (!(G.g < 0)) continue;
    const Real w = skin_.area(candidates_[k]);
    const Penalty P = penalty(-G.g, eps, options_.smoothing);
    const Real na = G.n.dot(a);
    h += w * P.force * na;                                           // d(phi)/ds
    dh += w * P.stiffness * na * na - w * P.force * a.dot(G.H * a);  // d2(phi)/ds2
  }
  const RigidDrive& dr = tool_.drive;
  if (dr.mode == RigidDriveMode::force) {
    h -= dr.force;
  } else if (dr.stiffness * (dr.depth - s) <= dr.force_limit) {
    h -= dr.stiffness * (dr.depth - s);
    dh += dr.stiffness;
  } else {
    h -= dr.force_limit;
  }
}

Real RigidToolContact::solve_head(Real s) {
  // h(s) increases with s (deeper head: more contact force, less drive force); bracket its root, then
  // Newton steps kept inside the bracket (bisection when a step leaves it).
  const Real scale = std::max({tool_.head.edge_radius, tool_.head.flat_radius, 1e-3});
  Real h = 0, dh = 0;
  head_balance(s, h, dh);
  Real lo = s, hi = s, h_lo = h, h_hi = h;
  Real step = 1e-3 * scale;
  for (int k = 0; h_lo > 0 && k < 60; ++k, step *= 2) {
    hi = lo;
    h_hi = h_lo;
    lo -= step;
    head_balance(lo, h_lo, dh);
  }
  for (int k = 0; h_hi < 0 && k < 60; ++k, step *= 2) {
    lo = hi;
    h_lo = h_hi;
    hi += step;
    head_balance(hi, h_hi, dh);
  }
  if (!(h_lo <= 0 && h_hi >= 0))
    throw NumericalError("rigid tool: no axial equilibrium of the head found (drive force " +
                         std::to_string(tool_.drive.mode == RigidDriveMode::force ? tool_.drive.force
                                                                                  : tool_.drive.force_limit) +
                         " N)");
  if (h_lo == 0) return lo;
  if (h_hi == 0) return hi;
  s = std::clamp(s, lo, hi);
  const Real force_tol =
      1e-12 * std::max(1.0, std::abs(tool_.drive.force_limit) < 1e300 ? tool_.drive.force_limit : 1.0);
  for (int k = 0; k < 100; ++k) {
    head_balance(s, h, dh);
    if (std::abs(h) <= force_tol || hi - lo <= 1e-13 * scale) break;
    if (h < 0)
      lo = s;
    else
      hi = s;
    Real next = dh > 0 ? s - h / dh : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    s = next;
  }
  return s;
}

std::vector<Real> RigidToolContact::gaps(const VectorX& u, Real s) const {
  std::vector<Real> out(static_cast<size_t>(skin_.size()));
  for (Index p = 0; p < skin_.size(); ++p) out[static_cast<size_t>(p)] = gap(point_position(p, u), s).g;
  return out;
}

Real RigidToolContact::add(const VectorX& u, VectorX* f, SparseMatrix* K,
                           std::vector<LowRankTerm>* low_rank) {
  const Vec3& a = tool_.axis;
  const Real eps = options_.penalty;
  const Real reach = tool_.head.flat_radius + tool_.head.edge_radius;
  // Points that may touch the head at some depth: within its radius (plus a margin) of the axis.
  candidates_.clear();
  x_.clear();
  for (Index p = 0; p < skin_.size(); ++p) {
    const Vec3 x = point_position(p, u);
    const Vec3 d = x - tool_.origin;
    const Real radial = (d - d.dot(a) * a).norm();
    if (radial < 1.05 * reach + 1e-4) {
      candidates_.push_back(p);
      x_.push_back(x);
    }
  }
  const Real s = solve_head(state_.head_depth);
  state_.head_depth = s;
  std::fill(pressure_.begin(), pressure_.end(), 0.0);
  std::fill(friction_.begin(), friction_.end(), Vec3::Zero());

  const RigidDrive& dr = tool_.drive;
  Real energy = 0, k_ss = 0, force = 0;
  bool stalled = false;
  if (dr.mode == RigidDriveMode::force) {
    energy = -dr.force * s;
  } else if (dr.stiffness * (dr.depth - s) <= dr.force_limit) {
    energy = 0.5 * dr.stiffness * (dr.depth - s) * (dr.depth - s);
    k_ss = dr.stiffness;
  } else {
    energy = dr.force_limit * (dr.depth - s) - 0.5 * dr.force_limit * dr.force_limit / dr.stiffness;
    stalled = true;
  }
  VectorX k_us;
  const bool want_lr = low_rank != nullptr;
  if (want_lr) k_us.setZero(3 * mesh_.n_nodes());
  const int npf = skin_.points_per_facet() == 4 ? 4 : 3;
  const int nd = map_.element_dofs();
  int in_contact = 0;
  std::fill(lambda_.begin(), lambda_.end(), 0.0);
  for (size_t k = 0; k < candidates_.size(); ++k) {
    const Geometry G = gap(x_[k], s);
    if (!(G.g < 0)) continue;
    ++in_contact;
    const Index p = candidates_[k];
    const auto i = static_cast<size_t>(p);
    const Real w = skin_.area(p);
    const Penalty P = penalty(-G.g, eps, options_.smoothing);
    const Real lambda = w * P.force;
    const Real na = G.n.dot(a);
    energy += w * P.energy;
    force += lambda * na;
    k_ss += w * P.stiffness * na * na - lambda * a.dot(G.H * a);
    pressure_[i] = P.force;
    lambda_[i] = lambda;
    normal_[i] = G.n;
    const Index facet = skin_.facet_of(p);
    const auto& fn = skin_.facet_nodes(facet);
    const Vec3 dphi_dx = -lambda * G.n;                  // the skin's contact force is -dphi/dx
    Mat3 B = w * P.stiffness * (G.n * G.n.transpose());  // d2phi/dx2 (normal part)
    if (options_.curvature_tangent) B -= lambda * G.H;   // curvature part
    const Vec3 b_s = -w * P.stiffness * na * G.n + lambda * (G.H * a);  // d2phi/dxds
    for (int ai = 0; ai < npf; ++ai) {
      const Real Na = skin_.shape(p, ai);
      const Index node = fn[static_cast<size_t>(ai)];
      if (f) f->segment<3>(3 * node) += Na * dphi_dx;
      if (want_lr) k_us.segment<3>(3 * node) += Na * b_s;
    }
    if (K) {
      Real* values = K->valuePtr();
      const int* slot = map_.slots(cell_[static_cast<size_t>(facet)]);
      const auto& loc = local_[static_cast<size_t>(facet)];
      for (int ai = 0; ai < npf; ++ai)
        for (int bi = 0; bi < npf; ++bi) {
          const Real NN = skin_.shape(p, ai) * skin_.shape(p, bi);
          for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
              if (const int sl = slot[(3 * loc[static_cast<size_t>(ai)] + r) * nd +
                                      3 * loc[static_cast<size_t>(bi)] + c];
                  sl >= 0)
                values[sl] += NN * B(r, c);
        }
    }
  }
  // Friction: a dead load from the committed normal forces, along the sliding in each committed contact
  // plane.
  if (tool_.mu > 0) {
    const Real reg = options_.regularisation_speed;
    for (Index p = 0; p < skin_.size(); ++p) {
      const auto i = static_cast<size_t>(p);
      if (!(lambda_committed_[i] > 0)) continue;
      const Vec3& n = normal_committed_[i];
      const Vec3 vt = tool_.velocity - tool_.velocity.dot(n) * n;
      const Vec3 fr = tool_.mu * lambda_committed_[i] * vt / std::sqrt(vt.squaredNorm() + reg * reg);
      friction_[i] = fr / skin_.area(p);
      energy -= fr.dot(point_position(p, u) - skin_.position(p));  // potential of a dead load
      if (f) {
        const auto& fn = skin_.facet_nodes(skin_.facet_of(p));
        for (int ai = 0; ai < npf; ++ai)
          f->segment<3>(3 * fn[static_cast<size_t>(ai)]) -= skin_.shape(p, ai) * fr;
      }
    }
  }
  state_.force = force;
  state_.stalled = stalled;
  state_.points_in_contact = in_contact;
  if (want_lr && in_contact > 0 && k_ss > 0) {
    LowRankTerm t;
    dofs_.gather(k_us, t.v);
    t.c = -1.0 / k_ss;
    if (t.v.squaredNorm() > 0) low_rank->push_back(std::move(t));
  }
  return energy;
}

}  // namespace tissue
