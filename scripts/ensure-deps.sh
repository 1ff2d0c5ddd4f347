#!/usr/bin/env bash
# Installs what pemn needs and is missing, then builds it. Safe to run again: each step
# is skipped when already done. Usage: scripts/ensure-deps.sh [--tests | --bench]
#   system: libtorch-dev (libtorch 1.13.1), libgloo-dev (the Gloo headers of c10d's
#           ProcessGroupGloo, for data-parallel training), libopenblas0-pthread (fast BLAS
#           for libtorch), dataset-fashion-mnist (the default real dataset); with --tests
#           also chromium (the web page's browser tests, test/web, drive it with
#           playwright-core) and python3-torch (PyTorch 1.13, 46 MB: the interop tests load
#           pemn's safetensors and convert torch.save files with it); with --bench also
#           python3-torch (the PyTorch reference the benchmarks compare against).
#   npm:    the locked dependencies (npm ci), then the native addon and TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas0-pthread dataset-fashion-mnist)
# LIBTORCH points at an unpacked libtorch distribution, LIBTORCH_USE_PYTORCH=1 at the torch
# package of python3 (scripts/find-libtorch.mjs), instead of Debian's package.
if [[ -z "${LIBTORCH:-}" && "${LIBTORCH_USE_PYTORCH:-0}" =~ ^(|0|false|no|off)$ ]]; then
  packages+=(libtorch-dev libgloo-dev)
fi
[[ "${1:-}" == "--tests" ]] && packages+=(chromium python3-torch)
[[ "${1:-}" == "--bench" ]] && packages+=(python3-torch)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  else
    echo "ensure-deps: missing system packages: ${missing[*]}" >&2
    echo "ensure-deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm ci only when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "ensure-deps: npm ci" >&2
  # onnxruntime-node (tests) bundles its CPU runtime; its install script would only fetch CUDA
  # parts from NuGet, and fails the install offline. package.json's allowScripts denies it to
  # npm 11; this skips it for npm versions that ignore allowScripts.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2
fi

addon=native/build/Release/pemn_native.node
if [[ ! -f "$addon" ]] || [[ -n "$(find native -maxdepth 1 \( -name '*.cc' -o -name '*.h' -o -name binding.gyp \) -newer "$addon")" ]]; then
  echo "ensure-deps: building the native addon (about a minute)" >&2
  npm run --silent build:native >&2
fi
