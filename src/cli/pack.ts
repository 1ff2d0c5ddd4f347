import { type Command, Option } from "commander";
import { DEFAULT_NORM_DTYPE, NORM_DTYPES, type NormDtype } from "../artifact/index.js";
import type { ValueMode } from "../packing/index.js";
import { packRunToFile } from "../run/pack-run.js";

export function registerPack(program: Command): void {
  program
    .command("pack")
    .description("pack a trained run into a .pemn file: masks, seed or values, norm tensors")
    .argument("<source>", "a run directory written by pemn train, or a checkpoint file in one")
    .requiredOption("-o, --output <file>", "the .pemn file to write")
    .addOption(
      new Option("--values <mode>", "seed: regenerate the fixed values; stored: keep them")
        .choices(["seed", "stored"])
        .default("seed"),
    )
    .addOption(
      new Option("--norm <dtype>", "precision of norm tensors (int8: a float32 scale per tensor)")
        .choices(NORM_DTYPES)
        .default(DEFAULT_NORM_DTYPE),
    )
    .option(
      "--fold-norms",
      "store each BatchNorm as a scale and a shift per channel (half the numbers; equal at inference up to float32 rounding, not bit for bit)",
    )
    .addOption(
      new Option("--checkpoint <which>", "which checkpoint of a run directory")
        .choices(["last", "best"])
        .default("last"),
    )
    .action(
      (
        source: string,
        options: {
          output: string;
          values: ValueMode;
          norm: NormDtype;
          checkpoint: "last" | "best";
          foldNorms?: boolean;
        },
      ) => {
        const { bytes, maskedWeights } = packRunToFile(source, options.output, {
          values: options.values,
          norms: options.norm,
          foldNorms: options.foldNorms === true,
          checkpoint: options.checkpoint,
        });
        console.log(
          `${options.output}: ${bytes.toLocaleString("en-US")} bytes, ${((8 * bytes) / maskedWeights).toFixed(4)} bits per masked weight (${maskedWeights.toLocaleString("en-US")} masked weights; pemn inspect for the details)`,
        );
      },
    );
}
