import { freemem } from "node:os";

/** Share of the available memory a reader may plan to use: the rest is the process's and others'. */
const MARGIN = 0.8;

/**
 * Bytes of memory a reader may plan to allocate: PEMN_MAX_MEMORY (bytes, or with a K, M or G
 * suffix) when set, for shared machines and tests; otherwise 80% of what the system reports
 * available (MemAvailable, or a cgroup's limit when lower).
 */
export function availableMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.PEMN_MAX_MEMORY;
  if (configured !== undefined && configured !== "") return parseMemory(configured);
  const available =
    (process as { availableMemory?: () => number }).availableMemory?.() ?? freemem();
  return Math.floor(available * MARGIN);
}

function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!match) throw new Error(`PEMN_MAX_MEMORY=${text}: expected bytes, e.g. 4G or 512M`);
  const scale = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[
    (match[2] as string).toLowerCase() as "" | "k" | "m" | "g" | "t"
  ];
  return Math.floor(Number(match[1]) * scale);
}
