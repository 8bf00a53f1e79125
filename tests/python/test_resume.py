"""Checkpoints and resume (issue 12). `tissue run` killed with SIGKILL at random moments and resumed with
--resume each time ends with the same results as the run that was never killed, bit for bit; the file
left by each kill is readable and says "running"; a resumed run may change [run] settings; a checkpoint
of another protocol is refused; KeyboardInterrupt in Python leaves a checkpoint that run_session(resume=
True) continues. Set TISSUE_BUILD_DIR to the CMake build folder (default: <repo>/build)."""

import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest

from tissue_finder import import_tissue

h5py = pytest.importorskip("h5py")
np = pytest.importorskip("numpy")

REPO = pathlib.Path(__file__).resolve().parents[2]
SESSION = """[model]
resolution = "coarse"
[run]
threads = 1
checkpoint_every = "2 s"
{extra}
[session]
follow_up = "{follow_up}"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "30 N"
duration = "6 s"
[[technique]]
type = "rest"
duration = "2 s"
[outputs]
myotonometer = false
"""


def binary():
    path = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build")) / "apps" / "tissue" / "tissue"
    if not path.is_file():
        pytest.skip("the tissue program is not built")
    return str(path)


def write_session(folder, name, extra="", follow_up="3 s"):
    path = folder / name
    path.write_text(SESSION.format(extra=extra, follow_up=follow_up))
    return path


def run(args, **kw):
    return subprocess.run([binary(), "run", *map(str, args), "-q"], capture_output=True, text=True, timeout=600,
                          **kw)


def series(path):
    """Every /series dataset and /fields snapshot of a results file as numpy arrays, by path."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and (name.startswith("series") or name.startswith("fields")):
                out[name] = obj[()]
        f.visititems(visit)
        out["status"] = f["meta"].attrs["status"]
    return out


def test_killed_at_random_moments_and_resumed_equals_the_uninterrupted_run(tmp_path):
    session = write_session(tmp_path, "s.toml")
    reference = tmp_path / "ref.h5"
    started = time.monotonic()
    done = run([session, "-o", reference])
    reference_seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "ref.checkpoint.h5").exists()  # removed when the run completes

    seed = int(time.time())
    rng = random.Random(seed)
    out = tmp_path / "killed.h5"
    args = [session, "-o", out]
    kills = 0
    for attempt in range(8):
        proc = subprocess.Popen([binary(), "run", *map(str, args), "-q"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            # Random kills within the uninterrupted run's own duration (a fixed window let a fast machine finish
            # before the first kill); the last start runs to the end (on a loaded machine every start may
            # otherwise be killed before its first checkpoint, and the run never gets through).
            proc.wait(timeout=rng.uniform(0.15, 0.75) * reference_seconds if attempt < 7 else 600)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if proc.returncode == 0:
            break
        kills += 1
        if out.exists():  # what was written survives the kill and says the run did not end
            with h5py.File(out, "r") as f:
                assert f["meta"].attrs["status"] == "running", f"seed {seed}"
                assert f["mesh/nodes"].shape[1] == 3  # the header is complete even before the first row
        # Resume when a checkpoint exists; a kill before the first one starts again.
        checkpoint = tmp_path / "killed.checkpoint.h5"
        args = [session, "-o", out, "--resume"] if checkpoint.exists() else [session, "-o", out, "--overwrite"]
    else:
        pytest.fail(f"the run did not complete after 8 starts (seed {seed})")
    assert kills >= 1, f"seed {seed}: no kill landed"
    a, b = series(reference), series(out)
    assert b["status"] == "completed"
    assert sorted(a) == sorted(b), f"seed {seed}"
    for name in a:
        if name == "status":
            continue
        x, y = np.asarray(a[name]), np.asarray(b[name])
        same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
        assert same, f"{name} differs (seed {seed}, {kills} kills)"


def test_a_resumed_run_may_change_run_settings_but_not_the_protocol(tmp_path):
    session = write_session(tmp_path, "s.toml")
    out = tmp_path / "r.h5"
    proc = subprocess.Popen([binary(), "run", str(session), "-o", str(out), "-q"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "r.checkpoint.h5"
    deadline = time.time() + 120
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert checkpoint.exists()
    other = write_session(tmp_path, "other.toml", follow_up="4 s")
    refused = run([other, "-o", out, "--resume"])
    assert refused.returncode == 1
    assert "another protocol or model" in refused.stderr
    finer = write_session(tmp_path, "finer.toml", extra='substep_scale = 0.5')
    resumed = run([finer, "-o", out, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming from the checkpoint at t = " in resumed.stderr
    with h5py.File(out, "r") as f:
        assert f["meta"].attrs["status"] == "completed"
        t = f["series/time"][:]
        assert np.all(np.diff(t) > 0) and t[-1] == pytest.approx(11.0)


def test_keyboard_interrupt_in_python_leaves_a_checkpoint_that_resume_continues(tmp_path):
    tissue = import_tissue()
    session = write_session(tmp_path, "s.toml")
    out = tmp_path / "py.h5"
    calls = []

    def progress(fraction, status):
        calls.append(fraction)
        if len(calls) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tissue.run_session(session, output=out, progress=progress)
    checkpoint = tissue.checkpoint_path(str(out))
    assert os.path.exists(checkpoint)
    with h5py.File(out, "r") as f:
        assert f["meta"].attrs["status"] == "interrupted"
    state = tissue.read_checkpoint(checkpoint)
    assert 0 < state.time < 11.0
    results = tissue.run_session(session, output=out, progress=False, resume=True)
    assert results.summary.simulated_time == pytest.approx(11.0)
    assert not os.path.exists(checkpoint)
    with h5py.File(out, "r") as f:
        assert f["meta"].attrs["status"] == "completed"
        assert f["series/time"][-1] == pytest.approx(11.0)


def test_ctrl_c_stops_a_quiet_run_session_with_a_checkpoint(tmp_path):
    tissue = import_tissue()
    session = write_session(tmp_path, "s.toml")
    out = tmp_path / "quiet.h5"
    package = pathlib.Path(tissue.__file__).resolve().parents[1]
    script = (f"import sys; sys.path.insert(0, {str(package)!r}); import tissue; "
              f"tissue.run_session({str(session)!r}, output={str(out)!r}, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 120
    while not out.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(4)  # a few macro steps
    assert proc.poll() is None, "the run ended before Ctrl-C"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    with h5py.File(out, "r") as f:
        assert f["meta"].attrs["status"] == "interrupted"
    assert (tmp_path / "quiet.checkpoint.h5").exists()
