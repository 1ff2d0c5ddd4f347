/** A fraction as a percentage: 0.9123 -> "91.23%"; null (not measured) -> "n/a". */
export function formatPercent(fraction: number | null, digits = 2): string {
  return fraction === null ? "n/a" : `${(100 * fraction).toFixed(digits)}%`;
}
