import type { PemnInspection } from "../../src/artifact/index.js";
import type { DecoderClient } from "./decoder-client.js";
import { byId, count, element, figure, percent } from "./dom.js";
import { drawMask } from "./mask-picture.js";

/** Draws `layer`'s mask, with its caption, and marks its row. */
async function showMask(client: DecoderClient, layer: string): Promise<void> {
  const mask = await client.ask({ kind: "mask", layer });
  const { rows, columns } = drawMask(byId<HTMLCanvasElement>("mask-picture"), mask);
  const kept = mask.kept.reduce((sum, bit) => sum + bit, 0);
  byId("mask-caption").replaceChildren(
    element("strong", {}, layer),
    ` [${mask.shape.join(", ")}]: ${count(kept)} of ${count(mask.kept.length)} kept (${percent(kept / mask.kept.length)}). `,
    element("span", { class: "key kept" }),
    "kept ",
    element("span", { class: "key dropped" }),
    `dropped; ${rows} rows (outputs) × ${columns} columns (inputs${mask.shape.length > 2 ? " × kernel" : ""}).`,
  );
  for (const row of byId("layers").querySelectorAll("tbody tr")) {
    row.classList.toggle("selected", (row as HTMLElement).dataset.layer === layer);
  }
}

/** The layer table; choosing a row draws that layer's mask (the largest layer's first). */
export function renderLayers(client: DecoderClient, inspection: PemnInspection): void {
  const headings = ["layer", "shape", "weights", "kept", "values", "mask bytes", "encoding"];
  const rows = inspection.layers.map((layer, index) => {
    const row = element(
      "tr",
      { "data-layer": layer.name, tabindex: "0" },
      element("td", {}, layer.name),
      element("td", {}, layer.shape.join("×")),
      element("td", {}, figure(`layers.${index}.weights`, layer.weights)),
      element("td", {}, percent(layer.keepFraction)),
      element("td", {}, layer.values.kind),
      element("td", {}, figure(`layers.${index}.bytes`, layer.bytes)),
      element("td", {}, layer.encoding),
    );
    row.addEventListener("click", () => void showMask(client, layer.name));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") void showMask(client, layer.name);
    });
    return row;
  });
  byId("layers").replaceChildren(
    element(
      "thead",
      {},
      element("tr", {}, ...headings.map((heading) => element("th", {}, heading))),
    ),
    element("tbody", {}, ...rows),
  );
  const largest = inspection.layers.reduce((best, layer) =>
    layer.weights > best.weights ? layer : best,
  );
  void showMask(client, largest.name);
}
