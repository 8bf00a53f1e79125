// Python bindings of libtissue/session (and the linear-solver choice it names): session specs and
// files, the tissue library, Model, Simulation (runs without the GIL) and its RunSummary.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <pybind11/stl_bind.h>

#include "bind_common.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/session/tissue_library.hpp"

PYBIND11_MAKE_OPAQUE(std::vector<tissue::StaticCompressionSpec>)
PYBIND11_MAKE_OPAQUE(std::vector<tissue::TechniqueSpec>)

namespace tissue::python {

namespace {
std::string fmt(double v) {
  return py::str(py::float_(v));
}

/// What a Python observer sees after a macro step: a read-only view of the run that is valid only
/// during the call (accessors then raise); arrays are copies, so they may be kept.
struct StepHandle {
  const SessionStep* step = nullptr;
  std::vector<SeriesValue>* series = nullptr;
  std::vector<SafetyFlag>* flags = nullptr;

  const SessionStep& get() const {
    if (!step) throw py::value_error("a SessionStep is only valid during the observer call");
    return *step;
  }
};

/// Copies a vector into a 1-D NumPy array.
py::array_t<double> copy_vector(const VectorX& v) {
  return to_array(std::vector<double>(v.data(), v.data() + v.size()));
}

/// Python observer: calls fn(step) with the GIL held; a returned iterable of SeriesValue or
/// (group, name, value, units) tuples is appended to the series row.
struct PyObserver {
  std::shared_ptr<py::object> fn;
  void operator()(const SessionStep& step, std::vector<SeriesValue>& series,
                  std::vector<SafetyFlag>& flags) const {
    py::gil_scoped_acquire gil;
    py::object handle = py::cast(StepHandle{&step, &series, &flags});
    struct Invalidate {  // the view must not outlive the call
      py::object& h;
      ~Invalidate() { h.cast<StepHandle&>() = StepHandle{}; }
    } invalidate{handle};
    py::object out = (*fn)(handle);
    if (out.is_none()) return;
    for (py::handle item : out) {
      if (py::isinstance<SeriesValue>(item)) {
        series.push_back(item.cast<SeriesValue>());
      } else {
        auto t = item.cast<py::tuple>();
        if (t.size() != 4)
          throw py::value_error("an observer returns SeriesValue or (group, name, value, units) items");
        series.push_back({t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<double>(),
                          t[3].cast<std::string>()});
      }
    }
  }
};

std::shared_ptr<py::object> hold_object(py::object fn) {
  return std::shared_ptr<py::object>(new py::object(std::move(fn)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}
}  // namespace

void bind_session(py::module_& m) {
  py::enum_<LinearSolverKind>(m, "LinearSolverKind", "Which linear solver a run uses.")
      .value("automatic", LinearSolverKind::automatic, "direct Cholesky up to a size, CG beyond")
      .value("cholmod", LinearSolverKind::cholmod, "CHOLMOD supernodal Cholesky (SPD only)")
      .value("ldlt", LinearSolverKind::ldlt, "Eigen SimplicialLDLT")
      .value("lu", LinearSolverKind::lu, "UMFPACK / Eigen SparseLU")
      .value("cg", LinearSolverKind::cg, "preconditioned conjugate gradient")
      .value("amg", LinearSolverKind::amg, "CG preconditioned by BoomerAMG (hypre)");
  m.def("parse_linear_solver_kind", &parse_linear_solver_kind, py::arg("name"),
        "Parses 'automatic', 'cholmod', 'ldlt', 'lu', 'cg' or 'amg'; InputError listing the valid names.");

  // --- session specification -----------------------------------------------------------------
  py::class_<TissueOverride>(
      m, "TissueOverride",
      "One changed entry of a tissue table, as a session's [tissue.<name>] table writes it.\n"
      "TissueOverride(tissue='muscle', entry='hyperelastic.mu', value='2.5 kPa').")
      .def(py::init([](std::string tissue, std::string entry, std::string value) {
             return TissueOverride{std::move(tissue), std::move(entry), std::move(value), {}};
           }),
           py::arg("tissue"), py::arg("entry"), py::arg("value"))
      .def_readwrite("tissue", &TissueOverride::tissue,
                     "A tissue ('muscle') or a muscle region ('erector_spinae', 'gluteus_medius_left').")
      .def_readwrite("entry", &TissueOverride::entry, "Dotted table entry: 'hyperelastic.mu', 'prony.0.tau'.")
      .def_readwrite("value", &TissueOverride::value, "The value with a unit, e.g. '2.5 kPa'.")
      .def_property_readonly("field", &TissueOverride::field, "The field named in messages.")
      .def("__eq__", [](const TissueOverride& a, const TissueOverride& b) { return a == b; })
      .def("__repr__", [](const TissueOverride& o) {
        return "TissueOverride('" + o.tissue + "', '" + o.entry + "', '" + o.value + "')";
      });
  py::class_<TissueEntry>(m, "TissueEntry",
                          "One numeric entry of a tissue table (what an override can change).")
      .def_readonly("key", &TissueEntry::key, "Dotted entry: 'hyperelastic.mu'.")
      .def_readonly("value", &TissueEntry::value, "The table's value in the table's unit (text).")
      .def_readonly("unit", &TissueEntry::unit, "The table's unit ('1' for dimensionless).")
      .def_readonly("status", &TissueEntry::status, "'published', 'derived', 'calibration choice', ...")
      .def_readonly("source", &TissueEntry::source, "The table's source.")
      .def("__repr__", [](const TissueEntry& e) {
        return "TissueEntry('" + e.key + "', " + e.value + " " + e.unit + ", " + e.status + ")";
      });

  py::class_<ModelSpec>(
      m, "ModelSpec",
      "Which model to build: the generated lumbar-hip model at a resolution, or a Gmsh mesh.\n"
      "Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<ModelSpec>))
      .def_readwrite("resolution", &ModelSpec::resolution, "'coarse', 'default' or 'fine' (generated model).")
      .def_readwrite("mesh_file", &ModelSpec::mesh_file, "Optional Gmsh .msh path; '' = generated model.")
      .def_readwrite("mesh_length_scale", &ModelSpec::mesh_length_scale, "Factor from mesh units to metres.")
      .def_readwrite("fixed_sets", &ModelSpec::fixed_sets,
                     "Node sets fixed to bone (a copy: assign a whole list to change it).")
      .def_readwrite("tissue", &ModelSpec::tissue,
                     "Changed tissue-table entries, list of TissueOverride (a copy: assign a whole list).")
      .def("__repr__", [](const ModelSpec& s) {
        return "ModelSpec(resolution='" + s.resolution + "', mesh_file='" + s.mesh_file + "')";
      });

  py::class_<RunSpec>(m, "RunSpec",
                      "Numerical settings of a run. Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<RunSpec>))
      .def_readwrite("threads", &RunSpec::threads, "Element-loop threads (0 = all hardware threads).")
      .def_readwrite("linear_solver", &RunSpec::linear_solver, "Linear solver (LinearSolverKind).")
      .def_readwrite("dt_thermal", &RunSpec::dt_thermal, "Macro (thermal) step [s].")
      .def_readwrite("series_every", &RunSpec::series_every,
                     "Interval of the /series rows [s] (0: every macro step).")
      .def_readwrite("fields_every", &RunSpec::fields_every,
                     "Interval of the /fields snapshots [s] (0: only at the end).")
      .def_readwrite("max_cuts", &RunSpec::max_cuts,
                     "A failed substep is halved up to this many times in a row before the run stops.")
      .def_readwrite("checkpoint_every", &RunSpec::checkpoint_every,
                     "Simulated time between checkpoints of a run with a checkpoint file [s] (0: only on "
                     "failure or interruption).")
      .def_readwrite("air_temperature", &RunSpec::air_temperature, "Room air over the skin [K].")
      .def_readwrite("skin_heat_transfer", &RunSpec::skin_heat_transfer, "Skin-to-air convection [W/m^2/K].")
      .def_readwrite("core_temperature", &RunSpec::core_temperature,
                     "Temperature held on the bone node sets [K].")
      .def_readwrite("cycle_averaging", &RunSpec::cycle_averaging, "Cycle jumping for periodic techniques.")
      .def_readwrite("resolved_cycles", &RunSpec::resolved_cycles,
                     "Cycles resolved per cycle-jump window (>= 1).")
      .def_readwrite("jumped_cycles", &RunSpec::jumped_cycles,
                     "Cycles jumped per window (0: fill the window).")
      .def_readwrite("cycle_window", &RunSpec::cycle_window,
                     "Length of a cycle-jump window [s] (0: dt_thermal).")
      .def_readwrite("depth_stiffness", &RunSpec::depth_stiffness,
                     "Drive stiffness of depth-controlled tools [N/m].")
      .def_readwrite("newton_tolerance", &RunSpec::newton_tolerance,
                     "Relative residual tolerance of Newton [-].")
      .def_readwrite("tangent_reuse", &RunSpec::tangent_reuse,
                     "Newton iterations that may reuse a factorisation.")
      .def_readwrite("extrapolate", &RunSpec::extrapolate,
                     "Start each substep from the extrapolated displacement.")
      .def("__repr__", [](const RunSpec& s) {
        return "RunSpec(threads=" + std::to_string(s.threads) + ", linear_solver='" +
               to_string(s.linear_solver) + "')";
      });

  py::class_<OutputSpec>(
      m, "OutputSpec",
      "Standard outputs every Simulation attaches unless switched off ([outputs] table): tone "
      "law, elastography, virtual myotonometer, tone statistics, safety monitor.\n"
      "Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<OutputSpec>))
      .def_readwrite("standard", &OutputSpec::standard,
                     "Attach the standard outputs at all (False: tone held at 0).")
      .def_readwrite("tone", &OutputSpec::tone,
                     "Integrate the tone law (False: tone held at the resting tone).")
      .def_readwrite("elastography", &OutputSpec::elastography,
                     "Shear modulus and shear-wave speeds per region.")
      .def_readwrite("safety", &OutputSpec::safety,
                     "Safety monitor (pressure on bone, temperature/CEM43, strain).")
      .def_readwrite("tone_field", &OutputSpec::tone_field,
                     "Write the cell-mean tone and the strain as fields.")
      .def_readwrite(
          "myotonometer", &OutputSpec::myotonometer,
          "Virtual MyotonPRO readings over the muscles (costly: a dynamic probe simulation per reading).")
      .def_readwrite("myoton_every", &OutputSpec::myoton_every,
                     "Interval of myotonometer readings [s] (0: start/end).")
      .def_readwrite("myoton_sites", &OutputSpec::myoton_sites,
                     "Muscles read by the myotonometer (empty: all).")
      .def_readwrite("bone_pressure", &OutputSpec::bone_pressure,
                     "Skin pressure over bone that raises a flag [Pa].")
      .def_readwrite("temperature_limit", &OutputSpec::temperature_limit,
                     "Tissue temperature that raises a flag [K].")
      .def_readwrite("strain_limit", &OutputSpec::strain_limit, "Max shear strain that raises a flag [-].")
      .def("__repr__", [](const OutputSpec& o) {
        return std::string("OutputSpec(standard=") + (o.standard ? "True" : "False") +
               ", tone=" + (o.tone ? "True" : "False") +
               ", elastography=" + (o.elastography ? "True" : "False") +
               ", myotonometer=" + (o.myotonometer ? "True" : "False") + ")";
      });

  py::class_<PatientSpec>(m, "PatientSpec",
                          "The patient ([patient] table): hypertonic muscles and optional resting tones.\n"
                          "Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<PatientSpec>))
      .def_readwrite("hypertonic", &PatientSpec::hypertonic,
                     "Muscles at the hypertonic resting tone (a copy).")
      .def_readwrite("resting_tone", &PatientSpec::resting_tone,
                     "Resting tone of normal muscles [-], or None.")
      .def_readwrite("hypertonic_tone", &PatientSpec::hypertonic_tone,
                     "Resting tone of hypertonic muscles [-], or None.");

  py::class_<StaticCompressionSpec>(
      m, "StaticCompressionSpec",
      "Static compression: the tool presses with a force ramped from 0 to `force` [N] in `steps` "
      "quasi-static "
      "steps over `ramp` [s], then holds for `hold` [s].\nKeyword arguments set fields of the defaults, e.g. "
      "StaticCompressionSpec(target='erector_spinae_right', force=10.0, steps=1).")
      .def(py::init(&from_kwargs<StaticCompressionSpec>))
      .def_readwrite("tool", &StaticCompressionSpec::tool, "Contact footprint (Footprint).")
      .def_readwrite("target", &StaticCompressionSpec::target, "Target region name.")
      .def_readwrite("force", &StaticCompressionSpec::force, "Total normal force [N].")
      .def_readwrite("ramp", &StaticCompressionSpec::ramp, "Ramp duration [s].")
      .def_readwrite("hold", &StaticCompressionSpec::hold, "Hold duration [s].")
      .def_readwrite("steps", &StaticCompressionSpec::steps, "Quasi-static load steps over the ramp.")
      .def_readwrite("hold_steps", &StaticCompressionSpec::hold_steps,
                     "Steps over the hold (creep of the viscoelastic tissue).")
      .def_readwrite("offset", &StaticCompressionSpec::offset,
                     "Shift of the contact centre from the target [m].")
      .def_readwrite("where", &StaticCompressionSpec::where, "Where it was defined (for error messages).")
      .def("__repr__", [](const StaticCompressionSpec& s) {
        return "StaticCompressionSpec(tool='" + std::string(s.tool.name) + "', target='" + s.target +
               "', force=" + fmt(s.force) + ", ramp=" + fmt(s.ramp) + ", hold=" + fmt(s.hold) +
               ", steps=" + std::to_string(s.steps) + ")";
      });
  py::bind_vector<std::vector<StaticCompressionSpec>>(m, "TechniqueList",
                                                      "List of techniques of a session (modified in place).");
  py::implicitly_convertible<py::list, std::vector<StaticCompressionSpec>>();
  py::bind_vector<std::vector<TechniqueSpec>>(
      m, "ProtocolList", "Items (TechniqueSpec) of a session's protocol (modified in place).");
  py::implicitly_convertible<py::list, std::vector<TechniqueSpec>>();

  py::class_<SessionSpec>(
      m, "SessionSpec",
      "A whole session: model, run settings and the ordered techniques.\n"
      "Keyword arguments set fields of the defaults; spec.techniques.append(...) works in place.")
      .def(py::init(&from_kwargs<SessionSpec>))
      .def_readwrite("source", &SessionSpec::source, "File path or '<api>'.")
      .def_readwrite("text", &SessionSpec::text, "The session file's text (stored in results).")
      .def_readwrite("model", &SessionSpec::model, "Model to build (ModelSpec).")
      .def_readwrite("run", &SessionSpec::run, "Numerical settings (RunSpec).")
      .def_readwrite("techniques", &SessionSpec::techniques,
                     "Version-1 presses (StaticCompressionSpec), run first, in order (TechniqueList).")
      .def_readwrite("protocol", &SessionSpec::protocol,
                     "Version-2 techniques and rests in order (ProtocolList of TechniqueSpec).")
      .def_readwrite("follow_up", &SessionSpec::follow_up, "Recovery time after the last item [s].")
      .def_readwrite("outputs", &SessionSpec::outputs, "Standard outputs (OutputSpec).")
      .def_readwrite("patient", &SessionSpec::patient, "The patient's resting tones (PatientSpec).")
      .def("items", &SessionSpec::items, "Every item in run order: the version-1 presses, then the protocol.")
      .def("duration", &SessionSpec::duration, "Total simulated time [s].")
      .def(
          "assign", [](SessionSpec& self, const SessionSpec& other) { self = other; }, py::arg("other"),
          "Replaces every field by a copy of `other`'s.")
      .def(
          "copy", [](const SessionSpec& s) { return SessionSpec(s); }, "A deep copy.")
      .def("__copy__", [](const SessionSpec& s) { return SessionSpec(s); })
      .def(
          "__deepcopy__", [](const SessionSpec& s, py::dict) { return SessionSpec(s); }, py::arg("memo"))
      .def("__repr__", [](const SessionSpec& s) {
        return "SessionSpec(source='" + s.source + "', resolution='" + s.model.resolution + "', " +
               std::to_string(s.items().size()) + " items, " + fmt(s.duration()) + " s)";
      });

  m.def("read_session_file", &read_session_file, py::arg("path"),
        "Reads a session file (TOML); InputError with 'file:line:col: field: message'.");
  m.def("parse_session", &parse_session, py::arg("text"), py::arg("label") = "<string>",
        "Parses session text; `label` names the source in error messages.");
  m.def("technique_names", &technique_names, "Names of the techniques a session file may use.");
  m.def("footprint_by_name", &footprint_by_name, py::arg("name"), py::arg("field") = "tool",
        "Footprint by tool name ('palm', 'thumb', ...); InputError listing the names.");

  // --- tissues and model ---------------------------------------------------------------------
  py::class_<TissueParameters>(m, "TissueParameters", "Parameters of one tissue (SI units).")
      .def_readonly("name", &TissueParameters::name, "Tissue or override name.")
      .def_property_readonly("density", &TissueParameters::density, "Mass density [kg/m^3].")
      .def("__repr__", [](const TissueParameters& t) {
        return "TissueParameters('" + t.name + "', density=" + fmt(t.density()) + ")";
      });

  py::class_<TissueLibrary>(
      m, "TissueLibrary",
      "Tissue parameter tables by name with per-region overrides (data/materials/*.toml).")
      .def(py::init(&TissueLibrary::defaults), "The library of the shipped tables.")
      .def_static("defaults", &TissueLibrary::defaults, "The library of the shipped tables.")
      .def("add_toml", &TissueLibrary::add_toml, py::arg("text"), py::arg("label"),
           "Adds (or replaces) the tissue described by a table's text.")
      .def("add_file", &TissueLibrary::add_file, py::arg("path"), "Adds a tissue table from a file.")
      .def("tissue", &TissueLibrary::tissue, py::arg("name"), "Parameters of a named tissue (a copy).")
      .def("for_region", &TissueLibrary::for_region, py::arg("region"),
           "Parameters for a mesh region (a copy).")
      .def("names", &TissueLibrary::names, "Names of the tissues and overrides.")
      .def("has_table", &TissueLibrary::has_table, py::arg("name"),
           "Whether the name is a tissue with a table of its own.")
      .def("entries", &TissueLibrary::entries, py::arg("tissue"),
           "The numeric entries of a tissue's table (list of TissueEntry).")
      .def("with_overrides", &TissueLibrary::with_overrides, py::arg("overrides"),
           "A copy with table entries changed (list of TissueOverride); InputError naming the field.");

  py::class_<Model>(
      m, "Model",
      "A mesh with tissue parameters for every region and the node sets fixed to bone.\n"
      "Build with Model.lumbar_hip('coarse'), Model.from_msh(...) or Model.from_spec(spec.model).")
      .def_readonly("mesh", &Model::mesh,
                    "Geometry, regions, sets, fibres (a view that keeps the model alive).")
      .def_readonly("tissues", &Model::tissues, "Parameters of each region, by region id (copies).")
      .def_readwrite("fixed_sets", &Model::fixed_sets, "Node sets held fixed (a copy: assign a whole list).")
      .def_readonly("tissue_changes", &Model::tissue_changes,
                    "The tissue-table changes the model was built with (from_spec), list of TissueOverride.")
      .def_static("lumbar_hip", &Model::lumbar_hip, py::arg("resolution"),
                  py::arg_v("library", TissueLibrary::defaults(), "TissueLibrary.defaults()"),
                  "The built-in lumbar-hip model at a Resolution with a tissue library.")
      .def_static(
          "lumbar_hip",
          [](std::string_view resolution, const TissueLibrary& library) {
            return Model::lumbar_hip(parse_resolution(resolution), library);
          },
          py::arg("resolution"), py::arg_v("library", TissueLibrary::defaults(), "TissueLibrary.defaults()"),
          "The built-in lumbar-hip model at 'coarse', 'default' or 'fine'.")
      .def_static("from_msh", &Model::from_msh, py::arg("path"), py::arg("length_scale") = 1.0,
                  py::arg("fixed_sets") = std::vector<std::string>{"bone_all"},
                  py::arg_v("library", TissueLibrary::defaults(), "TissueLibrary.defaults()"),
                  "A Gmsh mesh with tissue parameters chosen by region kind.")
      .def_static("from_spec", &Model::from_spec, py::arg("spec"),
                  py::arg_v("library", TissueLibrary::defaults(), "TissueLibrary.defaults()"),
                  "Builds what a session's [model] table (ModelSpec) asks for.")
      .def(
          "fixed_nodes", [](const Model& s) { return to_array(s.fixed_nodes()); },
          "Union of the fixed node sets, int32; InputError naming an unknown set.")
      .def("__repr__", [](const Model& s) {
        return "Model(" + std::to_string(s.mesh.n_cells()) + " cells, " + std::to_string(s.mesh.n_nodes()) +
               " nodes, " + std::to_string(s.mesh.regions.size()) + " regions)";
      });

  // --- simulation ----------------------------------------------------------------------------
  py::class_<RegionPeaks>(m, "RegionPeaks", "Peak values of one region over the run (SI).")
      .def_readonly("region", &RegionPeaks::region, "Region name.")
      .def_readonly("peak_displacement", &RegionPeaks::peak_displacement,
                    "Largest nodal |u| in the region [m].")
      .def_readonly("peak_pressure", &RegionPeaks::peak_pressure,
                    "Largest hydrostatic pressure of a cell [Pa].")
      .def_readonly("peak_von_mises", &RegionPeaks::peak_von_mises,
                    "Largest von Mises stress of a cell [Pa].")
      .def_readonly("peak_shear_strain", &RegionPeaks::peak_shear_strain,
                    "Largest max-shear strain of a cell [-].")
      .def_readonly("peak_temperature", &RegionPeaks::peak_temperature, "Largest nodal temperature [K].")
      .def_readonly("final_temperature_mean", &RegionPeaks::final_temperature_mean,
                    "Volume-mean temperature at the end of the run [K].")
      .def("__repr__", [](const RegionPeaks& r) {
        return "RegionPeaks('" + r.region + "', u=" + fmt(r.peak_displacement) +
               " m, p=" + fmt(r.peak_pressure) + " Pa, vm=" + fmt(r.peak_von_mises) + " Pa)";
      });

  py::class_<MuscleState>(m, "MuscleState",
                          "Tone and elasticity of one muscle at one instant (NaN: not measured).")
      .def_readonly("time", &MuscleState::time, "When it was taken [s].")
      .def_readonly("tone", &MuscleState::tone, "Volume-mean tone [-].")
      .def_readonly("shear_modulus", &MuscleState::shear_modulus, "Shear modulus along the fibres [Pa].")
      .def_readonly("shear_modulus_across", &MuscleState::shear_modulus_across, "Shear modulus across [Pa].")
      .def_readonly("shear_wave_speed", &MuscleState::shear_wave_speed,
                    "Shear-wave speed along the fibres [m/s].")
      .def_readonly("myoton_frequency", &MuscleState::myoton_frequency, "Myotonometer frequency [Hz].")
      .def_readonly("myoton_stiffness", &MuscleState::myoton_stiffness, "Myotonometer stiffness [N/m].")
      .def_readonly("myoton_decrement", &MuscleState::myoton_decrement, "Myotonometer decrement [-].")
      .def_readonly("temperature_mean", &MuscleState::temperature_mean, "Volume-mean temperature [K].")
      .def("__repr__", [](const MuscleState& s) {
        return "MuscleState(t=" + fmt(s.time) + ", tone=" + fmt(s.tone) + ", G=" + fmt(s.shear_modulus) +
               " Pa)";
      });
  py::class_<MuscleReport>(m, "MuscleReport",
                           "One muscle before the session, after its last technique, at the end.")
      .def_readonly("region", &MuscleReport::region, "Muscle region name.")
      .def_readonly("resting_tone", &MuscleReport::resting_tone, "Resting tone [-].")
      .def_readonly("before", &MuscleReport::before, "At t = 0 (MuscleState).")
      .def_readonly("after_session", &MuscleReport::after_session, "At the end of the last technique.")
      .def_readonly("peak_temperature", &MuscleReport::peak_temperature, "Largest nodal temperature [K].")
      .def_readonly("end", &MuscleReport::end, "At the end of the run (after the follow-up).")
      .def("__repr__", [](const MuscleReport& r) { return "MuscleReport('" + r.region + "')"; });

  py::class_<RunSummary>(m, "RunSummary", "What a run did and found.")
      .def_readonly("regions", &RunSummary::regions,
                    "Per-region peaks, in region order (list of RegionPeaks).")
      .def_readonly("peak_contact_pressure", &RunSummary::peak_contact_pressure,
                    "Largest tool pressure [Pa].")
      .def_readonly("applied_force", &RunSummary::applied_force, "Largest total tool force [N].")
      .def_readonly("simulated_time", &RunSummary::simulated_time, "End time [s].")
      .def_readonly("steps", &RunSummary::steps, "Accepted mechanical steps.")
      .def_readonly("newton_iterations", &RunSummary::newton_iterations, "Total Newton iterations.")
      .def_readonly("linear_solver", &RunSummary::linear_solver, "Linear solver used.")
      .def_readonly("n_cells", &RunSummary::n_cells, "Cells.")
      .def_readonly("n_nodes", &RunSummary::n_nodes, "Nodes.")
      .def_readonly("n_equations", &RunSummary::n_equations, "Equations.")
      .def_readonly("wall_seconds", &RunSummary::wall_seconds, "Wall time of the run [s].")
      .def_readonly("thermal_steps", &RunSummary::thermal_steps, "Bioheat steps (macro steps).")
      .def_readonly("friction_heat", &RunSummary::friction_heat, "Friction heat that entered the skin [J].")
      .def_readonly("dissipated_heat", &RunSummary::dissipated_heat, "Viscous dissipation of the tissue [J].")
      .def_readonly("work", &RunSummary::work, "Mechanical work of the tool on the tissue [J].")
      .def_readonly("contact_heat", &RunSummary::contact_heat, "Heat from hot tools into the skin [J].")
      .def_readonly("resolved_cycles", &RunSummary::resolved_cycles, "Cycles resolved in cycle-jump windows.")
      .def_readonly("jumped_cycles", &RunSummary::jumped_cycles, "Cycles advanced with averaged sources.")
      .def_readonly("muscles", &RunSummary::muscles,
                    "Per muscle: tone and elasticity before, after, at the end.")
      .def_readonly("safety_flags", &RunSummary::safety_flags, "Every safety flag raised, in time order.")
      .def("__repr__", [](const RunSummary& s) {
        return "RunSummary(" + std::to_string(s.n_cells) + " cells, " + std::to_string(s.steps) + " steps, " +
               std::to_string(s.newton_iterations) + " Newton iterations, force " + fmt(s.applied_force) +
               " N, " + fmt(s.wall_seconds) + " s)";
      });

  py::enum_<ProtocolPhase>(m, "ProtocolPhase", "What a protocol item is.")
      .value("technique", ProtocolPhase::technique)
      .value("rest", ProtocolPhase::rest)
      .value("follow_up", ProtocolPhase::follow_up)
      .value("finished", ProtocolPhase::finished);
  py::class_<ProtocolEvent>(m, "ProtocolEvent", "One entry of a protocol's timeline.")
      .def_readonly("phase", &ProtocolEvent::phase, "Kind of item (ProtocolPhase).")
      .def_readonly("name", &ProtocolEvent::name, "Technique name, 'rest' or 'follow_up'.")
      .def_readonly("region", &ProtocolEvent::region, "Target region ('' for rests).")
      .def_readonly("t0", &ProtocolEvent::t0, "Start time [s].")
      .def_readonly("t1", &ProtocolEvent::t1, "End time [s].")
      .def("__repr__", [](const ProtocolEvent& e) {
        return "ProtocolEvent('" + e.name + "', '" + e.region + "', t0=" + fmt(e.t0) + ", t1=" + fmt(e.t1) +
               ")";
      });
  py::class_<Protocol>(m, "Protocol", "A session in time: technique blocks, rests and a follow-up period.")
      .def("duration", &Protocol::duration, "Total duration including rests and follow-up [s].")
      .def_property_readonly("n_blocks", &Protocol::n_blocks, "Number of technique blocks.")
      .def("events", &Protocol::events, "The timeline (list of ProtocolEvent).")
      .def("command", &Protocol::command, py::arg("t"), "Tool command at session time t [s] (ToolCommand).")
      .def("max_dt", &Protocol::max_dt, py::arg("t"), "Mechanical step limit at t [s].");

  py::class_<StepHandle>(
      m, "SessionStep",
      "Read-only view of a run after one macro step [t0, t1], passed to observers (Simulation.add_observer). "
      "Valid only during the observer call (then its accessors raise ValueError); arrays are copies.")
      .def_property_readonly(
          "t0", [](const StepHandle& h) { return h.get().t0; }, "Start of the macro step [s].")
      .def_property_readonly(
          "t1", [](const StepHandle& h) { return h.get().t1; }, "End of the macro step [s].")
      .def_property_readonly(
          "time", [](const StepHandle& h) { return h.get().t1; }, "Same as t1 [s].")
      .def_property_readonly(
          "temperature", [](const StepHandle& h) { return copy_vector(h.get().state->temperature); },
          "Nodal temperature at t1 [K], float64 (N,).")
      .def_property_readonly(
          "displacement",
          [](const StepHandle& h) {
            const VectorX& u = h.get().state->mech.u;
            py::array_t<double> a({static_cast<py::ssize_t>(u.size() / 3), py::ssize_t{3}});
            std::copy(u.data(), u.data() + u.size(), a.mutable_data());
            return a;
          },
          "Nodal displacement at t1 [m], float64 (N, 3).")
      .def_property_readonly(
          "tone",
          [](const StepHandle& h) -> py::object {
            const SessionStep& s = h.get();
            const VectorX& tone = s.state->tone;
            if (tone.size() == 0) return py::none();
            const py::ssize_t cells = s.solid->mesh().n_cells();
            py::array_t<double> a(
                {cells, static_cast<py::ssize_t>(tone.size()) / std::max<py::ssize_t>(cells, 1)});
            std::copy(tone.data(), tone.data() + tone.size(), a.mutable_data());
            return a;
          },
          "Muscle tone per quadrature point at t1 [-] (cells, quadrature points), or None when no tone law "
          "runs.")
      .def_property_readonly(
          "cell_perfusion", [](const StepHandle& h) { return copy_vector(*h.get().cell_perfusion); },
          "Perfusion per cell during the step [1/s], (E,).")
      .def_property_readonly(
          "cell_dissipation", [](const StepHandle& h) { return copy_vector(*h.get().cell_dissipation); },
          "Viscous energy per cell over the step [J], (E,).")
      .def_property_readonly(
          "skin_pressure",
          [](const StepHandle& h) {
            const auto& p = h.get().skin_pressure;
            return to_array(std::vector<double>(p.begin(), p.end()));
          },
          "Largest tool pressure per skin quadrature point over the step [Pa], (P,).")
      .def_property_readonly(
          "skin_points",
          [](const StepHandle& h) {
            const FacetQuadrature& q = *h.get().skin;
            py::array_t<double> a({static_cast<py::ssize_t>(q.size()), py::ssize_t{3}});
            auto r = a.mutable_unchecked<2>();
            for (Index p = 0; p < q.size(); ++p)
              for (int k = 0; k < 3; ++k) r(p, k) = q.position(p)[k];
            return a;
          },
          "Positions of the skin quadrature points [m], (P, 3).")
      .def_property_readonly(
          "phase", [](const StepHandle& h) { return h.get().protocol.phase; },
          "Protocol phase at t0 (ProtocolPhase).")
      .def_property_readonly(
          "item", [](const StepHandle& h) { return h.get().protocol.item; },
          "Index of the protocol item (-1: finished).")
      .def_property_readonly(
          "block", [](const StepHandle& h) { return h.get().protocol.block; },
          "Index of the technique block (-1 outside techniques).")
      .def_property_readonly(
          "local_time", [](const StepHandle& h) { return h.get().protocol.local_time; },
          "Time since the item started, at t0 [s].")
      .def_property_readonly(
          "technique",
          [](const StepHandle& h) -> py::object {
            const Technique* t = h.get().protocol.technique;
            if (!t) return py::none();
            return py::str(std::string(t->name()));
          },
          "Name of the active technique, or None.")
      .def_property_readonly(
          "command", [](const StepHandle& h) { return h.get().protocol.command; },
          "Tool command at t0 (ToolCommand), or None.")
      .def_property_readonly(
          "cycle_jump", [](const StepHandle& h) { return h.get().cycle_jump; },
          "Whether the step advanced jumped (unresolved) cycles.")
      .def_property_readonly(
          "record", [](const StepHandle& h) { return h.get().record; },
          "Whether this step writes a series row (values added on other steps are dropped).")
      .def(
          "add_series",
          [](const StepHandle& h, std::string group, std::string name, double value, std::string units) {
            h.get();
            h.series->push_back({std::move(group), std::move(name), value, std::move(units)});
          },
          py::arg("group"), py::arg("name"), py::arg("value"), py::arg("units") = "1",
          "Appends a value to this step's series row (written when the step is a recording step).")
      .def(
          "add_flag",
          [](const StepHandle& h, const SafetyFlag& flag) {
            h.get();
            h.flags->push_back(flag);
          },
          py::arg("flag"), "Appends a SafetyFlag (always written).")
      .def("__repr__", [](const StepHandle& h) {
        if (!h.step) return std::string("SessionStep(expired)");
        return "SessionStep(t0=" + fmt(h.step->t0) + ", t1=" + fmt(h.step->t1) + ")";
      });

  py::class_<Simulation>(m, "Simulation", "Runs a massage session on a tissue model.")
      .def(py::init<const Model&, SessionSpec, RunContext>(), py::arg("model"), py::arg("session"),
           py::arg_v("context", RunContext{}, "RunContext()"), py::keep_alive<1, 2>(),
           "Borrows the model (kept alive) and validates the session against it (InputError naming the "
           "field).")
      .def(
          "add_observer",
          [](Simulation& sim, py::object fn) {
            if (!PyCallable_Check(fn.ptr())) throw py::type_error("add_observer expects a callable(step)");
            sim.add_observer(PyObserver{hold_object(std::move(fn))});
          },
          py::arg("observer"),
          "Adds a Python observer called after every macro step as observer(step: SessionStep) with the GIL "
          "held. It may return an iterable of SeriesValue or (group, name, value, units) tuples, or call "
          "step.add_series(...); the values are written with the step's series row.")
      .def_property_readonly("protocol", &Simulation::protocol, py::return_value_policy::reference_internal,
                             "The protocol built from the session (Protocol).")
      .def("set_checkpoint_file", &Simulation::set_checkpoint_file, py::arg("path"),
           "Writes checkpoints to `path` every RunSpec.checkpoint_every and when the run fails or is "
           "interrupted (KeyboardInterrupt included); empty: none.")
      .def("resume", &Simulation::resume, py::arg("sink"), py::arg("checkpoint"),
           py::call_guard<py::gil_scoped_release>(),
           "Continues a run from a Checkpoint (read_checkpoint) of the same session and model; `sink` holds "
           "the results up to the checkpoint's time (reopen_results_at). Returns the RunSummary of the whole "
           "run.")
      .def("run", &Simulation::run, py::arg("sink"), py::call_guard<py::gil_scoped_release>(),
           "Runs every technique in order, writing mesh, fields and series to `sink` (ResultsWriter or "
           "MemorySink); returns a RunSummary. The GIL is released while the solver runs; the progress "
           "callback of the RunContext re-acquires it.");
}

}  // namespace tissue::python
