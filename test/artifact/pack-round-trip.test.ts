import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as ort from "onnxruntime-node";
import {
  decodeModelBytes,
  decodePemn,
  encodePemn,
  float16BitsToNumber,
  float32ToFloat16Bits,
  inspectPemn,
  type PemnContents,
  packMask,
  quantizedValueBytes,
} from "../../src/artifact/index.js";
import { inspectPemnFile } from "../../src/artifact/pemn-file.js";
import { noGrad, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, maskedLayout } from "../../src/models/index.js";
import { type Layer, MaskedWeight } from "../../src/nn/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import {
  buildDecodedModel,
  normTensors,
  PemnPackError,
  packModel,
  type ValueMode,
} from "../../src/packing/index.js";
import type { RunConfig } from "../../src/run/index.js";
import { readCheckpoint } from "../../src/run/index.js";
import { packRun, packRunToFile } from "../../src/run/pack-run.js";
import { restoreModel } from "../../src/train/index.js";
import {
  countWeights,
  type WeightStrategyInput,
  weightQuantization,
} from "../../src/weights/index.js";
import { temporaryDirectory } from "../data/helpers.js";
import { trainTinyRun, writeSyntheticMnist } from "./run-fixtures.js";
import { assertSameBits } from "./same-bits-assert.js";

/** hidden.1 and hidden.2 share a shape (one-layer copies); fan-ins 784 and 24 (rescaling). */
const MODEL = { name: "mlp", hidden: [24, 24, 24] } as const;

/** Strategies whose stored form holds exactly the strategy's unique values. */
const PAPER_STRATEGIES: readonly WeightStrategyInput[] = [
  { kind: "mask" },
  { kind: "one-layer" },
  { kind: "mp" },
  { kind: "rp", ratio: 0.05 },
];
/** Project options whose layers (some or all) are stored in slices of their own. */
const OTHER_STRATEGIES: readonly WeightStrategyInput[] = [
  { kind: "mp", rescale: "fan-in" },
  { kind: "rp", ratio: 0.05, order: "rand" },
  { kind: "rp", ratio: 0.05, rescale: "fan-in" },
];

let data: ReturnType<typeof temporaryDirectory>;
before(() => {
  data = temporaryDirectory();
  writeSyntheticMnist(data.dir, 300, 50);
});
after(() => data.remove());

const specOf = (config: RunConfig) => ({
  model: config.model,
  strategy: config.strategy,
  keepFraction: config.keepFraction,
  seed: config.seed,
});

/** The run's model with a checkpoint restored; the caller disposes it. */
function restoredModel(config: RunConfig, runDir: string, which: "last" | "best" = "last"): Layer {
  const { model } = createPemnModel(specOf(config));
  restoreModel(model, readCheckpoint(runDir, which));
  return model.eval();
}

function maskedWeightOf(model: Layer, layer: string): MaskedWeight {
  const module = new Map(model.namedModules()).get(`${layer}.weight`);
  assert.ok(module instanceof MaskedWeight, `${layer} is masked`);
  return module;
}

/** Fixed inputs, the same for every model. */
function probeValues(): Float32Array {
  return new Float32Array(32 * 784).map((_, index) => Math.sin(index * 0.61) * 2);
}

function probeImages(): Tensor {
  return tensor(probeValues(), [32, 1, 28, 28]);
}

function logitsOf(model: Layer): Float32Array {
  return noGrad(() => tidy(() => model.forward(probeImages()).toArray<"float32">()));
}

/**
 * What a decoded file must reproduce of the trained model, bit for bit: each mask, each
 * effective weight W * M, each norm tensor, and the logits of a model rebuilt from them.
 */
function assertFaithful(contents: PemnContents, trained: Layer): void {
  const bytes = encodePemn(contents);
  const layers = decodePemn(bytes).maskedLayers;
  const decoded = decodeModelBytes(bytes);
  for (const layer of layers) {
    const weight = maskedWeightOf(trained, layer.name);
    const mask = tidy(() => weight.mask()?.toArray<"float32">());
    assert.deepEqual(layer.mask, packMask(mask ?? new Uint8Array(weight.values.size).fill(1)));
    const effective = tidy(() => weight.effective().toArray<"float32">());
    assertSameBits(
      decoded.maskedWeights.get(layer.name)?.values as Float32Array,
      effective,
      layer.name,
    );
  }
  const state = normTensors(trained);
  assert.deepEqual(
    [...decoded.normTensors.keys()],
    state.map(([name]) => name),
  );
  for (const [name, value] of state) {
    assertSameBits(
      decoded.normTensors.get(name)?.values as Float32Array,
      value.toArray<"float32">(),
      name,
    );
  }
  const rebuilt = buildDecodedModel(decoded);
  try {
    assertSameBits(logitsOf(rebuilt), logitsOf(trained), "logits");
  } finally {
    rebuilt.dispose();
  }
}

async function trainAndRestore(strategy: WeightStrategyInput, name: string) {
  const runDir = join(data.dir, name);
  const config = await trainTinyRun(data.dir, runDir, { model: MODEL, strategy });
  return { runDir, config, trained: restoredModel(config, runDir) };
}

const pack = (runDir: string, values: ValueMode) =>
  packRun(runDir, { values, norms: "fp32", checkpoint: "last" });

for (const [index, strategy] of [...PAPER_STRATEGIES, ...OTHER_STRATEGIES].entries()) {
  test(`${JSON.stringify(strategy)}: seed and stored files give back the trained model exactly`, async () => {
    const { runDir, config, trained } = await trainAndRestore(strategy, `run-${index}`);
    try {
      const seeded = pack(runDir, "seed");
      assert.equal(seeded.storedValues.length, 0);
      assertFaithful(seeded, trained);
      const stored = pack(runDir, "stored");
      assert.ok(stored.maskedLayers.every((layer) => layer.values.kind === "stored"));
      assertFaithful(stored, trained);
      const { uniqueValues, maskedWeights } = countWeights(
        config.strategy,
        maskedLayout(config.model),
      );
      if (PAPER_STRATEGIES.includes(strategy)) {
        assert.equal(stored.storedValues.length, uniqueValues, "the paper's unique values");
      } else {
        assert.ok(stored.storedValues.length > uniqueValues);
        assert.ok(stored.storedValues.length <= maskedWeights);
      }
    } finally {
      trained.dispose();
    }
  });
}

test("a dense run is stored with its trained values; seed mode is refused", async () => {
  const { runDir, trained } = await trainAndRestore({ kind: "dense" }, "dense");
  try {
    assert.throws(
      () => pack(runDir, "seed"),
      (error: unknown) => {
        assert.ok(error instanceof PemnPackError);
        assert.equal(error.code, "dense-needs-stored");
        assert.match(error.message, /--values stored/);
        assert.ok(error.message.startsWith(readCheckpoint(runDir, "last").file));
        return true;
      },
    );
    const stored = pack(runDir, "stored");
    assert.ok(stored.maskedLayers.every((layer) => layer.mask.every((byte) => byte === 0xff)));
    assertFaithful(stored, trained);
  } finally {
    trained.dispose();
  }
});

/** The quantization baselines (docs/baselines.md). */
const QUANTIZED_STRATEGIES: readonly WeightStrategyInput[] = [
  { kind: "quantized", bits: 8 },
  { kind: "quantized", bits: 4 },
  { kind: "binary" },
];

for (const [index, strategy] of QUANTIZED_STRATEGIES.entries()) {
  test(`${JSON.stringify(strategy)}: the file holds levels and scales, gives back the trained model exactly, and costs what inspect says`, async () => {
    const { runDir, config, trained } = await trainAndRestore(strategy, `quantized-${index}`);
    try {
      // Levels and scales whatever --values says: no seed stands for trained values.
      const contents = pack(runDir, "seed");
      assert.deepEqual(encodePemn(pack(runDir, "stored")), encodePemn(contents));
      assert.equal(contents.storedValues.length, 0);
      assert.ok(contents.maskedLayers.every((layer) => layer.values.kind === "quantized"));
      assertFaithful(contents, trained);

      // The bytes: the file pack writes, read back by inspect, against the format's own count.
      const bits = weightQuantization(config.strategy)?.bits as number;
      const layout = maskedLayout(config.model);
      // pemn packs bfloat16 scales (2 bytes per output channel).
      const expected = layout.map((layer) => quantizedValueBytes(layer.shape, bits, "bf16"));
      const levelBytes = expected.reduce((sum, part) => sum + part.levels, 0);
      const scaleBytes = expected.reduce((sum, part) => sum + part.scales, 0);
      const { maskedWeights } = countWeights(config.strategy, layout);
      const file = join(data.dir, `quantized-${index}.pemn`);
      const written = packRunToFile(runDir, file, {
        values: "stored",
        norms: "fp32",
        checkpoint: "last",
      });
      const inspection = inspectPemnFile(file);
      assert.equal(written.bytes, statSync(file).size);
      assert.equal(inspection.totalBytes, written.bytes);
      assert.deepEqual(inspection, inspectPemn(encodePemn(contents)));
      assert.equal(inspection.valueMode, "quantized");
      assert.equal(inspection.parts.values.bytes, levelBytes + scaleBytes);
      assert.equal(inspection.parts.masks.bytes, 0, "masks keeping every weight cost nothing");
      assert.equal(
        Object.values(inspection.parts).reduce((sum, part) => sum + part.bytes, 0),
        written.bytes,
      );
      const network = inspection.quantizedNetwork;
      assert.ok(network !== null);
      assert.deepEqual(
        [network.bits, network.levelBytes, network.scaleBytes],
        [bits, levelBytes, scaleBytes],
      );
      // Each layer's levels round up to whole bytes: within a byte per layer of `bits` each.
      assert.ok(8 * levelBytes - bits * maskedWeights < 8 * layout.length);
      assert.equal(network.bitsPerWeight, (8 * (levelBytes + scaleBytes)) / maskedWeights);
      const channels = layout.reduce((sum, layer) => sum + (layer.shape[0] as number), 0);
      assert.ok(
        Math.abs(network.bitsPerWeight - (bits + (16 * channels) / maskedWeights)) < 0.01,
        `${network.bitsPerWeight} bits per weight`,
      );
      assert.equal(
        network.compression.withoutNorms.compressionRatio,
        1 - (8 * (levelBytes + scaleBytes)) / (32 * maskedWeights),
      );

      // ONNX computes what the engine computes.
      const session = await ort.InferenceSession.create(
        exportOnnx(decodeModelBytes(encodePemn(contents))),
      );
      const output = await session.run({
        [ONNX_INPUT]: new ort.Tensor("float32", probeValues(), [32, 1, 28, 28]),
      });
      const onnx = output[ONNX_OUTPUT]?.data as Float32Array;
      const engine = logitsOf(trained);
      assert.ok(
        engine.every((value, i) => Math.abs(value - (onnx[i] as number)) < 1e-4),
        "ONNX logits",
      );
    } finally {
      trained.dispose();
    }
  });
}

test("fp16 norms are the checkpoint's rounded to float16; the best checkpoint packs too", async () => {
  const { runDir, config, trained } = await trainAndRestore({ kind: "mask" }, "fp16");
  try {
    const contents = packRun(runDir, { values: "seed", norms: "fp16", checkpoint: "best" });
    assert.ok(contents.norms.every((norm) => norm.dtype === "fp16"));
    const decoded = decodeModelBytes(encodePemn(contents));
    const best = restoredModel(config, runDir, "best");
    try {
      for (const [name, value] of normTensors(best)) {
        const rounded = Float32Array.from(value.toArray<"float32">(), (x) =>
          float16BitsToNumber(float32ToFloat16Bits(x)),
        );
        assertSameBits(decoded.normTensors.get(name)?.values as Float32Array, rounded, name);
      }
    } finally {
      best.dispose();
    }
  } finally {
    trained.dispose();
  }
});

test("seed mode refuses a model whose values its seed does not regenerate", async () => {
  const { config, trained } = await trainAndRestore({ kind: "mp" }, "other-seed");
  try {
    const spec = { ...specOf(config), seed: config.seed + 1 };
    assert.throws(() => packModel(trained, spec, { values: "seed", norms: "fp32" }), {
      name: "PemnPackError",
      code: "values-not-regenerable",
    });
  } finally {
    trained.dispose();
  }
});

test("pack refuses a model holding NaN, naming the tensor", async () => {
  const runDir = join(data.dir, "non-finite");
  const config = await trainTinyRun(data.dir, runDir, { model: MODEL });
  const model = restoredModel(config, runDir);
  try {
    const scores = maskedWeightOf(model, "hidden.1.linear").scores as Tensor;
    noGrad(() => tidy(() => scores.copy_(scores.mul(Number.NaN))));
    assert.throws(
      () => packModel(model, specOf(config), { values: "seed", norms: "fp32" }),
      (error: unknown) =>
        error instanceof PemnPackError &&
        error.code === "non-finite" &&
        /tensor "hidden\.1\.linear\.weight\.scores" holds NaN at element 0/.test(error.message),
    );
  } finally {
    model.dispose();
  }
});
