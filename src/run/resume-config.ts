import { isDeepStrictEqual } from "node:util";
import { RunDirectoryError } from "./run-directory-error.js";

/** How a resume's config stands against the one its run was started with. */
export type ResumeConfig =
  | { readonly kind: "same" }
  | { readonly kind: "extends"; readonly from: number };

/**
 * The one rule for resuming: the config the run was started with (read from `file`, a run's
 * config.json or a checkpoint), and the one given now, must be the same, or differ only in
 * asking for more epochs (`epochsPath`, a dotted path), which extends the run. Anything else is
 * refused naming the fields.
 */
export function compareResumeConfig(
  file: string,
  stored: unknown,
  requested: unknown,
  epochsPath: string,
): ResumeConfig {
  const current = JSON.parse(JSON.stringify(requested)) as unknown;
  const differing = differingFields(stored, current, "");
  if (differing.length === 0) return { kind: "same" };
  if (differing.length === 1 && differing[0] === epochsPath) {
    const before = valueAt(stored, epochsPath);
    const after = valueAt(current, epochsPath);
    if (typeof before === "number" && typeof after === "number" && after > before) {
      return { kind: "extends", from: before };
    }
    throw new RunDirectoryError(
      "config-differs",
      `cannot resume: ${file} asks for ${before} epochs; a resume may ask for more (to extend the run), not ${after}`,
    );
  }
  throw new RunDirectoryError(
    "config-differs",
    `cannot resume: ${file} holds a different config (${differing.join(", ")} differ); resume needs the same one, or only more epochs`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The dotted paths of the leaves where two JSON values differ. */
function differingFields(stored: unknown, current: unknown, path: string): string[] {
  if (!isObject(stored) || !isObject(current)) {
    return isDeepStrictEqual(stored, current) ? [] : [path || "(the whole config)"];
  }
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(current)])];
  return keys.flatMap((key) =>
    differingFields(stored[key], current[key], path === "" ? key : `${path}.${key}`),
  );
}

function valueAt(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), value);
}
