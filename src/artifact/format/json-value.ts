import { PemnFormatError } from "./pemn-format-error.js";

/** A JSON object as JSON.parse returns it; the container stores model and strategy opaquely. */
export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Throws PemnFormatError("invalid-contents") unless `value` is a plain object that survives
 * JSON.stringify then JSON.parse unchanged (no undefined, NaN, -0, Date, class instance,
 * cycle), so a decoded file compares equal to what was encoded.
 */
export function checkJsonObject(value: unknown, path: string): void {
  if (!isJsonObject(value)) {
    throw new PemnFormatError("invalid-contents", `${path} must be a JSON object`);
  }
  try {
    JSON.stringify(value);
    checkJsonValue(value, path);
  } catch (error) {
    if (error instanceof PemnFormatError) throw error;
    // Cycles (TypeError) and nesting too deep for the stack (RangeError).
    throw new PemnFormatError("invalid-contents", `${path} is not JSON: ${String(error)}`);
  }
}

function checkJsonValue(value: unknown, path: string): void {
  const fail = (why: string): never => {
    throw new PemnFormatError("invalid-contents", `${path} ${why}; JSON cannot hold it exactly`);
  };
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value) || Object.is(value, -0)) fail(`is ${value}`);
      return;
    case "object": {
      if (value === null) return;
      if (Array.isArray(value)) {
        // Indexing (not forEach) also visits holes, which JSON would turn into null.
        for (let index = 0; index < value.length; index++) {
          checkJsonValue(value[index], `${path}[${index}]`);
        }
        return;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) fail("is not a plain object");
      for (const [key, item] of Object.entries(value)) checkJsonValue(item, `${path}.${key}`);
      return;
    }
    default:
      fail(`is ${typeof value}`);
  }
}
