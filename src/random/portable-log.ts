import { highWord, lowWord } from "./float-bits.js";
import { powerOfTwo } from "./power-of-two.js";

/*
 * Natural logarithm as fdlibm 5.3's __ieee754_log (e_log.c, Sun Microsystems 1993), which is
 * also Java's StrictMath.log. Math.log may differ between engines in its last bits; this uses
 * only + - * / and bit access, all exact in IEEE-754, so its result is the same everywhere.
 * Error < 1 ulp. The constants are fdlibm's (as shortest decimals; bit patterns alongside). Where fdlibm
 * overwrites the exponent field of x, this multiplies by the same power of two (exact).
 */

const LN2_HI = 0.6931471803691238; // 3fe62e42 fee00000
const LN2_LO = 1.9082149292705877e-10; // 3dea39ef 35793c76
const TWO_POW_54 = 2 ** 54; // 43500000 00000000
const LG1 = 0.6666666666666735; // 3fe55555 55555593
const LG2 = 0.3999999999940942; // 3fd99999 9997fa04
const LG3 = 0.2857142874366239; // 3fd24924 94229359
const LG4 = 0.22222198432149784; // 3fcc71c5 1d8e78af
const LG5 = 0.1818357216161805; // 3fc74664 96cb03de
const LG6 = 0.15313837699209373; // 3fc39a09 d078c69f
const LG7 = 0.14798198605116586; // 3fc2f112 df3e5244
const ONE_THIRD = 0.3333333333333333; // 3fd55555 55555555

export function portableLog(input: number): number {
  let x = input;
  let hx = highWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative or subnormal.
    if (((hx & 0x7fffffff) | lowWord(x)) === 0) return Number.NEGATIVE_INFINITY;
    if (hx < 0) return Number.NaN;
    k -= 54;
    x *= TWO_POW_54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x; // +Infinity or NaN
  const exponent = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // Normalise x or x/2 into [sqrt(2)/2, sqrt(2)).
  const normalisingShift = exponent + (i >> 20);
  x *= powerOfTwo(-normalisingShift);
  k += normalisingShift;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      return k * LN2_HI + k * LN2_LO;
    }
    const r = f * f * (0.5 - ONE_THIRD * f);
    if (k === 0) return f - r;
    return k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const halfFSquared = 0.5 * f * f;
    if (k === 0) return f - (halfFSquared - s * (halfFSquared + r));
    return k * LN2_HI - (halfFSquared - (s * (halfFSquared + r) + k * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - r);
  return k * LN2_HI - (s * (f - r) - k * LN2_LO - f);
}
