import type { ContainerSections, LocatedSection } from "./container.js";
import type { LayerEntry, NormEntry, PemnHeader } from "./header.js";
import { maskRecordBytes } from "./mask-encoding.js";
import { normByteLength } from "./norm-encoding.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { elementCount } from "./tensor-shape.js";
import { checkValueReference } from "./value-reference.js";

/** Where each layer's mask and each norm tensor lies, once the sections are known to fit. */
export interface SectionLayout {
  readonly storedValueCount: number;
  readonly layers: readonly Placed<LayerEntry>[];
  readonly norms: readonly Placed<NormEntry>[];
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
  if (values.length % 4 !== 0) {
    throw new PemnFormatError(
      "shape-mismatch",
      `values section of ${values.length} bytes is not a whole number of float32 values`,
    );
  }
  const storedValueCount = values.length / 4;
  for (const layer of header.layers) {
    checkValueReference(layer.values, storedValueCount, layer.name, "shape-mismatch");
  }
  const layers = place(header.layers, sections.masks, "masks", (layer, weights) =>
    maskRecordBytes(layer.mask, weights),
  );
  const norms = place(header.norms, sections.norms, "norms", (norm, elements) =>
    normByteLength(norm.dtype, elements),
  );
  return { storedValueCount, layers, norms };
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
