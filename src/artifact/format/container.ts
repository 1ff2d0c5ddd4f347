import { crc32 } from "../../checksum/crc32.js";
import {
  PEMN_FORMAT_VERSION,
  PEMN_MAGIC,
  PREAMBLE_BYTES,
  SECTION_NAMES,
  type SectionName,
  TRAILER_BYTES,
} from "./format-spec.js";
import { PemnFormatError } from "./pemn-format-error.js";

/**
 * The container around the sections: magic, version, section table (length and CRC-32 of
 * each), the sections back to back, and the CRC-32 of everything before it.
 */

const VERSION_OFFSET = PEMN_MAGIC.length;
const TABLE_OFFSET = VERSION_OFFSET + 4;

export type SectionBytes = Readonly<Record<SectionName, Uint8Array>>;

export interface LocatedSection {
  /** Offset of the section's first byte in the file. */
  readonly offset: number;
  /** A view of the section's bytes. */
  readonly bytes: Uint8Array;
}

export type ContainerSections = Readonly<Record<SectionName, LocatedSection>>;

export function assembleContainer(sections: SectionBytes): Uint8Array {
  const bodyLength = SECTION_NAMES.reduce((sum, name) => sum + sections[name].length, 0);
  const file = new Uint8Array(PREAMBLE_BYTES + bodyLength + TRAILER_BYTES);
  const view = new DataView(file.buffer);
  file.set(PEMN_MAGIC, 0);
  view.setUint32(VERSION_OFFSET, PEMN_FORMAT_VERSION, true);
  let offset = PREAMBLE_BYTES;
  SECTION_NAMES.forEach((name, index) => {
    const bytes = sections[name];
    view.setUint32(TABLE_OFFSET + 8 * index, bytes.length, true);
    view.setUint32(TABLE_OFFSET + 8 * index + 4, crc32(bytes), true);
    file.set(bytes, offset);
    offset += bytes.length;
  });
  view.setUint32(offset, crc32(file.subarray(0, offset)), true);
  return file;
}

/**
 * The sections of a file, after checking, in this order: magic, version, that the section
 * lengths add up to the file's length, each section's CRC-32, then the whole file's CRC-32.
 */
export function readContainer(input: Uint8Array): ContainerSections {
  // A plain view: Buffer#slice would alias where Uint8Array#slice copies.
  const file = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  checkMagic(file);
  if (file.length < TABLE_OFFSET) {
    throw new PemnFormatError("truncated", `file of ${file.length} bytes ends inside the version`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint32(VERSION_OFFSET, true);
  if (version !== PEMN_FORMAT_VERSION) {
    throw new PemnFormatError(
      "unsupported-version",
      `format version ${version}; this reader knows version ${PEMN_FORMAT_VERSION} only`,
    );
  }
  if (file.length < PREAMBLE_BYTES + TRAILER_BYTES) {
    throw new PemnFormatError(
      "truncated",
      `file of ${file.length} bytes is shorter than the ${PREAMBLE_BYTES + TRAILER_BYTES} of an empty container`,
    );
  }
  const lengths = SECTION_NAMES.map((_, index) => view.getUint32(TABLE_OFFSET + 8 * index, true));
  const announced =
    PREAMBLE_BYTES + lengths.reduce((sum, length) => sum + length, 0) + TRAILER_BYTES;
  if (announced > file.length) {
    throw new PemnFormatError(
      "truncated",
      `section table announces ${announced} bytes (${describeLengths(lengths)}), file holds ${file.length}`,
    );
  }
  if (announced < file.length) {
    throw new PemnFormatError(
      "trailing-data",
      `${file.length - announced} bytes after the ${announced} the section table announces`,
    );
  }
  let offset = PREAMBLE_BYTES;
  const located = {} as Record<SectionName, LocatedSection>;
  SECTION_NAMES.forEach((name, index) => {
    const bytes = file.subarray(offset, offset + (lengths[index] as number));
    checkCrc(`${name} section`, view.getUint32(TABLE_OFFSET + 8 * index + 4, true), bytes);
    located[name] = { offset, bytes };
    offset += bytes.length;
  });
  checkCrc("file", view.getUint32(offset, true), file.subarray(0, offset));
  return located;
}

function checkMagic(file: Uint8Array): void {
  const present = Math.min(file.length, PEMN_MAGIC.length);
  for (let i = 0; i < present; i++) {
    if (file[i] !== PEMN_MAGIC[i]) {
      throw new PemnFormatError(
        "bad-magic",
        `not a .pemn file: starts with ${hexBytes(file.subarray(0, present))}, expected ${hexBytes(PEMN_MAGIC)}`,
      );
    }
  }
  if (present < PEMN_MAGIC.length) {
    throw new PemnFormatError(
      "truncated",
      `file of ${file.length} bytes ends inside the magic number`,
    );
  }
}

function checkCrc(what: string, stored: number, bytes: Uint8Array): void {
  const computed = crc32(bytes);
  if (computed !== stored) {
    throw new PemnFormatError(
      "checksum-mismatch",
      `${what} CRC-32 is ${hex32(computed)}, the file records ${hex32(stored)}`,
    );
  }
}

function describeLengths(lengths: readonly number[]): string {
  return SECTION_NAMES.map((name, index) => `${name} ${lengths[index]}`).join(", ");
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
