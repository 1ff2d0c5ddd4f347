// One rank of a process-group test, run as a child process by test/engine/process-group.test.ts.
// argv[2] is a JSON Scenario; the last stdout line is the JSON outcome.
import { execFileSync } from "node:child_process";
import { CollectiveError, ProcessGroup, tensor } from "../../src/engine/index.js";

interface Scenario {
  readonly kind: "reduce" | "lose-peer" | "stall-peer" | "init-only" | "store-listeners";
  readonly rank: number;
  readonly worldSize: number;
  readonly port: number;
  readonly timeoutMs: number;
}

const scenario = JSON.parse(process.argv[2] as string) as Scenario;

function report(outcome: unknown): void {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

function describeError(error: unknown, started: number) {
  return {
    error: error instanceof Error ? error.name : String(error),
    message: error instanceof Error ? error.message : "",
    op: error instanceof CollectiveError ? error.op : null,
    lostRank: error instanceof CollectiveError ? error.lostRank : null,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Rank r's inputs: r + 1 times a fixed pattern, so the hand sum is known in the test. */
function inputs(rank: number) {
  const a = tensor(
    Float32Array.from([1, -2, 3.5], (v) => v * (rank + 1)),
    [3],
  );
  const b = tensor(
    Float32Array.from([0.25, 4, -1, 8], (v) => v * (rank + 1)),
    [2, 2],
  );
  return [a, b];
}

/** One all-reduce whose peer is gone or absent: reports the error and how long it took. */
function reportAllReduce(group: ProcessGroup): void {
  const startedAt = performance.now();
  try {
    group.allReduce(inputs(scenario.rank), "sum");
    report({ error: null });
  } catch (error) {
    report(describeError(error, startedAt));
  }
}

const started = performance.now();
let group: ProcessGroup;
try {
  group = ProcessGroup.init({
    rank: scenario.rank,
    worldSize: scenario.worldSize,
    masterAddr: "127.0.0.1",
    masterPort: scenario.port,
    timeoutMs: scenario.timeoutMs,
  });
} catch (error) {
  report(describeError(error, started));
  process.exit(0);
}

if (scenario.kind === "reduce") {
  const summed = inputs(scenario.rank);
  const bytes = group.allReduce(summed, "sum");
  const averaged = inputs(scenario.rank);
  group.allReduce(averaged, "average");
  const broadcast = inputs(scenario.rank);
  group.broadcast(broadcast, 1);
  group.barrier();
  report({
    rank: group.rank,
    worldSize: group.worldSize,
    bytes,
    sum: summed.map((t) => Array.from(t.toArray() as Float32Array)),
    average: averaged.map((t) => Array.from(t.toArray() as Float32Array)),
    broadcast: broadcast.map((t) => Array.from(t.toArray() as Float32Array)),
  });
  group.destroy();
} else if (scenario.kind === "lose-peer") {
  group.barrier();
  if (scenario.rank === scenario.worldSize - 1) process.kill(process.pid, "SIGKILL");
  reportAllReduce(group);
} else if (scenario.kind === "stall-peer") {
  group.barrier();
  if (scenario.rank === scenario.worldSize - 1) {
    // Alive (its heartbeat goes on) but never joins the collective.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2 * scenario.timeoutMs + 2000);
    report({ stalled: true });
  } else reportAllReduce(group);
} else if (scenario.kind === "store-listeners") {
  // While the group is up: the listening sockets on the store's port, as `ss` shows them.
  const listeners =
    scenario.rank === 0
      ? execFileSync("ss", ["-ltnH", `sport = :${scenario.port}`], { encoding: "utf8" })
          .trim()
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => line.trim().split(/\s+/)[3])
      : [];
  group.barrier();
  report({ rank: group.rank, listeners });
  group.destroy();
} else {
  report({ rank: group.rank, seconds: (performance.now() - started) / 1000 });
}
