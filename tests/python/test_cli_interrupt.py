"""Ctrl-C (SIGINT) stops `tissue run` at its next macro step: exit code 130, a one-line reason, and the
results written up to then stay readable (issue 12). Set TISSUE_BUILD_DIR to the CMake build folder
(default: <repo>/build)."""

import os
import pathlib
import signal
import subprocess
import time

import pytest

h5py = pytest.importorskip("h5py")

REPO = pathlib.Path(__file__).resolve().parents[2]
SESSION = """[model]
resolution = "coarse"
[run]
threads = 1
[session]
follow_up = "10 min"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "20 N"
duration = "10 min"
[outputs]
myotonometer = false
"""


def test_sigint_stops_the_run_and_keeps_the_results(tmp_path):
    binary = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build")) / "apps" / "tissue" / "tissue"
    if not binary.is_file():
        pytest.skip("the tissue program is not built")
    session = tmp_path / "long.toml"
    session.write_text(SESSION)
    out = tmp_path / "long.h5"
    proc = subprocess.Popen([str(binary), "run", str(session), "-o", str(out), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Interrupt once the run is writing (the file exists and a few macro steps have passed).
    deadline = time.time() + 120
    while not out.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(3)
    assert proc.poll() is None, "the 20-min session finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted: run cancelled at t = " in err
    with h5py.File(out, "r") as f:  # readable, with the rows written before the interrupt
        time_rows = f["series/time"][:]
        assert len(time_rows) >= 1
        assert time_rows[-1] < 1200.0
