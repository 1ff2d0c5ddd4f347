import { randomBytes } from "node:crypto";

/*
 * Names of the temporary files that atomic writes rename into place. One must fit wherever
 * its final name fits (NAME_MAX is 255 bytes on most file systems, less on some), so it is
 * never longer than the final name, or than SHORTEST bytes for short names: the final name
 * is cut to make room for the random part. Hidden (a leading dot) and recognisable by its end.
 */

/** `.<hex>.tmp`: 12 random hex digits (48 bits) keep two writers of one path apart. */
const RANDOM_HEX = 12;
const SUFFIX = ".tmp";
/** A leading dot, the separating dot, the random part and the suffix. */
const OVERHEAD = 2 + RANDOM_HEX + SUFFIX.length;
/** The longest a temporary name of a short final name may be. */
const SHORTEST = 32;
const PATTERN = new RegExp(`^\\..*\\.[0-9a-f]{${RANDOM_HEX}}\\${SUFFIX}$`, "s");

/** A fresh temporary name for a file to be called `finalName`, at most as long as it (or 32 bytes). */
export function temporaryName(finalName: string): string {
  const budget = Math.max(Buffer.byteLength(finalName), SHORTEST) - OVERHEAD;
  return `.${cutToBytes(finalName, budget)}.${randomBytes(RANDOM_HEX / 2).toString("hex")}${SUFFIX}`;
}

/** Whether `name` is one temporaryName makes (an older pemn's `.<name>.<pid>.<hex>.tmp` too). */
export function isTemporaryName(name: string): boolean {
  return PATTERN.test(name);
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, never splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let cut = "";
  let length = 0;
  for (const character of text) {
    length += Buffer.byteLength(character);
    if (length > bytes) break;
    cut += character;
  }
  return cut;
}
