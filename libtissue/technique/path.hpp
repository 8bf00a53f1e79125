// Tool paths over the skin above a target muscle: the region's skin projection (SkinPatch), polyline
// paths, and a generator for strokes along the fibres, cross-fibre passes and parallel lanes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// The skin area above a region: the x-y extent of the region's cells projected along z onto the
/// skin (the skin faces +z, as in the generated lumbar-hip model), and the region's mean fibre
/// direction in the skin plane.
struct SkinPatch {
  std::string region;            ///< region name
  Vec3 lo = Vec3::Zero();        ///< lower x-y corner of the region's cells [m] (z = skin height)
  Vec3 hi = Vec3::Zero();        ///< upper x-y corner [m] (z = skin height)
  Vec3 centre = Vec3::Zero();    ///< skin point above the mean node position of the region [m]
  Vec3 normal = Vec3::UnitZ();   ///< outward skin normal
  Vec3 fibre = Vec3::UnitY();    ///< unit mean fibre direction in the skin plane (+y if no fibres)
  Vec3 across = -Vec3::UnitX();  ///< unit in-plane direction across the fibres, normal x fibre

  /// Builds the patch of a named region; the skin height is the largest z of the `skin_set` facet
  /// nodes above the region. Fibre rows are sign-aligned before averaging (fibres are axial).
  /// Throws InputError("region", ...) for an unknown or empty region.
  static SkinPatch of_region(const Mesh& mesh, std::string_view region, std::string_view skin_set = "skin");
  /// Whether the point's x-y lies inside the extent shrunk by `inset` [m] (tolerance 1e-9 m).
  bool contains(const Vec3& p, Real inset = 0) const;
};

/// A polyline on the skin, parametrised by arc length s in [0, length()].
class Path {
 public:
  /// Polyline through `points` (at least one) [m]; `normal` is the outward skin normal; `heading` is
  /// the in-plane direction used where the path has no length (a single point); `region` labels it.
  explicit Path(std::vector<Vec3> points, Vec3 normal = Vec3::UnitZ(), Vec3 heading = Vec3::UnitY(),
                std::string region = "");

  /// Total arc length [m].
  Real length() const { return cumulative_.back(); }
  /// Point at arc length s (clamped to [0, length()]) [m].
  Vec3 point(Real s) const;
  /// Unit tangent at s (the segment containing s; `heading` for a zero-length path). At a vertex the
  /// segment ahead is taken, or the one behind when `backward`.
  Vec3 tangent(Real s, bool backward = false) const;
  /// Vertices [m].
  const std::vector<Vec3>& points() const { return points_; }
  /// Outward skin normal (the tool pushes along -normal).
  const Vec3& normal() const { return normal_; }
  /// In-plane heading for zero-length paths (fibre direction when generated).
  const Vec3& heading() const { return heading_; }
  /// Region the path was generated over ("" for explicit paths).
  const std::string& region() const { return region_; }

 private:
  std::vector<Vec3> points_;
  std::vector<Real> cumulative_;
  Vec3 normal_, heading_;
  std::string region_;
};

/// Position and velocity of a tool moving along a path.
struct PathState {
  Vec3 position = Vec3::Zero();  ///< tool centre [m]
  Vec3 velocity = Vec3::Zero();  ///< tool velocity [m/s]
  Vec3 heading = Vec3::UnitY();  ///< unit direction of travel (path heading when at rest)
};

/// Back-and-forth travel at constant speed [m/s] along a path, starting at its first point at t = 0
/// [s]; the direction reverses instantly at each end (a zero-length path or speed gives rest).
PathState reciprocate(const Path& path, Real speed, Real t);
/// Sinusoidal oscillation between the two ends of a path with frequency f [Hz], starting at the
/// middle (s = L/2 + L/2 sin(2 pi f t)): the cross-fibre friction stroke.
PathState oscillate(const Path& path, Real frequency, Real t);

/// Generates paths over a SkinPatch. All paths keep the tool centre inside the patch's x-y extent
/// shrunk by the requested inset; requests that cannot fit throw InputError naming `field`.
class PathGenerator {
 public:
  /// Generator over `patch` (copied).
  explicit PathGenerator(SkinPatch patch) : patch_(std::move(patch)) {}
  /// The patch.
  const SkinPatch& patch() const { return patch_; }

  /// Straight stroke along the mean fibre direction through the centre, shifted `offset_across` [m],
  /// clipped to the extent shrunk by `inset` [m].
  Path along_fibres(Real inset = 0, Real offset_across = 0, std::string_view field = "path.inset") const;
  /// `lanes` parallel strokes along the fibres spread evenly across the extent (shrunk by `inset`),
  /// joined end to end into one zig-zag polyline (lanes = 1: along_fibres(inset)).
  Path lanes(int lanes, Real inset = 0, std::string_view field = "path.lanes") const;
  /// Cross-fibre segment of half-length `half_length` [m] centred `offset_along` [m] from the centre
  /// along the fibres; throws if it does not fit inside the extent shrunk by `inset`.
  Path across_fibres(Real half_length, Real offset_along = 0, Real inset = 0,
                     std::string_view field = "path.half_length") const;
  /// A single point offset from the centre along and across the fibres [m]; throws if outside.
  Path point(Real offset_along = 0, Real offset_across = 0, std::string_view field = "path.offset") const;
  /// An explicit polyline (x-y used; z set to the skin height), labelled with the patch's region.
  Path polyline(const std::vector<Vec3>& points) const;

 private:
  SkinPatch patch_;
};

}  // namespace tissue
