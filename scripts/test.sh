#!/usr/bin/env bash
# The README's test command (and CI's, via .ci/run): install what is missing, typecheck,
# lint, then run every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --tests
npm run --silent typecheck
npm run --silent lint
npm test
