import assert from "node:assert/strict";
import { assembleContainer, type SectionBytes } from "../../src/artifact/format/container.js";
import {
  PREAMBLE_BYTES,
  SECTION_NAMES,
  TRAILER_BYTES,
} from "../../src/artifact/format/format-spec.js";
import { encodeHeader, type PemnHeader } from "../../src/artifact/format/header.js";
import {
  PemnFormatError,
  type PemnFormatProblem,
} from "../../src/artifact/format/pemn-format-error.js";
import { crc32 } from "../../src/checksum/crc32.js";

/** Tools to build damaged or inconsistent files whose checksums are nevertheless right. */

const TABLE_OFFSET = 12;

/** A file with `header` (encoded as is, unchecked) and the given sections, checksums right. */
export function sealedFile(header: PemnHeader, sections: Partial<SectionBytes> = {}): Uint8Array {
  return sealedSections({ header: encodeHeader(header), ...sections });
}

export function sealedSections(sections: Partial<SectionBytes>): Uint8Array {
  const empty = new Uint8Array(0);
  return assembleContainer({
    header: sections.header ?? empty,
    values: sections.values ?? empty,
    masks: sections.masks ?? empty,
    norms: sections.norms ?? empty,
  });
}

/** The sections of a well-formed file, as copies. */
export function sectionsOf(file: Uint8Array): Record<(typeof SECTION_NAMES)[number], Uint8Array> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let offset = PREAMBLE_BYTES;
  const sections = {} as Record<(typeof SECTION_NAMES)[number], Uint8Array>;
  SECTION_NAMES.forEach((name, index) => {
    const length = view.getUint32(TABLE_OFFSET + 8 * index, true);
    sections[name] = file.slice(offset, offset + length);
    offset += length;
  });
  return sections;
}

/**
 * Recomputes every checksum of a file whose section table still adds up to its length, so a
 * mutation reaches the checks behind the checksums; null when the table no longer fits.
 */
export function resealed(file: Uint8Array): Uint8Array | null {
  if (file.length < PREAMBLE_BYTES + TRAILER_BYTES) return null;
  const copy = file.slice();
  const view = new DataView(copy.buffer);
  let offset = PREAMBLE_BYTES;
  for (let index = 0; index < SECTION_NAMES.length; index++) {
    const length = view.getUint32(TABLE_OFFSET + 8 * index, true);
    if (offset + length > copy.length - TRAILER_BYTES) return null;
    view.setUint32(
      TABLE_OFFSET + 8 * index + 4,
      crc32(copy.subarray(offset, offset + length)),
      true,
    );
    offset += length;
  }
  if (offset !== copy.length - TRAILER_BYTES) return null;
  view.setUint32(offset, crc32(copy.subarray(0, offset)), true);
  return copy;
}

/** Asserts that `action` throws a PemnFormatError with `code` and a message matching `pattern`. */
export function assertPemnError(
  action: () => unknown,
  code: PemnFormatProblem,
  pattern?: RegExp,
): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof PemnFormatError, `not a PemnFormatError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}
