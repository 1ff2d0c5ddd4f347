import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Readable } from "node:stream";

type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/**
 * Wraps a request handler so that nothing it does can end the process: a throw or a rejection
 * becomes a 500 (or, once headers are out, a closed connection), and so does an error of a
 * stream piped into the response (sirv pipes a file stream without an error listener, so a
 * file that vanishes or cannot be read between lookup and open would be an uncaught error).
 */
export function guardedHandler(handler: Handler, log: (message: string) => void): RequestListener {
  return (request, response) => {
    const fail = (error: unknown) => {
      log(`${request.method} ${request.url}: ${error instanceof Error ? error.message : error}`);
      if (response.headersSent || response.writableEnded) {
        response.destroy();
        return;
      }
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      response.statusCode = 500;
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.end("internal error");
    };
    response.on("pipe", (source: Readable) => source.once("error", fail));
    try {
      Promise.resolve(handler(request, response)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
