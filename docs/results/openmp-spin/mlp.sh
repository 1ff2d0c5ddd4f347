#!/bin/bash
# img/s of one pemn train epoch of the paper's small MLP (784-100-100-100-10, batch 128,
# 20,000 Fashion images): small ops, where spinning OpenMP workers pay off most.
P="$(git rev-parse --show-toplevel)/bin/pemn.js"
cd "$(mktemp -d)"
one() { local label=$1; shift
  rm -rf r; env "$@" node $P train --model mlp --epochs 1 --train-limit 20000 --val-fraction 0 --workers 0 --progress lines --run-dir r --threads 2 > out.log 2>&1
  echo "$label $(grep -o '[0-9]* img/s' out.log | tail -1)"; }
for rep in 1 2 3; do one "mlp t2 default" X=1; one "mlp t2 spin10k" GOMP_SPINCOUNT=10000; one "mlp t2 passive" OMP_WAIT_POLICY=PASSIVE; done
