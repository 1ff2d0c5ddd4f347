import sharp from "sharp";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** PNG pixels per SVG pixel: a plot about 500 px wide becomes a 1000 px image, sharp on any screen. */
export const PNG_SCALE = 2;

export interface RenderedPlot {
  readonly svg: string;
  readonly png: Buffer;
}

/**
 * Draws a vega-lite spec in Node, no browser: vega's headless View gives the SVG, sharp
 * (librsvg, with the system's fonts) rasterises it at PNG_SCALE.
 */
export async function renderPlot(spec: TopLevelSpec): Promise<RenderedPlot> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const png = await sharp(Buffer.from(svg), { density: 72 * PNG_SCALE })
      .png()
      .toBuffer();
    return { svg, png };
  } finally {
    view.finalize();
  }
}
