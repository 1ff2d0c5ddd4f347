/**
 * The spec's normal sampler written out again for the tests, on the reference word stream.
 * It builds its own tables; it borrows only portableLog and portableSqrt, which have their own
 * tests (test/random/portable-math.test.ts).
 */
import { portableLog } from "../../src/random/portable-log.js";
import { portableSqrt } from "../../src/random/portable-sqrt.js";

const R = 3.6541528853610088;
const V = 4.92867323399e-3;
const F_R = 0.0012602859304985975;

export const referenceWidths: number[] = [V / F_R, R];
export const referenceHeights: number[] = [Number.NaN, F_R];
for (let i = 1; i <= 254; i++) {
  const height = (referenceHeights[i] as number) + V / (referenceWidths[i] as number);
  referenceHeights.push(height);
  referenceWidths.push(portableSqrt(-2 * portableLog(height)));
}
referenceWidths.push(0);
referenceHeights.push(1);

/** Draws standard normals from a plain list of words, as docs/generator.md describes. */
export function referenceNormals(words: readonly number[], count: number): number[] {
  let next = 0;
  const word = () => {
    const value = words[next++];
    if (value === undefined) throw new Error("reference ran out of words");
    return value;
  };
  const uniform53 = () => {
    const first = word();
    const second = word();
    return (Math.floor(first / 32) * 2 ** 26 + Math.floor(second / 64)) / 2 ** 53;
  };
  const values: number[] = [];
  while (values.length < count) {
    const first = word();
    const second = word();
    const layer = first % 256;
    const sign = Math.floor(first / 256) % 2 === 1 ? -1 : 1;
    const u = (Math.floor(first / 4096) * 2 ** 32 + second) / 2 ** 52;
    const x = u * (referenceWidths[layer] as number);
    if (x < (referenceWidths[layer + 1] as number)) {
      values.push(sign * x);
    } else if (layer === 0) {
      for (;;) {
        const a = -portableLog(1 - uniform53()) / R;
        const b = -portableLog(1 - uniform53());
        if (2 * b > a * a) {
          values.push(sign * (R + a));
          break;
        }
      }
    } else {
      const low = referenceHeights[layer] as number;
      const high = referenceHeights[layer + 1] as number;
      const y = low + uniform53() * (high - low);
      if (-2 * portableLog(y) > x * x) values.push(sign * x);
    }
  }
  return values;
}
