import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type StaticServer, startStaticServer } from "../../src/serve/static-server.js";

export const INDEX = "<!doctype html><title>served</title>";
export const PAGE = "<!doctype html><title>a page in a folder</title>";
export const SECRET = "outside the root";
export const DOTFILE = "a dotfile";

/**
 * A site to serve and, beside it, what must never be served: root/ holds index.html,
 * sub/page.html, "100% ü.txt", .env, a FIFO, a link to a file outside root/, a link to a folder outside it,
 * and a link to index.html (inside, so served).
 */
export function temporarySite(): { root: string; outside: string; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), "pemn-serve-"));
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "sub/page.html"), PAGE);
  writeFileSync(join(root, ".env"), DOTFILE);
  writeFileSync(join(root, "100% ü.txt"), PAGE);
  writeFileSync(join(outside, "secret.txt"), SECRET);
  symlinkSync(join(outside, "secret.txt"), join(root, "secret.txt"));
  symlinkSync(outside, join(root, "out"));
  symlinkSync("index.html", join(root, "home.html"));
  execFileSync("mkfifo", [join(root, "pipe.txt")]);
  return { root, outside, remove: () => rmSync(base, { recursive: true, force: true }) };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/**
 * Sends `request` as is over a fresh connection and reads until the server closes it; raw so
 * that paths reach the server unnormalised (fetch resolves "..") and any bytes can be sent.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000) {
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may close before reading all of a request it refused (e.g. 431): keep what came.
    socket.on("error", (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on("close", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`no response: ${JSON.stringify(all.toString())}`));
      const [statusLine, ...lines] = all.subarray(0, split).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1]);
      if (!Number.isInteger(status)) return reject(new Error(`bad status line: ${statusLine}`));
      const headers = new Map<string, string>();
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status, headers, body: all.subarray(split + 4) });
    });
    socket.write(request);
  });
}

/** A request for `path` with the given method and extra header lines, closing the connection. */
export function httpRequest(method: string, path: string, headers: readonly string[] = []): string {
  return [
    `${method} ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    ...headers,
    "",
    "",
  ].join("\r\n");
}

/**
 * The static server over a temporary site for a test file (started before its tests, closed
 * after): its port, and what it logged.
 */
export function servedSite(): { readonly port: number; readonly logged: readonly string[] } {
  let site: ReturnType<typeof temporarySite>;
  let server: StaticServer;
  let port = 0;
  const logged: string[] = [];
  before(async () => {
    site = temporarySite();
    server = await startStaticServer(site.root, {
      port: 0,
      host: "127.0.0.1",
      log: (message) => logged.push(message),
    });
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    site.remove();
  });
  return {
    get port() {
      return port;
    },
    logged,
  };
}
