// Typed description of a simulation session (what a session file or the C++/Python API builds).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/session/tissue_library.hpp"
#include "libtissue/technique/techniques.hpp"

namespace tissue {

/// Which model to build: the generated lumbar-hip model at a resolution, or a Gmsh mesh.
struct ModelSpec {
  std::string resolution = "default";                  ///< "coarse", "default" or "fine" (generated model)
  std::string mesh_file;                               ///< optional Gmsh .msh path; empty = generated model
  Real mesh_length_scale = 1.0;                        ///< factor from mesh units to metres (1e-3 for mm)
  std::vector<std::string> fixed_sets = {"bone_all"};  ///< node sets fixed to bone
  std::vector<TissueOverride>
      tissue;  ///< changed tissue table entries ([tissue.<name>] tables), in file order
};

/// Numerical and environmental settings of a run ([run] table).
struct RunSpec {
  int threads = 0;  ///< element-loop threads (0 = all hardware threads)
  LinearSolverKind linear_solver = LinearSolverKind::automatic;  ///< linear solver
  Real dt_thermal = 1.0;  ///< macro (thermal) step [s]; shorter where an item ends sooner
  Real dt_quiet =
      5.0;  ///< macro step where the load changes slowly (rests, follow-up, holds, placed stones) [s]
  Real series_every = 1.0;       ///< interval of the /series rows [s] (0: every macro step)
  Real fields_every = 30.0;      ///< interval of the /fields snapshots [s] (0: only at the end)
  Real checkpoint_every = 60.0;  ///< simulated time between checkpoints when the run has a checkpoint file
                                 ///< [s] (0: only when it fails or is interrupted)
  Real air_temperature = kCelsius + 22.0;  ///< room air over the skin [K]
  Real skin_heat_transfer = 5.0;  ///< skin-to-air convection coefficient [W/m^2/K] (natural convection)
  Real core_temperature = kCelsius + 37.0;  ///< temperature held on the bone (fixed) node sets [K]
  bool cycle_averaging = true;  ///< cycle jumping for periodic techniques (off: every cycle resolved)
  int resolved_cycles = 3;      ///< K: cycles resolved per cycle-jump window (>= 1)
  int jumped_cycles = 0;        ///< M: cycles jumped per window (0: fill the window up to cycle_window)
  Real cycle_window = 0;        ///< length of a cycle-jump window [s] (0: dt_thermal)
  Real glide_window = 30.0;     ///< cycle-jump window of back-and-forth glides (strokes, stones) [s] (0: off)
  int glide_resolved_cycles = 2;   ///< round trips resolved per glide window (>= 1): a settling one, then the
                                   ///< one that stands for the jumped ones
  Real depth_stiffness = 1e5;      ///< drive stiffness of depth-controlled tools [N/m]
  Real newton_tolerance = 1e-6;    ///< relative residual tolerance of the mechanical Newton solves [-]
  Real force_tolerance = 1e-4;     ///< also converged at |residual| <= this x |tool forces| [-] (0: off)
  int tangent_reuse = 8;           ///< Newton iterations that may reuse a factorisation (0: exact Newton)
  bool keep_factorization = true;  ///< a substep starts with the previous substep's factorisation
  bool extrapolate = true;  ///< start each substep from the linear extrapolation of the last substep's motion
  Real contact_penalty = 3e8;  ///< normal penalty of rigid-tool contact per area [Pa/m] (RigidContactOptions)
  Real prebalance_time = 600.0;  ///< creep time before t = 0 over which the resting tone is balanced [s]
  Real rest_motion = 1e-7;       ///< unloaded motion per substep below which tissue is at rest (no solve) [m]
  Real rest_tone = 1e-3;         ///< tone change that unsettles tissue at rest [-]
  int max_cuts = 6;  ///< a failed substep is halved up to this many times in a row before the run stops
  Real substep_scale =
      1.0;  ///< factor on every technique's mechanical step limit, in (0, 1] (reference runs)
};

/// Standard outputs every Simulation attaches unless switched off ([outputs] table; docs/sessions.md):
/// the tone law with the resting tone of each muscle, elastography, the virtual myotonometer, tone
/// statistics and the safety monitor.
struct OutputSpec {
  bool standard = true;      ///< attach the standard outputs at all (false: tone held at 0, none of below)
  bool tone = true;          ///< integrate the tone law (false: tone held at the resting tone)
  bool elastography = true;  ///< shear modulus and shear-wave speeds per region on every series row
  bool safety = true;        ///< safety monitor (pressure on bone, temperature/CEM43, strain)
  bool tone_field = true;    ///< write the cell-mean tone and the strain as /fields with the other fields
  bool myotonometer = true;  ///< virtual MyotonPRO readings over the muscles
  Real myoton_every = 0.0;   ///< interval of myotonometer readings [s] (0: only at start, end of the last
                             ///< technique and end); held between readings
  std::vector<std::string> myoton_sites;     ///< muscles read by the myotonometer (empty: the muscles the
                                             ///< session's techniques target; {"all"}: every muscle)
  Real bone_pressure = 5.0e4;                ///< skin pressure over bone that raises a flag [Pa]
  Real temperature_limit = kCelsius + 43.0;  ///< tissue temperature that raises a flag [K]
  Real strain_limit = 0.3;                   ///< max principal shear strain that raises a flag [-]
  SourceLocation where;                      ///< the [outputs] table (for error messages)
};

/// The patient ([patient] table): which muscles are hypertonic, and optional resting tones.
struct PatientSpec {
  std::vector<std::string> hypertonic;  ///< muscles at the hypertonic resting tone (with or without side)
  std::optional<Real> resting_tone;     ///< resting tone of normal muscles [-] (default data/tone/tone.toml)
  std::optional<Real> hypertonic_tone;  ///< resting tone of hypertonic muscles [-] (default data/tone)
  SourceLocation where;                 ///< the [patient] table (for error messages)
};

/// Static compression as written in version-1 session files (and the Python API): the tool presses
/// with a force ramped from 0 to `force` in `steps` quasi-static steps, then holds for `hold`; the
/// tool stays on at the end (no release).
struct StaticCompressionSpec {
  Footprint tool = Footprint::palm();  ///< contact footprint
  std::string target;                  ///< target region name (the tool is centred over it)
  Real force = 40.0;                   ///< total normal force [N]
  Real ramp = 2.0;                     ///< ramp duration [s]
  Real hold = 0.0;                     ///< hold duration [s]
  int steps = 4;                       ///< quasi-static load steps over the ramp
  int hold_steps = 4;                  ///< steps over the hold (creep of the viscoelastic tissue)
  Vec3 offset = Vec3::Zero();          ///< shift of the contact centre from the target's centre [m]
  SourceLocation where;                ///< where it was defined (for error messages)
};

/// A rest between techniques: no tool on the skin for `duration`.
struct RestOptions {
  Real duration = 30.0;  ///< rest time [s]
  /// Throws InputError("<prefix>.duration") unless duration > 0.
  void validate(std::string_view prefix = "rest") const;
};

/// A technique built in code (C++ or a Python subclass of Technique) and used as is in a protocol.
struct CustomTechnique {
  std::shared_ptr<const Technique> technique;  ///< the technique (shared, immutable)
  /// Throws InputError("<prefix>.technique") for a null technique or a duration that is not positive.
  void validate(std::string_view prefix = "custom") const;
};

/// Options of any item of a version-2 protocol (the alternative says which technique or a rest).
using TechniqueOptions =
    std::variant<RestOptions, StrokingOptions, DeepStrokingOptions, KneadingOptions, PercussionOptions,
                 MassageGunOptions, TransverseFrictionOptions, StaticCompressionOptions, VibrationOptions,
                 HeatPackOptions, HotStoneOptions, StaticCompressionSpec, CustomTechnique>;

/// One item of a version-2 session: a technique over a target region, or a rest.
struct TechniqueSpec {
  std::string type;          ///< technique key ("stroking", ...) or "rest"
  std::string target;        ///< target region name ("" for rests)
  TechniqueOptions options;  ///< the technique's options (SI units)
  SourceLocation where;      ///< where it was defined (for error messages)
  /// Duration of the item [s].
  Real duration() const;
  /// Throws InputError("<prefix>.<field>") for invalid options (Options::validate).
  void validate(std::string_view prefix) const;
};

/// A whole session: model, run settings, the ordered items and the follow-up.
struct SessionSpec {
  std::string source = "<api>";                   ///< file path or "<api>"
  std::string text;                               ///< the session file's text (stored in results)
  ModelSpec model;                                ///< model to build
  RunSpec run;                                    ///< numerical settings
  std::vector<StaticCompressionSpec> techniques;  ///< version-1 presses, run first, in order
  std::vector<TechniqueSpec> protocol;            ///< version-2 techniques and rests, in order
  Real follow_up = 0;                             ///< recovery time after the last item [s]
  OutputSpec outputs;                             ///< standard outputs ([outputs])
  PatientSpec patient;                            ///< resting tone of the muscles ([patient])
  /// Every item in run order: the version-1 presses first, then the protocol.
  std::vector<TechniqueSpec> items() const;
  /// Total simulated time [s].
  Real duration() const;
};

}  // namespace tissue
