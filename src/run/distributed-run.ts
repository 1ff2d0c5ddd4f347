import { existsSync } from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readInputText } from "../io/read-input-file.js";
import { runPaths } from "./run-paths.js";

const distributedRunSchema = z.strictObject({
  world_size: z.number().int().positive(),
  sync_batch_norm: z.boolean(),
});

export type DistributedRun = z.infer<typeof distributedRunSchema>;

/**
 * A new run records its split (rank 0 writes it; a run of one process writes nothing); a
 * resumed run must be split as it was: the ranks' data shards and augmentation streams,
 * and local BatchNorm statistics, depend on the world size.
 */
export function recordOrCheckSplit(
  runDir: string,
  split: DistributedRun | null,
  resume: boolean,
  writes: boolean,
): void {
  const file = runPaths(runDir).distributed;
  if (!resume) {
    if (split && writes)
      writeFileAtomic(file, [Buffer.from(`${JSON.stringify(split, null, 2)}\n`)]);
    return;
  }
  const recorded: DistributedRun = existsSync(file)
    ? distributedRunSchema.parse(JSON.parse(readInputText(file, "record")))
    : { world_size: 1, sync_batch_norm: false };
  const wanted = split ?? { world_size: 1, sync_batch_norm: false };
  if (recorded.world_size !== wanted.world_size) {
    throw new Error(
      `cannot resume: the run in ${runDir} was trained by ${recorded.world_size} rank(s), this resume has ${wanted.world_size}; resume with the same world size`,
    );
  }
  if (recorded.sync_batch_norm !== wanted.sync_batch_norm) {
    throw new Error(
      `cannot resume: the run in ${runDir} was trained ${recorded.sync_batch_norm ? "with" : "without"} --sync-bn; resume it the same way`,
    );
  }
}
