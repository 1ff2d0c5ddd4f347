import type { JsonObject, PemnInspection } from "../../src/artifact/index.js";
import { byId, count, element, figure, percent } from "./dom.js";

/** What each weight strategy does, in a sentence (docs/generator.md, docs/format.md). */
const STRATEGY_WORDS: Readonly<Record<string, string>> = {
  dense: "ordinary trained weights, stored in the file",
  mask: "every layer has its own random values",
  "one-layer": "layers of one shape share one random tensor",
  mp: "every layer repeats one random vector (max-layer padding)",
  rp: "every layer tiles one short random vector (random vector padding)",
  quantized: "trained weights quantized per output channel (a quantization baseline)",
  binary: "trained weights as sign x a scale per output channel (a binary baseline)",
};

/** A config's fields as "key value, key value" (objects as JSON), but those in `skip`. */
function describeFields(fields: JsonObject, skip: readonly string[] = []): string {
  return Object.entries(fields)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key} ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(", ");
}

/** The "What the file holds" list. */
export function renderSummary(name: string, inspection: PemnInspection): void {
  const { model, strategy, generator } = inspection;
  const input = model.input as { channels: number; height: number; width: number };
  const row = (term: string, ...details: (Node | string)[]) => [
    element("dt", {}, term),
    element("dd", {}, ...details),
  ];
  const kind = String(strategy.kind);
  const values =
    inspection.valueMode === "seed"
      ? `regenerated from seed ${generator.seed} (${generator.name}); none stored`
      : inspection.valueMode === "stored"
        ? "stored in the file as float32"
        : inspection.valueMode === "quantized"
          ? "stored in the file as quantized levels, one scale per output channel"
          : "some regenerated from the seed, some stored";
  byId("summary").replaceChildren(
    ...row("File", `${name}, `, figure("totalBytes", inspection.totalBytes), " bytes"),
    ...row(
      "Architecture",
      element("strong", {}, String(model.name)),
      ` ${describeFields(model, ["name", "input", "classes"])}; input ${input.channels}×${input.height}×${input.width}, ${String(model.classes)} classes`,
    ),
    ...(inspection.dataset.name === null
      ? []
      : row(
          "Trained on",
          element("strong", {}, inspection.dataset.name),
          inspection.dataset.classNames === null
            ? ""
            : `, ${inspection.dataset.classNames.length} classes: ${inspection.dataset.classNames.join(", ")}`,
        )),
    ...row(
      "Strategy",
      element("strong", {}, kind),
      ` ${describeFields(strategy, ["kind"])}`,
      STRATEGY_WORDS[kind] === undefined
        ? ""
        : element("div", { class: "hint" }, STRATEGY_WORDS[kind]),
    ),
    ...row("Values", values),
    ...row(
      "Unique values",
      figure("uniqueValues", inspection.uniqueValues),
      inspection.storedValues > 0 ? ` (${count(inspection.storedValues)} stored)` : "",
    ),
    ...row(
      "Masked weights",
      figure("maskedWeights", inspection.maskedWeights),
      ` in ${inspection.maskedLayers} layers; `,
      figure("keptWeights", inspection.keptWeights),
      ` kept (${percent(inspection.keptWeights / inspection.maskedWeights)})`,
    ),
    ...row(
      "Norm tensors",
      `${inspection.norms.length}: `,
      figure("normParameters", inspection.normParameters),
      " trained parameters, ",
      figure("normRunningStatistics", inspection.normRunningStatistics),
      " running statistics",
    ),
    ...row(
      "Bits per weight",
      figure(
        "bitsPerMaskedWeight.withNorms",
        inspection.bitsPerMaskedWeight.withNorms,
        inspection.bitsPerMaskedWeight.withNorms.toFixed(3),
      ),
      " (",
      figure(
        "bitsPerMaskedWeight.withoutNorms",
        inspection.bitsPerMaskedWeight.withoutNorms,
        inspection.bitsPerMaskedWeight.withoutNorms.toFixed(3),
      ),
      " without norms) against 32 dense",
    ),
  );
}
