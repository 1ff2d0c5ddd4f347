/** What to do with a request's Range header for a file of a known size. */
export type RangeAnswer =
  | { readonly kind: "whole" }
  | { readonly kind: "unsatisfiable" }
  | { readonly kind: "part"; readonly start: number; readonly end: number };

const WHOLE: RangeAnswer = { kind: "whole" };
const DIGITS = /^\d+$/;

/**
 * Reads a Range header (RFC 9110 §14.2) for a file of `size` bytes. One byte range is served;
 * anything else is ignored, which the RFC allows a server: a malformed header, another unit,
 * and several ranges (answering those takes multipart/byteranges). An int-range whose first
 * position is past the end, or an empty suffix, is unsatisfiable (416). Positions are compared
 * as numbers that may be Infinity, so no header can yield a position past 2^53.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return WHOLE;
  const equals = header.indexOf("=");
  if (equals < 0 || header.slice(0, equals).toLowerCase() !== "bytes") return WHOLE;
  // Empty list elements are allowed and skipped (RFC 9110 §5.6.1).
  const specs = header
    .slice(equals + 1)
    .split(",")
    .map((spec) => spec.trim())
    .filter((spec) => spec !== "");
  if (specs.length !== 1) return WHOLE;
  const [first, last, ...rest] = (specs[0] as string).split("-");
  if (first === undefined || last === undefined || rest.length > 0) return WHOLE;
  if (first === "") {
    if (!DIGITS.test(last)) return WHOLE;
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "part", start: Math.max(0, size - length), end: size - 1 };
  }
  if (!DIGITS.test(first) || (last !== "" && !DIGITS.test(last))) return WHOLE;
  const start = Number(first);
  const end = last === "" ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return WHOLE;
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "part", start, end: Math.min(end, size - 1) };
}
