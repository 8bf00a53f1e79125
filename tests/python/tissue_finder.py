"""Finds the `tissue` Python module for the tests (shared by the test files of this folder).

Order: $TISSUE_PYTHONPATH, <repo>/build/python (the CMake build tree configured with
-DTISSUE_BUILD_PYTHON=ON), then an installed `tissue` (pip install .). Skips the calling test module
with the reason when none imports.
"""

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def import_tissue():
    """Imports and returns the `tissue` package, or skips the calling module with the reason."""
    if "tissue" in sys.modules:
        return sys.modules["tissue"]
    candidates = []
    if os.environ.get("TISSUE_PYTHONPATH"):
        candidates.append(pathlib.Path(os.environ["TISSUE_PYTHONPATH"]))
    candidates.append(REPO / "build" / "python")
    errors = []
    for path in candidates:
        if (path / "tissue" / "__init__.py").is_file():
            sys.path.insert(0, str(path))
            try:
                import tissue  # noqa: F401

                return tissue
            except ImportError as e:  # e.g. built for another Python
                errors.append(f"{path}: {e}")
                sys.path.remove(str(path))
                sys.modules.pop("tissue", None)
    try:
        import tissue  # installed with pip

        return tissue
    except ImportError as e:
        errors.append(f"installed: {e}")
    pytest.skip(
        "the tissue Python module is not built: configure with -DTISSUE_BUILD_PYTHON=ON and build "
        "(it appears in <build>/python; set TISSUE_PYTHONPATH=<build>/python), or pip install . "
        f"[{'; '.join(errors)}]",
        allow_module_level=True,
    )
