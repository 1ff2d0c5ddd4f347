import { spawnSync } from "node:child_process";
import { PEMN_BIN } from "../helpers/run-pemn.js";

/**
 * Runs `pemn ...args` under /usr/bin/time -v with a deadline, so a reader that hangs fails the
 * test instead of stalling it; returns its status, stderr and peak resident memory.
 */
export function runPemnMeasured(
  args: readonly string[],
  options: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): { status: number | null; stderr: string; maxRssBytes: number; timedOut: boolean } {
  const result = spawnSync("/usr/bin/time", ["-v", process.execPath, PEMN_BIN, ...args], {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 8000,
    killSignal: "SIGKILL",
    env: { ...process.env, PEMN_THREADS: "1", ...options.env },
  });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? "");
  return {
    status: result.status,
    stderr: result.stderr ?? "",
    maxRssBytes: rss ? Number(rss[1]) * 1024 : Number.NaN,
    timedOut: result.error !== undefined || result.signal === "SIGKILL",
  };
}
