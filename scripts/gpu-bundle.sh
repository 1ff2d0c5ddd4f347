#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has PyTorch but no Node, no
# npm packages and no network (docs/gpu.md): into .gpu/ (git-ignored, about 25 MB) go
#   node.xz          this machine's Node binary, compressed
#   node-api/        Node-API's four headers, node-addon-api/ its C++ wrapper (the addon's build)
#   cli/pemn.mjs     the CLI, bench/ the training-step benchmark and its PyTorch reference,
#   test/            the CUDA tests: each one JavaScript file bundled by esbuild
# The addon is not built here: gpu-check.sh builds it there, against that PyTorch's libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.gpu
rm -rf "$out"
mkdir -p "$out/node-api" "$out/node-addon-api" "$out/cli" "$out/bench" "$out/test"

node_bin=$(command -v node)
headers=$(dirname "$node_bin")/../include/node
[[ -f "$headers/node_api.h" ]] || headers=/usr/include/node
cp "$headers"/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h} "$out/node-api/"
napi=$(node -p "require('node-addon-api').include_dir")
cp "$napi"/*.h "$out/node-addon-api/"

# CommonJS dependencies (commander) call require(): give the ESM bundles one.
banner='import { createRequire as __pemnRequire } from "node:module"; const require = __pemnRequire(import.meta.url);'
bundle() {
  npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
    --external:sharp --external:onnxruntime-node --external:onnxruntime-web --external:playwright-core \
    --external:vite \
    "--banner:js=$banner" --outfile="$2"
}
# Two folders down, as src/cli/main.ts is: it reads ../../package.json for its version.
bundle src/cli/main.ts "$out/cli/pemn.mjs"
bundle bench/run.ts "$out/bench/run.mjs"
bundle bench/training-step.worker.ts "$out/bench/training-step.worker.mjs"
cp -r bench/reference "$out/bench/reference"
bundle test/gpu/cuda.test.ts "$out/test/cuda.test.mjs"

xz -T0 -6 -c "$node_bin" >"$out/node.xz"
du -sh "$out" >&2
