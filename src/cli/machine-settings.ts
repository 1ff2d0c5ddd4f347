import { z } from "zod";
import { ConfigError, describeConfigIssues } from "../config/parse-config.js";
import { MAX_DATA_WORKERS } from "../data/index.js";
import { DEVICE_PATTERN } from "../engine/device.js";
import { maxThreads, maxThreadsReason } from "../engine/thread-limit.js";

/**
 * How a run uses this machine, not what the run is: the device, intra-op threads and data
 * workers change no result (batches are the same bytes for any worker count), so config.json
 * never records them and a run resumes with others. A config file may still set them at its
 * top level, beside the run's fields, so one file describes a whole `pemn train`; the
 * flags win.
 */
export interface MachineSettings {
  readonly device?: string;
  readonly threads?: number;
  readonly workers?: number;
}

function machineSettingsSchema() {
  return z.object({
    device: z
      .string({ error: "device must be cpu, cuda, cuda:N or auto" })
      .regex(DEVICE_PATTERN, { error: "device must be cpu, cuda, cuda:N or auto" })
      .optional(),
    threads: z
      .int({ error: "threads must be an integer" })
      .min(1, { error: "threads must be at least 1" })
      .max(maxThreads(), {
        error: `threads must be at most ${maxThreads()} (${maxThreadsReason()})`,
      })
      .optional(),
    workers: z
      .int({ error: "workers must be an integer" })
      .min(0, { error: "workers must be at least 0" })
      .max(MAX_DATA_WORKERS, { error: `workers must be at most ${MAX_DATA_WORKERS}` })
      .optional(),
  });
}

/**
 * Splits a config file's contents into the run's config and the machine settings beside it.
 * `file` names the config file in the error when a setting is wrong (the flags' own bounds).
 */
export function splitMachineSettings(
  contents: Record<string, unknown>,
  file: string,
): { runConfig: Record<string, unknown>; machine: MachineSettings } {
  const { device, threads, workers, ...runConfig } = contents;
  const result = machineSettingsSchema().safeParse({ device, threads, workers });
  if (!result.success) {
    throw new ConfigError(describeConfigIssues(`machine settings in ${file}`, result.error), {
      cause: result.error,
    });
  }
  return { runConfig, machine: result.data };
}
