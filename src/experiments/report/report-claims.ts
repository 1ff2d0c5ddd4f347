import type { FigureKind } from "../sweep-record.js";
import { formatPercent } from "./report-format.js";
import { type MeanSd, nearChance, type ResultRow } from "./result-rows.js";

/*
 * The paper's claims as checks computed from the rows, one line each: what was compared,
 * the numbers, and the outcome. No reading of them: that is for a person.
 */

/** The checks of one backbone (Fig. 3, 4, 5) or of one file-size budget (size). */
export interface ClaimGroup {
  readonly heading: string;
  readonly checks: readonly string[];
}

export function reportClaims(figure: FigureKind, rows: readonly ResultRow[]): ClaimGroup[] {
  const groupOf = (row: ResultRow) =>
    figure === "size" ? `budget ${row.budget ?? "none"}` : row.backbone;
  const smallestBytes = (group: string) =>
    Math.min(...rows.filter((row) => groupOf(row) === group).map((row) => row.bytes?.mean ?? 0));
  const groups = [...new Set(rows.map(groupOf))];
  // Budgets from the smallest file up; backbones as the rows list them.
  if (figure === "size") groups.sort((a, b) => smallestBytes(a) - smallestBytes(b));
  return groups.map((heading) => {
    const own = rows.filter((row) => groupOf(row) === heading);
    const atChance = own.filter(nearChance);
    const warning = atChance.map(
      (row) =>
        `warning: ${row.method}${row.targetCompression === null ? "" : ` at ${formatPercent(row.targetCompression, 1)}`} is near chance (${formatPercent((row.accuracy as MeanSd).mean)} with ${row.classes} classes): it learned next to nothing, so no check below states a claim from it`,
    );
    const checks =
      figure === "representation"
        ? representationChecks(own)
        : figure === "compression"
          ? compressionChecks(own)
          : sizeChecks(own);
    return { heading, checks: [...warning, ...checks] };
  });
}

const accuracyText = (accuracy: MeanSd) =>
  `${formatPercent(accuracy.mean)}${accuracy.sd === null ? "" : ` ± ${formatPercent(accuracy.sd)}`}`;

/** Fig. 3: how far each other PEMN strategy falls below plain masking, against 2 sd. */
function representationChecks(rows: readonly ResultRow[]): string[] {
  const mask = rows.find((row) => row.family === "pemn" && row.method === "mask");
  if (mask?.accuracy == null) return ["no finished mask run: nothing to compare against"];
  const base = mask.accuracy;
  const checks: string[] = [];
  const dense = rows.find((row) => row.family === "dense")?.accuracy;
  if (dense != null) {
    checks.push(
      `dense ${accuracyText(dense)}, mask ${accuracyText(base)}: mask is ${points(dense.mean - base.mean)} below dense`,
    );
  }
  const drops: { method: string; drop: number }[] = [];
  for (const row of rows) {
    if (row.family !== "pemn" || row === mask) continue;
    if (row.accuracy === null) {
      checks.push(`${row.method}: no finished run`);
      continue;
    }
    const drop = base.mean - row.accuracy.mean;
    drops.push({ method: row.method, drop });
    const sds = [base.sd, row.accuracy.sd];
    const verdict = [mask, row].some(nearChance)
      ? "no claim: a run near chance"
      : sds.every((sd) => sd !== null)
        ? exceeds(drop, 2 * Math.max(...(sds as number[])))
        : "sd unknown (fewer than 2 seeds)";
    checks.push(
      `${row.method} (${row.uniqueValues ?? "?"} unique value${row.uniqueValues === 1 ? "" : "s"}): ${accuracyText(row.accuracy)}, ${points(drop)} below mask; ${verdict}`,
    );
  }
  if (drops.length > 0) {
    const largest = drops.reduce((a, b) => (b.drop > a.drop ? b : a));
    checks.push(`largest drop from mask: ${points(largest.drop)} at ${largest.method}`);
  }
  return checks;
}

function exceeds(drop: number, twoSd: number): string {
  return `${drop > twoSd ? "exceeds" : "within"} 2 sd (${points(twoSd)}; sd the larger of the two)`;
}

/**
 * Fig. 4/5: at each baseline target ratio, the best PEMN point whose measured ratio is at
 * least that target, against each baseline's mean at that target.
 */
function compressionChecks(rows: readonly ResultRow[]): string[] {
  const baselines = rows.filter((row) => row.family === "pruned" && row.targetCompression !== null);
  const targets = [...new Set(baselines.map((row) => row.targetCompression as number))].sort(
    (a, b) => a - b,
  );
  if (targets.length === 0) return ["no pruned baseline: nothing to compare against"];
  const pemn = rows.filter(
    (row) => row.family === "pemn" && row.accuracy !== null && row.compressionWithoutNorms !== null,
  );
  return targets.map((target) => {
    const atTarget = baselines
      .filter((row) => row.targetCompression === target)
      .map(
        (row) =>
          `${row.method} ${row.accuracy === null ? "no finished run" : formatPercent(row.accuracy.mean)}`,
      );
    const candidates = pemn.filter((row) => (row.compressionWithoutNorms as number) >= target);
    const head = `at ${formatPercent(target, 1)} target: ${atTarget.join(", ")}`;
    if (candidates.length === 0)
      return `${head}; no PEMN point at or above ${formatPercent(target, 1)}`;
    const best = candidates.reduce((a, b) =>
      (b.accuracy as MeanSd).mean > (a.accuracy as MeanSd).mean ? b : a,
    );
    const bestMean = (best.accuracy as MeanSd).mean;
    const means = baselines
      .filter((row) => row.targetCompression === target)
      .map((row) => row.accuracy?.mean);
    const beats = means.every((value) => value !== undefined && bestMean > value);
    const missing = means.some((value) => value === undefined);
    const chance = [best, ...baselines.filter((row) => row.targetCompression === target)].some(
      nearChance,
    );
    const verdict = missing
      ? "a baseline has no finished run"
      : chance
        ? "no claim: a run near chance"
        : beats
          ? "above every baseline: yes"
          : "above every baseline: no";
    return `${head}; best PEMN at or above it: ${best.method} (${formatPercent(best.compressionWithoutNorms as number)} measured) ${formatPercent(bestMean)}; ${verdict}`;
  });
}

/**
 * One budget of a size sweep: every method's accuracy and bytes, then the most accurate
 * PEMN against the most accurate baseline, with whether the gap exceeds twice the larger sd.
 */
function sizeChecks(rows: readonly ResultRow[]): string[] {
  const finished = rows.filter((row) => row.accuracy !== null && row.bytes !== null);
  const listed = finished
    .slice()
    .sort((a, b) => (b.accuracy as MeanSd).mean - (a.accuracy as MeanSd).mean)
    .map(
      (row) =>
        `${row.method} (${row.backbone}): ${accuracyText(row.accuracy as MeanSd)} in ${Math.round((row.bytes as MeanSd).mean).toLocaleString("en-US")} bytes`,
    );
  const best = (family: (row: ResultRow) => boolean) =>
    finished
      .filter(family)
      .reduce<ResultRow | null>(
        (a, b) => (a === null || (b.accuracy as MeanSd).mean > (a.accuracy as MeanSd).mean ? b : a),
        null,
      );
  const pemn = best((row) => row.family === "pemn");
  const baseline = best((row) => row.family !== "pemn");
  if (pemn === null || baseline === null)
    return [...listed, "no PEMN or no baseline finished: nothing to compare"];
  const a = pemn.accuracy as MeanSd;
  const b = baseline.accuracy as MeanSd;
  const gap = a.mean - b.mean;
  const verdict = [pemn, baseline].some(nearChance)
    ? "no claim: a run near chance"
    : a.sd !== null && b.sd !== null
      ? exceeds(Math.abs(gap), 2 * Math.max(a.sd, b.sd))
      : "sd unknown (fewer than 2 seeds)";
  return [
    ...listed,
    `best PEMN ${pemn.method} against best baseline ${baseline.method}: PEMN ${gap >= 0 ? "ahead" : "behind"} by ${points(Math.abs(gap))}; ${verdict}`,
  ];
}

function points(value: number): string {
  return `${(100 * value).toFixed(2)} points`;
}
