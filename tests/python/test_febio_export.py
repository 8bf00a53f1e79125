"""`tissue export-feb` (issue 13): reads the written FEBio 4 files back with xml.etree.ElementTree and checks
their structure: the peer block of /work/shared/benchmarks/peer-block.md with its load case, and the coarse
lumbar-hip model (one material per region, one element per model cell). Needs the built `tissue` program;
set TISSUE_BUILD_DIR to the CMake build folder (default: <repo>/build)."""

import os
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build")) / "apps" / "tissue" / "tissue"

pytestmark = pytest.mark.skipif(not BINARY.is_file(), reason="the tissue program is not built")

SESSION = """[model]
resolution = "default"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "20 N"
duration = "1 min"
"""


def tissue(*args):
    return subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, timeout=600)


def ids(text):
    return [int(v) for v in re.split(r"[,\s]+", text.strip()) if v]


def number(parent, tag):
    node = parent.find(tag)
    assert node is not None, f"<{tag}> missing under <{parent.tag}>"
    return float(node.text)


@pytest.mark.parametrize("nx,ny,nz", [(28, 28, 14), (6, 4, 2)])
def test_peer_block_reads_back(tmp_path, nx, ny, nz):
    out = tmp_path / "block.feb"
    r = tissue("export-feb", "--peer-block", f"{nx}x{ny}x{nz}", "-o", out)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    assert root.tag == "febio_spec" and root.get("version") == "4.0"
    assert root.find("Module").get("type") == "solid"

    control = root.find("Control")
    assert int(control.find("time_steps").text) == 20
    assert number(control, "step_size") == pytest.approx(0.05)
    assert control.find("solver") is not None

    nodes = root.findall("Mesh/Nodes/node")
    assert len(nodes) == (nx + 1) * (ny + 1) * (nz + 1)
    xyz = {int(n.get("id")): [float(v) for v in n.text.split(",")] for n in nodes}
    assert max(p[0] for p in xyz.values()) == pytest.approx(40.0)  # mm
    assert max(p[2] for p in xyz.values()) == pytest.approx(20.0)
    blocks = root.findall("Mesh/Elements")
    assert [b.get("type") for b in blocks] == ["hex8"]
    elems = blocks[0].findall("elem")
    assert len(elems) == nx * ny * nz
    assert all(len(ids(e.text)) == 8 and min(ids(e.text)) >= 1 for e in elems)

    materials = root.findall("Material/material")
    assert len(materials) == 1
    mat = materials[0]
    assert mat.get("type") == "viscoelastic"
    assert number(mat, "g0") == 1.0
    assert (number(mat, "g1"), number(mat, "t1")) == (0.5, 0.1)
    assert (number(mat, "g2"), number(mat, "t2")) == (0.3, 1.0)
    elastic = mat.find("elastic")
    assert elastic.get("type") == "neo-Hookean"
    assert number(elastic, "E") == pytest.approx(0.01)  # MPa = 10 kPa
    assert number(elastic, "v") == 0.45
    domains = root.findall("MeshDomains/SolidDomain")
    assert [(d.get("name"), d.get("mat")) for d in domains] == [(blocks[0].get("name"), mat.get("name"))]

    sets = {s.get("name"): ids(s.text) for s in root.findall("Mesh/NodeSet")}
    assert len(sets["bottom"]) == (nx + 1) * (ny + 1)
    assert all(xyz[i][2] == 0.0 for i in sets["bottom"])
    assert all(xyz[i][2] == pytest.approx(20.0) for i in sets["top"])

    bcs = root.findall("Boundary/bc")
    fixed = [b for b in bcs if b.get("type") == "zero displacement" and b.get("node_set") == "bottom"]
    assert len(fixed) == 1 and [fixed[0].find(d).text for d in ("x_dof", "y_dof", "z_dof")] == ["1"] * 3
    top_xy = [b for b in bcs if b.get("type") == "zero displacement" and b.get("node_set") == "top"]
    assert len(top_xy) == 1 and [top_xy[0].find(d).text for d in ("x_dof", "y_dof", "z_dof")] == ["1", "1", "0"]
    pressed = [b for b in bcs if b.get("type") == "prescribed displacement"]
    assert len(pressed) == 1 and pressed[0].get("node_set") == "top"
    assert pressed[0].find("dof").text == "z"
    value = pressed[0].find("value")
    curves = {c.get("id"): c for c in root.findall("LoadData/load_controller")}
    curve = curves[value.get("lc")]
    assert curve.get("type") == "loadcurve"
    assert curve.find("interpolate").text == "LINEAR"
    points = [tuple(float(v) for v in p.text.split(",")) for p in curve.findall("points/pt")]
    assert points[0] == (0.0, 0.0)
    at_one = dict(points)[1.0]
    assert float(value.text) * at_one == pytest.approx(-5.0)  # uz = -5 mm at t = 1 s

    logs = {n.get("data"): ids(n.text) for n in root.findall("Output/logfile/node_data")}
    (bulge,) = logs["ux"]
    assert xyz[bulge] == pytest.approx([40.0, 20.0, 10.0])
    assert sorted(logs["Rx;Ry;Rz"]) == sorted(sets["top"])
    assert root.find("Output/plotfile").get("type") == "febio"


def test_lumbar_hip_model_reads_back(tmp_path):
    session = tmp_path / "s.toml"
    session.write_text(SESSION)
    check = tissue("check", session, "--resolution", "coarse")
    assert check.returncode == 0, check.stderr
    cells = int(re.search(r"with (\d+) cells", check.stdout).group(1))
    out = tmp_path / "out" / "model.feb"
    r = tissue("export-feb", session, "--resolution", "coarse", "-o", out)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    assert root.get("version") == "4.0"
    elements = root.findall("Mesh/Elements/elem")
    assert len(elements) == cells
    materials = root.findall("Material/material")
    names = [m.get("name") for m in materials]
    assert len(set(names)) == len(names) > 1
    ids_ = [int(m.get("id")) for m in materials]
    assert ids_ == list(range(1, len(materials) + 1))
    domains = root.findall("MeshDomains/SolidDomain")
    assert {d.get("mat") for d in domains} <= set(names)
    assert all(d.get("name") == d.get("mat") for d in domains)  # one part per region, named after it
    assert [b.get("name") for b in root.findall("Mesh/Elements")] == [d.get("name") for d in domains]
    assert root.findall("Boundary/bc[@type='zero displacement']")
    assert root.find("Mesh/Surface[@name='skin']") is not None


@pytest.mark.parametrize(
    "args,message",
    [
        (["--peer-block", "28x28", "-o", "x.feb"], "--peer-block: expected NXxNYxNZ"),
        (["--peer-block", "28x27x14", "-o", "x.feb"], "peer_block.size"),
        (["-o", "x.feb"], "give a session file or --peer-block"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, message):
    r = subprocess.run([str(BINARY), "export-feb", *args], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.feb").exists()


def febio_block_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("febio_block", REPO / "benchmarks" / "febio_block.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_side_by_side_script_reads_febio_logs_at_the_last_step(tmp_path):
    """benchmarks/febio_block.py takes FEBio's results from the last '*Step' block of its node_data logs (the
    format of FEBio's DataRecord: '*Step  = n', '*Time  = t', '*Data  = ...', then 'id<delim>values')."""
    fb = febio_block_module()
    log = tmp_path / "top_reaction.txt"
    log.write_text("*Step  = 1\n*Time  = 0.05\n*Data  = Rx;Ry;Rz\n1,0,0,-1\n2,0,0,-2\n"
                   "*Step  = 20\n*Time  = 1\n*Data  = Rx;Ry;Rz\n1,0.1,0,-5.25\n2,-0.1,0,-5.366\n")
    rows = fb.last_step_rows(log)
    assert sorted(rows) == [1, 2]
    assert sum(v[2] for v in rows.values()) == pytest.approx(-10.616)


def test_side_by_side_script_runs_libtissue_without_febio(tmp_path):
    """Without an FEBio binary the script says so and runs libtissue alone (exit 0)."""
    peer = BINARY.parent.parent.parent / "benchmarks" / "peer_block"
    if not peer.is_file():
        pytest.skip("peer_block is not built")
    env = dict(os.environ, PATH="/usr/bin:/bin")  # no febio4 there
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "febio_block.py"), "--size", "4x4x2", "--threads",
                          "1", "--build", str(BINARY.parent.parent.parent), "--work", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no FEBio binary" in out.stdout
    assert re.search(r"libtissue cholmod: median wall [\d.]+ s", out.stdout)
