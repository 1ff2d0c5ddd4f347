import { readFileSync } from "node:fs";
import { type CudaStatus, isAllocatorTuned, isOpenMpSpinTuned, native } from "./native.js";

export type BlasKind = "openblas" | "reference" | "mkl" | "other" | "unknown";

/** What the loaded engine is made of: the facts `pemn doctor` prints. */
export interface EngineInfo {
  libtorchVersion: string;
  threads: number;
  parallelBackend: string;
  blas: { kind: BlasKind; path: string | null };
  onednn: string | null;
  cuda: boolean;
  /** CUDA as libtorch was built with it, and the GPUs it sees. */
  gpu: CudaStatus & { cudaRuntime: string | null; cudnn: string | null; nccl: boolean };
  /** Whether pemn raised glibc's malloc thresholds for large tensors. */
  allocatorTuned: boolean;
  /** Whether pemn shortened libgomp's spin before its workers sleep. */
  openMpSpinTuned: boolean;
}

export function engineInfo(): EngineInfo {
  const binding = native();
  const config = binding.buildConfig();
  const parallel = binding.parallelInfo();
  return {
    libtorchVersion: binding.libtorchVersion(),
    threads: binding.getNumThreads(),
    parallelBackend: /ATen parallel backend: (.+)/.exec(parallel)?.[1]?.trim() ?? "unknown",
    blas: loadedBlas(),
    onednn: /MKL-DNN (v[\d.]+)/.exec(config)?.[1] ?? null,
    cuda: binding.cudaAvailable(),
    gpu: {
      ...binding.cudaStatus(),
      cudaRuntime: /CUDA Runtime ([\d.]+)/.exec(config)?.[1] ?? null,
      cudnn: /CuDNN ([\d.]+)/.exec(config)?.[1] ?? null,
      nccl: binding.collectiveBackends().includes("nccl"),
    },
    allocatorTuned: isAllocatorTuned(),
    openMpSpinTuned: isOpenMpSpinTuned(),
  };
}

/**
 * The BLAS library mapped into this process. Debian's libtorch links libblas.so.3, which
 * the alternatives system points at OpenBLAS or at the slow reference implementation.
 */
export function loadedBlas(): { kind: BlasKind; path: string | null } {
  let maps: string;
  try {
    maps = readFileSync("/proc/self/maps", "utf8");
  } catch {
    return { kind: "unknown", path: null };
  }
  const path = maps
    .split("\n")
    .map((line) => line.slice(line.indexOf("/")))
    .find((file) => /lib(open)?blas|libmkl/.test(file));
  if (!path?.startsWith("/")) return { kind: "unknown", path: null };
  if (/openblas/.test(path)) return { kind: "openblas", path };
  if (/mkl/.test(path)) return { kind: "mkl", path };
  if (/\/blas\/libblas/.test(path)) return { kind: "reference", path };
  return { kind: "other", path };
}
