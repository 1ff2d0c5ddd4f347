import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { checkLocalProcesses } from "./local-process-limit.js";

export interface LocalLaunch {
  readonly nproc: number;
  /** The CLI arguments every rank gets (the same command, run directory fixed). */
  readonly args: readonly string[];
  /** After one rank fails, how long the others get to stop on their own (their collective timeout). */
  readonly graceMs: number;
  readonly masterPort?: number;
  /** Allow more ranks than cores (src/run/local-process-limit.ts). */
  readonly allowOversubscribe?: boolean;
}

/** A port free at the time of asking, for rank 0's store. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port on 127.0.0.1");
  return address.port;
}

/**
 * Starts `nproc` ranks of this CLI on this machine, as torchrun does: each a child process
 * with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT and
 * PEMN_THREADS = cores / nproc. Resolves to the exit code: 0 when all ranks succeed, else
 * the first failure's; throws RangeError, starting nothing, for more ranks than the local
 * process limit. A rank that fails stops the others through their collectives; any
 * still running after graceMs are terminated.
 */
export async function launchLocalRanks(launch: LocalLaunch): Promise<number> {
  checkLocalProcesses("nproc", launch.nproc, launch.allowOversubscribe ?? false);
  const masterPort = launch.masterPort ?? (await freeLoopbackPort());
  const threads = Math.max(1, Math.floor(availableParallelism() / launch.nproc));
  const script = process.argv[1] as string;
  const children: ChildProcess[] = [];
  let firstFailure: number | null = null;
  let grace: NodeJS.Timeout | undefined;
  const exits = Array.from({ length: launch.nproc }, (_, rank) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...launch.args], {
      stdio: "inherit",
      env: {
        ...process.env,
        RANK: String(rank),
        WORLD_SIZE: String(launch.nproc),
        LOCAL_RANK: String(rank),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(masterPort),
        PEMN_THREADS: String(threads),
      },
    });
    children.push(child);
    return new Promise<void>((resolve) => {
      child.on("exit", (code, signal) => {
        if ((code !== 0 || signal !== null) && firstFailure === null) {
          firstFailure = code ?? 1;
          process.stderr.write(
            `pemn: rank ${rank} ${signal ? `was killed (${signal})` : `exited with code ${code}`}; the other ranks stop within ${Math.round(launch.graceMs / 1000)} s\n`,
          );
          grace = setTimeout(() => {
            for (const other of children) if (other.exitCode === null) other.kill("SIGTERM");
          }, launch.graceMs);
        }
        resolve();
      });
    });
  });
  const forward = (signal: NodeJS.Signals) => () => {
    for (const child of children) child.kill(signal);
  };
  const onInterrupt = forward("SIGINT");
  const onTerminate = forward("SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  try {
    await Promise.all(exits);
  } finally {
    clearTimeout(grace);
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  }
  return firstFailure ?? 0;
}
