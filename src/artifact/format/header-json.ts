import { isJsonObject, type JsonObject } from "./json-value.js";
import type { GeneratorRecord } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";

/** The JSON part of the header: what the container records without interpreting. */
export interface HeaderJson {
  readonly model: JsonObject;
  readonly strategy: JsonObject;
  readonly generator: GeneratorRecord;
}

const TWO_POW_64 = 1n << 64n;
/** At most 20 digits (2^64 has 20), so a hostile header cannot make BigInt parse megabytes. */
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Throws `problem`-coded errors for a generator the format cannot record. */
export function checkGenerator(
  generator: GeneratorRecord,
  problem: "invalid-contents" | "bad-header",
): void {
  if (typeof generator.name !== "string" || generator.name.length === 0) {
    throw new PemnFormatError(problem, "generator name must be a non-empty string");
  }
  if (typeof generator.seed !== "bigint" || generator.seed < 0n || generator.seed >= TWO_POW_64) {
    throw new PemnFormatError(
      problem,
      `generator seed must be a bigint in [0, 2^64), got ${String(generator.seed)}`,
    );
  }
}

/** UTF-8 JSON; the seed is a decimal string, since JSON numbers are not exact above 2^53. */
export function encodeHeaderJson(json: HeaderJson): Uint8Array {
  return utf8.encode(
    JSON.stringify({
      model: json.model,
      strategy: json.strategy,
      generator: { name: json.generator.name, seed: json.generator.seed.toString() },
    }),
  );
}

export function decodeHeaderJson(bytes: Uint8Array): HeaderJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    throw new PemnFormatError(
      "bad-header",
      `header JSON does not parse: ${(error as Error).message}`,
    );
  }
  const top = expectFields(parsed, "header JSON", ["model", "strategy", "generator"]);
  const model = top.model;
  const strategy = top.strategy;
  if (!isJsonObject(model)) {
    throw new PemnFormatError("bad-header", "header model must be an object");
  }
  if (!isJsonObject(strategy)) {
    throw new PemnFormatError("bad-header", "header strategy must be an object");
  }
  const generator = expectFields(top.generator, "header generator", ["name", "seed"]);
  if (typeof generator.seed !== "string" || !DECIMAL.test(generator.seed)) {
    throw new PemnFormatError("bad-header", "header generator seed must be a decimal string");
  }
  const record = { name: generator.name as string, seed: BigInt(generator.seed) };
  checkGenerator(record, "bad-header");
  return { model, strategy, generator: record };
}

/** `value` as an object with exactly `fields` (a reader of version 1 knows no others). */
function expectFields(value: unknown, what: string, fields: readonly string[]): JsonObject {
  if (!isJsonObject(value)) throw new PemnFormatError("bad-header", `${what} must be an object`);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw new PemnFormatError("bad-header", `${what} has unknown field "${key}"`);
    }
  }
  for (const field of fields) {
    if (!Object.hasOwn(value, field)) {
      throw new PemnFormatError("bad-header", `${what} lacks field "${field}"`);
    }
  }
  return value;
}
