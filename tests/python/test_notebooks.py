"""The example notebooks (examples/*.ipynb): committed with their outputs cleared, and each one runs
from top to bottom in a fresh kernel (nbclient) on the coarse model with short sessions.

The kernel finds the `tissue` module the tests use (its folder is put on the kernel's PYTHONPATH) and
runs with OMP_NUM_THREADS=1 in examples/ (the notebooks read ../data); set TISSUE_NOTEBOOK_OUT=<dir> to
keep the executed notebooks there. Skipped with the reason when
nbclient, nbformat, ipykernel or matplotlib are missing (scripts/install-deps.sh installs them).
"""

import os
import pathlib
import time

import pytest

from tissue_finder import REPO, import_tissue

EXAMPLES = REPO / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
nbformat = pytest.importorskip("nbformat")


def test_five_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_quickstart", "02_techniques_compared", "03_heat_vs_pressure", "04_parameter_study",
        "05_sensitivity_study"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs_cleared(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    tissue = import_tissue()
    package_parent = str(pathlib.Path(tissue.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    if os.environ.get("TISSUE_NOTEBOOK_OUT"):  # keep the executed notebook for a look (never in examples/)
        out = pathlib.Path(os.environ["TISSUE_NOTEBOOK_OUT"])
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(book, out / path.name)
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    print(f"{path.name}: {elapsed:.1f} s")
