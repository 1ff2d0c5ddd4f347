import { PemnFormatError } from "./pemn-format-error.js";

const LARGEST_VARINT = 2 ** 32 - 1;
const MAX_VARINT_BYTES = 5;

/** Reads the header section; running out or a malformed number is a "bad-header". */
export class HeaderReader {
  readonly #bytes: Uint8Array;
  #position = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get position(): number {
    return this.#position;
  }

  get remaining(): number {
    return this.#bytes.length - this.#position;
  }

  byte(what: string): number {
    if (this.#position >= this.#bytes.length) this.#endsInside(what);
    return this.#bytes[this.#position++] as number;
  }

  /** An unsigned LEB128 number up to 2^32 - 1, in its shortest form (so files are canonical). */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let count = 1; ; count++) {
      const byte = this.byte(what);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && count > 1) this.#bad(`${what} is a varint with a redundant zero byte`);
        if (value > LARGEST_VARINT) this.#bad(`${what} is ${value}, above 2^32 - 1`);
        return value;
      }
      if (count === MAX_VARINT_BYTES) this.#bad(`${what} is a varint longer than 5 bytes`);
      scale *= 0x80;
    }
  }

  /** The next `length` bytes, as a view. */
  bytes(length: number, what: string): Uint8Array {
    if (length > this.remaining) this.#endsInside(what);
    const view = this.#bytes.subarray(this.#position, this.#position + length);
    this.#position += length;
    return view;
  }

  #endsInside(what: string): never {
    this.#bad(`header ends inside ${what}`);
  }

  #bad(detail: string): never {
    throw new PemnFormatError("bad-header", detail);
  }
}
