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

namespace tissue::python {

namespace {
std::string fmt(double v) { return py::str(py::float_(v)); }
}  // namespace

void bind_session(py::module_& m) {
  py::enum_<LinearSolverKind>(m, "LinearSolverKind", "Which linear solver a run uses.")
      .value("automatic", LinearSolverKind::automatic, "direct Cholesky up to a size, CG beyond")
      .value("cholmod", LinearSolverKind::cholmod, "CHOLMOD supernodal Cholesky (SPD only)")
      .value("ldlt", LinearSolverKind::ldlt, "Eigen SimplicialLDLT")
      .value("lu", LinearSolverKind::lu, "UMFPACK / Eigen SparseLU")
      .value("cg", LinearSolverKind::cg, "preconditioned conjugate gradient");
  m.def("parse_linear_solver_kind", &parse_linear_solver_kind, py::arg("name"),
        "Parses 'automatic', 'cholmod', 'ldlt', 'lu' or 'cg'; InputError listing the valid names.");

  // --- session specification -----------------------------------------------------------------
  py::class_<ModelSpec>(m, "ModelSpec",
                        "Which model to build: the generated lumbar-hip model at a resolution, or a Gmsh mesh.\n"
                        "Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<ModelSpec>))
      .def_readwrite("resolution", &ModelSpec::resolution, "'coarse', 'default' or 'fine' (generated model).")
      .def_readwrite("mesh_file", &ModelSpec::mesh_file, "Optional Gmsh .msh path; '' = generated model.")
      .def_readwrite("mesh_length_scale", &ModelSpec::mesh_length_scale, "Factor from mesh units to metres.")
      .def_readwrite("fixed_sets", &ModelSpec::fixed_sets,
                     "Node sets fixed to bone (a copy: assign a whole list to change it).")
      .def("__repr__", [](const ModelSpec& s) {
        return "ModelSpec(resolution='" + s.resolution + "', mesh_file='" + s.mesh_file + "')";
      });

  py::class_<RunSpec>(m, "RunSpec", "Numerical settings of a run. Keyword arguments set fields of the defaults.")
      .def(py::init(&from_kwargs<RunSpec>))
      .def_readwrite("threads", &RunSpec::threads, "Element-loop threads (0 = all hardware threads).")
      .def_readwrite("linear_solver", &RunSpec::linear_solver, "Linear solver (LinearSolverKind).")
      .def("__repr__", [](const RunSpec& s) {
        return "RunSpec(threads=" + std::to_string(s.threads) + ", linear_solver='" + to_string(s.linear_solver) + "')";
      });

  py::class_<StaticCompressionSpec>(
      m, "StaticCompressionSpec",
      "Static compression: the tool presses with a force ramped from 0 to `force` [N] in `steps` quasi-static "
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
      .def_readwrite("offset", &StaticCompressionSpec::offset, "Shift of the contact centre from the target [m].")
      .def_readwrite("where", &StaticCompressionSpec::where, "Where it was defined (for error messages).")
      .def("__repr__", [](const StaticCompressionSpec& s) {
        return "StaticCompressionSpec(tool='" + std::string(s.tool.name) + "', target='" + s.target +
               "', force=" + fmt(s.force) + ", ramp=" + fmt(s.ramp) + ", hold=" + fmt(s.hold) +
               ", steps=" + std::to_string(s.steps) + ")";
      });
  py::bind_vector<std::vector<StaticCompressionSpec>>(m, "TechniqueList",
                                                      "List of techniques of a session (modified in place).");
  py::implicitly_convertible<py::list, std::vector<StaticCompressionSpec>>();

  py::class_<SessionSpec>(m, "SessionSpec",
                          "A whole session: model, run settings and the ordered techniques.\n"
                          "Keyword arguments set fields of the defaults; spec.techniques.append(...) works in place.")
      .def(py::init(&from_kwargs<SessionSpec>))
      .def_readwrite("source", &SessionSpec::source, "File path or '<api>'.")
      .def_readwrite("text", &SessionSpec::text, "The session file's text (stored in results).")
      .def_readwrite("model", &SessionSpec::model, "Model to build (ModelSpec).")
      .def_readwrite("run", &SessionSpec::run, "Numerical settings (RunSpec).")
      .def_readwrite("techniques", &SessionSpec::techniques, "Techniques in order (TechniqueList).")
      .def("copy", [](const SessionSpec& s) { return SessionSpec(s); }, "A deep copy.")
      .def("__copy__", [](const SessionSpec& s) { return SessionSpec(s); })
      .def("__deepcopy__", [](const SessionSpec& s, py::dict) { return SessionSpec(s); }, py::arg("memo"))
      .def("__repr__", [](const SessionSpec& s) {
        return "SessionSpec(source='" + s.source + "', resolution='" + s.model.resolution + "', " +
               std::to_string(s.techniques.size()) + " techniques)";
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

  py::class_<TissueLibrary>(m, "TissueLibrary",
                            "Tissue parameter tables by name with per-region overrides (data/materials/*.toml).")
      .def(py::init(&TissueLibrary::defaults), "The library of the shipped tables.")
      .def_static("defaults", &TissueLibrary::defaults, "The library of the shipped tables.")
      .def("add_toml", &TissueLibrary::add_toml, py::arg("text"), py::arg("label"),
           "Adds (or replaces) the tissue described by a table's text.")
      .def("add_file", &TissueLibrary::add_file, py::arg("path"), "Adds a tissue table from a file.")
      .def("tissue", &TissueLibrary::tissue, py::arg("name"), "Parameters of a named tissue (a copy).")
      .def("for_region", &TissueLibrary::for_region, py::arg("region"), "Parameters for a mesh region (a copy).")
      .def("names", &TissueLibrary::names, "Names of the tissues and overrides.");

  py::class_<Model>(m, "Model",
                    "A mesh with tissue parameters for every region and the node sets fixed to bone.\n"
                    "Build with Model.lumbar_hip('coarse'), Model.from_msh(...) or Model.from_spec(spec.model).")
      .def_readonly("mesh", &Model::mesh, "Geometry, regions, sets, fibres (a view that keeps the model alive).")
      .def_readonly("tissues", &Model::tissues, "Parameters of each region, by region id (copies).")
      .def_readwrite("fixed_sets", &Model::fixed_sets, "Node sets held fixed (a copy: assign a whole list).")
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
      .def_static("from_spec", &Model::from_spec, py::arg("spec"), py::arg_v("library", TissueLibrary::defaults(), "TissueLibrary.defaults()"),
                  "Builds what a session's [model] table (ModelSpec) asks for.")
      .def("fixed_nodes", [](const Model& s) { return to_array(s.fixed_nodes()); },
           "Union of the fixed node sets, int32; InputError naming an unknown set.")
      .def("__repr__", [](const Model& s) {
        return "Model(" + std::to_string(s.mesh.n_cells()) + " cells, " + std::to_string(s.mesh.n_nodes()) +
               " nodes, " + std::to_string(s.mesh.regions.size()) + " regions)";
      });

  // --- simulation ----------------------------------------------------------------------------
  py::class_<RegionPeaks>(m, "RegionPeaks", "Peak values of one region over the run (SI).")
      .def_readonly("region", &RegionPeaks::region, "Region name.")
      .def_readonly("peak_displacement", &RegionPeaks::peak_displacement, "Largest nodal |u| in the region [m].")
      .def_readonly("peak_pressure", &RegionPeaks::peak_pressure, "Largest hydrostatic pressure of a cell [Pa].")
      .def_readonly("peak_von_mises", &RegionPeaks::peak_von_mises, "Largest von Mises stress of a cell [Pa].")
      .def_readonly("peak_shear_strain", &RegionPeaks::peak_shear_strain, "Largest max-shear strain of a cell [-].")
      .def("__repr__", [](const RegionPeaks& r) {
        return "RegionPeaks('" + r.region + "', u=" + fmt(r.peak_displacement) + " m, p=" + fmt(r.peak_pressure) +
               " Pa, vm=" + fmt(r.peak_von_mises) + " Pa)";
      });

  py::class_<RunSummary>(m, "RunSummary", "What a run did and found.")
      .def_readonly("regions", &RunSummary::regions, "Per-region peaks, in region order (list of RegionPeaks).")
      .def_readonly("peak_contact_pressure", &RunSummary::peak_contact_pressure, "Largest tool pressure [Pa].")
      .def_readonly("applied_force", &RunSummary::applied_force, "Largest total tool force [N].")
      .def_readonly("simulated_time", &RunSummary::simulated_time, "End time [s].")
      .def_readonly("steps", &RunSummary::steps, "Accepted mechanical steps.")
      .def_readonly("newton_iterations", &RunSummary::newton_iterations, "Total Newton iterations.")
      .def_readonly("linear_solver", &RunSummary::linear_solver, "Linear solver used.")
      .def_readonly("n_cells", &RunSummary::n_cells, "Cells.")
      .def_readonly("n_nodes", &RunSummary::n_nodes, "Nodes.")
      .def_readonly("n_equations", &RunSummary::n_equations, "Equations.")
      .def_readonly("wall_seconds", &RunSummary::wall_seconds, "Wall time of the run [s].")
      .def("__repr__", [](const RunSummary& s) {
        return "RunSummary(" + std::to_string(s.n_cells) + " cells, " + std::to_string(s.steps) + " steps, " +
               std::to_string(s.newton_iterations) + " Newton iterations, force " + fmt(s.applied_force) +
               " N, " + fmt(s.wall_seconds) + " s)";
      });

  py::class_<Simulation>(m, "Simulation", "Runs a massage session on a tissue model.")
      .def(py::init<const Model&, SessionSpec, RunContext>(), py::arg("model"), py::arg("session"),
           py::arg_v("context", RunContext{}, "RunContext()"), py::keep_alive<1, 2>(),
           "Borrows the model (kept alive) and validates the session against it (InputError naming the field).")
      .def("run", &Simulation::run, py::arg("sink"), py::call_guard<py::gil_scoped_release>(),
           "Runs every technique in order, writing mesh, fields and series to `sink` (ResultsWriter or "
           "MemorySink); returns a RunSummary. The GIL is released while the solver runs; the progress "
           "callback of the RunContext re-acquires it.");
}

}  // namespace tissue::python
