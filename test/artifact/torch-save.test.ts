import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { SafetensorsTensor } from "../../src/artifact/safetensors/index.js";
import { decodeSafetensors } from "../../src/artifact/safetensors/index.js";
import { SupermaskError } from "../../src/artifact/supermask/index.js";
import { readTorchSave, TorchSaveError } from "../../src/artifact/torch-save/index.js";
import { importSupermaskFile } from "../../src/packing/index.js";
import { runTorch, torchUnavailable } from "../helpers/torch-reference.js";
import {
  call,
  dict,
  float32Bytes,
  global,
  PickleOps,
  pickle,
  storage,
  tensorOf,
  torchSaveZip,
} from "./torch-save-writer.js";

function float32Values(tensor: SafetensorsTensor | undefined): number[] {
  assert.ok(tensor);
  assert.equal(tensor.dtype, "F32");
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Array.from({ length: tensor.data.length / 4 }, (_, index) =>
    view.getFloat32(4 * index, true),
  );
}

/** Six float32 values 0.5, 1.5, ... 5.5 in storage "0", seen as three tensors. */
function threeViews(byteorder?: string | null): Buffer {
  const values = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
  const shared = storage("FloatStorage", "0", 6);
  return torchSaveZip(
    dict([
      ["epoch", 3],
      [
        "state_dict",
        dict([
          // Row-major 2x3, its transpose 3x2 (strides 1, 3), and every other element from 2.
          ["rows", tensorOf(shared, 0, [2, 3], [3, 1])],
          ["transposed", tensorOf(shared, 0, [3, 2], [1, 3])],
          ["strided", tensorOf(shared, 2, [2], [2])],
        ]),
      ],
    ]),
    { "0": float32Bytes(values, byteorder === "big") },
    { byteorder },
  );
}

test("a state dict's tensors in order, copied row-major whatever their strides and offsets", () => {
  const tensors = readTorchSave(threeViews());
  assert.deepEqual(
    tensors.map((tensor) => [tensor.name, tensor.shape]),
    [
      ["rows", [2, 3]],
      ["transposed", [3, 2]],
      ["strided", [2]],
    ],
  );
  assert.deepEqual(float32Values(tensors[0]), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
  // transposed[i][j] = rows[j][i]
  assert.deepEqual(float32Values(tensors[1]), [0.5, 3.5, 1.5, 4.5, 2.5, 5.5]);
  assert.deepEqual(float32Values(tensors[2]), [2.5, 4.5]);
});

test("byteorder big is swapped to little; a file without byteorder (before PyTorch 2.1) is little", () => {
  const little = readTorchSave(threeViews()).map(float32Values);
  assert.deepEqual(readTorchSave(threeViews("big")).map(float32Values), little);
  assert.deepEqual(readTorchSave(threeViews(null)).map(float32Values), little);
});

test("a dict saved as it is (no state_dict key), its folder named as torch names it", () => {
  const bytes = torchSaveZip(
    dict([
      ["weight", tensorOf(storage("FloatStorage", "7", 2), 0, [2], [1])],
      ["step", tensorOf(storage("LongStorage", "8", 1), 0, [], [])],
    ]),
    { "7": float32Bytes([1, -2]), "8": new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]) },
    { folder: "my-checkpoint" },
  );
  const [weight, step] = readTorchSave(bytes);
  assert.deepEqual(float32Values(weight), [1, -2]);
  assert.equal(step?.dtype, "I64");
  assert.deepEqual(step?.shape, []);
  assert.deepEqual([...(step?.data ?? [])], [5, 0, 0, 0, 0, 0, 0, 0]);
});

test("--key picks the dict that holds the tensors; a key the file lacks is named with the keys it has", () => {
  const bytes = torchSaveZip(
    dict([
      ["epoch", 3],
      ["model", dict([["w", tensorOf(storage("FloatStorage", "0", 1), 0, [1], [1])]])],
      ["optimizer", dict([["lr", 1]])],
    ]),
    { "0": float32Bytes([0.75]) },
  );
  assert.deepEqual(float32Values(readTorchSave(bytes, { key: "model" })[0]), [0.75]);
  assert.throws(
    () => readTorchSave(bytes),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message ===
        "no-tensors: no tensors in the saved dict (keys: epoch, model, optimizer): name the dict that holds them with --key",
  );
  assert.throws(
    () => readTorchSave(bytes, { key: "state" }),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message === 'no-tensors: the saved dict has no "state" (keys: epoch, model, optimizer)',
  );
  assert.throws(
    () => readTorchSave(bytes, { key: "epoch" }),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message ===
        'no-tensors: the saved dict has "epoch" as 3, not a dict (keys: epoch, model, optimizer)',
  );
});

test("memory: a deflated entry that unpacks past the bytes allowed, or a stride-0 view repeated past them, is too-large before it is allocated", () => {
  const bomb = torchSaveZip(
    dict([["w", tensorOf(storage("FloatStorage", "0", 1 << 20), 0, [1 << 20], [1])]]),
    { "0": new Uint8Array(4 << 20) }, // 4 MiB of zeros deflate to a few KiB
  );
  assert.ok(bomb.length < 64 << 10);
  assert.throws(
    () => readTorchSave(bomb, { maxBytes: 1 << 20 }),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message ===
        "too-large: archive/data/0 (4.0 MiB unpacked) would take the bytes read past 1.0 MiB, the memory allowed (PEMN_MAX_MEMORY)",
  );
  assert.equal(readTorchSave(bomb, { maxBytes: 5 << 20 }).length, 1);
  const repeated = torchSaveZip(
    dict([["w", tensorOf(storage("FloatStorage", "0", 1), 0, [1 << 30], [0])]]),
    { "0": float32Bytes([1]) },
  );
  assert.throws(
    () => readTorchSave(repeated, { maxBytes: 1 << 20 }),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message ===
        "too-large: w: its row-major copy (4.0 GiB) would take the bytes read past 1.0 MiB, the memory allowed (PEMN_MAX_MEMORY)",
  );
  // Within the bytes allowed, a stride-0 view is its element repeated.
  const small = torchSaveZip(
    dict([["w", tensorOf(storage("FloatStorage", "0", 1), 0, [2, 3], [0, 0])]]),
    { "0": float32Bytes([1.25]) },
  );
  assert.deepEqual(float32Values(readTorchSave(small)[0]), [1.25, 1.25, 1.25, 1.25, 1.25, 1.25]);
});

test("nothing the pickle names runs: an unknown global called is an inert record", () => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-torch-save-"));
  try {
    const marker = join(dir, "ran");
    const bytes = torchSaveZip(
      dict([
        ["args", call(global("posix", "system"), [`touch ${marker}`])],
        ["code", call(global("builtins", "eval"), [`open(${JSON.stringify(marker)}, "w")`])],
        ["state_dict", dict([["w", tensorOf(storage("FloatStorage", "0", 1), 0, [1], [1])]])],
      ]),
      { "0": float32Bytes([0.25]) },
    );
    assert.deepEqual(float32Values(readTorchSave(bytes)[0]), [0.25]);
    assert.equal(existsSync(marker), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad files: a TorchSaveError that names the problem and the tensor", () => {
  const one = (value: ReturnType<typeof tensorOf>, storages: Record<string, Uint8Array>) =>
    torchSaveZip(dict([["w", value]]), storages);
  const cases: [string, () => Buffer, RegExp][] = [
    [
      "a view past its storage",
      () =>
        one(tensorOf(storage("FloatStorage", "0", 6), 0, [4], [2]), {
          "0": float32Bytes([0, 1, 2, 3, 4, 5]),
        }),
      /^bad-storage: w: size 4 with strides 2 from element 0 runs past its storage's 6 elements$/,
    ],
    [
      "a storage shorter than its numel",
      () =>
        one(tensorOf(storage("FloatStorage", "0", 6), 0, [1], [1]), { "0": float32Bytes([0, 1]) }),
      /^bad-storage: storage 0: 8 bytes for 6 elements of 4 bytes$/,
    ],
    [
      "a storage without its entry",
      () => one(tensorOf(storage("FloatStorage", "3", 1), 0, [1], [1]), {}),
      /^bad-storage: storage 3: the zip has no archive\/data\/3$/,
    ],
    [
      "a complex storage",
      () =>
        one(tensorOf(storage("ComplexFloatStorage", "0", 1), 0, [1], [1]), {
          "0": new Uint8Array(8),
        }),
      /^unsupported-dtype: storage 0 is torch\.ComplexFloatStorage; pemn reads DoubleStorage, FloatStorage/,
    ],
    [
      "a storage type torch does not have",
      () => one(tensorOf(storage("FooStorage", "0", 1), 0, [1], [1]), { "0": new Uint8Array(4) }),
      /^bad-pickle: storage 0 has no storage type$/,
    ],
    [
      "a negative stride",
      () =>
        one(tensorOf(storage("FloatStorage", "0", 2), 1, [2], [-1]), { "0": float32Bytes([0, 1]) }),
      /^bad-pickle: w: offset 1, size \[2\] and stride \[-1\] do not describe a tensor$/,
    ],
    [
      "no tensors",
      () =>
        torchSaveZip(
          dict([
            ["epoch", 3],
            ["best_acc1", 71],
          ]),
          {},
        ),
      /^no-tensors: no tensors in the saved dict \(keys: epoch, best_acc1\): name the dict that holds them with --key$/,
    ],
    [
      "a list that holds itself",
      // EMPTY_LIST, BINPUT 0, BINGET 0, APPEND: the pickle's own way to make a cycle.
      () => torchSaveZip(new PickleOps(Uint8Array.of(0x5d, 0x71, 0, 0x68, 0, 0x61)), {}),
      /^no-tensors: the file holds a list of 1, not a dict of tensors$/,
    ],
    [
      "a list saved",
      () => torchSaveZip([1, 2], {}),
      /^no-tensors: the file holds \[1,2\], not a dict of tensors$/,
    ],
  ];
  for (const [what, bytes, pattern] of cases) {
    assert.throws(
      () => readTorchSave(bytes()),
      (error: unknown) => error instanceof TorchSaveError && pattern.test(error.message),
      what,
    );
  }
  assert.throws(
    () => readTorchSave(new TextEncoder().encode("PK\u0003\u0004 not really a zip")),
    (error: unknown) => error instanceof TorchSaveError && error.code === "not-torch-save",
  );
});

test("a truncated data.pkl is bad-pickle; a zip without data.pkl is not-torch-save", async () => {
  const { default: AdmZip } = await import("adm-zip");
  const truncated = new AdmZip();
  const whole = pickle(dict([["w", 1]]));
  truncated.addFile("archive/data.pkl", Buffer.from(whole.subarray(0, whole.length - 3)));
  assert.throws(
    () => readTorchSave(truncated.toBuffer()),
    (error: unknown) =>
      error instanceof TorchSaveError && /^bad-pickle: data\.pkl: /.test(error.message),
  );
  const other = new AdmZip();
  other.addFile("photos/cat.png", Buffer.from("x"));
  assert.throws(
    () => readTorchSave(other.toBuffer()),
    (error: unknown) =>
      error instanceof TorchSaveError &&
      error.message ===
        "not-torch-save: a torch.save zip holds one <folder>/data.pkl; this one holds 0",
  );
});

test("pemn import names the file in a torch.save error, refuses the pre-1.6 pickle with the way to convert it, and --key on safetensors", () => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-torch-save-import-"));
  try {
    const options = { keepFraction: 0.5, naming: "auto", norms: "fp32" } as const;
    const bad = join(dir, "bad.pt");
    writeFileSync(bad, torchSaveZip(dict([["epoch", 3]]), {}));
    assert.throws(
      () => importSupermaskFile(bad, join(dir, "out.pemn"), options),
      (error: unknown) =>
        error instanceof TorchSaveError && error.message.startsWith(`${bad}: no-tensors: `),
    );
    const legacy = join(dir, "legacy.pt");
    writeFileSync(legacy, pickle(dict([["w", 1]])));
    assert.throws(
      () => importSupermaskFile(legacy, join(dir, "out.pemn"), options),
      (error: unknown) =>
        error instanceof SupermaskError &&
        error.code === "unsupported-file" &&
        error.message.includes(`scripts/pemn_torch.py to-safetensors ${legacy}`),
    );
    const safetensors = fileURLToPath(
      new URL("./fixtures/supermask/pemn-mlp-mp-nonaffine.safetensors", import.meta.url),
    );
    assert.throws(
      () => importSupermaskFile(safetensors, join(dir, "out.pemn"), { ...options, key: "model" }),
      (error: unknown) =>
        error instanceof SupermaskError &&
        error.message.endsWith(
          "unsupported-file: --key model names a dict in a torch.save file; this is a safetensors file, whose tensors are not in dicts",
        ),
    );
    assert.equal(existsSync(join(dir, "out.pemn")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("files PyTorch saved: every dtype, views of a shared storage, a Parameter, as PyTorch lays them out contiguous", async (t) => {
  const missing = await torchUnavailable();
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "pemn-torch-save-torch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pt = join(dir, "saved.pt");
  const reference = join(dir, "reference.safetensors");
  // The same tensors made contiguous by PyTorch and written as safetensors: the reference.
  await runTorch(
    `import json, torch, pemn_torch
pt, reference = json.loads(sys.argv[1])
a = torch.randn(4, 6, generator=torch.Generator().manual_seed(0))
tensors = {
    "f32": a, "transposed": a.t(), "slice": a[1:3, ::2], "f16": a.half(), "bf16": a.bfloat16(),
    "f64": a.double(), "i64": torch.arange(-2, 5), "i32": torch.arange(3, dtype=torch.int32),
    "i16": torch.arange(3, dtype=torch.int16), "i8": torch.arange(-3, 3, dtype=torch.int8),
    "u8": torch.arange(7, dtype=torch.uint8), "bool": a > 0, "scalar": torch.tensor(3.5),
    "param": torch.nn.Parameter(a[:, 1:4].clone()), "empty": torch.zeros(0, 3),
}
torch.save({"epoch": 1, "state_dict": tensors, "args": {"lr": 0.1}}, pt)
pemn_torch.write_safetensors(reference, {k: v.detach().contiguous() for k, v in tensors.items()})`,
    [pt, reference],
  );
  const read = readTorchSave(readFileSync(pt));
  const expected = new Map(
    decodeSafetensors(readFileSync(reference)).tensors.map((tensor) => [tensor.name, tensor]),
  );
  assert.deepEqual(
    read.map((tensor) => tensor.name),
    [
      "f32",
      "transposed",
      "slice",
      "f16",
      "bf16",
      "f64",
      "i64",
      "i32",
      "i16",
      "i8",
      "u8",
      "bool",
      "scalar",
      "param",
      "empty",
    ],
  );
  for (const tensor of read) {
    const want = expected.get(tensor.name);
    assert.ok(want, tensor.name);
    assert.equal(tensor.dtype, want.dtype, tensor.name);
    assert.deepEqual(tensor.shape, want.shape, tensor.name);
    assert.deepEqual(Buffer.from(tensor.data), Buffer.from(want.data), tensor.name);
  }
});
