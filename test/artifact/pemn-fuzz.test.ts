import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodePemn,
  describePemn,
  encodePemn,
  type PemnContents,
  PemnFormatError,
} from "../../src/artifact/format/index.js";
import { testRandom } from "../helpers/test-random.js";
import { fixtureContents, smallConvMixer } from "./pemn-fixtures.js";
import { resealed } from "./pemn-surgery.js";

const originals: readonly Uint8Array[] = [
  encodePemn(fixtureContents({ seed: 1, ...smallConvMixer, keepFraction: 0.5 })),
  encodePemn(
    fixtureContents({
      seed: 2,
      ...smallConvMixer,
      keepFraction: 0.05,
      valueMode: "stored",
      normDtype: "fp16",
    }),
  ),
  encodePemn(
    fixtureContents({ seed: 3, masked: smallConvMixer.masked.slice(0, 2), keepFraction: 0.2 }),
  ),
];

type Mutation = (file: Uint8Array, random: () => number) => Uint8Array;

const position = (length: number, random: () => number) => Math.floor(random() * (length + 1));

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  "bit flips": (file, random) => {
    const mutated = file.slice();
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) {
      const at = Math.floor(random() * mutated.length);
      mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8));
    }
    return mutated;
  },
  "byte rewrite": (file, random) => {
    const mutated = file.slice();
    // Sometimes the byte it already holds: a no-op mutation.
    const at = Math.floor(random() * mutated.length);
    mutated[at] = random() < 0.3 ? (mutated[at] as number) : Math.floor(random() * 256);
    return mutated;
  },
  truncation: (file, random) => file.slice(0, Math.floor(random() * file.length)),
  "byte insertion": (file, random) => {
    const at = position(file.length, random);
    const inserted = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
      Math.floor(random() * 256),
    );
    return Uint8Array.from([...file.subarray(0, at), ...inserted, ...file.subarray(at)]);
  },
  "byte deletion": (file, random) => {
    const at = Math.floor(random() * file.length);
    const count = 1 + Math.floor(random() * 8);
    return Uint8Array.from([...file.subarray(0, at), ...file.subarray(at + count)]);
  },
  splice: (file, random) => {
    // A chunk of any original (this one included) overwrites or is inserted at a random place.
    const donor = originals[Math.floor(random() * originals.length)] as Uint8Array;
    const from = Math.floor(random() * donor.length);
    const chunk = donor.subarray(from, from + Math.floor(random() * 64));
    const at = position(file.length, random);
    const overwrite = random() < 0.5;
    return Uint8Array.from([
      ...file.subarray(0, at),
      ...chunk,
      ...file.subarray(overwrite ? at + chunk.length : at),
    ]);
  },
};

/** "ok" if decoding succeeds (then describing must too), else the PemnFormatError's code. */
function outcome(bytes: Uint8Array): { code: string; decoded?: PemnContents } {
  try {
    const decoded = decodePemn(bytes);
    describePemn(bytes);
    return { code: "ok", decoded };
  } catch (error) {
    if (error instanceof PemnFormatError) return { code: error.code };
    throw new Error(`not a PemnFormatError: ${String(error)}`, { cause: error });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

test("12,000 mutated files each end in a PemnFormatError, or decode unchanged if unchanged", (t) => {
  const random = testRandom(2022);
  const decodedOriginals = originals.map((file) => decodePemn(file));
  const tally = new Map<string, number>();
  const names = Object.keys(MUTATIONS);
  const started = performance.now();
  let slowest = 0;
  for (let trial = 0; trial < 12_000; trial++) {
    const which = trial % originals.length;
    const original = originals[which] as Uint8Array;
    const name = names[Math.floor(random() * names.length)] as string;
    const mutated = (MUTATIONS[name] as Mutation)(original, random);
    const caseStart = performance.now();
    const result = outcome(mutated);
    slowest = Math.max(slowest, performance.now() - caseStart);
    if (result.code === "ok") {
      assert.ok(
        sameBytes(mutated, original),
        `${name} (trial ${trial}) changed the file and it decoded`,
      );
      assert.deepEqual(result.decoded, decodedOriginals[which]);
    }
    const key = `${name}: ${result.code}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${seconds.toFixed(1)} s, slowest case ${slowest.toFixed(1)} ms`);
  for (const [key, count] of [...tally].sort()) t.diagnostic(`${key}: ${count}`);
  assert.ok(seconds < 60, `took ${seconds} s`);
});

test("4,000 mutations behind resealed checksums: a PemnFormatError or a self-consistent file", (t) => {
  // With the checksums recomputed, a mutation reaches the header, layout and mask checks.
  const random = testRandom(6699);
  const tally = new Map<string, number>();
  const names = ["bit flips", "byte rewrite", "splice"];
  for (let trial = 0; trial < 4000; trial++) {
    const original = originals[trial % originals.length] as Uint8Array;
    // Aim at the header section half the time: it holds the structure.
    const headerEnd = 44 + new DataView(original.buffer).getUint32(12, true);
    const target = random() < 0.5 ? original.subarray(0, headerEnd) : original;
    const name = names[Math.floor(random() * names.length)] as string;
    const mutatedPart = (MUTATIONS[name] as Mutation)(target, random);
    const mutated = Uint8Array.from([...mutatedPart, ...original.subarray(target.length)]);
    const sealed = resealed(mutated) ?? mutated;
    const result = outcome(sealed);
    if (result.code === "ok" && result.decoded) {
      // Whatever decodes is valid contents: it encodes, and that file decodes back to contents
      // that encode to it again (bytes compared: a mutated value may be NaN, unequal to itself).
      const reencoded = encodePemn(result.decoded);
      assert.ok(sameBytes(encodePemn(decodePemn(reencoded)), reencoded));
    }
    tally.set(result.code, (tally.get(result.code) ?? 0) + 1);
  }
  for (const [code, count] of [...tally].sort()) t.diagnostic(`${code}: ${count}`);
  assert.ok((tally.get("bad-header") ?? 0) > 100, "the header checks were reached");
});
