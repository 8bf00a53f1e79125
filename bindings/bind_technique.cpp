// Python bindings of libtissue/technique and the protocol items of a session: tool poses and commands,
// the Technique interface (subclassable from Python through a trampoline), skin patches, the options of
// the ten named techniques and rests, TechniqueSpec (one protocol item) and the technique catalogue.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "bind_common.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/technique/techniques.hpp"

namespace tissue::python {

namespace {

std::string fmt(double v) {
  return py::str(py::float_(v));
}

/// Trampoline: a Python subclass of Technique. Every call from C++ (the solver runs without the GIL)
/// re-acquires the GIL; name() and target() are read once and kept, so the string views stay valid.
class PyTechnique : public Technique {
 public:
  std::string_view name() const override {
    if (!name_) name_ = text_of("name");
    return *name_;
  }
  ToolCommand command(Real t) const override { PYBIND11_OVERRIDE_PURE(ToolCommand, Technique, command, t); }
  Real max_dt(Real t) const override {
    py::gil_scoped_acquire gil;
    if (py::function f = py::get_override(static_cast<const Technique*>(this), "max_dt"))
      return f(t).cast<Real>();
    return std::numeric_limits<Real>::infinity();
  }
  std::optional<Real> period() const override {
    py::gil_scoped_acquire gil;
    if (py::function f = py::get_override(static_cast<const Technique*>(this), "period"))
      return f().cast<std::optional<Real>>();
    return std::nullopt;
  }
  Real duration() const override {
    py::gil_scoped_acquire gil;
    if (py::function f = py::get_override(static_cast<const Technique*>(this), "duration"))
      return f().cast<Real>();
    py::pybind11_fail("Tried to call pure virtual function \"Technique::duration\"");
  }
  std::string_view target() const override {
    if (!target_) target_ = text_of("target");
    return *target_;
  }

 private:
  /// The override's string, or the default: the class name for name(), "" for target().
  std::string text_of(const char* method) const {
    py::gil_scoped_acquire gil;
    if (py::function f = py::get_override(static_cast<const Technique*>(this), method))
      return f().cast<std::string>();
    if (std::string(method) == "name") {
      py::object self = py::cast(static_cast<const Technique*>(this), py::return_value_policy::reference);
      return py::str(self.attr("__class__").attr("__name__"));
    }
    return {};
  }
  mutable std::optional<std::string> name_, target_;
};

/// Deleter of a shared_ptr<const Technique> that owns a reference to the Python object (a Python
/// subclass stays alive as long as C++ holds it); drops the reference with the GIL held.
struct PyOwner {
  py::object* object;
  void operator()(const Technique*) const {
    py::gil_scoped_acquire gil;
    delete object;
  }
};

}  // namespace

std::shared_ptr<const Technique> technique_from_python(py::handle obj) {
  const Technique& t = obj.cast<const Technique&>();
  return std::shared_ptr<const Technique>(&t,
                                          PyOwner{new py::object(py::reinterpret_borrow<py::object>(obj))});
}

py::object technique_to_python(const std::shared_ptr<const Technique>& t) {
  if (!t) return py::none();
  if (const auto* owner = std::get_deleter<PyOwner>(t)) return *owner->object;
  return py::cast(std::const_pointer_cast<Technique>(t));
}

namespace {

/// TechniqueSpec.options as a Python object (a Technique for custom items).
py::object options_to_python(const TechniqueOptions& o) {
  if (const auto* c = std::get_if<CustomTechnique>(&o)) return technique_to_python(c->technique);
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, o);
}

/// Options from Python: any of the option classes, or a Technique (a custom item).
TechniqueOptions options_from_python(py::handle obj) {
  if (py::isinstance<Technique>(obj)) return CustomTechnique{technique_from_python(obj)};
  try {
    return obj.cast<TechniqueOptions>();
  } catch (const py::cast_error&) {
    throw py::type_error(
        "TechniqueSpec.options must be one of the *Options classes, RestOptions or a Technique, not " +
        std::string(Py_TYPE(obj.ptr())->tp_name));
  }
}

/// The technique key of an options value ("" for custom techniques: their name()).
std::string type_of(const TechniqueOptions& o) {
  static const char* names[] = {"rest",       "stroking",    "deep_stroking",       "kneading",
                                "percussion", "massage_gun", "transverse_friction", "static_compression",
                                "vibration",  "heat_pack",   "hot_stone",           "static_compression"};
  static_assert(std::variant_size_v<TechniqueOptions> == std::size(names) + 1, "a new kind of protocol item");
  if (const auto* c = std::get_if<CustomTechnique>(&o))
    return c->technique ? std::string(c->technique->name()) : "";
  return names[o.index()];
}

template <class O>
py::class_<O> options_class(py::module_& m, const char* name, const char* doc) {
  py::class_<O> c(m, name, doc);
  c.def(py::init(&from_kwargs<O>))
      .def("validate", &O::validate, py::arg("prefix") = "options",
           "Raises InputError('<prefix>.<field>') for invalid values.")
      .def(
          "copy", [](const O& o) { return O(o); }, "A copy.")
      .def("__copy__", [](const O& o) { return O(o); })
      .def("__deepcopy__", [](const O& o, py::dict) { return O(o); }, py::arg("memo"));
  return c;
}

/// Adds the fields every gliding/frictional technique shares (mu, eta, duration, inset) with docs.
template <class O>
void friction_fields(py::class_<O>& c) {
  c.def_readwrite("mu", &O::mu, "Friction coefficient tool/skin [-] (oil 0.08, dry skin 0.36).")
      .def_readwrite("eta", &O::eta, "Fraction of the friction heat entering the skin [-], 0..1.");
}

/// Adds the warm hand's fields of the hand techniques.
template <class O>
void hand_fields(py::class_<O>& c) {
  c.def_readwrite("hand_temperature", &O::hand_temperature, "The hand's skin temperature [K] (15-45 degC).")
      .def_readwrite("hand_conductance", &O::hand_conductance,
                     "Hand/skin contact conductance [W/(m^2 K)]; 0: no conduction.");
}

}  // namespace

void bind_technique(py::module_& m) {
  // --- tool commands -------------------------------------------------------------------------
  py::enum_<ToolControl>(m, "ToolControl", "How the normal load of a tool is prescribed.")
      .value("force", ToolControl::force, "total normal force prescribed (hands, stones, packs)")
      .value("depth", ToolControl::depth, "indentation prescribed (massage gun), capped at force_limit");

  py::class_<ToolPose>(m, "ToolPose",
                       "Where a tool is: contact centre, footprint orientation, push direction [m].")
      .def(py::init(&from_kwargs<ToolPose>))
      .def_readwrite("centre", &ToolPose::centre, "Contact centre [m] (3,).")
      .def_readwrite("u_axis", &ToolPose::u_axis,
                     "Direction of the footprint's a semi-axis, in the skin plane.")
      .def_readwrite("push", &ToolPose::push, "Unit direction of the applied force (into the tissue).")
      .def("__repr__", [](const ToolPose& p) {
        return "ToolPose(centre=(" + fmt(p.centre.x()) + ", " + fmt(p.centre.y()) + ", " + fmt(p.centre.z()) +
               "))";
      });

  py::class_<ToolCommand>(m, "ToolCommand",
                          "The tool's state at one instant (SI): pose, footprint, force or depth target, "
                          "velocity, friction and temperature. What Technique.command(t) returns.\n"
                          "Keyword arguments set fields of the defaults, e.g. ToolCommand(force=10.0, "
                          "pose=ToolPose(centre=(0.05, 0.1, 0.0))).")
      .def(py::init(&from_kwargs<ToolCommand>))
      .def_readwrite("active", &ToolCommand::active, "False: no tool on the skin.")
      .def_readwrite("pose", &ToolCommand::pose,
                     "Contact centre, footprint orientation, push (ToolPose; a copy).")
      .def_readwrite("footprint", &ToolCommand::footprint, "Contact shape (Footprint; a copy).")
      .def_readwrite("control", &ToolCommand::control, "ToolControl.force or ToolControl.depth.")
      .def_readwrite("force", &ToolCommand::force, "Normal force [N] (force control).")
      .def_readwrite("depth", &ToolCommand::depth, "Target indentation along pose.push [m] (depth control).")
      .def_readwrite("force_limit", &ToolCommand::force_limit,
                     "Largest normal force [N] (stall force; inf for hands).")
      .def_readwrite("velocity", &ToolCommand::velocity, "Tool velocity relative to the skin [m/s] (3,).")
      .def_readwrite("mu", &ToolCommand::mu, "Dynamic friction coefficient [-].")
      .def_readwrite("eta", &ToolCommand::eta, "Fraction of the friction heat entering the skin [-].")
      .def_readwrite("tool_temperature", &ToolCommand::tool_temperature,
                     "Tool surface temperature [K], or None.")
      .def_readwrite("heat_transfer", &ToolCommand::heat_transfer, "Contact conductance tool/skin [W/m^2/K].")
      .def_static("inactive", &ToolCommand::inactive, "A command with no tool on the skin.")
      .def("validate", &ToolCommand::validate, py::arg("prefix") = "tool",
           "InputError naming prefix.<field> for negative force/depth/mu, eta outside [0, 1], ...")
      .def("__repr__", [](const ToolCommand& c) {
        if (!c.active) return std::string("ToolCommand(inactive)");
        return "ToolCommand(" + std::string(c.footprint.name) + ", force=" + fmt(c.force) + " N, centre=(" +
               fmt(c.pose.centre.x()) + ", " + fmt(c.pose.centre.y()) + ", " + fmt(c.pose.centre.z()) + "))";
      });

  // --- the Technique interface -----------------------------------------------------------------
  py::class_<Technique, PyTechnique, std::shared_ptr<Technique>>(
      m, "Technique",
      "A massage technique: tool kinematics as a function of local time t [s] (t = 0 at its start).\n\n"
      "Subclass it in Python and override command(t) -> ToolCommand and duration() -> float; optionally "
      "max_dt(t) (default inf: one mechanical step per macro step), period() (None), name() (default: the "
      "class name) and target() (region label, default ''). Call super().__init__() in __init__. Add an "
      "instance to a session with Session.add(technique) or TechniqueSpec(options=technique): the solver "
      "calls it with the GIL re-acquired; name() and target() are read once.")
      .def(py::init<>(), "Base constructor (call it from a subclass's __init__).")
      .def(
          "name", [](const Technique& t) { return std::string(t.name()); }, "Technique key, e.g. 'stroking'.")
      .def("command", &Technique::command, py::arg("t"), "Tool command at local time t [s] (ToolCommand).")
      .def("max_dt", &Technique::max_dt, py::arg("t"),
           "Largest mechanical step that resolves the load near t [s].")
      .def("period", &Technique::period, "Period of a cyclic load [s] (enables cycle averaging), or None.")
      .def("duration", &Technique::duration, "Duration [s].")
      .def(
          "target", [](const Technique& t) { return std::string(t.target()); },
          "Target region name ('' if none).")
      .def("__repr__", [](const Technique& t) {
        return "Technique('" + std::string(t.name()) + "', target='" + std::string(t.target()) +
               "', duration=" + fmt(t.duration()) + ")";
      });

  py::class_<SkinPatch>(
      m, "SkinPatch",
      "The skin over a region: extent, centre, normal and mean fibre direction [m] (where the "
      "named techniques put their paths). SkinPatch.of_region(mesh, 'erector_spinae_right').")
      .def_static("of_region", &SkinPatch::of_region, py::arg("mesh"), py::arg("region"),
                  py::arg("skin_set") = "skin",
                  "The patch of a named region; InputError for an unknown or empty region.")
      .def_readonly("region", &SkinPatch::region, "Region name.")
      .def_readonly("lo", &SkinPatch::lo, "Lower x-y corner of the region's cells [m] (z = skin height).")
      .def_readonly("hi", &SkinPatch::hi, "Upper x-y corner [m].")
      .def_readonly("centre", &SkinPatch::centre, "Skin point above the region's mean node [m].")
      .def_readonly("normal", &SkinPatch::normal, "Outward skin normal.")
      .def_readonly("fibre", &SkinPatch::fibre, "Unit mean fibre direction in the skin plane.")
      .def_readonly("across", &SkinPatch::across, "Unit in-plane direction across the fibres.")
      .def("contains", &SkinPatch::contains, py::arg("point"), py::arg("inset") = 0.0,
           "Whether the point's x-y lies inside the extent shrunk by `inset` [m].")
      .def("__repr__", [](const SkinPatch& p) { return "SkinPatch('" + p.region + "')"; });

  // --- options of the named techniques ---------------------------------------------------------
  options_class<RestOptions>(m, "RestOptions", "A rest: no tool on the skin for `duration` [s].")
      .def_readwrite("duration", &RestOptions::duration, "Rest time [s].")
      .def("__repr__", [](const RestOptions& o) { return "RestOptions(duration=" + fmt(o.duration) + ")"; });

  auto so = options_class<StrokingOptions>(
      m, "StrokingOptions", "Options of stroking (effleurage), SI units; `tissue techniques` lists them.");
  so.def_readwrite("tool", &StrokingOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("force", &StrokingOptions::force, "Normal force [N].")
      .def_readwrite("speed", &StrokingOptions::speed, "Gliding speed [m/s].")
      .def_readwrite("ramp", &StrokingOptions::ramp, "Force ramp-in and ramp-out [s].")
      .def_readwrite("duration", &StrokingOptions::duration, "Total time [s].")
      .def_readwrite("lanes", &StrokingOptions::lanes, "Parallel strokes across the muscle.")
      .def_readwrite("inset", &StrokingOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(so);
  hand_fields(so);

  auto dso = options_class<DeepStrokingOptions>(m, "DeepStrokingOptions",
                                                "Options of deep stroking (slow, strong strokes), SI units.");
  dso.def_readwrite("tool", &DeepStrokingOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("force", &DeepStrokingOptions::force, "Normal force [N].")
      .def_readwrite("speed", &DeepStrokingOptions::speed, "Gliding speed [m/s].")
      .def_readwrite("ramp", &DeepStrokingOptions::ramp, "Force ramp-in and ramp-out [s].")
      .def_readwrite("duration", &DeepStrokingOptions::duration, "Total time [s].")
      .def_readwrite("lanes", &DeepStrokingOptions::lanes, "Parallel strokes across the muscle.")
      .def_readwrite("inset", &DeepStrokingOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(dso);
  hand_fields(dso);

  auto ko =
      options_class<KneadingOptions>(m, "KneadingOptions", "Options of kneading (petrissage), SI units.");
  ko.def_readwrite("tool", &KneadingOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("force", &KneadingOptions::force, "Mean normal force [N].")
      .def_readwrite("modulation", &KneadingOptions::modulation,
                     "Force swing F (1 + m sin(2 pi f t)) [-], 0..1.")
      .def_readwrite("frequency", &KneadingOptions::frequency, "Circles per second [Hz].")
      .def_readwrite("radius", &KneadingOptions::radius, "Radius of the circles [m].")
      .def_readwrite("glide_speed", &KneadingOptions::glide_speed, "Travel of the circle centre [m/s].")
      .def_readwrite("ramp", &KneadingOptions::ramp, "Force ramp-in and ramp-out [s].")
      .def_readwrite("duration", &KneadingOptions::duration, "Total time [s].")
      .def_readwrite("inset", &KneadingOptions::inset, "Margin of the circles inside the region [m].");
  friction_fields(ko);
  hand_fields(ko);

  auto po = options_class<PercussionOptions>(m, "PercussionOptions",
                                             "Options of percussion (tapotement), SI units.");
  po.def_readwrite("tool", &PercussionOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("peak_force", &PercussionOptions::peak_force, "Peak force of a tap [N].")
      .def_readwrite("frequency", &PercussionOptions::frequency, "Taps per second [Hz].")
      .def_readwrite("contact_fraction", &PercussionOptions::contact_fraction,
                     "Fraction of a period in contact.")
      .def_readwrite("glide_speed", &PercussionOptions::glide_speed, "Travel along the fibres [m/s].")
      .def_readwrite("duration", &PercussionOptions::duration, "Total time [s].")
      .def_readwrite("inset", &PercussionOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(po);
  hand_fields(po);

  auto mo = options_class<MassageGunOptions>(
      m, "MassageGunOptions", "Options of the massage gun (depth-controlled strokes), SI units.");
  mo.def_readwrite("head", &MassageGunOptions::head,
                   "Attachment (Footprint: gun_ball, gun_flat, gun_bullet).")
      .def_readwrite("frequency", &MassageGunOptions::frequency, "Stroke rate [Hz].")
      .def_readwrite("stroke", &MassageGunOptions::stroke, "Peak-to-peak head travel [m].")
      .def_readwrite("preload_depth", &MassageGunOptions::preload_depth,
                     "Indentation at the retracted end [m].")
      .def_readwrite("stall_force", &MassageGunOptions::stall_force,
                     "Largest force before the motor stalls [N].")
      .def_readwrite("glide_speed", &MassageGunOptions::glide_speed, "Travel along the fibres [m/s].")
      .def_readwrite("steps_per_cycle", &MassageGunOptions::steps_per_cycle,
                     "Mechanical substeps per stroke cycle (8-80).")
      .def_readwrite("duration", &MassageGunOptions::duration, "Total time [s].")
      .def_readwrite("inset", &MassageGunOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(mo);

  auto to = options_class<TransverseFrictionOptions>(m, "TransverseFrictionOptions",
                                                     "Options of cross-fibre friction (Cyriax), SI units.");
  to.def_readwrite("tool", &TransverseFrictionOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("force", &TransverseFrictionOptions::force, "Normal force [N].")
      .def_readwrite("frequency", &TransverseFrictionOptions::frequency,
                     "Back-and-forth cycles per second [Hz].")
      .def_readwrite("amplitude", &TransverseFrictionOptions::amplitude,
                     "Half the cross-fibre excursion [m].")
      .def_readwrite("offset_along", &TransverseFrictionOptions::offset_along,
                     "Position along the fibres [m].")
      .def_readwrite("ramp", &TransverseFrictionOptions::ramp, "Force ramp-in and ramp-out [s].")
      .def_readwrite("duration", &TransverseFrictionOptions::duration, "Total time [s].")
      .def_readwrite("inset", &TransverseFrictionOptions::inset,
                     "Margin of the stroke inside the region [m].");
  friction_fields(to);
  hand_fields(to);

  auto sco = options_class<StaticCompressionOptions>(
      m, "StaticCompressionOptions", "Options of static compression (ramp, hold, release), SI units.");
  sco.def_readwrite("tool", &StaticCompressionOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("force", &StaticCompressionOptions::force, "Hold force [N].")
      .def_readwrite("ramp", &StaticCompressionOptions::ramp, "Ramp from 0 to the force [s].")
      .def_readwrite("hold", &StaticCompressionOptions::hold, "Hold time [s].")
      .def_readwrite("release", &StaticCompressionOptions::release, "Release from the force to 0 [s].")
      .def_readwrite("offset_along", &StaticCompressionOptions::offset_along,
                     "Contact point along the fibres [m].")
      .def_readwrite("offset_across", &StaticCompressionOptions::offset_across,
                     "Contact point across the fibres [m].");
  hand_fields(sco);

  auto vo = options_class<VibrationOptions>(m, "VibrationOptions", "Options of vibration, SI units.");
  vo.def_readwrite("tool", &VibrationOptions::tool, "Contact shape (Footprint).")
      .def_readwrite("mean_force", &VibrationOptions::mean_force, "Mean normal force [N].")
      .def_readwrite("amplitude", &VibrationOptions::amplitude, "Force amplitude [N].")
      .def_readwrite("frequency", &VibrationOptions::frequency, "Vibration frequency [Hz].")
      .def_readwrite("glide_speed", &VibrationOptions::glide_speed, "Travel along the fibres [m/s].")
      .def_readwrite("ramp", &VibrationOptions::ramp, "Ramp-in and ramp-out of the mean force [s].")
      .def_readwrite("duration", &VibrationOptions::duration, "Total time [s].")
      .def_readwrite("inset", &VibrationOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(vo);
  hand_fields(vo);

  options_class<HeatPackOptions>(m, "HeatPackOptions", "Options of a heat pack (resting warm pad), SI units.")
      .def_readwrite("pack", &HeatPackOptions::pack, "Contact shape (Footprint).")
      .def_readwrite("temperature", &HeatPackOptions::temperature, "Pad temperature [K].")
      .def_readwrite("heat_transfer", &HeatPackOptions::heat_transfer, "Contact conductance [W/m^2/K].")
      .def_readwrite("force", &HeatPackOptions::force, "Pad weight or light pressure [N].")
      .def_readwrite("duration", &HeatPackOptions::duration, "Application time [s].")
      .def_readwrite("offset_along", &HeatPackOptions::offset_along, "Pad centre along the fibres [m].")
      .def_readwrite("offset_across", &HeatPackOptions::offset_across, "Pad centre across the fibres [m].");

  auto ho = options_class<HotStoneOptions>(m, "HotStoneOptions",
                                           "Options of a hot stone (gliding or placed), SI units.");
  ho.def_readwrite("stone", &HotStoneOptions::stone, "Contact shape (Footprint).")
      .def_readwrite("temperature", &HotStoneOptions::temperature, "Stone temperature when applied [K].")
      .def_readwrite("heat_transfer", &HotStoneOptions::heat_transfer, "Contact conductance [W/m^2/K].")
      .def_readwrite("cooling_time", &HotStoneOptions::cooling_time,
                     "Cooling time constant [s] (0: constant).")
      .def_readwrite("force", &HotStoneOptions::force, "Normal force [N].")
      .def_readwrite("speed", &HotStoneOptions::speed, "Gliding speed [m/s] (0: placed stone).")
      .def_readwrite("ramp", &HotStoneOptions::ramp, "Force ramp-in and ramp-out [s].")
      .def_readwrite("duration", &HotStoneOptions::duration, "Total time [s].")
      .def_readwrite("inset", &HotStoneOptions::inset, "Margin of the path inside the region [m].");
  friction_fields(ho);

  // --- one protocol item -------------------------------------------------------------------------
  py::class_<TechniqueSpec>(
      m, "TechniqueSpec",
      "One item of a session's protocol: a technique over a target region, or a rest.\n"
      "TechniqueSpec(options, target='', type=None): options is one of the *Options classes, RestOptions or "
      "a Technique (then used as is); type defaults to the key of the options ('stroking', ..., 'rest', or "
      "the "
      "custom technique's name()). `options` returns a copy: assign a whole options object to change it.")
      .def(py::init([](py::object options, std::string target, std::optional<std::string> type) {
             TechniqueSpec s;
             s.options = options_from_python(options);
             s.type = type ? *type : type_of(s.options);
             s.target = std::move(target);
             if (s.target.empty())
               if (const auto* c = std::get_if<CustomTechnique>(&s.options); c && c->technique)
                 s.target = std::string(c->technique->target());
             s.where = SourceLocation{"<api>", 0, 0};
             return s;
           }),
           py::arg("options"), py::arg("target") = "", py::arg("type") = py::none(),
           "An item from its options (or a Technique), the target region and optionally the type key.")
      .def_readwrite("type", &TechniqueSpec::type,
                     "Technique key ('stroking', ...), 'rest' or a custom name.")
      .def_readwrite("target", &TechniqueSpec::target, "Target region name ('' for rests).")
      .def_property(
          "options", [](const TechniqueSpec& s) { return options_to_python(s.options); },
          [](TechniqueSpec& s, py::object o) { s.options = options_from_python(o); },
          "The options (a copy; SI units), or the Technique of a custom item.")
      .def_property_readonly(
          "is_rest", [](const TechniqueSpec& s) { return std::holds_alternative<RestOptions>(s.options); },
          "True for a rest.")
      .def_property_readonly(
          "is_custom",
          [](const TechniqueSpec& s) { return std::holds_alternative<CustomTechnique>(s.options); },
          "True for a technique built in code (a Technique object).")
      .def_readwrite("where", &TechniqueSpec::where, "Where it was defined (for error messages).")
      .def("duration", &TechniqueSpec::duration, "Duration of the item [s].")
      .def("validate", &TechniqueSpec::validate, py::arg("prefix") = "technique",
           "Raises InputError('<prefix>.<field>') for invalid options.")
      .def(
          "copy", [](const TechniqueSpec& s) { return TechniqueSpec(s); },
          "A copy (a custom Technique is shared).")
      .def("__copy__", [](const TechniqueSpec& s) { return TechniqueSpec(s); })
      .def(
          "__deepcopy__", [](const TechniqueSpec& s, py::dict) { return TechniqueSpec(s); }, py::arg("memo"))
      .def("__repr__", [](const TechniqueSpec& s) {
        return "TechniqueSpec('" + s.type + "'" + (s.target.empty() ? "" : ", target='" + s.target + "'") +
               ", duration=" + fmt(s.duration()) + " s)";
      });

  m.def(
      "make_technique",
      [](const TechniqueSpec& item, const Mesh& mesh, std::string_view prefix) {
        return technique_to_python(make_technique(item, mesh, prefix));
      },
      py::arg("item"), py::arg("mesh"), py::arg("prefix") = "technique",
      "Builds the Technique of a protocol item over a mesh (its path over the target's skin); None for "
      "rests. "
      "Evaluate it with command(t) (e.g. to draw the tool path).");

  // --- the catalogue (what `tissue techniques` prints) --------------------------------------------
  py::class_<TechniqueKeyInfo>(m, "TechniqueKeyInfo", "One key of a technique: name, kind, default, meaning.")
      .def_readonly("key", &TechniqueKeyInfo::key, "Key name, e.g. 'force'.")
      .def_readonly("kind", &TechniqueKeyInfo::kind,
                    "Value kind: force, speed, time, length, integer, tool, ...")
      .def_readonly("default_value", &TechniqueKeyInfo::default_value,
                    "Default as written in a file, e.g. '30 N'.")
      .def_readonly("doc", &TechniqueKeyInfo::doc, "One-line meaning.")
      .def_readonly("range", &TechniqueKeyInfo::range,
                    "Plausible range the parser enforces, e.g. '0 N .. 300 N' ('' if none).")
      .def("__repr__", [](const TechniqueKeyInfo& k) {
        return "TechniqueKeyInfo('" + k.key + "', " + k.kind + ", default " + k.default_value + ")";
      });
  py::class_<TechniqueInfo>(m, "TechniqueInfo", "One item type of a session: name, summary and keys.")
      .def_readonly("name", &TechniqueInfo::name, "Type key, e.g. 'stroking'.")
      .def_readonly("summary", &TechniqueInfo::summary, "One-line description.")
      .def_readonly("keys", &TechniqueInfo::keys,
                    "Keys with kinds, defaults and meanings (list of TechniqueKeyInfo).")
      .def("__repr__", [](const TechniqueInfo& t) { return "TechniqueInfo('" + t.name + "')"; });
  py::module_ fr = m.def_submodule("friction", "Friction coefficients tool/skin (dynamic, dimensionless).");
  fr.attr("dry_skin") = friction::dry_skin;
  fr.attr("oiled_skin") = friction::oiled_skin;
  m.attr("DEFAULT_FRICTION_HEAT_FRACTION") = kDefaultFrictionHeatFraction;
  m.def(
      "_raise_input_error",
      [](const std::string& field, const std::string& message) { throw InputError(field, message); },
      py::arg("field"), py::arg("message"),
      "Raises tissue.InputError('<field>: <message>') exactly as the C++ library formats it (used by the "
      "package).");
  m.def("technique_catalogue", &technique_catalogue,
        "Every item type of a session file with its keys, units and defaults (what `tissue techniques` "
        "lists).");
}

}  // namespace tissue::python
