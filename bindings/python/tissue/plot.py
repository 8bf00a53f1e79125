"""Plots of libtissue results with matplotlib (imported lazily, only when a plot is made).

Views, each returning the matplotlib ``Axes`` it drew on (or an array of them):

* :func:`series` -- per-region time series with the technique periods shaded (from the events);
* :func:`tone`, :func:`elasticity`, :func:`temperature`, :func:`muscle_quantity` -- one quantity per
  muscle over time with the technique periods shaded; :func:`muscle_curves` -- tone, elasticity and
  temperature stacked. A quantity the results do not hold gives a panel with a note instead of an
  error (tone and elasticity need the tone law and the elastography/myotonometer observers);
* :func:`field_section` -- a cell field on a cross-section of the mesh (cell centres near a plane,
  coloured by the value); :func:`temperature_map` -- the temperature in degC on a cross-section;
* :func:`tool_path` -- the skin outline seen from behind, the target regions and where the tool
  acts (the sampled path of every technique of a session, or footprint ellipses and the path
  joining them).

The ``source`` of :func:`series` and :func:`field_section` may be a :class:`tissue.Results`, a
results file path, a :class:`tissue.ResultsReader` or a :class:`tissue.MemorySink`.
"""

from __future__ import annotations

import os
from typing import Iterable, Optional, Sequence

import numpy as np

__all__ = [
    "series",
    "muscle_quantity",
    "tone",
    "elasticity",
    "temperature",
    "muscle_curves",
    "field_section",
    "temperature_map",
    "tool_path",
    "cell_centres",
    "shade_events",
]

#: Celsius offset [K].
KELVIN = 273.15

#: How each muscle quantity is shown: (label, scale, unit shown, offset).
_SHOWN = {
    "tone": ("tone", 1.0, "-", 0.0),
    "shear_modulus": ("shear modulus", 1e-3, "kPa", 0.0),
    "shear_wave_speed": ("shear-wave speed along fibres", 1.0, "m/s", 0.0),
    "shear_wave_speed_across": ("shear-wave speed across fibres", 1.0, "m/s", 0.0),
    "myoton_frequency": ("MyotonPRO frequency", 1.0, "Hz", 0.0),
    "myoton_stiffness": ("MyotonPRO stiffness", 1.0, "N/m", 0.0),
    "myoton_decrement": ("MyotonPRO decrement", 1.0, "-", 0.0),
    "myoton_relaxation_time": ("MyotonPRO relaxation time", 1e3, "ms", 0.0),
    "myoton_creep": ("MyotonPRO creep", 1.0, "-", 0.0),
    "temperature_mean": ("mean temperature", 1.0, "degC", -KELVIN),
    "temperature_max": ("peak temperature", 1.0, "degC", -KELVIN),
    "perfusion_mean": ("perfusion", 1e3, "1/ms", 0.0),
    "peak_pressure": ("peak pressure", 1e-3, "kPa", 0.0),
}

_AXES = {"x": 0, "y": 1, "z": 2}


def _pyplot():
    import matplotlib.pyplot as plt  # lazy: importing tissue never needs matplotlib

    return plt


def _axes(ax):
    return ax if ax is not None else _pyplot().subplots()[1]


class _Source:
    """Uniform read access to Results, ResultsReader, MemorySink or a path."""

    def __init__(self, source):
        from . import MemorySink, ResultsReader, Results

        if isinstance(source, (str, os.PathLike)):
            source = Results(source)
        if isinstance(source, Results):
            source = source.reader
        self.memory = isinstance(source, MemorySink)
        if not self.memory and not isinstance(source, ResultsReader):
            raise TypeError("expected tissue.Results, ResultsReader, MemorySink or a results file path")
        self.src = source

    def time(self):
        return np.asarray(self.src.series_time if self.memory else self.src.series_time())

    def groups(self):
        if self.memory:
            seen = []
            for c in self.src.series_columns:
                if c.group not in seen:
                    seen.append(c.group)
            return seen
        return self.src.series_groups()

    def has_series(self, group, name):
        if self.memory:
            return any(c.group == group and c.name == name for c in self.src.series_columns)
        return name in self.src.series_names(group)

    def series(self, group, name):
        if self.memory:
            units = next(c.units for c in self.src.series_columns if c.group == group and c.name == name)
            return np.asarray(self.src.series(group, name)), units
        s = self.src.series(group, name)
        return np.asarray(s.values), s.units

    def events(self):
        return self.src.events if self.memory else self.src.events()

    def mesh(self):
        if not hasattr(self, "_mesh"):
            self._mesh = self.src.mesh if self.memory else self.src.mesh()
        return self._mesh

    def muscles(self):
        from . import TissueKind

        return [r.name for r in self.mesh().regions.all() if r.kind == TissueKind.muscle]

    def field(self, name, step):
        if self.memory:
            snaps = [s for s in self.src.snapshots if s.name == name]
            if not snaps:
                raise KeyError(f"no field '{name}' in the sink")
            snap = snaps[step] if step < 0 else next(s for s in snaps if s.step == step)
            return np.asarray(snap.values), snap.units, snap.time
        steps = self.src.field_steps(name)
        f = self.src.field(name, steps[step] if step < 0 else step)
        return np.asarray(f.values), f.units, f.time


def shade_events(ax, events: Iterable, alpha: float = 0.12, label: bool = True):
    """Shades each event's [t0, t1] on ``ax`` and writes its name at the top (if ``label``)."""
    colours = {}
    for ev in events:
        if ev.t1 <= ev.t0:
            continue
        colour = colours.setdefault(ev.name, f"C{len(colours) % 10}")
        ax.axvspan(ev.t0, ev.t1, color=colour, alpha=alpha, lw=0)
        if label:
            text = ev.name.replace("_", " ") + (f"\n{ev.region}" if ev.region else "")
            ax.text(0.5 * (ev.t0 + ev.t1), 0.98, text, transform=ax.get_xaxis_transform(), ha="center",
                    va="top", fontsize="x-small", color=colour)


def series(source, name: str, groups: Optional[Sequence[str]] = None, ax=None, shade: bool = True,
           scale: float = 1.0, unit_label: Optional[str] = None):
    """Plots one quantity over time for several series groups (regions), shading technique periods.

    source:     Results, results path, ResultsReader or MemorySink.
    name:       quantity, e.g. "displacement_max", "peak_pressure", "tool_force".
    groups:     groups to draw (default: every group that recorded `name`).
    scale:      factor applied to the values (e.g. 1e3 for mm); `unit_label` then names the unit.
    """
    src = _Source(source)
    ax = _axes(ax)
    t = src.time()
    units = ""
    drawn = 0
    for g in groups if groups is not None else src.groups():
        if not src.has_series(g, name):
            continue
        values, units = src.series(g, name)
        ax.plot(t, scale * values, marker="." if len(t) < 30 else None, label=g)
        drawn += 1
    if drawn == 0:
        raise KeyError(f"no series group recorded '{name}'")
    if shade:
        shade_events(ax, src.events())
    ax.set_xlabel("time [s]")
    ax.set_ylabel(f"{name} [{unit_label or units}]")
    if drawn > 1:
        ax.legend(fontsize="small", ncol=2)
    return ax


def _note(ax, text: str):
    """Writes a note in the middle of an empty panel (a quantity that was not recorded)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize="small", color="0.4",
            wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def muscle_quantity(source, name: str, muscles: Optional[Sequence[str]] = None, ax=None, shade: bool = True,
                    relative: bool = False, legend: bool = True):
    """Plots one per-muscle quantity over time (one line per muscle), technique periods shaded.

    source:   Results, results path, ResultsReader or MemorySink.
    name:     a series name of the muscle groups: "tone", "shear_modulus", "temperature_mean", ...
              (shown in readable units: kPa, degC, ms; see ``_SHOWN``).
    muscles:  region names (default: every muscle region that recorded ``name``).
    relative: plot the change from the first value instead (same units).
    If no muscle recorded ``name`` the panel carries a note instead (no error), so the same code
    works before and after the tone and elasticity series exist.
    """
    src = _Source(source)
    ax = _axes(ax)
    label, scale, unit, offset = _SHOWN.get(name, (name.replace("_", " "), 1.0, "", 0.0))
    groups = list(muscles) if muscles is not None else src.muscles()
    present = [g for g in groups if src.has_series(g, name)]
    if not present:
        _note(ax, f"'{name}' is not recorded in these results" + (" for " + ", ".join(groups) if muscles else ""))
        ax.set_title(label, fontsize="medium")
        return ax
    t = src.time()
    for g in present:
        values, units = src.series(g, name)
        if not unit:
            unit = units
        v = scale * values + (0.0 if relative else offset)
        if relative:
            finite = v[np.isfinite(v)]
            v = v - (finite[0] if finite.size else 0.0)
        ax.plot(t, v, marker="." if len(t) < 30 else None, label=g.replace("_", " "))
    if shade:
        shade_events(ax, src.events())
    ax.set_xlabel("time [s]")
    ax.set_ylabel(f"{'change of ' if relative else ''}{label} [{unit}]")
    if legend and len(present) > 1:
        ax.legend(fontsize="small", ncol=2)
    return ax


def tone(source, muscles: Optional[Sequence[str]] = None, ax=None, **kwargs):
    """Muscle tone (0..1) per muscle over time; a note if the run has no tone series."""
    return muscle_quantity(source, "tone", muscles, ax=ax, **kwargs)


def elasticity(source, muscles: Optional[Sequence[str]] = None, ax=None, quantity: str = "shear_modulus",
               **kwargs):
    """Elasticity per muscle over time: the shear modulus [kPa] (or ``quantity``: "shear_wave_speed",
    "myoton_stiffness", "myoton_frequency", ...); a note if the run did not record it."""
    return muscle_quantity(source, quantity, muscles, ax=ax, **kwargs)


def temperature(source, muscles: Optional[Sequence[str]] = None, ax=None, which: str = "temperature_mean",
                **kwargs):
    """Mean (or ``which="temperature_max"``) temperature per muscle in degC over time."""
    return muscle_quantity(source, which, muscles, ax=ax, **kwargs)


def muscle_curves(source, muscles: Optional[Sequence[str]] = None,
                  quantities: Sequence[str] = ("tone", "shear_modulus", "temperature_mean"), axes=None,
                  relative: bool = False, figsize=None):
    """Tone, elasticity and temperature (or ``quantities``) per muscle, stacked with a shared time
    axis and the technique periods shaded. Returns the array of Axes. Missing quantities get a note."""
    if axes is None:
        plt = _pyplot()
        fig, axes = plt.subplots(len(quantities), 1, sharex=True, squeeze=False,
                                 figsize=figsize or (8, 2.4 * len(quantities)))
        axes = axes[:, 0]
    for i, (q, ax) in enumerate(zip(quantities, axes)):
        muscle_quantity(source, q, muscles, ax=ax, relative=relative, legend=(i == 0))
        if i < len(quantities) - 1:
            ax.set_xlabel("")
    return axes


def cell_centres(mesh) -> np.ndarray:
    """Centres of the cells (mean of their nodes) [m], float64 (E, 3)."""
    return np.asarray(mesh.nodes)[np.asarray(mesh.cells)].mean(axis=1)


def _cell_values(mesh, values: np.ndarray, component) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim == 2:
        values = np.linalg.norm(values, axis=1) if component is None else values[:, component]
    if values.shape[0] == mesh.n_nodes() and values.shape[0] != mesh.n_cells():
        values = values[np.asarray(mesh.cells)].mean(axis=1)  # node field: cell means
    if values.shape[0] != mesh.n_cells():
        raise ValueError(f"{values.shape[0]} values for a mesh with {mesh.n_cells()} cells")
    return values


def field_section(source, field: str = "von_mises", step: int = -1, axis: str = "x",
                  at: Optional[float] = None, component: Optional[int] = None, mesh=None, ax=None,
                  cmap: str = "viridis", size: float = 12.0):
    """Draws a cell field on the cross-section `axis` = `at` [m] as coloured cell centres.

    source:    Results, results path, ResultsReader or MemorySink -- or a NumPy array of values
               (then `mesh` is required).
    field:     field name, e.g. "von_mises", "pressure", "displacement" (node fields are averaged
               to cells; vectors and tensors use |.| unless `component` is given).
    axis, at:  the plane, e.g. axis="x", at=0.05 (default: the middle of the mesh along `axis`).
               Cells whose centres lie within half a cell of the plane are drawn.
    """
    if isinstance(source, np.ndarray):
        if mesh is None:
            raise ValueError("field_section(array, ...) needs mesh=")
        values, units, time = source, "", None
    else:
        src = _Source(source)
        mesh = mesh if mesh is not None else src.mesh()
        values, units, time = src.field(field, step)
    k = _AXES[axis]
    centres = cell_centres(mesh)
    v = _cell_values(mesh, values, component)
    if at is None:
        at = 0.5 * (centres[:, k].min() + centres[:, k].max())
    # Slab half-width: half the median cell extent along the axis.
    nodes = np.asarray(mesh.nodes)[np.asarray(mesh.cells)][:, :, k]
    half = 0.5 * float(np.median(nodes.max(axis=1) - nodes.min(axis=1)))
    sel = np.abs(centres[:, k] - at) <= half + 1e-12
    if not sel.any():
        raise ValueError(f"no cell centre within {half:g} m of {axis} = {at:g} m")
    u, w = [i for i in range(3) if i != k]
    ax = _axes(ax)
    sc = ax.scatter(centres[sel, u], centres[sel, w], c=v[sel], s=size, cmap=cmap, marker="s")
    names = "xyz"
    ax.set_xlabel(f"{names[u]} [m]")
    ax.set_ylabel(f"{names[w]} [m]")
    when = f", t = {time:g} s" if time is not None else ""
    ax.set_title(f"{field} at {axis} = {at:.3g} m{when}", fontsize="medium")
    ax.figure.colorbar(sc, ax=ax, label=f"{field} [{units}]" if units else field)
    return ax


def temperature_map(source, axis: str = "x", at=None, step: int = -1, mesh=None, ax=None, cmap: str = "inferno",
                    size: float = 14.0):
    """The temperature [degC] on a cross-section (cells near the plane ``axis`` = ``at``).

    source: Results, results path, ResultsReader or MemorySink (the "temperature" field, snapshot
            ``step``), or a NumPy array of nodal temperatures [K] with ``mesh``.
    at:     plane position [m], or a region name: the plane through the middle of that region (e.g.
            "erector_spinae_right" for a section across it); default: the middle of the mesh.
    """
    if isinstance(source, np.ndarray):
        if mesh is None:
            raise ValueError("temperature_map(array, ...) needs mesh=")
        values, time = np.asarray(source, dtype=float), None
    else:
        src = _Source(source)
        mesh = mesh if mesh is not None else src.mesh()
        values, _, time = src.field("temperature", step)
    if isinstance(at, str):
        sel = np.asarray(mesh.region) == mesh.regions.id(at)
        at = float(cell_centres(mesh)[sel, _AXES[axis]].mean())
    cells = _cell_values(mesh, values, None) - KELVIN
    ax = field_section(cells, field="temperature", axis=axis, at=at, mesh=mesh, ax=ax, cmap=cmap, size=size)
    ax.collections[-1].colorbar.set_label("temperature [degC]")
    if time is not None:
        ax.set_title(f"temperature at {axis} = {ax.get_title().split('= ')[1]}, t = {time:g} s", fontsize="medium")
    return ax


def _sample_path(item, mesh, samples: int):
    """Contact centres of a protocol item's tool over its duration (active commands only), (k, 3)."""
    from . import make_technique

    tech = make_technique(item, mesh)
    if tech is None:
        return None, None
    d = tech.duration()
    pts, first = [], None
    for t in np.linspace(0.0, d, samples):
        c = tech.command(float(t))
        if c.active:
            pts.append(np.asarray(c.pose.centre, dtype=float))
            if first is None:
                first = c
    return (np.array(pts) if pts else None), first


def tool_path(mesh, session=None, events: Optional[Iterable] = None, targets: Optional[Sequence[str]] = None,
              ax=None, samples: int = 400):
    """Draws the skin seen from behind (x to the patient's right, y to the head), the target
    regions and where the tool acts.

    mesh:     the Mesh (e.g. model.mesh or results.mesh).
    session:  a SessionSpec or Session: every technique of the protocol is built over the mesh and its
              tool centre sampled over its duration (``samples`` points) and drawn as a path, with
              the footprint at the start; version-1 presses are drawn as footprints joined in order.
    events:   alternatively, events (e.g. results.events) whose regions mark the contact centres.
    targets:  extra region names to highlight.
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Ellipse

    from . import skin_point_above_region

    ax = _axes(ax)
    nodes = np.asarray(mesh.nodes)
    skin = mesh.find_facet_set("skin")
    if skin is not None and len(skin) > 0:
        facets = np.asarray(skin.nodes)
        polys = [nodes[f[f >= 0]][:, :2] for f in facets]
        ax.add_collection(PolyCollection(polys, facecolor="0.93", edgecolor="0.8", linewidths=0.3))
    centres = cell_centres(mesh)
    region = np.asarray(mesh.region)

    points, names = [], []
    if session is not None:
        for tech in session.techniques:
            rid = mesh.regions.id(tech.target)
            c = np.asarray(skin_point_above_region(mesh, rid)) + np.asarray(tech.offset)
            points.append(c)
            names.append(tech.target)
            ax.add_patch(Ellipse((c[0], c[1]), 2 * tech.tool.b, 2 * tech.tool.a, facecolor="C3", alpha=0.25,
                                 edgecolor="C3", lw=1.0))
        kinds = {}
        for item in session.protocol:
            if item.is_rest:
                continue
            path, first = _sample_path(item, mesh, samples)
            if path is None:
                continue
            new_kind = item.type not in kinds
            colour = kinds.setdefault(item.type, f"C{(len(kinds) + 3) % 10}")
            ax.plot(path[:, 0], path[:, 1], "-", color=colour, lw=1.2, alpha=0.9,
                    label=item.type.replace("_", " ") if new_kind else None)
            if first is not None:
                ux, uy = float(first.pose.u_axis[0]), float(first.pose.u_axis[1])
                angle = np.degrees(np.arctan2(uy, ux))
                ax.add_patch(Ellipse((path[0, 0], path[0, 1]), 2 * first.footprint.a, 2 * first.footprint.b,
                                     angle=angle, facecolor=colour, alpha=0.2, edgecolor=colour, lw=0.8))
            if item.target:
                names.append(item.target)
    elif events is not None:
        for ev in events:
            if not ev.region or mesh.regions.find(ev.region) is None:
                continue
            points.append(np.asarray(skin_point_above_region(mesh, mesh.regions.id(ev.region))))
            names.append(ev.region)

    highlight = list(dict.fromkeys(list(targets or []) + names))
    for i, name in enumerate(highlight):
        sel = region == mesh.regions.id(name)
        ax.scatter(centres[sel, 0], centres[sel, 1], s=4, color=f"C{i % 10}", alpha=0.35, label=name)
    if points:
        p = np.array(points)
        ax.plot(p[:, 0], p[:, 1], "-o", color="C3", ms=5, lw=1.5, label="tool")
        for k, q in enumerate(p):
            ax.annotate(str(k + 1), (q[0], q[1]), textcoords="offset points", xytext=(4, 4), fontsize="small")
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("x [m] (patient's right)")
    ax.set_ylabel("y [m] (head)")
    if highlight or points:
        ax.legend(fontsize="small", loc="upper right")
    return ax
