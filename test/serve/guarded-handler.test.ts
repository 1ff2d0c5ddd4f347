import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { guardedHandler } from "../../src/serve/guarded-handler.js";
import { httpRequest, rawRequest, temporarySite } from "./helpers.js";

let site: ReturnType<typeof temporarySite>;
let server: Server;
let port: number;
const logged: string[] = [];

before(async () => {
  site = temporarySite();
  server = createServer(
    guardedHandler(
      async (request, response) => {
        if (request.url === "/throw") throw new Error("thrown");
        if (request.url === "/reject") return Promise.reject(new Error("rejected"));
        if (request.url === "/vanished") {
          // As sirv does: headers out, then a file stream piped without an error listener.
          response.writeHead(200, { "Content-Type": "text/plain" });
          createReadStream(join(site.root, "no-such-file")).pipe(response);
          return;
        }
        response.setHeader("X-Half", "set before the throw");
        if (request.url === "/half") throw new Error("half-way");
        response.end("fine");
      },
      (message) => logged.push(message),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  site.remove();
});

const get = (path: string) => rawRequest(port, httpRequest("GET", path));

test("a handler's throw or rejection is a 500 with no headers it had set, and is logged", async () => {
  for (const path of ["/throw", "/reject", "/half"]) {
    const response = await get(path);
    assert.equal(response.status, 500, path);
    assert.equal(response.headers.get("x-half"), undefined, path);
  }
  assert.deepEqual(logged.splice(0), [
    "GET /throw: thrown",
    "GET /reject: rejected",
    "GET /half: half-way",
  ]);
  assert.equal((await get("/")).body.toString(), "fine");
});

test("a piped file stream that fails after the headers closes that connection, not the process", async () => {
  // The 200 was only stored, not sent: the client sees the connection close with no answer.
  await assert.rejects(get("/vanished"), /no response/);
  assert.match(logged.splice(0).join("\n"), /GET \/vanished: ENOENT/);
  assert.equal((await get("/")).body.toString(), "fine");
});
