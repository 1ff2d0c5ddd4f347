import { join } from "node:path";

/*
 * Every name in a run directory (docs/training.md, "Run directory"), in one place as
 * open_lth's paths.py keeps them. A run directory holds:
 *   config.json        the run's validated config (written once checks pass; a run's mark)
 *   state.json         the committed state: the last and best checkpoints (written last)
 *   epoch-<n>.ckpt     an epoch's checkpoint (never overwritten in place)
 *   metrics.jsonl      one line per committed epoch
 *   distributed.json   how a data-parallel run was split
 *   pretrain/          a pruned run's dense pre-training: state.json, checkpoints, metrics
 *   summary.json       written when the run finishes
 *   run.lock           held by the process writing the run
 */
export const RUN_CONFIG_FILE = "config.json";
export const RUN_STATE_FILE = "state.json";
export const METRICS_FILE = "metrics.jsonl";
export const DISTRIBUTED_RUN_FILE = "distributed.json";
export const PRETRAIN_DIR = "pretrain";
export const RUN_SUMMARY_FILE = "summary.json";
export const RUN_LOCK_FILE = "run.lock";
/** What a run directory of pemn before state.json held; recognised to refuse it clearly. */
export const LEGACY_CHECKPOINT = "last.ckpt";

/** The name of an epoch's checkpoint file. */
export const CHECKPOINT_NAME = /^epoch-[1-9]\d*\.ckpt$/;

export function checkpointName(epoch: number): string {
  return `epoch-${epoch}.ckpt`;
}

/** The files of the run in `runDir`. */
export function runPaths(runDir: string) {
  return {
    dir: runDir,
    config: join(runDir, RUN_CONFIG_FILE),
    state: join(runDir, RUN_STATE_FILE),
    metrics: join(runDir, METRICS_FILE),
    distributed: join(runDir, DISTRIBUTED_RUN_FILE),
    pretrain: join(runDir, PRETRAIN_DIR),
    summary: join(runDir, RUN_SUMMARY_FILE),
    lock: join(runDir, RUN_LOCK_FILE),
    legacyCheckpoint: join(runDir, LEGACY_CHECKPOINT),
    checkpoint: (epoch: number) => join(runDir, checkpointName(epoch)),
  };
}

/** Names a new run may write besides config.json: a directory holding one is not free. */
export const RUN_WRITTEN_NAMES: readonly string[] = [
  RUN_STATE_FILE,
  METRICS_FILE,
  DISTRIBUTED_RUN_FILE,
  PRETRAIN_DIR,
  RUN_SUMMARY_FILE,
  LEGACY_CHECKPOINT,
];
