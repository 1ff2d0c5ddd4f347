import { FORMAT_LIMITS } from "./format-spec.js";
import { nameFromUtf8, nameToUtf8 } from "./front-coded-name.js";
import { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";

/**
 * Names within one table (masked layers, or norm tensors) must be non-empty, unique, at most
 * maxNameBytes of UTF-8, and well-formed (a lone surrogate would not survive UTF-8).
 */
export function checkTableNames(
  names: readonly string[],
  table: string,
  problem: PemnFormatProblem,
): void {
  const seen = new Set<string>();
  for (const name of names) {
    const bytes = nameToUtf8(name);
    if (bytes.length === 0) throw new PemnFormatError(problem, `${table} has an empty name`);
    if (bytes.length > FORMAT_LIMITS.maxNameBytes) {
      throw new PemnFormatError(
        "size-limit",
        `${table} name "${name.slice(0, 40)}..." is ${bytes.length} bytes, the limit is ${FORMAT_LIMITS.maxNameBytes}`,
      );
    }
    if (nameFromUtf8(bytes, `${table} name`) !== name) {
      throw new PemnFormatError(
        problem,
        `${table} name ${JSON.stringify(name)} is not well-formed UTF-16`,
      );
    }
    if (seen.has(name)) {
      throw new PemnFormatError(problem, `${table} has two entries named "${name}"`);
    }
    seen.add(name);
  }
}
