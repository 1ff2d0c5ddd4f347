import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import type { DecodedModel, DecodedTensor } from "../../src/artifact/index.js";
import { BATCH } from "../../src/models/pure.js";
import { OnnxGraph } from "../../src/onnx/onnx-graph.js";
import { OnnxBuilder } from "../../src/onnx/onnx-network.js";

/** A decoded model holding only `tensors`: all a norm's export reads. */
function decodedWith(tensors: Record<string, number[]>): DecodedModel {
  const normTensors = new Map<string, DecodedTensor>(
    Object.entries(tensors).map(([name, values]) => [
      name,
      { shape: [values.length], values: Float32Array.from(values) },
    ]),
  );
  return { maskedWeights: new Map(), normTensors } as unknown as DecodedModel;
}

async function run(graph: OnnxGraph, output: string, input: number[], shape: number[]) {
  const bytes = graph.encode({
    name: "norms",
    input: "x",
    inputShape: [null, ...shape.slice(1)],
    output,
    outputName: "y",
    outputShape: [null, ...shape.slice(1)],
  });
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({
    x: new ort.Tensor("float32", Float32Array.from(input), shape),
  });
  return Array.from(result.y?.data as Float32Array);
}

test("the ONNX BatchNorm uses the epsilon the network gives it, not a default", async () => {
  const graph = new OnnxGraph();
  const stats = {
    weight: [2, 0.5],
    bias: [1, -1],
    runningMean: [0.25, -2],
    runningVar: [1.5, 0.1],
  };
  const builder = new OnnxBuilder(
    graph,
    decodedWith(Object.fromEntries(Object.entries(stats).map(([part, v]) => [`bn.${part}`, v]))),
  );
  const eps = 0.5;
  const out = builder.batchNorm({ name: "x", shape: [BATCH, 2] }, "bn", { affine: true, eps });
  builder.checkAllStoredTensorsUsed();
  const input = [1, 3, -1, 0];
  const actual = await run(graph, out.name, input, [2, 2]);
  // By hand, in float64: (x - mean) / sqrt(var + eps) * weight + bias, channel = index % 2.
  const expected = input.map((x, i) => {
    const c = i % 2;
    const at = (values: number[]) => values[c] as number;
    return (
      ((x - at(stats.runningMean)) / Math.sqrt(at(stats.runningVar) + eps)) * at(stats.weight) +
      at(stats.bias)
    );
  });
  for (const [i, value] of actual.entries()) {
    assert.ok(Math.abs(value - (expected[i] as number)) < 1e-5, `${value} vs ${expected[i]}`);
  }
});

test("the ONNX LayerNorm uses the epsilon the network gives it", async () => {
  const graph = new OnnxGraph();
  const builder = new OnnxBuilder(
    graph,
    decodedWith({ "ln.weight": [1, 1, 1], "ln.bias": [0, 0, 0] }),
  );
  const eps = 0.25;
  const out = builder.layerNorm({ name: "x", shape: [BATCH, 3] }, "ln", { eps });
  const input = [1, 2, 4];
  const actual = await run(graph, out.name, input, [1, 3]);
  const mean = 7 / 3;
  const variance = input.reduce((sum, x) => sum + (x - mean) ** 2, 0) / 3;
  input.forEach((x, i) => {
    const expected = (x - mean) / Math.sqrt(variance + eps);
    assert.ok(Math.abs((actual[i] as number) - expected) < 1e-5, `${actual[i]} vs ${expected}`);
  });
});
