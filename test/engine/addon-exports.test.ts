import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { native } from "../../src/engine/native.js";

const NATIVE_TS = fileURLToPath(new URL("../../src/engine/native.ts", import.meta.url));
const TSCONFIG = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));

/**
 * The member names of `NativeBinding` as the TypeScript checker resolves them from
 * src/engine/native.ts, so names made by mapped types (`addScalar`, ...) count too.
 */
function declaredBindingNames(): Set<string> {
  const config = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, ".");
  const program = ts.createProgram([NATIVE_TS], { ...options, noEmit: true });
  const source = program.getSourceFile(NATIVE_TS);
  assert.ok(source, `${NATIVE_TS} is not in the program`);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === "NativeBinding",
  );
  assert.ok(declaration, "src/engine/native.ts declares no interface NativeBinding");
  const checker = program.getTypeChecker();
  const type = checker.getTypeAtLocation(declaration.name);
  return new Set(checker.getPropertiesOfType(type).map((property) => property.getName()));
}

test("the addon exports exactly the functions NativeBinding declares", () => {
  const declared = declaredBindingNames();
  const binding = native() as unknown as Record<string, unknown>;
  const exported = new Set(Object.keys(binding));

  const notFunctions = [...exported].filter((name) => typeof binding[name] !== "function");
  assert.deepEqual(
    notFunctions,
    [],
    "exports that are not functions (this test compares function names only)",
  );
  const undeclared = [...exported].filter((name) => !declared.has(name)).sort();
  const missing = [...declared].filter((name) => !exported.has(name)).sort();
  // undeclared: exported by the addon, not in NativeBinding; missing: the other way round.
  assert.deepEqual({ undeclared, missing }, { undeclared: [], missing: [] });
  assert.ok(declared.size > 100, `only ${declared.size} names resolved from NativeBinding`);
});
