import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  SAFETENSORS_DTYPES,
  SafetensorsError,
  type SafetensorsTensor,
} from "../../src/artifact/safetensors/index.js";
import {
  readSafetensorsFile,
  writeSafetensorsFile,
} from "../../src/artifact/safetensors/safetensors-file.js";

const join8 = (chunks: Uint8Array[]) => Buffer.concat(chunks);

function f32(name: string, shape: number[], values: number[]): SafetensorsTensor {
  return {
    name,
    dtype: "F32",
    shape,
    data: new Uint8Array(Float32Array.from(values).buffer),
  };
}

/** A file by hand: header length, the header text padded with spaces to 8 bytes, the data. */
function byHand(header: string, data: number[] = [], pad = true): Uint8Array {
  const json = Buffer.from(header, "utf8");
  const length = pad ? Math.ceil(json.length / 8) * 8 : json.length;
  const prefix = Buffer.alloc(8 + length, 0x20);
  prefix.writeBigUInt64LE(BigInt(length), 0);
  json.copy(prefix, 8);
  return Buffer.concat([prefix, Buffer.from(data)]);
}

test("one F32 tensor: 8-byte little-endian length, compact JSON, the data", () => {
  const bytes = join8(encodeSafetensors([f32("attn.0", [1, 2, 3], [0, 1, 2, 3, 4, 5])]));
  const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 64); // a multiple of 8: no padding
  const expected = Buffer.concat([
    Buffer.from([64, 0, 0, 0, 0, 0, 0, 0]),
    Buffer.from(header),
    Buffer.from(Float32Array.of(0, 1, 2, 3, 4, 5).buffer),
  ]);
  assert.deepEqual(Buffer.from(bytes), expected);
});

test("the header is padded with spaces to a multiple of 8 bytes; no tensors is {}", () => {
  assert.deepEqual(
    Buffer.from(join8(encodeSafetensors([]))),
    Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]),
  );
  const withMetadata = join8(encodeSafetensors([], { framework: "pt" }));
  const text = '{"__metadata__":{"framework":"pt"}}';
  assert.equal(withMetadata.readBigUInt64LE(0), 40n);
  assert.equal(withMetadata.subarray(8).toString(), `${text}${" ".repeat(40 - text.length)}`);
  const short = join8(encodeSafetensors([f32("attn0", [1, 1, 2, 3], [0, 1, 2, 3, 4, 5])]));
  assert.equal(short.readBigUInt64LE(0) % 8n, 0n);
  assert.equal(Number(short.readBigUInt64LE(0)), 72);
});

test("tensors are laid out as the reference writer does: larger dtypes first, then by name, aligned", () => {
  const tensors: SafetensorsTensor[] = [
    { name: "b.mask", dtype: "U8", shape: [3], data: Uint8Array.of(1, 2, 3) },
    f32("z.weight", [2], [1, 2]),
    f32("a.weight", [1], [3]),
    { name: "count", dtype: "I64", shape: [], data: new Uint8Array(8) },
    { name: "half", dtype: "F16", shape: [1], data: new Uint8Array(2) },
  ];
  const decoded = decodeSafetensors(join8(encodeSafetensors(tensors, { b: "2", a: "1" })));
  assert.deepEqual(
    decoded.tensors.map((tensor) => tensor.name),
    ["count", "a.weight", "z.weight", "half", "b.mask"],
  );
  assert.deepEqual(decoded.metadata, { a: "1", b: "2" });
  let offset = 0;
  for (const tensor of decoded.tensors) {
    assert.equal(tensor.data.byteOffset % SAFETENSORS_DTYPES[tensor.dtype], 0, tensor.name);
    offset += tensor.data.byteLength;
  }
  assert.equal(offset, 8 + 4 + 8 + 2 + 3);
  const original = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  for (const tensor of decoded.tensors) {
    const source = original.get(tensor.name) as SafetensorsTensor;
    assert.deepEqual([...tensor.data], [...source.data]);
    assert.deepEqual(tensor.shape, source.shape);
    assert.equal(tensor.dtype, source.dtype);
  }
  assert.equal(decodeSafetensors(join8(encodeSafetensors([]))).metadata, null);
});

test("the encoder refuses what the format cannot hold", () => {
  const refuse = (tensors: SafetensorsTensor[], pattern: RegExp) =>
    assert.throws(
      () => encodeSafetensors(tensors),
      (error: unknown) => {
        assert.ok(error instanceof SafetensorsError);
        assert.equal(error.code, "invalid-contents");
        assert.match(error.message, pattern);
        return true;
      },
    );
  refuse([f32("a", [1], [1]), f32("a", [1], [2])], /two tensors are named "a"/);
  refuse([f32("__metadata__", [1], [1])], /cannot be named/);
  refuse([f32("a", [2], [1])], /"a" F32 \[2\] needs 8 bytes, got 4/);
});

/** Asserts decoding `bytes` fails with `code`, naming `tensor` when given. */
function refused(bytes: Uint8Array, code: string, pattern: RegExp, tensor?: string): void {
  assert.throws(
    () => decodeSafetensors(bytes),
    (error: unknown) => {
      assert.ok(error instanceof SafetensorsError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, pattern);
      assert.equal(error.tensor, tensor);
      return true;
    },
  );
}

test("bad files: each refused with a typed error naming the tensor", () => {
  const good = join8(encodeSafetensors([f32("w", [2], [1, 2]), f32("v", [1], [3])]));
  refused(good.subarray(0, 5), "truncated", /5 bytes, fewer than the 8/);
  refused(good.subarray(0, 20), "truncated", /the header announces \d+ bytes, the file has 12/);
  refused(
    good.subarray(0, good.length - 1),
    "truncated",
    /ends at byte 12 of the data, the file holds 11/,
    "w",
  );
  refused(Buffer.concat([good, Buffer.from([0])]), "trailing-data", /1 bytes follow/);
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(BigInt(MAX_HEADER_BYTES) + 1n, 0);
  refused(huge, "header-too-large", /over the 100000000/);
  const enormous = Buffer.alloc(16, 0xff);
  refused(enormous, "header-too-large", /18446744073709551615 bytes/);
  refused(byHand('{"w":'), "bad-header", /not JSON/);
  refused(byHand(' {"w":1}'), "bad-header", /does not start with "\{"/);
  refused(byHand("[1,2]"), "bad-header", /does not start/);
  const notUtf8 = byHand('{"w":1}  ');
  notUtf8[9] = 0xff;
  refused(notUtf8, "bad-header", /not valid UTF-8/);
  refused(byHand('{"w":[1]}'), "bad-header", /tensor "w" is not an object/, "w");
  refused(
    byHand('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', [0, 0, 0, 0]),
    "bad-header",
    /unknown field "extra"/,
    "w",
  );
  refused(
    byHand('{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
    "bad-dtype",
    /tensor "w" has dtype "F33"/,
    "w",
  );
  refused(
    byHand('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
    "bad-header",
    /shape \[-1\], not a list of integers >= 0/,
    "w",
  );
  refused(
    byHand('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', [0, 0, 0, 0]),
    "bad-header",
    /data_offsets \[0\]/,
    "w",
  );
  refused(
    byHand(
      '{"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      [0, 0, 0, 0],
    ),
    "bad-header",
    /"__metadata__" entry "a" is 1, not a string/,
  );
  // The header lies: a gap, an overlap, a size its shape and dtype do not give, a reversed range.
  refused(
    byHand('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
    "bad-offsets",
    /leaving bytes 0 to 4 to no tensor/,
    "w",
  );
  refused(
    byHand(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
      [0, 0, 0, 0, 0, 0, 0, 0],
    ),
    "bad-offsets",
    /inside the tensor before it/,
    "b",
  );
  refused(
    byHand('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
    "bad-offsets",
    /F32 \[3\], 12 bytes, its offsets \[0, 8\) hold 8/,
    "w",
  );
  refused(
    byHand('{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', [0, 0, 0, 0]),
    "bad-offsets",
    /ends \(0\) before it begins \(4\)/,
    "w",
  );
  refused(
    byHand(
      '{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}',
      [0, 0, 0, 0],
    ),
    "bad-header",
    /too many elements/,
    "w",
  );
  // A header the reference writer did not pad still reads (the padding is the writer's rule).
  const unpadded = byHand('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [7], false);
  assert.deepEqual([...(decodeSafetensors(unpadded).tensors[0]?.data ?? [])], [7]);
});

test("files: written atomically, read back, errors name the file, the memory budget holds", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pemn-safetensors-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "a.safetensors");
  const bytes = writeSafetensorsFile(file, [f32("w", [2], [1, 2])], { k: "v" });
  const read = readSafetensorsFile(file, 2);
  assert.equal(read.tensors[0]?.name, "w");
  assert.equal(bytes, statSync(file).size);
  const bad = join(dir, "bad.safetensors");
  writeFileSync(bad, Buffer.from([1, 2, 3]));
  assert.throws(() => readSafetensorsFile(bad, 2), {
    name: "SafetensorsError",
    message: `${bad}: truncated: 3 bytes, fewer than the 8 of the header length`,
  });
  const saved = process.env.PEMN_MAX_MEMORY;
  process.env.PEMN_MAX_MEMORY = "100";
  try {
    assert.throws(
      () => readSafetensorsFile(file, 2),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `^${file}: is too large: ${bytes} bytes.*must fit the 100 bytes of memory available`,
          ),
        );
        return true;
      },
    );
  } finally {
    if (saved === undefined) delete process.env.PEMN_MAX_MEMORY;
    else process.env.PEMN_MAX_MEMORY = saved;
  }
});
