import { availableParallelism } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { Worker } from "node:worker_threads";
import type { GeneratorSnapshot } from "../random/generator.js";
import type { AugmentationConfig } from "./augment/augmentation-config.js";
import type { Batch, BatchLoader, BatchRecipe, BatchStream } from "./batch-loader.js";
import type { Dataset, Labels } from "./dataset.js";
import { type ChannelStats, DATASET_STATS } from "./normalization.js";

/*
 * Batches made in worker threads (node:worker_threads): a fixed pool, each worker holding the
 * training set's bytes (shared, never copied per batch) and its own image pipeline. The main
 * thread walks the epoch's random stream (BatchLoader.recipes) and hands each batch to the
 * least busy worker with the stream's position at its first draw; workers send the batches
 * back (transferred, not copied) and the stream yields them in order. A batch is the same
 * bytes whichever worker made it, and the same as a main-thread loader's.
 */

/** Most workers a pool starts (each is a V8 heap of some tens of MB). */
export const MAX_DATA_WORKERS = 64;

/** Batches each worker may hold made or in the making ahead of the trainer, by default. */
const DEFAULT_PREFETCH = 2;

/**
 * Workers for a process that may use `cores`: one core left to the trainer, at most 4 (so 0
 * on one core). By default its cores are $PEMN_THREADS where a launcher set it (a sweep's
 * jobs, the local ranks of `--nproc`, each given a share of the machine), else the machine's.
 */
export function defaultDataWorkers(cores = processCores()): number {
  return Math.max(0, Math.min(Math.floor(cores) - 1, 4));
}

function processCores(): number {
  const share = Number(process.env.PEMN_THREADS);
  return Number.isInteger(share) && share > 0 ? share : availableParallelism();
}

export interface BatchWorkerOptions {
  /** Threads, 1 .. MAX_DATA_WORKERS (0 workers is the main-thread BatchLoader itself). */
  readonly workers: number;
  /** The steps of the loaders it serves (a training loader's; [] for evaluation). */
  readonly augmentation: AugmentationConfig;
  /** Defaults to the dataset's constants, as BatchLoader's. */
  readonly stats?: ChannelStats;
  /** Batches ahead per worker (default 2): made, or in the making, before the trainer asks. */
  readonly prefetch?: number;
}

/** A batch of a worker failed, or a worker stopped: the dataset and the batch are named. */
export class DataWorkerError extends Error {
  override readonly name = "DataWorkerError";
}

/** What a worker is started with (workerData). */
export interface WorkerSetup {
  readonly dataset: Omit<Dataset, "images" | "labels">;
  /** Views of SharedArrayBuffers: every worker reads the same memory. */
  readonly images: Uint8Array;
  readonly labels: Labels;
  readonly augmentation: AugmentationConfig;
  readonly stats: ChannelStats;
}

/** One batch to make. */
export interface WorkerTask {
  readonly stream: number;
  readonly batch: number;
  readonly indices: Int32Array;
  readonly globalSize: number;
  readonly random: GeneratorSnapshot | null;
}

export type WorkerReply =
  | { readonly kind: "ready" }
  | {
      readonly kind: "batch";
      readonly stream: number;
      readonly batch: number;
      readonly images: Float32Array;
      readonly labels: BigInt64Array;
      readonly globalSize: number;
    }
  | {
      readonly kind: "failed";
      readonly stream: number;
      readonly batch: number;
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
    };

interface Slot {
  readonly worker: Worker;
  /** From 1, for messages. */
  readonly number: number;
  /** Tasks sent and not answered. */
  pending: number;
}

/**
 * A pool of data worker threads for one dataset and one pipeline. Start it once per
 * training run (`start`), take one `stream(loader)` per epoch, and `close()` it at the end,
 * error or not. A failing batch or a stopped worker fails the waiting stream with a
 * DataWorkerError and terminates the pool; idle workers never keep the process alive.
 */
export class BatchWorkerPool {
  readonly #dataset: Dataset;
  readonly #augmentation: AugmentationConfig;
  readonly #stats: ChannelStats;
  readonly #prefetch: number;
  readonly #slots: Slot[] = [];
  readonly #streams = new Map<number, WorkerStream>();
  #streamIds = 0;
  #rotation = 0;
  #failure: Error | null = null;
  #closing: Promise<void> | null = null;
  #whenStarted: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #readyWorkers = 0;

  private constructor(dataset: Dataset, options: BatchWorkerOptions) {
    this.#dataset = dataset;
    this.#augmentation = options.augmentation;
    this.#stats = options.stats ?? DATASET_STATS[dataset.name];
    this.#prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  }

  /**
   * Starts `options.workers` threads over `dataset` and resolves once all are ready. The
   * dataset's bytes are shared with them: used in place when they already live in a
   * SharedArrayBuffer, else copied into one, once.
   */
  static async start(dataset: Dataset, options: BatchWorkerOptions): Promise<BatchWorkerPool> {
    const { workers, prefetch = DEFAULT_PREFETCH } = options;
    if (!Number.isInteger(workers) || workers < 1 || workers > MAX_DATA_WORKERS) {
      throw new RangeError(
        `data workers must be an integer in [1, ${MAX_DATA_WORKERS}], got ${workers}`,
      );
    }
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new RangeError(`prefetch must be a positive integer, got ${prefetch}`);
    }
    const pool = new BatchWorkerPool(dataset, options);
    const { images, labels, ...shape } = dataset;
    const setup: WorkerSetup = {
      dataset: shape,
      images: inSharedMemory(images),
      labels: inSharedMemory(labels),
      augmentation: pool.#augmentation,
      stats: pool.#stats,
    };
    const started = new Promise<void>((resolve, reject) => {
      pool.#whenStarted = { resolve, reject };
    });
    for (let number = 1; number <= workers; number++) pool.#spawn(setup, number);
    try {
      await started;
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * The batches of one pass of `loader` (a training loader's epoch, say), in order, made by
   * the workers; the loader must be over this pool's dataset with its pipeline. Up to
   * `prefetch` batches per worker are made ahead.
   */
  stream(loader: BatchLoader): BatchStream {
    if (this.#failure !== null) throw this.#failure;
    if (this.#closing !== null) throw new Error("the data workers are closed");
    this.#checkServes(loader);
    const id = this.#streamIds++;
    const stream = new WorkerStream(
      loader.recipes(),
      this.#prefetch * this.#slots.length,
      (recipe) => this.#dispatch(id, recipe),
      () => this.#streams.delete(id),
    );
    this.#streams.set(id, stream);
    stream.fill();
    return stream;
  }

  /** Terminates every worker; batches in the making are dropped. Safe to call twice. */
  close(): Promise<void> {
    if (this.#closing === null) {
      const closed = new DataWorkerError(`the data workers of ${this.#describe()} were closed`);
      for (const stream of this.#streams.values()) stream.fail(closed);
      // Referenced again: an unreferenced worker's exit would not keep the process alive
      // until close() resolves, and an awaited close() that never resolves ends Node (13).
      this.#closing = Promise.all(
        this.#slots.map(({ worker }) => {
          worker.ref();
          return worker.terminate();
        }),
      ).then(() => {});
    }
    return this.#closing;
  }

  #spawn(setup: WorkerSetup, number: number): void {
    const slot: Slot = { worker: startWorker(setup), number, pending: 0 };
    this.#slots.push(slot);
    const { worker } = slot;
    worker.on("message", (reply: WorkerReply) => this.#receive(slot, reply));
    worker.on("error", (error) =>
      this.#fail(
        new DataWorkerError(`${this.#who(slot)} failed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on("exit", (code) =>
      this.#fail(new DataWorkerError(`${this.#who(slot)} stopped (exit code ${code})`)),
    );
  }

  #receive(slot: Slot, reply: WorkerReply): void {
    if (reply.kind === "ready") {
      // Idle: a pool nobody closed cannot keep the process alive.
      if (this.#closing === null) slot.worker.unref();
      this.#readyWorkers += 1;
      if (this.#readyWorkers === this.#slots.length) this.#whenStarted?.resolve();
      return;
    }
    slot.pending -= 1;
    // Not once closing: close() holds every worker referenced until it has stopped.
    if (slot.pending === 0 && this.#closing === null) slot.worker.unref();
    if (reply.kind === "failed") {
      const cause = Object.assign(new Error(reply.message), { name: reply.name });
      if (reply.stack !== undefined) cause.stack = reply.stack;
      this.#fail(
        new DataWorkerError(
          `${this.#who(slot)} failed on batch ${reply.batch + 1}: ${reply.name}: ${reply.message}`,
          { cause },
        ),
      );
      return;
    }
    const { images, labels, globalSize } = reply;
    const { channels, height, width } = this.#dataset;
    const size = labels.length;
    this.#streams.get(reply.stream)?.deliver(reply.batch, {
      images,
      labels,
      size,
      globalSize,
      shape: [size, channels, height, width],
    });
  }

  #dispatch(stream: number, recipe: BatchRecipe): void {
    if (this.#failure !== null) throw this.#failure;
    // The least busy worker; among equals, the next in turn.
    const count = this.#slots.length;
    let chosen = this.#slots[this.#rotation % count] as Slot;
    for (let offset = 1; offset < count; offset++) {
      const slot = this.#slots[(this.#rotation + offset) % count] as Slot;
      if (slot.pending < chosen.pending) chosen = slot;
    }
    this.#rotation = chosen.number % count; // the slot after the chosen one
    if (chosen.pending === 0) chosen.worker.ref(); // busy: the process waits for it
    chosen.pending += 1;
    const task: WorkerTask = { stream, ...recipe };
    chosen.worker.postMessage(task, [recipe.indices.buffer as ArrayBuffer]);
  }

  /** The first failure ends the pool: every waiting stream gets it, every worker stops. */
  #fail(error: Error): void {
    if (this.#failure !== null || this.#closing !== null) return;
    this.#failure = error;
    this.#whenStarted?.reject(error);
    for (const stream of this.#streams.values()) stream.fail(error);
    void this.close();
  }

  #checkServes(loader: BatchLoader): void {
    const { options } = loader;
    const steps = options.mode === "train" ? options.augmentation : [];
    const stats = options.stats ?? DATASET_STATS[loader.dataset.name];
    if (loader.dataset !== this.#dataset) {
      throw new Error(`these data workers hold ${this.#describe()}, not the loader's dataset`);
    }
    if (!isDeepStrictEqual(steps, this.#augmentation) || !isDeepStrictEqual(stats, this.#stats)) {
      throw new Error("these data workers run another augmentation or normalisation");
    }
  }

  #describe(): string {
    return `${this.#dataset.name} (${this.#dataset.count} images)`;
  }

  #who(slot: Slot): string {
    return `data worker ${slot.number}/${this.#slots.length} of ${this.#describe()}`;
  }
}

/** A pass whose batches come from the pool, handed out in order. */
class WorkerStream implements BatchStream {
  readonly #recipes: Iterator<BatchRecipe>;
  readonly #ahead: number;
  readonly #dispatch: (recipe: BatchRecipe) => void;
  readonly #onClose: () => void;
  readonly #made = new Map<number, Batch>();
  #next = 0;
  #dispatched = 0;
  #exhausted = false;
  #closed = false;
  #failure: Error | null = null;
  #waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;

  constructor(
    recipes: Iterator<BatchRecipe>,
    ahead: number,
    dispatch: (recipe: BatchRecipe) => void,
    onClose: () => void,
  ) {
    this.#recipes = recipes;
    this.#ahead = ahead;
    this.#dispatch = dispatch;
    this.#onClose = onClose;
  }

  ready(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#available()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  take(): Batch | null {
    if (this.#failure !== null) throw this.#failure;
    if (this.#finished()) return null;
    const batch = this.#made.get(this.#next);
    if (batch === undefined) throw new Error("take() before ready() resolved");
    this.#made.delete(this.#next);
    this.#next += 1;
    this.fill();
    return batch;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#made.clear();
    this.#onClose();
  }

  /** Sends recipes until `ahead` batches are made or in the making. */
  fill(): void {
    while (!this.#exhausted && !this.#closed && this.#dispatched - this.#next < this.#ahead) {
      const recipe = this.#recipes.next();
      if (recipe.done) {
        this.#exhausted = true;
        break;
      }
      this.#dispatch(recipe.value);
      this.#dispatched += 1;
    }
    if (this.#available()) this.#wake();
  }

  deliver(index: number, batch: Batch): void {
    if (this.#closed) return;
    this.#made.set(index, batch);
    if (this.#available()) this.#wake();
  }

  fail(error: Error): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(this.#failure);
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.resolve();
  }

  #finished(): boolean {
    return this.#exhausted && this.#next === this.#dispatched;
  }

  #available(): boolean {
    return this.#finished() || this.#made.has(this.#next);
  }
}

/** `array` in shared memory: itself when it is already there, else a copy. */
function inSharedMemory<T extends Uint8Array | Uint16Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const shared = new Type(new SharedArrayBuffer(array.byteLength));
  shared.set(array);
  return shared;
}

/**
 * A worker running batch-worker: the compiled .js of an installed package, or, in a checkout
 * run through tsx (whose hooks do not reach a worker's imports), the .ts source after the
 * worker registers tsx itself.
 */
function startWorker(setup: WorkerSetup): Worker {
  const source = import.meta.url.endsWith(".ts");
  const entry = new URL(source ? "./batch-worker.ts" : "./batch-worker.js", import.meta.url);
  if (!source) return new Worker(entry, { workerData: setup });
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const code = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData: setup });
}
