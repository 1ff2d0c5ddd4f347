import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteWriter } from "../../src/artifact/format/byte-writer.js";
import type { LayerEntry, PemnHeader } from "../../src/artifact/format/header.js";
import {
  countKept,
  decodePemn,
  describePemn,
  encodePemn,
  FORMAT_LIMITS,
  type PemnContents,
  PemnFormatError,
  packMask,
} from "../../src/artifact/format/index.js";
import { convMixerFixture, fixtureContents } from "./pemn-fixtures.js";
import { assertPemnError, sealedFile, sealedSections, sectionsOf } from "./pemn-surgery.js";

const small = convMixerFixture(8, 1, 3);
const contents = fixtureContents({ seed: 1, ...small, valueMode: "stored" });
const valid = encodePemn(contents);

const baseHeader: PemnHeader = {
  model: {},
  strategy: {},
  generator: { name: "g", seed: 1n },
  layers: [],
  norms: [],
};
const layer = (overrides: Partial<LayerEntry>): LayerEntry => ({
  name: "l",
  shape: [4, 4],
  values: { kind: "seed" },
  mask: { encoding: "bits" },
  ...overrides,
});
const ranged = (kept: number, byteLength: number): LayerEntry["mask"] => ({
  encoding: "range",
  kept,
  byteLength,
});
const withLayers = (...layers: LayerEntry[]): PemnHeader => ({ ...baseHeader, layers });
/** A mask bitset of 16 weights keeping the first 8. */
const eightOfSixteen = Uint8Array.of(0xff, 0x00);

/** A header section from raw JSON text and raw table bytes. */
function rawHeader(json: string | Uint8Array, tables: number[] = [0, 0]): Uint8Array {
  const out = new ByteWriter();
  const bytes = typeof json === "string" ? new TextEncoder().encode(json) : json;
  out.varint(bytes.length);
  out.bytes(bytes);
  out.bytes(Uint8Array.from(tables));
  return out.finish();
}
const goodJson = '{"model":{},"strategy":{},"generator":{"name":"g","seed":"1"}}';

test("each valid fixture decodes (the cases below differ from it in one way)", () => {
  assert.deepEqual(decodePemn(valid), contents);
  assert.deepEqual(
    decodePemn(sealedFile(withLayers(layer({})), { masks: eightOfSixteen })).maskedLayers.length,
    1,
  );
  assert.deepEqual(decodePemn(sealedSections({ header: rawHeader(goodJson) })).model, {});
});

test("bad-magic: another file type, or a damaged first byte", () => {
  assertPemnError(
    () => decodePemn(new TextEncoder().encode("not a pemn file at all")),
    "bad-magic",
    /not a \.pemn file: starts with 6e 6f/,
  );
  const damaged = valid.slice();
  damaged[1] = 0x51;
  assertPemnError(() => decodePemn(damaged), "bad-magic");
});

test("truncated: every proper prefix of a valid file", () => {
  for (let length = 0; length < valid.length; length++) {
    assertPemnError(() => decodePemn(valid.subarray(0, length)), "truncated");
  }
  assertPemnError(
    () => decodePemn(valid.subarray(0, 100)),
    "truncated",
    /section table announces \d+ bytes \(header \d+, values \d+, masks \d+, norms \d+\), file holds 100/,
  );
});

test("trailing-data: bytes after the end the table announces", () => {
  assertPemnError(
    () => decodePemn(Uint8Array.from([...valid, 0])),
    "trailing-data",
    /^trailing-data: 1 bytes after the/,
  );
});

test("unsupported-version: 0 and future versions", () => {
  for (const version of [0, 2, 0xffffffff]) {
    const file = valid.slice();
    new DataView(file.buffer).setUint32(8, version, true);
    assertPemnError(
      () => decodePemn(file),
      "unsupported-version",
      new RegExp(`format version ${version}; this reader knows version 1 only`),
    );
  }
});

test("checksum-mismatch names the damaged section, or the file for the preamble and trailer", () => {
  const sections = sectionsOf(valid);
  let offset = 44;
  for (const name of ["header", "values", "masks", "norms"] as const) {
    const file = valid.slice();
    const middle = offset + (sections[name].length >> 1);
    file[middle] = (file[middle] as number) ^ 0x04;
    assertPemnError(
      () => decodePemn(file),
      "checksum-mismatch",
      new RegExp(
        `^checksum-mismatch: ${name} section CRC-32 is 0x[0-9a-f]{8}, the file records 0x[0-9a-f]{8}`,
      ),
    );
    offset += sections[name].length;
  }
  const trailer = valid.slice();
  trailer[trailer.length - 1] = (trailer[trailer.length - 1] as number) ^ 0x80;
  assertPemnError(() => decodePemn(trailer), "checksum-mismatch", /file CRC-32/);
  assertPemnError(() => describePemn(trailer), "checksum-mismatch", /file CRC-32/);
});

test("bad-header: JSON that does not parse or is not what version 1 expects", () => {
  const cases: [string | Uint8Array, RegExp][] = [
    ["{not json", /header JSON does not parse/],
    [Uint8Array.of(0x7b, 0xff, 0x7d), /header JSON does not parse/],
    ["[]", /header JSON must be an object/],
    ['{"model":{},"strategy":{}}', /header JSON lacks field "generator"/],
    [goodJson.replace("{", '{"extra":1,'), /header JSON has unknown field "extra"/],
    [goodJson.replace('"model":{}', '"model":[1]'), /header model must be an object/],
    [goodJson.replace('"strategy":{}', '"strategy":"rp"'), /header strategy must be an object/],
    [goodJson.replace('"seed":"1"', '"seed":1'), /seed must be a decimal string/],
    [goodJson.replace('"seed":"1"', '"seed":"01"'), /seed must be a decimal string/],
    [
      goodJson.replace('"seed":"1"', `"seed":"${"9".repeat(10_000)}"`),
      /seed must be a decimal string/,
    ],
    [
      goodJson.replace('"seed":"1"', '"seed":"18446744073709551616"'),
      /seed must be a bigint in \[0, 2\^64\)/,
    ],
    [goodJson.replace('"name":"g"', '"name":""'), /generator name must be a non-empty string/],
    [`{"model":${"[".repeat(100_000)}`, /header JSON does not parse/],
    [goodJson.replace("{", '{"dataset":3,'), /dataset must be an object/],
    [goodJson.replace("{", '{"dataset":{"name":""},'), /dataset name must be a string/],
    [
      goodJson.replace("{", '{"dataset":{"name":"folder","labels":[]},'),
      /dataset has unknown field "labels"/,
    ],
    [
      goodJson.replace("{", '{"dataset":{"name":"folder","classNames":["a",1]},'),
      /dataset classNames must be a list of at most 65536 strings/,
    ],
  ];
  for (const [json, pattern] of cases) {
    assertPemnError(
      () => decodePemn(sealedSections({ header: rawHeader(json) })),
      "bad-header",
      pattern,
    );
  }
});

test("deeply nested JSON decodes and is described without exhausting the stack", () => {
  const depth = 200_000;
  const json = goodJson.replace(
    '"model":{}',
    `"model":{"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`,
  );
  const file = sealedSections({ header: rawHeader(json) });
  const decoded = decodePemn(file);
  assert.equal(describePemn(file).bytesWithoutNorms, file.length);
  assertPemnError(() => encodePemn(decoded), "invalid-contents", /model is not JSON: RangeError/);
});

test("bad-header: malformed tables", () => {
  const cases: [number[], RegExp][] = [
    [[], /header ends inside layer count/],
    [[0], /header ends inside norm tensor count/],
    [[0, 0, 0], /1 bytes after the norm table/],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /layer count is a varint longer than 5 bytes/],
    [[0x80, 0x00, 0], /layer count is a varint with a redundant zero byte/],
    [[0xff, 0xff, 0xff, 0xff, 0x7f], /layer count is 34359738367, above 2\^32 - 1/],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], /header ends inside masked layer 0/],
    // One layer "a" of shape [4] (name: shared 0, suffix 1, "a"; rank 1, dimension 4), then
    // its flags (1 stored values, 2 range-coded, 4 quantized) and their fields, then the norm count.
    [[1, 0, 1, 0x61, 1, 4, 8, 0], /masked layer 0 has unknown flags 0x8/],
    [[1, 0, 1, 0x61, 1, 4, 4, 0], /masked layer 0: quantized width 0 is not in \[1, 8\]/],
    [[1, 0, 1, 0x61, 1, 4, 1, 0], /header ends inside masked layer 0: stored values length/],
    [[1, 0, 1, 0x61, 1, 4, 2, 5, 0, 0], /masked layer "a" keeps 5 of 4 weights/],
    [[1, 0, 1, 0x61, 1, 0, 0, 0], /masked layer "a" has dimension 0/],
    [[1, 0, 1, 0x61, 0, 0, 0], /masked layer "a" has rank 0/],
    [[1, 0, 1, 0x61, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], /has rank 9, must be 1 to 8/],
    [[1, 0, 0, 1, 4, 0, 0], /masked layer table has an empty name/],
    [[1, 3, 1, 0x61, 1, 4, 0, 0], /masked layer 0 shares 3 bytes with a previous name of 0/],
    [[1, 0, 1, 0xc3, 1, 4, 0, 0], /masked layer 0 is not valid UTF-8/],
    [[2, 0, 1, 0x61, 1, 4, 0, 1, 0, 1, 4, 0, 0], /masked layer table has two entries named "a"/],
    [[0, 1, 0, 1, 0x6e, 1, 4, 3], /norm tensor 0: dtype has unknown code 3/],
  ];
  for (const [tables, pattern] of cases) {
    assertPemnError(
      () => decodePemn(sealedSections({ header: rawHeader(goodJson, tables) })),
      "bad-header",
      pattern,
    );
  }
});

test("size-limit: absurd shapes fail before anything is allocated", () => {
  const huge = [1_000_000, 1_000_000];
  assertPemnError(
    () => decodePemn(sealedFile(withLayers(layer({ shape: huge, mask: ranged(0, 0) })))),
    "size-limit",
    /masked layer "l" of shape \[1000000, 1000000\] has 1000000000000 elements, the limit is 1073741824/,
  );
  assertPemnError(
    () =>
      decodePemn(sealedFile({ ...baseHeader, norms: [{ name: "n", shape: huge, dtype: "fp32" }] })),
    "size-limit",
    /norm tensor "n"/,
  );
  const half = 2 ** 29 + 1;
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(
          withLayers(
            layer({ name: "a", shape: [half], mask: ranged(0, 0) }),
            layer({ name: "b", shape: [half], mask: ranged(0, 0) }),
          ),
        ),
      ),
    "size-limit",
    /masked layers hold more than 1073741824 weights \(at "b"\)/,
  );
  const longName = "x".repeat(FORMAT_LIMITS.maxNameBytes + 1);
  assertPemnError(
    () => decodePemn(sealedFile(withLayers(layer({ name: longName })), { masks: eightOfSixteen })),
    "size-limit",
    /is 257 bytes long, the limit is 256/,
  );
});

test("shape-mismatch: sections that disagree with the header", () => {
  assertPemnError(
    () => decodePemn(sealedFile(withLayers(layer({})), { masks: Uint8Array.of(0xff, 0, 0) })),
    "shape-mismatch",
    /the header's entries need 2 bytes of masks, the masks section holds 3/,
  );
  assertPemnError(
    () => decodePemn(sealedFile(withLayers(layer({ shape: [4, 5] })), { masks: eightOfSixteen })),
    "shape-mismatch",
    /need 3 bytes of masks/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ mask: ranged(8, 4_000_000_000) })), {
          masks: eightOfSixteen,
        }),
      ),
    "shape-mismatch",
    /need 4000000000 bytes of masks/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(
          { ...baseHeader, norms: [{ name: "n", shape: [3], dtype: "fp16" }] },
          { norms: new Uint8Array(12) },
        ),
      ),
    "shape-mismatch",
    /need 6 bytes of norms, the norms section holds 12/,
  );
  assertPemnError(
    () => decodePemn(sealedFile(baseHeader, { values: new Uint8Array(5) })),
    "shape-mismatch",
    /values section of 5 bytes is not a whole number of float32 values/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ values: { kind: "stored", start: 1, length: 2 } })), {
          masks: eightOfSixteen,
          values: new Uint8Array(8),
        }),
      ),
    "shape-mismatch",
    /layer "l" takes stored values \[1, 3\), only 2 are stored/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ values: { kind: "stored", start: 0, length: 0 } })), {
          masks: eightOfSixteen,
          values: new Uint8Array(8),
        }),
      ),
    "shape-mismatch",
    /not a non-empty slice/,
  );
});

test("bad-mask: kept counts, padding bits and range streams are checked", () => {
  // 40 weights keeping 3: the known-answer stream of docs/format.md, decoded as keeping 4.
  const threeOfForty = Uint8Array.of(0xc0, 0x99, 0xcc, 0x0e, 0x50);
  const forty = (kept: number) =>
    sealedFile(withLayers(layer({ shape: [40], mask: ranged(kept, 5) })), { masks: threeOfForty });
  assert.equal(countKept(decodePemn(forty(3)).maskedLayers[0]?.mask ?? new Uint8Array()), 3);
  assertPemnError(() => decodePemn(forty(4)), "bad-mask", /mask of layer "l"|range-coded mask/);
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ shape: [12] })), {
          masks: Uint8Array.of(0x0f, 0x10),
        }),
      ),
    "bad-mask",
    /sets bits past its 12 weights/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ mask: ranged(8, 2) })), {
          masks: eightOfSixteen,
        }),
      ),
    "bad-mask",
    /range-coded mask of 2 bytes, needs at least 4/,
  );
  assertPemnError(
    () =>
      decodePemn(
        sealedFile(withLayers(layer({ mask: ranged(16, 2) })), {
          masks: eightOfSixteen,
        }),
      ),
    "bad-mask",
    /keeping 16 of 16 weights is empty, got 2 bytes/,
  );
});

test("invalid-contents: the encoder refuses what it cannot store exactly", () => {
  const mask = packMask(new Array(16).fill(1));
  const base: PemnContents = {
    model: {},
    strategy: {},
    generator: { name: "g", seed: 0n },
    maskedLayers: [{ name: "l", shape: [4, 4], values: { kind: "seed" }, mask }],
    storedValues: new Float32Array(0),
    norms: [{ name: "n", shape: [2], dtype: "fp16", values: Float32Array.of(1, 2) }],
  };
  assert.ok(encodePemn(base).length > 0);
  const cases: [PemnContents, RegExp][] = [
    [{ ...base, model: { lr: Number.NaN } }, /model\.lr is NaN; JSON cannot hold it exactly/],
    [{ ...base, model: { at: undefined } }, /model\.at is undefined/],
    [{ ...base, strategy: { when: new Date(0) } as never }, /strategy\.when is not a plain object/],
    [
      { ...base, model: { list: Object.assign(new Array(3), { 0: 1, 2: 3 }) } },
      /model\.list\[1\] is undefined/,
    ],
    [
      { ...base, generator: { name: "g", seed: 2n ** 64n } },
      /seed must be a bigint in \[0, 2\^64\)/,
    ],
    [{ ...base, generator: { name: "g", seed: 3 as never } }, /seed must be a bigint/],
    [
      { ...base, maskedLayers: [{ ...base.maskedLayers[0], mask: new Uint8Array(3) } as never] },
      /has 3 bytes, its 16 weights need 2/,
    ],
    [
      {
        ...base,
        maskedLayers: [
          { name: "l", shape: [3], values: { kind: "seed" }, mask: Uint8Array.of(0xff) },
        ],
      },
      /sets bits past its 3 weights/,
    ],
    [
      {
        ...base,
        maskedLayers: [
          { ...base.maskedLayers[0], values: { kind: "stored", start: 0, length: 1 } } as never,
        ],
      },
      /only 0 are stored/,
    ],
    [
      { ...base, maskedLayers: [base.maskedLayers[0], base.maskedLayers[0]] as never },
      /masked layers has two entries named "l"/,
    ],
    [
      { ...base, maskedLayers: [{ ...base.maskedLayers[0], name: "bad\ud800" } as never] },
      /is not well-formed UTF-16/,
    ],
    [
      { ...base, maskedLayers: [{ ...base.maskedLayers[0], shape: [4, 4.5] } as never] },
      /has dimension 4.5/,
    ],
    [
      {
        ...base,
        norms: [{ name: "n", shape: [2], dtype: "fp16", values: Float32Array.of(1, 70_000) }],
      },
      /value 70000 at 1 overflows float16; store it as fp32/,
    ],
    [
      { ...base, norms: [{ name: "n", shape: [3], dtype: "fp32", values: Float32Array.of(1, 2) }] },
      /has 2 values, needs 3/,
    ],
  ];
  for (const [bad, pattern] of cases)
    assertPemnError(() => encodePemn(bad), "invalid-contents", pattern);
  assertPemnError(
    () =>
      encodePemn({
        ...base,
        maskedLayers: [{ ...base.maskedLayers[0], shape: [2 ** 16, 2 ** 15] } as never],
      }),
    "size-limit",
  );
});

test("errors carry their code and detail as fields", () => {
  try {
    decodePemn(new Uint8Array(3));
    assert.fail("should throw");
  } catch (error) {
    assert.ok(error instanceof PemnFormatError);
    assert.equal(error.name, "PemnFormatError");
    assert.equal(error.code, "bad-magic");
    assert.equal(error.message, `bad-magic: ${error.detail}`);
  }
});

test("bad-norm: a non-finite norm value or a negative running variance is refused", () => {
  const normNamed = (name: string, values: number[]) =>
    sealedFile(
      { ...baseHeader, norms: [{ name, shape: [values.length], dtype: "fp32" }] },
      {
        norms: new Uint8Array(Float32Array.from(values).buffer),
      },
    );
  assertPemnError(
    () => decodePemn(normNamed("blocks.0.norm.weight", [1, Number.NaN])),
    "bad-norm",
    /norm tensor "blocks\.0\.norm\.weight" holds NaN at element 1/,
  );
  assertPemnError(
    () => decodePemn(normNamed("stem.norm.bias", [Number.NEGATIVE_INFINITY])),
    "bad-norm",
    /holds -Infinity at element 0/,
  );
  assertPemnError(
    () => decodePemn(normNamed("stem.norm.runningVar", [0.5, 0, -0.25])),
    "bad-norm",
    /"stem\.norm\.runningVar" is a running variance but holds -0\.25 at element 2/,
  );
  // A negative mean or weight is fine; only a variance cannot be negative.
  assert.doesNotThrow(() => decodePemn(normNamed("stem.norm.runningMean", [-3])));
  const nanNorm = { ...contents.norms[0], values: Float32Array.of(Number.NaN) };
  assertPemnError(
    () =>
      encodePemn({
        ...contents,
        norms: [{ ...nanNorm, shape: [1] } as (typeof contents.norms)[0]],
      }),
    "invalid-contents",
    /holds NaN/,
  );
});
