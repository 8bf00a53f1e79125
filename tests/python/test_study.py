"""Parameter studies (issue 13): tissue.study.run_study on a process pool returns the table of parameters
against outcomes; `tissue sweep` writes the same study folder, skips finished cases on a re-run and computes
only the missing ones; study.h5 reaches every case through external links. The MPI variant
(`mpirun -np 2 tissue sweep`) runs when TISSUE_MPI_TEST=1 (CTest sets it when the build found MPI).
Set TISSUE_BUILD_DIR to the CMake build folder (default: <repo>/build)."""

import os
import pathlib
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from tissue_finder import import_tissue

h5py = pytest.importorskip("h5py")
pd = pytest.importorskip("pandas")

REPO = pathlib.Path(__file__).resolve().parents[2]
BASE = """[model]
resolution = "coarse"
[run]
threads = 1
checkpoint_every = "1 s"
[session]
follow_up = "1 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "20 N"
duration = "2 s"
[outputs]
myotonometer = false
"""
SWEEP = """base = "base.toml"
[[parameter]]
key = "technique.0.force"
values = ["10 N", "25 N"{more_forces}]
[[parameter]]
key = "technique.0.lubrication"
values = ["oil", "dry"]
[outputs]
collect = ["tone_change", "peak_temperature", "safety_flags", "work"]
muscles = ["erector_spinae"]
"""


def binary():
    path = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build")) / "apps" / "tissue" / "tissue"
    if not path.is_file():
        pytest.skip("the tissue program is not built")
    return str(path)


def write_sweep(folder, more_forces=""):
    (folder / "base.toml").write_text(BASE)
    path = folder / "sweep.toml"
    path.write_text(SWEEP.format(more_forces=more_forces))
    return path


def case_mtimes(study):
    return {p.name: p.stat().st_mtime_ns for p in sorted((study / "cases").glob("case_*.h5"))}


def check_table(df, n):
    assert list(df["case"]) == list(range(n))
    assert set(df["status"]) == {"completed"}
    assert set(df["technique.0.lubrication"]) == {"oil", "dry"}
    assert df["work"].gt(0).all()
    assert df["peak_temperature.erector_spinae_right"].between(300, 320).all()
    # [outputs] muscles keeps the erector spinae only (both sides).
    muscle_cols = [c for c in df.columns if c.startswith("tone_change.")]
    assert muscle_cols and all(c.startswith("tone_change.erector_spinae_") for c in muscle_cols)


def test_run_study_on_a_process_pool_returns_the_table(tmp_path):
    tissue = import_tissue()
    sweep = write_sweep(tmp_path)
    assert len(tissue.study.cases(sweep)) == 4
    study = tmp_path / "study"
    with ProcessPoolExecutor(max_workers=2) as pool:
        df = tissue.study.run_study(sweep, study, executor=pool)
    check_table(df, 4)
    assert sorted(df["technique.0.force"]) == [10.0, 10.0, 25.0, 25.0]
    # More force, more work, lubrication alike.
    by = df.set_index(["technique.0.lubrication", "technique.0.force"])["work"]
    assert by[("oil", 25.0)] > by[("oil", 10.0)]
    # study.h5 reaches every case file through external links, and holds the same table.
    with h5py.File(study / "study.h5", "r") as f:
        assert sorted(f["cases"].keys()) == [f"case_{k:04d}" for k in range(4)]
        for k in range(4):
            assert f[f"cases/case_{k:04d}/meta"].attrs["status"] == "completed"
        assert list(f["table/case"][()]) == [0, 1, 2, 3]
        assert list(f["table/work"][()]) == pytest.approx(list(df["work"]))
    # A second run finds every case complete and computes nothing.
    before = case_mtimes(study)
    df2 = tissue.study.run_study(sweep, study, executor=None)
    assert case_mtimes(study) == before
    pd.testing.assert_frame_equal(df, df2)


def test_run_study_on_a_dask_cluster_returns_the_same_table(tmp_path):
    """A dask.distributed Client (what dask-jobqueue hands out on Slurm or PBS) as the executor."""
    distributed = pytest.importorskip("distributed")
    tissue = import_tissue()
    sweep = write_sweep(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            df = tissue.study.run_study(sweep, tmp_path / "study", executor=client)
    check_table(df, 4)
    # The same cases on a local process pool give the same outcomes (the executor only places them).
    with ProcessPoolExecutor(max_workers=2) as pool:
        ref = tissue.study.run_study(sweep, tmp_path / "pool", executor=pool)
    cols = [c for c in ref.columns if c != "wall_seconds"]
    pd.testing.assert_frame_equal(df[cols], ref[cols], rtol=1e-9)


MPI_SCRIPT = """import sys
sys.path.insert(0, {path!r})
from mpi4py.futures import MPIPoolExecutor
import tissue.study

if __name__ == "__main__":
    with MPIPoolExecutor() as pool:
        df = tissue.study.run_study({sweep!r}, {study!r}, executor=pool)
    df.to_csv({csv!r}, index=False)
"""


@pytest.mark.skipif(os.environ.get("TISSUE_MPI_TEST") != "1", reason="set by CTest when the build found MPI")
def test_run_study_on_an_mpi4py_pool_returns_the_table(tmp_path):
    """mpi4py's MPIPoolExecutor under `mpirun -np 3 python -m mpi4py.futures`: rank 0 runs the script, ranks 1
    and 2 run the cases."""
    pytest.importorskip("mpi4py")
    mpirun = shutil.which("mpirun")
    assert mpirun, "TISSUE_MPI_TEST=1 but no mpirun"
    tissue = import_tissue()
    sweep = write_sweep(tmp_path)
    script = tmp_path / "study_mpi.py"
    csv = tmp_path / "table.csv"
    package_dir = str(pathlib.Path(tissue.__file__).resolve().parents[1])
    script.write_text(MPI_SCRIPT.format(path=package_dir, sweep=str(sweep), study=str(tmp_path / "study"),
                                        csv=str(csv)))
    out = subprocess.run([mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "3", sys.executable, "-m",
                          "mpi4py.futures", str(script)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    df = pd.read_csv(csv)
    check_table(df, 4)
    by = df.set_index(["technique.0.lubrication", "technique.0.force"])["work"]
    assert by[("dry", 25.0)] > by[("dry", 10.0)]


def sweep_cli(launcher, sweep, study):
    out = subprocess.run([*launcher, binary(), "sweep", str(sweep), "-o", str(study), "-q", "--threads", "1"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def ran_cases(stdout):
    """Case numbers the run computed (lines "case K/N completed ..."), not those it skipped."""
    return sorted(int(line.split()[1].split("/")[0]) for line in stdout.splitlines()
                  if line.startswith("case ") and " skipped " not in line)


def check_resume(launcher, tmp_path):
    """6 cases; one case file deleted and one cut short: the re-run computes exactly those two."""
    sweep = write_sweep(tmp_path, more_forces=', "40 N"')
    study = tmp_path / "study"
    assert ran_cases(sweep_cli(launcher, sweep, study)) == list(range(6))
    first = pd.read_csv(study / "study.csv")
    check_table(first, 6)
    mtimes = case_mtimes(study)
    (study / "cases" / "case_0002.h5").unlink()
    with h5py.File(study / "cases" / "case_0004.h5", "a") as f:  # as a killed run leaves it
        f["meta"].attrs["status"] = "running"
        del f["study"]
    again = sweep_cli(launcher, sweep, study)
    assert ran_cases(again) == [2, 4]
    after = case_mtimes(study)
    assert {k for k in after if after[k] != mtimes.get(k)} == {"case_0002.h5", "case_0004.h5"}
    second = pd.read_csv(study / "study.csv")
    check_table(second, 6)
    cols = [c for c in first.columns if c != "wall_seconds"]
    pd.testing.assert_frame_equal(first[cols], second[cols], rtol=1e-6)


def test_cli_sweep_reruns_only_the_missing_cases(tmp_path):
    check_resume([], tmp_path)


@pytest.mark.skipif(os.environ.get("TISSUE_MPI_TEST") != "1", reason="set by CTest when the build found MPI")
def test_mpi_sweep_on_two_ranks_reruns_only_the_missing_cases(tmp_path):
    mpirun = shutil.which("mpirun")
    assert mpirun, "TISSUE_MPI_TEST=1 but no mpirun"
    check_resume([mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "2"], tmp_path)


def test_bad_sweep_names_file_line_and_key(tmp_path):
    tissue = import_tissue()
    (tmp_path / "base.toml").write_text(BASE)
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "base.toml"\n[[parameter]]\nkey = "technique.0.forse"\nvalues = ["1 N"]\n')
    with pytest.raises(tissue.InputError, match=r"bad.toml:2:.*technique\[0\]\.forse.*unknown field"):
        tissue.study.cases(bad)
    out = subprocess.run([binary(), "sweep", str(bad), "-o", str(tmp_path / "s")], capture_output=True, text=True)
    assert out.returncode == 1
    assert "technique[0].forse" in out.stderr


def test_cli_sweep_varies_a_tissue_parameter(tmp_path):
    """A [[parameter]] on a tissue table entry (docs/studies.md): two short cases, about 10 s."""
    (tmp_path / "base.toml").write_text(BASE)
    sweep = tmp_path / "tissue.toml"
    sweep.write_text('base = "base.toml"\n[[parameter]]\nkey = "tissue.muscle.hyperelastic.mu"\n'
                     'values = ["2 kPa", "4 kPa"]\n[outputs]\ncollect = ["work"]\n')
    study = tmp_path / "study"
    out = subprocess.run([binary(), "sweep", str(sweep), "-o", str(study), "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(study / "study.csv")
    assert list(df["tissue.muscle.hyperelastic.mu"]) == [2000, 4000]
    assert set(df["status"]) == {"completed"}
    # A stiffer muscle under the same stroke: less work done on the tissue.
    assert df["work"][1] < df["work"][0]
    with h5py.File(study / "cases" / "case_0001.h5") as f:
        session = f["meta"].attrs["session"]
    assert "4 kPa" in (session.decode() if isinstance(session, bytes) else str(session))
