#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the demo session on the default model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p results
./build/apps/tissue/tissue run data/sessions/demo.toml -o results/demo.h5 "$@"
