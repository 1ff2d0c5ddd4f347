import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { RunConfigError } from "./run-config.js";

/** Reads a run config file: JSON (.json) or YAML (.yaml, .yml). Errors name the file. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new RunConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  const extension = extname(path).toLowerCase();
  try {
    if (extension === ".json") return JSON.parse(text);
    if (extension === ".yaml" || extension === ".yml") return parseYaml(text);
  } catch (error) {
    throw new RunConfigError(
      `config file ${path} is not valid ${extension.slice(1).toUpperCase()}: ${(error as Error).message}`,
    );
  }
  throw new RunConfigError(`config file ${path}: use .json, .yaml or .yml`);
}
