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
