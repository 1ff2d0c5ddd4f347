import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";
import type { DType, EngineTypedArray, HalfDType } from "./dtype.js";
import { EngineUnavailableError, makeEngineError, type NativeErrorKind } from "./errors.js";
import { threadCountProblem } from "./thread-limit.js";

/** The addon's id of one libtorch tensor (a number, see native/tensor_table.cc). */
export type NativeTensor = number & { readonly __nativeTensor: unique symbol };

type T = NativeTensor;
type Pair = [T, T];

/** Ops whose second operand is a tensor (`name`) or a scalar (`nameScalar`). */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge";
type BinaryOps = { [K in BinaryOp]: (a: T, b: T) => T } & {
  [K in `${BinaryOp}Scalar`]: (a: T, b: number) => T;
};

/** What CUDA the addon can use (native/ops_runtime.cc). */
export interface CudaStatus {
  /** Whether the addon was built against a libtorch with CUDA. */
  built: boolean;
  devices: { name: string; memoryBytes: number; capability: string }[];
  /** Why no device can be used (no driver, no GPU), else null. */
  error: string | null;
}

/** The addon's functions (native/*.cc). Argument order follows libtorch's. */
export interface NativeBinding extends BinaryOps {
  setErrorFactory(
    factory: (message: string, op: string, kind: NativeErrorKind, lostRank?: number) => Error,
  ): void;
  libtorchVersion(): string;
  buildConfig(): string;
  parallelInfo(): string;
  setNumThreads(threads: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  cudaAvailable(): boolean;
  cudaStatus(): CudaStatus;
  cudaDeviceCount(): number;
  synchronize(device: string): void;
  setAutocast(deviceType: "cuda" | "cpu", enabled: boolean, dtype: HalfDType): boolean;
  ampUnscale_(grads: T[], foundInf: T, invScale: T): void;
  ampUpdateScale_(
    scale: T,
    growthTracker: T,
    foundInf: T,
    growthFactor: number,
    backoffFactor: number,
    growthInterval: number,
  ): void;
  tuneAllocator(mmapThresholdBytes: number, trimThresholdBytes: number): boolean;
  liveTensorCount(): number;
  dispose(t: T): void;
  reportExternal(t: T): void;
  isDisposed(t: T): boolean;

  fromArray(data: EngineTypedArray, shape: number[], dtype: DType, pinned?: boolean): T;
  toArray(t: T): EngineTypedArray;
  item(t: T): number;
  shape(t: T): number[];
  strides(t: T): number[];
  dtype(t: T): DType | HalfDType;
  device(t: T): string;
  isContiguous(t: T, format?: MemoryFormat): boolean;
  zeros(shape: number[], dtype: DType): T;
  ones(shape: number[], dtype: DType): T;
  full(shape: number[], value: number | boolean, dtype: DType): T;
  arange(start: number, end: number, step: number, dtype: DType): T;
  rand(shape: number[], dtype: DType): T;
  randn(shape: number[], dtype: DType): T;
  randint(low: number, high: number, shape: number[]): T;
  randperm(n: number): T;
  zerosLike(t: T): T;
  onesLike(t: T): T;
  fullLike(t: T, value: number | boolean): T;
  clone(t: T): T;
  contiguous(t: T, format?: MemoryFormat): T;
  toDtype(t: T, dtype: DType | HalfDType): T;
  toDevice(t: T, device: string, nonBlocking?: boolean): T;
  isPinned(t: T): boolean;
  setData(t: T, source: T): void;
  reshape(t: T, shape: number[]): T;
  permute(t: T, dims: number[]): T;
  transpose(t: T, dim0: number, dim1: number): T;
  flatten(t: T, startDim: number, endDim: number): T;
  slice(t: T, dim: number, start: number, end: number, step: number): T;
  select(t: T, dim: number, index: number): T;
  cat(ts: T[], dim: number): T;
  stack(ts: T[], dim: number): T;
  constantPad(t: T, pads: number[], value: number): T;
  unsqueeze(t: T, dim: number): T;
  squeeze(t: T, dim?: number): T;
  expand(t: T, shape: number[]): T;
  repeat(t: T, repeats: number[]): T;
  flip(t: T, dims: number[]): T;
  indexSelect(t: T, dim: number, index: T): T;
  gather(t: T, dim: number, index: T): T;
  scatter(t: T, dim: number, index: T, source: T): T;
  scatterScalar(t: T, dim: number, index: T, value: number): T;
  requiresGrad(t: T): boolean;
  setRequiresGrad(t: T, requires: boolean): void;
  isLeaf(t: T): boolean;
  version(t: T): number;
  grad(t: T): T | null;
  clearGrad(t: T): void;
  detach(t: T): T;
  backward(t: T, gradient: T | null, retainGraph: boolean): void;

  where(condition: T, a: T, b: T): T;
  clamp(t: T, low: number | null, high: number | null): T;
  neg(t: T): T;
  abs(t: T): T;
  sign(t: T): T;
  exp(t: T): T;
  log(t: T): T;
  sqrt(t: T): T;
  rsqrt(t: T): T;
  square(t: T): T;
  reciprocal(t: T): T;
  sigmoid(t: T): T;
  tanh(t: T): T;
  floor(t: T): T;
  round(t: T): T;
  logicalNot(t: T): T;
  sum(t: T, dims?: number[], keepDim?: boolean): T;
  mean(t: T, dims?: number[], keepDim?: boolean): T;
  max(t: T): T;
  max(t: T, dim: number, keepDim: boolean): Pair;
  min(t: T): T;
  min(t: T, dim: number, keepDim: boolean): Pair;
  argmax(t: T, dim?: number, keepDim?: boolean): T;
  variance(t: T, dims: number[], unbiased: boolean, keepDim: boolean): T;
  norm(t: T, p: number): T;
  countNonzero(t: T): T;
  cumsum(t: T, dim: number, dtype?: DType): T;
  topk(t: T, k: number, dim: number, largest: boolean, sorted: boolean): Pair;
  topKMasks(ts: T[], counts: number[], method?: "auto" | "sort"): T[];
  foreachMul_(ts: T[], scalars: number[]): void;
  foreachDiv_(ts: T[], scalars: number[]): void;
  foreachAddScalars_(ts: T[], scalars: number[]): void;
  foreachAdd_(ts: T[], others: T[], alpha: number): void;
  foreachAddcmul_(ts: T[], a: T[], b: T[], values: number[]): void;
  foreachAddcdiv_(ts: T[], a: T[], b: T[], values: number[]): void;
  foreachSqrt(ts: T[]): T[];
  kthvalue(t: T, k: number, dim: number, keepDim: boolean): Pair;
  sort(t: T, dim: number, descending: boolean, stable: boolean): Pair;
  add_(t: T, other: T, alpha: number): void;
  addScalar_(t: T, value: number): void;
  mul_(t: T, other: T): void;
  mulScalar_(t: T, value: number): void;
  addcmul_(t: T, a: T, b: T, value: number): void;
  addcdiv_(t: T, a: T, b: T, value: number): void;
  zero_(t: T): void;
  fill_(t: T, value: number | boolean): void;
  copy_(t: T, source: T): void;

  matmul(a: T, b: T): T;
  linear(x: T, weight: T, bias: T | null): T;
  conv2d(
    x: T,
    weight: T,
    bias: T | null,
    stride: number[],
    padding: number[] | "same" | "valid",
    dilation: number[],
    groups: number,
  ): T;
  batchNorm(
    x: T,
    weight: T | null,
    bias: T | null,
    runningMean: T | null,
    runningVar: T | null,
    training: boolean,
    momentum: number,
    eps: number,
  ): T;
  layerNorm(x: T, normalizedShape: number[], weight: T | null, bias: T | null, eps: number): T;
  relu(t: T): T;
  gelu(t: T, approximate?: "none" | "tanh"): T;
  softmax(t: T, dim: number): T;
  logSoftmax(t: T, dim: number): T;
  crossEntropy(
    logits: T,
    target: T,
    weight: T | null,
    reduction: Reduction,
    ignoreIndex: number,
    labelSmoothing: number,
  ): T;
  mseLoss(a: T, b: T, reduction: Reduction): T;
  dropout(t: T, p: number, training: boolean): T;
  adaptiveAvgPool2d(t: T, outputSize: number[]): T;
  avgPool2d(t: T, kernel: number[], stride: number[], padding: number[]): T;
  maxPool2d(t: T, kernel: number[], stride: number[], padding: number[]): T;

  /** c10d (native/process_group.cc): a group id; blocking calls wait at most timeoutMs. */
  processGroupInit(
    rank: number,
    worldSize: number,
    host: string,
    port: number,
    timeoutMs: number,
    backend: CollectiveBackend,
    device: string,
  ): number;
  processGroupDestroy(group: number): void;
  /** In place; returns the bytes all-reduced. */
  allReduce(group: number, ts: T[], op: "sum" | "average"): number;
  /** Sum over ranks; its backward sums the gradient over ranks. */
  allReduceWithGrad(group: number, t: T): T;
  /** In place from `root`; returns the bytes sent or received. */
  broadcast(group: number, ts: T[], root: number): number;
  barrier(group: number): void;
  collectiveBackends(): CollectiveBackend[];
  /** Whether rank 0's store listens on the master's address only (libtorch >= 2.6). */
  storeBindsMaster(): boolean;
}

export type CollectiveBackend = "gloo" | "nccl";

export type MemoryFormat = "contiguous" | "channels_last";
export type Reduction = "mean" | "sum" | "none";

const ADDON_FILE = "pemn_native.node";
/** How to build the addon, in a checkout and where pemn is installed as a package. */
const BUILD_HINT =
  "run `npm run build:native` in a pemn checkout, or `npm rebuild pemn` where pemn is installed " +
  "(its install script builds the addon with scripts/build-native.mjs); PEMN_NATIVE may name a built pemn_native.node";

/** Where the built addon may be: $PEMN_NATIVE, then native/build/Release above this file. */
function candidatePaths(): string[] {
  const paths: string[] = [];
  if (process.env.PEMN_NATIVE) paths.push(resolve(process.env.PEMN_NATIVE));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    paths.push(join(dir, "native", "build", "Release", ADDON_FILE));
    dir = dirname(dir);
  }
  return paths;
}

let binding: NativeBinding | undefined;
let allocatorTuned = false;

/**
 * Keeps blocks up to 32 MiB in glibc's heap and 512 MiB of free heap before trimming.
 * Otherwise each activation-sized tensor comes from fresh mmap pages: a depthwise conv step
 * at ConvMixer-256 sizes measured 45 ms in Node against 26 ms in Python (27 ms tuned).
 * Left alone when the user tunes malloc (GLIBC_TUNABLES, MALLOC_*) or sets PEMN_MALLOC_TUNING=off.
 */
function tuneAllocator(native: NativeBinding): boolean {
  const userTuned =
    process.env.PEMN_MALLOC_TUNING === "off" ||
    process.env.GLIBC_TUNABLES !== undefined ||
    Object.keys(process.env).some((name) => name.startsWith("MALLOC_"));
  return !userTuned && native.tuneAllocator(32 * 2 ** 20, 512 * 2 ** 20);
}

/** Whether pemn raised glibc's malloc thresholds (see tuneAllocator). */
export function isAllocatorTuned(): boolean {
  native();
  return allocatorTuned;
}

/*
 * libgomp's workers spin 300,000 times before sleeping. Measured with `pemn train` on 2 cores
 * (docs/engine.md, Threads): beside one busy process a 2-thread ConvMixer epoch fell from
 * 1,200 to about 200 img/s, and the small MLP ran at half speed even alone; 10,000 spins cost
 * 3% on the ConvMixer alone. libgomp reads the variable when it loads, so before the addon.
 */
const OPENMP_SPIN_COUNT = "10000";
let openMpSpinTuned = false;

/** Left alone when the user sets OMP_WAIT_POLICY or GOMP_SPINCOUNT, or PEMN_OMP_TUNING=off. */
function tuneOpenMpSpin(): boolean {
  const env = process.env;
  if (
    env.PEMN_OMP_TUNING === "off" ||
    env.OMP_WAIT_POLICY !== undefined ||
    env.GOMP_SPINCOUNT !== undefined
  ) {
    return false;
  }
  env.GOMP_SPINCOUNT = OPENMP_SPIN_COUNT;
  return true;
}

/** Whether pemn set GOMP_SPINCOUNT before loading libtorch (see tuneOpenMpSpin). */
export function isOpenMpSpinTuned(): boolean {
  native();
  return openMpSpinTuned;
}

/**
 * Intra-op threads at start: $PEMN_THREADS (at most maxThreads()), else every available core
 * (libtorch's own default counts physical cores only, which halves speed on 2-vCPU machines).
 */
export function defaultThreadCount(): number {
  const fromEnv = process.env.PEMN_THREADS;
  if (fromEnv !== undefined && fromEnv !== "") {
    const threads = Number(fromEnv);
    const problem = threadCountProblem(threads);
    if (problem) throw new EngineUnavailableError(`PEMN_THREADS ${problem}, got "${fromEnv}"`);
    return threads;
  }
  return availableParallelism();
}

/**
 * Loads the addon once. Throws EngineUnavailableError saying what to install or build, or,
 * in a worker_thread, that the addon serves the main thread only (docs/engine.md, Threads).
 */
export function native(): NativeBinding {
  if (binding) return binding;
  const path = candidatePaths().find((candidate) => existsSync(candidate));
  if (!path) {
    throw new EngineUnavailableError(
      "the pemn native addon is not built. Install libtorch (apt-get install -y libtorch-dev " +
        `libopenblas0-pthread, or set LIBTORCH to an unpacked libtorch), then ${BUILD_HINT}.`,
    );
  }
  openMpSpinTuned = tuneOpenMpSpin();
  try {
    binding = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (error) {
    // Off the main thread the addon refuses itself (native/addon.cc) and its message says why.
    if (!isMainThread) throw new EngineUnavailableError((error as Error).message, { cause: error });
    throw new EngineUnavailableError(
      `the pemn native addon at ${path} failed to load (${(error as Error).message}). ` +
        `If libtorch was removed or upgraded, reinstall libtorch-dev, then ${BUILD_HINT}.`,
      { cause: error },
    );
  }
  binding.setErrorFactory(makeEngineError);
  binding.setNumThreads(defaultThreadCount());
  allocatorTuned = tuneAllocator(binding);
  return binding;
}

/** Whether the addon can be loaded, without throwing. */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}
