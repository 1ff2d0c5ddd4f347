import type { Command } from "commander";
import {
  DEFAULT_INDEX_BITS,
  type PartCost,
  type PemnInspection,
  type StorageFigure,
} from "../artifact/index.js";
import { inspectPemnFile } from "../artifact/pemn-file.js";
import { formatPercent } from "../text/percent.js";
import { integer } from "./arguments.js";

const count = (value: number) => value.toLocaleString("en-US");
const bits = (value: number) => value.toFixed(4);

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("what a .pemn file holds and what each part costs, against dense and pruned")
    .argument("<file>", "a .pemn file")
    .option("--json", "print every figure as one JSON object (docs/cli.md lists the fields)")
    .option("--layers", "also list each masked layer and norm tensor")
    .option(
      "--index-bits <n>",
      `index width of the pruned comparison (default ${DEFAULT_INDEX_BITS})`,
      integer({ min: 1 }),
    )
    .action((file: string, options: { json?: boolean; layers?: boolean; indexBits?: number }) => {
      const inspection = inspectPemnFile(file, options.indexBits ?? DEFAULT_INDEX_BITS);
      if (options.json) console.log(JSON.stringify(inspection, null, 2));
      else printInspection(file, inspection, Boolean(options.layers));
    });
}

function printInspection(file: string, inspection: PemnInspection, withLayers: boolean): void {
  const { model, strategy, generator, parts, compression, pruned } = inspection;
  const { name: modelName, ...modelFields } = model;
  const { kind, ...strategyFields } = strategy;
  console.log(`${file}: .pemn format ${inspection.formatVersion}`);
  console.log(`model:          ${String(modelName)} ${JSON.stringify(modelFields)}`);
  console.log(`strategy:       ${String(kind)} ${JSON.stringify(strategyFields)}`);
  console.log(`generator:      ${generator.name}, seed ${generator.seed}`);
  const { dataset } = inspection;
  if (dataset.name !== null) {
    const names = dataset.classNames;
    const shown =
      names === null
        ? ""
        : `, ${names.length} classes: ${names.slice(0, 10).join(", ")}${names.length > 10 ? `, ... (${names.length - 10} more)` : ""}`;
    console.log(`dataset:        ${dataset.name}${shown}`);
  }
  console.log(
    `values:         ${inspection.valueMode}; the strategy's unique values ${count(inspection.uniqueValues)}, stored in the file ${count(inspection.storedValues)}`,
  );
  console.log(
    `masked weights: ${count(inspection.maskedWeights)} in ${inspection.maskedLayers} layers, ${count(inspection.keptWeights)} kept (${formatPercent(inspection.keptWeights / inspection.maskedWeights)})`,
  );
  console.log(
    `norm tensors:   ${inspection.norms.length}: ${count(inspection.normParameters)} parameters, ${count(inspection.normRunningStatistics)} running statistics`,
  );
  console.log("");
  const rows: [string, PartCost][] = [
    ["framing", parts.framing],
    ["header", parts.header],
    ["values", parts.values],
    ["masks", parts.masks],
    ["norms", parts.norms],
  ];
  console.log(`${"part".padEnd(22)}${"bytes".padStart(12)}  bits per masked weight`);
  for (const [part, cost] of rows) {
    console.log(
      `${part.padEnd(22)}${count(cost.bytes).padStart(12)}  ${bits(cost.bitsPerMaskedWeight)}`,
    );
  }
  console.log(
    `${"total".padEnd(22)}${count(inspection.totalBytes).padStart(12)}  ${bits(inspection.bitsPerMaskedWeight.withNorms)} (${bits(inspection.bitsPerMaskedWeight.withoutNorms)} without norms)`,
  );
  console.log("");
  console.log("compression against 32-bit dense, 1 - bits / (32 x weights):");
  const figure = (label: string, pair: { withNorms: StorageFigure; withoutNorms: StorageFigure }) =>
    console.log(
      `  ${label.padEnd(52)} ${formatPercent(pair.withoutNorms.compressionRatio).padStart(8)} without norms (${count(pair.withoutNorms.bits)} bits), ${formatPercent(pair.withNorms.compressionRatio)} with norms and running statistics`,
    );
  figure("this file", compression.file);
  const network = inspection.prunedNetwork;
  const quantized = inspection.quantizedNetwork;
  if (quantized !== null) {
    const levels = quantized.bits === 1 ? "1-bit signs (binary)" : `${quantized.bits}-bit levels`;
    const scale =
      quantized.scale === "max" ? `largest |w| / ${2 ** (quantized.bits - 1) - 1}` : "mean |w|";
    console.log("");
    console.log(
      `quantized network: ${levels}, a scale per output channel (${scale}): ${count(quantized.levelBytes)} bytes of levels + ${count(quantized.scaleBytes)} bytes of scales, ${bits(quantized.bitsPerWeight)} bits per weight`,
    );
    figure(
      `its levels + scales (${count(parts.framing.bytes + parts.header.bytes)} bytes of header, framing left out)`,
      quantized.compression,
    );
  } else if (network === null) {
    figure("the paper's count (32 bits per unique value + masks)", compression.paper);
  } else {
    const { index } = network;
    const scheme =
      index.kind === "bitmap"
        ? "bitmap (1 bit per weight)"
        : index.kind === "csr"
          ? `csr ${index.bits}-bit (2 entries per kept weight, stored as ${2 * index.bits}-bit relative indices)`
          : `relative ${index.bits}-bit`;
    console.log("");
    console.log(
      `pruned network: ${network.criterion}, ${network.scope} scope, ${count(network.keptWeights)} weights kept (sparsity ${formatPercent(network.sparsity)}), index ${scheme}`,
    );
    figure(
      `its values + index (${count(parts.framing.bytes + parts.header.bytes)} bytes of header, framing left out)`,
      network.compression,
    );
    console.log(`  target ${formatPercent(network.targetCompression)}`);
  }
  // A pruned file is its own pruned network: the comparison is for PEMNs (and quantized ones).
  if (network === null) {
    console.log("");
    console.log(
      `a pruned network in the same bits (32-bit values, 2 index entries of ${pruned.indexBits} bits per kept weight):`,
    );
    for (const [label, comparison] of [
      ["as this file", pruned.sameAsFile],
      [quantized === null ? "as the paper's count" : "as levels + scales", pruned.sameAsPaper],
    ] as const) {
      console.log(
        `  ${label.padEnd(22)} keeps ${count(comparison.keptWeights)} weights (sparsity ${formatPercent(comparison.sparsity)}): ${count(comparison.valueBits)} value bits + ${count(comparison.indexBits)} index bits`,
      );
    }
  }
  if (!withLayers) return;
  const width =
    2 + Math.max(...[...inspection.layers, ...inspection.norms].map((row) => row.name.length));
  console.log("");
  console.log(
    `${"masked layer".padEnd(width)}${"shape".padEnd(18)}${"kept".padStart(8)}  values  mask`,
  );
  for (const layer of inspection.layers) {
    console.log(
      `${layer.name.padEnd(width)}${layer.shape.join("x").padEnd(18)}${formatPercent(layer.keepFraction).padStart(8)}  ${layer.values.kind.padEnd(6)}  ${count(layer.bytes)} bytes, ${layer.encoding} (${bits(layer.bitsPerWeight)} bits per weight)${layer.values.kind === "quantized" ? `; values ${count(layer.valueBytes)} bytes, ${layer.values.bits}-bit levels (${bits((8 * layer.valueBytes) / layer.weights)} bits per weight with scales)` : ""}`,
    );
  }
  console.log("");
  console.log(`${"norm tensor".padEnd(width)}${"shape".padEnd(18)}${"dtype".padStart(8)}`);
  for (const norm of inspection.norms) {
    console.log(
      `${norm.name.padEnd(width)}${norm.shape.join("x").padEnd(18)}${norm.dtype.padStart(8)}  ${count(norm.bytes)} bytes`,
    );
  }
}
