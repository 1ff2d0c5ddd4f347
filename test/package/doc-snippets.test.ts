import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docSnippets } from "./doc-snippets.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules/typescript/bin/tsc");
const run = promisify(execFile);

test("every ```ts block of the README and docs/ type-checks against the package's own types, or says it is a fragment", async (t) => {
  const snippets = docSnippets(root);
  const checked = snippets.filter((snippet) => snippet.fragment === null);
  const fragments = snippets.filter((snippet) => snippet.fragment !== null);
  // The ones that must never become fragments unnoticed.
  for (const file of ["README.md", "docs/models.md"]) {
    assert.ok(
      checked.some((snippet) => snippet.file === file),
      `${file} has a checked snippet`,
    );
  }
  t.diagnostic(
    `${checked.length} checked; ${fragments.length} fragments: ${fragments
      .map((snippet) => `${snippet.file}:${snippet.line} (${snippet.fragment})`)
      .join("; ")}`,
  );

  // A project whose node_modules/pemn is the package as installed: its package.json (the
  // exports map) and the declarations `npm pack` builds (tsc -p tsconfig.build.json). It sits
  // inside the checkout, so the package's own dependencies resolve from its node_modules.
  const artifacts = join(root, ".test-artifacts");
  mkdirSync(artifacts, { recursive: true });
  const project = mkdtempSync(join(artifacts, "doc-snippets-"));
  try {
    const pemn = join(project, "node_modules/pemn");
    mkdirSync(pemn, { recursive: true });
    copyFileSync(join(root, "package.json"), join(pemn, "package.json"));
    await run(
      process.execPath,
      [
        tsc,
        "-p",
        join(root, "tsconfig.build.json"),
        "--emitDeclarationOnly",
        "--sourceMap",
        "false",
        "--outDir",
        join(pemn, "dist"),
      ],
      { cwd: root },
    );
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022"],
          types: ["node"],
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ["snippets"],
      }),
    );
    mkdirSync(join(project, "snippets"));
    const names = checked.map((snippet, index) => {
      const name = `${snippet.file.replace(/[/.]/g, "-")}-${index}.ts`;
      // Each a module of its own (top-level await, no shared names).
      writeFileSync(join(project, "snippets", name), `${snippet.code}\nexport {};\n`);
      return name;
    });
    const result = await run(process.execPath, [tsc, "-p", project], { cwd: project }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Errors named by their Markdown file and line.
    const located = result.replace(
      /snippets\/([^(]+)\.ts\((\d+),(\d+)\)/g,
      (whole, name: string, line: string) => {
        const snippet = checked[names.indexOf(`${name}.ts`)];
        return snippet === undefined ? whole : `${snippet.file}:${snippet.line + Number(line) - 1}`;
      },
    );
    assert.equal(located, "", "the snippets type-check");
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
