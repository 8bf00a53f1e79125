"""End-to-end tests of the session API of the Python package on the coarse lumbar-hip model.

One short session (stroking, a rest, a Python technique, a heat pack, a follow-up: 4 s simulated,
one thread, no myotonometer) is run once with a Python observer and shared by the tests; the
error tests use sessions of a single rest (no mechanics). The module is found as in
test_bindings.py ($TISSUE_PYTHONPATH, <repo>/build/python, or an installed `tissue`).
"""

import gc
import pathlib

import pytest

from tissue_finder import REPO, import_tissue

np = pytest.importorskip("numpy")
tissue = import_tissue()

TARGET = "erector_spinae_right"
KELVIN = 273.15


class Press(tissue.Technique):
    """A Python technique: the thumb presses at the centre of a muscle's skin patch, ramping to `force`."""

    def __init__(self, mesh, target, force, duration, ramp=0.5):
        super().__init__()
        self.patch = tissue.SkinPatch.of_region(mesh, target)
        self.force, self.length, self.ramp = force, duration, ramp
        self.calls = 0

    def name(self):
        return "python_press"

    def target(self):
        return self.patch.region

    def duration(self):
        return self.length

    def max_dt(self, t):
        return 0.25

    def command(self, t):
        self.calls += 1
        if t < 0 or t > self.length:
            return tissue.ToolCommand.inactive()
        c = tissue.ToolCommand(footprint=tissue.Footprint.thumb(), force=self.force * min(1.0, t / self.ramp), mu=0.0)
        c.pose = tissue.ToolPose(centre=self.patch.centre, push=-np.asarray(self.patch.normal))
        return c


class Recorder:
    """A Python observer: keeps what it saw and adds the mean nodal temperature to the series."""

    def __init__(self):
        self.times, self.means, self.shapes, self.techniques, self.kept = [], [], [], [], None

    def __call__(self, step):
        self.times.append(step.t1)
        temperature = step.temperature
        self.shapes.append((temperature.shape, step.displacement.shape, step.skin_pressure.shape))
        self.techniques.append(step.technique)
        self.means.append(float(temperature.mean()))
        self.kept = step
        step.add_series("python", "step_length", step.t1 - step.t0, "s")
        return [("python", "mean_temperature", float(temperature.mean()), "K")]


def _quick(**kw):
    """A Session on the coarse model with the settings of quick test runs."""
    return tissue.Session(resolution="coarse", threads=1, dt_thermal="0.5 s", series_every=0, fields_every="1 s",
                          outputs=dict(myotonometer=False), **kw)


@pytest.fixture(scope="module")
def model():
    return tissue.Model.lumbar_hip("coarse")


@pytest.fixture(scope="module")
def run(model, tmp_path_factory):
    session = _quick(follow_up="0.5 s")
    session.add(tissue.Stroking(TARGET, force="15 N", speed="5 cm/s", duration="1 s", ramp="0.25 s"))
    session.rest("0.5 s")
    press = Press(model.mesh, TARGET, force=10.0, duration=1.0)
    session.add(press)
    session.add(tissue.HeatPack(TARGET, temperature="45 degC", duration="1 s"))
    calls = [press.calls]
    del press  # the session keeps the Python technique alive
    gc.collect()
    recorder = Recorder()
    progress = []
    path = tmp_path_factory.mktemp("session") / "run.h5"
    res = session.simulate(model, path, progress=lambda f, s: progress.append((f, s)), observers=[recorder])
    technique = session.protocol[2].options
    return dict(session=session, res=res, recorder=recorder, progress=progress, path=path, press=technique,
                calls=calls)


# --- building sessions ---------------------------------------------------------------------------


def test_factories_take_units_or_si():
    s = tissue.Stroking(target=TARGET, force="20 N", speed="7.5 cm/s", duration="90 s", lubrication="dry")
    assert isinstance(s, tissue.TechniqueSpec) and s.type == "stroking" and s.target == TARGET
    o = s.options
    assert isinstance(o, tissue.StrokingOptions)
    assert o.force == pytest.approx(20.0) and o.speed == pytest.approx(0.075) and o.duration == pytest.approx(90.0)
    assert o.mu == pytest.approx(tissue.friction.dry_skin)
    si = tissue.Stroking(TARGET, force=20.0, speed=0.075, duration=90.0)
    assert si.options.speed == pytest.approx(0.075) and si.duration() == pytest.approx(90.0)
    h = tissue.HotStone(TARGET, temperature="50 degC", heat_transfer="500 W/(m^2 K)", stone="palm", duration="2 min")
    assert h.options.temperature == pytest.approx(50 + KELVIN) and h.options.stone.name == "palm"
    assert h.duration() == pytest.approx(120.0)
    g = tissue.MassageGun(TARGET, frequency="30 Hz", stroke="12 mm", head="gun_flat")
    assert g.options.stroke == pytest.approx(0.012) and g.options.head.name == "gun_flat"
    r = tissue.Rest("30 s")
    assert r.is_rest and r.type == "rest" and r.duration() == pytest.approx(30.0)
    assert tissue.technique("kneading", TARGET, radius="1 cm").options.radius == pytest.approx(0.01)
    # Every technique of the catalogue has a factory with its keys in the signature and docstring.
    import inspect

    for info in tissue.technique_catalogue():
        name = "".join(w.capitalize() for w in info.name.split("_"))
        factory = getattr(tissue, name)
        params = inspect.signature(factory).parameters
        assert all(k.key in params for k in info.keys), info.name
        assert info.summary[1:] in factory.__doc__


def test_factory_errors_have_the_file_parser_messages():
    text = f'[session]\n[[technique]]\ntype = "stroking"\ntarget = "{TARGET}"\nforce = "-5 N"\n'
    with pytest.raises(tissue.InputError) as from_file:
        tissue.parse_session(text, "s.toml")
    with pytest.raises(tissue.InputError) as from_api:
        tissue.Stroking(TARGET, force="-5 N")
    assert from_api.value.message == from_file.value.message
    assert from_api.value.field == "stroking.force" and from_file.value.field == "technique[0].force"
    assert str(from_api.value) == f"stroking.force: {from_file.value.message}"
    with pytest.raises(tissue.InputError) as wrong_unit:
        tissue.Stroking(TARGET, speed="20 N")
    with pytest.raises(tissue.InputError) as direct:
        tissue.units.parse_as("20 N", tissue.units.velocity, "stroking.speed")
    assert str(wrong_unit.value) == str(direct.value)
    with pytest.raises(tissue.InputError, match=r"^stroking\.colour: unknown field; expected one of: .*force"):
        tissue.Stroking(TARGET, colour="red")
    with pytest.raises(tissue.InputError, match=r"^stroking\.tool: unknown tool 'spoon'; known tools: .*palm"):
        tissue.Stroking(TARGET, tool="spoon")
    with pytest.raises(tissue.InputError, match=r"^technique\.type: unknown technique 'shiatsu'"):
        tissue.technique("shiatsu", TARGET)
    with pytest.raises(tissue.InputError, match=r"^run\.dt_thermal: expected a time"):
        tissue.Session(dt_thermal="1 N")
    with pytest.raises(TypeError):
        tissue.Session().add(42)


def test_unknown_muscle_raises_the_cpp_message(model):
    session = _quick().add(tissue.Stroking("no_such_muscle", duration="3 s"))
    with pytest.raises(tissue.InputError) as info:
        tissue.Simulation(model, session)
    e = info.value
    assert e.field == "technique[0].target" and e.file == "<api>"
    assert e.message.startswith("unknown muscle 'no_such_muscle'; regions of this model: skin")
    assert str(e).endswith(f"{e.field}: {e.message}")


def test_load_scale_and_inspect_the_default_session():
    path = REPO / "data" / "sessions" / "default.toml"
    s = tissue.load_session(path)
    assert isinstance(s, tissue.Session) and isinstance(s, tissue.SessionSpec)
    spec = tissue.read_session_file(str(path))
    assert len(s.protocol) == len(spec.protocol) > 10
    assert s.duration() == pytest.approx(spec.duration())
    other = "fine" if s.model.resolution != "fine" else "coarse"
    short = s.scaled(0.01, follow_up="5 s").with_resolution(other)
    assert short.model.resolution == other and s.model.resolution == spec.model.resolution
    assert short.follow_up == pytest.approx(5.0)
    for a, b in zip(short.protocol, s.protocol):
        assert a.type == b.type and a.target == b.target
        assert a.duration() == pytest.approx(0.01 * b.duration())
    assert short.duration() == pytest.approx(0.01 * (s.duration() - s.follow_up) + 5.0)
    assert "hot_stone" in short.table() and "follow_up" in short.table()
    # A Session goes through copies and back into C++ unchanged.
    twin = tissue.Session.of(short)
    assert [i.type for i in twin.items()] == [i.type for i in short.items()]


def test_custom_technique_validation(model):
    class NoDuration(tissue.Technique):
        def command(self, t):
            return tissue.ToolCommand.inactive()

        def duration(self):
            return 0.0

    session = _quick().add(NoDuration())
    assert session.protocol[0].is_custom and session.protocol[0].type == "NoDuration"
    with pytest.raises(tissue.InputError, match=r"technique\[0\]\.duration: must be positive"):
        tissue.Simulation(model, session)


# --- the shared run ---------------------------------------------------------------------------------


def test_run_end_to_end(run, model):
    res, session = run["res"], run["session"]
    assert isinstance(res, tissue.Results) and pathlib.Path(res.path) == run["path"]
    s = res.summary
    assert s.simulated_time == pytest.approx(session.duration()) == pytest.approx(4.0)
    assert s.applied_force == pytest.approx(15.0)
    assert [(e.name, e.region) for e in res.events] == [
        ("stroking", TARGET), ("rest", ""), ("python_press", TARGET), ("heat_pack", TARGET), ("follow_up", "")]
    assert [e.t0 for e in res.events] == pytest.approx([0.0, 1.0, 1.5, 2.5, 3.5])
    # Progress: increasing fractions ending at 1.
    fractions = [f for f, _ in run["progress"]]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def test_arrays_shapes_units_values(run, model):
    res = run["res"]
    t = res.time
    assert t.dtype == np.float64 and t.shape == (9,)  # t = 0 and every 0.5 s macro step
    assert t == pytest.approx(np.arange(9) * 0.5)
    mesh = model.mesh
    assert TARGET in res.muscles and "skin" not in res.muscles
    for name, unit in [("temperature_mean", "K"), ("peak_pressure", "Pa"), ("tone", "1"), ("shear_modulus", "Pa")]:
        if name in ("tone", "shear_modulus") and not res.has_series(TARGET, name):
            continue  # recorded by the standard outputs of newer builds
        v = res.series(TARGET, name)
        assert v.shape == t.shape and res.units(TARGET, name) == unit
    temp = res.series(TARGET, "temperature_mean")
    assert np.all((temp > 30 + KELVIN) & (temp < 40 + KELVIN))
    force = res.series("session", "tool_force")
    assert res.units("session", "tool_force") == "N"
    assert force[1] == pytest.approx(15.0) and force[2] == pytest.approx(0.0)  # stroking: plateau, ramped out
    assert force[4] == pytest.approx(10.0) and force[5] == pytest.approx(10.0)  # the Python press at 10 N
    assert force[-1] == pytest.approx(0.0)
    u = res.field("displacement", 0)
    assert u.shape == (mesh.n_nodes(), 3) and res.field_data("displacement").units == "m"
    T = res.field("temperature")
    assert T.shape[0] == mesh.n_nodes() and res.field_data("temperature").units == "K"
    assert res.field_times == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])
    # The heat pack warmed the skin under it: the last skin maximum is above the first.
    skin_max = res.series("skin", "temperature_max")
    assert skin_max[7] > skin_max[5]
    assert res.change("skin", "temperature_max") == pytest.approx(skin_max[-1] - skin_max[0])


def test_python_technique_is_called_and_kept_alive(run):
    press = run["press"]
    assert isinstance(press, Press)  # the very Python object came back from the protocol
    assert press.calls > run["calls"][0]
    assert run["session"].protocol[2].is_custom and run["session"].protocol[2].type == "python_press"


def test_python_observer(run):
    rec, res = run["recorder"], run["res"]
    n = run["res"].mesh.n_nodes()
    assert rec.times == pytest.approx(list(np.arange(1, 9) * 0.5))
    assert all(shape == ((n,), (n, 3), shape[2]) for shape in rec.shapes)
    assert rec.techniques[0] == "stroking" and rec.techniques[3] == "python_press" and rec.techniques[-1] is None
    values = res.series("python", "mean_temperature")
    assert res.units("python", "mean_temperature") == "K"
    assert np.isnan(values[0])  # no observer row at t = 0
    assert values[1:] == pytest.approx(rec.means, rel=0, abs=1e-12)
    assert res.series("python", "step_length")[1:] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="only valid during the observer call"):
        rec.kept.temperature


def test_results_read_back_identically_with_h5py(run, model):
    h5py = pytest.importorskip("h5py")
    res = run["res"]
    with h5py.File(run["path"], "r") as f:
        assert np.array_equal(f["series/time"][()], res.time)
        for group in res.groups:
            for name in res.names(group):
                d = f[f"series/{group}/{name}"]
                assert np.array_equal(d[()], res.series(group, name), equal_nan=True), (group, name)
                assert d.attrs["units"] == res.units(group, name)
        assert list(f["events/name"].asstr()[()]) == [e.name for e in res.events]
        assert np.array_equal(f["events/t0"][()], [e.t0 for e in res.events])
        assert np.array_equal(f["mesh/nodes"][()], np.asarray(model.mesh.nodes))
        assert np.array_equal(f["mesh/cells"][()], np.asarray(model.mesh.cells))
        steps = res.field_steps("temperature")
        last = f[f"fields/temperature/{steps[-1]:06d}"][()]
        assert np.array_equal(last.reshape(res.field("temperature").shape), res.field("temperature"))


def test_results_written_from_python_read_back_with_h5py(tmp_path):
    h5py = pytest.importorskip("h5py")
    mesh = tissue.make_box_mesh(nx=2, ny=1, nz=1)
    rng = np.random.default_rng(7)
    u = rng.normal(size=(mesh.n_nodes(), 3))
    p = rng.normal(size=mesh.n_cells())
    path = tmp_path / "py.h5"
    with tissue.ResultsWriter(path) as w:
        w.write_meta("author", "pytest")
        w.write_mesh(mesh)
        w.write_field("displacement", 0.25, tissue.FieldCenter.node, u, "m")
        w.write_field("pressure", 0.25, tissue.FieldCenter.cell, p, "Pa")
        for k, t in enumerate([0.0, 0.5, 1.0]):
            w.append_series(t, [tissue.SeriesValue("box", "tone", 0.1 * k, "1"),
                                tissue.SeriesValue("session", "work", 2.0 * k, "J")])
        w.append_events([tissue.EventRecord(name="stroking", region="box", t0=0.0, t1=1.0)])
    with h5py.File(path, "r") as f:
        assert f["meta"].attrs["author"] == "pytest"
        assert np.array_equal(f["fields/displacement/000000"][()], u)
        assert np.array_equal(f["fields/pressure/000000"][()].reshape(-1), p)
        assert f["fields/pressure/000000"].attrs["units"] == "Pa"
        assert np.array_equal(f["series/time"][()], [0.0, 0.5, 1.0])
        assert np.array_equal(f["series/box/tone"][()], [0.0, 0.1, 0.2])
        assert np.array_equal(f["series/session/work"][()], [0.0, 2.0, 4.0])
        assert f["events/name"].asstr()[0] == "stroking"
    back = tissue.Results(path)
    assert np.array_equal(back.field("displacement"), u)
    assert np.array_equal(back.series("box", "tone"), [0.0, 0.1, 0.2])


def test_errors_in_python_callbacks_propagate(model):
    def broken(step):
        raise RuntimeError("observer broke at %.1f s" % step.t1)

    session = _quick(follow_up="0.5 s")
    with pytest.raises(RuntimeError, match=r"^observer broke at 0\.5 s$"):
        session.simulate(model, progress=False, observers=[broken])

    class Broken(Press):
        def command(self, t):
            raise ZeroDivisionError("no command")

    session = _quick().add(Broken(model.mesh, TARGET, 5.0, 0.5))
    with pytest.raises(ZeroDivisionError, match="no command"):
        session.simulate(model, progress=False)


def test_plots_of_a_session(run, model):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tissue import plot

    res = run["res"]
    axes = plot.muscle_curves(res, muscles=[TARGET, "erector_spinae_left"])
    assert len(axes) == 3 and axes[2].get_ylabel() == "mean temperature [degC]"
    ax = plot.muscle_quantity(res, "no_such_quantity", muscles=[TARGET])
    assert "not recorded" in ax.texts[0].get_text()  # a note, not an error
    plot.tone(res)
    plot.elasticity(res, muscles=[TARGET])
    plot.temperature(res, muscles=[TARGET], which="temperature_max")
    ax = plot.temperature_map(res, axis="y", at=TARGET)
    assert "temperature" in ax.get_title()
    ax = plot.tool_path(model.mesh, session=run["session"])
    assert len(ax.lines) >= 2  # the stroking path and the Python press
    plt.close("all")


def test_a_relative_mesh_path_is_beside_the_session_file(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    session = folder / "s.toml"
    session.write_text('[model]\nmesh = "back.msh"\n[session]\n')
    monkeypatch.chdir(tmp_path)  # the program runs elsewhere
    spec = tissue.read_session_file(str(session))
    assert pathlib.Path(spec.model.mesh_file) == folder / "back.msh"


def test_session_tissue_changes_reach_the_model_and_are_checked():
    """Session(tissue=...) writes [tissue.<name>] changes into the ModelSpec; the model built from the session
    carries them; a prebuilt model without them is refused; bad values name the field."""
    rest = tissue.Rest("1 s")
    s = tissue.Session(rest, resolution="coarse", threads=1,
                       tissue={"muscle": {"bioheat.density": "1200 kg/m^3"},
                               "erector_spinae": {"hyperelastic.mu": "2.5 kPa"}})
    assert [(o.tissue, o.entry, o.value) for o in s.model.tissue] == [
        ("muscle", "bioheat.density", "1200 kg/m^3"), ("erector_spinae", "hyperelastic.mu", "2.5 kPa")]
    model = tissue.load_model("coarse", s.model)
    assert list(model.tissue_changes) == list(s.model.tissue)
    names = [r.name for r in model.mesh.regions]
    assert model.tissues[names.index("gluteus_medius_left")].density == pytest.approx(1200.0)
    plain = tissue.Model.lumbar_hip("coarse")
    assert plain.tissues[names.index("gluteus_medius_left")].density == pytest.approx(1090.0)
    with pytest.raises(tissue.InputError, match=r"model\.tissue.*from_spec"):
        tissue.Simulation(plain, s)
    tissue.Simulation(model, s)  # built with the session's changes: accepted
    with pytest.raises(tissue.InputError, match=r"tissue\.muscle\.hyperelastic\.mu.*expected a pressure"):
        s.set_tissue({"muscle": {"hyperelastic.mu": "2 m"}})
    with pytest.raises(tissue.InputError, match=r"tissue\.skin\.hyperelastic\.mu.*needs a unit"):
        s.set_tissue({"skin": {"hyperelastic.mu": 2e6}})
    entries = {e.key: e for e in tissue.TissueLibrary().entries("muscle")}
    assert entries["hyperelastic.mu"].unit == "Pa" and float(entries["hyperelastic.mu"].value) > 0
