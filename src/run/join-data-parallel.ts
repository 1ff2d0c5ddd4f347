import { type CollectiveBackend, isCuda, ProcessGroup } from "../engine/index.js";
import { DataParallel } from "../train/index.js";
import type { RankRole } from "./rank-role.js";

export interface JoinOptions {
  /** This rank's device (its local rank's GPU on CUDA). */
  readonly device: string;
  /** The longest wait for the rendezvous and for each collective. */
  readonly timeoutMs: number;
  /** Default: NCCL on CUDA, else Gloo. */
  readonly backend?: CollectiveBackend;
  /** BatchNorm statistics over the global batch. */
  readonly syncBatchNorm: boolean;
}

/** Meets the other ranks (c10d rendezvous at the master) and wraps the group for training. */
export function joinDataParallel(role: RankRole, options: JoinOptions): DataParallel {
  const group = ProcessGroup.init({
    rank: role.rank,
    worldSize: role.worldSize,
    masterAddr: role.masterAddr,
    masterPort: role.masterPort,
    timeoutMs: options.timeoutMs,
    backend: options.backend ?? (isCuda(options.device) ? "nccl" : "gloo"),
  });
  return new DataParallel({
    group,
    syncBatchNorm: options.syncBatchNorm,
    device: options.device,
  });
}
