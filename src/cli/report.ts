import type { Command } from "commander";
import { writeReport } from "../experiments/report/index.js";

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "tables, checks and plots (Markdown, self-contained HTML, SVG, PNG) of a pemn sweep's results",
    )
    .argument("<results-dir>", "a results directory written by pemn sweep")
    .option(
      "--out <dir>",
      "where to write report.md, report.html and plots/ (default: the results directory)",
    )
    .action(async (resultsDirectory: string, options: { out?: string }) => {
      const written = await writeReport(resultsDirectory, options.out);
      for (const path of [written.markdown, written.html, ...written.plots]) {
        console.log(`wrote ${path}`);
      }
    });
}
