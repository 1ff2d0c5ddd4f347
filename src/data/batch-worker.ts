/*
 * A data worker thread (started by batch-workers.ts): holds the dataset's shared bytes and
 * one image pipeline, and turns batch recipes into batches, one at a time, in the order they
 * come. The batch's arrays are transferred back, not copied.
 *
 * Test hook: with PEMN_DATA_WORKER_FAULT=<n>, a worker fails batch n (from 1) of every
 * epoch as an error in the data would, so tests can watch the error reach the trainer.
 */
import { parentPort, workerData } from "node:worker_threads";
import { generatorAt } from "../random/generator.js";
import { ImagePipeline } from "./augment/image-pipeline.js";
import { assembleBatch, NO_RANDOMNESS } from "./batch-loader.js";
import type { WorkerReply, WorkerSetup, WorkerTask } from "./batch-workers.js";
import type { Dataset } from "./dataset.js";

const port = parentPort;
if (port === null) throw new Error("batch-worker.ts runs as a worker thread (batch-workers.ts)");

const setup = workerData as WorkerSetup;
const dataset: Dataset = { ...setup.dataset, images: setup.images, labels: setup.labels };
const pipeline = new ImagePipeline(setup.augmentation, dataset, setup.stats);
const faultAt = Number(process.env.PEMN_DATA_WORKER_FAULT ?? 0);

port.on("message", (task: WorkerTask) => {
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  try {
    if (task.batch + 1 === faultAt) {
      throw new Error(`fault injected at batch ${faultAt} (PEMN_DATA_WORKER_FAULT)`);
    }
    const random = task.random === null ? NO_RANDOMNESS : generatorAt(task.random);
    const batch = assembleBatch(dataset, pipeline, task.indices, task.globalSize, random);
    reply(
      {
        kind: "batch",
        stream: task.stream,
        batch: task.batch,
        images: batch.images,
        labels: batch.labels,
        globalSize: batch.globalSize,
      },
      [batch.images.buffer as ArrayBuffer, batch.labels.buffer as ArrayBuffer],
    );
  } catch (error) {
    const { name, message, stack } =
      error instanceof Error ? error : { name: "Error", message: String(error), stack: undefined };
    reply({ kind: "failed", stream: task.stream, batch: task.batch, name, message, stack });
  }
});
port.postMessage({ kind: "ready" } satisfies WorkerReply);
