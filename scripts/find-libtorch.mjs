#!/usr/bin/env node
// Locates libtorch for native/binding.gyp. Order: $LIBTORCH (an unpacked libtorch
// distribution, as tch-rs accepts), then Debian's libtorch-dev. Prints gyp-ready words.
import { existsSync } from "node:fs";
import { join } from "node:path";

const GLOO_HINT =
  "Gloo's headers (for c10d's ProcessGroupGloo) were not found. On Debian/Ubuntu run: apt-get install -y libgloo-dev";
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
    return withGloo({ include: [include, join(include, "torch", "csrc", "api", "include")], lib });
  }
  if (existsSync("/usr/include/ATen/ATen.h") && existsSync("/usr/include/torch/csrc/api/include")) {
    return withGloo({ include: ["/usr/include/torch/csrc/api/include"], lib: null });
  }
  throw new Error(INSTALL_HINT);
}

/** c10d's Gloo header includes Gloo's own; Debian ships those apart from libtorch-dev. */
function withGloo(found) {
  if (
    ![...found.include, "/usr/include"].some((dir) => existsSync(join(dir, "gloo", "context.h")))
  ) {
    throw new Error(GLOO_HINT);
  }
  return found;
}

/** libtorch built with CUDA ships libtorch_cuda; only then is c10d's NCCL group compiled. */
function hasCuda(found) {
  const dirs = found.lib
    ? [found.lib]
    : ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"];
  return dirs.some((dir) => existsSync(join(dir, "libtorch_cuda.so")));
}

const what = process.argv[2];
try {
  const found = locate();
  if (what === "include") console.log(found.include.join(" "));
  else if (what === "link") {
    const libs = `-ltorch -ltorch_cpu -lc10${hasCuda(found) ? " -ltorch_cuda -lc10_cuda" : ""}`;
    console.log(found.lib ? `-L${found.lib} -Wl,-rpath,${found.lib} ${libs}` : libs);
  } else if (what === "defines") {
    console.log(hasCuda(found) ? "USE_C10D_GLOO USE_C10D_NCCL PEMN_WITH_NCCL" : "USE_C10D_GLOO");
  } else if (what === "json") console.log(JSON.stringify(found));
  else throw new Error(`usage: find-libtorch.mjs include|link|defines|json (got ${what})`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
