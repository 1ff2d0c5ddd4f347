import type { ContainerSections, LocatedSection } from "./container.js";
import type { LayerEntry, NormEntry, PemnHeader } from "./header.js";
import { maskRecordBytes } from "./mask-encoding.js";
import { normByteLength } from "./norm-encoding.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { quantizedValueBytes } from "./quantized-values.js";
import { elementCount } from "./tensor-shape.js";
import { checkValueReference } from "./value-reference.js";

/** Where each layer's mask and each norm tensor lies, once the sections are known to fit. */
export interface SectionLayout {
  readonly storedValueCount: number;
  /** The stored float32 values: the start of the values section. */
  readonly storedValueBytes: Uint8Array;
  readonly layers: readonly PlacedLayer[];
  readonly norms: readonly Placed<NormEntry>[];
}

export interface PlacedLayer extends Placed<LayerEntry> {
  /**
   * A quantized layer's scales and levels in the values section, after the stored floats and
   * the quantized layers before it (empty for other layers).
   */
  readonly values: { readonly offset: number; readonly bytes: Uint8Array };
}

export interface Placed<Entry> {
  readonly entry: Entry;
  /** Number of weights (layers) or elements (norm tensors). */
  readonly elements: number;
  /** Offset in the file. */
  readonly offset: number;
  /** A view of the entry's bytes. */
  readonly bytes: Uint8Array;
}

/**
 * Checks that each section holds exactly what the header announces ("shape-mismatch"
 * otherwise) and places every entry in it, without reading any mask or value. The header's
 * shapes were checked by decodeHeader.
 */
export function layOutSections(header: PemnHeader, sections: ContainerSections): SectionLayout {
  const values = sections.values.bytes;
  // The quantized layers' blocks close the values section; the stored floats come first.
  const blockLengths = header.layers.map((layer) => {
    if (layer.values.kind !== "quantized") return 0;
    const { scales, levels } = quantizedValueBytes(
      layer.shape,
      layer.values.bits,
      layer.values.scaleDtype,
    );
    return scales + levels;
  });
  const blocks = blockLengths.reduce((sum, length) => sum + length, 0);
  if (blocks > values.length) {
    throw new PemnFormatError(
      "shape-mismatch",
      `the quantized layers need ${blocks} bytes of values, the values section holds ${values.length}`,
    );
  }
  const floatBytes = values.length - blocks;
  if (floatBytes % 4 !== 0) {
    throw new PemnFormatError(
      "shape-mismatch",
      blocks === 0
        ? `values section of ${values.length} bytes is not a whole number of float32 values`
        : `values section of ${values.length} bytes less ${blocks} of quantized layers is not a whole number of float32 values`,
    );
  }
  const storedValueCount = floatBytes / 4;
  for (const layer of header.layers) {
    checkValueReference(layer.values, storedValueCount, layer.name, "shape-mismatch");
  }
  let position = floatBytes;
  const valueBlocks = blockLengths.map((length) => {
    const block = {
      offset: sections.values.offset + position,
      bytes: values.subarray(position, position + length),
    };
    position += length;
    return block;
  });
  const layers = place(header.layers, sections.masks, "masks", (layer, weights) =>
    maskRecordBytes(layer.mask, weights),
  ).map(
    (layer, index): PlacedLayer => ({
      ...layer,
      values: valueBlocks[index] as PlacedLayer["values"],
    }),
  );
  const norms = place(header.norms, sections.norms, "norms", (norm, elements) =>
    normByteLength(norm.dtype, elements),
  );
  return { storedValueCount, storedValueBytes: values.subarray(0, floatBytes), layers, norms };
}

/** Entries placed back to back; their lengths must add up to the section's, checked first. */
function place<Entry extends { readonly shape: readonly number[] }>(
  entries: readonly Entry[],
  section: LocatedSection,
  sectionName: string,
  byteLengthOf: (entry: Entry, elements: number) => number,
): Placed<Entry>[] {
  const elements = entries.map((entry) => elementCount(entry.shape));
  const lengths = entries.map((entry, index) => byteLengthOf(entry, elements[index] as number));
  const total = lengths.reduce((sum, length) => sum + length, 0);
  if (total !== section.bytes.length) {
    throw new PemnFormatError(
      "shape-mismatch",
      `the header's entries need ${total} bytes of ${sectionName}, the ${sectionName} section holds ${section.bytes.length}`,
    );
  }
  let position = 0;
  return entries.map((entry, index) => {
    const length = lengths[index] as number;
    const placed = {
      entry,
      elements: elements[index] as number,
      offset: section.offset + position,
      bytes: section.bytes.subarray(position, position + length),
    };
    position += length;
    return placed;
  });
}
