import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const entry = resolve(root, "src/artifact/index.ts");
const onnxBuilder = resolve(root, "src/onnx/index.ts");

/** Every source file reachable from `file` by relative imports, and the other specifiers met. */
function reachable(file: string): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (current: string) => {
    if (files.has(current)) return;
    files.add(current);
    for (const [, specifier] of readFileSync(current, "utf8").matchAll(/from "([^"]+)"/g)) {
      const name = specifier as string;
      if (name.startsWith(".")) visit(resolve(dirname(current), name.replace(/\.js$/, ".ts")));
      else packages.add(name);
    }
  };
  visit(file);
  return { files: [...files].map((path) => relative(root, path)), packages };
}

test("the decoder and inspection reach neither the engine nor Node built-ins", () => {
  const { files, packages } = reachable(entry);
  assert.ok(files.includes("src/artifact/decode-model.ts"));
  assert.ok(files.includes("src/weights/plan.ts"));
  assert.deepEqual(
    files.filter((file) => /^src\/(engine|nn|train|run|io|packing)\//.test(file)),
    [],
  );
  assert.deepEqual([...packages], ["zod"]);
});

/** `file` bundled for a browser: the code, after checking the bundler reported no errors. */
async function browserBundle(file: string): Promise<string> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  assert.deepEqual(result.errors, []);
  return result.outputFiles[0]?.text ?? "";
}

test("the pure artifact entry bundles for a browser", async () => {
  const code = await browserBundle(entry);
  assert.match(code, /decodeModelBytes/);
  assert.doesNotMatch(code, /from "node:/);
});

test("the ONNX graph builder reaches neither the engine nor Node built-ins, and bundles for a browser", async () => {
  const { files, packages } = reachable(onnxBuilder);
  assert.deepEqual(
    files.filter((file) => /^src\/(engine|nn|train|run|io|packing)\//.test(file)),
    [],
  );
  assert.deepEqual([...packages].sort(), ["onnx-proto", "zod"]);
  const code = await browserBundle(onnxBuilder);
  assert.match(code, /ModelProto/);
  assert.doesNotMatch(code, /from "node:/);
});

test("safetensors in and out and the supermask reader reach neither the engine nor Node built-ins, and bundle for a browser", async () => {
  for (const folder of ["safetensors", "supermask"]) {
    const index = resolve(root, `src/artifact/${folder}/index.ts`);
    const { files, packages } = reachable(index);
    assert.deepEqual(
      files.filter((file) => /^src\/(engine|nn|train|run|io|packing)\//.test(file)),
      [],
      folder,
    );
    assert.deepEqual([...packages], ["zod"], folder);
    assert.doesNotMatch(await browserBundle(index), /from "node:/, folder);
  }
});
