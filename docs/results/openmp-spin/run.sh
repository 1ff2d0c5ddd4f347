#!/bin/bash
# img/s of one pemn train epoch (ConvMixer-128/4, 6,144 Fashion images, batch 128), alone and
# beside one busy single-threaded process, for thread counts and libgomp wait policies.
P="$(git rev-parse --show-toplevel)/bin/pemn.js"
cd "$(mktemp -d)"
one() { # label env...
  local label=$1; shift
  rm -rf r; env "$@" node $P train --model convmixer --dim 128 --depth 4 --kernel 5 --patch 4 --epochs 1 --train-limit 6144 --val-fraction 0 --workers 0 --progress lines --run-dir r $THREADS > out.log 2>&1
  echo "$label $(grep -o '[0-9]* img/s' out.log | tail -1)"
}
for load in none busy; do
  [ $load = busy ] && { node -e 'for(;;){}' & BUSY=$!; }
  for rep in 1 2; do
    THREADS="--threads 1" one "$load t1 default" X=1
    THREADS="--threads 2" one "$load t2 default" X=1
    THREADS="--threads 2" one "$load t2 spin10k" GOMP_SPINCOUNT=10000
    THREADS="--threads 2" one "$load t2 passive" OMP_WAIT_POLICY=PASSIVE
  done
  [ $load = busy ] && kill $BUSY
done
