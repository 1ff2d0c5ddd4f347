import { type DType, dtypeOfArray, type EngineTypedArray } from "./dtype.js";
import { EngineArgumentError } from "./errors.js";
import { native } from "./native.js";
import { type Tensor, wrap } from "./tensor.js";

/**
 * A tensor holding a copy of `data` with the given shape, on the CPU. The dtype follows the
 * array (Uint8Array gives uint8; pass "bool" to read it as booleans). `pinned` puts it in
 * page-locked memory, from which `toDevice(..., { nonBlocking: true })` copies asynchronously.
 */
export function tensor(
  data: EngineTypedArray | readonly number[],
  shape?: readonly number[],
  dtype?: DType,
  options: { pinned?: boolean } = {},
): Tensor {
  const array = Array.isArray(data)
    ? Float32Array.from(data as number[])
    : (data as EngineTypedArray);
  const resolvedShape = shape ? [...shape] : [array.length];
  return wrap(
    native().fromArray(array, resolvedShape, dtype ?? dtypeOfArray(array), options.pinned ?? false),
  );
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return wrap(native().zeros([...shape], dtype));
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return wrap(native().ones([...shape], dtype));
}

export function full(
  shape: readonly number[],
  value: number | boolean,
  dtype: DType = "float32",
): Tensor {
  return wrap(native().full([...shape], value, dtype));
}

/** start, start + step, ... up to (not including) end. */
export function arange(start: number, end: number, step = 1, dtype: DType = "float32"): Tensor {
  if (step === 0) throw new EngineArgumentError("step must not be 0", "arange");
  return wrap(native().arange(start, end, step, dtype));
}

/** Uniform [0, 1) values from libtorch's generator (seed it with manualSeed). */
export function rand(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return wrap(native().rand([...shape], dtype));
}

/** Standard normal values from libtorch's generator (seed it with manualSeed). */
export function randn(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return wrap(native().randn([...shape], dtype));
}

/** Integers in [low, high) as int64. */
export function randint(low: number, high: number, shape: readonly number[]): Tensor {
  return wrap(native().randint(low, high, [...shape]));
}

/** A random permutation of 0..n-1 as int64. */
export function randperm(n: number): Tensor {
  return wrap(native().randperm(n));
}

export function zerosLike(like: Tensor): Tensor {
  return wrap(native().zerosLike(like.handle));
}

export function onesLike(like: Tensor): Tensor {
  return wrap(native().onesLike(like.handle));
}

export function fullLike(like: Tensor, value: number | boolean): Tensor {
  return wrap(native().fullLike(like.handle, value));
}

/** Joins tensors along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    native().cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

/** Joins tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(
    native().stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

/** Picks from `a` where `condition` holds, else from `b`. */
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  return wrap(native().where(condition.handle, a.handle, b.handle));
}
