import { statSync, truncateSync } from "node:fs";
import { open } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { DownloadError } from "./download-error.js";

/*
 * Plain node:http(s), not fetch: fetch decodes a Content-Encoding on the fly, and some
 * buckets serve .gz files with `Content-Encoding: gzip`, which would hand back other bytes
 * than the published ones. Here the bytes written are the bytes sent.
 */

export interface HttpDownloadOptions {
  /** Milliseconds without a byte (connecting, waiting for the answer, or mid-body) before giving up. */
  readonly stallTimeoutMs: number;
  /** Redirects followed before giving up (default 10). */
  readonly maxRedirects?: number;
  /** The published size: the download may not grow past it, and a server announcing another is refused. */
  readonly expectedBytes?: number;
  /** Called once the transfer starts: bytes already there (resumed), and the full size if known. */
  readonly onStart?: (info: { url: string; from: number; total: number | null }) => void;
  /** Called with each chunk's length. */
  readonly onData?: (bytes: number) => void;
}

export interface HttpDownloadResult {
  /** The file's length once done. */
  readonly bytes: number;
  /** Whether it continued bytes an earlier attempt left (a Range request the server honoured). */
  readonly resumed: boolean;
}

const DEFAULT_MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads `url` into `partFile`, continuing what an interrupted attempt left there with
 * an HTTP Range request; starts over when the server ignores the range (200) or answers for
 * other bytes. Follows redirects (bounded). Resolves once every byte the server announced is
 * on disk (flushed); the caller checks the checksum and renames the file into place.
 */
export async function downloadToFile(
  url: string,
  partFile: string,
  options: HttpDownloadOptions,
): Promise<HttpDownloadResult> {
  const expected = options.expectedBytes;
  let have = fileSize(partFile);
  if (expected !== undefined && have > expected) have = restart(partFile);
  // Every byte is already there (an attempt killed after its last write): nothing to ask for.
  if (expected !== undefined && have === expected && have > 0)
    return { bytes: have, resumed: true };
  for (let attempt = 0; ; attempt++) {
    const { response, stall } = await request(url, have, options);
    const status = response.statusCode ?? 0;
    let append = false;
    let total: number | null = null;
    if (status === 206 && have > 0) {
      const range = parseContentRange(response.headers["content-range"]);
      if (range === null || range.start !== have) {
        // Bytes from elsewhere than asked for: trust nothing, start over once.
        response.destroy();
        if (attempt > 0) throw unexpectedRange(url, response.headers["content-range"]);
        have = restart(partFile);
        continue;
      }
      append = true;
      total = range.total;
    } else if (status === 416 && have > 0) {
      response.destroy();
      // "Range Not Satisfiable": the part may already be the whole file.
      const range = parseUnsatisfiedRange(response.headers["content-range"]);
      if (range !== null && range === have) return { bytes: have, resumed: true };
      if (attempt > 0) throw httpStatus(url, status, response.statusMessage);
      have = restart(partFile);
      continue;
    } else if (status === 200) {
      const length = Number(response.headers["content-length"]);
      total = Number.isSafeInteger(length) && length >= 0 ? length : null;
    } else {
      response.destroy();
      throw httpStatus(url, status, response.statusMessage);
    }
    if (expected !== undefined && total !== null && total !== expected) {
      response.destroy();
      throw new DownloadError(
        "size-mismatch",
        `${url}: the server announces ${total} bytes, but the file is published with ${expected}`,
        { url },
      );
    }
    const from = append ? have : 0;
    options.onStart?.({ url, from, total });
    const bytes = await receiveBody(url, response, stall, partFile, append, from, options);
    if (total !== null && bytes !== total) {
      throw new DownloadError(
        "network",
        `${url}: the connection closed after ${bytes} of ${total} bytes`,
        { url },
      );
    }
    return { bytes, resumed: append };
  }
}

/** Writes the body to the file (appending or from scratch) and flushes it; returns the file's length. */
async function receiveBody(
  url: string,
  response: IncomingMessage,
  stall: StallWatch,
  partFile: string,
  append: boolean,
  from: number,
  options: HttpDownloadOptions,
): Promise<number> {
  const expected = options.expectedBytes;
  let length = from;
  const handle = await open(partFile, append ? "a" : "w");
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (expected !== undefined && length + chunk.length > expected) {
        throw new DownloadError(
          "size-mismatch",
          `${url}: sends more than the ${expected} bytes the file is published with`,
          { url },
        );
      }
      await handle.write(chunk);
      length += chunk.length;
      options.onData?.(chunk.length);
    }
    // A closed connection may end the body quietly: `complete` tells a whole message.
    if (!response.complete) throw closedEarly(url, length);
    await handle.sync();
  } catch (error) {
    response.destroy();
    // A stall destroys the socket, which the body reports as a reset: say what happened.
    throw stall.error ?? asDownloadError(url, error, length);
  } finally {
    await handle.close();
  }
  return length;
}

/** Set when the stall timeout fired on a request: the error to report. */
interface StallWatch {
  error: DownloadError | null;
}

/** GET `url` (from byte `from` on), following redirects; resolves with the final response. */
async function request(
  url: string,
  from: number,
  options: HttpDownloadOptions,
): Promise<{ response: IncomingMessage; stall: StallWatch }> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const stall: StallWatch = { error: null };
    const response = await get(url, current, from, options.stallTimeoutMs, stall);
    const status = response.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status)) return { response, stall };
    response.destroy();
    const location = response.headers.location;
    if (!location) {
      throw new DownloadError("redirect", `${url}: redirect ${status} without a Location`, {
        url,
      });
    }
    if (hop >= maxRedirects) {
      throw new DownloadError("redirect", `${url}: more than ${maxRedirects} redirects`, { url });
    }
    const next = new URL(location, current);
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new DownloadError("redirect", `${url}: redirected to ${next.href}, not http(s)`, {
        url,
      });
    }
    current = next;
  }
}

/** One GET; the stall timeout watches the socket from connecting until the body's end. */
function get(
  original: string,
  target: URL,
  from: number,
  stallTimeoutMs: number,
  stall: StallWatch,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = target.protocol === "https:" ? https : http;
    const headers: Record<string, string> = {
      // The stored bytes, never a re-encoding of them.
      "accept-encoding": "identity",
      "user-agent": "pemn (dataset download)",
    };
    if (from > 0) headers.range = `bytes=${from}-`;
    const req = client.get(target, { headers }, resolve);
    req.setTimeout(stallTimeoutMs, () => {
      stall.error = stalled(original, target, stallTimeoutMs);
      req.destroy(stall.error);
    });
    req.on("error", (error) => reject(stall.error ?? asDownloadError(original, error, from)));
  });
}

function stalled(original: string, target: URL, stallTimeoutMs: number): DownloadError {
  const via = target.href === original ? "" : ` (at ${target.href})`;
  return new DownloadError(
    "stalled",
    `${original}${via}: no data for ${formatSeconds(stallTimeoutMs)} (PEMN_DATA_STALL_TIMEOUT sets the wait)`,
    { url: original },
  );
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** A stream or socket failure as a DownloadError naming the URL (one already is passes through). */
function asDownloadError(url: string, error: unknown, bytes: number): Error {
  if (error instanceof DownloadError) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof DownloadError) return cause;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE")
    return closedEarly(url, bytes);
  // Disk errors (ENOSPC, EACCES on the part file) are not the network's: let them through.
  if (code !== undefined && DISK_CODES.has(code)) return error as Error;
  const reason = (error as Error).message || String(error);
  return new DownloadError("network", `${url}: ${code ? `${code}: ` : ""}${reason}`, {
    url,
    cause: error,
  });
}

const DISK_CODES = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EISDIR", "EMFILE"]);

function closedEarly(url: string, bytes: number): DownloadError {
  return new DownloadError(
    "network",
    `${url}: the connection closed early, after ${bytes} bytes (run again to resume)`,
    { url },
  );
}

function httpStatus(url: string, status: number, message: string | undefined): DownloadError {
  return new DownloadError("http-status", `${url}: HTTP ${status}${message ? ` ${message}` : ""}`, {
    url,
  });
}

function unexpectedRange(url: string, header: string | undefined): DownloadError {
  return new DownloadError(
    "network",
    `${url}: answered a resumed request with other bytes (Content-Range: ${header ?? "none"})`,
    { url },
  );
}

/** `bytes 100-199/1000` as { start: 100, total: 1000 } (total null for `*`), else null. */
function parseContentRange(
  header: string | undefined,
): { start: number; total: number | null } | null {
  const match = header?.match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  if (!match) return null;
  return { start: Number(match[1]), total: match[3] === "*" ? null : Number(match[3]) };
}

/** The full size in a 416 answer's Content-Range ("bytes *" then a slash and the size), else null. */
function parseUnsatisfiedRange(header: string | undefined): number | null {
  const match = header?.match(/^bytes \*\/(\d+)$/);
  return match ? Number(match[1]) : null;
}

function fileSize(path: string): number {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

/** Empties the part file (creating it if need be); returns 0, the bytes now there. */
function restart(partFile: string): number {
  try {
    truncateSync(partFile, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return 0;
}
