import { createHash } from "node:crypto";
import type { RunConfig } from "../run/run-config.js";

/** Characters of the sha256 hex digest that name a run directory (96 bits). */
const RUN_ID_LENGTH = 24;

/** JSON with every object's keys sorted: one text per value, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}

/**
 * A run's name: the hash of its complete validated config (defaults filled in), as open_lth
 * names its runs, so the same run is found again by any spec that describes it.
 */
export function runId(config: RunConfig): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, RUN_ID_LENGTH);
}
