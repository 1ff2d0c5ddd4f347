import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { assertRefusals, PEMN_BIN } from "../helpers/run-pemn.js";

/*
 * `pemn train --workers N` as a process: it ends (no worker thread holds it) when training
 * finishes, when a worker fails, and on SIGINT; a worker's failure is reported with the
 * dataset named. Each child is killed, and the test failed, if it outlives its deadline.
 */

const DEADLINE_MS = 60_000;

let work: ReturnType<typeof temporaryDirectory>;
/** A config file; `machine` adds top-level settings beside the run's (workers, threads, device). */
const config = (epochs: number, hidden: number[], machine: Record<string, unknown> = {}) => {
  const file = join(
    work.dir,
    `config-${epochs}-${hidden.join("-")}${Object.keys(machine).length > 0 ? `-${JSON.stringify(machine).replace(/\W+/g, "-")}` : ""}.json`,
  );
  writeFileSync(
    file,
    JSON.stringify({
      ...machine,
      model: { name: "mlp", hidden },
      data: { source: { name: "mnist", dir: work.dir }, validation: { size: { count: 100 } } },
      train: {
        epochs,
        batchSize: 25,
        optimizer: { kind: "adamw", lr: 0.01 },
        augmentation: [{ kind: "randomCrop", padding: 2 }, { kind: "randomErasing" }],
      },
    }),
  );
  return file;
};
before(() => {
  work = temporaryDirectory();
  writeSyntheticMnist(work.dir, 12000, 60);
});
after(() => work.remove());

interface Outcome {
  code: number | null;
  signal: string | null;
  stderr: string;
}

/** `pemn train ...args`; `onStart` may act on the child (signal it) once it runs. */
function train(
  args: string[],
  env: Record<string, string> = {},
  onStart?: (child: ReturnType<typeof spawn>, exited: Promise<Outcome>) => Promise<void>,
): Promise<Outcome> {
  const child = spawn(process.execPath, [PEMN_BIN, "train", "--progress", "none", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, PEMN_THREADS: "1", ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const deadline = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
  const exited = new Promise<Outcome>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stderr });
    }),
  );
  return (onStart?.(child, exited) ?? Promise.resolve()).then(() => exited);
}

test("a run with 2 workers finishes and exits; config.json does not hold the worker count", async () => {
  const runDir = join(work.dir, "finished");
  const outcome = await train([
    "--config",
    config(1, [16]),
    "--train-limit",
    "500",
    "--run-dir",
    runDir,
    "--workers",
    "2",
  ]);
  assert.equal(outcome.signal, null, `killed at the deadline: ${outcome.stderr}`);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.ok(existsSync(join(runDir, "summary.json")));
  assert.doesNotMatch(readFileSync(join(runDir, "config.json"), "utf8"), /worker/i);
});

test("a worker that fails ends the run with the dataset named, and the process exits", async () => {
  const runDir = join(work.dir, "faulty");
  const outcome = await train(
    ["--config", config(2, [16]), "--run-dir", runDir, "--workers", "2"],
    { PEMN_DATA_WORKER_FAULT: "5" },
  );
  assert.equal(outcome.signal, null, `killed at the deadline: ${outcome.stderr}`);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(
    outcome.stderr,
    /data worker [12]\/2 of mnist \(11900 images\) failed on batch 5: Error: fault injected/,
  );
  assert.equal(existsSync(runDir), false, "a new run that failed takes its directory away");
});

test("a config file's top-level workers and threads set the run's; the flag wins; config.json holds neither", async () => {
  // The failing worker names its pool's size: the count actually used.
  const fromFile = config(2, [16], { workers: 2, threads: 1, device: "cpu" });
  const failing = { PEMN_DATA_WORKER_FAULT: "5" };
  const runDir = join(work.dir, "from-file");
  const outcome = await train(["--config", fromFile, "--run-dir", runDir], failing);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /data worker [12]\/2 of mnist/);
  const overridden = await train(
    ["--config", fromFile, "--run-dir", join(work.dir, "flag-wins"), "--workers", "1"],
    failing,
  );
  assert.equal(overridden.code, 1, overridden.stderr);
  assert.match(overridden.stderr, /data worker 1\/1 of mnist/);

  const finishedDir = join(work.dir, "from-file-finished");
  const finished = await train([
    "--config",
    fromFile,
    "--train-limit",
    "500",
    "--epochs",
    "1",
    "--run-dir",
    finishedDir,
  ]);
  assert.equal(finished.code, 0, finished.stderr);
  assert.doesNotMatch(
    readFileSync(join(finishedDir, "config.json"), "utf8"),
    /worker|thread|device/i,
  );
});

test("a config file's bad workers, threads or device is refused naming the file and the setting", async () => {
  await assertRefusals([
    [
      ["train", "--config", config(1, [16], { workers: 65 })],
      /config-1-16-.*\.json[\s\S]*workers must be at most 64/,
    ],
    [["train", "--config", config(1, [16], { threads: 0 })], /threads must be at least 1/],
    [["train", "--config", config(1, [16], { workers: 1.5 })], /workers must be an integer/],
    [
      ["train", "--config", config(1, [16], { device: "gpu" })],
      /device must be cpu, cuda, cuda:N or auto/,
    ],
  ]);
});

test("SIGINT stops a run with workers: exit 130, nothing left running", async () => {
  const runDir = join(work.dir, "interrupted");
  const outcome = await train(
    ["--config", config(3, [256, 256]), "--run-dir", runDir, "--workers", "2"],
    {},
    async (child, exited) => {
      let done = false;
      void exited.then(() => {
        done = true;
      });
      while (!existsSync(join(runDir, "config.json"))) {
        assert.ok(!done, "the run ended before it started training");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill("SIGINT");
    },
  );
  assert.equal(outcome.signal, null, `killed at the deadline or by SIGINT: ${outcome.stderr}`);
  assert.equal(outcome.code, 130, outcome.stderr);
  assert.equal(existsSync(join(runDir, "run.lock")), false);
});

test("--workers takes 0 to 64", async () => {
  await assertRefusals([
    [["train", "--workers", "-1"], /--workers.*integer from 0 to 64/],
    [["train", "--workers", "65"], /--workers.*integer from 0 to 64/],
    [["train", "--workers", "two"], /--workers/],
  ]);
});
