import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { crc32, gzipSync } from "node:zlib";

/** md5 of bytes, computed here rather than taken from the code under test. */
export function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Bytes 0..n-1 of a repeating, non-trivial pattern (so that an offset error shows in the md5). */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

export interface ArchiveEntry {
  readonly name: string;
  readonly data?: Uint8Array;
  /** "file" (default), "dir", "symlink" (data: the link's target) or "hardlink". */
  readonly type?: "file" | "dir" | "symlink" | "hardlink";
}

/**
 * A gzip-compressed ustar archive written byte by byte (not by the library under test), so
 * that entries a careful writer refuses to make (`../x`, links) can be made.
 */
export function tarGz(entries: readonly ArchiveEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const isLink = type === "symlink" || type === "hardlink";
    const data = type === "file" ? Buffer.from(entry.data ?? []) : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    const field = (offset: number, length: number, text: string) =>
      header.write(text, offset, length, "utf8");
    const octal = (offset: number, length: number, value: number) =>
      field(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
    field(0, 100, entry.name);
    octal(100, 8, type === "dir" ? 0o755 : 0o644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.length);
    octal(136, 12, 1_600_000_000);
    header.fill(0x20, 148, 156); // the checksum field counts as spaces
    field(156, 1, { file: "0", hardlink: "1", symlink: "2", dir: "5" }[type]);
    if (isLink) field(157, 100, Buffer.from(entry.data ?? []).toString("utf8"));
    field(257, 6, "ustar\0");
    field(263, 2, "00");
    let sum = 0;
    for (const byte of header) sum += byte;
    field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A zip archive (stored, no compression) written byte by byte, for the same reason. */
export function zip(entries: readonly ArchiveEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const name = Buffer.from(
      type === "dir" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name,
    );
    const data = type === "dir" ? Buffer.alloc(0) : Buffer.from(entry.data ?? []);
    const mode = { file: 0o100644, dir: 0o040755, symlink: 0o120777, hardlink: 0o100644 }[type];
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the mode is in the high bits
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** How a path is served. */
export type Route =
  /** The bytes, honouring one `Range: bytes=N-` (206), as a plain static server does. */
  | { kind: "bytes"; data: Uint8Array; ignoreRange?: boolean }
  /**
   * Announces the bytes' length, sends the first `after` of them, then cuts the connection;
   * from then on serves as `afterwards` says, if given.
   */
  | { kind: "cut"; data: Uint8Array; after: number; afterwards?: Route }
  /** Announces the bytes' length, sends `after` of them (or no answer at all), then nothing. */
  | { kind: "stall"; data: Uint8Array; after: number | null }
  | { kind: "redirect"; to: string; status?: number }
  | { kind: "status"; status: number };

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Each request's path and Range header, in order. */
  readonly requests: { path: string; range: string | undefined }[];
  /** Sets (or replaces) what a path serves. */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 serving `routes`; 404 for anything else. */
export async function startServer(routes: Record<string, Route> = {}): Promise<LocalServer> {
  const table = new Map(Object.entries(routes));
  const requests: LocalServer["requests"] = [];
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    requests.push({ path, range: request.headers.range });
    const route = table.get(path);
    if (route === undefined) {
      response.writeHead(404).end("not found");
      return;
    }
    serve(route, request, response);
    if (route.kind === "cut" && route.afterwards) table.set(path, route.afterwards);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => table.set(path, route),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serve(route: Route, request: http.IncomingMessage, response: http.ServerResponse): void {
  switch (route.kind) {
    case "bytes": {
      const from = Number(request.headers.range?.match(/^bytes=(\d+)-$/)?.[1] ?? Number.NaN);
      const size = route.data.length;
      if (!route.ignoreRange && Number.isInteger(from)) {
        if (from >= size) {
          response.writeHead(416, { "content-range": `bytes */${size}` }).end();
          return;
        }
        response.writeHead(206, {
          "content-length": size - from,
          "content-range": `bytes ${from}-${size - 1}/${size}`,
        });
        response.end(Buffer.from(route.data.subarray(from)));
        return;
      }
      response.writeHead(200, { "content-length": size }).end(Buffer.from(route.data));
      return;
    }
    case "cut":
      response.writeHead(200, { "content-length": route.data.length });
      response.write(Buffer.from(route.data.subarray(0, route.after)), () => {
        // After the bytes have left: the client holds a partial body, then a reset.
        setTimeout(() => response.socket?.destroy(), 20);
      });
      return;
    case "stall":
      if (route.after === null) return; // never answers
      response.writeHead(200, { "content-length": route.data.length });
      response.write(Buffer.from(route.data.subarray(0, route.after)));
      return; // and never more
    case "redirect":
      response.writeHead(route.status ?? 302, { location: route.to }).end();
      return;
    case "status":
      response.writeHead(route.status).end();
      return;
  }
}
