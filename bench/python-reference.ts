import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Debian's interpreter (another python3 earlier on PATH may lack python3-torch), or
 * $PEMN_REFERENCE_PYTHON: a GPU machine's PyTorch lives in its own environment.
 */
export const REFERENCE_PYTHON = process.env.PEMN_REFERENCE_PYTHON ?? "/usr/bin/python3";

/**
 * Node's arguments to run a bench script in a child process: the TypeScript source through
 * tsx in a checkout, or the bundle beside this one (scripts/gpu-bundle.sh) where there is none.
 */
export function benchScript(name: string): string[] {
  const source = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (existsSync(source)) return ["--import", "tsx", source];
  return [fileURLToPath(new URL(`./${name}.mjs`, import.meta.url))];
}

/** Why the PyTorch reference cannot run, or null when it can. */
export async function referenceUnavailable(): Promise<string | null> {
  if (!existsSync(REFERENCE_PYTHON)) return `${REFERENCE_PYTHON} is missing`;
  try {
    await run(REFERENCE_PYTHON, ["-c", "import torch"]);
    return null;
  } catch {
    return `${REFERENCE_PYTHON} cannot import torch (apt-get install -y python3-torch, or set PEMN_REFERENCE_PYTHON): no PyTorch reference, no ratios`;
  }
}

/**
 * glibc settings equal to those pemn applies to itself (src/engine/native.ts), for
 * comparisons that should measure the binding alone, not the allocator.
 */
export const SAME_ALLOCATOR_ENV = {
  GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=536870912",
};

/** Runs a reference script with a JSON argument and parses the JSON it prints. */
export async function runReference<R>(
  script: string,
  spec: unknown,
  env: Record<string, string> = {},
): Promise<R> {
  const { stdout } = await run(REFERENCE_PYTHON, [script, JSON.stringify(spec)], {
    maxBuffer: 16 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as R;
}
