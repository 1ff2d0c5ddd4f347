import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { stringify as toYaml } from "yaml";
import { maxThreads, maxThreadsReason } from "../engine/thread-limit.js";
import { currentEnvironment } from "../experiments/environment.js";
import { formatDuration } from "../experiments/estimate-run.js";
import { describeLabels, expandSweep, parseSetting } from "../experiments/expand-sweep.js";
import { PRESET_NAMES, presetSpec } from "../experiments/presets/index.js";
import { parseShard, planSweep, runSweep } from "../experiments/run-sweep.js";
import { readSweepSpec, type SweepSpec } from "../experiments/sweep-spec.js";
import { checkLocalProcesses } from "../run/local-process-limit.js";
import { integer } from "./arguments.js";
import { downloadOption, withDownloadedRuns } from "./download-option.js";

interface SweepFlags {
  out?: string;
  preset?: string;
  list?: boolean;
  show?: boolean;
  jobs: number;
  cores?: number;
  allowOversubscribe?: boolean;
  dryRun?: boolean;
  shard?: string;
  set: string[];
  download?: boolean;
}

/** The command as typed, quoted where a shell would need it. */
function typedCommand(): string {
  const quote = (word: string) =>
    /^[\w./=:@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  return ["pemn", ...process.argv.slice(2)].map(quote).join(" ");
}

export function registerSweep(program: Command, version: string): void {
  program
    .command("sweep")
    .description("run a grid of training runs (a spec file or a preset) into a results directory")
    .argument("[spec]", "a sweep spec, YAML or JSON (docs/experiments.md)")
    .option("--preset <name>", `a shipped sweep: ${PRESET_NAMES.join(", ")}`)
    .option("--out <dir>", "the results directory (runs/, results.jsonl, sweep.json)")
    .option("--list", "list the presets with their runs and estimated time")
    .option("--show", "print the spec (with --preset: the preset) as YAML and stop")
    .option("--jobs <n>", "runs at once; the cores are split between them", integer({ min: 1 }), 1)
    .option("--allow-oversubscribe", "allow --jobs above the number of cores")
    .option(
      "--cores <n>",
      "cores to split between the jobs (default: every core of the machine)",
      // Each job's thread count comes from it: the same bound as --threads.
      integer({ min: 1, max: maxThreads(), why: maxThreadsReason() }),
    )
    .option("--dry-run", "list the runs, their state and estimated time; run nothing")
    .option("--shard <i/n>", "run only the runs whose index % n is i - 1 (1 <= i <= n)")
    .option(
      "--set <path=value>",
      "patch every run's config, e.g. train.epochs=0 (repeatable; value read as YAML)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(downloadOption())
    .action(async (specFile: string | undefined, flags: SweepFlags) => {
      checkLocalProcesses("--jobs", flags.jobs, Boolean(flags.allowOversubscribe));
      const cores = flags.cores ?? availableParallelism();
      if (flags.list) return listPresets(flags.jobs, cores);
      if ((specFile === undefined) === (flags.preset === undefined))
        throw new InvalidArgumentError("give a spec file or --preset NAME (not both)");
      const spec: SweepSpec = flags.preset
        ? presetSpec(flags.preset)
        : readSweepSpec(specFile as string);
      if (flags.show) {
        process.stdout.write(toYaml(spec));
        return;
      }
      if (!flags.out) throw new InvalidArgumentError("--out <dir> is required");
      const expanded = expandSweep(spec, flags.set.map(parseSetting));
      const runs = flags.download ? await withDownloadedRuns(expanded, !flags.dryRun) : expanded;
      const shard = flags.shard === undefined ? null : parseShard(flags.shard);
      const base = { spec, runs, resultsDir: flags.out, jobs: flags.jobs, cores, shard };
      if (flags.dryRun) return printPlan(planSweep(base), flags.jobs);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const outcome = await runSweep({
        ...base,
        command: typedCommand(),
        environment: (threads) => currentEnvironment(version, threads),
        signal: controller.signal,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stderr.write(
        `sweep ${spec.name}: ${outcome.done} done, ${outcome.failed} failed${outcome.busy ? `, ${outcome.busy} busy in another process` : ""}${outcome.interrupted ? `, ${outcome.interrupted} interrupted (re-run the same command to resume)` : ""}; results in ${flags.out}/results.jsonl\n`,
      );
      if (controller.signal.aborted) process.exitCode = 130;
      else if (outcome.failed > 0) process.exitCode = 1;
    });
}

function printPlan(plan: ReturnType<typeof planSweep>, jobs: number): void {
  for (const { run, state, estimate } of plan.planned) {
    console.log(
      `${String(run.index + 1).padStart(4)}  ${run.runId}  ${state.padEnd(7)}  ${formatDuration(state === "done" ? 0 : estimate).padStart(9)}  ${describeLabels(run.labels)}`,
    );
  }
  const left = plan.planned.filter((entry) => entry.state !== "done").length;
  console.log(
    `${plan.planned.length} runs, ${left} to run: about ${formatDuration(plan.seconds)} with --jobs ${jobs} (${plan.threads} thread${plan.threads === 1 ? "" : "s"} each)`,
  );
}

function listPresets(jobs: number, cores: number): void {
  for (const name of PRESET_NAMES) {
    const spec = presetSpec(name);
    let size: string;
    try {
      const runs = expandSweep(spec);
      const plan = planSweep({ runs, resultsDir: null, jobs, cores, shard: null });
      size = `${runs.length} runs, about ${formatDuration(plan.seconds)} with --jobs ${jobs}`;
    } catch (error) {
      size = `does not validate here: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`;
    }
    console.log(`${name.padEnd(14)} ${spec.title}: ${size}`);
  }
}
