import type { Batch } from "../data/index.js";
import { type Tensor, tensor } from "../engine/index.js";

/** A batch's images [N, C, H, W] (float32) and labels [N] (int64) as tensors. */
export function batchTensors(batch: Batch): { images: Tensor; labels: Tensor } {
  return {
    images: tensor(batch.images, batch.shape),
    labels: tensor(batch.labels, [batch.size]),
  };
}

/** How many rows of `logits` [N, classes] have their largest entry at the label. */
export function correctCount(logits: Tensor, labels: Tensor): number {
  return logits.argmax(1).eq(labels).sum().item();
}
