import { type ZodType, z } from "zod";

/**
 * Plain data (a config, a stored record) failed validation. The message is always
 * "invalid <what>:" followed by each bad field as zod prints it ("✖ <problem>" then
 * "  → at <path>"). Pure: zod only, so data, weights, models, train, run, experiments and the
 * browser page all share it.
 */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message of a ConfigError: "invalid <what>:" and each issue by its path. */
export function describeConfigIssues(what: string, error: z.ZodError): string {
  return `invalid ${what}:\n${z.prettifyError(error)}`;
}

/**
 * A ConfigError about one field found wrong after the schema (a check across fields or
 * against the dataset), worded like a schema's: `path` as the issue path (["train", "seed"]).
 */
export function configError(
  what: string,
  path: readonly PropertyKey[],
  message: string,
): ConfigError {
  const error = new z.ZodError([{ code: "custom", path: [...path], message, input: undefined }]);
  return new ConfigError(describeConfigIssues(what, error), { cause: error });
}

/**
 * Validates `value` against `schema`, defaults filled in. A file format with its own error
 * class passes `toError` to wrap the same message (a CheckpointError naming the file, ...).
 */
export function parseConfig<T extends ZodType>(
  schema: T,
  value: unknown,
  what: string,
  toError: (message: string, cause: z.ZodError) => Error = (message, cause) =>
    new ConfigError(message, { cause }),
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw toError(describeConfigIssues(what, result.error), result.error);
  return result.data;
}
