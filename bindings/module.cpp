// The compiled extension tissue._tissue: one bind_<module>() per libtissue module, no logic.
// The pure-Python package bindings/python/tissue/ re-exports it (see docs/python.md).
#include "bind_common.hpp"

PYBIND11_MODULE(_tissue, m) {
  m.doc() =
      "libtissue: finite-element simulation of massage on lower-back and hip muscle tissue (compiled core).\n"
      "Import the package `tissue` rather than this module.";
  tissue::python::bind_core(m);
  tissue::python::bind_mesh(m);
  tissue::python::bind_loading(m);
  tissue::python::bind_technique(m);
  tissue::python::bind_io(m);
  tissue::python::bind_session(m);
  tissue::python::bind_study(m);
}
