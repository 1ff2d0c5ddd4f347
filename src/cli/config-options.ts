import { InvalidArgumentError, Option } from "commander";
import type { ConfigFlag, FlagValue } from "../config/config-flags.js";
import { deepMerge } from "../run/index.js";
import { type ArgumentParser, boundedNumber, integer } from "./arguments.js";

/*
 * Config flags (declared on the schemas, src/config/config-flags.ts) as commander options, and
 * the values given as a partial config. A flag checks its value's type and bounds, so that a
 * typo is named at the flag; the schema stays the one full check.
 */

/** The commander option of a config flag. */
export function configOption(flag: ConfigFlag): Option {
  const { value } = flag;
  if (value.kind === "switch") return new Option(`--${flag.name}`, flag.help);
  const option = new Option(`--${flag.name} <${flag.valueName ?? valueName(value)}>`, flag.help);
  if (value.kind === "choice") return option.choices(value.choices);
  const parse = parser(value);
  return parse ? option.argParser(parse) : option;
}

/** The flags given (commander's parsed options), as a partial config to merge over a file's. */
export function configFromOptions(
  flags: readonly ConfigFlag[],
  options: Readonly<Record<string, unknown>>,
): unknown {
  let config: unknown = {};
  for (const flag of flags) {
    const value = options[configOption(flag).attributeName()];
    if (value === undefined) continue;
    config = deepMerge(
      config,
      flag.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value),
    );
  }
  return config;
}

function valueName(value: FlagValue): string {
  switch (value.kind) {
    case "integer":
      return "n";
    case "number":
      return "x";
    case "choice":
      return "name";
    default:
      return "value";
  }
}

function parser(value: FlagValue): ArgumentParser<unknown> | undefined {
  switch (value.kind) {
    case "integer": {
      const { min, max } = value;
      return integer({
        ...(min && { min: min.inclusive ? min.value : Math.floor(min.value) + 1 }),
        // The safe-integer bound is every integer's: the parser names it on its own.
        ...(max &&
          max.value < Number.MAX_SAFE_INTEGER && {
            max: max.inclusive ? max.value : Math.ceil(max.value) - 1,
          }),
      });
    }
    case "number":
      return boundedNumber(value);
    case "parsed":
      return (text) => {
        try {
          return value.parse(text);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      };
    default:
      return undefined;
  }
}
