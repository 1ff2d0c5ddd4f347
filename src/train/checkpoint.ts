import { z } from "zod";
import { crc32 } from "../checksum/crc32.js";
import { parseConfig } from "../config/parse-config.js";
import { isArrayDType, noGrad, type Tensor, tensor, tidy } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { availableMemoryBytes } from "../io/machine-memory.js";
import { readFailureReason, readInputFile } from "../io/read-input-file.js";
import type { Module } from "../nn/index.js";
import {
  type CheckpointContents,
  decodeCheckpoint,
  encodeCheckpoint,
  firstNonFinite,
  type TensorData,
} from "./checkpoint-container.js";
import { CheckpointError } from "./checkpoint-error.js";
import type { Optimizer, OptimizerState } from "./optimizer.js";
import { type OptimizerKind, optimizerKindSchema } from "./optimizer-config.js";
import { type RunState, runStateSchema } from "./run-state.js";

/*
 * A training checkpoint in the container of checkpoint-container.ts. Tensor names:
 *   model/<name>                    every tensor of model.namedState()
 *   optimizer/<parameter>/<slot>    the optimizer's state tensors
 * meta: { run: RunState, optimizer: { kind, parameters: [{ name, steps }] } }
 */
const MODEL_PREFIX = "model/";
const OPTIMIZER_PREFIX = "optimizer/";

const metaSchema = z.strictObject({
  run: runStateSchema,
  optimizer: z.strictObject({
    kind: optimizerKindSchema,
    parameters: z.array(
      z.strictObject({ name: z.string().min(1), steps: z.number().int().min(0) }),
    ),
  }),
});

/** A checkpoint read from disk, before it is applied to a model and optimizer. */
export interface Checkpoint {
  readonly file: string;
  readonly run: RunState;
  /** By the model's own names (namedState()). */
  readonly model: ReadonlyMap<string, TensorData>;
  readonly optimizer: {
    readonly kind: OptimizerKind;
    readonly parameters: readonly {
      readonly name: string;
      readonly steps: number;
      readonly slots: Readonly<Record<string, TensorData>>;
    }[];
  };
}

/** The checkpoint file's bytes for this model, optimizer and run state. */
export function encodeTrainingCheckpoint(
  model: Module,
  optimizer: Optimizer,
  run: RunState,
): Uint8Array[] {
  return encodeCheckpoint(trainingCheckpointContents(model, optimizer, run));
}

/** What a training checkpoint holds, before encoding (train checks it is finite first). */
export function trainingCheckpointContents(
  model: Module,
  optimizer: Optimizer,
  run: RunState,
): CheckpointContents {
  const tensors = new Map<string, TensorData>();
  for (const [name, value] of model.namedState())
    tensors.set(MODEL_PREFIX + name, tensorData(value));
  const state = optimizer.exportState();
  for (const parameter of state.parameters) {
    for (const [slot, value] of Object.entries(parameter.slots)) {
      tensors.set(`${OPTIMIZER_PREFIX}${parameter.name}/${slot}`, tensorData(value));
    }
  }
  const meta = {
    run,
    optimizer: {
      kind: state.kind,
      parameters: state.parameters.map(({ name, steps }) => ({ name, steps })),
    },
  };
  return { meta, tensors };
}

/** Writes a checkpoint atomically (see writeFileAtomic). */
export function writeTrainingCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer,
  run: RunState,
): void {
  writeFileAtomic(path, encodeTrainingCheckpoint(model, optimizer, run));
}

/**
 * Reads and checks a checkpoint file. With `expected` (from the run's state.json) its length
 * and CRC-32 must match too: the file is the one the run committed.
 */
export function readTrainingCheckpoint(
  file: string,
  expected?: { readonly bytes: number; readonly crc32: number },
): Checkpoint {
  let bytes: Buffer;
  try {
    // The file and its decoded copy are both held: at most half the memory available.
    bytes = readInputFile(file, checkpointLimit());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CheckpointError(
      file,
      code === "ENOENT" ? "no such checkpoint" : readFailureReason(error),
    );
  }
  if (expected && (bytes.byteLength !== expected.bytes || crc32(bytes) !== expected.crc32)) {
    throw new CheckpointError(
      file,
      `is not the file state.json committed (${expected.bytes} bytes, CRC-32 ${expected.crc32}; found ${bytes.byteLength} bytes, CRC-32 ${crc32(bytes)}): it was replaced or damaged`,
    );
  }
  return interpret(decodeCheckpoint(bytes, file), file);
}

/** Largest checkpoint read: half the memory available (the bytes, then the tensors' copies). */
function checkpointLimit(): number {
  return Math.floor(availableMemoryBytes() / 2);
}

/**
 * Copies the checkpoint's tensors into `model`, after checking that it holds exactly the
 * model's tensors with the same shapes and dtypes (nothing is changed if any check fails).
 */
export function restoreModel(model: Module, checkpoint: Checkpoint): void {
  const fail = (message: string): never => {
    throw new CheckpointError(checkpoint.file, message);
  };
  const state = model.namedState();
  const names = new Set(state.map(([name]) => name));
  for (const name of checkpoint.model.keys()) {
    if (!names.has(name)) fail(`holds tensor "${name}", which the model does not have`);
  }
  for (const [name, target] of state) {
    const saved = checkpoint.model.get(name);
    if (!saved) fail(`lacks the model's tensor "${name}"`);
    const expected = describe(target.dtype, target.shape);
    const actual = describe((saved as TensorData).dtype, (saved as TensorData).shape);
    if (actual !== expected)
      fail(`tensor "${name}" is ${actual} in the checkpoint, ${expected} in the model`);
  }
  noGrad(() => {
    for (const [name, target] of state) {
      tidy(() => {
        target.copy_(toTensor(checkpoint.model.get(name) as TensorData));
      });
    }
  });
}

/** Loads the checkpoint's optimizer state; a mismatch throws a CheckpointError naming the file. */
export function restoreOptimizer(optimizer: Optimizer, checkpoint: Checkpoint): void {
  tidy(() => {
    const state: OptimizerState = {
      kind: checkpoint.optimizer.kind,
      parameters: checkpoint.optimizer.parameters.map((parameter) => ({
        name: parameter.name,
        steps: parameter.steps,
        slots: Object.fromEntries(
          Object.entries(parameter.slots).map(([slot, data]) => [slot, toTensor(data)]),
        ),
      })),
    };
    try {
      optimizer.importState(state);
    } catch (error) {
      throw new CheckpointError(checkpoint.file, (error as Error).message);
    }
  });
}

function interpret(contents: CheckpointContents, file: string): Checkpoint {
  const meta = parseConfig(
    metaSchema,
    contents.meta,
    "run state",
    (message) => new CheckpointError(file, message),
  );
  const nonFinite = firstNonFinite(contents.tensors);
  if (nonFinite) {
    throw new CheckpointError(
      file,
      `tensor "${nonFinite.name}" holds ${nonFinite.value} at element ${nonFinite.index}: a checkpoint holds finite values only`,
    );
  }
  const model = new Map<string, TensorData>();
  const slots = new Map<string, Record<string, TensorData>>(
    meta.optimizer.parameters.map(({ name }) => [name, {}]),
  );
  for (const [name, data] of contents.tensors) {
    if (name.startsWith(MODEL_PREFIX)) {
      model.set(name.slice(MODEL_PREFIX.length), data);
      continue;
    }
    const separator = name.lastIndexOf("/");
    const owner = slots.get(name.slice(OPTIMIZER_PREFIX.length, separator));
    if (!name.startsWith(OPTIMIZER_PREFIX) || !owner) {
      throw new CheckpointError(
        file,
        `tensor "${name}" belongs to neither the model nor a listed optimizer parameter`,
      );
    }
    owner[name.slice(separator + 1)] = data;
  }
  return {
    file,
    run: meta.run,
    model,
    optimizer: {
      kind: meta.optimizer.kind,
      parameters: meta.optimizer.parameters.map(({ name, steps }) => ({
        name,
        steps,
        slots: slots.get(name) ?? {},
      })),
    },
  };
}

function tensorData(value: Tensor): TensorData {
  const dtype = value.dtype;
  // Model and optimizer state stay float32 under mixed precision; a half tensor here is a bug.
  if (!isArrayDType(dtype)) throw new TypeError(`cannot checkpoint a ${dtype} tensor`);
  return { dtype, shape: value.shape, data: value.toArray() };
}

function toTensor(data: TensorData): Tensor {
  return tensor(data.data, data.shape, data.dtype);
}

function describe(dtype: string, shape: readonly number[]): string {
  return `${dtype} [${shape.join(", ")}]`;
}
