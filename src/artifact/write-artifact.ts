import { OutputFileError, writeFileAtomic } from "../io/atomic-write.js";

/** An artifact could not be written; `code` is the system's (ENOENT, EACCES, ...). */
export class ArtifactWriteError extends Error {
  override readonly name = "ArtifactWriteError";

  constructor(
    readonly file: string,
    readonly code: string | undefined,
    options: { cause: unknown },
  ) {
    super(
      code === "ENOENT"
        ? `${file}: cannot write it (no such directory)`
        : options.cause instanceof OutputFileError
          ? options.cause.message
          : `${file}: cannot write it (${(options.cause as Error).message})`,
      options,
    );
  }
}

/**
 * Replaces `path` with `bytes` (or chunks written one after another) atomically
 * (writeFileAtomic); failures name `path`.
 */
export function writeArtifact(path: string, bytes: Uint8Array | readonly Uint8Array[]): void {
  try {
    writeFileAtomic(path, bytes instanceof Uint8Array ? [bytes] : bytes);
  } catch (error) {
    throw new ArtifactWriteError(path, (error as NodeJS.ErrnoException).code, { cause: error });
  }
}
