import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { getThreads, maxThreads, setThreads } from "../../src/engine/index.js";
import { defaultThreadCount } from "../../src/engine/native.js";

const cores = availableParallelism();

// Issue 15: the library took any count, and libtorch then spent minutes creating threads.
test("setThreads refuses counts past 4 x the cores (and below 1), naming the bound", () => {
  assert.equal(maxThreads(), 4 * cores);
  const before = getThreads();
  assert.throws(
    () => setThreads(maxThreads() + 1),
    new RangeError(
      `threads must be at most ${4 * cores} (4 x the ${cores} cores of this machine), got ${4 * cores + 1}`,
    ),
  );
  assert.throws(() => setThreads(0), /threads must be a positive integer, got 0/);
  assert.equal(getThreads(), before, "a refused count changes nothing");
  setThreads(before);
});

test("PEMN_THREADS is held to the same bound", (t) => {
  const saved = process.env.PEMN_THREADS;
  t.after(() => {
    if (saved === undefined) delete process.env.PEMN_THREADS;
    else process.env.PEMN_THREADS = saved;
  });
  process.env.PEMN_THREADS = String(maxThreads());
  assert.equal(defaultThreadCount(), maxThreads());
  process.env.PEMN_THREADS = "100000";
  assert.throws(
    () => defaultThreadCount(),
    new RegExp(
      `PEMN_THREADS must be at most ${4 * cores} \\(4 x the ${cores} cores of this machine\\), got "100000"`,
    ),
  );
});
