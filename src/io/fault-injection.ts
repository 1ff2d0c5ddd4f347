/*
 * A test hook for crash consistency: with PEMN_FAULT_AT="<point>:<n>" the process kills
 * itself (SIGKILL: no finally block, no exit handler runs) just before the n-th file
 * operation named <point>, e.g. "rename:state.json:2" or "*:7" (the 7th of any kind).
 * Points: write:<file> (before its temporary file is written), rename:<file>,
 * append:<file>, unlink:<file>. Without the variable it costs one comparison.
 */
const fault = parseFault(process.env.PEMN_FAULT_AT);
let reached = 0;

/** Marks a point where a crash must leave the files consistent. */
export function faultPoint(kind: "write" | "rename" | "append" | "unlink", file: string): void {
  if (fault === null || (fault.point !== "*" && fault.point !== `${kind}:${file}`)) return;
  reached += 1;
  if (reached === fault.count) process.kill(process.pid, "SIGKILL");
}

function parseFault(value: string | undefined): { point: string; count: number } | null {
  if (value === undefined || value === "") return null;
  const separator = value.lastIndexOf(":");
  const count = Number(value.slice(separator + 1));
  if (separator < 1 || !Number.isInteger(count) || count < 1) {
    throw new Error(`PEMN_FAULT_AT must be "<point>:<n>" with n >= 1, got "${value}"`);
  }
  return { point: value.slice(0, separator), count };
}
