#!/usr/bin/env bash
# The README's main job: install what is missing, check the engine, then train a small
# ConvMixer (RP 1e-3) on Fashion-MNIST by its masks alone and print what it reached.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
node bin/pemn.js doctor
node bin/pemn.js train --config configs/quickstart.yaml --run-dir "${PEMN_RUN_DIR:-runs/quickstart-$(date +%Y%m%d-%H%M%S)}" "$@"
