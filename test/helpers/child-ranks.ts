// Runs test ranks as child processes on loopback and collects each one's JSON outcome.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";

/** A port free at the time of asking (the kernel's choice of an ephemeral one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A listener that accepts connections and never answers: not a rendezvous store. */
export async function silentListener(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port };
}

export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The child's last stdout line, parsed; null when it printed none. */
  readonly result: Record<string, unknown> | null;
  readonly stderr: string;
}

/**
 * Runs `node --import tsx script ...args` with one intra-op thread; never rejects. A child
 * still running after `killAfterMs` is killed (its outcome then has signal SIGKILL), so a
 * hang fails the test instead of stalling the suite.
 */
export function runChild(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  killAfterMs = 60_000,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      env: { ...process.env, PEMN_THREADS: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const deadline = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      const last = stdout.trim().split("\n").at(-1);
      let result: Record<string, unknown> | null = null;
      try {
        result = last ? JSON.parse(last) : null;
      } catch {
        result = null;
      }
      resolve({ code, signal, result, stderr });
    });
  });
}
