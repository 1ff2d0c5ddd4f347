import { ConfigError } from "../../config/parse-config.js";
import { parseSweepSpec, type SweepSpec } from "../sweep-spec.js";
import { fig3Cifar10, fig4Cifar10, fig4Cifar100, fig5Cifar10 } from "./cifar-presets.js";
import { fig3Fashion, fig4Fashion } from "./fashion-presets.js";
import { imagenet100Resnet50 } from "./imagenet-presets.js";
import { smallestFashion } from "./smallest-fashion-preset.js";
import { fig3Tiny } from "./tiny-imagenet-presets.js";

/** The sweeps shipped with pemn (`pemn sweep --preset NAME`), in the order --list shows. */
const PRESETS = [
  fig3Fashion,
  fig4Fashion,
  smallestFashion,
  fig3Cifar10,
  fig4Cifar10,
  fig4Cifar100,
  fig5Cifar10,
  fig3Tiny,
  imagenet100Resnet50(),
];

export const PRESET_NAMES: readonly string[] = PRESETS.map((preset) => preset.name);

export function presetSpec(name: string): SweepSpec {
  const preset = PRESETS.find((candidate) => candidate.name === name);
  if (!preset)
    throw new ConfigError(`no preset "${name}"; the presets: ${PRESET_NAMES.join(", ")}`);
  return parseSweepSpec(preset, `preset ${name}`);
}
