#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the C++ tests (CTest) and pytest, then the
# sanitizer and fuzz stage (scripts/sanitize.sh: unit tests under ASan+UBSan, libFuzzer on the parsers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DTISSUE_BUILD_PYTHON=ON
cd build
ctest -j "$(nproc)" --output-on-failure --timeout 900
cd ..
if [ -d tests/python ]; then
  python3 -m pytest -q tests/python
fi
bash scripts/sanitize.sh
