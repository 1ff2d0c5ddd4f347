import { type ModelName, modelLayout } from "../models/pure.js";
import type { RunConfig } from "../run/run-config.js";
import { trainsValues } from "../weights/index.js";
import { canonicalJson } from "./run-id.js";
import type { SweepRecord } from "./sweep-record.js";

/*
 * A rough time model of a run, for `--dry-run`, `--list` and the remaining time: training
 * images x epochs at a per-backbone speed, evaluations at EVAL_SPEEDUP times that, and a
 * fixed cost per child process. Speeds are multiply-accumulates per second of one thread;
 * a run with t threads is taken to go t times as fast (about right on 2 cores).
 */

/**
 * Training speed per thread, in forward MACs per image x images per second. Measured on the
 * 2-core machine of the 2026-12 session (Fashion-MNIST, batch 128, PEMN_THREADS=1, 1,024
 * images, other work running): ConvMixer-128/4 p4 (3.9 M MACs) 685 img/s; ViT-64/4 p4
 * (7.7 M) 448 img/s MP, 323 dense; ResNet-20 (32.6 M) 297-351 img/s; ResNet-32 (54.3 M)
 * 169-203 img/s. Depthwise convs are slow, so each family has its own rate.
 */
const MACS_PER_SECOND: Readonly<Partial<Record<ModelName, number>>> = {
  convmixer: 2.6e9,
  vit: 2.5e9,
  resnet: 9.5e9,
  mlp: 2e9,
};
/** A backbone not measured yet: a dense conv net's rate, between ResNet's and ConvMixer's. */
const DEFAULT_MACS_PER_SECOND = 5e9;
/** Evaluation (forward only, no masks to sort) against training, measured likewise (4-7x). */
const EVAL_SPEEDUP = 4;
/** Start-up of one `pemn` child (Node, tsx, libtorch, the dataset, the model): about 2-3 s. */
const PROCESS_SECONDS = 2.5;

const DATASET_IMAGES = {
  "fashion-mnist": { train: 60000, test: 10000 },
  mnist: { train: 60000, test: 10000 },
  cifar10: { train: 50000, test: 10000 },
  cifar100: { train: 50000, test: 10000 },
  "tiny-imagenet": { train: 100000, test: 10000 },
  /** Unknown without listing the folder: an estimate of a small one. */
  folder: { train: 10000, test: 2000 },
} as const;

/** Measured training speeds per thread of finished runs, by backbone and dataset. */
export type MeasuredSpeeds = ReadonlyMap<string, number>;

const speedKey = (config: RunConfig) => `${config.data.source.name} ${canonicalJson(config.model)}`;

export function measuredSpeeds(records: readonly SweepRecord[]): MeasuredSpeeds {
  const samples = new Map<string, number[]>();
  for (const record of records) {
    if (record.status !== "ok" || record.summary.train_img_per_s === null) continue;
    const key = speedKey(record.config as unknown as RunConfig);
    const perThread = record.summary.train_img_per_s / record.environment.threads;
    samples.set(key, [...(samples.get(key) ?? []), perThread]);
  }
  return new Map(
    [...samples].map(([key, speeds]) => [key, speeds.reduce((a, b) => a + b) / speeds.length]),
  );
}

/** Estimated seconds of one run with `threads` threads, pack and inspect included. */
export function estimateRunSeconds(
  config: RunConfig,
  threads: number,
  measured: MeasuredSpeeds = new Map(),
): number {
  const images = DATASET_IMAGES[config.data.source.name];
  const size = config.data.validation.size;
  const validation = "count" in size ? size.count : Math.round(size.fraction * images.train);
  const training = config.data.trainLimit ?? images.train - validation;
  const speed =
    measured.get(speedKey(config)) ??
    (MACS_PER_SECOND[config.model.name] ?? DEFAULT_MACS_PER_SECOND) /
      modelLayout(config.model).forwardMacs;
  const epochs = config.train.epochs;
  const evaluated = epochs > 0 ? epochs * validation + images.test : 0;
  const processes = trainsValues(config.strategy.kind) ? 2 : 3;
  return (
    (epochs * training + evaluated / EVAL_SPEEDUP) / (speed * threads) + processes * PROCESS_SECONDS
  );
}

/** "1 h 05 min", "12 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
