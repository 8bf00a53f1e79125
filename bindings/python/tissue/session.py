"""Massage sessions built in code: technique factories that take units, :class:`Session`, running.

::

    import tissue
    s = tissue.Session(resolution="coarse", follow_up="30 s")
    s.add(tissue.Stroking(target="erector_spinae_right", force="20 N", speed="7.5 cm/s", duration="90 s"))
    s.add(tissue.Rest("30 s"))
    s.add(tissue.HotStone(target="erector_spinae_right", temperature="50 degC", duration="2 min"))
    res = s.simulate()                  # a tissue.Results, with a progress bar

Quantities are strings with units parsed by the C++ units parser (``"20 N"``, ``"7.5 cm/s"``,
``"42 degC"``, ``"2 min"``) or plain floats in SI units (N, m/s, s, m, Hz, K, W/(m^2 K)). Every
factory returns a :class:`tissue.TechniqueSpec` whose options are the C++ ``*Options`` struct; keys,
kinds and defaults come from :func:`tissue.technique_catalogue` (what ``tissue techniques`` prints),
so they always match session files.
"""

from __future__ import annotations

import inspect
import math
import os
from typing import Callable, Optional, Sequence, Union

from . import _tissue
from ._tissue import (
    DeepStrokingOptions,
    HeatPackOptions,
    HotStoneOptions,
    KneadingOptions,
    MassageGunOptions,
    Model,
    PercussionOptions,
    RestOptions,
    RunContext,
    SessionSpec,
    Simulation,
    StaticCompressionOptions,
    StrokingOptions,
    Technique,
    TechniqueSpec,
    TransverseFrictionOptions,
    VibrationOptions,
    footprint_by_name,
    friction,
    parse_resolution,
    parse_session,
    read_session_file,
    technique_catalogue,
    units,
)

__all__ = [
    "Session",
    "technique",
    "load_session",
    "load_model",
    "Stroking",
    "DeepStroking",
    "Kneading",
    "Percussion",
    "MassageGun",
    "TransverseFriction",
    "StaticCompression",
    "Vibration",
    "HeatPack",
    "HotStone",
    "Rest",
]

#: Options class of each technique key.
OPTIONS = {
    "rest": RestOptions,
    "stroking": StrokingOptions,
    "deep_stroking": DeepStrokingOptions,
    "kneading": KneadingOptions,
    "percussion": PercussionOptions,
    "massage_gun": MassageGunOptions,
    "transverse_friction": TransverseFrictionOptions,
    "static_compression": StaticCompressionOptions,
    "vibration": VibrationOptions,
    "heat_pack": HeatPackOptions,
    "hot_stone": HotStoneOptions,
}

#: Dimension of each value kind of the catalogue (kinds without a unit are handled separately).
_KIND_DIMENSION = {
    "force": units.force,
    "speed": units.velocity,
    "time": units.time,
    "length": units.length,
    "frequency": units.frequency,
    "temperature": units.temperature,
    "conductance": units.Dimension(kg=1, s=-3, K=-1),
    "number": units.dimensionless,
}

#: Time keys scaled by Session.scaled (cooling_time is a property of the stone, not of the session).
_SCALED_TIMES = ("duration", "ramp", "hold", "release")

_catalogue_cache: dict = {}


def _catalogue() -> dict:
    """Technique key -> {key: TechniqueKeyInfo} (from the C++ parser table)."""
    if not _catalogue_cache:
        for info in technique_catalogue():
            _catalogue_cache[info.name] = {k.key: k for k in info.keys}
    return _catalogue_cache


def _fail(field: str, message: str):
    """Raises tissue.InputError formatted by the C++ library."""
    _tissue._raise_input_error(field, message)


def _quantity(value, kind: str, field: str) -> float:
    """A value of a catalogue kind: a string with a unit, or a plain number in SI units."""
    if isinstance(value, str):
        return units.parse_as(value, _KIND_DIMENSION[kind], field)
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        _fail(field, f"must be a quantity string such as \"30 N\" or a number in SI units, not {type(value).__name__}")
    return float(value)


def _set_option(options, type_: str, key: str, kind: str, value) -> None:
    field = f"{type_}.{key}"
    if kind == "tool":
        setattr(options, key, footprint_by_name(value, field) if isinstance(value, str) else value)
    elif kind == "integer":
        if isinstance(value, bool) or int(value) != value:
            _fail(field, "must be an integer")
        setattr(options, key, int(value))
    elif kind == "string" and key == "lubrication":
        if value == "oil":
            options.mu = friction.oiled_skin
        elif value == "dry":
            options.mu = friction.dry_skin
        else:
            _fail(field, f"unknown lubrication '{value}'; expected oil or dry")
    elif kind in _KIND_DIMENSION:
        setattr(options, key, _quantity(value, kind, field))
    else:  # pragma: no cover - a new kind in the C++ table
        setattr(options, key, value)


def technique(type: str, target: str = "", **options) -> TechniqueSpec:  # noqa: A002 (the file's key)
    """A protocol item from its type key (``"stroking"``, ..., ``"rest"``) and its options.

    Options are the keys of a ``[[technique]]`` block (see :func:`tissue.technique_catalogue`):
    strings with units or SI floats; tools by name (``tool="thumb"``) or as a :class:`Footprint`;
    ``lubrication="oil"|"dry"`` instead of ``mu``. Unknown keys, techniques, tools, units and
    invalid values raise :class:`tissue.InputError` naming ``<type>.<key>``, like session files.
    """
    cat = _catalogue()
    if type not in cat:
        _fail("technique.type", f"unknown technique '{type}'; known techniques: {', '.join(sorted(cat))}")
    keys = cat[type]
    if "target" in keys and not target:
        _fail(f"{type}.target", "missing required field")
    if "target" not in keys and target:
        _fail(f"{type}.target", "unknown field; a rest has no target")
    if "mu" in options and "lubrication" in options:
        _fail(f"{type}.lubrication", "give either mu or lubrication, not both")
    opts = OPTIONS[type]()
    for key, value in options.items():
        if key not in keys or key == "target":
            allowed = ", ".join(sorted(k for k in keys if k != "target"))
            _fail(f"{type}.{key}", f"unknown field; expected one of: {allowed}")
        _set_option(opts, type, key, keys[key].kind, value)
    opts.validate(type)
    return TechniqueSpec(opts, target=target, type=type)


def _factory(type_: str, name: str) -> Callable[..., TechniqueSpec]:
    """A function ``Name(target, **options)`` with a signature and docstring from the catalogue."""
    keys = _catalogue()[type_]
    info = next(i for i in technique_catalogue() if i.name == type_)
    has_target = "target" in keys

    def make(*args, **options):
        if type_ == "rest":
            if args:
                options.setdefault("duration", args[0])
            return technique(type_, **options)
        target = args[0] if args else options.pop("target", "")
        return technique(type_, target, **options)

    params = []
    if has_target:
        params.append(inspect.Parameter("target", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str))
    for k in keys.values():
        if k.key == "target":
            continue
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if (type_ == "rest") else inspect.Parameter.KEYWORD_ONLY
        default = None if k.key == "lubrication" else k.default_value
        params.append(inspect.Parameter(k.key, kind, default=default))
    make.__signature__ = inspect.Signature(params, return_annotation=TechniqueSpec)
    make.__name__ = make.__qualname__ = name
    lines = [f"{info.summary[:1].upper()}{info.summary[1:]}.", "",
             f"Returns a TechniqueSpec of type '{type_}' with {OPTIONS[type_].__name__}. Values are strings with",
             "units or SI floats; defaults as shown (the C++ defaults).", "", "Keys:"]
    for k in keys.values():
        lines.append(f"    {k.key:<16} {k.kind:<12} default {k.default_value:<12} {k.doc}")
    make.__doc__ = "\n".join(lines)
    make.__module__ = "tissue"
    return make


Stroking = _factory("stroking", "Stroking")
DeepStroking = _factory("deep_stroking", "DeepStroking")
Kneading = _factory("kneading", "Kneading")
Percussion = _factory("percussion", "Percussion")
MassageGun = _factory("massage_gun", "MassageGun")
TransverseFriction = _factory("transverse_friction", "TransverseFriction")
StaticCompression = _factory("static_compression", "StaticCompression")
Vibration = _factory("vibration", "Vibration")
HeatPack = _factory("heat_pack", "HeatPack")
HotStone = _factory("hot_stone", "HotStone")
Rest = _factory("rest", "Rest")

#: RunSpec fields and the kind of their values (for unit strings in Session(..., dt_thermal="1 s")).
_RUN_KINDS = {
    "dt_thermal": "time",
    "series_every": "time",
    "fields_every": "time",
    "air_temperature": "temperature",
    "core_temperature": "temperature",
    "skin_heat_transfer": "conductance",
    "depth_stiffness": None,
}


# [run] keys that must be positive (the others may be zero), as in the session-file parser.
_RUN_POSITIVE = {"dt_thermal", "dt_quiet", "air_temperature", "core_temperature", "depth_stiffness",
                 "contact_penalty"}


def _check_run_value(key: str, value) -> None:
    """The session-file parser's checks of a [run] value set from Python (negative, nan, threads)."""
    field = f"run.{key}"
    if key == "threads":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            _fail(field, f"must be 0 (all cores) or a positive integer, got {value!r}")
    elif isinstance(value, float):
        if not math.isfinite(value):
            _fail(field, "not a finite number")
        if key in _RUN_POSITIVE and not value > 0:
            _fail(field, f"must be positive, got {value:g}")
        if value < 0:
            _fail(field, f"must not be negative, got {value:g}")


def _check_resolution(resolution: str) -> str:
    """The resolution name, or InputError listing the valid ones (as ``[model] resolution`` does)."""
    parse_resolution(resolution)
    return resolution


def load_model(model: Union[Model, str, os.PathLike, None] = None, spec=None) -> Model:
    """A Model: passed through, a resolution (``"coarse"``, ``"default"``, ``"fine"``), a Gmsh ``.msh``
    path, or (None) what the session's ``[model]`` table (``spec``, a ModelSpec) asks for."""
    if isinstance(model, Model):
        return model
    if model is None:
        return Model.from_spec(spec if spec is not None else _tissue.ModelSpec())
    model = os.fspath(model)
    # The session's [model] settings and tissue changes, on the named mesh or resolution.
    chosen = _tissue.ModelSpec()
    if spec is not None:
        chosen.mesh_length_scale = spec.mesh_length_scale
        chosen.fixed_sets, chosen.tissue = list(spec.fixed_sets), list(spec.tissue)
    if model.endswith(".msh"):
        chosen.mesh_file = model
    else:
        chosen.resolution = _check_resolution(model)
    return Model.from_spec(chosen)


class Session(SessionSpec):
    """A massage session (a :class:`SessionSpec` with conveniences): model settings, run settings, the
    ordered protocol (techniques and rests) and a follow-up period.

    ``Session(*items, resolution="default", follow_up=0, **run)``: ``items`` are TechniqueSpecs (from
    :func:`Stroking` etc.) or :class:`Technique` objects; ``run`` sets :class:`RunSpec` fields, with
    units where they have one (``dt_thermal="1 s"``, ``air_temperature="22 degC"``, ``threads=1``).
    A Session is a SessionSpec, so ``Simulation(model, session)`` takes it as is; ``session.run`` is
    its RunSpec and :meth:`simulate` runs it.
    """

    def __init__(self, *items, resolution: Optional[str] = None, follow_up: Union[str, float] = 0.0,
                 outputs: Optional[dict] = None, patient: Optional[dict] = None, tissue: Optional[dict] = None,
                 **run):
        super().__init__()
        if resolution is not None:
            self.model.resolution = _check_resolution(resolution)
        if tissue:
            self.set_tissue(tissue)
        self.follow_up = follow_up
        self.configure(**run)
        self.configure_outputs(**(outputs or {}))
        for key, value in (patient or {}).items():
            if not hasattr(self.patient, key) or key.startswith("_") or key == "where":
                _fail(f"patient.{key}", "unknown field; expected one of: hypertonic, resting_tone, hypertonic_tone")
            p = self.patient
            setattr(p, key, list(value) if key == "hypertonic" else value)
            self.patient = p
        for item in items:
            self.add(item)

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Session":
        """Reads a session file (TOML); InputError with ``file:line:col: field: message``."""
        s = cls()
        s.assign(read_session_file(os.fspath(path)))
        return s

    @classmethod
    def parse(cls, text: str, label: str = "<string>") -> "Session":
        """Parses session text; ``label`` names the source in error messages."""
        s = cls()
        s.assign(parse_session(text, label))
        return s

    @classmethod
    def of(cls, spec: SessionSpec) -> "Session":
        """A Session holding a copy of a SessionSpec."""
        s = cls()
        s.assign(spec)
        return s

    def copy(self) -> "Session":
        """A copy (custom Technique objects are shared)."""
        return Session.of(self)

    @property
    def follow_up(self) -> float:
        """Recovery time after the last item [s]; set with a float [s] or a string (``"10 min"``)."""
        return SessionSpec.follow_up.__get__(self)

    @follow_up.setter
    def follow_up(self, value: Union[str, float]) -> None:
        seconds = _quantity(value, "time", "session.follow_up")
        if not (seconds >= 0 and math.isfinite(seconds)):
            _fail("session.follow_up", f"must not be negative, got {seconds:g}")
        SessionSpec.follow_up.__set__(self, seconds)

    def configure(self, **run) -> "Session":
        """Sets [run] fields (RunSpec), with units where they have one; returns self."""
        for key, value in run.items():
            if not hasattr(self.run, key) or key.startswith("_"):
                allowed = ", ".join(k for k in dir(self.run) if not k.startswith("_"))
                _fail(f"run.{key}", f"unknown field; expected one of: {allowed}")
            kind = _RUN_KINDS.get(key)
            if key == "linear_solver" and isinstance(value, str):
                value = _tissue.parse_linear_solver_kind(value)
            elif key == "depth_stiffness" and isinstance(value, str):
                value = units.parse_as(value, units.force / units.length, "run.depth_stiffness")
            elif kind is not None:
                value = _quantity(value, kind, f"run.{key}")
            _check_run_value(key, value)
            setattr(self.run, key, value)
        return self

    def set_tissue(self, changes: dict) -> "Session":
        """Changes entries of the tissue tables (data/materials/), as a session file's ``[tissue.<name>]``
        tables do: ``{"muscle": {"hyperelastic.mu": "2.5 kPa"}, "erector_spinae": {"prony.0.tau": "3 s"}}``
        (a tissue, or a muscle for that muscle only; ``tissue techniques`` and
        ``TissueLibrary().entries(name)`` list the entries). Values carry a unit of the entry's dimension;
        they are checked at once (InputError naming ``tissue.<name>.<entry>``). The changes are added to
        those already set; the model is built with them (``simulate`` with a resolution or None, or
        ``Model.from_spec(session.model)``). Returns self."""
        added = list(self.model.tissue)
        for name, entries in changes.items():
            if not isinstance(entries, dict):
                _fail(f"tissue.{name}", "expected a dict of entries, e.g. {'hyperelastic.mu': '2.5 kPa'}")
            for entry, value in entries.items():
                if not isinstance(value, str):
                    _fail(f"tissue.{name}.{entry}", f"needs a unit: write it as a string such as '{value} Pa'")
                added.append(_tissue.TissueOverride(str(name), str(entry), value))
        _tissue.TissueLibrary.defaults().with_overrides(added)  # units, ranges and names checked now
        m = self.model
        m.tissue = added
        self.model = m
        return self

    def configure_outputs(self, **outputs) -> "Session":
        """Sets [outputs] fields (OutputSpec), with units where they have one (``myoton_every="60 s"``,
        ``bone_pressure="50 kPa"``, ``temperature_limit="43 degC"``); e.g. ``myotonometer=False`` for
        quick runs (each myotonometer reading is a dynamic simulation of the probe). Returns self."""
        kinds = {"myoton_every": units.time, "bone_pressure": units.pressure, "temperature_limit": units.temperature}
        o = self.outputs
        for key, value in outputs.items():
            if not hasattr(o, key) or key.startswith("_") or key == "where":
                allowed = ", ".join(k for k in dir(o) if not k.startswith("_") and k != "where")
                _fail(f"outputs.{key}", f"unknown field; expected one of: {allowed}")
            if key in kinds and isinstance(value, str):
                value = units.parse_as(value, kinds[key], f"outputs.{key}")
            elif key == "myoton_sites":
                value = list(value)
            setattr(o, key, value)
        self.outputs = o
        return self

    def add(self, item, target: Optional[str] = None) -> "Session":
        """Appends an item and returns self (chainable): a TechniqueSpec, a :class:`Technique` (e.g. a
        Python subclass) or an options object (``StrokingOptions(...)``, then ``target`` is needed)."""
        if isinstance(item, TechniqueSpec):
            spec = item.copy()
            if target is not None:
                spec.target = target
        elif isinstance(item, Technique):
            spec = TechniqueSpec(item, target=target or "")
        elif isinstance(item, tuple(OPTIONS.values())):
            spec = TechniqueSpec(item, target=target or "")
        else:
            raise TypeError(f"Session.add expects a TechniqueSpec, Technique or *Options, not {type(item).__name__}")
        self.protocol.append(spec)
        return self

    def rest(self, duration: Union[str, float]) -> "Session":
        """Appends a rest (no tool on the skin) and returns self."""
        return self.add(Rest(duration))

    def scaled(self, factor: float, follow_up: Optional[Union[str, float]] = None) -> "Session":
        """A copy with every item's duration, ramps, hold and release (and the follow-up) multiplied by
        ``factor`` -- e.g. ``Session.load("data/sessions/default.toml").scaled(0.02)`` for a quick look.
        Custom Technique items keep their own timing. ``follow_up`` replaces the scaled follow-up."""
        if not factor > 0:
            _fail("scaled.factor", "must be positive")
        out = self.copy()
        items = []
        for item in out.protocol:
            item = item.copy()
            if not item.is_custom:
                opts = item.options
                for key in _SCALED_TIMES:
                    if hasattr(opts, key):
                        setattr(opts, key, getattr(opts, key) * factor)
                item.options = opts
            items.append(item)
        out.protocol = items
        v1 = []
        for press in out.techniques:
            press.ramp *= factor
            press.hold *= factor
            v1.append(press)
        out.techniques = v1
        out.follow_up = out.follow_up * factor if follow_up is None else follow_up
        return out

    def with_resolution(self, resolution: str) -> "Session":
        """A copy on another model resolution ("coarse", "default", "fine")."""
        out = self.copy()
        out.model.resolution = _check_resolution(resolution)
        return out

    # --- looking at it --------------------------------------------------------------------------
    def events(self, model: Optional[Model] = None) -> list:
        """The timeline (list of ProtocolEvent: name, region, t0, t1) without running."""
        model = model if model is not None else load_model(None, self.model)
        return Simulation(model, self, RunContext(threads=1)).protocol.events()

    def table(self) -> str:
        """A plain-text table of the items: index, type, target, duration [s]."""
        rows = [f"{'#':>3}  {'type':<20} {'target':<24} {'duration':>10}"]
        t = 0.0
        for i, item in enumerate(self.items()):
            d = item.duration()
            rows.append(f"{i:>3}  {item.type:<20} {item.target:<24} {d:>8.3g} s   (t = {t:.4g} s)")
            t += d
        if self.follow_up > 0:
            rows.append(f"{'':>3}  {'follow_up':<20} {'':<24} {self.follow_up:>8.3g} s   (t = {t:.4g} s)")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return (f"Session(resolution='{self.model.resolution}', {len(self.items())} items, "
                f"duration {self.duration():g} s)")

    # --- running --------------------------------------------------------------------------------
    def simulate(
        self,
        model: Union[Model, str, os.PathLike, None] = None,
        output: Union[str, os.PathLike, None] = None,
        *,
        threads: Optional[int] = None,
        progress: Union[bool, Callable[[float, str], None]] = True,
        observers: Sequence[Callable] = (),
        overwrite: bool = False,
    ):
        """Runs the session and returns its :class:`tissue.Results` (see :func:`tissue.run_session`).
        (``session.run`` is the :class:`RunSpec`, as in C++; this method runs it.)

        model:     a Model, a resolution name, a .msh path, or None (the session's [model]).
        output:    results file (.h5 + .xdmf); None writes into a new temporary folder.
        threads:   element-loop threads; None takes [run] threads (0 = all cores).
        progress:  True: a progress bar (tqdm.auto when installed: a widget in notebooks); False: none;
                   or a callable(fraction, status).
        observers: callables observer(step: SessionStep) added with Simulation.add_observer.
        """
        from . import run_session

        return run_session(self, output=output, threads=threads, progress=progress, overwrite=overwrite,
                           model=model, observers=observers)


def load_session(path: Union[str, os.PathLike]) -> Session:
    """Reads a session file into a :class:`Session` (InputError with ``file:line:col: field: message``)."""
    return Session.load(path)
