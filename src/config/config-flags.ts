import { z } from "zod";

/*
 * Command-line flags declared on the config schemas themselves, so that a field's name, help
 * and value type are written once: `field: z.number().meta(flag("ratio", "rp: ..."))`.
 * configFlags() walks a schema and lists them with their paths; the CLI turns them into
 * options and the values given into a partial config, which the schema then validates (ranges
 * and defaults live there only). Pure: zod only.
 */

/** What a flag's value is, read from the field's type. */
export type FlagValue =
  /** A boolean field: the flag alone sets it. */
  | { readonly kind: "switch" }
  | ({ readonly kind: "integer" | "number" } & NumberBounds)
  | { readonly kind: "string" }
  /** An enum, or a discriminated union's tag. */
  | { readonly kind: "choice"; readonly choices: readonly string[] }
  /** Anything else (arrays, objects): JSON, or the field's own parser. */
  | { readonly kind: "parsed"; readonly parse: (text: string) => unknown };

/** A number field's bounds, read from its checks, so that a flag refuses what the field will. */
export interface NumberBounds {
  readonly min?: Bound;
  readonly max?: Bound;
}

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

export interface FlagMeta {
  /** The long option without its dashes: "batch-size". */
  readonly name: string;
  readonly help: string;
  /** Shown in the help after the flag: "<r>". */
  readonly valueName?: string;
  /** For a field that is neither a scalar nor an enum: the flag's text to the field's value. */
  readonly parse?: (text: string) => unknown;
}

export interface ConfigFlag extends FlagMeta {
  /** Where the value goes in the config. */
  readonly path: readonly string[];
  readonly value: FlagValue;
}

/** The meta that declares a flag: `.meta(flag("lr", "peak learning rate"))`. */
export function flag(
  name: string,
  help: string,
  options: Pick<FlagMeta, "valueName" | "parse"> = {},
): { readonly flag: FlagMeta } {
  return { flag: { name, help, ...options } };
}

/**
 * Every flag declared in `schema` (at its fields, or on a discriminated union for its tag),
 * in the schema's order, with paths under `prefix`. A field in several options of a union
 * (the same path) gives one flag; the same flag name at two paths is a mistake and throws.
 */
export function configFlags(schema: z.ZodType, prefix: readonly string[] = []): ConfigFlag[] {
  const found: ConfigFlag[] = [];
  walk(schema, prefix, found);
  const byName = new Map<string, ConfigFlag>();
  for (const entry of found) {
    const seen = byName.get(entry.name);
    if (seen === undefined) byName.set(entry.name, entry);
    else if (seen.path.join(".") !== entry.path.join(".")) {
      throw new Error(
        `flag --${entry.name} is declared at ${seen.path.join(".")} and ${entry.path.join(".")}`,
      );
    }
  }
  return [...byName.values()];
}

function metaOf(schema: z.ZodType): FlagMeta | undefined {
  return (schema.meta() as { flag?: FlagMeta } | undefined)?.flag;
}

function walk(schema: z.ZodType, path: readonly string[], found: ConfigFlag[]): void {
  const { inner, meta } = unwrap(schema);
  if (meta?.parse) {
    // A value the flag writes whole, in its own notation ("csr:8").
    found.push({ ...meta, path, value: { kind: "parsed", parse: meta.parse } });
    return;
  }
  if (inner instanceof z.ZodObject) {
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      walk(field, [...path, key], found);
    }
    return;
  }
  if (inner instanceof z.ZodUnion) {
    const discriminator = (inner.def as { discriminator?: string }).discriminator;
    const options = inner.options as z.ZodType[];
    if (meta && discriminator !== undefined) {
      const choices = options.flatMap((option) => {
        const tag = (unwrap(option).inner as z.ZodObject).shape[discriminator] as z.ZodLiteral;
        return tag.values ? [...tag.values].map(String) : [];
      });
      found.push({ ...meta, path: [...path, discriminator], value: { kind: "choice", choices } });
    }
    for (const option of options) walk(option, path, found);
    return;
  }
  if (meta) found.push({ ...meta, path, value: fieldValue(inner) });
}

/**
 * The field's type under default, prefault, optional, nullable and pipe wrappers, and the flag
 * declared at any of them.
 */
function unwrap(schema: z.ZodType): { inner: z.ZodType; meta: FlagMeta | undefined } {
  let current = schema;
  let meta = metaOf(schema);
  for (;;) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable
    ) {
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      // A preprocess step (a transform, then the schema): the schema says what is accepted.
      current = (
        current.def.in instanceof z.ZodTransform ? current.def.out : current.def.in
      ) as z.ZodType;
    } else {
      return { inner: current, meta };
    }
    meta ??= metaOf(current);
  }
}

function fieldValue(type: z.ZodType): FlagValue {
  if (type instanceof z.ZodBoolean) return { kind: "switch" };
  if (type instanceof z.ZodNumber) {
    return { kind: type.isInt ? "integer" : "number", ...numberBounds(type) };
  }
  if (type instanceof z.ZodString) return { kind: "string" };
  if (type instanceof z.ZodEnum) return { kind: "choice", choices: type.options.map(String) };
  return { kind: "parsed", parse: parseJson };
}

/** The tightest greater-than and less-than checks of a number field. */
function numberBounds(type: z.ZodNumber): NumberBounds {
  let min: Bound | undefined;
  let max: Bound | undefined;
  for (const check of type.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: boolean };
    if (typeof def.value !== "number") continue;
    const bound = { value: def.value, inclusive: def.inclusive === true };
    if (def.check === "greater_than" && (min === undefined || bound.value >= min.value))
      min = bound;
    if (def.check === "less_than" && (max === undefined || bound.value <= max.value)) max = bound;
  }
  return { ...(min && { min }), ...(max && { max }) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`expected JSON (${(error as Error).message})`);
  }
}
