import type { ConfigFlag, FlagValue } from "../config/config-flags.js";
import { type BackboneFlagValue, flagOption } from "./backbone.js";
import { BACKBONES } from "./registry.js";

/**
 * The registered backbones' flags as config flags (paths under `model`); a field several
 * backbones share is one flag, its help naming them (they read it alike:
 * test/models/backbones.test.ts checks).
 */
export function backboneConfigFlags(): ConfigFlag[] {
  const byField = new Map<
    string,
    { value: FlagValue; uses: { backbone: string; help: string }[] }
  >();
  for (const backbone of BACKBONES) {
    for (const flag of backbone.flags) {
      const entry = byField.get(flag.field) ?? { value: flagValue(flag.value), uses: [] };
      entry.uses.push({ backbone: backbone.name, help: flag.help });
      byField.set(flag.field, entry);
    }
  }
  return [...byField].map(([field, { value, uses }]) => ({
    name: flagOption(field).slice(2),
    path: ["model", field],
    help: uses.every((use) => use.help === uses[0]?.help)
      ? `${uses[0]?.help} (${uses.map((use) => use.backbone).join(", ")})`
      : uses.map((use) => `${use.backbone}: ${use.help}`).join("; "),
    value,
    ...(value.kind === "parsed" && { valueName: "list" }),
  }));
}

function flagValue(value: BackboneFlagValue): FlagValue {
  switch (value) {
    case "integer":
    case "number":
    case "string":
      return { kind: value };
    case "integers":
      return { kind: "parsed", parse: integerList };
  }
}

/** "100,100,100"; the backbone's schema checks each (a non-integer is NaN or a fraction). */
function integerList(text: string): number[] {
  return text.split(",").map((part) => {
    const value = part.trim() === "" ? Number.NaN : Number(part);
    if (!Number.isInteger(value))
      throw new Error(`expected integers separated by commas, got "${text}"`);
    return value;
  });
}
