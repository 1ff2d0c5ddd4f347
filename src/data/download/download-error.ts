/**
 * What went wrong fetching a dataset; lets callers (and tests) react without parsing messages.
 * - "http-status": the server answered with an error status (404, 503, ...)
 * - "network": no connection, a DNS failure, or the connection closed part-way
 * - "stalled": no bytes arrived for the stall timeout
 * - "redirect": too many redirects, or one to something that is not http(s)
 * - "size-mismatch": more or fewer bytes than the file is published with
 * - "checksum-mismatch": the bytes do not hash to the published md5
 * - "unsafe-archive": an archive entry escapes its folder, or is a link or a device
 * - "bad-archive": an archive that cannot be read, or lacks the folder it should hold
 * - "target-in-the-way": the dataset's folder exists, holds files, and is not the dataset
 * - "unknown-dataset": no such dataset in the catalogue
 * - "failed": every location of a file failed (the message lists each one's reason)
 */
export type DownloadProblem =
  | "http-status"
  | "network"
  | "stalled"
  | "redirect"
  | "size-mismatch"
  | "checksum-mismatch"
  | "unsafe-archive"
  | "bad-archive"
  | "target-in-the-way"
  | "unknown-dataset"
  | "failed";

/** A dataset could not be fetched; `code` says why, `url` and `file` name what, when known. */
export class DownloadError extends Error {
  override readonly name = "DownloadError";
  readonly url: string | undefined;
  readonly file: string | undefined;

  constructor(
    readonly code: DownloadProblem,
    message: string,
    details: { readonly url?: string; readonly file?: string; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.url = details.url;
    this.file = details.file;
  }
}
