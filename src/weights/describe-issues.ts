import type { z } from "zod";

/** One line naming every problem and the field it is in, for errors thrown at the edges. */
export function describeIssues(subject: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(whole value)";
    return `${field}: ${issue.message}`;
  });
  return `invalid ${subject}: ${problems.join("; ")}`;
}

/** A received value as it would be written in a config (NaN and Infinity kept readable). */
export function showValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
