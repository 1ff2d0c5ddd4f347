import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PEMN_BIN = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));

/** Runs `pemn ...args`; resolves with its exit status and output, success or not. */
export function runPemn(
  ...args: string[]
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PEMN_BIN, ...args],
      { encoding: "utf8", env: { ...process.env, PEMN_THREADS: "1" } },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs every case's command (at once) and asserts each fails with stderr matching its pattern. */
export async function assertRefusals(
  cases: readonly (readonly [string[], RegExp])[],
  run: (...args: string[]) => Promise<{ status: number; stderr: string }> = runPemn,
): Promise<void> {
  const outcomes = await Promise.all(cases.map(([args]) => run(...args)));
  cases.forEach(([args, pattern], index) => {
    const outcome = outcomes[index];
    assert.ok(outcome);
    assert.notEqual(outcome.status, 0, args.join(" "));
    assert.match(outcome.stderr, pattern, args.join(" "));
  });
}
