"""Checks of the HDF5 results file and its XDMF companion with h5py and meshio.

The C++ program `write_sample_results` (tests/unit/io) writes a two-cell hex mesh with two
snapshots (t = 0 and 0.5 s) of displacement (node vector, m; u = 0.1 t X) and tone (cell scalar;
tone[c] = 1 - 0.1 t (c + 1)), three series rows, one event and one safety flag. Set
TISSUE_BUILD_DIR to the CMake build folder (default: <repo>/build).
"""

import os
import pathlib
import subprocess

import pytest

np = pytest.importorskip("numpy")
h5py = pytest.importorskip("h5py")

REPO = pathlib.Path(__file__).resolve().parents[2]
TIMES = [0.0, 0.5]


def _find_binary():
    build = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build"))
    exact = build / "tests" / "unit" / "io" / "write_sample_results"
    if exact.is_file():
        return exact
    if build.is_dir():
        for candidate in build.rglob("write_sample_results"):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    binary = _find_binary()
    if binary is None:
        pytest.skip(
            "write_sample_results is not built; build it (cmake --build <dir> --target "
            "write_sample_results) and set TISSUE_BUILD_DIR=<dir>"
        )
    out = tmp_path_factory.mktemp("results") / "run.h5"
    subprocess.run([str(binary), str(out)], check=True, timeout=60)
    return out


def _nodes():
    x = np.array([[0.01 * i, 0.01 * j, 0.01 * k] for k in range(2) for j in range(2) for i in range(3)])
    return x


def _attr(obj, key):
    value = obj.attrs[key]
    return value.decode() if isinstance(value, bytes) else str(value)


def test_meta(sample):
    with h5py.File(sample, "r") as f:
        meta = f["meta"]
        assert _attr(meta, "unit_system") == "SI"
        assert _attr(meta, "tissue_version")
        assert _attr(meta, "created").endswith("Z")
        assert "sample session" in _attr(meta, "session")


def test_mesh_shapes_dtypes_units(sample):
    with h5py.File(sample, "r") as f:
        nodes = f["mesh/nodes"]
        assert nodes.shape == (12, 3) and nodes.dtype == np.float64
        assert _attr(nodes, "units") == "m"
        np.testing.assert_allclose(nodes[()], _nodes())
        cells = f["mesh/cells"]
        assert cells.shape == (2, 8) and cells.dtype == np.int64
        assert _attr(cells, "cell_type") == "hex8"
        assert cells[0].tolist() == [0, 1, 4, 3, 6, 7, 10, 9]
        region_id = f["mesh/region_id"]
        assert region_id.dtype == np.int32 and region_id[()].tolist() == [0, 1]
        names = f["mesh/regions/name"].asstr()[()].tolist()
        assert names == ["erector_spinae_right", "gluteus_medius_left"]
        assert f["mesh/regions/side"].asstr()[()].tolist() == ["right", "left"]
        assert f["mesh/regions/kind"].asstr()[()].tolist() == ["muscle", "muscle"]
        assert f["mesh/fibres"].shape == (2, 3)
        assert f["mesh/node_sets/bone_vertebrae"][()].tolist() == [0, 1, 2, 3, 4, 5]
        assert f["mesh/facet_sets/skin/nodes"].shape == (2, 4)


def test_fields(sample):
    with h5py.File(sample, "r") as f:
        np.testing.assert_array_equal(f["fields/time"][()], TIMES)
        assert _attr(f["fields/time"], "units") == "s"
        for step, t in enumerate(TIMES):
            u = f[f"fields/displacement/{step:06d}"]
            assert u.shape == (12, 3) and u.dtype == np.float64
            assert _attr(u, "units") == "m" and _attr(u, "center") == "node"
            assert u.attrs["time"] == pytest.approx(t)
            np.testing.assert_allclose(u[()], 0.1 * t * _nodes())
            tone = f[f"fields/tone/{step:06d}"]
            assert tone.shape == (2,)
            assert _attr(tone, "units") == "1" and _attr(tone, "center") == "cell"
            np.testing.assert_allclose(tone[()], [1 - 0.1 * t, 1 - 0.2 * t])


def test_series_events_flags(sample):
    with h5py.File(sample, "r") as f:
        time = f["series/time"]
        assert _attr(time, "units") == "s" and time.maxshape == (None,)
        np.testing.assert_allclose(time[()], [0.0, 0.25, 0.5])
        tmax = f["series/erector_spinae_right/temperature_max"]
        assert _attr(tmax, "units") == "K"
        assert np.isnan(tmax[0]) and np.isnan(tmax[1]) and tmax[2] == 310.5
        assert _attr(f["series/session/work"], "units") == "J"
        np.testing.assert_allclose(f["series/session/work"][()], [0.0, 0.5, 1.0])
        assert f["events/name"].asstr()[()].tolist() == ["deep_stroking"]
        assert f["events/side"].asstr()[()].tolist() == ["right"]
        assert f["events/t1"][0] == 0.5
        assert f["safety/kind"].asstr()[()].tolist() == ["temperature_above_limit"]
        assert f["safety/value"][0] == 316.5 and f["safety/threshold"][0] == 316.15
        assert f["safety/units"].asstr()[()].tolist() == ["K"]


def test_xdmf_with_meshio(sample):
    meshio = pytest.importorskip("meshio")
    xdmf = sample.with_suffix(".xdmf")
    assert xdmf.is_file()
    with meshio.xdmf.TimeSeriesReader(str(xdmf)) as reader:
        points, cells = reader.read_points_cells()
        np.testing.assert_allclose(points, _nodes())
        assert len(cells) == 1 and cells[0].type == "hexahedron"
        assert cells[0].data.shape == (2, 8)
        assert reader.num_steps == 2
        for k, t in enumerate(TIMES):
            time, point_data, cell_data = reader.read_data(k)
            assert time == pytest.approx(t)
            np.testing.assert_allclose(point_data["displacement"], 0.1 * t * _nodes())
            np.testing.assert_allclose(cell_data["tone"][0], [1 - 0.1 * t, 1 - 0.2 * t])
            assert cell_data["region_id"][0].tolist() == [0, 1]


def test_xdmf_with_vtk_reader(sample):
    """ParaView's XDMF reader (VTK vtkXdmfReader) sees two time steps of a hex grid."""
    xdmf2 = pytest.importorskip("vtkmodules.vtkIOXdmf2", reason="VTK (pip install vtk) is not installed")
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonExecutionModel import vtkStreamingDemandDrivenPipeline as sddp

    reader = xdmf2.vtkXdmfReader()
    reader.SetFileName(str(sample.with_suffix(".xdmf")))
    reader.UpdateInformation()
    times = reader.GetOutputInformation(0).Get(sddp.TIME_STEPS())
    assert list(times) == pytest.approx(TIMES)
    for t in TIMES:
        reader.UpdateTimeStep(t)
        grid = reader.GetOutputDataObject(0)
        assert grid.GetNumberOfPoints() == 12 and grid.GetNumberOfCells() == 2
        assert grid.GetCellType(0) == 12  # VTK_HEXAHEDRON
        u = vtk_to_numpy(grid.GetPointData().GetArray("displacement"))
        np.testing.assert_allclose(u, 0.1 * t * _nodes())
        tone = vtk_to_numpy(grid.GetCellData().GetArray("tone"))
        np.testing.assert_allclose(tone, [1 - 0.1 * t, 1 - 0.2 * t])
        assert vtk_to_numpy(grid.GetCellData().GetArray("region_id")).tolist() == [0, 1]
