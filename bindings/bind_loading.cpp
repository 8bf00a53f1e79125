// Python bindings of libtissue/loading: tool footprints.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bind_common.hpp"
#include "libtissue/loading/footprint.hpp"

namespace tissue::python {

void bind_loading(py::module_& m) {
  py::class_<Footprint>(m, "Footprint",
                        "Contact shape of a tool: an elliptical patch with semi-axes a, b [m] and the radial "
                        "pressure profile (1 - rho^n)^m.\nUse the named tools (Footprint.palm(), ...) or "
                        "footprint_by_name('palm'); Footprint(a=..., b=..., n=..., m=...) is a custom tool.")
      .def(py::init([](const py::kwargs& kw) {
        Footprint f = from_kwargs<Footprint>(kw);
        f.validate();  // a custom tool is checked when it is made, not when it is first used
        return f;
      }))
      .def_property_readonly(
          "name", [](const Footprint& f) { return std::string(f.name); }, "Tool name for reports.")
      .def_readwrite("a", &Footprint::a, "Semi-axis along the tool's u direction [m].")
      .def_readwrite("b", &Footprint::b, "Semi-axis across [m].")
      .def_readwrite("n", &Footprint::n, "Profile exponent (flatness) [-].")
      .def_readwrite("m", &Footprint::m, "Profile power (edge softness) [-].")
      .def("profile", &Footprint::profile, py::arg("x"), py::arg("y"),
           "Relative pressure in [0, 1] at local in-plane coordinates (x along u, y across) [m].")
      .def("area", &Footprint::area, "Contact area pi a b [m^2].")
      .def("validate", &Footprint::validate, "InputError naming the field if a, b, n or m are not positive.")
      .def_static("thumb", &Footprint::thumb, "Thumb pad: about 2 cm across, parabolic profile.")
      .def_static("palm", &Footprint::palm, "Palm: about 8 x 10 cm, flat with a soft rim.")
      .def_static("forearm", &Footprint::forearm, "Forearm (ulnar border): about 4 x 14 cm, rounded.")
      .def_static("fist", &Footprint::fist, "Fist: about 4 x 8 cm.")
      .def_static("gun_ball", &Footprint::gun_ball, "Massage-gun ball head: 2.5 cm diameter, Hertz-like.")
      .def_static("gun_flat", &Footprint::gun_flat, "Massage-gun flat head: 4.5 cm diameter, flat.")
      .def_static("gun_bullet", &Footprint::gun_bullet,
                  "Massage-gun bullet head: 1.2 cm contact, Hertz-like.")
      .def_static("stone", &Footprint::stone, "Massage stone: about 6 x 9 cm smooth oval.")
      .def_static("hand_edge", &Footprint::hand_edge,
                  "Ulnar edge of the hand (hacking): about 8 x 2.5 cm strip.")
      .def_static("heat_pack", &Footprint::heat_pack, "Heat pack: about 24 x 16 cm flat pad.")
      .def("__repr__", [](const Footprint& f) {
        return "Footprint('" + std::string(f.name) + "', a=" + std::string(py::str(py::float_(f.a))) +
               ", b=" + std::string(py::str(py::float_(f.b))) +
               ", n=" + std::string(py::str(py::float_(f.n))) +
               ", m=" + std::string(py::str(py::float_(f.m))) + ")";
      });

  m.def("skin_point_above_region", &skin_point_above_region, py::arg("mesh"), py::arg("region_id"),
        "Centre of the skin area above a region [m] (where a technique aims its tool).");
}

}  // namespace tissue::python
