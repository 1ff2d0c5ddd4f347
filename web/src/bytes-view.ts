import type { PemnInspection } from "../../src/artifact/index.js";
import { byId, element, figure, percent } from "./dom.js";
import { PART_COLORS, sizeChart } from "./size-chart.js";

/** "Where the bytes go": the bars, the table of parts, the compression figures. */
export function renderBytes(inspection: PemnInspection): void {
  byId("size-chart").replaceChildren(sizeChart(inspection));
  const header = element(
    "tr",
    {},
    element("th", {}, "part of the file"),
    element("th", {}, "bytes"),
    element("th", {}, "bits per masked weight"),
    element("th", {}, "share"),
  );
  const parts = (["framing", "header", "values", "masks", "norms"] as const).map((part) => {
    const cost = inspection.parts[part];
    return element(
      "tr",
      {},
      element(
        "td",
        {},
        element("span", { class: "swatch", style: `background:${PART_COLORS[part]}` }),
        part,
      ),
      element("td", {}, figure(`parts.${part}.bytes`, cost.bytes)),
      element(
        "td",
        {},
        figure(
          `parts.${part}.bitsPerMaskedWeight`,
          cost.bitsPerMaskedWeight,
          cost.bitsPerMaskedWeight.toFixed(4),
        ),
      ),
      element("td", {}, percent(cost.bytes / inspection.totalBytes)),
    );
  });
  const total = element(
    "tr",
    { class: "total" },
    element("td", {}, "total"),
    element("td", {}, figure("totalBytes", inspection.totalBytes)),
    element(
      "td",
      {},
      figure(
        "bitsPerMaskedWeight.withNorms",
        inspection.bitsPerMaskedWeight.withNorms,
        inspection.bitsPerMaskedWeight.withNorms.toFixed(4),
      ),
    ),
    element("td", {}, "100%"),
  );
  byId("parts").replaceChildren(
    element("thead", {}, header),
    element("tbody", {}, ...parts, total),
  );
  const { compression, pruned } = inspection;
  const ratio = (path: string, value: number) => figure(path, value, percent(value, 2));
  byId("compression").replaceChildren(
    "Against dense float32 weights this file is ",
    ratio(
      "compression.file.withoutNorms.compressionRatio",
      compression.file.withoutNorms.compressionRatio,
    ),
    " smaller without the norm tensors, ",
    ratio(
      "compression.file.withNorms.compressionRatio",
      compression.file.withNorms.compressionRatio,
    ),
    " with them (the paper's count, 32 bits per unique value plus 1 bit per weight: ",
    ratio(
      "compression.paper.withoutNorms.compressionRatio",
      compression.paper.withoutNorms.compressionRatio,
    ),
    "). A pruned network in the same bits (32-bit values, two ",
    figure("pruned.indexBits", pruned.indexBits),
    "-bit indices per weight) keeps ",
    figure("pruned.sameAsFile.keptWeights", pruned.sameAsFile.keptWeights),
    " of its weights.",
  );
}
