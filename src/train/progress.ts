import { SingleBar } from "cli-progress";
import { formatPercent } from "../text/percent.js";
import type { EpochMetrics } from "./epoch-metrics.js";

/**
 * "bar": a live bar on stderr plus a line per epoch; "lines": the line per epoch only;
 * "none": silent; "auto": bar when stderr is a terminal, lines otherwise (logs stay readable).
 */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

export interface StepProgress {
  readonly batch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
  /** Estimated seconds until the run's last step. */
  readonly etaSeconds: number;
}

/** Called with the images evaluated so far, then once more with done = true. */
export type EvaluationProgress = (images: number, done?: boolean) => void;

export interface ProgressReporter {
  startEpoch(epoch: number, batches: number): void;
  step(progress: StepProgress): void;
  endEpoch(record: EpochMetrics): void;
  /** A pass over a split ("validation", "test") of `images` images. */
  evaluation(split: string, images: number): EvaluationProgress;
  stop(): void;
}

const silent: EvaluationProgress = () => {};

export function createProgress(mode: ProgressMode, epochs: number): ProgressReporter {
  const resolved = mode === "auto" ? (process.stderr.isTTY ? "bar" : "lines") : mode;
  switch (resolved) {
    case "none":
      return { startEpoch() {}, step() {}, endEpoch() {}, evaluation: () => silent, stop() {} };
    case "lines":
      return {
        startEpoch() {},
        step() {},
        endEpoch: (record) => process.stderr.write(`${epochLine(record, epochs)}\n`),
        evaluation: () => silent,
        stop() {},
      };
    case "bar":
      return barProgress(epochs);
  }
}

function barProgress(epochs: number): ProgressReporter {
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      "epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} acc {accuracy} | {speed} img/s | ETA {remaining}",
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
  });
  let active = false;
  return {
    startEpoch(epoch, batches) {
      bar.start(batches, 0, {
        epoch,
        epochs,
        loss: "-",
        accuracy: "-",
        speed: "-",
        remaining: "-",
      });
      active = true;
    },
    step(progress) {
      bar.update(progress.batch, {
        loss: progress.loss.toFixed(4),
        accuracy: formatPercent(progress.accuracy),
        speed: Math.round(progress.imagesPerSecond),
        remaining: formatDuration(progress.etaSeconds),
      });
    },
    endEpoch(record) {
      bar.stop();
      active = false;
      process.stderr.write(`${epochLine(record, epochs)}\n`);
    },
    evaluation: (split, images) => evaluationBar(split, images),
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}

/**
 * A bar over an evaluation pass on stderr (a terminal only: logs get the epoch's line), so
 * that a long validation or `pemn eval` is not silent.
 */
export function evaluationBar(split: string, images: number): EvaluationProgress {
  if (!process.stderr.isTTY) return silent;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${split} {bar} {value}/{total} images | ETA {eta_formatted}`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(images, 0);
  return (done, finished = false) => {
    bar.update(done);
    if (finished) bar.stop();
  };
}

/** A learning rate, always in one format (toPrecision switched between 0.0005000 and 1.000e-5). */
export function formatLearningRate(lr: number): string {
  return lr.toExponential(2);
}

/** The one-line summary of an epoch. */
export function epochLine(record: EpochMetrics, epochs: number): string {
  const test =
    record.test_accuracy === undefined
      ? ""
      : ` | test loss ${record.test_loss?.toFixed(4)} acc ${formatPercent(record.test_accuracy)}`;
  return (
    `epoch ${record.epoch}/${epochs} | lr ${formatLearningRate(record.lr)}` +
    ` | train loss ${record.train_loss.toFixed(4)} acc ${formatPercent(record.train_accuracy)}` +
    (record.val_loss === null || record.val_accuracy === null
      ? ` | no validation${test}`
      : ` | val loss ${record.val_loss.toFixed(4)} acc ${formatPercent(record.val_accuracy)}${test}`) +
    ` | ${Math.round(record.img_per_s)} img/s | ${record.seconds.toFixed(1)} s${ranksPart(record)}`
  );
}

/** " | 2 ranks, 1.2 MB all-reduced/step" for data-parallel runs. */
function ranksPart(record: EpochMetrics): string {
  if (record.world_size === undefined) return "";
  const megabytes = (record.all_reduced_bytes_per_step ?? 0) / 1e6;
  return ` | ${record.world_size} ranks, ${megabytes.toPrecision(3)} MB all-reduced/step`;
}

/** 42s, 3m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const total = Math.round(seconds);
  const pad = (value: number) => String(value).padStart(2, "0");
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${pad(total % 60)}s`;
  return `${Math.floor(total / 3600)}h${pad(Math.floor((total % 3600) / 60))}m`;
}
