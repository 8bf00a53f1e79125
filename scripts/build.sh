#!/usr/bin/env bash
# Configures and builds libtissue (Release) into build/ with every core of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTISSUE_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
cmake --build build -j "$jobs"
