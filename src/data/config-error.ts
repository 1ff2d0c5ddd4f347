import { type ZodType, z } from "zod";

/** A data configuration (dataset source, split, augmentation, batches) failed validation. */
export class DataConfigError extends Error {
  override readonly name = "DataConfigError";
}

/** Validates `value` against `schema`; the error lists each bad field by its path. */
export function parseDataConfig<T extends ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DataConfigError(`invalid ${what}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
