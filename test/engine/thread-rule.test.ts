import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { liveTensorCount, tensor, tidy } from "../../src/engine/index.js";

const ENGINE = new URL("../../src/engine/index.ts", import.meta.url).href;
const TSX_API = import.meta.resolve("tsx/esm/api");

/** Runs engine code in a worker_thread; resolves with what the worker reports. */
function tryEngineInWorker(): Promise<{ name: string; message: string } | "ran"> {
  // tsx's hooks do not reach a worker's own imports, so the worker loads the engine through tsImport.
  const code = `
    const { parentPort } = require("node:worker_threads");
    import(${JSON.stringify(TSX_API)})
      .then(({ tsImport }) => tsImport(${JSON.stringify(ENGINE)}, ${JSON.stringify(TSX_API)}))
      .then((engine) => { engine.tensor([1, 2]).dispose(); parentPort.postMessage("ran"); })
      .catch((error) => parentPort.postMessage({ name: error.name, message: error.message }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

test("the engine refuses a worker_thread with the threading rule, and the main thread keeps working", async () => {
  const held = tensor([1.5, 2.5]);
  const liveBefore = liveTensorCount();

  const outcome = await tryEngineInWorker();
  assert.ok(outcome !== "ran", "the addon loaded in a worker_thread");
  assert.equal(outcome.name, "EngineUnavailableError");
  assert.match(outcome.message, /only be used from the main JavaScript thread/);
  assert.match(outcome.message, /worker_thread/);

  // A tensor made before the attempt is intact, and new work runs.
  assert.equal(liveTensorCount(), liveBefore);
  assert.deepEqual(
    tidy(() => held.mul(2).toArray()),
    Float32Array.from([3, 5]),
  );
  held.dispose();
});
