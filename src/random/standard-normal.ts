import type { RandomSource } from "./generator.js";
import { portableLog } from "./portable-log.js";
import { portableSqrt } from "./portable-sqrt.js";

/*
 * Standard normal values by the ziggurat method (Marsaglia & Tsang, "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Software 5(8), 2000) with 256 layers and their
 * constants R and V. Each attempt splits two words much as NumPy's Generator splits 64 bits:
 * 8 bits pick a layer, 1 bit the sign, 52 bits the position. About 99.3% of values cost two
 * words, a multiply and a compare; log is needed only in the wedges and the tail, and sqrt only
 * to build the tables, so the portable versions cost almost nothing here.
 */

const LAYERS = 256;
/** Where the tail starts. */
const ZIGGURAT_TAIL_START = 3.6541528853610088;
/** Area of every layer. */
const ZIGGURAT_LAYER_AREA = 4.92867323399e-3;
/** exp(-R^2 / 2), rounded to nearest float64 (fixed here so that building needs no exp). */
const ZIGGURAT_DENSITY_AT_TAIL_START = 0.0012602859304985975;

const TWO_POW_32 = 2 ** 32;
const TWO_POW_MINUS_52 = 2 ** -52;

/**
 * widths[i] = X_i and heights[i] = Y_i = exp(-X_i^2 / 2) for i = 1..256, built from the top of
 * the tail upwards so that every layer has area V: Y_(i+1) = Y_i + V / X_i and
 * X_(i+1) = sqrt(-2 log Y_(i+1)); the top is closed by X_256 = 0, Y_256 = 1. widths[0] is the
 * base layer's width V / Y_1: its part beyond R stands for the tail.
 */
function buildTables(): { widths: Float64Array; heights: Float64Array } {
  const widths = new Float64Array(LAYERS + 1);
  const heights = new Float64Array(LAYERS + 1);
  widths[0] = ZIGGURAT_LAYER_AREA / ZIGGURAT_DENSITY_AT_TAIL_START;
  widths[1] = ZIGGURAT_TAIL_START;
  heights[1] = ZIGGURAT_DENSITY_AT_TAIL_START;
  for (let i = 1; i < LAYERS - 1; i++) {
    const height = (heights[i] as number) + ZIGGURAT_LAYER_AREA / (widths[i] as number);
    heights[i + 1] = height;
    widths[i + 1] = portableSqrt(-2 * portableLog(height));
  }
  widths[LAYERS] = 0;
  heights[LAYERS] = 1;
  return { widths, heights };
}

const { widths, heights } = buildTables();

/** The layer tables, for tests and for reimplementations to compare against. */
export const ZIGGURAT_WIDTHS: Readonly<Float64Array> = widths;
export const ZIGGURAT_HEIGHTS: Readonly<Float64Array> = heights;

/** Marsaglia's tail method: a value beyond R, minus R. Uniforms are taken as 1 - u in (0, 1]. */
function tailExcess(source: RandomSource): number {
  for (;;) {
    const excess = -portableLog(1 - source.nextFloat()) / ZIGGURAT_TAIL_START;
    const height = -portableLog(1 - source.nextFloat());
    if (height + height > excess * excess) return excess;
  }
}

/** One standard normal value (float64) drawn from `source`. */
export function standardNormal(source: RandomSource): number {
  for (;;) {
    const first = source.nextUint32();
    const second = source.nextUint32();
    const layer = first & 0xff;
    const negative = (first & 0x100) !== 0;
    // 52 bits (20 from the first word, 32 from the second): a uniform in [0, 1), exactly.
    const uniform = ((first >>> 12) * TWO_POW_32 + second) * TWO_POW_MINUS_52;
    const x = uniform * (widths[layer] as number);
    // Inside the next layer's width the point lies under the curve for sure.
    if (x < (widths[layer + 1] as number)) return negative ? -x : x;
    if (layer === 0) {
      const value = ZIGGURAT_TAIL_START + tailExcess(source);
      return negative ? -value : value;
    }
    const floor = heights[layer] as number;
    const y = floor + source.nextFloat() * ((heights[layer + 1] as number) - floor);
    // y < exp(-x^2 / 2), tested through log so that no portable exp is needed.
    if (-2 * portableLog(y) > x * x) return negative ? -x : x;
  }
}
