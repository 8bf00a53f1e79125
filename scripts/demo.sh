#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the default session (data/sessions/default.toml:
# about 20 minutes of massage on both erector spinae and gluteus medius, then 10 minutes of recovery) on
# the built-in lumbar-hip model (coarse resolution). Extra arguments go to `tissue run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p results
./build/apps/tissue/tissue run data/sessions/default.toml -o results/default.h5 --overwrite "$@"
