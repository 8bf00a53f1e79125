// Python bindings of libtissue/core: exceptions, units and the run context.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>
#include <sstream>
#include <string_view>

#include "bind_common.hpp"
#include "libtissue/core/error.hpp"
#include "libtissue/core/parallel.hpp"
#include "libtissue/core/progress.hpp"
#include "libtissue/core/units.hpp"

namespace tissue::python {

namespace {

/// A Python callable held by a std::function that may be copied and destroyed without the GIL
/// (Simulation::run releases it): the shared_ptr deleter re-acquires the GIL.
std::shared_ptr<py::object> hold(py::object fn) {
  return std::shared_ptr<py::object>(new py::object(std::move(fn)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}

/// Progress callback wrapper: re-acquires the GIL, lets Ctrl-C (KeyboardInterrupt) stop the run,
/// and calls the Python callable with (fraction, status).
struct PyProgress {
  std::shared_ptr<py::object> fn;
  void operator()(double fraction, std::string_view status) const {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    (*fn)(fraction, py::str(status.data(), status.size()));
  }
};

/// Log callback wrapper: re-acquires the GIL and calls the Python callable with (level, text).
struct PyLog {
  std::shared_ptr<py::object> fn;
  void operator()(LogLevel level, std::string_view text) const {
    py::gil_scoped_acquire gil;
    (*fn)(level, py::str(text.data(), text.size()));
  }
};

template <class Wrapper, class Fn>
py::object callable_of(const Fn& f) {
  if (const auto* w = f.template target<Wrapper>()) return *w->fn;
  if (f) return py::cpp_function(f);
  return py::none();
}

std::string dimension_repr(const units::Dimension& d) {
  std::ostringstream s;
  s << "Dimension(" << units::describe(d) << ")";
  return s.str();
}

}  // namespace

void bind_core(py::module_& m) {
  // --- exceptions ----------------------------------------------------------------------------
  // Created with the C API so that both pybind11 2.10 (Debian) and 3.x build it the same way.
  m.attr("InputError") = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "tissue.InputError",
      "Invalid user input (tissue::InputError). str(e) is the C++ what(): "
      "'file:line:col: field: message'.\nAttributes: field, message, file, line, column.",
      PyExc_ValueError, nullptr));
  m.attr("NumericalError") = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "tissue.NumericalError",
      "A numerical failure (tissue::NumericalError): divergence, inverted element, singular matrix.",
      PyExc_RuntimeError, nullptr));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object type = py::module_::import("tissue._tissue").attr("InputError");
      py::object exc = type(e.what());
      exc.attr("field") = e.field();
      exc.attr("message") = e.message();
      exc.attr("file") = e.where().file;
      exc.attr("line") = e.where().line;
      exc.attr("column") = e.where().column;
      PyErr_SetObject(type.ptr(), exc.ptr());
    } catch (const NumericalError& e) {
      py::object type = py::module_::import("tissue._tissue").attr("NumericalError");
      PyErr_SetString(type.ptr(), e.what());
    }
  });

  py::class_<SourceLocation>(m, "SourceLocation",
                             "Where an input value came from: file, 1-based line and column.")
      .def(py::init<>())
      .def(py::init([](std::string file, int line, int column) {
             return SourceLocation{std::move(file), line, column};
           }),
           py::arg("file"), py::arg("line") = 0, py::arg("column") = 0, "Location in a file (0 = unknown).")
      .def_readwrite("file", &SourceLocation::file, "File path or a label such as '<api>'.")
      .def_readwrite("line", &SourceLocation::line, "1-based line, 0 when unknown.")
      .def_readwrite("column", &SourceLocation::column, "1-based column, 0 when unknown.")
      .def("__repr__", [](const SourceLocation& s) {
        return "SourceLocation('" + s.file + "', " + std::to_string(s.line) + ", " +
               std::to_string(s.column) + ")";
      });

  // --- units ---------------------------------------------------------------------------------
  py::module_ u =
      m.def_submodule("units", "Physical quantities with units at the edges: '30 N' -> 30.0 (SI).");
  py::class_<units::Dimension>(u, "Dimension", "Exponents of (kg, m, s, K) of a unit.")
      .def(py::init([](int kg, int metre, int second, int kelvin) {
             return units::Dimension{{kg, metre, second, kelvin}};
           }),
           py::arg("kg") = 0, py::arg("m") = 0, py::arg("s") = 0, py::arg("K") = 0,
           "Dimension from the exponents of kg, m, s and K.")
      .def_property_readonly(
          "exponents",
          [](const units::Dimension& d) { return py::make_tuple(d.e[0], d.e[1], d.e[2], d.e[3]); },
          "Exponents of (kg, m, s, K) as a tuple.")
      .def(
          "__eq__", [](const units::Dimension& a, const units::Dimension& b) { return a == b; },
          py::is_operator())
      .def("__mul__", &units::Dimension::operator*, py::is_operator(), "Product of units (adds exponents).")
      .def("__truediv__", &units::Dimension::operator/, py::is_operator(),
           "Quotient of units (subtracts exponents).")
      .def("__hash__",
           [](const units::Dimension& d) { return py::hash(py::make_tuple(d.e[0], d.e[1], d.e[2], d.e[3])); })
      .def("__str__", &units::Dimension::str, "Readable SI form, e.g. 'kg m s^-2'.")
      .def("__repr__", &dimension_repr);
  u.attr("dimensionless") = units::dimensionless;
  u.attr("length") = units::length;
  u.attr("time") = units::time;
  u.attr("mass") = units::mass;
  u.attr("temperature") = units::temperature;
  u.attr("force") = units::force;
  u.attr("pressure") = units::pressure;
  u.attr("velocity") = units::velocity;
  u.attr("frequency") = units::frequency;
  u.attr("energy") = units::energy;
  u.attr("power") = units::power;
  u.attr("heat_flux") = units::heat_flux;
  u.attr("density") = units::density;

  py::class_<units::Quantity>(u, "Quantity", "A value in SI units with its dimension.")
      .def(py::init<>())
      .def_readwrite("value", &units::Quantity::value, "SI value (degC converted to K).")
      .def_readwrite("dim", &units::Quantity::dim, "Dimension of the value.")
      .def("__float__", [](const units::Quantity& q) { return q.value; })
      .def("__repr__", [](const units::Quantity& q) {
        return "Quantity(" + std::string(py::str(py::float_(q.value))) + ", " + units::describe(q.dim) + ")";
      });

  u.def("parse", &units::parse, py::arg("text"), py::arg("field") = "value",
        "Parses '<number> <unit>' (e.g. '30 N', '5 cm/s', '42 degC') into a Quantity in SI units.\n"
        "Raises InputError naming `field` on unknown units or malformed numbers.");
  u.def("parse_as", &units::parse_as, py::arg("text"), py::arg("expected"), py::arg("field") = "value",
        "Parses a quantity and checks its dimension; returns the SI value as float.\n"
        "Raises InputError naming `field`, the expected and the found unit.");
  u.def("convert", &units::convert, py::arg("value"), py::arg("unit"), py::arg("expected"),
        py::arg("field") = "value",
        "Converts `value` given in `unit` (e.g. 3421, 'J/(kg K)') to SI, checking the dimension.");
  u.def("describe", &units::describe, py::arg("dim"),
        "Name of a dimension for messages: 'force (N)', 'length (m)'.");

  // --- run context ---------------------------------------------------------------------------
  py::enum_<LogLevel>(m, "LogLevel", "Severity of a log message.")
      .value("debug", LogLevel::debug)
      .value("info", LogLevel::info)
      .value("warning", LogLevel::warning)
      .value("error", LogLevel::error);

  py::class_<RunContext>(m, "RunContext",
                         "What a long computation needs from its caller: threads, a progress callback and a "
                         "log callback.\n\nThe callbacks are Python callables called with the GIL held "
                         "while the solver itself runs without it; Ctrl-C during a run with a progress "
                         "callback raises KeyboardInterrupt.")
      .def(py::init([](int threads, py::object progress, py::object log) {
             RunContext c;
             c.threads = threads;
             if (!progress.is_none()) c.progress = PyProgress{hold(std::move(progress))};
             if (!log.is_none()) c.log = PyLog{hold(std::move(log))};
             return c;
           }),
           py::arg("threads") = 0, py::arg("progress") = py::none(), py::arg("log") = py::none(),
           "threads: element-loop threads (0: the callee chooses; a Simulation takes the session's [run] "
           "threads, else all cores);\n"
           "progress: callable(fraction: float, status: str) or None; log: callable(LogLevel, str) or None.")
      .def_readwrite("threads", &RunContext::threads, "Element-loop threads (0: the callee chooses).")
      .def_property(
          "progress", [](const RunContext& c) { return callable_of<PyProgress>(c.progress); },
          [](RunContext& c, py::object fn) {
            c.progress = nullptr;
            if (!fn.is_none()) c.progress = PyProgress{hold(std::move(fn))};
          },
          "Progress callback callable(fraction in [0, 1], status: str), or None.")
      .def_property(
          "log", [](const RunContext& c) { return callable_of<PyLog>(c.log); },
          [](RunContext& c, py::object fn) {
            c.log = nullptr;
            if (!fn.is_none()) c.log = PyLog{hold(std::move(fn))};
          },
          "Log callback callable(level: LogLevel, text: str), or None.")
      .def("report", &RunContext::report, py::arg("fraction"), py::arg("status"),
           "Calls the progress callback if one is set.")
      .def("validate", &RunContext::validate, "Raises if threads < 0.");

  m.def("hardware_threads", &hardware_threads,
        "Number of hardware threads OpenMP would use (1 without OpenMP).");
}

}  // namespace tissue::python
