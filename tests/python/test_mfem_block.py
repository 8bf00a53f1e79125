"""Cross-code check (issue 13): the elastic peer block solved by MFEM (PyMFEM) and by libtissue gives the same
reaction force and bulge (benchmarks/mfem_block.py, run here on an 8 x 8 x 4 block; the timed comparison at the
peer sizes is in benchmarks/RESULTS.md). Both solve hex8 with 2x2x2 Gauss points at a depth small enough that
the neo-Hookean law is linear to 1e-5, so they must agree to the linear solvers' tolerance."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def peer_block():
    path = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build")) / "benchmarks" / "peer_block"
    if not path.is_file():
        pytest.skip("peer_block is not built")
    return str(path)


def test_mfem_and_libtissue_agree_on_the_elastic_block():
    pytest.importorskip("mfem.ser")
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "mfem_block.py"), "--size", "8x8x4",
                          "--threads", "1", "--peer-block", peer_block()],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = {l.split("  ")[0]: l.split() for l in out.stdout.splitlines()}
    rz = lines["Rz top face [N]"]
    mfem_rz, tissue_rz = float(rz[-2]), float(rz[-1])
    assert tissue_rz < 0 and mfem_rz < 0
    assert tissue_rz == pytest.approx(mfem_rz, rel=1e-4)
    assert "PASS" in out.stdout
