import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every source file reachable by relative imports (type-only ones included) from `entry`. */
function reachableFiles(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, specifier] of source.matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
      visit(resolve(dirname(file), (specifier as string).replace(/\.js$/, ".ts")));
    }
  };
  visit(resolve(root, entry));
  return [...seen].map((file) => relative(root, file));
}

test("the pure part of models (configs, schema, layouts) never reaches the engine", () => {
  const files = reachableFiles("src/models/pure.ts");
  assert.ok(files.includes("src/models/model-layout.ts"));
  assert.ok(files.includes("src/models/registry.ts"));
  // Pure folders (README.md, "Layout"): everything else may reach the native addon.
  const engineBound = files.filter(
    (file) => !/^src\/(models|data|weights|random|config)\//.test(file),
  );
  assert.deepEqual(engineBound, []);
  assert.deepEqual(
    files.filter((file) =>
      ["engine-network", "engine-builder", "masked-layers"].some((name) => file.includes(name)),
    ),
    [],
  );
});
