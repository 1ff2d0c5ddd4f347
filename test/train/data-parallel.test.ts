import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type ChildOutcome, freePort, runChild } from "../helpers/child-ranks.js";
import { temporaryDirectory } from "./helpers.js";

const WORKER = fileURLToPath(new URL("../helpers/data-parallel-worker.ts", import.meta.url));

// The worker's TinyMaskedMlp: 16 -> 8 (BatchNorm over 8) -> 3, masked.
const SCORES = 16 * 8 + 8 * 3;
const NORM_PARAMETERS = 8 + 8;
const FLOAT = 4;
// sync-bn all-reduces [sum, sum of squares, count] of its 8 channels forward and backward.
const SYNC_BN_BYTES = 2 * (8 + 8 + 1) * FLOAT;

type Outcome = Record<string, unknown> & {
  losses: number[];
  parameters: Record<string, number[]>;
  masks: Record<string, number[]>;
  fixedWeightsDigest: string;
  testAccuracy: number;
  runningMean: number[];
  bytesPerStep: number;
};

function outcomeOf(child: ChildOutcome): Outcome {
  assert.ok(child.result, `no outcome (code ${child.code}, ${child.signal}): ${child.stderr}`);
  assert.equal(child.result.error, undefined, String(child.result.message));
  return child.result as Outcome;
}

async function runRanks(
  worldSize: number,
  job: Record<string, unknown>,
  perRank: (rank: number) => Record<string, unknown> = () => ({}),
): Promise<ChildOutcome[]> {
  const port = await freePort();
  return Promise.all(
    Array.from({ length: worldSize }, (_, rank) =>
      runChild(
        WORKER,
        [JSON.stringify({ rank, worldSize, port, ...job, ...perRank(rank) })],
        {},
        40_000,
      ),
    ),
  );
}

function assertClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const difference = Math.abs((actual[i] as number) - (expected[i] as number));
    assert.ok(
      difference <= tolerance * (1 + Math.abs(expected[i] as number)),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

/** A rank of a data-parallel run ends where the single-process run does (within float tolerance). */
function assertTrainsAsOneRank(rank: Outcome, single: Outcome) {
  assertClose(rank.losses, single.losses, 1e-5, "train loss per epoch");
  for (const [name, values] of Object.entries(single.parameters)) {
    assertClose(rank.parameters[name] as number[], values, 1e-5, name);
  }
  assert.deepEqual(rank.masks, single.masks);
  assert.equal(rank.testAccuracy, single.testAccuracy);
  assertClose(rank.runningMean, single.runningMean, 1e-5, "running mean");
}

const reference = runChild(WORKER, [
  JSON.stringify({ rank: null, worldSize: 1, port: 0, syncBatchNorm: false }),
]);

test("2 ranks x batch 32 with sync-bn train as 1 rank x batch 64: scores, masks, losses, accuracy", async () => {
  const single = outcomeOf(await reference);
  const ranks = (await runRanks(2, { syncBatchNorm: true })).map(outcomeOf);
  for (const rank of ranks) {
    assertTrainsAsOneRank(rank, single);
    assert.equal(rank.fixedWeightsDigest, single.fixedWeightsDigest);
    assert.equal(rank.bytesPerStep, (SCORES + NORM_PARAMETERS) * FLOAT + SYNC_BN_BYTES);
  }
  assert.deepEqual(
    ranks[0]?.parameters,
    ranks[1]?.parameters,
    "the ranks' trained tensors agree bit for bit",
  );
});

test("a small ConvMixer with sync-bn: 2 ranks x batch 32 train as 1 rank x batch 64", async () => {
  const single = outcomeOf(
    await runChild(WORKER, [
      JSON.stringify({
        rank: null,
        worldSize: 1,
        port: 0,
        syncBatchNorm: false,
        model: "convmixer",
      }),
    ]),
  );
  const ranks = (await runRanks(2, { syncBatchNorm: true, model: "convmixer" })).map(outcomeOf);
  for (const rank of ranks) assertTrainsAsOneRank(rank, single);
});

test("only the trained tensors are all-reduced; the fixed weights stay bit-identical on every rank", async () => {
  const single = outcomeOf(await reference);
  const ranks = (await runRanks(2, { syncBatchNorm: false })).map(outcomeOf);
  for (const rank of ranks) {
    // Scores and norm parameters; the 16 * 8 + 8 * 3 fixed values never travel.
    assert.equal(rank.bytesPerStep, (SCORES + NORM_PARAMETERS) * FLOAT);
    assert.equal(rank.fixedWeightsDigest, single.fixedWeightsDigest);
  }
  assert.deepEqual(ranks[0]?.parameters, ranks[1]?.parameters);
  assert.deepEqual(ranks[0]?.masks, ranks[1]?.masks);
});

test("a rank killed mid-training stops the other, naming the lost rank; resume then finishes the run", async () => {
  const runDir = temporaryDirectory("data-parallel");
  try {
    const uninterrupted = outcomeOf(
      (
        await runRanks(2, { syncBatchNorm: false, runDir: `${runDir.path}/whole` })
      )[0] as ChildOutcome,
    );
    const [survivor, killed] = await runRanks(
      2,
      { syncBatchNorm: false, runDir: `${runDir.path}/cut` },
      (rank) => (rank === 1 ? { dieAfterEpoch: 1 } : {}),
    );
    assert.equal(killed?.signal, "SIGKILL");
    const failure = survivor?.result as Record<string, unknown>;
    assert.equal(failure.error, "CollectiveError", String(failure.message));
    assert.equal(failure.lostRank, 1);
    assert.match(String(failure.message), /rank 1 was lost/);
    const resumed = (
      await runRanks(2, { syncBatchNorm: false, runDir: `${runDir.path}/cut`, resume: true })
    ).map(outcomeOf);
    for (const rank of resumed) {
      assert.equal(rank.losses.length, 3);
      assert.deepEqual(rank.parameters, uninterrupted.parameters);
      assert.deepEqual(rank.losses, uninterrupted.losses);
    }
  } finally {
    runDir.remove();
  }
});
