import { type Command, Option } from "commander";
import { type EvalSplit, evaluateRun } from "../run/index.js";

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("evaluate a run's checkpoint on one of its splits")
    .argument("<run-dir>", "a directory written by pemn train")
    .addOption(
      new Option("--split <split>", "which split")
        .choices(["train", "validation", "test"])
        .default("test"),
    )
    .addOption(
      new Option("--checkpoint <which>", "which checkpoint")
        .choices(["last", "best"])
        .default("last"),
    )
    .option("--json", "print the result as JSON")
    .action(
      (
        runDir: string,
        options: { split: EvalSplit; checkpoint: "last" | "best"; json?: boolean },
      ) => {
        const result = evaluateRun(runDir, options.checkpoint, options.split);
        if (options.json)
          console.log(
            JSON.stringify({ split: options.split, checkpoint: options.checkpoint, ...result }),
          );
        else
          console.log(
            `${options.split} (${options.checkpoint} checkpoint): accuracy ${(100 * result.accuracy).toFixed(2)}%, loss ${result.loss.toFixed(4)}, ${result.count} images`,
          );
      },
    );
}
