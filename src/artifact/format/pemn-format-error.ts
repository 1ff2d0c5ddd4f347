/** What is wrong with a `.pemn` file (or with contents given to the encoder). */
export type PemnFormatProblem =
  /** The file does not start with the `.pemn` magic number. */
  | "bad-magic"
  /** The format version is not one this reader knows (0, or a future version). */
  | "unsupported-version"
  /** The file ends before a length it announces. */
  | "truncated"
  /** Bytes follow the end the file announces. */
  | "trailing-data"
  /** A section's or the file's CRC-32 differs from the one stored. */
  | "checksum-mismatch"
  /** The header is not valid: JSON, field types, table syntax, names. */
  | "bad-header"
  /** A shape or count exceeds the format's limits (see FORMAT_LIMITS). */
  | "size-limit"
  /** Section lengths disagree with the shapes and counts the header announces. */
  | "shape-mismatch"
  /** A mask's bytes do not decode to a mask of the announced shape and kept count. */
  | "bad-mask"
  /** A norm tensor holds a non-finite value, or a running variance a negative one. */
  | "bad-norm"
  /** A quantized layer's scale is negative or not finite, a level code is not a level, or padding bits are set. */
  | "bad-values"
  /** The encoder was given contents the format cannot represent faithfully. */
  | "invalid-contents";

/** A `.pemn` file, or contents for one, break the format; `code` says how. */
export class PemnFormatError extends Error {
  override readonly name = "PemnFormatError";

  constructor(
    readonly code: PemnFormatProblem,
    readonly detail: string,
    /** The file's path, when the bytes came from one. */
    readonly file?: string,
  ) {
    super(file === undefined ? `${code}: ${detail}` : `${file}: ${code}: ${detail}`);
  }
}
