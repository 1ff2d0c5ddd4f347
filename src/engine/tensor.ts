import type { DType, HalfDType, TypedArrayOf } from "./dtype.js";
import { TensorDisposedError } from "./errors.js";
import { type BinaryOp, type MemoryFormat, type NativeTensor, native } from "./native.js";
import { type Disposable, track } from "./scope.js";

/** A tensor's other operand: another tensor or a number (broadcast as a scalar). */
export type Operand = Tensor | number;

/** Values and their indices, as returned by max/min along a dim, topk, kthvalue and sort. */
export interface ValuesAndIndices {
  values: Tensor;
  indices: Tensor;
}

// A tensor the program dropped without dispose() is freed when collected (a backstop:
// collection time is unknown, so scopes and dispose() are the way to manage memory).
const backstop = new FinalizationRegistry<NativeTensor>((handle) => native().dispose(handle));

function binary(op: BinaryOp, a: Tensor, b: Operand): Tensor {
  const binding = native();
  return wrap(
    typeof b === "number" ? binding[`${op}Scalar`](a.handle, b) : binding[op](a.handle, b.handle),
  );
}

/**
 * A libtorch tensor. Every operation returns a new tensor (except the `_`-suffixed
 * in-place ones, which return `this`). Free memory with `dispose()` or `tidy()`.
 */
export class Tensor implements Disposable {
  #handle: NativeTensor | null;
  #shape: readonly number[] | undefined;

  /** Wraps a handle the addon returned. Engine-internal: users create tensors with creation functions. */
  static fromHandle(handle: NativeTensor): Tensor {
    return new Tensor(handle);
  }

  private constructor(handle: NativeTensor) {
    this.#handle = handle;
    backstop.register(this, handle, this);
    track(this);
  }

  /** The native handle; throws TensorDisposedError once the tensor is disposed. */
  get handle(): NativeTensor {
    if (this.#handle === null)
      throw new TensorDisposedError("tensor used after dispose()", "handle");
    return this.#handle;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  /** No scope frees it any more: its host memory now counts for V8's collector (see scope.ts). */
  unowned(): void {
    if (this.#handle !== null) native().reportExternal(this.#handle);
  }

  /** Frees libtorch's memory now (views keep their storage alive until they go too). */
  dispose(): void {
    if (this.#handle === null) return;
    native().dispose(this.#handle);
    backstop.unregister(this);
    this.#handle = null;
  }

  get shape(): readonly number[] {
    this.#shape ??= Object.freeze(native().shape(this.handle));
    return this.#shape;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((product, length) => product * length, 1);
  }

  get dtype(): DType | HalfDType {
    return native().dtype(this.handle);
  }

  get device(): string {
    return native().device(this.handle);
  }

  toString(): string {
    return this.isDisposed
      ? "Tensor(disposed)"
      : `Tensor(${this.dtype}, [${this.shape.join(", ")}])`;
  }

  // --- Conversion -------------------------------------------------------------------------

  /** A copy of the elements in row-major order, as the dtype's typed array. */
  toArray<D extends DType = DType>(): TypedArrayOf[D] {
    return native().toArray(this.handle) as TypedArrayOf[D];
  }

  /** The elements converted to float32 (any dtype). */
  toFloat32Array(): Float32Array {
    if (this.dtype === "float32") return this.toArray<"float32">();
    const converted = native().toDtype(this.handle, "float32");
    try {
      return native().toArray(converted) as Float32Array;
    } finally {
      native().dispose(converted);
    }
  }

  /** The value of a one-element tensor. */
  item(): number {
    return native().item(this.handle);
  }

  // --- Copies ----------------------------------------------------------------------------

  clone(): Tensor {
    return wrap(native().clone(this.handle));
  }

  contiguous(format: MemoryFormat = "contiguous"): Tensor {
    return wrap(native().contiguous(this.handle, format));
  }

  isContiguous(format: MemoryFormat = "contiguous"): boolean {
    return native().isContiguous(this.handle, format);
  }

  to(dtype: DType | HalfDType): Tensor {
    return wrap(native().toDtype(this.handle, dtype));
  }

  /**
   * A copy on `device` ("cpu", "cuda:0"; the tensor itself when already there). With
   * `nonBlocking`, a copy from pinned memory is queued and returns at once.
   */
  toDevice(device: string, options: { nonBlocking?: boolean } = {}): Tensor {
    return wrap(native().toDevice(this.handle, device, options.nonBlocking ?? false));
  }

  /** Whether the tensor lives in page-locked host memory. */
  get isPinned(): boolean {
    return native().isPinned(this.handle);
  }

  /**
   * Makes this tensor use `source`'s data (shape, dtype and device included), as PyTorch's
   * `param.data = source`: handles to it stay valid. Returns this.
   */
  setData_(source: Tensor): this {
    native().setData(this.handle, source.handle);
    this.#shape = undefined;
    return this;
  }

  // --- Shape -----------------------------------------------------------------------------

  reshape(...shape: number[]): Tensor {
    return wrap(native().reshape(this.handle, shape));
  }

  permute(...dims: number[]): Tensor {
    return wrap(native().permute(this.handle, dims));
  }

  transpose(dim0: number, dim1: number): Tensor {
    return wrap(native().transpose(this.handle, dim0, dim1));
  }

  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(native().flatten(this.handle, startDim, endDim));
  }

  /** Elements start..end (exclusive) along `dim`, every `step`-th. */
  slice(dim: number, start: number, end: number, step = 1): Tensor {
    return wrap(native().slice(this.handle, dim, start, end, step));
  }

  /** The sub-tensor at `index` along `dim` (that dim removed). */
  select(dim: number, index: number): Tensor {
    return wrap(native().select(this.handle, dim, index));
  }

  unsqueeze(dim: number): Tensor {
    return wrap(native().unsqueeze(this.handle, dim));
  }

  squeeze(dim?: number): Tensor {
    return wrap(native().squeeze(this.handle, dim));
  }

  expand(...shape: number[]): Tensor {
    return wrap(native().expand(this.handle, shape));
  }

  repeat(...repeats: number[]): Tensor {
    return wrap(native().repeat(this.handle, repeats));
  }

  flip(...dims: number[]): Tensor {
    return wrap(native().flip(this.handle, dims));
  }

  /** Constant padding; `pads` lists (before, after) pairs starting from the last dim, as in PyTorch. */
  pad(pads: number[], value = 0): Tensor {
    return wrap(native().constantPad(this.handle, pads, value));
  }

  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native().indexSelect(this.handle, dim, index.handle));
  }

  gather(dim: number, index: Tensor): Tensor {
    return wrap(native().gather(this.handle, dim, index.handle));
  }

  /** A copy with `source` (tensor or number) written at `index` along `dim`. */
  scatter(dim: number, index: Tensor, source: Operand): Tensor {
    return wrap(
      typeof source === "number"
        ? native().scatterScalar(this.handle, dim, index.handle, source)
        : native().scatter(this.handle, dim, index.handle, source.handle),
    );
  }

  // --- Elementwise -----------------------------------------------------------------------

  add(other: Operand): Tensor {
    return binary("add", this, other);
  }

  sub(other: Operand): Tensor {
    return binary("sub", this, other);
  }

  mul(other: Operand): Tensor {
    return binary("mul", this, other);
  }

  div(other: Operand): Tensor {
    return binary("div", this, other);
  }

  pow(exponent: Operand): Tensor {
    return binary("pow", this, exponent);
  }

  maximum(other: Operand): Tensor {
    return binary("maximum", this, other);
  }

  minimum(other: Operand): Tensor {
    return binary("minimum", this, other);
  }

  clamp(low: number | null, high: number | null = null): Tensor {
    return wrap(native().clamp(this.handle, low, high));
  }

  neg(): Tensor {
    return wrap(native().neg(this.handle));
  }

  abs(): Tensor {
    return wrap(native().abs(this.handle));
  }

  sign(): Tensor {
    return wrap(native().sign(this.handle));
  }

  exp(): Tensor {
    return wrap(native().exp(this.handle));
  }

  log(): Tensor {
    return wrap(native().log(this.handle));
  }

  sqrt(): Tensor {
    return wrap(native().sqrt(this.handle));
  }

  rsqrt(): Tensor {
    return wrap(native().rsqrt(this.handle));
  }

  square(): Tensor {
    return wrap(native().square(this.handle));
  }

  reciprocal(): Tensor {
    return wrap(native().reciprocal(this.handle));
  }

  sigmoid(): Tensor {
    return wrap(native().sigmoid(this.handle));
  }

  tanh(): Tensor {
    return wrap(native().tanh(this.handle));
  }

  floor(): Tensor {
    return wrap(native().floor(this.handle));
  }

  round(): Tensor {
    return wrap(native().round(this.handle));
  }

  logicalNot(): Tensor {
    return wrap(native().logicalNot(this.handle));
  }

  // --- Comparisons (bool tensors) ----------------------------------------------------------

  eq(other: Operand): Tensor {
    return binary("eq", this, other);
  }

  ne(other: Operand): Tensor {
    return binary("ne", this, other);
  }

  lt(other: Operand): Tensor {
    return binary("lt", this, other);
  }

  le(other: Operand): Tensor {
    return binary("le", this, other);
  }

  gt(other: Operand): Tensor {
    return binary("gt", this, other);
  }

  ge(other: Operand): Tensor {
    return binary("ge", this, other);
  }

  // --- Reductions and selection -----------------------------------------------------------

  /** Sum of all elements, or over `dims`. */
  sum(dims?: number[], keepDim = false): Tensor {
    return wrap(dims ? native().sum(this.handle, dims, keepDim) : native().sum(this.handle));
  }

  mean(dims?: number[], keepDim = false): Tensor {
    return wrap(dims ? native().mean(this.handle, dims, keepDim) : native().mean(this.handle));
  }

  /** Variance over `dims` (unbiased by default, as PyTorch). */
  variance(dims: number[], { unbiased = true, keepDim = false } = {}): Tensor {
    return wrap(native().variance(this.handle, dims, unbiased, keepDim));
  }

  /** Largest element of the whole tensor. */
  max(): Tensor {
    return wrap(native().max(this.handle));
  }

  min(): Tensor {
    return wrap(native().min(this.handle));
  }

  maxAlong(dim: number, keepDim = false): ValuesAndIndices {
    return pair(native().max(this.handle, dim, keepDim));
  }

  minAlong(dim: number, keepDim = false): ValuesAndIndices {
    return pair(native().min(this.handle, dim, keepDim));
  }

  /** Index of the largest element (of the flattened tensor when `dim` is omitted). */
  argmax(dim?: number, keepDim = false): Tensor {
    return wrap(
      dim === undefined ? native().argmax(this.handle) : native().argmax(this.handle, dim, keepDim),
    );
  }

  norm(p = 2): Tensor {
    return wrap(native().norm(this.handle, p));
  }

  /** Running sum along `dim` (in `dtype` if given: bool inputs count as 0/1). */
  cumsum(dim: number, dtype?: DType): Tensor {
    return wrap(native().cumsum(this.handle, dim, dtype));
  }

  countNonzero(): Tensor {
    return wrap(native().countNonzero(this.handle));
  }

  /** The k largest (or smallest) entries along `dim`, a selection rather than a full sort. */
  topk(k: number, { dim = -1, largest = true, sorted = true } = {}): ValuesAndIndices {
    return pair(native().topk(this.handle, k, dim, largest, sorted));
  }

  /** The k-th smallest entry along `dim` (k counts from 1). */
  kthvalue(k: number, dim = -1, keepDim = false): ValuesAndIndices {
    return pair(native().kthvalue(this.handle, k, dim, keepDim));
  }

  sort({ dim = -1, descending = false, stable = true } = {}): ValuesAndIndices {
    return pair(native().sort(this.handle, dim, descending, stable));
  }

  matmul(other: Tensor): Tensor {
    return wrap(native().matmul(this.handle, other.handle));
  }

  // --- Autograd --------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return native().requiresGrad(this.handle);
  }

  /** Marks a leaf tensor as trainable (or not); returns this. */
  setRequiresGrad(requires = true): this {
    native().setRequiresGrad(this.handle, requires);
    return this;
  }

  /** A counter every in-place change bumps: values derived from the tensor can be cached by it. */
  get version(): number {
    return native().version(this.handle);
  }

  get isLeaf(): boolean {
    return native().isLeaf(this.handle);
  }

  /** The accumulated gradient, or null before any backward pass (a new handle each call). */
  get grad(): Tensor | null {
    const handle = native().grad(this.handle);
    return handle === null ? null : wrap(handle);
  }

  /** Drops the accumulated gradient (PyTorch's zero_grad with set_to_none). */
  clearGrad(): void {
    native().clearGrad(this.handle);
  }

  /** The same values cut from the autograd graph. */
  detach(): Tensor {
    return wrap(native().detach(this.handle));
  }

  backward(gradient: Tensor | null = null, { retainGraph = false } = {}): void {
    native().backward(this.handle, gradient?.handle ?? null, retainGraph);
  }

  // --- In place (for optimizers; use inside noGrad for parameters) ---------------------------

  /** this += alpha * other */
  add_(other: Operand, alpha = 1): this {
    if (typeof other === "number") native().addScalar_(this.handle, other * alpha);
    else native().add_(this.handle, other.handle, alpha);
    return this;
  }

  mul_(other: Operand): this {
    if (typeof other === "number") native().mulScalar_(this.handle, other);
    else native().mul_(this.handle, other.handle);
    return this;
  }

  /** this += value * a * b */
  addcmul_(a: Tensor, b: Tensor, value = 1): this {
    native().addcmul_(this.handle, a.handle, b.handle, value);
    return this;
  }

  /** this += value * a / b */
  addcdiv_(a: Tensor, b: Tensor, value = 1): this {
    native().addcdiv_(this.handle, a.handle, b.handle, value);
    return this;
  }

  zero_(): this {
    native().zero_(this.handle);
    return this;
  }

  fill_(value: number | boolean): this {
    native().fill_(this.handle, value);
    return this;
  }

  copy_(source: Tensor): this {
    native().copy_(this.handle, source.handle);
    return this;
  }
}

/** Wraps a fresh native handle into a tracked Tensor. */
export function wrap(handle: NativeTensor): Tensor {
  return Tensor.fromHandle(handle);
}

function pair([values, indices]: [NativeTensor, NativeTensor]): ValuesAndIndices {
  return { values: wrap(values), indices: wrap(indices) };
}
