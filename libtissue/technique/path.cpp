#include "libtissue/technique/path.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {

namespace {

std::string cm(Real v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g cm", 100 * v);
  return buf;
}

// Parameter range [s0, s1] of the line c + s d inside the x-y box [lo + inset, hi - inset];
// returns false if empty.
bool clip_line(const Vec3& c, const Vec3& d, const Vec3& lo, const Vec3& hi, Real inset, Real& s0, Real& s1) {
  s0 = -std::numeric_limits<Real>::infinity();
  s1 = std::numeric_limits<Real>::infinity();
  for (int i = 0; i < 2; ++i) {
    const Real a = lo[i] + inset, b = hi[i] - inset;
    if (a > b) return false;
    if (std::abs(d[i]) < 1e-14) {
      if (c[i] < a - 1e-12 || c[i] > b + 1e-12) return false;
      continue;
    }
    Real t0 = (a - c[i]) / d[i], t1 = (b - c[i]) / d[i];
    if (t0 > t1) std::swap(t0, t1);
    s0 = std::max(s0, t0);
    s1 = std::min(s1, t1);
  }
  return s0 <= s1;
}

}  // namespace

SkinPatch SkinPatch::of_region(const Mesh& mesh, std::string_view region, std::string_view skin_set) {
  const int id = mesh.regions.id(region);
  SkinPatch p;
  p.region = std::string(region);
  p.lo = Vec3::Constant(std::numeric_limits<Real>::infinity());
  p.hi = -p.lo;
  Vec3 mean = Vec3::Zero();
  Index count = 0;
  Vec3 fsum = Vec3::Zero(), fref = Vec3::Zero();
  const bool has_fibres = mesh.fibres.rows() == mesh.n_cells();
  for (Index e = 0; e < mesh.n_cells(); ++e) {
    if (mesh.region[static_cast<size_t>(e)] != id) continue;
    for (int a = 0; a < mesh.cell_size(); ++a) {
      const Vec3 x = mesh.nodes.row(mesh.cells(e, a)).transpose();
      p.lo = p.lo.cwiseMin(x);
      p.hi = p.hi.cwiseMax(x);
      mean += x;
      ++count;
    }
    if (!has_fibres) continue;
    Vec3 f = mesh.fibres.row(e).transpose();
    if (f.squaredNorm() == 0) continue;
    if (fref.squaredNorm() == 0) fref = f;
    fsum += f.dot(fref) < 0 ? Vec3(-f) : f;  // fibres are axial: align signs before averaging
  }
  if (count == 0) throw InputError("region", "region '" + p.region + "' has no cells");
  mean /= static_cast<Real>(count);
  // Skin height: the highest skin node above the extent (all skin nodes if none lies above it).
  Real top = -std::numeric_limits<Real>::infinity(), top_all = top;
  for (const auto& facet : mesh.facet_set(skin_set).nodes)
    for (Index n : facet) {
      if (n < 0) continue;
      const Vec3 x = mesh.nodes.row(n).transpose();
      top_all = std::max(top_all, x.z());
      if (x.x() >= p.lo.x() && x.x() <= p.hi.x() && x.y() >= p.lo.y() && x.y() <= p.hi.y())
        top = std::max(top, x.z());
    }
  if (!std::isfinite(top)) top = top_all;
  p.lo.z() = p.hi.z() = top;
  p.centre = Vec3(mean.x(), mean.y(), top);
  Vec3 f = fsum - fsum.dot(p.normal) * p.normal;
  p.fibre = f.norm() > 1e-9 ? Vec3(f.normalized()) : Vec3(Vec3::UnitY());
  p.across = p.normal.cross(p.fibre).normalized();
  return p;
}

bool SkinPatch::contains(const Vec3& p, Real inset) const {
  constexpr Real tol = 1e-9;
  for (int i = 0; i < 2; ++i)
    if (p[i] < lo[i] + inset - tol || p[i] > hi[i] - inset + tol) return false;
  return true;
}

Path::Path(std::vector<Vec3> points, Vec3 normal, Vec3 heading, std::string region)
    : points_(std::move(points)),
      normal_(normal.normalized()),
      heading_(heading),
      region_(std::move(region)) {
  if (points_.empty()) throw InputError("path", "needs at least one point");
  if (!(normal.norm() > 0)) throw InputError("path.normal", "must not be zero");
  heading_ -= heading_.dot(normal_) * normal_;
  if (heading_.norm() < 1e-12) heading_ = normal_.unitOrthogonal();
  heading_.normalize();
  cumulative_.assign(points_.size(), 0.0);
  for (size_t i = 1; i < points_.size(); ++i)
    cumulative_[i] = cumulative_[i - 1] + (points_[i] - points_[i - 1]).norm();
}

Vec3 Path::point(Real s) const {
  if (points_.size() == 1 || s <= 0) return points_.front();
  if (s >= length()) return points_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), s);
  const size_t i = static_cast<size_t>(it - cumulative_.begin()) - 1;
  const Real seg = cumulative_[i + 1] - cumulative_[i];
  const Real w = seg > 0 ? (s - cumulative_[i]) / seg : 0;
  return (1 - w) * points_[i] + w * points_[i + 1];
}

Vec3 Path::tangent(Real s, bool backward) const {
  if (length() <= 0) return heading_;
  s = std::clamp(s, Real(0), length());
  // Segment ahead of s (cumulative[i] <= s < cumulative[i+1]) or behind it, clamped to the path.
  const auto it = backward ? std::lower_bound(cumulative_.begin(), cumulative_.end(), s)
                           : std::upper_bound(cumulative_.begin(), cumulative_.end(), s);
  const auto last = static_cast<std::ptrdiff_t>(points_.size()) - 2;
  const auto i = static_cast<size_t>(std::clamp<std::ptrdiff_t>((it - cumulative_.begin()) - 1, 0, last));
  for (size_t k = i; k + 1 < points_.size(); ++k) {
    const Vec3 d = points_[k + 1] - points_[k];
    if (d.norm() > 0) return d.normalized();
  }
  for (size_t k = i + 1; k-- > 0;) {
    const Vec3 d = points_[k + 1] - points_[k];
    if (d.norm() > 0) return d.normalized();
  }
  return heading_;
}

PathState reciprocate(const Path& path, Real speed, Real t) {
  PathState st;
  const Real L = path.length();
  if (!(L > 0) || !(speed > 0)) {
    st.position = path.point(0);
    st.heading = path.tangent(0);
    return st;
  }
  const Real r = std::fmod(std::max(t, Real(0)) * speed, 2 * L);
  const bool forward = r < L;
  const Real s = forward ? r : 2 * L - r;
  const Vec3 tan = path.tangent(s, !forward);
  st.position = path.point(s);
  st.heading = forward ? tan : Vec3(-tan);
  st.velocity = speed * st.heading;
  return st;
}

PathState oscillate(const Path& path, Real frequency, Real t) {
  PathState st;
  const Real L = path.length();
  const Real w = 2 * M_PI * frequency;
  const Real s = 0.5 * L * (1 + std::sin(w * t));
  const Real ds = 0.5 * L * w * std::cos(w * t);
  const Vec3 tan = path.tangent(s, ds < 0);
  st.position = path.point(s);
  st.velocity = ds * tan;
  st.heading = ds < 0 ? Vec3(-tan) : tan;
  return st;
}

Path PathGenerator::along_fibres(Real inset, Real offset_across, std::string_view field) const {
  const Vec3 c = patch_.centre + offset_across * patch_.across;
  Real s0, s1;
  if (!clip_line(c, patch_.fibre, patch_.lo, patch_.hi, inset, s0, s1))
    throw InputError(std::string(field),
                     "a stroke along the fibres " + cm(offset_across) + " off the centre with an inset of " +
                         cm(inset) + " does not fit over region '" + patch_.region + "' (extent " +
                         cm(patch_.hi.x() - patch_.lo.x()) + " x " + cm(patch_.hi.y() - patch_.lo.y()) + ")");
  return Path({c + s0 * patch_.fibre, c + s1 * patch_.fibre}, patch_.normal, patch_.fibre, patch_.region);
}

Path PathGenerator::lanes(int lanes, Real inset, std::string_view field) const {
  if (lanes < 1) throw InputError(std::string(field), "must be at least 1, got " + std::to_string(lanes));
  if (lanes == 1) return along_fibres(inset, 0, field);
  // Across-fibre range of the shrunk box, seen from the centre.
  Real lo = std::numeric_limits<Real>::infinity(), hi = -lo;
  for (int i = 0; i < 4; ++i) {
    const Vec3 corner((i & 1) ? patch_.hi.x() - inset : patch_.lo.x() + inset,
                      (i & 2) ? patch_.hi.y() - inset : patch_.lo.y() + inset, patch_.centre.z());
    const Real s = (corner - patch_.centre).dot(patch_.across);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  std::vector<Vec3> pts;
  for (int k = 0; k < lanes; ++k) {
    // Lanes at the centres of `lanes` equal bands of the across range (never touching the corners).
    const Real off = lo + (hi - lo) * (k + 0.5) / lanes;
    Real s0, s1;
    const Vec3 c = patch_.centre + off * patch_.across;
    if (!clip_line(c, patch_.fibre, patch_.lo, patch_.hi, inset, s0, s1)) continue;
    const Vec3 a = c + s0 * patch_.fibre, b = c + s1 * patch_.fibre;
    if (pts.size() / 2 % 2 == 0) {
      pts.push_back(a);
      pts.push_back(b);
    } else {
      pts.push_back(b);
      pts.push_back(a);
    }
  }
  if (pts.empty()) throw InputError(std::string(field), "no lane fits over region '" + patch_.region + "'");
  return Path(std::move(pts), patch_.normal, patch_.fibre, patch_.region);
}

Path PathGenerator::across_fibres(Real half_length, Real offset_along, Real inset,
                                  std::string_view field) const {
  if (!(half_length >= 0)) throw InputError(std::string(field), "must not be negative");
  const Vec3 c = patch_.centre + offset_along * patch_.fibre;
  const Vec3 a = c - half_length * patch_.across, b = c + half_length * patch_.across;
  if (!patch_.contains(a, inset) || !patch_.contains(b, inset))
    throw InputError(std::string(field), "a cross-fibre pass of " + cm(2 * half_length) +
                                             " does not fit over region '" + patch_.region + "' (extent " +
                                             cm(patch_.hi.x() - patch_.lo.x()) + " x " +
                                             cm(patch_.hi.y() - patch_.lo.y()) + "); shorten it");
  return Path({a, b}, patch_.normal, patch_.fibre, patch_.region);
}

Path PathGenerator::point(Real offset_along, Real offset_across, std::string_view field) const {
  const Vec3 c = patch_.centre + offset_along * patch_.fibre + offset_across * patch_.across;
  if (!patch_.contains(c))
    throw InputError(std::string(field), "the point " + cm(offset_along) + " along and " + cm(offset_across) +
                                             " across the fibres from the centre lies outside region '" +
                                             patch_.region + "'");
  return Path({c}, patch_.normal, patch_.fibre, patch_.region);
}

Path PathGenerator::polyline(const std::vector<Vec3>& points) const {
  std::vector<Vec3> pts = points;
  for (auto& p : pts) p.z() = patch_.centre.z();
  return Path(std::move(pts), patch_.normal, patch_.fibre, patch_.region);
}

}  // namespace tissue
