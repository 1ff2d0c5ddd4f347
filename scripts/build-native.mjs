#!/usr/bin/env node
// Builds the addon with the C++ compiler directly, without node-gyp, for machines where
// node-gyp cannot fetch Node's headers (an offline GPU host: scripts/gpu-check.sh). The
// sources, defines and flags come from native/binding.gyp and libtorch's location from
// scripts/find-libtorch.mjs, so both builds read them from one place.
// Environment: CXX (default g++), NODE_API_HEADERS (folder holding node_api.h; default
// Node's own include/node, then /usr/include/node), NODE_ADDON_API_DIR (napi.h; default the
// node-addon-api package), PEMN_BUILD_JOBS (default: every core).
// Output: native/build/Release/pemn_native.node.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const outDir = join(nativeDir, "build", "Release");
const target = JSON.parse(readFileSync(join(nativeDir, "binding.gyp"), "utf8")).targets[0];

/** gyp's command expansions: `<!(cmd)` is one word, `<!@(cmd)` a list of words. */
function expand(values) {
  return values.flatMap((value) => {
    const match = /^<!(@?)\((.*)\)$/.exec(value);
    if (!match) return [value];
    if (match[2].includes("node-addon-api")) return [napiInclude()];
    // gyp's `node` is this Node, which need not be on PATH.
    const command = match[2].replace(/^node /, `"${process.execPath}" `);
    const output = execFileSync("sh", ["-c", command], {
      cwd: nativeDir,
      encoding: "utf8",
    }).trim();
    return match[1] === "@" ? output.split(/\s+/).filter(Boolean) : [output];
  });
}

function napiInclude() {
  if (process.env.NODE_ADDON_API_DIR) return process.env.NODE_ADDON_API_DIR;
  // Relative to the working directory, as gyp runs it.
  const dir = execFileSync(process.execPath, ["-p", "require('node-addon-api').include_dir"], {
    cwd: nativeDir,
    encoding: "utf8",
  });
  return resolve(nativeDir, dir.trim());
}

function nodeHeaders() {
  const candidates = [
    process.env.NODE_API_HEADERS,
    join(dirname(process.execPath), "..", "include", "node"),
    "/usr/include/node",
  ].filter(Boolean);
  const found = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
  if (!found) {
    throw new Error(`node_api.h not found in ${candidates.join(", ")}: set NODE_API_HEADERS`);
  }
  return found;
}

const includes = [nodeHeaders(), ...expand(target.include_dirs)];
const defines = expand(target.defines);
// gyp's `cflags_cc!` removes flags node-gyp adds; this build adds none, so only cflags_cc apply.
const cflags = [...expand(target.cflags_cc), "-fPIC", "-DBUILDING_NODE_EXTENSION"];
const libraries = expand(target.libraries);
const compiler = process.env.CXX ?? "g++";
mkdirSync(join(outDir, "obj"), { recursive: true });

function run(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(compiler, args, { cwd: nativeDir, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${compiler} exited with ${code}`)),
    );
  });
}

const started = performance.now();
const objects = target.sources.map((source) => join(outDir, "obj", source.replace(/\.cc$/, ".o")));
const queue = target.sources.map((source, index) => () => {
  console.error(`build-native: ${source}`);
  return run([
    ...cflags,
    ...defines.map((define) => `-D${define}`),
    ...includes.map((dir) => `-I${dir}`),
    "-c",
    source,
    "-o",
    objects[index],
  ]);
});
const jobs = Number(process.env.PEMN_BUILD_JOBS ?? availableParallelism());
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await next();
  }),
);
const output = join(outDir, "pemn_native.node");
// Linked under a temporary name, so a failed link never leaves a half-written addon.
await run(["-shared", ...objects, ...target.ldflags, ...libraries, "-o", `${output}.tmp`]);
renameSync(`${output}.tmp`, output);
console.error(`build-native: ${output} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
