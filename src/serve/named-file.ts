import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Answers a request for a file named outside the served root (`pemn serve model.pemn` serves
 * it at a fixed URL path): the root is not widened, and no part of the request names a path.
 * Read at each request, so a file packed again shows on reload (no caching); only a regular
 * file (a FIFO is opened non-blocking and refused, as is anything the path has become since
 * it was checked). GET sends it whole (no ranges), HEAD its headers.
 */
export async function serveNamedFile(
  file: string,
  request: IncomingMessage,
  response: ServerResponse,
  log: (message: string) => void,
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    log(`${file}: ${(error as Error).message}`);
    return notFound(response);
  }
  let streaming = false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      log(`${file}: no longer a regular file`);
      return notFound(response);
    }
    response.statusCode = 200;
    response.setHeader("Content-Type", "application/octet-stream");
    response.setHeader("Content-Length", stats.size);
    response.setHeader("Cache-Control", "no-store");
    if (request.method === "HEAD" || stats.size === 0) {
      response.end();
      return;
    }
    // The stream closes the handle when it ends or fails (guardedHandler answers a failure);
    // it stops at the size checked, should the file grow meanwhile.
    streaming = true;
    handle.createReadStream({ start: 0, end: stats.size - 1 }).pipe(response);
  } finally {
    if (!streaming) await handle.close();
  }
}

function notFound(response: ServerResponse): void {
  response.statusCode = 404;
  response.setHeader("Content-Type", "text/plain; charset=utf-8");
  response.end("not found");
}
