import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkPemnMemory, declaredWeights } from "../../src/artifact/memory-needs.js";
import { PemnModelError } from "../../src/artifact/pemn-model-error.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { mlpBombPemn } from "./bomb-fixtures.js";
import { runPemnMeasured } from "./run-pemn-measured.js";

/** What the reported bomb declares: 784 x 1,300,000 + 1,300,000 x 10 weights. */
const BOMB_WEIGHTS = 1_032_200_000;
const IDLE_CLI_BOUND = 400 * 2 ** 20;

test("a few hundred bytes can declare a billion weights (the bomb is what was reported)", () => {
  const bomb = mlpBombPemn(1_300_000);
  assert.ok(bomb.length < 400, `${bomb.length} bytes`);
  assert.equal(declaredWeights(bomb), BOMB_WEIGHTS);
});

test("the memory check refuses from the header alone, naming the figure", () => {
  const bomb = mlpBombPemn(1_300_000);
  assert.throws(
    () => checkPemnMemory(bomb, "evaluate", 8 * 2 ** 30),
    (error: unknown) =>
      error instanceof PemnModelError &&
      error.code === "too-large" &&
      /its 1032200000 weights need at least 11\.5 GiB to evaluate \(12 bytes each\), more than the 8\.0 GiB/.test(
        error.detail,
      ),
  );
  // An ONNX file is one protobuf message: over 2 GiB of initialisers can never be written.
  assert.throws(() => checkPemnMemory(bomb, "export", 2 ** 50), {
    name: "PemnModelError",
    message:
      /too-large: its 1032200000 weights take 4128800000 bytes as float32 ONNX initialisers, over the 2 GiB/,
  });
  checkPemnMemory(mlpBombPemn(16), "evaluate", 2 ** 30);
});

test("pemn export --onnx and pemn eval refuse the bomb before allocating (were 3 GB and 5 GB)", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const bomb = join(dir, "bomb.pemn");
    writeFileSync(bomb, mlpBombPemn(1_300_000));
    const exported = runPemnMeasured(["export", bomb, "--onnx", join(dir, "bomb.onnx")]);
    assert.equal(exported.status, 1);
    assert.match(exported.stderr, new RegExp(`${bomb}: too-large: its ${BOMB_WEIGHTS} weights`));
    assert.ok(exported.maxRssBytes < IDLE_CLI_BOUND, `export: max RSS ${exported.maxRssBytes}`);

    // Within a budget the machine's own figure would allow or not: PEMN_MAX_MEMORY fixes it.
    writeSyntheticMnist(dir, 20, 20);
    const evaluated = runPemnMeasured(
      ["eval", bomb, "--dataset", "mnist", "--data-dir", dir, "--device", "cpu"],
      { env: { PEMN_MAX_MEMORY: "4G" } },
    );
    assert.equal(evaluated.status, 1);
    assert.match(
      evaluated.stderr,
      new RegExp(`${bomb}: too-large: .* more than the 4\\.0 GiB of memory available`),
    );
    assert.ok(evaluated.maxRssBytes < IDLE_CLI_BOUND, `eval: max RSS ${evaluated.maxRssBytes}`);
  } finally {
    remove();
  }
});
