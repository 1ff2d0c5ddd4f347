import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import sirv from "sirv";
import { guardedHandler } from "./guarded-handler.js";

export interface StaticServer {
  /** Where the site is, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` over HTTP with sirv (no directory listings, 404 for what is not
 * there). No request can end the process (see guardedHandler; failures go to `log`). Port 0
 * takes a free port. Resolves once it listens.
 */
export function startStaticServer(
  dir: string,
  options: {
    readonly port: number;
    readonly host: string;
    readonly log?: (message: string) => void;
  },
): Promise<StaticServer> {
  // dev: look files up on each request, so a page rebuilt while served is served whole
  // (sirv otherwise lists the files and their lengths once, at start).
  const files = sirv(dir, { dev: true, etag: true });
  const server = createServer(
    guardedHandler(
      (request, response) =>
        files(request, response, () => {
          response.statusCode = 404;
          response.end("not found");
        }),
      options.log ?? console.error,
    ),
  );
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
