// Python bindings of libtissue/study: sweep files, their cases, running one case into a study folder and
// writing the study table (the executor-driven driver is tissue/study.py).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind_common.hpp"
#include "libtissue/study/outcomes.hpp"
#include "libtissue/study/study.hpp"
#include "libtissue/study/sweep.hpp"

namespace tissue::python {

namespace {

/// The name of a value's TOML kind.
std::string kind_name(SweepValue::Kind k) {
  switch (k) {
    case SweepValue::Kind::string:
      return "string";
    case SweepValue::Kind::number:
      return "number";
    case SweepValue::Kind::integer:
      return "integer";
    case SweepValue::Kind::boolean:
      return "boolean";
  }
  return "?";
}

/// Binds the sweep description: values, parameters, cases and the sweep.
void bind_sweep(py::module_& m) {
  py::class_<SweepValue>(m, "SweepValue", "One value of a swept parameter as written into the session.")
      .def_readonly("text", &SweepValue::text, "As written into the session file, e.g. '20 N' or 'oil'.")
      .def_readonly("si", &SweepValue::si, "SI value (NaN for names such as 'oil').")
      .def_property_readonly(
          "kind", [](const SweepValue& v) { return kind_name(v.kind); },
          "TOML kind written: 'string', 'number', 'integer' or 'boolean'.")
      .def("__repr__", [](const SweepValue& v) { return "SweepValue('" + v.text + "')"; });
  py::class_<SweepParameter>(m, "SweepParameter", "A swept parameter: a dotted session key and its values.")
      .def_readonly("key", &SweepParameter::key, "Dotted key, e.g. 'technique.0.force'.")
      .def_readonly("values", &SweepParameter::values, "Listed values or grid points.")
      .def_readonly("continuous", &SweepParameter::continuous, "A range sampled by the Latin hypercube.")
      .def_readonly("lo", &SweepParameter::lo, "Lower bound of a range [SI].")
      .def_readonly("hi", &SweepParameter::hi, "Upper bound of a range [SI].")
      .def_readonly("unit", &SweepParameter::unit, "Unit sampled values are written in.")
      .def_readonly("dimension", &SweepParameter::dimension, "Dimension of the values, e.g. 'force (N)'.");
  py::class_<SweepCase>(m, "SweepCase", "One case of a sweep: a value per parameter.")
      .def_readonly("index", &SweepCase::index, "Case number (file cases/case_NNNN.h5).")
      .def_readonly("values", &SweepCase::values, "One value per parameter, in parameter order.")
      .def("__repr__", [](const SweepCase& c) { return "SweepCase(" + std::to_string(c.index) + ")"; });
  py::class_<Sweep>(m, "Sweep", "A parsed sweep file with its cases (read_sweep_file).")
      .def_readonly("source", &Sweep::source, "The sweep file.")
      .def_property_readonly(
          "base", [](const Sweep& s) { return s.base.string(); }, "The base session file.")
      .def_readonly("resolution", &Sweep::resolution, "Model resolution of every case ('' = the base's).")
      .def_property_readonly(
          "sampling",
          [](const Sweep& s) { return s.sampling == SweepSampling::grid ? "grid" : "latin_hypercube"; },
          "'grid' or 'latin_hypercube'.")
      .def_readonly("samples", &Sweep::samples, "Latin hypercube: number of cases.")
      .def_readonly("seed", &Sweep::seed, "Latin hypercube: seed.")
      .def_readonly("parameters", &Sweep::parameters, "The swept parameters.")
      .def_readonly("collect", &Sweep::collect, "Outcome kinds of the table.")
      .def_readonly("muscles", &Sweep::muscles, "Muscles of the per-muscle outcomes (empty: all).")
      .def_readonly("cases", &Sweep::cases, "The cases, in order.");
  m.def(
      "read_sweep_file", [](const std::filesystem::path& p) { return read_sweep_file(p); }, py::arg("path"),
      "Reads a sweep file and checks every case with the session parser (InputError names file:line and "
      "key).");
  m.def("case_session_text", &case_session_text, py::arg("sweep"), py::arg("index"),
        "The session file text of one case.");
  m.def("case_session", &case_session, py::arg("sweep"), py::arg("index"), "The parsed session of one case.");
  m.def("latin_hypercube", &latin_hypercube, py::arg("samples"), py::arg("dims"), py::arg("seed"),
        "Points of a Latin hypercube in [0, 1)^dims, one per stratum along every axis.");
  m.def("outcome_kinds", &outcome_kinds, "Outcome kinds a sweep's [outputs] collect may name.");
}

/// Binds running cases and writing the study.
void bind_runs(py::module_& m) {
  py::enum_<CaseStatus>(m, "CaseStatus", "State of a case in a study folder.")
      .value("missing", CaseStatus::missing, "no results file")
      .value("interrupted", CaseStatus::interrupted, "started, not finished: resumed from its checkpoint")
      .value("failed", CaseStatus::failed, "failed numerically (delete the file to retry)")
      .value("completed", CaseStatus::completed, "completed, outcomes recorded");
  py::class_<CaseRun>(m, "CaseRun", "What run_case did with one case.")
      .def_readonly("index", &CaseRun::index, "Case number.")
      .def_readonly("before", &CaseRun::before, "Status found in the study folder.")
      .def_readonly("after", &CaseRun::after, "Status when it returned.")
      .def_readonly("ran", &CaseRun::ran, "Whether it computed (False: skipped).")
      .def_readonly("resumed", &CaseRun::resumed, "Whether it continued from a checkpoint.")
      .def_readonly("seconds", &CaseRun::seconds, "Wall time [s].")
      .def_readonly("message", &CaseRun::message, "Why it failed ('' otherwise).");
  m.def("case_file", &case_file, py::arg("study"), py::arg("index"), "STUDY/cases/case_NNNN.h5.");
  m.def("case_status", &case_status, py::arg("file"), "Status of a case results file.");
  m.def(
      "run_case",
      [](const Sweep& sweep, int index, const std::filesystem::path& study, int threads) {
        py::gil_scoped_release release;
        RunContext ctx;
        ctx.threads = threads;
        ModelCache models;
        return run_case(sweep, index, study, ctx, models);
      },
      py::arg("sweep"), py::arg("index"), py::arg("study"), py::arg("threads") = 0,
      "Runs case `index` into the study folder: skips a completed or failed case, resumes an interrupted "
      "one.");
  m.def(
      "write_study",
      [](const Sweep& sweep, const std::filesystem::path& study) { write_study(sweep, study); },
      py::arg("sweep"), py::arg("study"),
      "Writes STUDY/study.h5 (external links to the cases, /table) and STUDY/study.csv.");
}

}  // namespace

void bind_study(py::module_& m) {
  bind_sweep(m);
  bind_runs(m);
}

}  // namespace tissue::python
