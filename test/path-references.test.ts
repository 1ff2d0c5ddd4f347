import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCANNED = ["src", "native", "test", "web", "bench", "scripts", "docs"];
/** Build outputs and dependencies, and run records (docs/results) that quote other machines. */
const SKIPPED = new Set(["node_modules", "native/build", "web/dist", "docs/results"]);
const CODE = new Set([".ts", ".mjs", ".js", ".cc", ".h"]);

/** A repository path as comments write it: a top-level folder, then at least one segment. */
const PATH = /(?<![\w@./-])((?:src|docs|test|native|web|bench|scripts|configs|bin)\/[\w./-]*\w)/g;
const COMMENT = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (SKIPPED.has(path) || SKIPPED.has(entry.name)) return [];
    if (entry.isDirectory()) return filesUnder(path);
    return [path];
  });
}

/** The prose of a file that may name paths: a Markdown file whole, a source file's comments. */
function prose(file: string): string | undefined {
  const text = readFileSync(join(ROOT, file), "utf8");
  if (extname(file) === ".md") return text;
  if (CODE.has(extname(file))) return text.match(COMMENT)?.join("\n");
  if (extname(file) === ".sh") return text.match(/#[^\n]*/g)?.join("\n");
  return undefined;
}

/** Exists as written, or as the .ts source of a .js import specifier. */
function exists(path: string): boolean {
  return existsSync(path) || (path.endsWith(".js") && existsSync(`${path.slice(0, -3)}.ts`));
}

test("every repository path named in comments and docs exists", () => {
  const dangling: string[] = [];
  let checked = 0;
  for (const file of SCANNED.flatMap(filesUnder)) {
    for (const match of prose(file)?.matchAll(PATH) ?? []) {
      const path = (match[1] as string).replace(/\.+$/, "");
      if ([...SKIPPED].some((skipped) => path.startsWith(skipped))) continue;
      checked++;
      // From the repository root, or from the file's folder (web/ names its own src/).
      if (!exists(join(ROOT, path)) && !exists(join(ROOT, dirname(file), path))) {
        dangling.push(`${file}: ${path}`);
      }
    }
  }
  assert.deepEqual(dangling, []);
  assert.ok(checked > 100, `only ${checked} path references found: is the scan reading the files?`);
});
