#!/usr/bin/env bash
# The GPU check (docs/gpu.md), for any machine with an NVIDIA GPU and PyTorch (CUDA) on the
# python3 on PATH. Usage: scripts/gpu-check.sh [OUT_DIR] (default gpu-check/).
#   1. builds the addon against that PyTorch's libtorch (LIBTORCH_USE_PYTORCH=1, no node-gyp)
#   2. pemn doctor: the devices, libtorch, CUDA and cuDNN as pemn sees them
#   3. the CUDA tests (test/gpu): masks, every backbone, checkpoints across devices, precisions
#   4. pemn train --device cuda on CIFAR-shaped files (random pixels: the path, not accuracy)
#   5. training steps of ConvMixer-256/8 RP 1e-3, ResNet-32 and ViT-256/6, batch 256, in fp32
#      and bf16, against bench/reference/training_step.py on the same GPU: one JSON line each
# In a checkout with node_modules it runs the TypeScript through tsx; without (an offline
# GPU host), the bundles scripts/gpu-bundle.sh put in .gpu/. Each step's output goes to
# OUT_DIR; a failing step is recorded and the next one still runs. Exit status: the number
# of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-check}
mkdir -p "$out"
failed=0
step() { # name, then the command; its output goes to OUT_DIR/name.log and the console
  local name=$1 started=$SECONDS
  shift
  echo "== $name" >&2
  if "$@" > >(tee "$out/$name.log") 2>&1; then
    echo "{\"step\":\"$name\",\"ok\":true,\"seconds\":$((SECONDS - started))}" >>"$out/steps.jsonl"
  else
    failed=$((failed + 1))
    echo "{\"step\":\"$name\",\"ok\":false,\"seconds\":$((SECONDS - started))}" >>"$out/steps.jsonl"
  fi
}

if [[ -f .gpu/node.xz && ! -x .gpu/node ]]; then xz -dc .gpu/node.xz >.gpu/node && chmod +x .gpu/node; fi
node=${PEMN_NODE:-$(if [[ -x .gpu/node ]]; then echo "$PWD/.gpu/node"; else command -v node; fi)}
export PATH=$(dirname "$node"):$PATH
if [[ -d node_modules/tsx ]]; then
  pemn=("$node" bin/pemn.js)
  bench=("$node" --import tsx bench/run.ts)
  tests=(test/gpu/*.test.ts)
  test_runner=("$node" --import tsx --test)
else
  export NODE_API_HEADERS=$PWD/.gpu/node-api NODE_ADDON_API_DIR=$PWD/.gpu/node-addon-api
  pemn=("$node" .gpu/cli/pemn.mjs)
  bench=("$node" .gpu/bench/run.mjs)
  tests=(.gpu/test/*.test.mjs)
  test_runner=("$node" --test)
fi
export LIBTORCH_USE_PYTORCH=1 PEMN_NATIVE=$PWD/native/build/Release/pemn_native.node
export PEMN_REFERENCE_PYTHON=${PEMN_REFERENCE_PYTHON:-$(command -v python3)}

facts() {
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  "$node" --version
  "$PEMN_REFERENCE_PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'
  "${CXX:-g++}" --version | head -1
  echo "cores $(nproc)"
}
step facts facts
build() {
  "$node" scripts/find-libtorch.mjs json && "$node" scripts/build-native.mjs && return 0
  # CUDA's headers may not match the wheel's: libtorch's own hooks still drive the GPU.
  echo "gpu-check: the build failed; again without CUDA's headers (PEMN_CUDA_HEADERS=0)" >&2
  PEMN_CUDA_HEADERS=0 "$node" scripts/build-native.mjs
}
step build build
step doctor "${pemn[@]}" doctor
step tests "${test_runner[@]}" "${tests[@]}"

# CIFAR-10's binary layout, random pixels: enough for the whole command's path on the GPU.
data=$(mktemp -d)
"$PEMN_REFERENCE_PYTHON" - "$data" <<'EOF'
import os, sys
import numpy as np
rng = np.random.default_rng(0)
for name, count in [*((f"data_batch_{i}.bin", 2000) for i in range(1, 6)), ("test_batch.bin", 2000)]:
    records = np.concatenate([rng.integers(0, 10, (count, 1)), rng.integers(0, 256, (count, 3072))], axis=1)
    records.astype(np.uint8).tofile(os.path.join(sys.argv[1], name))
EOF
step train "${pemn[@]}" train --dataset cifar10 --data-dir "$data" --model convmixer --dim 256 --depth 8 \
  --patch 2 --kernel 5 --strategy rp --ratio 1e-3 --epochs 2 --batch-size 256 --device cuda \
  --precision bf16 --progress lines --run-dir "$out/train-run"
step eval "${pemn[@]}" eval "$out/train-run" --device cuda --json
rm -rf "$data" "$out/train-run"/*.ckpt

for precision in fp32 bf16; do
  step "bench-$precision" "${bench[@]}" --only training --quick --json --device cuda \
    --precision "$precision" --batch 256
done
echo "gpu-check: $failed failed step(s); results in $out/" >&2
exit "$failed"
