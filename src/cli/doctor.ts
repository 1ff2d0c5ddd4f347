import type { Command } from "commander";
import { runDoctor } from "../diagnostics/doctor.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("show the engine, threads, BLAS and libtorch in use, and what is missing")
    .option("--json", "print the checks as JSON")
    .action((options: { json?: boolean }) => {
      const checks = runDoctor();
      if (options.json) {
        console.log(JSON.stringify(checks, null, 2));
      } else {
        for (const check of checks) {
          const mark = check.ok ? "ok  " : check.required ? "FAIL" : "warn";
          console.log(`${mark} ${check.name.padEnd(18)} ${check.detail}`);
          if (!check.ok && check.fix) console.log(`     ${"".padEnd(18)} -> ${check.fix}`);
        }
      }
      if (checks.some((check) => check.required && !check.ok)) process.exitCode = 1;
    });
}
