import { existsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { CUDA_HINT } from "../engine/device.js";
import { type EngineInfo, engineInfo } from "../engine/engine-info.js";
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
        detail: `${info.threads} intra-op threads (PEMN_THREADS overrides), OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? "unset"}, GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT ?? "unset"}${info.openMpSpinTuned ? " (set by pemn; PEMN_OMP_TUNING=off keeps libgomp's default)" : ""}`,
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
        ok: info.gpu.devices.length > 0,
        detail: describeGpu(info.gpu),
        fix: info.gpu.built
          ? "check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES"
          : CUDA_HINT,
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

/** The GPUs --device cuda can use, with the CUDA parts libtorch was built with. */
function describeGpu(gpu: EngineInfo["gpu"]): string {
  if (!gpu.built) return "libtorch without CUDA: --device auto trains on the CPU";
  const versions = [
    gpu.cudaRuntime && `CUDA runtime ${gpu.cudaRuntime}`,
    gpu.cudnn && `cuDNN ${gpu.cudnn}`,
    gpu.nccl && "NCCL",
  ]
    .filter(Boolean)
    .join(", ");
  if (gpu.devices.length === 0) return `no usable GPU (${gpu.error ?? "none seen"}); ${versions}`;
  const devices = gpu.devices
    .map(
      (device, index) =>
        `cuda:${index} ${device.name} (${(device.memoryBytes / 2 ** 30).toFixed(0)} GiB, sm_${device.capability.replace(".", "")})`,
    )
    .join("; ");
  return `${devices}; ${versions}`;
}
