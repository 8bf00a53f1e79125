"""Tests of the Python bindings (module tissue, extension tissue._tissue).

The module is looked up in this order: $TISSUE_PYTHONPATH, <repo>/build/python (the CMake build
tree, configured with -DTISSUE_BUILD_PYTHON=ON), then an installed `tissue` (pip install .).
Everything is skipped with the reason when none of them imports.

Two runs of the coarse lumbar-hip model (static compression, 10 N, 2 load steps, one thread) are
shared by the tests: one into a MemorySink (with a progress callback and a Python thread that
counts while the solver runs), one into a ResultsWriter in a temporary folder.
"""

import threading
import time

import pytest

np = pytest.importorskip("numpy")

from tissue_finder import REPO, import_tissue  # noqa: E402


tissue = import_tissue()

TARGET = "erector_spinae_right"


def _spec(steps=2):
    spec = tissue.SessionSpec()
    spec.model.resolution = "coarse"
    spec.run.threads = 1
    spec.techniques.append(tissue.StaticCompressionSpec(target=TARGET, force=10.0, steps=steps))
    return spec


@pytest.fixture(scope="module")
def model():
    return tissue.Model.lumbar_hip("coarse")


@pytest.fixture(scope="module")
def memory_run(model):
    """Runs into a MemorySink; records progress calls and ticks of a Python thread."""
    progress = []
    ticks = []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    ctx = tissue.RunContext(threads=1, progress=lambda f, s: progress.append((f, s)))
    sim = tissue.Simulation(model, _spec(), ctx)
    sink = tissue.MemorySink()
    thread = threading.Thread(target=counter)
    thread.start()
    try:
        t0 = time.perf_counter()
        summary = sim.run(sink)
        t1 = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    return dict(sink=sink, summary=summary, progress=progress, ticks=ticks, t0=t0, t1=t1)


@pytest.fixture(scope="module")
def file_run(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("bindings") / "run.h5"
    with tissue.ResultsWriter(path, tissue.OpenMode.create_new) as writer:
        summary = tissue.Simulation(model, _spec(), tissue.RunContext(threads=1)).run(writer)
    return dict(path=path, summary=summary)


# --- units and errors -----------------------------------------------------------------------


def test_quantity_and_units():
    assert tissue.quantity("30 N") == pytest.approx(30.0)
    assert tissue.quantity("5 cm/s", "velocity") == pytest.approx(0.05)
    assert tissue.quantity("42 degC", tissue.units.temperature) == pytest.approx(315.15)
    q = tissue.units.parse("2 kPa")
    assert q.value == pytest.approx(2000.0) and q.dim == tissue.units.pressure
    assert tissue.units.parse_as("7 min", tissue.units.time) == pytest.approx(420.0)


def test_bad_unit_is_input_error_with_cpp_message():
    with pytest.raises(tissue.InputError) as info:
        tissue.units.parse_as("30 Nx", tissue.units.force, "technique[0].force")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.field == "technique[0].force"
    assert "unknown unit 'Nx'" in e.message
    assert str(e) == f"{e.field}: {e.message}"  # what() without a location
    with pytest.raises(tissue.InputError, match=r"^force: expected a force \(N\)"):
        tissue.quantity("3 m", "force", field="force")


def test_unknown_region_in_session_text(model):
    text = (
        "[model]\nresolution = \"coarse\"\n\n"
        "[[technique]]\ntype = \"static_compression\"\ntarget = \"no_such_muscle\"\nforce = \"10 N\"\n"
    )
    spec = tissue.parse_session(text, "session.toml")
    with pytest.raises(tissue.InputError) as info:
        tissue.Simulation(model, spec)
    e = info.value
    assert e.field == "technique[0].target"
    assert e.file == "session.toml" and e.line > 0
    assert e.message.startswith("unknown muscle 'no_such_muscle'; regions of this model: skin, fat")
    assert str(e) == f"session.toml:{e.line}:{e.column}: {e.field}: {e.message}"


def test_implausible_and_non_finite_values_are_rejected_with_the_range():
    head = "[[technique]]\ntype = \"stroking\"\ntarget = \"x\"\n"
    with pytest.raises(tissue.InputError) as info:
        tissue.parse_session(head + "force = \"1e9 N\"\n", "s.toml")
    assert info.value.field == "technique[0].force"
    assert "outside the plausible range 0 N .. 300 N" in info.value.message
    with pytest.raises(tissue.InputError, match="not a finite number"):
        tissue.parse_session(head + "force = \"nan N\"\n", "s.toml")
    stroking = next(t for t in tissue.technique_catalogue() if t.name == "stroking")
    force = {k.key: k for k in stroking.keys}["force"]
    assert force.range == "0 N .. 300 N"


def test_session_file_errors_carry_location():
    with pytest.raises(tissue.InputError) as info:
        tissue.parse_session(
            "[[technique]]\ntype = \"static_compression\"\ntarget = \"x\"\nforce = \"10 kg\"\n", "s.toml"
        )
    assert str(info.value).startswith("s.toml:4:")
    assert info.value.field == "technique[0].force"
    with pytest.raises(ValueError, match="unknown resolution"):
        tissue.Model.lumbar_hip("medium")


# --- mesh -----------------------------------------------------------------------------------


def test_mesh_arrays_view_cpp_memory(model):
    mesh = model.mesh
    nodes, cells, region, fibres = mesh.nodes, mesh.cells, mesh.region, mesh.fibres
    assert nodes.shape == (mesh.n_nodes(), 3) and nodes.dtype == np.float64
    assert cells.shape == (mesh.n_cells(), 8) and np.issubdtype(cells.dtype, np.integer)
    assert region.shape == (mesh.n_cells(),) and np.issubdtype(region.dtype, np.integer)
    assert fibres.shape == (mesh.n_cells(), 3)
    assert not nodes.flags.writeable and not nodes.flags.owndata
    # metres: a lower back is a few decimetres across, the skin is at z = 0
    extent = nodes.max(axis=0) - nodes.min(axis=0)
    assert 0.1 < extent[0] < 1.0 and 0.1 < extent[1] < 1.0 and nodes[:, 2].max() == pytest.approx(0.0, abs=1e-9)
    assert cells.min() >= 0 and cells.max() < mesh.n_nodes()
    assert set(np.unique(region)) <= set(range(len(mesh.regions)))
    assert mesh.regions.id(TARGET) == mesh.regions.names.index(TARGET)
    assert mesh.node_set("bone_all").nodes.size > 0
    skin = mesh.facet_set("skin")
    assert skin.nodes.shape == (len(skin), 4) and skin.cell.shape == (len(skin),)
    # The view keeps its owner alive.
    view = tissue.Model.lumbar_hip("coarse").mesh.nodes
    import gc

    gc.collect()
    assert view.shape == nodes.shape and np.array_equal(view, nodes)


def test_box_mesh_and_generator():
    box = tissue.make_box_mesh(hi=(0.1, 0.05, 0.02), nx=4, ny=2, nz=1)
    assert box.n_cells() == 8 and box.n_nodes() == 5 * 3 * 2
    assert box.nodes.max(axis=0) == pytest.approx([0.1, 0.05, 0.02])
    tet = tissue.make_box_mesh(tissue.BoxMeshOptions(cell_type=tissue.CellType.tet4))
    assert tet.cells.shape == (6, 4)
    assert tissue.generate_lumbar_hip(tissue.Resolution.coarse).n_cells() == tissue.generate_lumbar_hip("coarse").n_cells()
    with pytest.raises(TypeError, match="unexpected keyword"):
        tissue.BoxMeshOptions(nq=3)


def test_read_msh():
    path = REPO / "tests" / "data" / "two_blocks_ascii.msh"
    if not path.is_file():
        pytest.skip("tests/data/two_blocks_ascii.msh is missing")
    mesh = tissue.read_msh(str(path), tissue.MshReadOptions(length_scale=1e-3))
    assert mesh.n_cells() > 0 and len(mesh.regions) >= 1
    with pytest.raises(tissue.InputError, match="bad_version.msh"):
        tissue.read_msh(str(REPO / "tests" / "data" / "bad_version.msh"))


# --- runs -----------------------------------------------------------------------------------


def test_run_into_memory_sink(memory_run, model):
    sink, summary = memory_run["sink"], memory_run["summary"]
    assert summary.applied_force == pytest.approx(10.0)
    assert summary.n_cells == model.mesh.n_cells() and summary.steps >= 2
    assert [r.region for r in summary.regions] == model.mesh.regions.names
    peaks = {r.region: r for r in summary.regions}
    assert peaks[TARGET].peak_displacement > 0
    assert sink.mesh is not None and sink.mesh.n_nodes() == model.mesh.n_nodes()
    time_ = sink.series_time
    force = sink.series("session", "tool_force")
    assert time_.shape == force.shape and time_[0] == 0 and force[-1] == pytest.approx(10.0)
    u = sink.find_field("displacement", len(sink.field_times) - 1)  # the last snapshot: loaded
    assert u.values.shape == (model.mesh.n_nodes(), 3) and u.units == "m"
    assert np.linalg.norm(u.values, axis=1).max() >= peaks[TARGET].peak_displacement * (1 - 1e-12)
    assert [e.name for e in sink.events] == ["static_compression"]


def test_progress_callback_fractions(memory_run):
    fractions = [f for f, _ in memory_run["progress"]]
    assert len(fractions) >= 2
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(b >= a for a, b in zip(fractions, fractions[1:]))
    assert fractions[0] < 1.0 and fractions[-1] == pytest.approx(1.0)
    assert all(isinstance(s, str) and s for _, s in memory_run["progress"])


def test_gil_released_during_run(memory_run):
    t0, t1, ticks = memory_run["t0"], memory_run["t1"], memory_run["ticks"]
    # Ticks strictly inside the middle half of the run: impossible if run() held the GIL
    # (the progress callback only runs at the ends of load steps).
    lo, hi = t0 + 0.25 * (t1 - t0), t1 - 0.25 * (t1 - t0)
    inside = [t for t in ticks if lo < t < hi]
    assert len(inside) > 0, f"no Python thread activity during {t1 - t0:.2f} s of run()"


def test_run_into_results_writer(file_run, memory_run, model):
    h5py = pytest.importorskip("h5py")
    path = file_run["path"]
    assert path.is_file() and path.with_suffix(".xdmf").is_file()
    sink = memory_run["sink"]
    with h5py.File(path, "r") as f:
        nodes = f["mesh/nodes"]
        assert nodes.shape == (model.mesh.n_nodes(), 3) and nodes.attrs["units"] in ("m", b"m")
        np.testing.assert_array_equal(nodes[()], model.mesh.nodes)
        np.testing.assert_allclose(f["series/time"][()], sink.series_time, rtol=0, atol=0)
        for group in ("session", TARGET):
            for name in f[f"series/{group}"]:
                np.testing.assert_allclose(f[f"series/{group}/{name}"][()], sink.series(group, name), rtol=1e-12)
        u_file = f["fields/displacement/000000"][()]
    np.testing.assert_allclose(u_file, sink.find_field("displacement", 0).values, rtol=1e-12, atol=1e-15)


def test_results_reader_and_results(file_run, memory_run):
    reader = tissue.ResultsReader(file_run["path"])
    s = reader.series("session", "tool_force")
    assert s.units == "N" and s.values.dtype == np.float64
    np.testing.assert_array_equal(s.values, memory_run["sink"].series("session", "tool_force"))
    f = reader.field("displacement", reader.field_steps("displacement")[-1])
    assert f.values.shape[1] == 3 and f.units == "m" and f.center == tissue.FieldCenter.node
    mesh = reader.mesh()
    assert mesh.cells.shape == memory_run["sink"].mesh.cells.shape
    res = tissue.Results(file_run["path"])
    assert res.units(TARGET, "displacement_max") == "m"
    assert res.series(TARGET, "displacement_max").shape == res.time.shape
    assert "displacement" in res.fields and res.field("displacement").shape == (mesh.n_nodes(), 3)
    assert TARGET in res.regions and res.events[0].region == TARGET
    with pytest.raises(tissue.InputError):
        res.series(TARGET, "no_such_series")


def test_sink_api_from_python(tmp_path):
    h5py = pytest.importorskip("h5py")
    mesh = tissue.make_box_mesh(nx=2)
    path = tmp_path / "py.h5"
    values = np.arange(mesh.n_nodes() * 3, dtype=float).reshape(-1, 3) * 1e-3
    with tissue.ResultsWriter(path) as w:
        w.write_meta("note", "written from Python")
        w.write_mesh(mesh)
        w.write_field("displacement", 0.5, tissue.FieldCenter.node, values, "m")
        w.append_series(0.5, [tissue.SeriesValue("block", "tone", 0.25, "1")])
        w.append_events([tissue.EventRecord(name="rest", t0=0.0, t1=0.5)])
    with pytest.raises(tissue.InputError):
        tissue.ResultsWriter(path)  # create_new refuses an existing file
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["fields/displacement/000000"][()], values)
        assert f["series/block/tone"][()].tolist() == [0.25]


def test_run_session_convenience(tmp_path):
    session = tmp_path / "s.toml"
    session.write_text(
        "[model]\nresolution = \"coarse\"\n[run]\nthreads = 1\n"
        "[[technique]]\ntype = \"static_compression\"\ntool = \"thumb\"\n"
        f"target = \"{TARGET}\"\nforce = \"10 N\"\nsteps = 1\n"
    )
    calls = []
    res = tissue.run_session(session, output=tmp_path / "out" / "r.h5", progress=lambda f, s: calls.append(f))
    assert isinstance(res, tissue.Results) and res.summary.applied_force == pytest.approx(10.0)
    assert calls and calls[-1] == pytest.approx(1.0)
    assert res.meta["session"].startswith("[model]")
    assert res.series("session", "tool_force")[-1] == pytest.approx(10.0)


def test_plots(memory_run, file_run, model):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tissue import plot

    res = tissue.Results(file_run["path"])
    plot.series(res, "displacement_max", groups=[TARGET, "skin"], scale=1e3, unit_label="mm")
    plot.series(memory_run["sink"], "tool_force")
    plot.field_section(res, "von_mises", axis="x")
    plot.field_section(memory_run["sink"], "displacement", axis="y")
    plot.tool_path(model.mesh, session=_spec())
    plot.tool_path(res.mesh, events=res.events)
    plt.close("all")


def test_docstrings():
    for name in ("Mesh", "Model", "Simulation", "ResultsWriter", "MemorySink", "ResultsReader", "SessionSpec"):
        assert getattr(tissue, name).__doc__
    assert "GIL" in tissue.Simulation.run.__doc__
    assert tissue.make_box_mesh.__doc__ and tissue.read_msh.__doc__
