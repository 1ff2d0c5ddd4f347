import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { z } from "zod";
import { ConfigError, configError, parseConfig } from "../../src/config/parse-config.js";
import { RunDirectoryError } from "../../src/run/run-directory-error.js";

const schema = z.strictObject({
  epochs: z.number({ error: "epochs must be a number" }).int().positive(),
  steps: z.array(z.strictObject({ p: z.number({ error: "p must be a number" }) })).default([]),
});

test("a valid value comes back with its defaults", () => {
  assert.deepEqual(parseConfig(schema, { epochs: 3 }, "thing"), { epochs: 3, steps: [] });
});

test("every bad field is listed by its path under one 'invalid <what>:' line", () => {
  assert.throws(
    () => parseConfig(schema, { epochs: "x", steps: [{ p: 1 }, { p: "y" }] }, "thing"),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.name, "ConfigError");
      assert.equal(
        error.message,
        "invalid thing:\n✖ epochs must be a number\n  → at epochs\n✖ p must be a number\n  → at steps[1].p",
      );
      assert.ok(error.cause instanceof z.ZodError);
      return true;
    },
  );
});

test("a check after the schema reads like the schema's own", () => {
  const error = configError("run config", ["train", "seed"], "use the top-level seed");
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, "invalid run config:\n✖ use the top-level seed\n  → at train.seed");
});

test("a file format wraps the same message in its own error", () => {
  class FileError extends Error {}
  assert.throws(
    () => parseConfig(schema, {}, "header", (message) => new FileError(`f.bin: ${message}`)),
    (error: unknown) =>
      error instanceof FileError &&
      error.message === "f.bin: invalid header:\n✖ epochs must be a number\n  → at epochs",
  );
});

test("subclasses keep their own name and a `code`", () => {
  const error = new RunDirectoryError("run-exists", "runs/a: a run already lives here");
  assert.ok(error instanceof ConfigError);
  assert.equal(error.name, "RunDirectoryError");
  assert.equal(error.code, "run-exists");
});

test("the helper is pure: it imports zod only (the browser page and pure folders use it)", () => {
  const source = readFileSync(new URL("../../src/config/parse-config.ts", import.meta.url), "utf8");
  assert.deepEqual(
    [...source.matchAll(/from "([^"]+)"/g)].map((match) => match[1]),
    ["zod"],
  );
});
