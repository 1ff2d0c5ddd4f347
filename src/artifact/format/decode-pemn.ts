import { readContainer } from "./container.js";
import { decodeFloat32 } from "./float32-bytes.js";
import { decodeHeader, type LayerEntry } from "./header.js";
import { countKept } from "./mask-bits.js";
import { decodeMask } from "./mask-encoding.js";
import { decodeNormValues } from "./norm-encoding.js";
import { checkNormValues } from "./norm-values.js";
import type { MaskedLayer, NormTensor, PemnContents } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { decodeQuantizedValues } from "./quantized-values.js";
import { layOutSections } from "./section-layout.js";

/**
 * The contents of a `.pemn` file. Every problem throws a PemnFormatError whose code names it;
 * sizes are checked against the file's length (or FORMAT_LIMITS) before anything is allocated,
 * and checksums before any mask or value is decoded.
 */
export function decodePemn(bytes: Uint8Array): PemnContents {
  const sections = readContainer(bytes);
  const header = decodeHeader(sections.header.bytes);
  const layout = layOutSections(header, sections);
  const maskedLayers = layout.layers.map(
    ({ entry, elements, bytes: maskBytes, values }): MaskedLayer => ({
      name: entry.name,
      shape: entry.shape,
      values:
        entry.values.kind === "quantized"
          ? decodeQuantizedValues(
              values.bytes,
              entry.shape,
              entry.values.bits,
              entry.values.scaleDtype,
              entry.name,
            )
          : entry.values,
      mask: decodeKeptMask(entry, decodeMask(entry.mask, maskBytes, elements, entry.name)),
    }),
  );
  const norms = layout.norms.map(({ entry, bytes: normBytes }): NormTensor => {
    const norm: NormTensor = {
      name: entry.name,
      shape: entry.shape,
      dtype: entry.dtype,
      values: decodeNormValues(entry.dtype, normBytes, entry.name),
    };
    checkNormValues(norm, "bad-norm");
    return norm;
  });
  return {
    model: header.model,
    strategy: header.strategy,
    generator: header.generator,
    ...(header.dataset === undefined ? {} : { dataset: header.dataset }),
    maskedLayers,
    storedValues: decodeFloat32(layout.storedValueBytes),
    norms,
  };
}

/** A pruned layer's bitset must keep as many weights as the layer has kept values. */
function decodeKeptMask(entry: LayerEntry, mask: Uint8Array): Uint8Array {
  if (entry.values.kind === "kept" && countKept(mask) !== entry.values.length) {
    throw new PemnFormatError(
      "bad-mask",
      `mask of layer "${entry.name}" keeps ${countKept(mask)} weights, the layer has ${entry.values.length} kept values`,
    );
  }
  return mask;
}
