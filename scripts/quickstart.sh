#!/usr/bin/env bash
# The README's main job: install what is missing, check the engine, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
node bin/pemn.js doctor
node bin/pemn.js demo "$@"
