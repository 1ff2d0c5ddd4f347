import type { Batch } from "../data/index.js";
import { type MemoryFormat, stack, type Tensor, tensor } from "../engine/index.js";

/**
 * A batch's images [N, C, H, W] (float32, in the layout the model asks for) and labels [N]
 * (int64) as tensors on `device`. For a GPU they are written into pinned host memory and
 * copied without waiting, so the copy overlaps whatever the device is still computing.
 */
export function batchTensors(
  batch: Batch,
  format: MemoryFormat = "contiguous",
  device = "cpu",
): { images: Tensor; labels: Tensor } {
  const onHost = device === "cpu";
  const upload = (host: Tensor) => (onHost ? host : host.toDevice(device, { nonBlocking: true }));
  const images = upload(tensor(batch.images, batch.shape, "float32", { pinned: !onHost }));
  return {
    images: format === "contiguous" ? images : images.contiguous(format),
    labels: upload(tensor(batch.labels, [batch.size], "int64", { pinned: !onHost })),
  };
}

/** How many rows of `logits` [N, classes] have their largest entry at the label (int64 [], on the device). */
export function correctCount(logits: Tensor, labels: Tensor): Tensor {
  return logits.argmax(1).eq(labels).sum();
}

/**
 * Reads scalars the step computed on the device in one transfer (one wait for the device
 * per step, however many figures): each as float64.
 */
export function readScalars(scalars: readonly Tensor[]): number[] {
  return Array.from(
    stack(scalars.map((scalar) => scalar.detach().to("float64").reshape(1))).toArray<"float64">(),
  );
}
