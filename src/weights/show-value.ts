/** A received value as it would be written in a config (NaN and Infinity kept readable). */
export function showValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
