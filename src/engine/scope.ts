/**
 * Deterministic release of libtorch memory, which JavaScript's collector does not see.
 * `tidy(fn)` frees every tensor created while `fn` runs, except those it returns (they
 * move to the enclosing scope) and those passed to `keep()`.
 */

/** What a scope needs of a tensor; the Tensor class implements it. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
  /**
   * Called once no scope will free it (made outside any scope, kept, or returned from the
   * outermost tidy): from then on dispose() or, as a backstop, the collector frees it.
   */
  unowned?(): void;
}

type Scope = Set<Disposable>;

const scopes: Scope[] = [];
const ownerOf = new WeakMap<Disposable, Scope>();

/** Records a new tensor in the innermost scope (if any). Called by the engine only. */
export function track(tensor: Disposable): void {
  const scope = scopes[scopes.length - 1];
  if (!scope) {
    tensor.unowned?.();
    return;
  }
  scope.add(tensor);
  ownerOf.set(tensor, scope);
}

/** Removes a tensor from automatic release: the caller now owns it and must dispose it. */
export function keep<T extends Disposable>(tensor: T): T {
  const owner = ownerOf.get(tensor);
  if (owner) {
    owner.delete(tensor);
    ownerOf.delete(tensor);
    tensor.unowned?.();
  }
  return tensor;
}

/** Runs `fn` and frees every tensor it created except those in its result. */
export function tidy<R>(fn: () => R): R {
  const scope: Scope = new Set();
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    disposeAll(scope, new Set());
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(scope, new Set());
    throw new TypeError(
      "tidy() cannot wrap an async function: tensors would be freed before it ends",
    );
  }
  const returned = new Set<Disposable>();
  collect(result, returned, new Set());
  disposeAll(scope, returned);
  const parent = scopes[scopes.length - 1];
  for (const tensor of returned) {
    if (ownerOf.get(tensor) !== scope) continue;
    if (parent) {
      parent.add(tensor);
      ownerOf.set(tensor, parent);
    } else {
      ownerOf.delete(tensor);
      tensor.unowned?.();
    }
  }
  return result;
}

/** Number of tensors the innermost scope currently holds (for tests and diagnostics). */
export function scopeSize(): number {
  return scopes[scopes.length - 1]?.size ?? 0;
}

function disposeAll(scope: Scope, except: Set<Disposable>): void {
  for (const tensor of scope) {
    if (except.has(tensor)) continue;
    ownerOf.delete(tensor);
    tensor.dispose();
  }
}

function isDisposable(value: unknown): value is Disposable {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Disposable).dispose === "function" &&
    "isDisposed" in value
  );
}

/** Finds tensors in a result: the tensor itself, arrays, Maps and plain objects, recursively. */
function collect(value: unknown, into: Set<Disposable>, seen: Set<object>): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) {
    into.add(value);
    return;
  }
  const items = Array.isArray(value)
    ? value
    : value instanceof Map
      ? [...value.values()]
      : Object.getPrototypeOf(value) === Object.prototype
        ? Object.values(value)
        : [];
  for (const item of items) collect(item, into, seen);
}
