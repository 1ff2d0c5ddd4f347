import type { TopLevelSpec } from "vega-lite";
import type { Environment } from "../sweep-record.js";
import { compressionPlot, representationPlot, sizePlot } from "./plot-specs.js";
import type { ReportRecord, SweepResults } from "./read-results.js";
import { reportClaims } from "./report-claims.js";
import type { Block } from "./report-document.js";
import { formatCount, formatDuration, formatPercent } from "./report-format.js";
import { compareBackbones, type ResultRow, resultRows, seedOf } from "./result-rows.js";
import { runMethod } from "./run-method.js";

export interface ReportPlan {
  readonly title: string;
  readonly blocks: readonly Block[];
  /** Each plot's file name (plots/<name>.svg, .png) and spec. */
  readonly plots: readonly { readonly name: string; readonly spec: TopLevelSpec }[];
}

/** "tiny-imagenet (200 classes)", or the name alone for a summary written before classes were. */
function datasetLabel(summary: {
  dataset: string;
  classes: number | null;
  class_names: string[] | null;
}): string {
  if (summary.classes === null) return summary.dataset;
  const names = summary.class_names;
  const listed = names !== null && names.length <= 10 ? `: ${names.join(", ")}` : "";
  return `${summary.dataset} (${summary.classes} classes${listed})`;
}

/** The whole report as blocks and plot specs: a pure function of what the directory holds. */
export function buildReport(results: SweepResults): ReportPlan {
  const { description, records } = results;
  const rows = resultRows(records);
  const allSeeds = [...new Set(records.flatMap((record) => seedOf(record) ?? []))].sort(
    (a, b) => a - b,
  );
  const failed = records.filter((record) => record.status === "failed").length;
  const datasets = [
    ...new Set(
      records.flatMap((record) => (record.status === "ok" ? [datasetLabel(record.summary)] : [])),
    ),
  ];
  const blocks: Block[] = [
    { kind: "heading", level: 1, text: description.title || description.name },
    { kind: "paragraph", text: description.description },
    {
      kind: "paragraph",
      text:
        `Sweep ${description.name} (${description.figure}), dataset ${datasets.join(", ") || "unknown"}: ` +
        `${description.runs} runs planned, ${records.length} recorded (${records.length - failed} finished, ${failed} failed` +
        `${description.runs > records.length ? `, ${description.runs - records.length} not recorded yet` : ""}). ` +
        "Accuracy is test accuracy of the final model, mean ± sample standard deviation over seeds.",
    },
    {
      kind: "paragraph",
      text:
        "Packed bytes are per file mode (seed: values regenerated from the seed; stored: every value in the file). " +
        "Compression ratios are measured from each run's smallest packed file (a PEMN's seed file, a baseline's stored file) " +
        "against 32-bit dense weights, without and with norm parameters, mean over seeds. Train time is summary.json's seconds." +
        (description.pack === undefined
          ? ""
          : ` Files were packed with norm tensors at ${description.pack.norm}${description.pack.foldNorms ? ", each BatchNorm folded into a scale and a shift per channel" : ""}.`),
    },
  ];
  const plots: { name: string; spec: TopLevelSpec }[] = [];
  const addPlot = (name: string, spec: TopLevelSpec | null, caption: string) => {
    if (spec === null) return;
    plots.push({ name, spec });
    blocks.push({ kind: "figure", name, caption });
  };
  if (description.figure === "size") {
    // One table and one plot over every network: each budget has its own backbone per method.
    const bySize = [...rows].sort(
      (a, b) =>
        a.family.localeCompare(b.family) ||
        a.method.localeCompare(b.method) ||
        (a.bytes?.mean ?? 0) - (b.bytes?.mean ?? 0),
    );
    blocks.push(
      { kind: "heading", level: 2, text: "Accuracy and file bytes" },
      resultTable(bySize, allSeeds, true),
      ...failureBlocks(bySize),
    );
    addPlot("size", sizePlot(rows), SIZE_CAPTION);
  } else {
    for (const backbone of [...new Set(rows.map((row) => row.backbone))]) {
      const own = rows.filter((row) => row.backbone === backbone);
      blocks.push(
        { kind: "heading", level: 2, text: backbone },
        resultTable(own, allSeeds, false),
        ...failureBlocks(own),
      );
      addPlot(
        `${description.figure}-${slug(backbone)}`,
        description.figure === "representation"
          ? representationPlot(backbone, own)
          : compressionPlot(backbone, own),
        figureCaption(description.figure, backbone),
      );
    }
  }
  blocks.push({ kind: "heading", level: 2, text: "Checks" });
  blocks.push({ kind: "paragraph", text: CHECKS_TEXT[description.figure] });
  for (const { heading, checks } of reportClaims(description.figure, rows)) {
    blocks.push({ kind: "heading", level: 3, text: heading }, { kind: "list", items: checks });
  }
  blocks.push(...environmentBlocks(results, allSeeds), ...runBlocks(records));
  return { title: description.title || description.name, blocks, plots };
}

const CHECKS_TEXT: Record<SweepResults["description"]["figure"], string> = {
  representation:
    "Each PEMN strategy against plain masking (mask): the drop in mean test accuracy and whether it exceeds twice the larger of the two sample sds.",
  compression:
    "At each baseline target ratio: the most accurate PEMN point whose measured compression (without norms) is at least that ratio, against each baseline's mean there.",
  size: "At each file-size budget: every method by mean test accuracy with its bytes, then the most accurate PEMN against the most accurate baseline and whether the gap exceeds twice the larger of the two sample sds.",
};

const SIZE_CAPTION =
  "Test accuracy (%) against the bytes of each run's packed file (everything included: header, masks or values, norms), log axis, mean over seeds; error bars ±1 sample sd; one line per method through its networks.";

function failureBlocks(rows: readonly ResultRow[]): Block[] {
  const failures = rows.flatMap((row) =>
    row.failed.map(
      (run) =>
        `${row.method}${target(row)}, seed ${run.seed ?? "?"} (run ${run.runId}): ${run.error}`,
    ),
  );
  return failures.length === 0
    ? []
    : [
        { kind: "paragraph", text: "Failed runs:" },
        { kind: "list", items: failures },
      ];
}

function target(row: ResultRow): string {
  return row.targetCompression === null ? "" : ` at ${formatPercent(row.targetCompression, 1)}`;
}

function figureCaption(figure: SweepResults["description"]["figure"], backbone: string): string {
  return figure === "representation"
    ? `${backbone}: test accuracy (%) per weight strategy, ordered by unique values; error bars ±1 sample sd over seeds; dashed: dense.`
    : `${backbone}: test accuracy (%) against storage compression ratio (%) measured from the packed files without norms; error bars ±1 sample sd over seeds; dashed: dense (0% compression).`;
}

function resultTable(
  rows: readonly ResultRow[],
  allSeeds: readonly number[],
  withNetwork: boolean,
): Block {
  const pruned = rows.some((row) => row.family === "pruned");
  const modes = (["seed", "stored"] as const).filter((mode) =>
    rows.some((row) => row.packed.some((p) => p.values === mode)),
  );
  const columns: { title: string; align: "left" | "right"; cell: (row: ResultRow) => string }[] = [
    { title: "method", align: "left", cell: (row) => row.method },
    ...(withNetwork
      ? [
          { title: "budget", align: "left" as const, cell: (row: ResultRow) => row.budget ?? "" },
          { title: "backbone", align: "left" as const, cell: (row: ResultRow) => row.backbone },
        ]
      : []),
    ...(pruned
      ? [
          {
            title: "target ratio",
            align: "right" as const,
            cell: (row: ResultRow) =>
              row.targetCompression === null ? "" : formatPercent(row.targetCompression, 1),
          },
        ]
      : []),
    {
      title: "test accuracy (%)",
      align: "right",
      cell: ({ accuracy }) =>
        accuracy === null
          ? "n/a"
          : `${(100 * accuracy.mean).toFixed(2)}${accuracy.sd === null ? "" : ` ± ${(100 * accuracy.sd).toFixed(2)}`}`,
    },
    { title: "seeds", align: "left", cell: (row) => seedsCell(row, allSeeds) },
    { title: "failed", align: "right", cell: (row) => String(row.failed.length) },
    {
      title: "unique values",
      align: "right",
      cell: (row) => (row.uniqueValues === null ? "n/a" : formatCount(row.uniqueValues)),
    },
    ...modes.map((mode) => ({
      title: `bytes (${mode} file)`,
      align: "right" as const,
      cell: (row: ResultRow) => {
        const file = row.packed.find((p) => p.values === mode);
        if (file === undefined) return "";
        return file.minBytes === file.maxBytes
          ? formatCount(file.minBytes)
          : `${formatCount(file.minBytes)}–${formatCount(file.maxBytes)}`;
      },
    })),
    {
      title: "compression without norms",
      align: "right",
      cell: (row) => optionalPercent(row.compressionWithoutNorms),
    },
    {
      title: "compression with norms",
      align: "right",
      cell: (row) => optionalPercent(row.compressionWithNorms),
    },
    ...(pruned
      ? [
          {
            title: "sparsity",
            align: "right" as const,
            cell: (row: ResultRow) => optionalPercent(row.sparsity),
          },
        ]
      : []),
    {
      title: "train time per run",
      align: "right",
      cell: (row) => (row.trainSeconds === null ? "n/a" : formatDuration(row.trainSeconds)),
    },
  ];
  return {
    kind: "table",
    header: columns.map((column) => column.title),
    align: columns.map((column) => column.align),
    rows: rows.map((row) => columns.map((column) => column.cell(row))),
  };
}

function optionalPercent(value: number | null): string {
  return value === null ? "n/a" : formatPercent(value);
}

/** "3 (0, 1, 2)"; a seed neither finished nor failed is named as missing. */
function seedsCell(row: ResultRow, allSeeds: readonly number[]): string {
  const seen = new Set([...row.seeds, ...row.failed.flatMap((run) => run.seed ?? [])]);
  const missing = allSeeds.filter((seed) => !seen.has(seed));
  const parts = [
    ...(row.seeds.length > 0 ? [row.seeds.join(", ")] : []),
    ...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []),
  ];
  return parts.length === 0 ? "0" : `${row.seeds.length} (${parts.join("; ")})`;
}

function environmentBlocks(results: SweepResults, allSeeds: readonly number[]): Block[] {
  const { records, invocations } = results;
  const environments = records.map((record) => record.environment);
  const field = (name: keyof Environment, label: string) =>
    `${label}: ${distinct(environments.map((e) => String(e[name])))}`;
  const starts = [
    ...invocations.map((invocation) => Date.parse(invocation.started_at)),
    ...records.map((record) => Date.parse(record.finished_at) - 1000 * record.seconds),
  ].filter(Number.isFinite);
  const finishes = records.map((record) => Date.parse(record.finished_at)).filter(Number.isFinite);
  const runSeconds = records.reduce((sum, record) => sum + record.seconds, 0);
  const span =
    starts.length > 0 && finishes.length > 0
      ? `${formatDuration((Math.max(...finishes) - Math.min(...starts)) / 1000)} from the first start (${new Date(Math.min(...starts)).toISOString()}) to the last finish (${new Date(Math.max(...finishes)).toISOString()})`
      : "unknown";
  const blocks: Block[] = [
    { kind: "heading", level: 2, text: "Environment" },
    {
      kind: "list",
      items: [
        field("pemn_version", "pemn"),
        field("libtorch_version", "libtorch"),
        field("threads", "threads per run"),
        field("node_version", "node"),
        field("cpu", "cpu"),
        field("hostname", "hostname"),
        `seeds: ${allSeeds.join(", ") || "none"}`,
        `run time, summed over runs: ${formatDuration(runSeconds)} (each run's seconds in the invocation that finished it, pack included)`,
        `wall time: ${span}`,
      ],
    },
    { kind: "heading", level: 3, text: "Commands" },
  ];
  if (invocations.length === 0) {
    blocks.push({
      kind: "paragraph",
      text: "No invocations.jsonl: the commands are not recorded.",
    });
  } else {
    blocks.push({
      kind: "code",
      text: invocations
        .map((invocation) => {
          const where = `${invocation.started_at}, jobs ${invocation.jobs}${invocation.shard === null ? "" : `, shard ${invocation.shard}`}, ${invocation.environment.hostname}`;
          return `# ${where}\n${invocation.command}`;
        })
        .join("\n"),
    });
  }
  return blocks;
}

/** "a (3 runs), b (1 run)": each distinct value and how many runs had it. */
function distinct(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  if (counts.size === 1) return [...counts.keys()][0] as string;
  return [...counts]
    .map(([value, count]) => `${value} (${count} run${count === 1 ? "" : "s"})`)
    .join(", ");
}

function runBlocks(records: readonly ReportRecord[]): Block[] {
  const rows = records
    .map((record) => ({ record, method: runMethod(record) }))
    .sort(
      (a, b) =>
        compareBackbones(a.method.backbone, b.method.backbone) ||
        a.method.label.localeCompare(b.method.label) ||
        (a.method.targetCompression ?? 0) - (b.method.targetCompression ?? 0) ||
        (seedOf(a.record) ?? 0) - (seedOf(b.record) ?? 0),
    )
    .map(({ record, method }) => [
      record.run_id,
      method.backbone,
      method.label,
      method.targetCompression === null ? "" : formatPercent(method.targetCompression, 1),
      String(seedOf(record) ?? "?"),
      record.status,
      record.status === "ok" && record.summary.test_accuracy !== null
        ? (100 * record.summary.test_accuracy).toFixed(2)
        : "n/a",
      record.seconds.toFixed(1),
      record.status === "failed" ? record.error : "",
    ]);
  return [
    { kind: "heading", level: 2, text: "Runs" },
    { kind: "paragraph", text: "Every recorded run; its directory is runs/<run id>." },
    {
      kind: "table",
      header: [
        "run id",
        "backbone",
        "method",
        "target",
        "seed",
        "status",
        "test accuracy (%)",
        "seconds",
        "error",
      ],
      align: ["left", "left", "left", "right", "right", "left", "right", "right", "left"],
      rows,
    },
  ];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
