import { EngineArgumentError } from "./errors.js";
import { type CudaStatus, native } from "./native.js";

/** Where tensors live: "cpu", "cuda" (the current GPU), "cuda:N", or "auto" to pick. */
export type DeviceSpec = "cpu" | "cuda" | `cuda:${number}` | "auto";

/** The spellings a device may be given in (flags, configs). */
export const DEVICE_PATTERN = /^(cpu|auto|cuda(:\d+)?)$/;

/** The one way to get CUDA for pemn, said wherever a CUDA device cannot be had. */
export const CUDA_HINT =
  "pemn uses CUDA through a libtorch built with it: install PyTorch with CUDA and rebuild the addon against it " +
  "(LIBTORCH_USE_PYTORCH=1 npm run build:native; docs/gpu.md)";

/** A device was asked for that this process cannot use; the message says why and what to do. */
export class DeviceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeviceUnavailableError";
  }
}

export function cudaStatus(): CudaStatus {
  return native().cudaStatus();
}

/**
 * The concrete device a spec names ("cpu" or "cuda:N"), after checking that it can be used:
 * "auto" is a GPU when libtorch has CUDA and sees one, else the CPU; "cuda" and "auto" take
 * the GPU of the process's local rank (one GPU per rank, as torchrun lays them out).
 */
export function resolveDevice(spec: string, localRank = 0): string {
  if (!DEVICE_PATTERN.test(spec)) {
    throw new EngineArgumentError(
      `unknown device "${spec}" (known: cpu, cuda, cuda:N, auto)`,
      "resolveDevice",
    );
  }
  if (spec === "cpu") return "cpu";
  const status = cudaStatus();
  if (spec === "auto") return status.devices.length > 0 ? localGpu(status, localRank) : "cpu";
  if (!status.built) {
    throw new DeviceUnavailableError(
      `--device ${spec}: this pemn addon was built against a libtorch without CUDA. ${CUDA_HINT}`,
    );
  }
  if (status.devices.length === 0) {
    throw new DeviceUnavailableError(
      `--device ${spec}: libtorch has CUDA but no GPU can be used: ${status.error ?? "none was found"}. ` +
        "Check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES.",
    );
  }
  if (spec === "cuda") return localGpu(status, localRank);
  const index = Number(spec.slice("cuda:".length));
  if (index >= status.devices.length) {
    throw new DeviceUnavailableError(
      `--device ${spec}: there are ${status.devices.length} GPUs (cuda:0 to cuda:${status.devices.length - 1})`,
    );
  }
  return `cuda:${index}`;
}

function localGpu(status: CudaStatus, localRank: number): string {
  if (localRank >= status.devices.length) {
    throw new DeviceUnavailableError(
      `local rank ${localRank} needs its own GPU, but ${status.devices.length} are visible: start at most ${status.devices.length} ranks on this machine`,
    );
  }
  return `cuda:${localRank}`;
}

export function isCuda(device: string): boolean {
  return device.startsWith("cuda");
}

/** Waits until the device has run everything queued on it (timing only). */
export function synchronize(device: string): void {
  native().synchronize(device);
}
