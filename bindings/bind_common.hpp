// Shared declarations of the Python bindings: one bind_<module>() per library module, plus the
// small helpers every module uses to hand arrays to NumPy without copying and to build typed
// objects from keyword arguments. No simulation logic lives here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

namespace tissue {
class Technique;
}

namespace tissue::python {

namespace py = pybind11;

/// Binds core/: errors, units, RunContext (progress and log callbacks), hardware_threads.
void bind_core(py::module_& m);
/// Binds mesh/: Mesh, regions, node and facet sets, box meshes, the lumbar-hip generator, read_msh.
void bind_mesh(py::module_& m);
/// Binds loading/: Footprint (tool shapes) and skin_point_above_region.
void bind_loading(py::module_& m);
/// Binds technique/: tool commands, the Technique interface (Python subclasses), skin patches, the
/// options of the named techniques, TechniqueSpec (a protocol item) and the technique catalogue.
void bind_technique(py::module_& m);
/// Binds io/: ResultsSink, ResultsWriter, MemorySink, ResultsReader and their records.
void bind_io(py::module_& m);
/// Binds session/: session specs and files, tissue library, Model, Simulation, RunSummary.
void bind_session(py::module_& m);
/// Binds study/: sweep files and their cases, run_case and write_study.
void bind_study(py::module_& m);

/// A Technique held by C++ that keeps its Python object (e.g. a Python subclass) alive.
std::shared_ptr<const Technique> technique_from_python(py::handle obj);
/// The Python object of a technique: the original one for techniques from Python, else a wrapper.
py::object technique_to_python(const std::shared_ptr<const Technique>& t);

/// A read-only NumPy view of `rows` x `cols` (or 1-D when cols == 0) contiguous row-major values
/// at `data`, kept alive by `owner` (the Python object that owns the memory).
template <class T>
py::array readonly_view(const T* data, py::ssize_t rows, py::ssize_t cols, py::handle owner) {
  const auto item = static_cast<py::ssize_t>(sizeof(T));
  py::array a = cols == 0 ? py::array(py::dtype::of<T>(), {rows}, {item}, data, owner)
                          : py::array(py::dtype::of<T>(), {rows, cols}, {cols * item, item}, data, owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

/// A 1-D NumPy array that takes over a vector (no copy; the capsule frees it).
template <class T>
py::array_t<T> to_array(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule capsule(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        owned->data(), capsule);
}

/// A 1-D NumPy copy of a vector (for containers that may grow and reallocate later).
template <class T>
py::array_t<T> copy_array(const std::vector<T>& v) {
  return to_array(std::vector<T>(v));
}

/// Constructor `T(**kwargs)`: a default-constructed T (C++ defaults stay the single source of
/// truth) whose named attributes are then set from the keyword arguments.
template <class T>
T from_kwargs(const py::kwargs& kwargs) {
  py::object obj = py::cast(T{});
  for (const auto& item : kwargs) {
    const std::string key = py::str(item.first);
    if (!py::hasattr(obj, key.c_str()) || key.rfind('_', 0) == 0)
      throw py::type_error(std::string(py::str(obj.attr("__class__").attr("__name__"))) +
                           "() got an unexpected keyword argument '" + key + "'");
    obj.attr(key.c_str()) = item.second;
  }
  return obj.cast<T>();
}

}  // namespace tissue::python
