import { isJsonObject, type JsonObject } from "./json-value.js";
import type { DatasetRecord, GeneratorRecord } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";

/** The JSON part of the header: what the container records without interpreting. */
export interface HeaderJson {
  readonly model: JsonObject;
  readonly strategy: JsonObject;
  readonly generator: GeneratorRecord;
  readonly dataset?: DatasetRecord;
}

/** Bounds on the dataset record, so a hostile header cannot ask for much (a name in UTF-16 units). */
const MAX_DATASET_NAME = 256;
const MAX_CLASS_NAMES = 65_536;
const MAX_CLASS_NAME = 1024;

/** Throws `problem`-coded errors for a dataset record the format cannot hold. */
export function checkDatasetRecord(
  value: unknown,
  problem: "invalid-contents" | "bad-header",
): DatasetRecord {
  const fail = (detail: string): never => {
    throw new PemnFormatError(problem, `dataset ${detail}`);
  };
  if (!isJsonObject(value)) fail("must be an object");
  const record = value as JsonObject;
  for (const key of Object.keys(record)) {
    if (key !== "name" && key !== "classNames") fail(`has unknown field "${key}"`);
  }
  const { name, classNames } = record;
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_DATASET_NAME) {
    fail(`name must be a string of 1 to ${MAX_DATASET_NAME} characters`);
  }
  if (classNames === undefined) return { name: name as string };
  if (
    !Array.isArray(classNames) ||
    classNames.length > MAX_CLASS_NAMES ||
    !classNames.every((entry) => typeof entry === "string" && entry.length <= MAX_CLASS_NAME)
  ) {
    fail(
      `classNames must be a list of at most ${MAX_CLASS_NAMES} strings of at most ${MAX_CLASS_NAME} characters`,
    );
  }
  return { name: name as string, classNames: [...(classNames as string[])] };
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
      // Only when known: a file without it is byte for byte what pemn wrote before it existed.
      ...(json.dataset === undefined ? {} : { dataset: json.dataset }),
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
  const top = expectFields(
    parsed,
    "header JSON",
    ["model", "strategy", "generator", "dataset"],
    ["dataset"],
  );
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
  return {
    model,
    strategy,
    generator: record,
    ...(top.dataset === undefined
      ? {}
      : { dataset: checkDatasetRecord(top.dataset, "bad-header") }),
  };
}

/**
 * `value` as an object with exactly `fields`, less any of `optional` (a reader of version 1
 * knows no others).
 */
function expectFields(
  value: unknown,
  what: string,
  fields: readonly string[],
  optional: readonly string[] = [],
): JsonObject {
  if (!isJsonObject(value)) throw new PemnFormatError("bad-header", `${what} must be an object`);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw new PemnFormatError("bad-header", `${what} has unknown field "${key}"`);
    }
  }
  for (const field of fields) {
    if (!Object.hasOwn(value, field) && !optional.includes(field)) {
      throw new PemnFormatError("bad-header", `${what} lacks field "${field}"`);
    }
  }
  return value;
}
