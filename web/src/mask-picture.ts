import type { LayerMask } from "./protocol.js";

const KEPT = [42, 122, 176] as const;
const DROPPED = [234, 239, 244] as const;
/** The picture's largest side in canvas pixels before CSS scaling. */
const MAX_SIDE = 480;

/**
 * Draws a layer's mask on `canvas`, one square per weight: rows are output units (channels or
 * features), columns everything else in row-major order (inputs x kernel positions).
 */
export function drawMask(
  canvas: HTMLCanvasElement,
  mask: LayerMask,
): { rows: number; columns: number } {
  const rows = mask.shape[0] as number;
  const columns = mask.kept.length / rows;
  const cell = Math.max(1, Math.floor(Math.min(MAX_SIDE / columns, MAX_SIDE / rows)));
  canvas.width = columns * cell;
  canvas.height = rows * cell;
  const context = canvas.getContext("2d") as CanvasRenderingContext2D;
  const image = context.createImageData(columns, rows);
  for (let i = 0; i < mask.kept.length; i++) {
    const color = mask.kept[i] ? KEPT : DROPPED;
    image.data.set([...color, 255], 4 * i);
  }
  // One pixel per weight, then scaled up without smoothing so each weight stays a crisp square.
  const small = new OffscreenCanvas(columns, rows);
  (small.getContext("2d") as OffscreenCanvasRenderingContext2D).putImageData(image, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
  return { rows, columns };
}
