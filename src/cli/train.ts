import { type Command, InvalidArgumentError, Option } from "commander";
import { defaultDataWorkers, MAX_DATA_WORKERS } from "../data/index.js";
import {
  type CollectiveBackend,
  DEVICE_PATTERN,
  isCuda,
  ProcessGroup,
  resolveDevice,
  setThreads,
} from "../engine/index.js";
import { maxThreads, maxThreadsReason } from "../engine/thread-limit.js";
import { BACKBONE_NAMES, BACKBONES, type FlagValue, flagOption } from "../models/pure.js";
import {
  deepMerge,
  launchLocalRanks,
  parseRunConfig,
  type RankRole,
  rankRoleFromEnv,
  readConfigFile,
  readRunConfig,
  runTraining,
} from "../run/index.js";
import { checkLocalProcesses } from "../run/local-process-limit.js";
import { formatPercent } from "../text/percent.js";
import { DataParallel, type ProgressMode } from "../train/index.js";
import {
  type ArgumentParser,
  commaList,
  deviceOption,
  integer,
  json,
  number,
  positiveNumber,
} from "./arguments.js";

type Parse = ArgumentParser<unknown>;

/** Any integer: the config checks the range (model sizes, index bits, ports). */
const anyInteger = integer();

/** "csr:8", "relative:4", "bitmap": a pruned strategy's index scheme (the config validates it). */
const pruningIndex: Parse = (value) => {
  const [kind, bits, ...rest] = value.split(":");
  if (kind === "bitmap" && bits === undefined) return { kind };
  if ((kind === "csr" || kind === "relative") && bits !== undefined && rest.length === 0) {
    return { kind, bits: anyInteger(bits) };
  }
  throw new InvalidArgumentError(`expected csr:<bits>, relative:<bits> or bitmap, got "${value}"`);
};

interface ConfigFlag {
  readonly flags: string;
  readonly path: readonly string[];
  readonly help: string;
  readonly parse?: Parse;
}

const FLAG_PARSERS: Record<FlagValue, Parse | undefined> = {
  integer: anyInteger,
  number,
  integers: commaList(anyInteger),
  string: undefined,
};

/**
 * --model and each registered backbone's flags; a field several backbones share is one flag,
 * its help naming them (docs/cli.md lists them).
 */
function modelFlags(): ConfigFlag[] {
  const byField = new Map<
    string,
    { value: FlagValue; uses: { backbone: string; help: string }[] }
  >();
  for (const backbone of BACKBONES) {
    for (const flag of backbone.flags) {
      // Backbones sharing a field read it alike (test/models/backbones.test.ts checks).
      const entry = byField.get(flag.field) ?? { value: flag.value, uses: [] };
      entry.uses.push({ backbone: backbone.name, help: flag.help });
      byField.set(flag.field, entry);
    }
  }
  return [
    { flags: "--model <name>", path: ["model", "name"], help: BACKBONE_NAMES.join(" | ") },
    ...[...byField].map(([field, { value, uses }]) => ({
      flags: `${flagOption(field)} <${value === "integers" ? "list" : value === "string" ? "value" : "n"}>`,
      path: ["model", field],
      help: uses.every((use) => use.help === uses[0]?.help)
        ? `${uses[0]?.help} (${uses.map((use) => use.backbone).join(", ")})`
        : uses.map((use) => `${use.backbone}: ${use.help}`).join("; "),
      parse: FLAG_PARSERS[value],
    })),
  ];
}

/** Each config flag and the run-config field it sets. */
const CONFIG_FLAGS: readonly ConfigFlag[] = [
  ...modelFlags(),
  {
    flags: "--strategy <kind>",
    path: ["strategy", "kind"],
    help: "dense | mask | one-layer | mp | rp | pruned",
  },
  {
    flags: "--ratio <r>",
    path: ["strategy", "ratio"],
    help: "rp: prototype ratio, e.g. 1e-3",
    parse: number,
  },
  { flags: "--order <copy|rand>", path: ["strategy", "order"], help: "rp: tiling order" },
  {
    flags: "--rescale <none|fan-in>",
    path: ["strategy", "rescale"],
    help: "mp/rp: per-layer rescaling",
  },
  {
    flags: "--criterion <random|magnitude>",
    path: ["strategy", "criterion"],
    help: "pruned: which weights the mask keeps",
  },
  {
    flags: "--scope <layer|global>",
    path: ["strategy", "scope"],
    help: "pruned: the same sparsity per layer, or one ranking over all",
  },
  {
    flags: "--compression <c>",
    path: ["strategy", "compression"],
    help: "pruned: target storage compression ratio, e.g. 0.94",
    parse: number,
  },
  {
    flags: "--index <scheme>",
    path: ["strategy", "index"],
    help: "pruned: positions index, csr:8 | relative:8 | bitmap",
    parse: pruningIndex,
  },
  {
    flags: "--pretrain-epochs <n>",
    path: ["strategy", "pretrainEpochs"],
    help: "pruned, magnitude: dense epochs before the mask is chosen",
    parse: integer({ min: 0 }),
  },
  {
    flags: "--keep <k>",
    path: ["keepFraction"],
    help: "fraction of weights each mask keeps",
    parse: number,
  },
  {
    flags: "--seed <n>",
    path: ["seed"],
    help: "seed of weights, scores, split and training",
    parse: integer({ min: 0 }),
  },
  {
    flags: "--dataset <name>",
    path: ["data", "source", "name"],
    help: "fashion-mnist | mnist | cifar10 | cifar100",
  },
  {
    flags: "--data-dir <dir>",
    path: ["data", "source", "dir"],
    help: "directory of the dataset's files",
  },
  {
    flags: "--val-fraction <f>",
    path: ["data", "validation", "size", "fraction"],
    help: "held-out share of the training files",
    parse: number,
  },
  {
    flags: "--train-limit <n>",
    path: ["data", "trainLimit"],
    help: "train on the first n training images",
    parse: integer({ min: 1 }),
  },
  {
    flags: "--epochs <n>",
    path: ["train", "epochs"],
    help: "epochs (0: build and summarise only)",
    parse: integer({ min: 0 }),
  },
  {
    flags: "--batch-size <n>",
    path: ["train", "batchSize"],
    help: "batch size",
    parse: integer({ min: 1 }),
  },
  { flags: "--optimizer <kind>", path: ["train", "optimizer", "kind"], help: "adamw | sgd" },
  {
    flags: "--precision <p>",
    path: ["train", "precision"],
    help: "fp32 | bf16 | fp16 (mixed precision needs --device cuda)",
  },
  {
    flags: "--lr <x>",
    path: ["train", "optimizer", "lr"],
    help: "peak learning rate",
    parse: positiveNumber,
  },
  {
    flags: "--weight-decay <x>",
    path: ["train", "optimizer", "weightDecay"],
    help: "weight decay",
    parse: number,
  },
  {
    flags: "--momentum <x>",
    path: ["train", "optimizer", "momentum"],
    help: "sgd momentum",
    parse: number,
  },
  { flags: "--nesterov", path: ["train", "optimizer", "nesterov"], help: "sgd: Nesterov momentum" },
  {
    flags: "--schedule <kind>",
    path: ["train", "schedule", "kind"],
    help: "piecewise-linear | cosine | constant",
  },
  {
    flags: "--warmup-epochs <n>",
    path: ["train", "schedule", "warmupEpochs"],
    help: "cosine: warm-up epochs",
    parse: number,
  },
  {
    flags: "--label-smoothing <x>",
    path: ["train", "labelSmoothing"],
    help: "label smoothing",
    parse: number,
  },
  {
    flags: "--clip-norm <x>",
    path: ["train", "clipNorm"],
    help: "clip gradients to this global norm",
    parse: positiveNumber,
  },
  {
    flags: "--augment <json>",
    path: ["train", "augmentation"],
    help: "augmentation steps as JSON (docs/data.md)",
    parse: json,
  },
  {
    flags: "--test-each-epoch",
    path: ["train", "testEachEpoch"],
    help: "also report the reference's best-test figure",
  },
];

/** The flags given, as a partial run config. */
function configFromFlags(options: Record<string, unknown>): unknown {
  let config: unknown = {};
  for (const flag of CONFIG_FLAGS) {
    const value = options[new Option(flag.flags).attributeName()];
    if (value === undefined) continue;
    config = deepMerge(
      config,
      flag.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value),
    );
  }
  return config;
}

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
      anyInteger,
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
  for (const flag of CONFIG_FLAGS) command.option(flag.flags, flag.help, flag.parse as Parse);
  command.action(async (options: Record<string, unknown>) => {
    const nproc = options.nproc as number | undefined;
    const allowOversubscribe = Boolean(options.allowOversubscribe);
    // Before anything is read or started: an over-large --nproc forks until memory runs out.
    if (nproc !== undefined) checkLocalProcesses("--nproc", nproc, allowOversubscribe);
    if (options.resume && !options.runDir)
      throw new InvalidArgumentError("--resume needs --run-dir");
    // A resumed run's own config is the base (the defaults would differ from it), unless
    // another is given; flags still go on top, and must agree with it.
    const file = options.config
      ? readConfigFile(options.config as string)
      : options.resume
        ? readRunConfig(options.runDir as string)
        : {};
    // A config file may name the device too; it is not part of the run's config (config.json),
    // so that a run resumes on another device. The flag wins.
    const { device: fileDevice, ...fromFile } = file as { device?: unknown };
    if (fileDevice !== undefined && command.getOptionValueSource("device") === "default") {
      if (typeof fileDevice !== "string" || !DEVICE_PATTERN.test(fileDevice)) {
        throw new InvalidArgumentError(
          `${options.config}: device must be cpu, cuda, cuda:N or auto, got ${JSON.stringify(fileDevice)}`,
        );
      }
      options.device = fileDevice;
    }
    const config = parseRunConfig(deepMerge(fromFile, configFromFlags(options)));
    const runDir = (options.runDir as string | undefined) ?? defaultRunDir();
    const role = rankRoleFromEnv(process.env, {
      masterAddr: options.masterAddr as string | undefined,
      masterPort: options.masterPort as number | undefined,
    });
    if (role === null && nproc !== undefined && nproc > 1) {
      // The launcher: every rank runs this same command in one run directory.
      const args = process.argv.slice(2);
      if (options.runDir === undefined) args.push("--run-dir", runDir);
      const timeoutMs = 1000 * (options.collectiveTimeout as number);
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
    if (options.threads !== undefined) setThreads(options.threads as number);
    const device = resolveDevice(options.device as string, role?.localRank ?? 0);
    const dataParallel = role ? joinGroup(role, options, device) : undefined;
    let summary: Awaited<ReturnType<typeof runTraining>>;
    try {
      summary = await runTraining(config, {
        runDir,
        resume: Boolean(options.resume),
        progress: options.progress as ProgressMode,
        version,
        dataParallel,
        device,
        workers: (options.workers as number | undefined) ?? defaultDataWorkers(),
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
      `model:           ${summary.model.name}, strategy ${summary.strategy.kind}, keep ${summary.keep_fraction}`,
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

/** Meets the other ranks (c10d rendezvous at the master) and wraps the group for training. */
function joinGroup(role: RankRole, options: Record<string, unknown>, device: string): DataParallel {
  const group = ProcessGroup.init({
    rank: role.rank,
    worldSize: role.worldSize,
    masterAddr: role.masterAddr,
    masterPort: role.masterPort,
    timeoutMs: Math.round(1000 * (options.collectiveTimeout as number)),
    backend:
      (options.backend as CollectiveBackend | undefined) ?? (isCuda(device) ? "nccl" : "gloo"),
  });
  return new DataParallel({ group, syncBatchNorm: Boolean(options.syncBn), device });
}
