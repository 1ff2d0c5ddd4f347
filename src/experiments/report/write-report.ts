import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { buildReport } from "./build-report.js";
import { readSweepResults } from "./read-results.js";
import { renderPlot } from "./render-plot.js";
import { renderHtml, renderMarkdown } from "./report-document.js";

export interface WrittenReport {
  readonly markdown: string;
  readonly html: string;
  /** Every plot file written (plots/<name>.svg and .png), as paths. */
  readonly plots: readonly string[];
}

/**
 * Reads a results directory and writes report.md, report.html and plots/ into `outDirectory`
 * (the results directory by default), each file atomically.
 */
export async function writeReport(
  resultsDirectory: string,
  outDirectory = resultsDirectory,
): Promise<WrittenReport> {
  const plan = buildReport(readSweepResults(resultsDirectory));
  const plotsDirectory = join(outDirectory, "plots");
  mkdirSync(plotsDirectory, { recursive: true });
  const svgByName = new Map<string, string>();
  const plots: string[] = [];
  for (const { name, spec } of plan.plots) {
    const { svg, png } = await renderPlot(spec);
    svgByName.set(name, svg);
    for (const [path, bytes] of [
      [join(plotsDirectory, `${name}.svg`), Buffer.from(svg, "utf8")],
      [join(plotsDirectory, `${name}.png`), png],
    ] as const) {
      writeFileAtomic(path, [bytes]);
      plots.push(path);
    }
  }
  const markdown = join(outDirectory, "report.md");
  const html = join(outDirectory, "report.html");
  writeFileAtomic(markdown, [Buffer.from(renderMarkdown(plan.blocks), "utf8")]);
  writeFileAtomic(html, [Buffer.from(renderHtml(plan.title, plan.blocks, svgByName), "utf8")]);
  return { markdown, html, plots };
}
