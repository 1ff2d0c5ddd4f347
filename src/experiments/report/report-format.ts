/** How a report writes its numbers, in tables, claims and plot labels alike. */

export { formatPercent } from "../../text/percent.js";

/** 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** A count short enough for an axis label: 17 -> "17", 12345 -> "12.3k", 1234567 -> "1.23M". */
export function formatCompact(value: number): string {
  if (value < 1000) return String(value);
  const [divisor, unit] = value < 1e6 ? [1e3, "k"] : [1e6, "M"];
  return `${Number((value / divisor).toPrecision(3))}${unit}`;
}

/** Seconds as "42 s", "12.5 min" or "3.20 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}
