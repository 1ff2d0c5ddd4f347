import type { Batch } from "../data/index.js";
import { type MemoryFormat, type Tensor, tensor } from "../engine/index.js";

/**
 * A batch's images [N, C, H, W] (float32, in the layout the model asks for) and labels [N]
 * (int64) as tensors.
 */
export function batchTensors(
  batch: Batch,
  format: MemoryFormat = "contiguous",
): { images: Tensor; labels: Tensor } {
  const images = tensor(batch.images, batch.shape);
  return {
    images: format === "contiguous" ? images : images.contiguous(format),
    labels: tensor(batch.labels, [batch.size]),
  };
}

/** How many rows of `logits` [N, classes] have their largest entry at the label. */
export function correctCount(logits: Tensor, labels: Tensor): number {
  return logits.argmax(1).eq(labels).sum().item();
}
