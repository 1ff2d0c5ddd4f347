import type { PemnInspection } from "../../src/artifact/index.js";
import { byteSize, count, percent } from "./dom.js";

interface Segment {
  readonly label: string;
  readonly bytes: number;
  readonly color: string;
}

interface Bar {
  /** Names the bar for tests (`data-bar`). */
  readonly id: "file" | "dense" | "pruned";
  readonly label: string;
  readonly note: string;
  readonly segments: readonly Segment[];
}

/** One color per kind of byte, the same in every bar. */
export const PART_COLORS = {
  framing: "#6c757d",
  header: "#f2b134",
  values: "#ef6f3c",
  masks: "#2a7ab0",
  norms: "#8cc5e3",
  /** Dense and pruned networks' weights, 32 bits each. */
  weights: "#c4455a",
  indices: "#e39aa6",
} as const;

const VALUE_SOURCES: Readonly<Record<PemnInspection["valueMode"], string>> = {
  seed: "values from the seed",
  stored: "values stored",
  mixed: "values from the seed and stored",
  quantized: "values stored as quantized levels and scales",
};

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 760;
const LABEL_WIDTH = 150;
const TOTAL_WIDTH = 90;
const ROW = 54;
const BAR = 22;

/** The file's bytes by part, next to the same network as dense float32 and as a pruned one in the same bits. */
export function sizeBars(inspection: PemnInspection): Bar[] {
  const { parts, pruned, maskedWeights } = inspection;
  const normElements = inspection.normParameters + inspection.normRunningStatistics;
  const { sameAsFile } = pruned;
  return [
    {
      id: "file",
      label: "this .pemn file",
      note: `${count(inspection.keptWeights)} of ${count(maskedWeights)} weights kept, ${VALUE_SOURCES[inspection.valueMode]}`,
      segments: [
        { label: "framing", bytes: parts.framing.bytes, color: PART_COLORS.framing },
        { label: "header", bytes: parts.header.bytes, color: PART_COLORS.header },
        { label: "values", bytes: parts.values.bytes, color: PART_COLORS.values },
        { label: "masks", bytes: parts.masks.bytes, color: PART_COLORS.masks },
        { label: "norms", bytes: parts.norms.bytes, color: PART_COLORS.norms },
      ],
    },
    {
      id: "dense",
      label: "dense float32",
      note: `all ${count(maskedWeights)} weights at 32 bits`,
      segments: [
        { label: "32-bit weights", bytes: 4 * maskedWeights, color: PART_COLORS.weights },
        { label: "norms", bytes: 4 * normElements, color: PART_COLORS.norms },
      ],
    },
    {
      id: "pruned",
      label: "pruned, same size",
      note: `keeps ${count(sameAsFile.keptWeights)} weights (sparsity ${percent(sameAsFile.sparsity)})`,
      segments: [
        { label: "32-bit weights", bytes: sameAsFile.valueBits / 8, color: PART_COLORS.weights },
        {
          label: `indices (${pruned.indexBits}-bit)`,
          bytes: sameAsFile.indexBits / 8,
          color: PART_COLORS.indices,
        },
        { label: "norms", bytes: parts.norms.bytes, color: PART_COLORS.norms },
      ],
    },
  ];
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number>>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Horizontal stacked bars on one linear scale of bytes, with a legend of every segment kind. */
export function sizeChart(inspection: PemnInspection): SVGSVGElement {
  const bars = sizeBars(inspection);
  const totals = bars.map((bar) => bar.segments.reduce((sum, segment) => sum + segment.bytes, 0));
  const largest = Math.max(...totals);
  const scale = (WIDTH - LABEL_WIDTH - TOTAL_WIDTH) / largest;
  const legendTop = bars.length * ROW + 8;
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${legendTop + 24}`,
    role: "img",
    "aria-label": "bytes of this file against dense float32 and a pruned network",
    class: "size-chart",
  });
  bars.forEach((bar, row) => {
    const top = row * ROW;
    root.append(svg("text", { x: 0, y: top + 20, class: "bar-label" }, bar.label));
    root.append(svg("text", { x: LABEL_WIDTH, y: top + 41, class: "bar-note" }, bar.note));
    const group = svg("g", { "data-bar": bar.id });
    let x = LABEL_WIDTH;
    for (const segment of bar.segments) {
      const width = segment.bytes * scale;
      const rect = svg("rect", {
        x,
        y: top + 4,
        width,
        height: BAR,
        fill: segment.color,
        "data-bytes": segment.bytes,
      });
      rect.append(svg("title", {}, `${segment.label}: ${count(segment.bytes)} bytes`));
      group.append(rect);
      x += width;
    }
    root.append(group);
    root.append(
      svg("text", { x: x + 6, y: top + 20, class: "bar-total" }, byteSize(totals[row] as number)),
    );
  });
  const kinds = new Map<string, string>();
  for (const bar of bars)
    for (const segment of bar.segments) kinds.set(segment.label, segment.color);
  let x = LABEL_WIDTH;
  for (const [label, color] of kinds) {
    root.append(svg("rect", { x, y: legendTop, width: 11, height: 11, fill: color }));
    root.append(svg("text", { x: x + 15, y: legendTop + 10, class: "legend" }, label));
    x += 24 + label.length * 6;
  }
  return root;
}
