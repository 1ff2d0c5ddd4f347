/*
 * RP's prototype length u = floor(d_m * r) + 1, with r read as the decimal it is written as.
 *
 * In float64, d_m * r can land just below an integer it equals in decimal: 100 * 0.29 is
 * 28.999999999999996, whose floor is 28, not 29. So r is taken as the decimal number of its
 * shortest round-trip form (ECMAScript Number::toString, Python repr, C++ std::to_chars), and
 * the floor is computed exactly in integers. For the paper's ratios 1e-1 ... 1e-5 this agrees
 * with the reference code's float64 floor for every layer size (each of those doubles lies
 * slightly above its decimal), so results stay comparable with the paper.
 */

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** A positive finite number as an exact decimal: digits * 10^exponent. */
function decimalOf(value: number): { digits: bigint; exponent: number } {
  const match = DECIMAL.exec(String(value));
  if (match === null) throw new RangeError(`not a positive finite decimal: ${value}`);
  const [, whole = "", fraction = "", powerOfTen = "0"] = match;
  return { digits: BigInt(whole + fraction), exponent: Number(powerOfTen) - fraction.length };
}

/**
 * Number of prototype values for RP with ratio r in (0, 1] over a largest layer of d_m values:
 * floor(d_m * r) + 1, capped at d_m (only r = 1 reaches the cap; more values could not be used).
 */
export function rpPrototypeLength(maxLayerSize: number, ratio: number): number {
  if (!(ratio > 0 && ratio <= 1)) {
    throw new RangeError(`RP ratio must be in (0, 1], got ${ratio}`);
  }
  if (!Number.isSafeInteger(maxLayerSize) || maxLayerSize < 1) {
    throw new RangeError(`largest layer size must be a positive integer, got ${maxLayerSize}`);
  }
  const { digits, exponent } = decimalOf(ratio);
  const scaled = BigInt(maxLayerSize) * digits;
  const floor =
    exponent >= 0 ? scaled * 10n ** BigInt(exponent) : scaled / 10n ** BigInt(-exponent);
  return Math.min(Number(floor) + 1, maxLayerSize);
}
