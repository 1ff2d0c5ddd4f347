import { realpath } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sirv from "sirv";
import { parseRange } from "./byte-range.js";
import { guardedHandler } from "./guarded-handler.js";
import { serveNamedFile } from "./named-file.js";
import { resolveFile } from "./resolve-file.js";

export interface StaticServer {
  /** Where the site is, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  close(): Promise<void>;
}

const ALLOWED_METHODS = "GET, HEAD";

/**
 * Serves the regular files under `dir` over HTTP with sirv (no directory listings), behind a
 * guard: GET and HEAD only (else 405), 404 for dotfiles and for whatever, links followed,
 * is not a regular file inside `dir`'s real path, and Range headers checked before sirv sees
 * them (sirv trusts them: an out-of-range position threw from createReadStream and ended the
 * process). No request can end the process (see guardedHandler). Port 0 takes a free port.
 * Resolves once it listens.
 */
export async function startStaticServer(
  dir: string,
  options: {
    readonly port: number;
    readonly host: string;
    readonly log?: (message: string) => void;
    /**
     * Files outside `dir` served at fixed URL paths (e.g. "/model.pemn" -> the file given on
     * the command line), ahead of `dir`'s: the paths are matched exactly, never mapped to the
     * file system (serveNamedFile).
     */
    readonly namedFiles?: ReadonlyMap<string, string>;
  },
): Promise<StaticServer> {
  // Resolved once, as sirv is bound to one directory; a page rebuilt in place keeps this path.
  const root = await realpath(dir);
  const log = options.log ?? console.error;
  // dev: look files up on each request, so a page rebuilt while served is served whole
  // (sirv otherwise lists the files and their lengths once, at start).
  const files = sirv(root, { dev: true, etag: true });
  const notFound = (response: ServerResponse) => {
    response.statusCode = 404;
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.end("not found");
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.statusCode = 405;
      response.setHeader("Allow", ALLOWED_METHODS);
      response.end();
      return;
    }
    const url = request.url ?? "";
    const pathname = url.split(/[?#]/, 1)[0] as string;
    const named = options.namedFiles?.get(pathname);
    if (named !== undefined) return serveNamedFile(named, request, response, log);
    const file = await resolveFile(root, pathname);
    if (file === undefined) return notFound(response);
    // Hand sirv the file's real path inside the root, so it opens what was checked; names it
    // could not look up ("?" and "#" end its path; decodeURI keeps %3F, %23) are not served.
    if (file.segments.some((segment) => /[?#]/.test(segment))) return notFound(response);
    request.url = `/${file.segments.map(encodeURI).join("/")}`;
    const range = request.method === "GET" ? request.headers.range : undefined;
    // A stale If-Range would mean "the whole file"; ignoring Range then is always right.
    const answer =
      request.headers["if-range"] === undefined ? parseRange(range, file.size) : undefined;
    delete request.headers.range;
    if (answer?.kind === "unsatisfiable") {
      response.statusCode = 416;
      response.setHeader("Content-Range", `bytes */${file.size}`);
      response.end();
      return;
    }
    // sirv reads an end of 0 as "to the end" (parseInt(y) || size - 1), so 0-0 is served whole.
    if (answer?.kind === "part" && answer.end > 0) {
      request.headers.range = `bytes=${answer.start}-${answer.end}`;
    }
    files(request, response, () => notFound(response));
  };
  const server = createServer(guardedHandler(handle, log));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(":") ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      });
    });
  });
}
