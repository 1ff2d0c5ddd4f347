import { test } from "node:test";
import { cat, F, randn, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { buildModel, parseModelConfig } from "../../src/models/index.js";
import { assertClose } from "../helpers/test-random.js";
import { MASKED, testLayerValues } from "./model-test-values.js";
import { named, randomizeOtherParameters, referenceMaskedWeights } from "./reference-helpers.js";

const TOLERANCE = 2e-5;

/** Builds the model, perturbs its norm parameters and compares forward with `reference`. */
function compareWithReference(
  raw: unknown,
  reference: (
    x: Tensor,
    weight: (name: string) => Tensor,
    param: (name: string) => Tensor,
  ) => Tensor,
): void {
  const config = parseModelConfig(raw);
  const model = buildModel(config, { mode: MASKED, values: testLayerValues(11), scoreSeed: 5 });
  tidy(() => {
    const weights = referenceMaskedWeights(model, MASKED.keepFraction);
    const parameters = randomizeOtherParameters(model, 100);
    const { channels, height, width } = config.input;
    const x = randn([4, channels, height, width]);
    const expected = reference(
      x,
      (name) => named(weights, name),
      (name) => named(parameters, name),
    );
    const actual = model.forward(x);
    assertClose(
      actual.toArray() as Float32Array,
      expected.toArray() as Float32Array,
      TOLERANCE,
      config.name,
    );
  });
  model.dispose();
}

/** Batch statistics (the model is in training mode) with the named affine parameters. */
function batchNorm(x: Tensor, param: (name: string) => Tensor, prefix: string): Tensor {
  return F.batchNorm(x, {
    weight: param(`${prefix}.weight`),
    bias: param(`${prefix}.bias`),
    training: true,
  });
}

test("ConvMixer forward equals a composition of F ops on the same weights and masks", () => {
  const config = { name: "convmixer", input: { channels: 2, height: 6, width: 6 }, classes: 3 };
  compareWithReference({ ...config, dim: 4, depth: 2, kernel: 3, patch: 2 }, (x, weight, param) => {
    let h = batchNorm(
      F.gelu(F.conv2d(x, weight("patchEmbed"), { stride: 2 })),
      param,
      "patchEmbedNorm",
    );
    for (const block of ["blocks.0", "blocks.1"]) {
      const depthwise = F.gelu(
        F.conv2d(h, weight(`${block}.depthwise`), { padding: 1, groups: 4 }),
      );
      h = batchNorm(depthwise, param, `${block}.depthwiseNorm`).add(h);
      h = batchNorm(
        F.gelu(F.conv2d(h, weight(`${block}.pointwise`))),
        param,
        `${block}.pointwiseNorm`,
      );
    }
    return F.linear(F.adaptiveAvgPool2d(h, 1).flatten(1), weight("classifier"));
  });
});

/** Option A as a fixed 1x1 stride-2 conv that copies channel c to channel c + pad: another route than slice + pad. */
function subsampleAndPad(x: Tensor, outChannels: number): Tensor {
  const inChannels = x.shape[1] as number;
  const pad = (outChannels - inChannels) / 2;
  const selection = new Float32Array(outChannels * inChannels);
  for (let c = 0; c < inChannels; c++) selection[(c + pad) * inChannels + c] = 1;
  return F.conv2d(x, tensor(selection, [outChannels, inChannels, 1, 1]), { stride: 2 });
}

for (const shortcut of ["A", "B"] as const) {
  test(`ResNet-8 (shortcut ${shortcut}) forward equals a composition of F ops`, () => {
    const input = { channels: 3, height: 7, width: 7 };
    compareWithReference({ name: "resnet", input, classes: 5, depth: 8, shortcut }, (x, w, p) => {
      const conv = (h: Tensor, name: string, stride = 1) =>
        F.conv2d(h, w(name), { stride, padding: 1 });
      let h = F.relu(batchNorm(conv(x, "stem"), p, "stemNorm"));
      for (const [stage, width] of [16, 32, 64].entries()) {
        const block = `stages.${stage}.0`;
        const stride = stage === 0 ? 1 : 2;
        const inner = F.relu(batchNorm(conv(h, `${block}.conv1`, stride), p, `${block}.norm1`));
        const residual = batchNorm(conv(inner, `${block}.conv2`), p, `${block}.norm2`);
        const identity =
          stage === 0
            ? h
            : shortcut === "A"
              ? subsampleAndPad(h, width)
              : batchNorm(
                  F.conv2d(h, w(`${block}.shortcut.conv`), { stride: 2 }),
                  p,
                  `${block}.shortcut.norm`,
                );
        h = F.relu(residual.add(identity));
      }
      return F.linear(h.mean([2, 3]), w("classifier"));
    });
  });
}

test("ViT forward equals per-head attention composed from F ops", () => {
  const [dim, heads, patch] = [8, 2, 2];
  const headDim = dim / heads;
  const input = { channels: 2, height: 4, width: 6 };
  const config = { name: "vit", input, classes: 3, dim, depth: 2, heads, patch, mlpRatio: 1.5 };
  compareWithReference(config, (x, w, p) => {
    const layerNorm = (h: Tensor, prefix: string) =>
      F.layerNorm(h, [dim], { weight: p(`${prefix}.weight`), bias: p(`${prefix}.bias`) });
    // conv output [N, dim, rows, columns] -> tokens [N, rows x columns, dim], row-major grid
    const patches = F.conv2d(x, w("patchEmbed"), { stride: patch });
    let h = patches.permute(0, 2, 3, 1).reshape(4, 6, dim).add(p("positionEmbedding"));
    for (const block of ["blocks.0", "blocks.1"]) {
      const normed = layerNorm(h, `${block}.attentionNorm`);
      const qkv = F.linear(normed, w(`${block}.attention.qkv`));
      const perHead = Array.from({ length: heads }, (_, head) => {
        const part = (which: number) =>
          qkv.slice(2, which * dim + head * headDim, which * dim + (head + 1) * headDim);
        const logits = part(0).matmul(part(1).transpose(1, 2)).div(Math.sqrt(headDim));
        return F.softmax(logits, 2).matmul(part(2));
      });
      const attended = F.linear(cat(perHead, 2), w(`${block}.attention.proj`));
      h = h.add(attended);
      const hidden = F.gelu(F.linear(layerNorm(h, `${block}.mlpNorm`), w(`${block}.mlp.fc1`)));
      h = h.add(F.linear(hidden, w(`${block}.mlp.fc2`)));
    }
    return F.linear(layerNorm(h, "norm").mean([1]), w("classifier"));
  });
});
