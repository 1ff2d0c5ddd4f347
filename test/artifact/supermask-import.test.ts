import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeFloat32 } from "../../src/artifact/format/float32-bytes.js";
import type { PemnContents } from "../../src/artifact/format/index.js";
import { packMask } from "../../src/artifact/format/index.js";
import { decodeModel } from "../../src/artifact/index.js";
import { readPemnFile } from "../../src/artifact/pemn-file.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  pemnToSafetensors,
  SafetensorsError,
  type SafetensorsTensor,
} from "../../src/artifact/safetensors/index.js";
import { writeSafetensorsFile } from "../../src/artifact/safetensors/safetensors-file.js";
import {
  expectedTensors,
  readSupermask,
  referenceKeptCount,
  SupermaskError,
  shareValues,
  tiesAtThreshold,
} from "../../src/artifact/supermask/index.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel } from "../../src/models/index.js";
import { modelLayout, parseModelConfig } from "../../src/models/pure.js";
import { buildDecodedModel, packModel } from "../../src/packing/index.js";
import { runPemn } from "../helpers/run-pemn.js";
import { runTorch, torchUnavailable } from "../helpers/torch-reference.js";
import { assertSameBits } from "./same-bits-assert.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/supermask/", import.meta.url));
const TOLERANCE = 1e-5;

interface Fixture {
  readonly name: string;
  readonly args: readonly string[];
  readonly naming: string;
  readonly strategy: Readonly<Record<string, unknown>>;
  readonly storedValues: number;
}

const fixtures = JSON.parse(readFileSync(join(FIXTURES, "fixtures.json"), "utf8")) as Fixture[];

function fixtureTensors(name: string): SafetensorsTensor[] {
  return [...decodeSafetensors(readFileSync(join(FIXTURES, `${name}.safetensors`))).tensors];
}

/** pemn's logits of a `.pemn` file on the fixture's stored input, and the stored PyTorch logits. */
function logitsOf(
  pemnFile: string,
  fixture: string,
): { actual: Float32Array; expected: Float32Array } {
  const stored = new Map(
    decodeSafetensors(readFileSync(join(FIXTURES, `${fixture}.expected.safetensors`))).tensors.map(
      (entry) => [entry.name, entry],
    ),
  );
  const input = stored.get("input") as SafetensorsTensor;
  const logits = stored.get("logits") as SafetensorsTensor;
  const model = buildDecodedModel(decodeModel(readPemnFile(pemnFile)));
  try {
    const actual = noGrad(() =>
      tidy(() =>
        model.forward(tensor(decodeFloat32(input.data), input.shape)).toArray<"float32">(),
      ),
    );
    return { actual, expected: decodeFloat32(logits.data) };
  } finally {
    model.dispose();
  }
}

test("pemn import of the reference code's checkpoints: the imported model's logits are PyTorch's within 1e-5", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-import-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outcomes = await Promise.all(
    fixtures.map((fixture) =>
      runPemn(
        "import",
        join(FIXTURES, `${fixture.name}.safetensors`),
        "-o",
        join(dir, `${fixture.name}.pemn`),
        ...fixture.args,
        "--json",
      ),
    ),
  );
  for (const [index, fixture] of fixtures.entries()) {
    const outcome = outcomes[index];
    assert.ok(outcome);
    assert.equal(outcome.status, 0, `${fixture.name}: ${outcome.stderr}`);
    const report = JSON.parse(outcome.stdout) as {
      naming: string;
      strategy: unknown;
      storedValues: number;
      prefix: string;
      ties: unknown[];
      ignored: string[];
    };
    assert.equal(report.naming, fixture.naming, fixture.name);
    assert.deepEqual(report.strategy, fixture.strategy, fixture.name);
    assert.equal(report.storedValues, fixture.storedValues, fixture.name);
    assert.deepEqual(report.ties, [], fixture.name);
    const file = join(dir, `${fixture.name}.pemn`);
    const contents = readPemnFile(file);
    assert.ok(
      contents.maskedLayers.every((layer) => layer.values.kind === "stored"),
      `${fixture.name}: every layer's values stored`,
    );
    const { actual, expected } = logitsOf(file, fixture.name);
    const difference = Math.max(
      ...actual.map((value, i) => Math.abs(value - (expected[i] as number))),
    );
    const scale = Math.max(...expected.map(Math.abs));
    t.diagnostic(
      `${fixture.name} (${report.naming}${report.prefix === "" ? "" : `, prefix ${report.prefix}`}): max |difference| ${difference.toExponential(2)}, max |logit| ${scale.toFixed(3)}`,
    );
    assert.equal(actual.length, expected.length, fixture.name);
    assert.ok(scale > 0.1, `${fixture.name}: logits of some size (${scale})`);
    assert.ok(difference <= TOLERANCE, `${fixture.name}: max difference ${difference}`);
  }
});

test("pemn import prints what it did: naming, masks, stored values and why they are stored", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-import-text-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = fixtures.find(
    (entry) => entry.name === "pemn-official-convmixer-clone-nonaffine",
  );
  assert.ok(fixture);
  const out = join(dir, "model.pemn");
  const outcome = await runPemn(
    "import",
    join(FIXTURES, `${fixture.name}.safetensors`),
    "-o",
    out,
    ...fixture.args,
  );
  assert.equal(outcome.status, 0, outcome.stderr);
  assert.match(
    outcome.stdout,
    /convmixer from a pemn-official-named checkpoint \(prefix "module\." taken off\)/,
  );
  assert.match(outcome.stdout, /the top 30\.00% of each layer's \|scores\|/);
  assert.match(outcome.stdout, /752 float32 stored \(sharing as strategy \{"kind":"one-layer"\}\)/);
  assert.match(
    outcome.stdout,
    /PyTorch's random numbers cannot be regenerated by pemn's generator/,
  );
  // Its BatchNorms have no weights: the model was read with affineBatchNorm false.
  const model = decodeModel(readPemnFile(out)).model as { affineBatchNorm?: boolean };
  assert.equal(model.affineBatchNorm, false);
});

test("a torch.save file imports to the same .pemn as its safetensors twin; converted, too", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-import-pt-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = fixtures.find(
    (entry) => entry.name === "pemn-official-convmixer-clone-nonaffine",
  );
  assert.ok(fixture);
  // The official code's checkpoint layout: {"epoch", "state_dict": {"module." + name: tensor}}.
  const pt = join(FIXTURES, `${fixture.name}.pt`);
  const direct = join(dir, "direct.pemn");
  const fromPt = join(dir, "from-pt.pemn");
  const [a, b] = await Promise.all([
    runPemn("import", join(FIXTURES, `${fixture.name}.safetensors`), "-o", direct, ...fixture.args),
    runPemn("import", pt, "-o", fromPt, ...fixture.args),
  ]);
  assert.equal(a?.status, 0, a?.stderr);
  assert.equal(b?.status, 0, b?.stderr);
  assert.deepEqual(readFileSync(fromPt), readFileSync(direct));

  const missing = await torchUnavailable();
  if (missing !== null) {
    t.diagnostic(`converter not run: ${missing}`);
    return;
  }
  const converted = join(dir, "converted.safetensors");
  const viaScript = await runTorch(
    "import json, pemn_torch\nsource, target = json.loads(sys.argv[1])\nprint(pemn_torch.to_safetensors(source, target))",
    [pt, converted],
  );
  assert.match(viaScript, /^\d+/);
  const fromConverted = join(dir, "converted.pemn");
  const c = await runPemn("import", converted, "-o", fromConverted, ...fixture.args);
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(readFileSync(fromConverted), readFileSync(direct));
});

/** The fixture's tensors with `edit` applied, as file bytes. */
function edited(
  name: string,
  edit: (tensors: SafetensorsTensor[]) => SafetensorsTensor[],
): Uint8Array {
  return Buffer.concat(encodeSafetensors(edit(fixtureTensors(name))));
}

const CONVMIXER = parseModelConfig({
  name: "convmixer",
  input: { channels: 3, height: 8, width: 8 },
  classes: 10,
  dim: 16,
  depth: 2,
  kernel: 3,
  patch: 2,
});

function refusedSupermask(bytes: Uint8Array, code: string, pattern: RegExp, tensor?: string): void {
  assert.throws(
    () => readSupermask(decodeSafetensors(bytes).tensors, CONVMIXER),
    (error: unknown) => {
      assert.ok(error instanceof SupermaskError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, pattern);
      assert.equal(error.tensor, tensor);
      return true;
    },
  );
}

test("bad checkpoints: a typed error naming the tensor", () => {
  const name = "pemn-official-convmixer-rp";
  refusedSupermask(
    edited(name, (tensors) => tensors.filter((entry) => entry.name !== "3.1.scores")),
    "missing-tensor",
    /tensor "3\.1\.scores" is missing/,
    "3.1.scores",
  );
  refusedSupermask(
    edited(name, (tensors) =>
      tensors.map((entry) =>
        entry.name === "3.0.fn.0.weight" ? { ...entry, shape: [144] } : entry,
      ),
    ),
    "wrong-shape",
    /tensor "3\.0\.fn\.0\.weight" is \[144\], the model's is \[16, 1, 3, 3\]/,
    "3.0.fn.0.weight",
  );
  refusedSupermask(
    edited(name, (tensors) =>
      tensors.map((entry) =>
        entry.name === "0.scores"
          ? {
              ...entry,
              dtype: "F64",
              data: new Uint8Array(Float64Array.from(decodeFloat32(entry.data)).buffer),
            }
          : entry,
      ),
    ),
    "wrong-dtype",
    /tensor "0\.scores" is F64, pemn imports F32/,
    "0.scores",
  );
  refusedSupermask(
    edited(name, (tensors) => [
      ...tensors,
      { name: "9.weight", dtype: "F32", shape: [1], data: new Uint8Array(4) },
    ]),
    "unexpected-tensor",
    /tensor "9\.weight" is not part of the model/,
    "9.weight",
  );
  refusedSupermask(
    edited(name, (tensors) =>
      tensors.map((entry) => {
        if (entry.name !== "7.scores") return entry;
        const values = decodeFloat32(entry.data);
        values[3] = Number.NaN;
        return { ...entry, data: new Uint8Array(values.buffer) };
      }),
    ),
    "non-finite",
    /tensor "7\.scores" holds NaN at element 3/,
    "7.scores",
  );
  refusedSupermask(
    edited(name, (tensors) =>
      tensors.map((entry) => {
        if (entry.name !== "2.running_var") return entry;
        const values = decodeFloat32(entry.data);
        values[0] = -1;
        return { ...entry, data: new Uint8Array(values.buffer) };
      }),
    ),
    "non-finite",
    /running variance "2\.running_var" holds -1 at element 0/,
    "2.running_var",
  );
  refusedSupermask(
    edited("hidden-networks-conv4wide", (tensors) => tensors),
    "unknown-naming",
    /are not convmixer's in any naming scheme pemn knows/,
  );
  assert.throws(
    () => readSupermask(fixtureTensors(name), CONVMIXER, "hidden-networks"),
    /--naming hidden-networks: hidden-networks' networks are Conv-2\/4\/6\/8 \(conv\) and FC \(mlp\), not convmixer/,
  );
});

test("bad files through pemn import: the message names the file and the tensor; nothing is written", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-import-bad-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = fixtures.find((entry) => entry.name === "pemn-official-convmixer-rp");
  assert.ok(fixture);
  const good = readFileSync(join(FIXTURES, `${fixture.name}.safetensors`));
  const headerLength = Number(good.readBigUInt64LE(0));
  const header = JSON.parse(good.subarray(8, 8 + headerLength).toString()) as Record<
    string,
    { data_offsets: number[] }
  >;
  // The header lies: one tensor's end one float short of where the next begins.
  const lying = structuredClone(header);
  const entry = lying["3.1.weight"] as { data_offsets: number[] };
  entry.data_offsets = [entry.data_offsets[0] as number, (entry.data_offsets[1] as number) - 4];
  const lyingText = Buffer.from(JSON.stringify(lying).padEnd(headerLength, " "));
  const files: [string, Uint8Array, RegExp][] = [
    [
      "truncated.safetensors",
      good.subarray(0, good.length - 10),
      /truncated: tensor "[^"]+" ends at byte \d+ of the data, the file holds \d+/,
    ],
    [
      "lying.safetensors",
      Buffer.concat([good.subarray(0, 8), lyingText, good.subarray(8 + headerLength)]),
      /bad-offsets: tensor "3\.1\.weight" is F32 \[16, 16, 1, 1\], 1024 bytes, its offsets \[\d+, \d+\) hold 1020/,
    ],
    [
      "missing.safetensors",
      edited(fixture.name, (tensors) => tensors.filter((tensor) => tensor.name !== "2.bias")),
      /missing-tensor: tensor "2\.bias" is missing/,
    ],
  ];
  const cases = files.map(([name, bytes, pattern]) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return { path, pattern, out: join(dir, `${name}.pemn`) };
  });
  const outcomes = await Promise.all(
    cases.map(({ path, out }) => runPemn("import", path, "-o", out, ...fixture.args)),
  );
  for (const [index, { path, pattern, out }] of cases.entries()) {
    const outcome = outcomes[index];
    assert.ok(outcome);
    assert.notEqual(outcome.status, 0, path);
    assert.match(outcome.stderr, new RegExp(`^pemn: ${path}: `), path);
    assert.match(outcome.stderr, pattern, path);
    assert.throws(() => readFileSync(out), { code: "ENOENT" });
  }
  const noModel = await runPemn(
    "import",
    join(FIXTURES, `${fixture.name}.safetensors`),
    "-o",
    join(dir, "x.pemn"),
  );
  assert.notEqual(noModel.status, 0);
  assert.match(
    noModel.stderr,
    /unknown-model: the file does not say which model it holds \(no "pemn\.model" metadata\): give --model and its flags/,
  );
  const flagsOnly = await runPemn(
    "import",
    join(FIXTURES, `${fixture.name}.safetensors`),
    "-o",
    join(dir, "x.pemn"),
    "--mlp-ratio",
    "2",
  );
  assert.notEqual(flagsOnly.status, 0);
  assert.match(flagsOnly.stderr, /--mlp-ratio describes a model: give --model <name> with it/);
});

test("the truncated and lying files are SafetensorsErrors before any naming is tried", () => {
  const good = readFileSync(join(FIXTURES, "pemn-vit.safetensors"));
  assert.throws(
    () => decodeSafetensors(good.subarray(0, 100)),
    (error: unknown) => error instanceof SafetensorsError && error.code === "truncated",
  );
});

test("names: every scheme lists weight and scores per masked layer and PyTorch's norm names", () => {
  const { declarations } = modelLayout(CONVMIXER);
  const official = expectedTensors("pemn-official", CONVMIXER, declarations).map(
    (entry) => entry.name,
  );
  assert.deepEqual(official.slice(0, 6), [
    "0.weight",
    "0.scores",
    "2.weight",
    "2.bias",
    "2.running_mean",
    "2.running_var",
  ]);
  assert.ok(official.includes("4.0.fn.0.scores") && official.includes("4.3.running_var"));
  assert.equal(official.at(-1), "7.scores");
  const fc = parseModelConfig({
    name: "mlp",
    input: { channels: 1, height: 28, width: 28 },
    classes: 10,
    hidden: [300, 100],
    batchNorm: false,
  });
  const hidden = expectedTensors("hidden-networks", fc, modelLayout(fc).declarations);
  assert.deepEqual(
    hidden.map((entry) => `${entry.name} [${entry.shape.join(",")}]`),
    [
      "linear.0.weight [300,784,1,1]",
      "linear.0.scores [300,784,1,1]",
      "linear.2.weight [100,300,1,1]",
      "linear.2.scores [100,300,1,1]",
      "linear.4.weight [10,100,1,1]",
      "linear.4.scores [10,100,1,1]",
    ],
  );
  // hidden-networks' FC has no BatchNorm, which is no flag: an MLP is read without it.
  const small = parseModelConfig({
    name: "mlp",
    input: { channels: 1, height: 2, width: 2 },
    classes: 3,
    hidden: [6, 5],
  });
  const fcTensors = expectedTensors(
    "hidden-networks",
    parseModelConfig({ ...small, batchNorm: false }),
    modelLayout(parseModelConfig({ ...small, batchNorm: false })).declarations,
  ).map(
    (entry): SafetensorsTensor => ({
      name: `module.${entry.name}`,
      dtype: "F32",
      shape: entry.shape,
      data: new Uint8Array(4 * entry.shape.reduce((a, b) => a * b, 1)),
    }),
  );
  const read = readSupermask(fcTensors, small);
  assert.equal(read.naming, "hidden-networks");
  assert.equal(read.prefix, "module.");
  assert.equal((read.model as { batchNorm: boolean }).batchNorm, false);
  assert.deepEqual(
    read.layers.map((layer) => `${layer.name} [${layer.shape.join(",")}]`),
    ["hidden.0.linear [6,4]", "hidden.1.linear [5,6]", "classifier [3,5]"],
  );
  const pemn = expectedTensors("pemn", CONVMIXER, declarations).map((entry) => entry.name);
  assert.ok(pemn.includes("blocks.1.pointwiseNorm.running_mean"));
  assert.ok(pemn.includes("classifier.scores"));
});

test("kept counts follow the reference's GetSubnet; ties at the threshold are counted", () => {
  for (const size of [1, 2, 7, 10, 144, 256, 1000, 4097]) {
    assert.equal(referenceKeptCount(size, 0.5), Math.round(0.5 * size), `k 0.5, ${size}`);
    assert.equal(referenceKeptCount(size, 1), size);
  }
  // int((1 - 0.3) * 10) = int(7.000000000000001) = 7: 3 kept.
  assert.equal(referenceKeptCount(10, 0.3), 3);
  assert.equal(referenceKeptCount(100, 0.7), 100 - Math.trunc(0.30000000000000004 * 100));
  const scores = Float32Array.of(0.1, -0.5, 0.5, 0.2, 0.5);
  assert.equal(tiesAtThreshold(scores, packMask([0, 1, 1, 0, 0])), 1);
  assert.equal(tiesAtThreshold(scores, packMask([0, 1, 1, 0, 1])), 0);
});

test("shared values: each strategy of the paper is found and stored as the paper counts it", () => {
  const random = (length: number, seed: number) =>
    Float32Array.from({ length }, (_, i) => (Math.sin(seed * 1000 + i * 12.9898) * 43758.5453) % 1);
  const layer = (name: string, shape: number[], values: Float32Array) => ({ name, shape, values });
  // mask: all distinct
  const mask = shareValues([layer("a", [4, 3], random(12, 1)), layer("b", [5], random(5, 2))]);
  assert.deepEqual(mask.strategy, { kind: "mask" });
  assert.equal(mask.storedValues.length, 17);
  // one-layer: the second layer of a shape copies the first
  const first = random(12, 3);
  const oneLayer = shareValues([
    layer("a", [4, 3], first),
    layer("b", [4, 3], first.slice()),
    layer("c", [2, 2], random(4, 4)),
  ]);
  assert.deepEqual(oneLayer.strategy, { kind: "one-layer" });
  assert.equal(oneLayer.storedValues.length, 16);
  // mp: prefixes of the largest
  const largest = random(20, 5);
  const mp = shareValues([
    layer("a", [4], largest.slice(0, 4)),
    layer("b", [20], largest),
    layer("c", [9], largest.slice(0, 9)),
  ]);
  assert.deepEqual(mp.strategy, { kind: "mp", rescale: "none" });
  assert.equal(mp.storedValues.length, 20);
  assert.deepEqual(mp.references, [
    { kind: "stored", start: 0, length: 20 },
    { kind: "stored", start: 0, length: 20 },
    { kind: "stored", start: 0, length: 20 },
  ]);
  // rp copy: a prototype of floor(1000 x 0.01) + 1 = 11 values tiled
  const prototype = random(11, 6);
  const tiled = Float32Array.from({ length: 1000 }, (_, i) => prototype[i % 11] as number);
  const rp = shareValues([layer("a", [1000], tiled), layer("b", [30], tiled.slice(0, 30))]);
  assert.deepEqual(rp.strategy, { kind: "rp", ratio: 0.01, order: "copy", rescale: "none" });
  assert.equal(rp.storedValues.length, 11);
  // rp rand: the tiling shuffled; 11 distinct values among 1000
  const shuffled = tiled.map((_, i) => tiled[(37 * i) % 1000] as number);
  const rand = shareValues([layer("a", [1000], shuffled), layer("b", [30], shuffled.slice(0, 30))]);
  assert.deepEqual(rand.strategy, { kind: "rp", ratio: 0.01, order: "rand", rescale: "none" });
  assert.equal(rand.storedValues.length, 1000);
  // a prototype length no common ratio gives: a ratio that gives it
  const odd = Float32Array.from({ length: 1000 }, (_, i) => prototype[i % 7] as number);
  const oddShare = shareValues([layer("a", [1000], odd)]);
  assert.equal(oddShare.strategy.kind, "rp");
  const ratio = (oddShare.strategy as { ratio: number }).ratio;
  assert.equal(Math.floor(1000 * ratio) + 1, 7);
  // Stored values reproduce every layer bit for bit (-0 and 0 are different values).
  const signed = shareValues([
    layer("a", [2], Float32Array.of(0, -0)),
    layer("b", [1], Float32Array.of(-0)),
  ]);
  assert.deepEqual(signed.strategy, { kind: "mask" });
  assert.equal(signed.storedValues.length, 3);
});

test("round trip: pemn export --form masked, then pemn import with no flags, gives the model back bit for bit", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-import-round-trip-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = {
    model: CONVMIXER,
    strategy: { kind: "rp", ratio: 0.1, order: "copy", rescale: "none" } as const,
    keepFraction: 0.3,
    seed: 5,
  };
  const { model } = createPemnModel(spec);
  let contents: PemnContents;
  try {
    contents = packModel(model.eval(), spec, { values: "seed", norms: "fp32" });
  } finally {
    model.dispose();
  }
  const exported = join(dir, "model.safetensors");
  const { tensors, metadata } = pemnToSafetensors(contents, "masked");
  writeSafetensorsFile(exported, tensors, metadata);
  const imported = join(dir, "imported.pemn");
  const outcome = await runPemn("import", exported, "-o", imported, "--json");
  assert.equal(outcome.status, 0, outcome.stderr);
  const report = JSON.parse(outcome.stdout) as {
    masks: string;
    naming: string;
    strategy: unknown;
    storedValues: number;
  };
  assert.equal(report.naming, "pemn");
  assert.equal(report.masks, "mask");
  // The shared prototype found again: floor(256 x 0.1) + 1 values.
  assert.deepEqual(report.strategy, spec.strategy);
  assert.equal(report.storedValues, 26);
  const before = decodeModel(contents);
  const after = decodeModel(readPemnFile(imported));
  assert.deepEqual(after.model, before.model);
  for (const [name, weight] of before.maskedWeights) {
    assertSameBits(
      after.maskedWeights.get(name)?.values ?? new Float32Array(0),
      weight.values,
      name,
    );
  }
  for (const [name, norm] of before.normTensors) {
    assertSameBits(after.normTensors.get(name)?.values ?? new Float32Array(0), norm.values, name);
  }
  // A mask with bits past its weights, or not U8, is refused by name.
  const mlp = parseModelConfig({
    name: "mlp",
    input: { channels: 1, height: 1, width: 3 },
    classes: 3,
    hidden: [5],
    batchNorm: false,
  });
  const masked = (edit: (entry: SafetensorsTensor) => SafetensorsTensor) =>
    expectedTensors("pemn", mlp, modelLayout(mlp).declarations, "mask").map((entry) =>
      edit({
        name: entry.name,
        dtype: entry.dtype,
        shape: entry.shape,
        data: new Uint8Array(
          (entry.dtype === "U8" ? 1 : 4) * entry.shape.reduce((a, b) => a * b, 1),
        ).fill(entry.dtype === "U8" ? 0x7f : 0),
      }),
    );
  assert.equal(
    readSupermask(
      masked((entry) => entry),
      mlp,
    ).masks,
    "mask",
  );
  assert.throws(
    () =>
      readSupermask(
        masked((entry) =>
          entry.name === "classifier.mask" ? { ...entry, data: Uint8Array.of(0xff, 0xff) } : entry,
        ),
        mlp,
      ),
    {
      name: "SupermaskError",
      message: /bad-mask: mask "classifier\.mask" sets bits past its 15 weights/,
    },
  );
  assert.throws(
    () =>
      readSupermask(
        masked((entry) =>
          entry.name === "hidden.0.linear.mask" ? { ...entry, dtype: "I8" as const } : entry,
        ),
        mlp,
      ),
    {
      name: "SupermaskError",
      message: /wrong-dtype: tensor "hidden\.0\.linear\.mask" is I8, pemn imports a mask as U8/,
    },
  );
});
