"""libtissue: finite-element simulation of massage on lower-back and hip muscle tissue.

The compiled core lives in :mod:`tissue._tissue` and is re-exported here unchanged (thin
bindings of the C++ library, SI units throughout). This module adds conveniences:

* :func:`quantity` -- ``quantity("30 N")`` -> ``30.0`` (SI), optionally dimension-checked;
* :class:`Session` and the technique factories :func:`Stroking`, :func:`HotStone`, ... :func:`Rest`
  (module :mod:`tissue.session`) -- sessions built in code with units (``force="20 N"``);
* :func:`run_session` -- run a session file, :class:`SessionSpec` or :class:`Session` with a progress
  bar and observers and get a :class:`Results` object (a thin wrapper of :class:`ResultsReader`).

Plotting helpers live in :mod:`tissue.plot` (matplotlib, imported lazily).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time as _time
from typing import Callable, Optional, Sequence, Union

# libgomp reads its wait policy when it is loaded: passive waiting keeps idle threads from spinning at the
# colour barriers when the machine is shared with other jobs (docs/engine.md, "Threads"; on an otherwise
# idle 2-core machine it changes little); a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from . import _tissue  # noqa: E402
from ._tissue import *  # noqa: F401,F403  (the compiled API)
from ._tissue import (
    InputError,
    Model,
    NumericalError,
    OpenMode,
    ResultsReader,
    ResultsWriter,
    RunContext,
    RunSummary,
    SessionSpec,
    Simulation,
    checkpoint_path,
    read_checkpoint,
    read_session_file,
    reopen_results_at,
    units,
)

from .session import (  # noqa: E402  (needs the compiled API above)
    DeepStroking,
    HeatPack,
    HotStone,
    Kneading,
    MassageGun,
    Percussion,
    Rest,
    Session,
    StaticCompression,
    Stroking,
    TransverseFriction,
    Vibration,
    load_model,
    load_session,
    technique,
)

from . import study  # noqa: E402  (parameter studies: tissue.study.run_study)

__version__ = "0.1.0"

__all__ = [name for name in dir(_tissue) if not name.startswith("_")] + [
    "quantity",
    "run_session",
    "Results",
    "units",
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
    "MUSCLE_QUANTITIES",
]

#: Series recorded per muscle region (units): tone and elasticity (when the tone law and the
#: observers are attached) and the thermal/mechanical quantities every run writes.
MUSCLE_QUANTITIES = {
    "tone": "1",
    "shear_modulus": "Pa",
    "shear_wave_speed": "m/s",
    "shear_wave_speed_across": "m/s",
    "myoton_frequency": "Hz",
    "myoton_stiffness": "N/m",
    "myoton_decrement": "1",
    "myoton_relaxation_time": "s",
    "myoton_creep": "1",
    "temperature_mean": "K",
    "temperature_max": "K",
    "perfusion_mean": "1/s",
    "peak_pressure": "Pa",
}


def quantity(text: str, dim: Union[str, "units.Dimension", None] = None, field: str = "value") -> float:
    """Parses ``"<number> <unit>"`` and returns the value in SI units.

    ``dim`` optionally checks the dimension: a :class:`tissue.units.Dimension` or the name of one
    of the common dimensions in :mod:`tissue.units` (``"force"``, ``"length"``, ``"pressure"``,
    ``"time"``, ``"temperature"``, ...). Raises :class:`InputError` (a ``ValueError``) with the
    C++ message on unknown units, malformed numbers or a wrong dimension.

    >>> quantity("30 N")
    30.0
    >>> quantity("5 cm/s", "velocity")
    0.05
    """
    if dim is None:
        return units.parse(text, field).value
    if isinstance(dim, str):
        expected = getattr(units, dim, None)
        if not isinstance(expected, units.Dimension):
            raise ValueError(f"unknown dimension name {dim!r}")
        dim = expected
    return units.parse_as(text, dim, field)


class Results:
    """A results file (HDF5, written by :class:`ResultsWriter`) opened for reading.

    A thin layer over :class:`ResultsReader` with NumPy-friendly accessors. ``summary`` is the
    :class:`RunSummary` when the object came from :func:`run_session`, else ``None``.
    """

    def __init__(self, path: Union[str, os.PathLike], summary: Optional[RunSummary] = None):
        self.path = os.fspath(path)
        self.reader = ResultsReader(self.path)
        self.summary = summary

    # --- time series ----------------------------------------------------------------------
    @property
    def time(self):
        """Times of the series rows [s], float64 (T,)."""
        return self.reader.series_time()

    @property
    def groups(self) -> list:
        """Series groups: region names and ``"session"``, in write order."""
        return self.reader.series_groups()

    @property
    def regions(self) -> list:
        """Region names of the mesh (in region-id order)."""
        return self.mesh.regions.names

    def names(self, group: str) -> list:
        """Quantity names recorded for a series group."""
        return self.reader.series_names(group)

    def series(self, group: str, name: str):
        """Values of one series, float64 (T,), aligned with :attr:`time` (NaN where absent)."""
        return self.reader.series(group, name).values

    def has_series(self, group: str, name: str) -> bool:
        """Whether a series group recorded a quantity."""
        return group in self.groups and name in self.names(group)

    @property
    def muscles(self) -> list:
        """Names of the muscle regions of the mesh (region kind muscle), in region order."""
        from ._tissue import TissueKind

        return [r.name for r in self.mesh.regions.all() if r.kind == TissueKind.muscle]

    def change(self, group: str, name: str, relative: bool = False) -> float:
        """Last minus first recorded (non-NaN) value of a series; ``relative``: divided by the first."""
        import numpy as np

        v = np.asarray(self.series(group, name), dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return float("nan")
        d = float(v[-1] - v[0])
        return d / float(v[0]) if relative else d

    def table(self, name: str, groups: Optional[list] = None) -> dict:
        """``{group: values (T,)}`` of one quantity for the groups that recorded it (default: all)."""
        return {g: self.series(g, name) for g in (groups if groups is not None else self.groups)
                if self.has_series(g, name)}

    def units(self, group: str, name: str) -> str:
        """Unit string of one series."""
        return self.reader.series(group, name).units

    # --- fields ---------------------------------------------------------------------------
    @property
    def fields(self) -> list:
        """Names of the recorded fields."""
        return self.reader.field_names()

    @property
    def field_times(self):
        """Snapshot times [s], float64 (S,)."""
        return self.reader.field_times()

    def field_steps(self, name: str) -> list:
        """Snapshot indices at which a field was written."""
        return self.reader.field_steps(name)

    def field_data(self, name: str, step: int = -1):
        """One snapshot as :class:`FieldData` (values, units, centre, time); step -1 = the last."""
        steps = self.reader.field_steps(name)
        if not steps:
            raise InputError(f"{self.path}: field '{name}' has no snapshots")
        return self.reader.field(name, steps[step] if step < 0 else step)

    def field(self, name: str, step: int = -1):
        """Values of one snapshot, float64 (rows, components); step -1 = the last."""
        return self.field_data(name, step).values

    # --- the rest -------------------------------------------------------------------------
    @property
    def mesh(self):
        """The mesh stored in the file (read once, then cached)."""
        if not hasattr(self, "_mesh"):
            self._mesh = self.reader.mesh()
        return self._mesh

    @property
    def events(self) -> list:
        """The event table (list of :class:`EventRecord`)."""
        return self.reader.events()

    @property
    def flags(self) -> list:
        """The safety flags (list of :class:`SafetyFlag`)."""
        return self.reader.flags()

    @property
    def meta(self) -> dict:
        """The ``/meta`` attributes as strings."""
        return self.reader.meta()

    def __repr__(self) -> str:
        return f"Results({self.path!r}, {len(self.time)} series rows, fields {self.fields})"


class _TextBar:
    """A minimal one-line progress bar on stderr, used when tqdm is not installed."""

    def __init__(self, file=None):
        self.file = file or sys.stderr
        self.last = 0.0

    def __call__(self, fraction: float, status: str) -> None:
        now = _time.monotonic()
        if fraction < 1.0 and now - self.last < 0.2:
            return
        self.last = now
        filled = int(round(30 * fraction))
        self.file.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {100 * fraction:5.1f}%  {status:<24}")
        if fraction >= 1.0:
            self.file.write("\n")
        self.file.flush()

    def close(self) -> None:
        pass


class _TqdmBar:
    """Progress through tqdm.auto (a widget in notebooks, a text bar in terminals)."""

    def __init__(self, tqdm):
        self.bar = tqdm(total=1000, unit="‰", bar_format="{l_bar}{bar}| {elapsed}<{remaining}")
        self.done = 0

    def __call__(self, fraction: float, status: str) -> None:
        target = int(round(1000 * min(max(fraction, 0.0), 1.0)))
        if target > self.done:
            self.bar.update(target - self.done)
            self.done = target
        self.bar.set_description(status, refresh=False)

    def close(self) -> None:
        self.bar.close()


def _progress_bar():
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto shows a widget in notebooks only with them)

        from tqdm.auto import tqdm
    except ImportError:
        try:
            from tqdm.std import tqdm  # a text bar (in notebooks too)
        except ImportError:
            return _TextBar()
    try:
        return _TqdmBar(tqdm)
    except ImportError:  # a notebook without ipywidgets: tqdm.auto picks the widget bar, which needs them
        from tqdm.std import tqdm as text_tqdm

        return _TqdmBar(text_tqdm)


def _quiet(fraction: float, status: str) -> None:
    """A progress callback that shows nothing (the run checks for Ctrl-C when it calls it)."""


def run_session(
    session: Union[str, os.PathLike, SessionSpec],
    output: Union[str, os.PathLike, None] = None,
    resolution: Optional[str] = None,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[float, str], None]] = True,
    overwrite: bool = False,
    model: Union[Model, str, os.PathLike, None] = None,
    observers: Sequence[Callable] = (),
    resume: bool = False,
) -> Results:
    """Runs a session like ``tissue run`` and returns its :class:`Results`.

    session:    a session file path (TOML), a :class:`SessionSpec` or :class:`Session` (not modified).
    output:     results file (.h5, with an .xdmf companion); None writes into a new temporary
                directory (see ``Results.path``).
    resolution: "coarse", "default" or "fine" overrides the session's model resolution.
    threads:    element-loop threads; None uses the session's [run] threads (0 = all cores).
    progress:   True shows a progress bar (tqdm when importable, notebook-friendly; else a text
                bar on stderr), False shows nothing, a callable(fraction, status) is called
                instead. Ctrl-C stops the run at its next macro step (KeyboardInterrupt), after
                writing a checkpoint (``resume=True`` continues it).
    overwrite:  replace an existing output file (else InputError if it exists).
    resume:     continue a killed, failed or interrupted run into ``output`` from its checkpoint
                (``checkpoint_path(output)``; written every [run] checkpoint_every, on failure and on
                KeyboardInterrupt, removed when the run completes), like ``tissue run --resume``.
    model:      a :class:`Model` (reused, e.g. across a parameter study), a resolution name, a Gmsh
                .msh path, or None: built from the session's [model] table.
    observers:  callables observer(step: SessionStep) called after every macro step (with the GIL);
                they may return (group, name, value, units) tuples or call step.add_series(...).

    Raises InputError (ValueError) on bad input and NumericalError (RuntimeError) on a numerical
    failure. The returned Results keeps the RunSummary in ``.summary``.
    """
    if isinstance(session, SessionSpec):
        spec = session.copy()
    else:
        spec = read_session_file(os.fspath(session))
    if resolution is not None:
        parse_resolution(resolution)  # InputError naming the valid names
        spec.model.resolution = resolution
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            _tissue._raise_input_error("threads",
                                       f"must be 0 (all cores) or a positive integer, got {threads!r}")
        spec.run.threads = threads

    if resume and (output is None or overwrite):
        _tissue._raise_input_error("resume", "needs the output file of the run to continue, without overwrite")
    if output is None:
        output = os.path.join(tempfile.mkdtemp(prefix="tissue-"), "run.h5")
    output = os.fspath(output)
    parent = os.path.dirname(output)
    if parent:
        os.makedirs(parent, exist_ok=True)

    bar = None
    if progress is True:
        bar = _progress_bar()
        callback = bar
    elif callable(progress):
        callback = progress
    else:
        callback = _quiet  # still lets Ctrl-C (KeyboardInterrupt) stop the run at its next macro step

    from .session import load_model

    model = load_model(model, spec.model)
    # threads < 1: the Simulation takes the session's [run] threads, else all hardware threads.
    context = RunContext(threads=0, progress=callback)
    try:
        simulation = Simulation(model, spec, context)
        for observer in observers:
            simulation.add_observer(observer)
        checkpoint = checkpoint_path(output)
        simulation.set_checkpoint_file(checkpoint)
        if resume:
            state = read_checkpoint(checkpoint)
            with reopen_results_at(output, state.time) as writer:
                summary = simulation.resume(writer, state)
        else:
            if os.path.exists(checkpoint):
                os.remove(checkpoint)  # a stale one of an earlier run must not be resumed
            with ResultsWriter(output, OpenMode.overwrite if overwrite else OpenMode.create_new) as writer:
                summary = simulation.run(writer)
        if os.path.exists(checkpoint):
            os.remove(checkpoint)  # the run is complete
    finally:
        if bar is not None:
            bar.close()
    return Results(output, summary)


def __getattr__(name: str):
    """Imports :mod:`tissue.plot` on first use (``tissue.plot.tone(...)`` without importing it first)."""
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'tissue' has no attribute {name!r}")
