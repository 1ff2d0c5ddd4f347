#!/usr/bin/env node
// Locates libtorch for native/binding.gyp. Order: $LIBTORCH (an unpacked libtorch
// distribution, as tch-rs accepts), then Debian's libtorch-dev. Prints gyp-ready words.
import { existsSync } from "node:fs";
import { join } from "node:path";

const INSTALL_HINT =
  "libtorch was not found. On Debian/Ubuntu run: apt-get install -y libtorch-dev libopenblas0-pthread\n" +
  "or set LIBTORCH to an unpacked libtorch distribution (the folder holding include/ and lib/).";

function locate() {
  const custom = process.env.LIBTORCH;
  if (custom) {
    const include = join(custom, "include");
    const lib = join(custom, "lib");
    if (!existsSync(join(include, "ATen", "ATen.h"))) {
      throw new Error(`LIBTORCH=${custom} has no include/ATen/ATen.h.\n${INSTALL_HINT}`);
    }
    return { include: [include, join(include, "torch", "csrc", "api", "include")], lib };
  }
  if (existsSync("/usr/include/ATen/ATen.h") && existsSync("/usr/include/torch/csrc/api/include")) {
    return { include: ["/usr/include/torch/csrc/api/include"], lib: null };
  }
  throw new Error(INSTALL_HINT);
}

const what = process.argv[2];
try {
  const found = locate();
  if (what === "include") console.log(found.include.join(" "));
  else if (what === "link") {
    const libs = "-ltorch -ltorch_cpu -lc10";
    console.log(found.lib ? `-L${found.lib} -Wl,-rpath,${found.lib} ${libs}` : libs);
  } else if (what === "json") console.log(JSON.stringify(found));
  else throw new Error(`usage: find-libtorch.mjs include|link|json (got ${what})`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
