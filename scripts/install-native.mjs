#!/usr/bin/env node
// pemn's install script, run by npm where pemn is installed as a package: builds the native
// addon (native/build/Release/pemn_native.node) with scripts/build-native.mjs, which needs a
// C++ compiler, Node's headers and libtorch, but neither node-gyp nor the network. It never
// fails the install: the pure parts (pemn/decoder, the ONNX export, the web page) need no
// addon, and whatever needs it says how to build it (`npm rebuild pemn`) when it is missing.
// Skipped: in a pemn checkout (scripts/ensure-deps.sh builds it there with node-gyp); when
// PEMN_NATIVE names a built addon; when the addon is built already; when
// PEMN_SKIP_NATIVE_BUILD=1.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const addon = join(root, "native", "build", "Release", "pemn_native.node");
const say = (message) => console.error(`pemn install: ${message}`);

function main() {
  if (existsSync(join(root, "src", "cli", "main.ts"))) return; // a checkout
  const given = process.env.PEMN_NATIVE;
  if (given) {
    if (existsSync(given))
      return say(`using the addon PEMN_NATIVE names (${given}); not building one`);
    say(`PEMN_NATIVE names ${given}, which does not exist; building the addon instead`);
  }
  if (existsSync(addon)) return;
  if (/^(1|true|yes|on)$/i.test(process.env.PEMN_SKIP_NATIVE_BUILD ?? "")) {
    return say(
      "PEMN_SKIP_NATIVE_BUILD is set: the native addon is not built (npm rebuild pemn builds it)",
    );
  }
  const libtorch = spawnSync(
    process.execPath,
    [join(root, "scripts", "find-libtorch.mjs"), "json"],
    {
      encoding: "utf8",
    },
  );
  if (libtorch.status !== 0) {
    say(`the native addon (training, evaluation) is not built: ${libtorch.stderr.trim()}`);
    say(
      "pemn/decoder and the ONNX export work without it; after installing libtorch, run: npm rebuild pemn",
    );
    return;
  }
  say("building the native addon against libtorch (a minute or two)");
  const build = spawnSync(process.execPath, [join(root, "scripts", "build-native.mjs")], {
    stdio: "inherit",
  });
  if (build.status !== 0) {
    say(
      "building the native addon failed (above); pemn/decoder and the ONNX export work without it",
    );
    say("after fixing it, run: npm rebuild pemn");
  }
}

main();
