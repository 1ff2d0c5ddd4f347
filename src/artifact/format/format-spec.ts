/** The fixed numbers of the `.pemn` format, version 1 (docs/format.md). */

/**
 * First eight bytes of every file. As in PNG: a high byte catches 7-bit transfers, CR LF
 * catches line-ending conversion, and 0x1a stops `type` on Windows.
 */
export const PEMN_MAGIC = Uint8Array.of(0x89, 0x50, 0x45, 0x4d, 0x4e, 0x0d, 0x0a, 0x1a);

/** The version this code writes and the only one it reads. */
export const PEMN_FORMAT_VERSION = 1;

/** The sections of a file, in file order. */
export const SECTION_NAMES = ["header", "values", "masks", "norms"] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** Magic, u32 version, then a u32 length and a u32 CRC-32 for each section. */
export const PREAMBLE_BYTES = PEMN_MAGIC.length + 4 + 8 * SECTION_NAMES.length;
/** The CRC-32 of everything before it closes the file. */
export const TRAILER_BYTES = 4;

export const FORMAT_LIMITS = {
  /** Dimensions of any tensor. */
  maxRank: 8,
  /** UTF-8 bytes of a layer or tensor name. */
  maxNameBytes: 256,
  /**
   * Elements of any one tensor, and masked weights of a whole file. A range-coded mask can be
   * far smaller than its bitset (0 bytes if it keeps all or none), so this, not the file's
   * length, bounds what decoding a mask may allocate: 128 MiB of bits.
   */
  maxElements: 2 ** 30,
} as const;

/** The longest file the format can describe: every section at its u32 length's maximum. */
export const MAX_PEMN_FILE_BYTES =
  PREAMBLE_BYTES + SECTION_NAMES.length * (2 ** 32 - 1) + TRAILER_BYTES;
