"""Every row of docs/bad-input.md is a test: this module reads the tables of that file and runs each row.

A row is `| bad input | error | test |`; the test column says how to run it (docs/bad-input.md, top):
`check` (the input is a session file, `\\n` = new line: `tissue check s.toml --resolution coarse`),
`cli` (a `tissue ...` command in a folder of fixtures), `python` (statements with `tissue`, `model`, `tmp`,
`data` in scope) or `catch2 EXE: NAME` (the Catch2 test case NAME of build/tests/unit/session/EXE must
pass). The error column is `exit N: \\`part of the output\\`` or `ExceptionName: \\`part of the message\\``
(for Catch2 rows only the part, which must appear in tests/unit). A row with another test, or without an
error part, fails. Set TISSUE_BUILD_DIR to the CMake build folder (default: <repo>/build).
"""

import builtins
import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest

from tissue_finder import REPO, import_tissue

DOC = REPO / "docs" / "bad-input.md"
DATA = REPO / "tests" / "data"
BUILD = pathlib.Path(os.environ.get("TISSUE_BUILD_DIR", REPO / "build"))
CLI = BUILD / "apps" / "tissue" / "tissue"
HEADER = ["bad input", "error", "test"]

OK_SESSION = """[model]
resolution = "coarse"
[run]
threads = 1
[outputs]
myotonometer = false
[session]
[[technique]]
type = "rest"
duration = "1 s"
"""


def _cells(line):
    """The cells of a markdown table row (`\\|` is a literal bar)."""
    parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [p.strip().replace("\\|", "|") for p in parts]


def _code(cell):
    """The text of the code span of a cell ('' when it has none)."""
    m = re.search(r"`(.*)`", cell)
    return m.group(1) if m else ""


def read_rows():
    """(id, section, bad input cell, error cell, test cell) of every row of the doc's bad-input tables."""
    rows, section, header, count = [], "", None, {}
    for number, line in enumerate(DOC.read_text().splitlines(), 1):
        if line.startswith("## "):
            section, header = line[3:].strip(), None
            continue
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            continue
        if header != HEADER or set("".join(cells)) <= set("-: "):
            continue
        count[section] = count.get(section, 0) + 1
        slug = re.sub(r"[^a-z0-9]+", "_", section.lower()).strip("_")[:30]
        rows.append((f"{slug}-{count[section]:02d}(line {number})", section, *(cells + ["", "", ""])[:3]))
    return rows


ROWS = read_rows()


def test_the_doc_has_rows_in_every_category():
    sections = {r[1] for r in ROWS}
    for words in ["Session files", "Meshes", "Unit strings", "Results files", "tissue", "Python", "C++"]:
        assert any(words in s for s in sections), f"no rows under a heading with '{words}'"
    assert len(ROWS) >= 100


def _expected(error):
    """(exit code or exception name, message part) of an error cell."""
    m = re.match(r"\s*(exit\s+(\d+)|([A-Za-z_][A-Za-z0-9_.]*))\s*:\s*`(.*)`\s*$", error)
    if not m:
        return None, _code(error)
    return (int(m.group(2)) if m.group(2) else m.group(3)), m.group(4)


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """A folder with the files the `cli` and `python` rows name (see docs/bad-input.md)."""
    if not CLI.is_file():
        pytest.skip("the tissue program is not built")
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp("bad_input")
    (d / "ok.toml").write_text(OK_SESSION)
    r = subprocess.run([str(CLI), "run", "ok.toml", "-o", "results.h5", "-q"], cwd=d, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (d / "results.xdmf").unlink(missing_ok=True)
    (d / "text.h5").write_text("hello\n")
    with h5py.File(d / "other.h5", "w") as f:
        f["x"] = [1, 2, 3]
    (d / "trunc.h5").write_bytes((d / "results.h5").read_bytes()[:3000])
    shutil.copy(d / "results.h5", d / "failed.h5")
    with h5py.File(d / "failed.h5", "a") as f:
        f["meta"].attrs["status"] = "failed"
        f["meta"].attrs["status_reason"] = "numerical failure: Newton did not converge"
    (d / "folder").mkdir()
    return d


@pytest.fixture(scope="module")
def model():
    return import_tissue().Model.lumbar_hip("coarse")


def _folder(fixtures, tmp_path):
    """A fresh copy of the fixtures for one row (a row must not change what the next one sees)."""
    work = tmp_path / "work"
    shutil.copytree(fixtures, work)
    return work


@pytest.mark.parametrize("bad, error, how", [r[2:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_row(bad, error, how, fixtures, tmp_path, request):
    expect, part = _expected(error)
    assert part, f"the error column has no `message part`: {error!r}"
    if how in ("check", "cli"):
        assert isinstance(expect, int), f"a {how} row needs 'exit N: `...`', got {error!r}"
        work = _folder(fixtures, tmp_path)
        if how == "check":
            (work / "s.toml").write_text(_code(bad).replace("\\n", "\n").replace("{data}", str(DATA)))
            args = [str(CLI), "check", "s.toml", "--resolution", "coarse"]
        else:
            args = shlex.split(_code(bad).replace("{data}", str(DATA)))
            assert args and args[0] == "tissue", f"a cli row starts with 'tissue': {bad!r}"
            args[0] = str(CLI)
        r = subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=300)
        out = r.stdout + r.stderr
        assert r.returncode == expect, out
        assert part in out
    elif how == "python":
        tissue = import_tissue()
        exc = getattr(tissue, str(expect), None) or getattr(builtins, str(expect), None)
        assert isinstance(exc, type) and issubclass(exc, BaseException), f"unknown exception {expect!r}"
        work = _folder(fixtures, tmp_path)
        scope = {"tissue": tissue, "tmp": work, "data": DATA}
        if "model" in _code(bad):
            scope["model"] = request.getfixturevalue("model")
        with pytest.raises(exc) as info:
            exec(_code(bad), scope)
        assert part in str(info.value)
    elif how.startswith("catch2 "):
        exe_name, _, name = how[len("catch2 "):].partition(":")
        exe = BUILD / "tests" / "unit" / "session" / exe_name.strip()
        assert exe.is_file(), f"{exe} is not built"
        r = subprocess.run([str(exe), name.strip(), "-w", "NoTests"], capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0 and "All tests passed" in r.stdout, r.stdout + r.stderr
        sources = "".join(p.read_text() for p in (REPO / "tests" / "unit").rglob("*.cpp"))
        assert part in sources, f"the message part {part!r} is checked by no test in tests/unit"
    else:
        pytest.fail(f"the row has no test (test column {how!r}; expected check, cli, python or "
                    "catch2 EXE: NAME)")
