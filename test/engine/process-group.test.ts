import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ProcessGroup } from "../../src/engine/index.js";
import { type ChildOutcome, freePort, runChild, silentListener } from "../helpers/child-ranks.js";

const WORKER = fileURLToPath(new URL("../helpers/process-group-worker.ts", import.meta.url));
const TIMEOUT_MS = 2500;

function runRanks(
  kind: string,
  worldSize: number,
  port: number,
  ranks: readonly number[] = Array.from({ length: worldSize }, (_, r) => r),
): Promise<ChildOutcome[]> {
  return Promise.all(
    ranks.map((rank) =>
      runChild(
        WORKER,
        [JSON.stringify({ kind, rank, worldSize, port, timeoutMs: TIMEOUT_MS })],
        {},
        20_000,
      ),
    ),
  );
}

function resultOf(outcome: ChildOutcome): Record<string, unknown> {
  assert.ok(
    outcome.result,
    `the rank printed no outcome (code ${outcome.code}): ${outcome.stderr}`,
  );
  return outcome.result;
}

// Rank r holds (r + 1) * pattern, so over 2 ranks the sum is 3 * pattern, the mean 1.5 *.
const PATTERN = [
  [1, -2, 3.5],
  [0.25, 4, -1, 8],
];

test("all-reduce sum and average over 2 ranks equal the hand sum; broadcast copies the root", async () => {
  const outcomes = await runRanks("reduce", 2, await freePort());
  for (const outcome of outcomes) {
    const result = resultOf(outcome);
    assert.equal(result.error, undefined, String(result.message));
    assert.deepEqual(
      result.sum,
      PATTERN.map((values) => values.map((v) => v * 1 + v * 2)),
    );
    assert.deepEqual(
      result.average,
      PATTERN.map((values) => values.map((v) => (v * 1 + v * 2) / 2)),
    );
    assert.deepEqual(
      result.broadcast,
      PATTERN.map((values) => values.map((v) => v * 2)),
    );
    assert.equal(result.bytes, (3 + 4) * 4, "one flat float32 buffer of both tensors");
  }
});

test("a rank waiting for a peer that never comes fails within the timeout", async () => {
  const [outcome] = await runRanks("init-only", 2, await freePort(), [0]);
  const result = resultOf(outcome as ChildOutcome);
  assert.equal(result.error, "CollectiveError");
  assert.equal(result.op, "processGroupInit");
  assert.match(String(result.message), /rendezvous at 127\.0\.0\.1:\d+ \(rank 0 of 2\) failed/);
  assert.ok((result.seconds as number) < TIMEOUT_MS / 1000 + 3, `took ${result.seconds} s`);
});

test("ranks started with different world sizes are told so", async () => {
  const port = await freePort();
  const [zero, one] = await Promise.all([
    runChild(WORKER, [
      JSON.stringify({ kind: "init-only", rank: 0, worldSize: 2, port, timeoutMs: TIMEOUT_MS }),
    ]),
    runChild(WORKER, [
      JSON.stringify({ kind: "init-only", rank: 1, worldSize: 3, port, timeoutMs: TIMEOUT_MS }),
    ]),
  ]);
  const result = resultOf(one as ChildOutcome);
  assert.equal(result.error, "CollectiveError");
  assert.match(String(result.message), /rank 1 was started with world size 3, rank 0 with 2/);
  // Rank 0 then waits for a peer that left: it too fails, within the timeout.
  assert.equal(resultOf(zero as ChildOutcome).error, "CollectiveError");
});

test("a port held by another listener is a rendezvous error for the store's rank and its clients", async () => {
  const { server, port } = await silentListener();
  try {
    const [zero, one] = await runRanks("init-only", 2, port);
    for (const outcome of [zero, one]) {
      const result = resultOf(outcome as ChildOutcome);
      assert.equal(result.error, "CollectiveError", String(result.message));
      assert.match(String(result.message), /rendezvous at 127\.0\.0\.1:\d+/);
      assert.ok((result.seconds as number) < TIMEOUT_MS / 1000 + 3, `took ${result.seconds} s`);
    }
  } finally {
    server.close();
  }
});

test("a killed rank makes the other's collective fail, naming the op and the lost rank", async () => {
  const [survivor, killed] = await runRanks("lose-peer", 2, await freePort());
  assert.equal((killed as ChildOutcome).signal, "SIGKILL");
  const result = resultOf(survivor as ChildOutcome);
  assert.equal(result.error, "CollectiveError");
  assert.equal(result.op, "allReduce");
  assert.equal(result.lostRank, 1);
  assert.match(String(result.message), /rank 1 was lost/);
  assert.ok((result.seconds as number) < TIMEOUT_MS / 1000 + 3, `took ${result.seconds} s`);
});

test("a peer alive but absent from a collective makes it fail when the timeout passes, naming no lost rank", async () => {
  const [waiting] = await runRanks("stall-peer", 2, await freePort());
  const result = resultOf(waiting as ChildOutcome);
  assert.equal(result.error, "CollectiveError");
  assert.equal(result.op, "allReduce");
  assert.equal(result.lostRank, null);
  assert.match(String(result.message), /a peer is alive but did not join/);
  const seconds = result.seconds as number;
  assert.ok(
    seconds >= TIMEOUT_MS / 1000 - 0.5 && seconds < TIMEOUT_MS / 1000 + 3,
    `took ${seconds} s`,
  );
});

// Issue 15: a local run's store (MASTER_ADDR=127.0.0.1) listened on every interface, so an
// unauthenticated store was open to the network. From libtorch 2.6 the addon binds it to the
// master's address; libtorch 1.13 cannot, and rank 0 warns instead (docs/distributed.md).
test("rank 0's store listens on 127.0.0.1 only, or warns where this libtorch cannot bind it", async () => {
  const port = await freePort();
  const outcomes = await runRanks("store-listeners", 2, port);
  const [first, second] = outcomes.map(resultOf);
  assert.ok(first && second);
  assert.equal(first.error, undefined, String(first.message));
  assert.equal(second.error, undefined, String(second.message));
  const listeners = first.listeners as string[];
  const warning = /PEMN_STORE_ON_ALL_INTERFACES.*reachable from the network/;
  if (ProcessGroup.storeBindsMaster()) {
    assert.deepEqual(listeners, [`127.0.0.1:${port}`]);
    assert.doesNotMatch(outcomes[0]?.stderr ?? "", warning);
  } else {
    assert.ok(listeners.length > 0, "ss shows no listener on the store's port");
    for (const listener of listeners) {
      assert.match(listener, new RegExp(`^(\\*|0\\.0\\.0\\.0|\\[::\\]):${port}$`));
    }
    assert.match(outcomes[0]?.stderr ?? "", warning);
  }
  assert.doesNotMatch(outcomes[1]?.stderr ?? "", warning, "only rank 0 hosts the store");
});
