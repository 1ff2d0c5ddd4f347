#!/bin/bash
# After pemn sets GOMP_SPINCOUNT itself: no variables set, against PEMN_OMP_TUNING=off.
P="$(git rev-parse --show-toplevel)/bin/pemn.js"
cd "$(mktemp -d)"
mlp() { local label=$1; shift; rm -rf r; env "$@" node $P train --model mlp --epochs 1 --train-limit 20000 --val-fraction 0 --workers 0 --progress lines --run-dir r --threads 2 > out.log 2>&1; echo "$label $(grep -o '[0-9]* img/s' out.log | tail -1)"; }
cm() { local label=$1; shift; rm -rf r; env "$@" node $P train --model convmixer --dim 128 --depth 4 --kernel 5 --patch 4 --epochs 1 --train-limit 6144 --val-fraction 0 --workers 0 --progress lines --run-dir r --threads 2 > out.log 2>&1; echo "$label $(grep -o '[0-9]* img/s' out.log | tail -1)"; }
for rep in 1 2; do mlp "mlp t2 pemn-default" X=1; mlp "mlp t2 off" PEMN_OMP_TUNING=off; cm "convmixer t2 pemn-default" X=1; cm "convmixer t2 off" PEMN_OMP_TUNING=off; done
node -e 'for(;;){}' & B=$!
for rep in 1 2; do cm "busy convmixer t2 pemn-default" X=1; cm "busy convmixer t2 off" PEMN_OMP_TUNING=off; done
kill $B
