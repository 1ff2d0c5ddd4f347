import { readFileSync } from "node:fs";
import { Command } from "commander";
import { RUN_IN_USE_EXIT_STATUS, RunLockError } from "../run/run-lock.js";
import { registerData } from "./data.js";
import { registerDemo } from "./demo.js";
import { registerDoctor } from "./doctor.js";
import { registerEval } from "./eval.js";
import { registerExport } from "./export.js";
import { registerImport } from "./import.js";
import { registerInspect } from "./inspect.js";
import { registerModels } from "./models.js";
import { registerPack } from "./pack.js";
import { registerPredict } from "./predict.js";
import { registerReport } from "./report.js";
import { registerServe } from "./serve.js";
import { registerSweep } from "./sweep.js";
import { registerTrain } from "./train.js";

const packageJson = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

// A reader that stops early (`pemn inspect f.pemn | head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

const program = new Command()
  .name("pemn")
  .description("Parameter-Efficient Masking Networks: train masks over fixed random weights")
  .version(packageJson.version);
registerDoctor(program);
registerDemo(program);
registerTrain(program, packageJson.version);
registerModels(program);
registerEval(program);
registerPack(program);
registerInspect(program);
registerExport(program);
registerPredict(program);
registerImport(program);
registerReport(program);
registerSweep(program, packageJson.version);
registerServe(program);
registerData(program);

try {
  await program.parseAsync();
} catch (error) {
  console.error(`pemn: ${(error as Error).message}`);
  // A sweep reads this status, never the message, to tell a busy run from a failed one.
  const busy = error instanceof RunLockError && error.code === "in-use";
  process.exitCode = busy ? RUN_IN_USE_EXIT_STATUS : 1;
}
