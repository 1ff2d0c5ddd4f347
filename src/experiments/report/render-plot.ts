import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** PNG pixels per SVG pixel: a plot about 500 px wide becomes a 1000 px image. */
export const PNG_SCALE = 2;

export interface RenderedPlot {
  readonly svg: string;
  readonly png: Buffer;
}

/*
 * Without a canvas, vega guesses 0.8 em per character, half as wide again as DejaVu Sans (the
 * font librsvg finds on these machines): axis titles and legends then sit far from labels
 * sized as if they were much longer. This estimate is closer and still errs wide.
 */
const NARROW = new Set(" .,:;()[]-'|!ijlft1/");
const WIDE = /[A-Z%±mwMW]/;
function estimateTextWidth(
  item: { fontSize?: number; fontWeight?: unknown; text?: unknown },
  text?: unknown,
): number {
  const value = String(text ?? item.text ?? "").trim();
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600 ? 1.1 : 1;
  let ems = 0;
  for (const character of value) {
    ems += NARROW.has(character) ? 0.38 : WIDE.test(character) ? 0.8 : 0.66;
  }
  return ems * size * bold;
}
// vega exports textMetrics (from vega-scenegraph) but its types do not declare it.
(vega as unknown as { textMetrics: { width: typeof estimateTextWidth } }).textMetrics.width =
  estimateTextWidth;

/**
 * Draws a vega-lite spec in Node, no browser: vega's headless View gives the SVG, sharp
 * (librsvg, with the system's fonts) rasterises it at PNG_SCALE.
 */
export async function renderPlot(spec: TopLevelSpec): Promise<RenderedPlot> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    // Loaded when a plot is drawn: its native library is no cost to the other commands.
    const { default: sharp } = await import("sharp");
    const png = await sharp(Buffer.from(svg), { density: 72 * PNG_SCALE })
      .png()
      .toBuffer();
    return { svg, png };
  } finally {
    view.finalize();
  }
}
