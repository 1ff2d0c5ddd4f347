import type { TopLevelSpec } from "vega-lite";
import { formatCompact, formatPercent } from "./report-format.js";
import { type MeanSd, nearChance, type ResultRow } from "./result-rows.js";

/*
 * The report's plots as vega-lite specs (pure data; render-plot.ts draws them). Each plot is
 * one backbone, its data the table rows' means and sds, so a plot shows exactly what its
 * table says. Headless vega estimates text widths generously: titles are kept to short lines.
 */

export const PLOT_WIDTH = 400;
export const PLOT_HEIGHT = 300;
/** Pixels between two PEMN labels of the compression plot, so that they never overlap. */
const LABEL_GAP_PX = 14;
/** The plotting area's height (vega's default autosize adds title, axes and legend around it). */
const COMPRESSION_INNER_HEIGHT_PX = PLOT_HEIGHT;

const BASE = {
  width: PLOT_WIDTH,
  height: PLOT_HEIGHT,
  background: "white",
  padding: 8,
  config: {
    font: "DejaVu Sans, sans-serif",
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      grid: true,
      gridColor: "#e6e6e6",
    },
    legend: {
      labelFontSize: 11,
      titleFontSize: 11,
      orient: "bottom",
      direction: "vertical",
      labelLimit: 360,
    },
    title: {
      fontSize: 13,
      subtitleFontSize: 11,
      anchor: "start",
      subtitleColor: "#555",
      offset: 10,
    },
    view: { stroke: "#999" },
  },
} as const;

interface Point {
  label: string;
  mean: number;
  lo: number;
  hi: number;
}

/** In percent: the mean and the ends of its ±1 sd error bar (none with one seed). */
function point(label: string, accuracy: MeanSd): Point {
  const sd = accuracy.sd ?? 0;
  const mean = 100 * accuracy.mean;
  return { label, mean, lo: mean - 100 * sd, hi: mean + 100 * sd };
}

const meanTitle = "mean ± 1 sample sd over seeds";
const BASELINE_KIND = "pruning baseline (line)";
const PEMN_KIND = "PEMN (point)";

/**
 * Fig. 3: test accuracy against strategy, strategies left to right by unique values
 * descending (the table's order), the dense level as a labelled rule.
 */
export function representationPlot(
  backbone: string,
  rows: readonly ResultRow[],
): TopLevelSpec | null {
  const strategies = rows.filter((row) => row.family === "pemn" && row.accuracy !== null);
  if (strategies.length === 0) return null;
  const points = strategies.map((row) =>
    point(
      `${row.method} (${formatCompact(row.uniqueValues ?? 0)} value${row.uniqueValues === 1 ? "" : "s"})`,
      row.accuracy as MeanSd,
    ),
  );
  const dense =
    rows.find((row) => row.family === "dense" && row.accuracy !== null)?.accuracy ?? null;
  const series = `PEMN: ${meanTitle}`;
  const domain = paddedDomain([
    ...points.flatMap((p) => [p.lo, p.hi]),
    ...(dense ? [100 * dense.mean] : []),
  ]);
  const y = { type: "quantitative", scale: { domain, nice: false, zero: false } } as const;
  const layers: unknown[] = [
    {
      data: { values: points },
      mark: { type: "rule", strokeWidth: 1.5 },
      encoding: {
        x: { field: "label", type: "nominal", sort: null },
        y: { field: "lo", ...y, title: "Test accuracy (%)" },
        y2: { field: "hi" },
        color: { datum: series },
      },
    },
    {
      data: { values: points },
      mark: { type: "point", filled: true, size: 70 },
      encoding: {
        x: {
          field: "label",
          type: "nominal",
          sort: null,
          title: "Weight strategy (unique values), by unique values descending",
          axis: { labelAngle: -40, labelLimit: 400, labelOverlap: false, titlePadding: 10 },
        },
        y: { field: "mean", ...y },
        color: { datum: series },
        tooltip: [{ field: "label" }, { field: "mean", format: ".2f" }],
      },
    },
  ];
  if (dense !== null) {
    layers.push(
      ...denseLevel(dense, `dense ${formatPercent(dense.mean)}`, y, "dense: mean over seeds"),
    );
  }
  return {
    ...BASE,
    title: {
      text: `${backbone}: test accuracy by weight strategy`,
      subtitle: [`points and error bars: ${meanTitle}`],
    },
    layer: layers,
    resolve: { scale: { color: "shared" } },
    encoding: { color: { scale: { range: ["#1f77b4", "#7f7f7f"] }, legend: { title: null } } },
  } as TopLevelSpec;
}

/**
 * Fig. 4/5: test accuracy against the storage compression ratio measured from the packed
 * files (without norms): one line per baseline method, PEMN methods as labelled points,
 * dense (0% compression, off the axis) as a labelled horizontal rule.
 */
export function compressionPlot(backbone: string, rows: readonly ResultRow[]): TopLevelSpec | null {
  const measured = (row: ResultRow) =>
    row.accuracy !== null && row.compressionWithoutNorms !== null;
  const baselines = rows.filter((row) => row.family === "pruned" && measured(row));
  const pemn = rows.filter((row) => row.family === "pemn" && measured(row));
  if (baselines.length === 0 && pemn.length === 0) return null;
  const located = (row: ResultRow) => ({
    ...point(row.method, row.accuracy as MeanSd),
    x: 100 * (row.compressionWithoutNorms as number),
    kind: row.family === "pemn" ? PEMN_KIND : BASELINE_KIND,
  });
  const lines = baselines.map(located);
  const pemnPoints = pemn.map(located);
  const dense =
    rows.find((row) => row.family === "dense" && row.accuracy !== null)?.accuracy ?? null;
  const xs = [...lines, ...pemnPoints].map((p) => p.x);
  const xLow = Math.min(...xs);
  const xHigh = Math.max(...xs);
  const span = Math.max(xHigh - xLow, 1);
  // Room on the right for the PEMN labels beside their points.
  const xDomain = [xLow - 0.08 * span, xHigh + 0.35 * span];
  const yDomain = paddedDomain([
    ...[...lines, ...pemnPoints].flatMap((p) => [p.lo, p.hi]),
    ...(dense ? [100 * dense.mean] : []),
  ]);
  const labelGap = (LABEL_GAP_PX * (yDomain[1] - yDomain[0])) / COMPRESSION_INNER_HEIGHT_PX;
  const labelYs = spreadLabels(
    pemnPoints.map((p) => p.mean),
    labelGap,
    yDomain,
  );
  const labels = pemnPoints.map((p, index) => ({ ...p, labelY: labelYs[index] }));
  const x = {
    type: "quantitative",
    scale: { domain: xDomain, nice: false, zero: false },
    title: "Storage compression ratio (%), measured, without norms",
  } as const;
  const y = { type: "quantitative", scale: { domain: yDomain, nice: false, zero: false } } as const;
  const color = { field: "label", type: "nominal", title: "method" } as const;
  const shapes = (
    [
      [BASELINE_KIND, "circle", lines],
      [PEMN_KIND, "diamond", pemnPoints],
    ] as const
  ).filter(([, , points]) => points.length > 0);
  const layers: unknown[] = [
    {
      data: { values: lines },
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "x", ...x },
        y: { field: "mean", ...y, title: "Test accuracy (%)" },
        color,
      },
    },
    {
      data: { values: [...lines, ...pemnPoints] },
      mark: { type: "rule", strokeWidth: 1.5 },
      encoding: { x: { field: "x", ...x }, y: { field: "lo", ...y }, y2: { field: "hi" }, color },
    },
    {
      data: { values: [...lines, ...pemnPoints] },
      mark: { type: "point", filled: true, size: 80, opacity: 1 },
      encoding: {
        x: { field: "x", ...x },
        y: { field: "mean", ...y },
        color,
        shape: shapeByKind(shapes),
      },
    },
    {
      data: { values: labels },
      mark: { type: "text", align: "left", baseline: "middle", dx: 9, fontSize: 11 },
      encoding: {
        x: { field: "x", ...x },
        y: { field: "labelY", ...y },
        text: { field: "label" },
        color,
      },
    },
  ];
  if (dense !== null) {
    const text = `dense (0% compression) ${formatPercent(dense.mean)}`;
    // Left: the PEMN points and their labels sit at the high-compression end.
    layers.push(...denseLevel(dense, text, y, null, "left"));
  }
  return {
    ...BASE,
    title: {
      text: `${backbone}: test accuracy against storage compression`,
      subtitle: [`error bars: ${meanTitle}`],
    },
    layer: layers,
  } as TopLevelSpec;
}

/**
 * Accuracy against file size: each method a line through its networks (one per budget),
 * x the bytes of the smallest packed file (everything included) on a log axis, y test
 * accuracy with ±1 sd bars; PEMN methods drawn as diamonds, baselines as circles.
 */
export function sizePlot(rows: readonly ResultRow[]): TopLevelSpec | null {
  const finished = rows.filter((row) => row.accuracy !== null && row.bytes !== null);
  // A network that learned next to nothing would stretch the axis over the others' differences:
  // it is named in the subtitle instead (the table and the checks have it).
  const measured = finished.filter((row) => !nearChance(row));
  const omitted = finished
    .filter(nearChance)
    .map(
      (row) =>
        `${row.method} ${row.budget ?? row.backbone} (${formatPercent((row.accuracy as MeanSd).mean)})`,
    );
  if (measured.length === 0) return null;
  const points = measured
    .map((row) => ({
      ...point(row.method, row.accuracy as MeanSd),
      bytes: (row.bytes as MeanSd).mean,
      backbone: row.backbone,
      kind: row.family === "pemn" ? "PEMN" : "baseline",
    }))
    .sort((a, b) => a.label.localeCompare(b.label) || a.bytes - b.bytes);
  const byteValues = points.map((p) => p.bytes);
  const low = 0.85 * Math.min(...byteValues);
  const high = 1.15 * Math.max(...byteValues);
  // Ticks at the budgets' scale, powers of two of 1,024 bytes ("16 KB" is 16,384 bytes).
  const ticks = Array.from({ length: 40 }, (_, power) => 2 ** power).filter(
    (bytes) => bytes >= low && bytes <= high,
  );
  const x = {
    field: "bytes",
    type: "quantitative",
    scale: { type: "log", domain: [low, high], nice: false },
    title: "File bytes, everything included (log scale)",
    axis: {
      values: ticks,
      labelExpr:
        "datum.value >= 1024 ? format(datum.value / 1024, '~g') + ' KB' : format(datum.value, '~g') + ' B'",
    },
  } as const;
  const y = {
    type: "quantitative",
    scale: { domain: paddedDomain(points.flatMap((p) => [p.lo, p.hi])), nice: false, zero: false },
  } as const;
  const color = { field: "label", type: "nominal", title: "method" } as const;
  const shapes = (
    [
      ["PEMN", "diamond"],
      ["baseline", "circle"],
    ] as const
  ).filter(([kind]) => points.some((p) => p.kind === kind));
  const layers: unknown[] = [
    {
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x,
        y: { field: "mean", ...y, title: "Test accuracy (%)" },
        color,
        order: { field: "bytes" },
      },
    },
    {
      mark: { type: "rule", strokeWidth: 1.5 },
      encoding: { x, y: { field: "lo", ...y }, y2: { field: "hi" }, color },
    },
    {
      mark: { type: "point", filled: true, size: 80, opacity: 1 },
      encoding: {
        x,
        y: { field: "mean", ...y },
        color,
        shape: shapeByKind(shapes),
        tooltip: [
          { field: "label", title: "method" },
          { field: "backbone" },
          { field: "bytes", format: ",.0f" },
          { field: "mean", format: ".2f", title: "accuracy (%)" },
        ],
      },
    },
  ];
  return {
    ...BASE,
    title: {
      text: "Test accuracy against file size",
      subtitle: [
        `error bars: ${meanTitle}`,
        ...(omitted.length === 0 ? [] : [`not drawn, near chance: ${omitted.join(", ")}`]),
      ],
    },
    data: { values: points },
    layer: layers,
  } as TopLevelSpec;
}

/** The point shape of each kind; only the kinds present, so the legend names nothing the plot lacks. */
function shapeByKind(shapes: readonly (readonly [string, string, ...unknown[]])[]) {
  return {
    field: "kind",
    type: "nominal",
    title: "kind",
    scale: { domain: shapes.map(([kind]) => kind), range: shapes.map(([, shape]) => shape) },
  } as const;
}

/**
 * The dense level: a dashed rule across the plot, labelled at one end, away from the
 * points' labels. With `legend`, the rule also gets a legend entry of that name.
 */
function denseLevel(
  dense: MeanSd,
  text: string,
  y: object,
  legend: string | null,
  end: "left" | "right" = "right",
): unknown[] {
  const level = { values: [{ y: 100 * dense.mean, text }] };
  return [
    {
      data: level,
      mark: { type: "rule", strokeDash: [6, 4], strokeWidth: 1.5, color: "#7f7f7f" },
      encoding: {
        y: { field: "y", ...y },
        ...(legend === null ? {} : { color: { datum: legend } }),
      },
    },
    {
      data: level,
      mark: {
        type: "text",
        align: end,
        baseline: "bottom",
        dx: end === "right" ? -4 : 4,
        dy: -3,
        fontSize: 11,
        color: "#444",
      },
      encoding: {
        x: { value: end === "right" ? "width" : 0 },
        y: { field: "y", ...y },
        text: { field: "text" },
      },
    },
  ];
}

/** [min, max] of the values with 12% padding each side (1 point when they are all equal). */
function paddedDomain(values: readonly number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = high > low ? 0.12 * (high - low) : 1;
  return [low - pad, high + pad];
}

/**
 * Label positions near `values` at least `gap` apart, inside `domain`: sorted, pushed up
 * past their lower neighbour, then shifted down as one block if the top one left the domain.
 */
export function spreadLabels(
  values: readonly number[],
  gap: number,
  domain: readonly [number, number],
): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const placed: number[] = [];
  for (const [rank, { value }] of order.entries()) {
    placed.push(rank === 0 ? value : Math.max(value, (placed[rank - 1] as number) + gap));
  }
  const overflow = (placed.at(-1) ?? 0) - (domain[1] - gap / 2);
  const shift = Math.max(overflow, 0);
  const result = new Array<number>(values.length);
  order.forEach(({ index }, rank) => {
    result[index] = Math.max(domain[0], (placed[rank] as number) - shift);
  });
  return result;
}
