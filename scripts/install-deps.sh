#!/usr/bin/env bash
# Installs what libtissue needs on Debian 12 (root): compilers and libraries from apt, test tools from pip.
# Safe to run repeatedly: it installs only what is missing.
set -euo pipefail
apt_packages=(build-essential cmake ninja-build pkg-config libeigen3-dev libhdf5-dev hdf5-tools catch2
  libopenblas-dev libbenchmark-dev libsuitesparse-dev libtomlplusplus-dev libcli11-dev libfmt-dev pybind11-dev
  clang libclang-rt-14-dev  # clang 14 with its sanitizer and libFuzzer runtimes: scripts/sanitize.sh
  libopenmpi-dev openmpi-bin  # tissue sweep over MPI (docs/studies.md)
  libhypre-dev)  # the amg linear solver (BoomerAMG + CG) for systems too large to factorise
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# cmake and ninja may come from pip instead of apt; accept either.
if [ ${#missing[@]} -gt 0 ]; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in
      cmake) command -v cmake >/dev/null || filtered+=("$p") ;;
      ninja-build) command -v ninja >/dev/null || filtered+=("$p") ;;
      *) filtered+=("$p") ;;
    esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
py_missing=()
# Python test tools, pandas (tissue.study tables), dask and mpi4py (the study executors tests/python/test_study.py runs), mfem (the cross-code check of tests/python/test_mfem_block.py) and what the example notebooks need (tests/python/test_notebooks.py runs them).
for m in numpy h5py meshio pytest pybind11 matplotlib tqdm nbclient nbformat ipykernel pandas dask distributed mpi4py mfem; do
  python3 -c "import $m" 2>/dev/null || py_missing+=("$m")
done
if [ ${#py_missing[@]} -gt 0 ]; then
  echo "install-deps: pip install ${py_missing[*]}"
  python3 -m pip install -q "${py_missing[@]}"
fi
# The formatter that .clang-format is checked with (CTest `clang_format`): one pinned version, since versions
# format differently.
clang_format_version=23.1.5
if ! clang-format --version 2>/dev/null | grep -q "version ${clang_format_version}"; then
  echo "install-deps: pip install clang-format==${clang_format_version}"
  python3 -m pip install -q "clang-format==${clang_format_version}"
fi
