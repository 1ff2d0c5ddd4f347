import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../config/parse-config.js";
import { readFailureReason, readInputText } from "../io/read-input-file.js";

/** Reads a run config file: a mapping in JSON (.json) or YAML (.yaml, .yml). Errors name the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readInputText(path, "config");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${readFailureReason(error)}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension !== ".json" && extension !== ".yaml" && extension !== ".yml") {
    throw new ConfigError(`config file ${path}: use .json, .yaml or .yml`);
  }
  let parsed: unknown;
  try {
    parsed = extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${path} is not valid ${extension.slice(1).toUpperCase()}: ${(error as Error).message}`,
    );
  }
  // Anything else (a list, a string, a number, an empty file) would read as "all defaults".
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      `config file ${path} must hold a mapping of config fields, not ${describeValue(parsed)}`,
    );
  }
  return parsed as Record<string, unknown>;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (an empty document)";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `over` laid on `base`: nested objects merge key by key, anything else in `over` wins. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const merged: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}
