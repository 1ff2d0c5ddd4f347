import type { Command } from "commander";
import { startStaticServer } from "../serve/static-server.js";
import { buildWebPage, isBuiltPage, WEB_DIST } from "../serve/web-page.js";
import { integer } from "./arguments.js";

const DEFAULT_PORT = 8080;
const LOOPBACK = "127.0.0.1";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the web page (a .pemn file in the browser) on a local port")
    .argument(
      "[dir]",
      "a built page's directory (default: this checkout's web/dist, built if missing)",
    )
    .option(
      "--port <n>",
      `port to listen on, 0 for any free one (default ${DEFAULT_PORT})`,
      integer({ min: 0, max: 65535, what: "a port" }),
    )
    .option("--host <address>", `address to listen on (default ${LOOPBACK}, this machine only)`)
    .action(async (dir: string | undefined, options: { port?: number; host?: string }) => {
      const root = dir ?? WEB_DIST;
      if (!isBuiltPage(root)) {
        if (dir !== undefined) {
          throw new Error(`${dir}: no index.html there; build the page with npm run build:web`);
        }
        console.error(`pemn serve: no page built in ${root}; building it (npm run build:web)`);
        await buildWebPage();
      }
      const server = await startStaticServer(root, {
        port: options.port ?? DEFAULT_PORT,
        host: options.host ?? LOOPBACK,
      });
      console.log(`serving ${root} at ${server.url} (Ctrl-C stops)`);
    });
}
