import { type Command, InvalidArgumentError, Option } from "commander";
import { defaultDataWorkers, MAX_DATA_WORKERS } from "../data/index.js";
import { resolveDevice, setThreads } from "../engine/index.js";
import { maxThreads, maxThreadsReason } from "../engine/thread-limit.js";
import {
  deepMerge,
  joinDataParallel,
  launchLocalRanks,
  parseRunConfig,
  rankRoleFromEnv,
  readConfigFile,
  readRunConfig,
  runConfigFlags,
  runTraining,
} from "../run/index.js";
import { checkLocalProcesses } from "../run/local-process-limit.js";
import { formatPercent } from "../text/percent.js";
import type { ProgressMode } from "../train/index.js";
import { deviceOption, integer, positiveNumber } from "./arguments.js";
import { configFromOptions, configOption } from "./config-options.js";
import { downloadOption, withDownloadedData } from "./download-option.js";
import { splitMachineSettings } from "./machine-settings.js";

/** The options of `pemn train` that are not config fields (those are in CONFIG_FLAGS). */
interface TrainCommandOptions {
  readonly config?: string;
  readonly runDir?: string;
  readonly resume?: boolean;
  readonly threads?: number;
  device: string;
  readonly progress: ProgressMode;
  readonly json?: boolean;
  readonly workers?: number;
  readonly download?: boolean;
  readonly nproc?: number;
  readonly allowOversubscribe?: boolean;
  readonly syncBn?: boolean;
  readonly masterAddr?: string;
  readonly masterPort?: number;
  readonly collectiveTimeout: number;
  readonly backend?: "gloo" | "nccl";
}

/** Each config flag, declared on its schema field (docs/cli.md lists them). */
const CONFIG_FLAGS = runConfigFlags();

function defaultRunDir(): string {
  return `runs/${new Date().toISOString().replace(/[:.]/g, "-")}`;
}

export function registerTrain(program: Command, version: string): void {
  const command = program
    .command("train")
    .description("train a PEMN (or a dense reference) and write a run directory with summary.json")
    .option("--config <file>", "run config, JSON or YAML (flags override it)")
    .option(
      "--run-dir <dir>",
      "where config, checkpoints, metrics and summary go (default runs/<time>)",
    )
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option(
      "--threads <n>",
      "intra-op threads (default: every core)",
      integer({ min: 1, max: maxThreads(), why: maxThreadsReason() }),
    )
    .addOption(deviceOption())
    .option(
      "--workers <n>",
      "data loader threads; batches are the same for any n (default: cores - 1, at most 4; 0: the main thread)",
      integer({ min: 0, max: MAX_DATA_WORKERS }),
    )
    .addOption(
      new Option("--progress <mode>", "progress display")
        .choices(["auto", "bar", "lines", "none"])
        .default("auto"),
    )
    .option("--json", "print summary.json's contents instead of a short report")
    .addOption(downloadOption())
    .option(
      "--nproc <n>",
      "data-parallel: start n local ranks (each with cores / n threads), as torchrun does",
      integer({ min: 1 }),
    )
    .option("--allow-oversubscribe", "data-parallel: allow --nproc above the number of cores")
    .option("--sync-bn", "data-parallel: BatchNorm statistics over the global batch")
    .option("--master-addr <host>", "data-parallel: rank 0's host (default $MASTER_ADDR)")
    .option(
      "--master-port <n>",
      "data-parallel: rank 0's store port (default $MASTER_PORT, else 29500)",
      integer(),
    )
    .option(
      "--collective-timeout <s>",
      "data-parallel: longest wait for the rendezvous and each collective",
      positiveNumber,
      120,
    )
    .addOption(
      new Option(
        "--backend <name>",
        "data-parallel: collectives backend (default: nccl on CUDA, else gloo)",
      ).choices(["gloo", "nccl"]),
    );
  for (const flag of CONFIG_FLAGS) command.addOption(configOption(flag));
  command.action(async (options: TrainCommandOptions & Record<string, unknown>) => {
    const { nproc } = options;
    const allowOversubscribe = options.allowOversubscribe === true;
    // Before anything is read or started: an over-large --nproc forks until memory runs out.
    if (nproc !== undefined) checkLocalProcesses("--nproc", nproc, allowOversubscribe);
    if (options.resume && !options.runDir)
      throw new InvalidArgumentError("--resume needs --run-dir");
    // A resumed run's own config is the base (the defaults would differ from it), unless
    // another is given; flags still go on top, and must agree with it.
    const { runConfig: fromFile, machine } = options.config
      ? splitMachineSettings(readConfigFile(options.config), options.config)
      : {
          runConfig: options.resume && options.runDir ? readRunConfig(options.runDir) : {},
          machine: {},
        };
    if (machine.device !== undefined && command.getOptionValueSource("device") === "default") {
      options.device = machine.device;
    }
    const threads = options.threads ?? machine.threads;
    const workers = options.workers ?? machine.workers;
    const merged = deepMerge(fromFile, configFromOptions(CONFIG_FLAGS, options));
    const config = parseRunConfig(
      options.download ? await withDownloadedData(merged, options.progress) : merged,
    );
    const runDir = options.runDir ?? defaultRunDir();
    const role = rankRoleFromEnv(process.env, {
      masterAddr: options.masterAddr,
      masterPort: options.masterPort,
    });
    if (role === null && nproc !== undefined && nproc > 1) {
      // The launcher: every rank runs this same command in one run directory.
      const args = process.argv.slice(2);
      if (options.runDir === undefined) args.push("--run-dir", runDir);
      const timeoutMs = 1000 * options.collectiveTimeout;
      process.exitCode = await launchLocalRanks({
        nproc,
        args,
        graceMs: timeoutMs + 5000,
        allowOversubscribe,
      });
      return;
    }
    if (role && nproc !== undefined && nproc !== role.worldSize) {
      throw new InvalidArgumentError(
        `--nproc ${nproc} disagrees with the environment's world size ${role.worldSize}`,
      );
    }
    if (threads !== undefined) setThreads(threads);
    const device = resolveDevice(options.device, role?.localRank ?? 0);
    const dataParallel = role
      ? joinDataParallel(role, {
          device,
          timeoutMs: Math.round(1000 * options.collectiveTimeout),
          backend: options.backend,
          syncBatchNorm: options.syncBn === true,
        })
      : undefined;
    let summary: Awaited<ReturnType<typeof runTraining>>;
    try {
      summary = await runTraining(config, {
        runDir,
        resume: options.resume === true,
        progress: options.progress,
        version,
        dataParallel,
        device,
        workers: workers ?? defaultDataWorkers(),
      });
    } finally {
      dataParallel?.group.destroy();
    }
    if (dataParallel && !dataParallel.writes) return; // rank 0 reports
    if (options.json) {
      console.log(JSON.stringify(summary, null, 2));
      return;
    }
    console.log(`run directory:   ${runDir}`);
    console.log(
      `model:           ${summary.model.name}, strategy ${summary.strategy.kind}${"rescale" in summary.strategy ? ` (rescale ${summary.strategy.rescale})` : ""}${"bits" in summary.strategy ? ` (${summary.strategy.bits} bits)` : ""}, keep ${summary.keep_fraction}`,
    );
    console.log(`masked weights:  ${summary.masked_weights.toLocaleString("en-US")}`);
    console.log(`unique values:   ${summary.unique_values.toLocaleString("en-US")}`);
    if (summary.achieved_compression !== null && summary.kept_weights !== null) {
      console.log(
        `pruned:          ${summary.kept_weights.toLocaleString("en-US")} weights kept, compression ${formatPercent(summary.achieved_compression)} (target ${formatPercent(summary.target_compression)})`,
      );
    }
    console.log(
      `val accuracy:    ${formatPercent(summary.val_accuracy)} (best ${formatPercent(summary.best_val_accuracy)})`,
    );
    console.log(`test accuracy:   ${formatPercent(summary.test_accuracy)}`);
    if (summary.train_img_per_s !== null)
      console.log(`training speed:  ${summary.train_img_per_s.toFixed(0)} img/s`);
    if (summary.all_reduced_bytes_per_step !== null) {
      console.log(
        `data-parallel:   ${summary.world_size} ranks, ${summary.all_reduced_bytes_per_step.toLocaleString("en-US")} bytes all-reduced per step`,
      );
    }
  });
}
