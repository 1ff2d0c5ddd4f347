import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { ResultsError, writeReport } from "../../src/experiments/report/index.js";
import { temporaryDirectory } from "../data/helpers.js";
import {
  COMPRESSION_SWEEP,
  compressionRecords,
  INVOCATION,
  makeRecord,
  REPRESENTATION_SWEEP,
  representationRecords,
  SIZE_SWEEP,
  seedFile,
  sizeRecords,
  storedFile,
  writeResultsDirectory,
} from "./report-fixtures.js";

async function assertPlotFiles(plots: readonly string[]): Promise<void> {
  assert.ok(plots.length >= 2);
  for (const png of plots.filter((path) => path.endsWith(".png"))) {
    const svg = readFileSync(png.replace(/\.png$/, ".svg"), "utf8");
    const [, width, height] = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/) ?? [];
    const metadata = await sharp(readFileSync(png)).metadata();
    assert.equal(metadata.format, "png");
    // Scale 2: twice the SVG's size, and about 900 px wide or more, as the plots are sized.
    assert.equal(metadata.width, 2 * Number(width));
    assert.equal(metadata.height, 2 * Number(height));
    assert.ok(
      (metadata.width ?? 0) >= 800 && (metadata.width ?? 0) <= 1400,
      `width ${metadata.width}`,
    );
  }
  const first = plots.find((path) => path.endsWith(".png")) as string;
  await assertTextDrawn(first, readFileSync(first.replace(/\.png$/, ".svg"), "utf8"));
}

/**
 * The PNG shows its text (a font was found): it differs from the same SVG drawn without its
 * text elements in at least as many pixels as a few words cover.
 */
async function assertTextDrawn(png: string, svg: string): Promise<void> {
  const withoutText = svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, "");
  assert.ok(withoutText.length < svg.length, "the SVG has text");
  const drawn = await sharp(readFileSync(png)).raw().toBuffer();
  const bare = await sharp(Buffer.from(withoutText), { density: 144 }).png().raw().toBuffer();
  assert.equal(bare.length, drawn.length);
  let differing = 0;
  for (let index = 0; index < drawn.length; index++) if (drawn[index] !== bare[index]) differing++;
  assert.ok(
    differing > 20_000,
    `${png}: only ${differing} channel values differ with text removed`,
  );
}

test("a representation report lists every run, the hand-computed means, and self-contained HTML", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    const records = representationRecords();
    // results.jsonl holds only half the runs, as after shards: the rest come from runs/.
    writeResultsDirectory(dir, REPRESENTATION_SWEEP, records, {
      jsonl: "first-half",
      invocations: [INVOCATION],
    });
    const written = await writeReport(dir);
    const markdown = readFileSync(join(dir, "report.md"), "utf8");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    for (const record of records) {
      assert.ok(markdown.includes(record.run_id), `run ${record.run_id} in report.md`);
      assert.ok(html.includes(record.run_id), `run ${record.run_id} in report.html`);
    }
    for (const cell of [
      "| mask | 91.00 ± 1.00 |",
      "| MP | 91.00 ± 1.73 |",
      "| RP 1e-2 | 86.00 ± 1.41 | 2 (0, 1; missing 2) | 0 |",
      "| RP 1e-3 | 82.00 ± 2.83 | 2 (0, 1) | 1 |",
    ]) {
      assert.ok(markdown.includes(cell), `report.md has ${cell}`);
    }
    assert.match(markdown, /RP 1e-3, seed 2 \(run [0-9a-f]+\): out of memory/);
    assert.match(markdown, /20 recorded \(19 finished, 1 failed, 1 not recorded yet\)/);
    assert.ok(markdown.includes(INVOCATION.command));
    assert.match(markdown, /!\[.*\]\(plots\/representation-convmixer-256-8\.png\)/);
    assert.ok(!html.includes("http"), "no external URL in report.html");
    assert.ok(!/<(script|link|img)\b/.test(html), "no script, stylesheet or image to fetch");
    assert.equal((html.match(/<svg/g) ?? []).length, 1);
    assert.ok(html.includes("Test accuracy (%)"), "the plot's text is inline");
    await assertPlotFiles(written.plots);
  } finally {
    remove();
  }
});

test("a compression report prefers each run's result.json over results.jsonl, and writes to --out", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    // A second backbone gets its own table and plot.
    const resnet32 = [
      makeRecord("fig4-test", {
        backbone: "resnet32",
        strategy: { kind: "dense" },
        seed: 0,
        outcome: { accuracy: 0.95 },
        packed: [storedFile(2_000_000, 0, -0.01)],
      }),
      makeRecord("fig4-test", {
        backbone: "resnet32",
        strategy: { kind: "mp", rescale: "none" },
        seed: 0,
        outcome: { accuracy: 0.9 },
        packed: [seedFile(64_000, 0.968, 0.95)],
      }),
    ];
    const records = [...compressionRecords(), ...resnet32];
    writeResultsDirectory(dir, COMPRESSION_SWEEP, records, {
      jsonl: "all",
      invocations: [INVOCATION],
    });
    // An older results.jsonl still has the first run failed; its result.json says it finished.
    const stale = { ...records[0], status: "failed", error: "stale line" } as Record<
      string,
      unknown
    >;
    delete stale.summary;
    delete stale.packed;
    const lines = readFileSync(join(dir, "results.jsonl"), "utf8").split("\n");
    lines[0] = JSON.stringify(stale);
    writeFileSync(join(dir, "results.jsonl"), lines.join("\n"));
    const out = join(dir, "elsewhere");
    const written = await writeReport(dir, out);
    const markdown = readFileSync(join(out, "report.md"), "utf8");
    assert.ok(!markdown.includes("stale line"));
    assert.ok(!existsSync(join(dir, "report.md")));
    for (const record of records) assert.ok(markdown.includes(record.run_id));
    assert.ok(
      markdown.includes("| dense |  | 93.00 ± 1.41 | 2 (0, 1) | 0 |"),
      "dense from both seeds",
    );
    assert.ok(
      markdown.includes("| magnitude pruning | 96.0% | 83.00 | 1 (0) | 1 |"),
      "the failed seed counted",
    );
    assert.match(markdown, /\| 96\.04% \| 95\.00% \| 99\.00% \|/); // measured ratios and sparsity at 96%
    assert.match(
      markdown,
      /magnitude pruning at 96\.0%, seed 1 \(run [0-9a-f]+\): diverged: loss is NaN/,
    );
    assert.match(markdown, /at 94\.0% target: .*above every baseline: yes/);
    assert.match(markdown, /## resnet32\n\n\| method \|/);
    assert.match(markdown, /### resnet32\n\n- no pruned baseline: nothing to compare against/);
    assert.deepEqual(
      written.plots.map((path) => path.slice(out.length + 1)),
      [
        "plots/compression-resnet20.svg",
        "plots/compression-resnet20.png",
        "plots/compression-resnet32.svg",
        "plots/compression-resnet32.png",
      ],
    );
    await assertPlotFiles(written.plots);
  } finally {
    remove();
  }
});

test("a size report: one table over every network, one plot with a log byte axis, checks per budget", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeResultsDirectory(dir, SIZE_SWEEP, sizeRecords(), {
      jsonl: "all",
      invocations: [INVOCATION],
    });
    const written = await writeReport(dir);
    const markdown = readFileSync(join(dir, "report.md"), "utf8");
    for (const cell of [
      "| mask | 8 KB | ConvMixer-88/4 | 87.00 ± 1.41 |",
      "| mask, keep 0.2 | 8 KB | ConvMixer-104/4 | 85.00 ± 0.00 |",
      "| 8-bit quantized | 16 KB | ConvMixer-20/4 | 92.00 ± 2.83 |",
    ]) {
      assert.ok(markdown.includes(cell), `report.md has ${cell}`);
    }
    assert.match(markdown, /packed with norm tensors at int8, each BatchNorm folded/);
    assert.match(markdown, /### budget 16 KB\n\n- 8-bit quantized \(ConvMixer-20\/4\): 92\.00%/);
    assert.deepEqual(
      written.plots.map((path) => path.slice(dir.length + 1)),
      ["plots/size.svg", "plots/size.png"],
    );
    const svg = readFileSync(join(dir, "plots", "size.svg"), "utf8");
    // Ticks at powers of two of 1,024 bytes inside the axis (7,700 and 16,000 bytes, padded 15%).
    assert.match(svg, />8 KB</);
    assert.match(svg, />16 KB</);
    assert.doesNotMatch(svg, />(4|32) KB</);
    await assertPlotFiles(written.plots);
  } finally {
    remove();
  }
});

test("bad input names the file and the problem", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    await assert.rejects(
      writeReport(join(dir, "nowhere")),
      (error: Error) =>
        error instanceof ResultsError &&
        error.message.includes("nowhere: no such results directory"),
    );
    await assert.rejects(writeReport(dir), /sweep\.json: missing/);

    const records = representationRecords();
    writeResultsDirectory(dir, REPRESENTATION_SWEEP, records, {
      jsonl: "all",
      invocations: [INVOCATION],
    });
    const linesPath = join(dir, "results.jsonl");
    const lines = readFileSync(linesPath, "utf8").split("\n");
    writeFileSync(linesPath, [lines[0], "{not json", ...lines.slice(1)].join("\n"));
    await assert.rejects(writeReport(dir), /results\.jsonl line 2: not valid JSON/);
    writeFileSync(
      linesPath,
      [lines[0], JSON.stringify({ ...records[1], seconds: -1 }), ...lines.slice(1)].join("\n"),
    );
    await assert.rejects(
      writeReport(dir),
      /results\.jsonl line 2: invalid sweep record:\n✖ .*\n {2}→ at seconds/,
    );
    rmSync(linesPath);

    const resultPath = join(dir, "runs", records[2]?.run_id ?? "", "result.json");
    writeFileSync(resultPath, JSON.stringify({ ...records[2], status: "done" }));
    await assert.rejects(
      writeReport(dir),
      (error: Error) =>
        error.message.startsWith(`${resultPath}: invalid sweep record:\n`) &&
        /→ at status/.test(error.message),
    );
    assert.ok(!existsSync(join(dir, "report.md")), "nothing written on bad input");
  } finally {
    remove();
  }
});

test("pemn report prints a clear error and exits 1 on a directory without sweep.json", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    assert.throws(
      () =>
        execFileSync(process.execPath, ["bin/pemn.js", "report", dir], {
          stdio: "pipe",
          encoding: "utf8",
        }),
      (error: { status: number; stderr: string }) =>
        error.status === 1 && error.stderr.includes(`pemn: ${join(dir, "sweep.json")}: missing`),
    );
  } finally {
    remove();
  }
});
