import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeFloat32 } from "../../src/artifact/format/float32-bytes.js";
import {
  decodeModel,
  decodePemn,
  encodePemn,
  type PemnContents,
  unpackMask,
} from "../../src/artifact/index.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  pemnToSafetensors,
  type SafetensorsForm,
} from "../../src/artifact/safetensors/index.js";
import { writeSafetensorsFile } from "../../src/artifact/safetensors/safetensors-file.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { BACKBONES, createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { buildDecodedModel, type PackOptions, packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { runPemn } from "../helpers/run-pemn.js";
import { runTorch, TORCH_LOGITS, torchUnavailable } from "../helpers/torch-reference.js";
import { perturbTrainedState } from "./perturb-norms.js";

const INPUT = { channels: 3, height: 16, width: 16 };
const BATCH = 4;
const TOLERANCE = 1e-5;

interface Case {
  readonly config: Readonly<Record<string, unknown>>;
  readonly pack: PackOptions;
}

const SEEDED: PackOptions = { values: "seed", norms: "fp32" };
/** Every registered backbone's small config, and variants of their options and of packing. */
const CASES: readonly Case[] = [
  ...BACKBONES.map((backbone) => ({
    config: { name: backbone.name, ...backbone.small },
    pack: SEEDED,
  })),
  {
    config: { name: "resnet", depth: 8, shortcut: "A" },
    pack: { values: "stored", norms: "fp16" },
  },
  {
    config: { name: "resnet", depth: 8, shortcut: "B", affineBatchNorm: false },
    pack: SEEDED,
  },
  { config: { name: "mlp", hidden: [48], batchNorm: false }, pack: SEEDED },
  {
    config: { name: "convmixer", dim: 16, depth: 2, kernel: 3 },
    pack: { values: "stored", norms: "fp32", foldNorms: true },
  },
  {
    config: { name: "vit", dim: 16, depth: 1, heads: 2, patch: 4, positionEmbedding: "sincos" },
    pack: SEEDED,
  },
];

/** A trained-looking model of `config`, packed as `pack` says. */
function packedContents(index: number, { config, pack }: Case): PemnContents {
  const spec = {
    model: parseModelConfig({ ...config, input: INPUT, classes: 10 }),
    strategy: { kind: "rp", ratio: 0.1, order: "copy", rescale: "fan-in" } as const,
    keepFraction: 0.4,
    seed: 21 + index,
  };
  const { model } = createPemnModel(spec);
  try {
    perturbTrainedState(model, index);
    // Through the bytes, as a file gives them (fp16 norms rounded, folded norms as stored).
    return decodePemn(encodePemn(packModel(model.eval(), spec, pack)));
  } finally {
    model.dispose();
  }
}

function images(): Float32Array {
  const { channels, height, width } = INPUT;
  return createGenerator(7, "test/images").fillNormal(
    new Float32Array(BATCH * channels * height * width),
    0,
    1,
  );
}

/** pemn's logits of the model a `.pemn` describes. */
function pemnLogits(contents: PemnContents, input: Float32Array): Float32Array {
  const model = buildDecodedModel(decodeModel(contents));
  try {
    const { channels, height, width } = INPUT;
    return noGrad(() =>
      tidy(() =>
        model.forward(tensor(input, [BATCH, channels, height, width])).toArray<"float32">(),
      ),
    );
  } finally {
    model.dispose();
  }
}

test("both forms load into scripts/pemn_torch.py's modules (strict) and give pemn's logits within 1e-5", async (t) => {
  const missing = await torchUnavailable();
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "pemn-safetensors-export-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const input = images();
  const { channels, height, width } = INPUT;
  const inputs = join(dir, "inputs.safetensors");
  writeSafetensorsFile(inputs, [
    {
      name: "input",
      dtype: "F32",
      shape: [BATCH, channels, height, width],
      data: new Uint8Array(input.buffer),
    },
  ]);
  const jobs: {
    model: string;
    inputs: string;
    out: string;
    expected: Float32Array;
    what: string;
  }[] = [];
  for (const [index, entry] of CASES.entries()) {
    const contents = packedContents(index, entry);
    const expected = pemnLogits(contents, input);
    for (const form of ["folded", "masked"] as const) {
      const { tensors, metadata } = pemnToSafetensors(contents, form);
      const model = join(dir, `${index}-${form}.safetensors`);
      writeSafetensorsFile(model, tensors, metadata);
      jobs.push({
        model,
        inputs,
        out: join(dir, `${index}-${form}.logits.safetensors`),
        expected,
        what: `${JSON.stringify(entry.config)} ${JSON.stringify(entry.pack)} ${form}`,
      });
    }
  }
  await runTorch(TORCH_LOGITS, jobs);
  for (const job of jobs) {
    const [logits] = decodeSafetensors(readFileSync(job.out)).tensors;
    assert.ok(logits, job.what);
    assert.deepEqual(logits.shape, [BATCH, 10], job.what);
    const actual = decodeFloat32(logits.data);
    const difference = Math.max(
      ...actual.map((value, i) => Math.abs(value - (job.expected[i] as number))),
    );
    const scale = Math.max(...job.expected.map(Math.abs));
    t.diagnostic(
      `${job.what}: max |difference| ${difference.toExponential(2)}, max |logit| ${scale.toFixed(3)}`,
    );
    assert.ok(scale > 0.1, `${job.what}: logits of some size (${scale})`);
    assert.ok(difference <= TOLERANCE, `${job.what}: max difference ${difference}`);
  }
});

test("masked form: W and packed masks whose product is the folded form's weight; norms and metadata", () => {
  const contents = packedContents(0, { config: CASES[0]?.config ?? {}, pack: SEEDED });
  const forms = new Map(
    (["folded", "masked"] as SafetensorsForm[]).map((form) => {
      const { tensors, metadata } = pemnToSafetensors(contents, form);
      const decoded = decodeSafetensors(Buffer.concat(encodeSafetensors(tensors, metadata)));
      return [form, decoded];
    }),
  );
  const folded = forms.get("folded");
  const masked = forms.get("masked");
  assert.ok(folded && masked);
  const byName = (list: typeof folded.tensors) => new Map(list.map((entry) => [entry.name, entry]));
  const foldedTensors = byName(folded.tensors);
  const maskedTensors = byName(masked.tensors);
  for (const layer of contents.maskedLayers) {
    const weight = maskedTensors.get(`${layer.name}.weight`);
    const mask = maskedTensors.get(`${layer.name}.mask`);
    const product = foldedTensors.get(`${layer.name}.weight`);
    assert.ok(weight && mask && product, layer.name);
    assert.equal(mask.dtype, "U8");
    assert.deepEqual(mask.shape, [Math.ceil(weight.data.byteLength / 4 / 8)]);
    assert.deepEqual([...mask.data], [...layer.mask]);
    const flags = unpackMask(mask.data, weight.data.byteLength / 4);
    const values = decodeFloat32(weight.data);
    const expected = decodeFloat32(product.data);
    values.forEach((value, i) => {
      assert.ok(
        Object.is(Math.fround(value * (flags[i] as number)), expected[i]),
        `${layer.name}[${i}]`,
      );
    });
  }
  // Norm tensors under PyTorch's names, in both forms.
  for (const norm of contents.norms) {
    const name = norm.name
      .replace(/runningMean$/, "running_mean")
      .replace(/runningVar$/, "running_var");
    assert.ok(foldedTensors.has(name) && maskedTensors.has(name), name);
  }
  assert.equal(folded.tensors.length, contents.maskedLayers.length + contents.norms.length);
  assert.equal(masked.metadata?.format, "pt");
  assert.equal(masked.metadata?.["pemn.form"], "masked");
  assert.equal(folded.metadata?.["pemn.form"], "folded");
  assert.deepEqual(
    JSON.parse(folded.metadata?.["pemn.model"] ?? "null"),
    decodeModel(contents).model,
  );
  assert.deepEqual(JSON.parse(masked.metadata?.["pemn.generator"] ?? "null"), {
    name: contents.generator.name,
    seed: contents.generator.seed.toString(),
  });
  assert.equal(folded.metadata?.["pemn.generator"], undefined);
});

test("pemn export --safetensors writes the file and says how; without an output it refuses", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-safetensors-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, "model.pemn");
  const contents = packedContents(1, { config: { name: "mlp", hidden: [8] }, pack: SEEDED });
  const { writePemnFile } = await import("../../src/artifact/pemn-file.js");
  writePemnFile(model, contents);
  const out = join(dir, "model.safetensors");
  const exported = await runPemn("export", model, "--safetensors", out, "--form", "masked");
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /model\.safetensors: [\d,]+ bytes, \d+ tensors, masked form/);
  const decoded = decodeSafetensors(readFileSync(out));
  assert.equal(decoded.metadata?.["pemn.form"], "masked");
  const refused = await runPemn("export", model);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /give --onnx <file>, --safetensors <file>, or both/);
  const badForm = await runPemn("export", model, "--safetensors", out, "--form", "dense");
  assert.notEqual(badForm.status, 0);
  assert.match(badForm.stderr, /--form.*dense.*folded, masked|Allowed choices are folded, masked/);
});
