import { InvalidArgumentError, Option } from "commander";
import type { NumberBounds } from "../config/config-flags.js";
import { DEVICE_PATTERN } from "../engine/device.js";

/**
 * Turns a flag's text into its value. Throws InvalidArgumentError, which commander reports
 * naming the flag: `option '--seed <n>' argument '-1' is invalid. expected an integer >= 0, got "-1"`.
 * Bounds here catch a typo at the flag; the config's schema stays the one full check.
 */
export type ArgumentParser<T> = (value: string) => T;

/** Number(), except that an empty or blank text is no number (Number("") is 0). */
function numeric(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

/**
 * A safe integer, within `min` and `max` when given (each bound inclusive); `what` names it
 * in the message ("a port"), `why` says where a bound comes from ("4 x the 2 cores").
 */
export function integer(
  bounds: { min?: number; max?: number; what?: string; why?: string } = {},
): ArgumentParser<number> {
  const { min, max, what = "an integer", why } = bounds;
  const range =
    min !== undefined && max !== undefined
      ? `${what} from ${min} to ${max}`
      : min !== undefined
        ? `${what} >= ${min}`
        : max !== undefined
          ? `${what} <= ${max}`
          : what;
  const expected = why === undefined ? range : `${range} (${why})`;
  return (value) => {
    const parsed = numeric(value);
    // An integer past 2^53 reads as a neighbour ("9007199254740993" as ...992): say so and
    // name the bound, rather than refuse a valid-looking integer without a reason.
    if (Number.isInteger(parsed) && !Number.isSafeInteger(parsed)) {
      const bound =
        parsed > 0
          ? `Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER}): larger`
          : `Number.MIN_SAFE_INTEGER (${Number.MIN_SAFE_INTEGER}): smaller`;
      throw new InvalidArgumentError(
        `expected ${expected}, got "${value}", which is past ${bound} integers cannot be represented exactly`,
      );
    }
    if (
      !Number.isSafeInteger(parsed) ||
      (min !== undefined && parsed < min) ||
      (max !== undefined && parsed > max)
    ) {
      throw new InvalidArgumentError(`expected ${expected}, got "${value}"`);
    }
    return parsed;
  };
}

/** A finite number within bounds (each inclusive or not): "expected a number in (0, 1]". */
export function boundedNumber(bounds: NumberBounds = {}): ArgumentParser<number> {
  const { min, max } = bounds;
  const range =
    min && max
      ? `a number in ${min.inclusive ? "[" : "("}${min.value}, ${max.value}${max.inclusive ? "]" : ")"}`
      : min
        ? `a number ${min.inclusive ? ">=" : ">"} ${min.value}`
        : max
          ? `a number ${max.inclusive ? "<=" : "<"} ${max.value}`
          : "a number";
  return (value) => {
    const parsed = numeric(value);
    const below = min && (min.inclusive ? parsed < min.value : parsed <= min.value);
    const above = max && (max.inclusive ? parsed > max.value : parsed >= max.value);
    if (!Number.isFinite(parsed) || below || above) {
      throw new InvalidArgumentError(`expected ${range}, got "${value}"`);
    }
    return parsed;
  };
}

/** A finite number > 0. */
export const positiveNumber = boundedNumber({ min: { value: 0, inclusive: false } });

/** --device for every command that computes: the flag, its help and its check, once. */
export function deviceOption(defaultDevice: "auto" | "cpu" = "auto"): Option {
  return new Option(
    "--device <device>",
    "cpu | cuda | cuda:N | auto (CUDA when libtorch has it and a GPU is seen)",
  )
    .argParser((value: string) => {
      if (!DEVICE_PATTERN.test(value)) {
        throw new InvalidArgumentError(`expected cpu, cuda, cuda:N or auto, got "${value}"`);
      }
      return value;
    })
    .default(defaultDevice);
}
