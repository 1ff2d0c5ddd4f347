import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { assertRefusals, PEMN_BIN } from "../helpers/run-pemn.js";

const cores = availableParallelism();
const maxThreads = 4 * cores;

/** `pemn ...args`, killed after 30 s: a regression would start threads or processes. */
function pemn(...args: string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PEMN_BIN, ...args],
      { encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" },
      (error, _stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

// Issue 15: `--threads 100000` spent minutes creating threads, `--nproc 100000` forked until
// memory ran out, and `--seed 9007199254740993` was refused without the bound. Each is now
// refused before anything starts, naming its bound; none of these runs trains.
test("thread, process and seed flags past their bounds are refused, naming the bound", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["train", "--threads", "100000"],
      new RegExp(
        `option '--threads <n>' argument '100000' is invalid\\. expected an integer from 1 to ${maxThreads} \\(4 x the ${cores} cores of this machine\\)`,
      ),
    ],
    [
      ["train", "--nproc", String(cores + 1)],
      new RegExp(
        `--nproc ${cores + 1} is more than the ${cores} cores of this machine; pass --allow-oversubscribe to start up to ${maxThreads} local processes`,
      ),
    ],
    [
      ["train", "--nproc", "100000", "--allow-oversubscribe"],
      new RegExp(
        `--nproc 100000 is more than ${maxThreads} local processes \\(4 x the ${cores} cores of this machine\\), even with --allow-oversubscribe`,
      ),
    ],
    [
      ["sweep", "--preset", "fig3-fashion", "--jobs", "100000", "--dry-run"],
      new RegExp(`--jobs 100000 is more than the ${cores} cores of this machine`),
    ],
    [
      ["train", "--seed", "9007199254740993"],
      /argument '9007199254740993' is invalid\. expected an integer >= 0, got "9007199254740993", which is past Number\.MAX_SAFE_INTEGER \(9007199254740991\): larger integers cannot be represented exactly/,
    ],
  ];
  await assertRefusals(cases, pemn);
});
