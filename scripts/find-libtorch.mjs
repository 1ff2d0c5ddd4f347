#!/usr/bin/env node
// Locates libtorch for native/binding.gyp and prints gyp-ready words. Where from, in order
// (as tch-rs): LIBTORCH_USE_PYTORCH=1 (the torch package of the python3 on PATH, e.g. a
// PyTorch 2.x pip wheel, CPU or CUDA), then $LIBTORCH (an unpacked libtorch distribution),
// then Debian's libtorch-dev (1.13).
//   include  include folders
//   link     linker words (CUDA builds add libtorch_cuda, kept even though no symbol of it is used)
//   defines  USE_C10D_GLOO PEMN_WITH_GLOO where Gloo's headers are; with CUDA and its runtime headers PEMN_WITH_CUDA, and USE_C10D_NCCL PEMN_WITH_NCCL where
//            NCCL's and CUDA's headers are found
//   cflags   the C++ standard these headers need, and the libstdc++ ABI libtorch was built with
//   json     all of it
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const GLOO_HINT =
  "Gloo's headers (for c10d's ProcessGroupGloo) were not found. On Debian/Ubuntu run: apt-get install -y libgloo-dev";
const INSTALL_HINT =
  "libtorch was not found. On Debian/Ubuntu run: apt-get install -y libtorch-dev libopenblas0-pthread\n" +
  "or set LIBTORCH to an unpacked libtorch distribution (the folder holding include/ and lib/),\n" +
  "or LIBTORCH_USE_PYTORCH=1 to use the torch package of the python3 on PATH.";
const DEBIAN_LIBS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"];

const truthy = (value) =>
  value !== undefined && !["", "0", "false", "no", "off"].includes(value.toLowerCase());

function locate() {
  if (truthy(process.env.LIBTORCH_USE_PYTORCH)) return fromPytorch();
  const custom = process.env.LIBTORCH;
  if (custom) {
    const found = distribution(custom, `LIBTORCH=${custom}`);
    return { ...found, cxx11Abi: abiOf(found, process.env.LIBTORCH_CXX11_ABI) };
  }
  if (existsSync("/usr/include/ATen/ATen.h") && existsSync("/usr/include/torch/csrc/api/include")) {
    // /usr/include is searched anyway: only the C++ API's folder is added.
    const found = { source: "debian", include: ["/usr/include/torch/csrc/api/include"], lib: null };
    return {
      ...found,
      version: versionOf(found),
      cuda: DEBIAN_LIBS.some((dir) => existsSync(join(dir, "libtorch_cuda.so"))),
      cxx11Abi: 1, // Debian builds libtorch with the compiler's default ABI, the new one
    };
  }
  throw new Error(INSTALL_HINT);
}

/** A folder with include/ and lib/: an unpacked libtorch, or the torch package of a wheel. */
function distribution(root, what) {
  const include = join(root, "include");
  if (!existsSync(join(include, "ATen", "ATen.h"))) {
    throw new Error(`${what} has no include/ATen/ATen.h.\n${INSTALL_HINT}`);
  }
  const lib = join(root, "lib");
  const found = {
    source: what,
    include: [include, join(include, "torch", "csrc", "api", "include")],
    lib,
  };
  return { ...found, version: versionOf(found), cuda: existsSync(join(lib, "libtorch_cuda.so")) };
}

/** Asks python3 where its torch is and how it was built (tch-rs's LIBTORCH_USE_PYTORCH). */
function fromPytorch() {
  const python = process.env.PYTHON ?? "python3";
  const program = [
    "import json, os, torch, torch.utils",
    "import torch.distributed as dist",
    "nccl = bool(dist.is_available() and dist.is_nccl_available())",
    "print(json.dumps({'prefix': torch.utils.cmake_prefix_path, 'abi': int(bool(torch._C._GLIBCXX_USE_CXX11_ABI)),",
    "  'version': torch.__version__, 'cuda': torch.version.cuda, 'nccl': nccl,",
    "  'site': os.path.dirname(os.path.dirname(torch.__file__))}))",
  ].join("\n");
  let answer;
  try {
    answer = JSON.parse(
      execFileSync(python, ["-c", program], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  } catch (error) {
    const why = String(error.stderr ?? error.message)
      .trim()
      .split("\n")
      .pop();
    throw new Error(
      `LIBTORCH_USE_PYTORCH=1: ${python} could not tell where torch is (${why}). Set PYTHON to a python with torch.`,
    );
  }
  // cmake_prefix_path is torch/share/cmake; the torch package folder holds include/ and lib/.
  const root = resolve(answer.prefix, "..", "..");
  const found = distribution(root, `LIBTORCH_USE_PYTORCH=1 (torch ${answer.version} at ${root})`);
  return {
    ...found,
    cuda: found.cuda && Boolean(answer.cuda),
    nccl: answer.nccl,
    cxx11Abi: answer.abi,
    site: answer.site,
  };
}

/**
 * TORCH_VERSION_MAJOR/MINOR as {major, minor}: in torch/version.h, or (2.10 on) in the
 * torch/headeronly/version.h it includes.
 */
function versionOf(found) {
  for (const dir of found.include) {
    for (const file of [
      join(dir, "torch", "version.h"),
      join(dir, "torch", "headeronly", "version.h"),
    ]) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, "utf8");
      const major = /#define TORCH_VERSION_MAJOR (\d+)/.exec(text);
      const minor = /#define TORCH_VERSION_MINOR (\d+)/.exec(text);
      if (major && minor) return { major: Number(major[1]), minor: Number(minor[1]) };
    }
  }
  throw new Error(`no torch/version.h with TORCH_VERSION_MAJOR under ${found.include.join(", ")}`);
}

/**
 * The libstdc++ ABI an unpacked libtorch was built with: LIBTORCH_CXX11_ABI=0|1 if given,
 * else what its TorchConfig.cmake says (TORCH_CXX_FLAGS), else 1 (PyTorch's own builds use
 * the new ABI from 2.x on; 1.x downloads came in both, so say it there).
 */
function abiOf(found, given) {
  if (given !== undefined && given !== "") {
    if (given !== "0" && given !== "1")
      throw new Error(`LIBTORCH_CXX11_ABI must be 0 or 1, got ${given}`);
    return Number(given);
  }
  const config = join(found.lib, "..", "share", "cmake", "Torch", "TorchConfig.cmake");
  if (existsSync(config)) {
    const flag = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(readFileSync(config, "utf8"));
    if (flag) return Number(flag[1]);
  }
  return 1;
}

/**
 * C++17 unless the headers refuse it: PyTorch's newer headers stop with `#error` when
 * __cplusplus < 202002L (2.14 on), so ask them rather than a version table.
 */
function cxxStandard(found) {
  const guards = [
    join("ATen", "ATen.h"),
    join("torch", "all.h"),
    join("c10", "macros", "Macros.h"),
  ];
  const dirs = found.lib ? found.include : ["/usr/include", ...found.include];
  for (const dir of dirs) {
    for (const guard of guards) {
      const file = join(dir, guard);
      if (existsSync(file) && /__cplusplus\s*<\s*202002L/.test(readFileSync(file, "utf8")))
        return "c++20";
    }
  }
  return "c++17";
}

/**
 * CUDA's headers: the addon's device queries (PEMN_WITH_CUDA) need CUDA's runtime headers,
 * c10d's ProcessGroupNCCL.hpp nccl.h too. A CUDA toolkit ($CUDA_HOME, $CUDA_PATH,
 * /usr/local/cuda) has the first; a pip install has both in the nvidia-* packages beside
 * torch (site-packages/nvidia/<name>/include). Returns the folders each needs, or null for
 * what is nowhere. PEMN_CUDA_HEADERS=0 uses none (the hooks libtorch exports still see GPUs).
 */
function cudaIncludes(found) {
  if (process.env.PEMN_CUDA_HEADERS === "0") return { runtime: null, nccl: null };
  const has = (dir, header) => existsSync(join(dir, header));
  const toolkits = [process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"]
    .filter(Boolean)
    .map((dir) => join(dir, "include"));
  const nvidia = found.site ? join(found.site, "nvidia") : null;
  const pip =
    nvidia && existsSync(nvidia)
      ? readdirSync(nvidia)
          .map((name) => join(nvidia, name, "include"))
          .filter((dir) => existsSync(dir))
          .sort()
      : [];
  const pick = (header) => {
    if (["/usr/include", ...found.include].some((dir) => has(dir, header))) return [];
    const dir = [...toolkits, ...pip].find((candidate) => has(candidate, header));
    return dir ? [dir] : null;
  };
  const runtime = pick("cuda_runtime_api.h");
  if (!runtime) return { runtime: null, nccl: null };
  // Without a toolkit, the pip packages split CUDA's headers (cuBLAS, cuSPARSE, ...): take them all.
  const runtimeDirs =
    runtime.length && toolkits.includes(runtime[0]) ? runtime : [...runtime, ...pip];
  const nccl = pick("nccl.h");
  return {
    runtime: [...new Set(runtimeDirs)],
    nccl: nccl ? [...new Set([...runtimeDirs, ...nccl])] : null,
  };
}

/** c10d's Gloo header includes Gloo's own: in the distribution, or Debian's libgloo-dev. */
function withGloo(found) {
  const gloo = ["/usr/include", ...found.include].some((dir) =>
    existsSync(join(dir, "gloo", "context.h")),
  );
  // Debian's build has Gloo for the asking; PyTorch's wheels ship no Gloo headers, and a GPU
  // build can do without (NCCL's group serves it).
  if (!gloo && found.source === "debian") throw new Error(GLOO_HINT);
  if (!found.cuda) return { ...found, gloo, nccl: false, cudaHeaders: false, cudaInclude: [] };
  const hasNcclGroup = found.include.some((dir) =>
    existsSync(join(dir, "torch", "csrc", "distributed", "c10d", "ProcessGroupNCCL.hpp")),
  );
  const headers = cudaIncludes(found);
  const nccl = hasNcclGroup && found.nccl !== false && headers.nccl !== null;
  return {
    ...found,
    gloo,
    nccl,
    cudaHeaders: headers.runtime !== null,
    cudaInclude: (nccl ? headers.nccl : headers.runtime) ?? [],
  };
}

function describe() {
  const found = withGloo(locate());
  const defines = found.gloo ? ["USE_C10D_GLOO", "PEMN_WITH_GLOO"] : [];
  if (found.cuda && found.cudaHeaders) defines.push("PEMN_WITH_CUDA");
  if (found.nccl) defines.push("USE_C10D_NCCL", "PEMN_WITH_NCCL");
  const libs = ["-ltorch", "-ltorch_cpu", "-lc10"];
  // libtorch_cuda registers the CUDA kernels when it loads; the addon calls none of its
  // symbols (but the NCCL group's), so the linker must not drop it as unneeded.
  if (found.cuda)
    libs.push("-Wl,--push-state,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Wl,--pop-state");
  return {
    ...found,
    include: [...found.include, ...found.cudaInclude],
    link: found.lib ? [`-L${found.lib}`, `-Wl,-rpath,${found.lib}`, ...libs] : libs,
    defines,
    // As a flag, not a define: node-gyp's common.gypi defines _GLIBCXX_USE_CXX11_ABI=1 itself,
    // and binding.gyp takes that one out (defines!) so that this one is the only one.
    cflags: [`-std=${cxxStandard(found)}`, `-D_GLIBCXX_USE_CXX11_ABI=${found.cxx11Abi}`],
  };
}

const what = process.argv[2];
try {
  const found = describe();
  if (what === "include") console.log(found.include.join(" "));
  else if (what === "link") console.log(found.link.join(" "));
  else if (what === "defines") {
    if (!found.gloo) {
      console.error(
        `find-libtorch: no Gloo headers beside ${found.source} (${GLOO_HINT}): no Gloo backend`,
      );
    }
    if (found.cuda && !found.nccl) {
      console.error(
        "find-libtorch: libtorch has CUDA but NCCL's or CUDA's headers were not found (set CUDA_HOME): no NCCL backend",
      );
    }
    console.log(found.defines.join(" "));
  } else if (what === "cflags") console.log(found.cflags.join(" "));
  else if (what === "json") console.log(JSON.stringify(found, null, 2));
  else throw new Error(`usage: find-libtorch.mjs include|link|defines|cflags|json (got ${what})`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
