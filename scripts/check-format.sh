#!/usr/bin/env bash
# Checks that every C++ source of the repository follows .clang-format (CTest `clang_format`; the version is
# pinned in scripts/install-deps.sh). Prints the files that differ; `--fix` rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-format: not a git checkout, nothing to list" && exit 77
fi
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.hpp.in')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
echo "check-format: ${#files[@]} files follow .clang-format ($(clang-format --version))"
