import { type Command, InvalidArgumentError } from "commander";
import { backboneCatalogue, flagOption } from "../models/pure.js";
import { integer } from "./arguments.js";

const side = integer({ min: 1 });

/** "3x32x32": channels x height x width (also pemn import's --input). */
export function imageShape(value: string) {
  const parts = value.split("x");
  if (parts.length !== 3) {
    throw new InvalidArgumentError(`expected CxHxW, e.g. 3x32x32, got "${value}"`);
  }
  const [channels, height, width] = parts.map(side) as [number, number, number];
  return { channels, height, width };
}

export function registerModels(program: Command): void {
  program
    .command("models")
    .description("list the registered backbones, their parameters' defaults and flags")
    .option("--input <CxHxW>", "input images the sizes are given for", imageShape, {
      channels: 3,
      height: 32,
      width: 32,
    })
    .option("--classes <n>", "classes the sizes are given for", integer({ min: 2 }), 10)
    .option("--json", "print the catalogue as JSON")
    .action(
      (options: {
        input: { channels: number; height: number; width: number };
        classes: number;
        json?: boolean;
      }) => {
        const entries = backboneCatalogue(options.input, options.classes);
        if (options.json) {
          console.log(JSON.stringify(entries, null, 2));
          return;
        }
        const { channels, height, width } = options.input;
        console.log(
          `sizes of each default config on ${channels}x${height}x${width} images, ${options.classes} classes`,
        );
        for (const entry of entries) {
          console.log(`\n${entry.name}  ${entry.summary}`);
          const defaults = Object.entries(entry.defaults)
            .map(
              ([field, value]) =>
                `${field} ${Array.isArray(value) ? value.join(",") : String(value)}`,
            )
            .join(", ");
          console.log(`  defaults  ${defaults}`);
          console.log(`  flags     ${entry.flags.map((flag) => flagOption(flag.field)).join(" ")}`);
          const { size } = entry;
          console.log(
            size.fits
              ? `  size      ${size.maskedLayers} masked layers, ${size.maskedWeights.toLocaleString("en-US")} masked weights, ${size.norms} norm layers; mp/rp rescale ${size.rescale} by default`
              : `  size      the defaults do not fit these images: ${size.problem.replace(/\s*\n\s*/g, " ")}`,
          );
        }
      },
    );
}
