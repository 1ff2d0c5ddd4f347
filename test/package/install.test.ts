import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeModelBytes } from "../../src/artifact/index.js";
import { builtInDatasetRecord } from "../../src/data/index.js";
import { docSnippets } from "./doc-snippets.js";

/**
 * The package as a user gets it: `npm pack` here (which builds dist/ and web/dist/ in this
 * checkout first), then `npm install <tarball>` into an empty project outside the checkout, from
 * the npm registry. The native addon is not built: PEMN_NATIVE names this checkout's (or
 * main's), as an installed pemn allows. Bounded: a few minutes at most, mostly npm.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const NPM_TIMEOUT_MS = 240_000;
const native = process.env.PEMN_NATIVE ?? join(root, "native/build/Release/pemn_native.node");

let work: string;
let project: string;
let installed: string;

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function exec(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        encoding: "utf8",
        timeout: options.timeout ?? NPM_TIMEOUT_MS,
        maxBuffer: 64 * 2 ** 20,
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** The project's environment: the addon built elsewhere, one thread. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PEMN_NATIVE: native,
  PEMN_THREADS: "1",
  ...extra,
});

before(async () => {
  assert.ok(existsSync(native), `a built addon at ${native} (PEMN_NATIVE)`);
  work = mkdtempSync(join(tmpdir(), "pemn-package-"));
  const packed = await exec("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: root,
  });
  assert.equal(packed.status, 0, packed.stderr);
  const [tarball] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as {
    filename: string;
  }[];
  assert.ok(tarball, packed.stdout);
  const filename = tarball.filename;
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "uses-pemn", private: true, version: "1.0.0" }),
  );
  const install = await exec("npm", ["install", "--no-audit", "--no-fund", join(work, filename)], {
    cwd: project,
    env: env(),
  });
  assert.equal(install.status, 0, `npm install: ${install.stderr}`);
  installed = join(project, "node_modules/pemn");
});

after(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

test("the package holds the compiled library, the CLI, the built page and the addon's sources; not the checkout's", () => {
  for (const file of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/artifact/index.js",
    "cjs/index.cjs",
    "bin/pemn.js",
    "web/dist/index.html",
    "web/dist/example.pemn",
    "native/binding.gyp",
    "scripts/build-native.mjs",
    "scripts/install-native.mjs",
  ]) {
    assert.ok(existsSync(join(installed, file)), file);
  }
  for (const absent of ["src", "test", "web/src", "node_modules/.bin/vite", "native/build"]) {
    assert.ok(!existsSync(join(installed, absent)), `${absent} is not shipped`);
  }
});

test("the README's library example runs in the project (ES modules): trains, packs, decodes, predicts", async () => {
  const snippets = docSnippets(root).filter(
    (snippet) => snippet.file === "README.md" && snippet.code.includes("PemnClassifier"),
  );
  assert.equal(snippets.length, 1, "the README has one library example");
  writeFileSync(join(project, "example.mjs"), (snippets[0] as { code: string }).code);
  const started = performance.now();
  const result = await exec(process.execPath, ["example.mjs"], { cwd: project, env: env() });
  assert.equal(result.status, 0, result.stderr);
  const accuracy = Number(/test accuracy after one epoch: ([\d.]+)%/.exec(result.stdout)?.[1]);
  // 600 images, one epoch: far from chance (10%) already (69% when written).
  assert.ok(accuracy > 40, `accuracy ${accuracy}%: ${result.stdout}`);
  const names = builtInDatasetRecord("fashion-mnist").classNames as readonly string[];
  const predictions = [
    ...result.stdout.matchAll(/^test image (\d): (.+) \(([\d.]+)%\), labelled (.+)$/gm),
  ];
  assert.equal(predictions.length, 5, result.stdout);
  for (const [, , predicted, , label] of predictions) {
    assert.ok(names.includes(predicted as string), predicted);
    assert.ok(names.includes(label as string), label);
  }
  const bytes = readFileSync(join(project, "model.pemn"));
  assert.match(result.stdout, new RegExp(`model\\.pemn: ${bytes.length} bytes`));
  assert.deepEqual(decodeModelBytes(bytes).dataset, builtInDatasetRecord("fashion-mnist"));
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < 60, `the example took ${seconds.toFixed(0)} s`);

  // The installed CLI runs from dist/ on what the example wrote.
  const predict = await exec(
    join(project, "node_modules/.bin/pemn"),
    ["inspect", "model.pemn", "--json"],
    { cwd: project, env: env() },
  );
  assert.equal(predict.status, 0, predict.stderr);
  assert.equal(JSON.parse(predict.stdout).dataset.name, "fashion-mnist");
});

test("CommonJS: require('pemn') works where Node can require ES modules, and says to use import() where it cannot", async () => {
  const script = [
    "const pemn = require('pemn');",
    "const decoder = require('pemn/decoder');",
    "console.log(typeof pemn.PemnClassifier, typeof pemn.buildDecodedModel, typeof decoder.decodeModelBytes);",
  ].join("\n");
  writeFileSync(join(project, "uses.cjs"), script);
  const works = await exec(process.execPath, ["uses.cjs"], { cwd: project, env: env() });
  assert.equal(works.status, 0, works.stderr);
  assert.equal(works.stdout.trim(), "function function function");
  const refused = await exec(process.execPath, ["--no-experimental-require-module", "uses.cjs"], {
    cwd: project,
    env: env(),
  });
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /pemn is an ES module, which require\(\) cannot load in this Node version: use `const pemn = await import\("pemn"\)`/,
  );
});

test("the install script: an addon PEMN_NATIVE names is used, no libtorch means no addon and words on what to do, never a failed install", async () => {
  const approve = await exec("npm", ["install-scripts", "approve", "pemn"], {
    cwd: project,
    env: env(),
  });
  assert.equal(approve.status, 0, approve.stderr);
  const rebuild = (extra: NodeJS.ProcessEnv) =>
    exec("npm", ["rebuild", "pemn", "--foreground-scripts"], { cwd: project, env: env(extra) });
  const given = await rebuild({});
  assert.equal(given.status, 0, given.stderr);
  assert.match(given.stdout + given.stderr, /using the addon PEMN_NATIVE names/);
  const noTorch = await rebuild({ PEMN_NATIVE: "", LIBTORCH: join(work, "no-libtorch") });
  assert.equal(noTorch.status, 0, noTorch.stderr);
  assert.match(
    noTorch.stdout + noTorch.stderr,
    /the native addon \(training, evaluation\) is not built: .*no-libtorch/s,
  );
  assert.match(noTorch.stdout + noTorch.stderr, /after installing libtorch, run: npm rebuild pemn/);
  assert.ok(!existsSync(join(installed, "native/build")), "nothing was built");

  // Without an addon the decoder still works, and the engine says how to build one.
  const script = [
    "import { readFileSync } from 'node:fs';",
    "import { decodeModelBytes } from 'pemn/decoder';",
    "import { PemnClassifier } from 'pemn';",
    "const bytes = readFileSync('node_modules/pemn/web/dist/example.pemn');",
    "console.log(decodeModelBytes(bytes).dataset.name);",
    "try { PemnClassifier.fromBytes(bytes); } catch (error) { console.log(error.message); }",
  ].join("\n");
  writeFileSync(join(project, "no-addon.mjs"), script);
  const withoutAddon = await exec(process.execPath, ["no-addon.mjs"], {
    cwd: project,
    env: env({ PEMN_NATIVE: "" }),
  });
  assert.equal(withoutAddon.status, 0, withoutAddon.stderr);
  assert.match(
    withoutAddon.stdout,
    /^fashion-mnist\n.*native addon is not built.*npm rebuild pemn/s,
  );
});

test("npx pemn serve serves the page the package ships, and a model given to it", async () => {
  const served = join(project, "served.pemn");
  copyFileSync(join(installed, "web/dist/example.pemn"), served);
  const child: ChildProcess = spawn(
    join(project, "node_modules/.bin/pemn"),
    ["serve", served, "--port", "0"],
    { cwd: project, env: env(), stdio: "pipe" },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        const found = /serving (\S+) at (http:\/\/\S+) /.exec(output);
        if (found && output.includes("?model=")) {
          assert.equal(found[1], join(installed, "web/dist"));
          resolve(found[2] as string);
        }
      });
      child.once("exit", (code) => reject(new Error(`pemn serve exited with ${code}: ${output}`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>/);
    const model = await fetch(new URL("model.pemn", url));
    assert.deepEqual(
      new Uint8Array(await model.arrayBuffer()),
      new Uint8Array(readFileSync(served)),
    );
  } finally {
    child.kill();
  }
});
