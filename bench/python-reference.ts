import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's interpreter: another python3 earlier on PATH may lack python3-torch. */
export const REFERENCE_PYTHON = "/usr/bin/python3";

/** Why the PyTorch reference cannot run, or null when it can. */
export async function referenceUnavailable(): Promise<string | null> {
  if (!existsSync(REFERENCE_PYTHON)) return `${REFERENCE_PYTHON} is missing`;
  try {
    await run(REFERENCE_PYTHON, ["-c", "import torch"]);
    return null;
  } catch {
    return "python3-torch is not installed (apt-get install -y python3-torch): no PyTorch reference, no ratios";
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
