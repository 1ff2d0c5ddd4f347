import type { ByteWriter } from "./byte-writer.js";
import { FORMAT_LIMITS } from "./format-spec.js";
import type { HeaderReader } from "./header-reader.js";
import { PemnFormatError } from "./pemn-format-error.js";

/**
 * Names in a table are front-coded (as in Lucene's term dictionaries): each stores how many
 * leading UTF-8 bytes it shares with the previous name, then the rest. Layer names such as
 * "blocks.3.pointwise" and "blocks.3.norm2.bias" mostly repeat their neighbours.
 */

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function writeFrontCodedName(out: ByteWriter, name: Uint8Array, previous: Uint8Array): void {
  let shared = 0;
  const longest = Math.min(name.length, previous.length);
  while (shared < longest && name[shared] === previous[shared]) shared++;
  out.varint(shared);
  out.varint(name.length - shared);
  out.bytes(name.subarray(shared));
}

/** The next name's UTF-8 bytes, given the previous name's. */
export function readFrontCodedName(
  reader: HeaderReader,
  previous: Uint8Array,
  what: string,
): Uint8Array {
  const shared = reader.varint(`${what}: shared prefix length`);
  const suffixLength = reader.varint(`${what}: suffix length`);
  if (shared > previous.length) {
    throw new PemnFormatError(
      "bad-header",
      `${what} shares ${shared} bytes with a previous name of ${previous.length}`,
    );
  }
  if (shared + suffixLength > FORMAT_LIMITS.maxNameBytes) {
    throw new PemnFormatError(
      "size-limit",
      `${what} is ${shared + suffixLength} bytes long, the limit is ${FORMAT_LIMITS.maxNameBytes}`,
    );
  }
  const name = new Uint8Array(shared + suffixLength);
  name.set(previous.subarray(0, shared));
  name.set(reader.bytes(suffixLength, `${what}: name`), shared);
  return name;
}

export function nameToUtf8(name: string): Uint8Array {
  return utf8.encode(name);
}

/** The name as a string; invalid UTF-8 is a "bad-header". */
export function nameFromUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new PemnFormatError("bad-header", `${what} is not valid UTF-8`);
  }
}
