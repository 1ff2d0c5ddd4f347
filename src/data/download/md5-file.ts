import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The md5 of a file's bytes, as lower-case hex (read as a stream: archives are 100s of MB). */
export async function md5OfFile(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
