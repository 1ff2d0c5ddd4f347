import assert from "node:assert/strict";
import { test } from "node:test";
import { encodePemn } from "../../src/artifact/index.js";
import {
  cudaStatus,
  EngineOutOfMemoryError,
  F,
  liveTensorCount,
  noGrad,
  randint,
  type Tensor,
  tensor,
  tidy,
  topKMasks,
  zeros,
} from "../../src/engine/index.js";
import { BACKBONES, createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { type Layer, refreshMasks } from "../../src/nn/index.js";
import { packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { readCheckpoint, trainInDirectory } from "../../src/run/index.js";
import { createOptimizer, optimizerConfigSchema, restoreModel } from "../../src/train/index.js";
import { PRECISIONS, type Precision } from "../../src/train/precision.js";
import { weightStrategySchema } from "../../src/weights/index.js";
import { assertSameBits } from "../artifact/same-bits-assert.js";
import { CIFAR } from "../models/model-test-values.js";
import { syntheticDataset, TinyMaskedMlp, temporaryDirectory } from "../train/helpers.js";

/*
 * What pemn does on a CUDA device, against the same on the CPU. Skipped where libtorch has no
 * CUDA or no GPU is seen (CI); scripts/gpu-check.sh runs it on a GPU machine.
 */
const gpu = cudaStatus().devices.length > 0;
const skip = gpu ? false : "no CUDA device (scripts/gpu-check.sh runs this on a GPU machine)";
const DEVICE = "cuda:0";

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - (b[i] as number))), 0);
}

test("tied scores: the CUDA masks are the CPU masks, entry for entry", { skip }, () => {
  // Few distinct values, so most entries tie with the threshold.
  const random = createGenerator(7, "test/gpu-ties");
  const sizes = [1000, 4096, 3 * 5 * 5, 65_537];
  const scores = sizes.map((size) =>
    Float32Array.from({ length: size }, () => Math.floor(random.nextUint32() / 2 ** 29) / 8),
  );
  const counts = sizes.map((size, i) => [0, size >> 1, size, Math.round(size * 0.1)][i] as number);
  tidy(() => {
    const onCpu = topKMasks(
      scores.map((values) => tensor(values)),
      counts,
    );
    const onGpu = topKMasks(
      scores.map((values) => tensor(values).toDevice(DEVICE)),
      counts,
    );
    onGpu.forEach((mask, i) => {
      assert.equal(mask.device, DEVICE);
      assertSameBits(mask.toFloat32Array(), (onCpu[i] as Tensor).toFloat32Array(), `tensor ${i}`);
    });
  });
});

test("every registered backbone on CUDA: the CPU's logits, a training step, a .pemn bit-identical to the CPU's", {
  skip,
}, () => {
  for (const backbone of BACKBONES) {
    const config = parseModelConfig({
      name: backbone.name,
      input: CIFAR,
      classes: 10,
      ...backbone.small,
    });
    const spec = {
      model: config,
      strategy: weightStrategySchema.parse({ kind: "rp", ratio: 1e-2 }),
      keepFraction: 0.5,
      seed: 3,
    };
    const shape = [4, CIFAR.channels, CIFAR.height, CIFAR.width];
    const images = createGenerator(1, "test/gpu-images").fillNormal(
      new Float32Array(shape.reduce((a, b) => a * b, 1)),
      0,
      1,
    );
    const live = liveTensorCount();
    const { model: cpu } = createPemnModel(spec);
    const { model: cuda } = createPemnModel(spec);
    try {
      cuda.to(DEVICE);
      assert.equal(cuda.device, DEVICE);
      const logits = (model: Layer, device: string) =>
        noGrad(() =>
          tidy(() => model.eval().forward(tensor(images, shape).toDevice(device)).toFloat32Array()),
        );
      // cuDNN's convolutions use TF32 by default (as PyTorch's): agreement to about 1e-3
      // of the logits' scale, not to the bit.
      const onCpu = logits(cpu, "cpu");
      const scale = Math.max(1, ...onCpu.map(Math.abs));
      const difference = maxDifference(logits(cuda, DEVICE), onCpu) / scale;
      assert.ok(
        difference < 1e-2,
        `${backbone.name}: logits differ by ${difference} of their scale`,
      );

      // A training step on the GPU moves the scores; the fixed values keep their bits.
      const optimizer = createOptimizer(
        optimizerConfigSchema.parse({ kind: "adamw", lr: 0.05 }),
        cuda.namedParameters(),
      );
      cuda.train();
      tidy(() => {
        refreshMasks(cuda);
        const loss = F.crossEntropy(
          cuda.forward(tensor(images, shape).toDevice(DEVICE)),
          randint(0, 10, [4]).toDevice(DEVICE),
        );
        assert.ok(Number.isFinite(loss.item()));
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
      });
      optimizer.dispose();
      // The CPU model takes the GPU model's state: the two pack to the same bytes.
      noGrad(() =>
        tidy(() => {
          const source = new Map(cuda.namedState());
          for (const [name, target] of cpu.namedState()) target.copy_(source.get(name) as Tensor);
        }),
      );
      cuda.eval();
      cpu.eval();
      const fromGpu = encodePemn(packModel(cuda, spec, { values: "seed", norms: "fp32" }));
      const fromCpu = encodePemn(packModel(cpu, spec, { values: "seed", norms: "fp32" }));
      assert.deepEqual(fromGpu, fromCpu, `${backbone.name}: the .pemn files differ`);
    } finally {
      cpu.dispose();
      cuda.dispose();
    }
    assert.equal(liveTensorCount(), live, `${backbone.name}: nothing leaks`);
  }
});

const data = {
  train: syntheticDataset({ count: 256, classes: 4, side: 8, seed: 1 }),
  validation: syntheticDataset({ count: 64, classes: 4, side: 8, seed: 2 }),
  test: syntheticDataset({ count: 64, classes: 4, side: 8, seed: 3 }),
};
const makeModel = () => new TinyMaskedMlp({ inputs: 64, hidden: 32, classes: 4, seed: 4 });
const runConfig = (precision: Precision) => ({
  epochs: 2,
  batchSize: 32,
  optimizer: { kind: "adamw", lr: 0.01 } as const,
  precision,
});

for (const precision of PRECISIONS) {
  test(`train ${precision} on CUDA, then resume the run on the CPU`, { skip }, async () => {
    const runDir = temporaryDirectory(`gpu-${precision}`);
    try {
      const first = makeModel();
      const stopped = new Error("stopped after epoch 1");
      // The run is stopped after its first epoch, as a killed one would be.
      await assert.rejects(
        trainInDirectory({
          model: first,
          data,
          config: runConfig(precision),
          dir: runDir.path,
          progress: "none",
          device: DEVICE,
          onEpoch: (record) => {
            assert.ok(Number.isFinite(record.train_loss), `train loss ${record.train_loss}`);
            throw stopped;
          },
        }),
        (error) => error === stopped,
      );
      assert.equal(first.device, DEVICE);
      first.dispose();
      // A checkpoint written on the GPU resumes on the CPU (fp32 there: autocast is CUDA's).
      if (precision === "fp32") {
        const second = makeModel();
        const resumed = await trainInDirectory({
          model: second,
          data,
          config: runConfig(precision),
          dir: runDir.path,
          resume: true,
          progress: "none",
          device: "cpu",
        });
        assert.equal(resumed.resumedFromEpoch, 1);
        assert.equal(resumed.history.length, 2);
        assert.ok(resumed.test.accuracy > 0.5, `accuracy ${resumed.test.accuracy}`);
        second.dispose();
      }
    } finally {
      runDir.remove();
    }
  });
}

test("a CPU checkpoint restores onto a CUDA model with the same logits", { skip }, async () => {
  const runDir = temporaryDirectory("gpu-restore");
  try {
    const cpu = makeModel();
    await trainInDirectory({
      model: cpu,
      data,
      config: runConfig("fp32"),
      dir: runDir.path,
      progress: "none",
    });
    const cuda = makeModel().to(DEVICE);
    restoreModel(cuda, readCheckpoint(runDir.path, "last"));
    const input = data.test.images.subarray(0, 8 * 64);
    const logits = (model: Layer) =>
      noGrad(() =>
        tidy(() =>
          model
            .eval()
            .forward(
              tensor(
                Float32Array.from(input, (v) => v / 255),
                [8, 1, 8, 8],
              ).toDevice(model.device),
            )
            .toFloat32Array(),
        ),
      );
    const difference = maxDifference(logits(cuda), logits(cpu));
    assert.ok(difference < 1e-4, `logits differ by ${difference}`);
    cpu.dispose();
    cuda.dispose();
  } finally {
    runDir.remove();
  }
});

test("out of GPU memory is an EngineOutOfMemoryError that suggests a smaller batch", {
  skip,
}, () => {
  assert.throws(
    // Expanded on the device, then made whole there: 4 TiB asked of the GPU alone.
    () =>
      tidy(() =>
        zeros([1])
          .toDevice(DEVICE)
          .expand(2 ** 40)
          .contiguous(),
      ),
    (error: unknown) =>
      error instanceof EngineOutOfMemoryError && /smaller batch/.test(error.message),
  );
});
