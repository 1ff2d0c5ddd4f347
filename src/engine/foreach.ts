import { native } from "./native.js";
import { type Tensor, wrap } from "./tensor.js";

/*
 * Ops over lists of tensors, as libtorch's _foreach_ ops (torch.optim's foreach path): the
 * arithmetic of the single-tensor ops, one kernel launch per list on a GPU instead of one per
 * tensor. In place unless said otherwise; `scalars` hold one number per tensor.
 */

const handles = (tensors: readonly Tensor[]) => tensors.map((t) => t.handle);

export function foreachMul_(tensors: readonly Tensor[], scalars: readonly number[]): void {
  native().foreachMul_(handles(tensors), [...scalars]);
}

export function foreachDiv_(tensors: readonly Tensor[], scalars: readonly number[]): void {
  native().foreachDiv_(handles(tensors), [...scalars]);
}

export function foreachAddScalars_(tensors: readonly Tensor[], scalars: readonly number[]): void {
  native().foreachAddScalars_(handles(tensors), [...scalars]);
}

/** tensors[i] += alpha * others[i] */
export function foreachAdd_(
  tensors: readonly Tensor[],
  others: readonly Tensor[],
  alpha = 1,
): void {
  native().foreachAdd_(handles(tensors), handles(others), alpha);
}

/** tensors[i] += values[i] * a[i] * b[i] */
export function foreachAddcmul_(
  tensors: readonly Tensor[],
  a: readonly Tensor[],
  b: readonly Tensor[],
  values: readonly number[],
): void {
  native().foreachAddcmul_(handles(tensors), handles(a), handles(b), [...values]);
}

/** tensors[i] += values[i] * a[i] / b[i] */
export function foreachAddcdiv_(
  tensors: readonly Tensor[],
  a: readonly Tensor[],
  b: readonly Tensor[],
  values: readonly number[],
): void {
  native().foreachAddcdiv_(handles(tensors), handles(a), handles(b), [...values]);
}

/** New tensors: the square roots. */
export function foreachSqrt(tensors: readonly Tensor[]): Tensor[] {
  return native().foreachSqrt(handles(tensors)).map(wrap);
}
