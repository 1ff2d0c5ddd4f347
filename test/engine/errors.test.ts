import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EngineArgumentError,
  EngineError,
  F,
  ones,
  TensorDisposedError,
  TorchError,
  tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";

function assertEngineError(
  fn: () => unknown,
  type: new (...args: never[]) => EngineError,
  op: string,
  pattern: RegExp,
) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.ok(error instanceof EngineError);
    assert.equal(error.op, op);
    assert.match(error.message, pattern);
    return true;
  });
}

test("conv2d with mismatched channels is a TorchError naming conv2d", () => {
  tidy(() =>
    assertEngineError(
      () => F.conv2d(zeros([1, 3, 8, 8]), zeros([4, 2, 3, 3])),
      TorchError,
      "conv2d",
      /channels/,
    ),
  );
});

test("matmul with mismatched shapes is a TorchError naming matmul", () => {
  tidy(() =>
    assertEngineError(
      () => zeros([2, 3]).matmul(zeros([4, 5])),
      TorchError,
      "matmul",
      /2x3 and 4x5/,
    ),
  );
});

test("wrong dtype: cross-entropy with float targets, matmul of float and int", () => {
  tidy(() => {
    assertEngineError(
      () => F.crossEntropy(ones([2, 3]), ones([2])),
      TorchError,
      "crossEntropy",
      /./,
    );
    assertEngineError(() => ones([2, 2]).matmul(ones([2, 2], "int64")), TorchError, "matmul", /./);
  });
});

test("index out of range is a TorchError", () => {
  tidy(() => assertEngineError(() => ones([3]).select(0, 5), TorchError, "select", /out of range/));
});

test("bad arguments are EngineArgumentErrors naming the op", () => {
  tidy(() => {
    assertEngineError(
      () => tensor(new Float32Array(5), [2, 3]),
      EngineArgumentError,
      "fromArray",
      /6 elements/,
    );
    assertEngineError(
      () => zeros([2], "complex" as never),
      EngineArgumentError,
      "zeros",
      /unknown dtype/,
    );
  });
});

test("use after dispose is a TensorDisposedError, also for a disposed operand", () => {
  const a = ones([2]);
  const b = ones([2]);
  b.dispose();
  assert.throws(() => a.add(b), TensorDisposedError);
  a.dispose();
  assert.throws(() => a.sum(), TensorDisposedError);
});

test("the process survives a burst of errors", () => {
  tidy(() => {
    for (let i = 0; i < 1000; i++)
      assert.throws(() => zeros([2, 3]).matmul(zeros([4, 5])), TorchError);
    assert.equal(ones([2]).sum().item(), 2);
  });
});
