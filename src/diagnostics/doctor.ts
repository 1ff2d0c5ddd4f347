import { existsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { engineInfo } from "../engine/engine-info.js";
import { native, nativeAvailable } from "../engine/native.js";

/** One fact `pemn doctor` reports: what is there, and how to fix it when it is not. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Set when something is missing or slow: what to do about it. */
  fix?: string;
  /** Required checks make doctor fail; optional ones only warn. */
  required: boolean;
}

const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
const REFERENCE_PYTHON = "/usr/bin/python3";

export function runDoctor(): Check[] {
  const checks: Check[] = [
    {
      name: "node",
      ok: Number(process.versions.node.split(".")[0]) >= 20,
      detail: `Node ${process.versions.node}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      fix: "install Node 20 or newer",
      required: true,
    },
  ];
  if (!nativeAvailable()) {
    let detail = "not loaded";
    try {
      native();
    } catch (error) {
      detail = (error as Error).message;
    }
    checks.push({
      name: "engine",
      ok: false,
      detail,
      fix: "run scripts/ensure-deps.sh",
      required: true,
    });
  } else {
    const info = engineInfo();
    checks.push(
      {
        name: "engine",
        ok: true,
        detail: `libtorch ${info.libtorchVersion}, ${info.parallelBackend}, oneDNN ${info.onednn ?? "absent"}`,
        required: true,
      },
      {
        name: "threads",
        ok: true,
        detail: `${info.threads} intra-op threads (PEMN_THREADS overrides), OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? "unset"}`,
        required: true,
      },
      {
        name: "blas",
        ok: info.blas.kind === "openblas" || info.blas.kind === "mkl",
        detail: `${info.blas.kind}${info.blas.path ? ` (${info.blas.path})` : ""}`,
        fix: "apt-get install -y libopenblas0-pthread (the reference BLAS makes matrix products ~16x slower)",
        required: false,
      },
      {
        name: "allocator",
        ok: info.allocatorTuned,
        detail: info.allocatorTuned
          ? "glibc malloc keeps tensors up to 32 MiB in its heap"
          : "malloc left as it is (GLIBC_TUNABLES, MALLOC_* or PEMN_MALLOC_TUNING=off, or not glibc)",
        fix: "unset PEMN_MALLOC_TUNING, or tune malloc yourself: large tensors otherwise pay page faults each step",
        required: false,
      },
      {
        name: "gpu",
        ok: info.cuda,
        detail: info.cuda
          ? "CUDA available"
          : "no CUDA device or CUDA-less libtorch: training runs on the CPU",
        required: false,
      },
    );
  }
  checks.push(
    {
      name: "fashion-mnist",
      ok: existsSync(`${FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`),
      detail: FASHION_MNIST_DIR,
      fix: "apt-get install -y dataset-fashion-mnist (the default dataset)",
      required: false,
    },
    {
      name: "pytorch reference",
      ok: existsSync("/usr/lib/python3/dist-packages/torch/__init__.py"),
      detail: `${REFERENCE_PYTHON} with python3-torch, for npm run bench`,
      fix: "apt-get install -y python3-torch (benchmarks only)",
      required: false,
    },
  );
  return checks;
}
