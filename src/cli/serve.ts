import { type Command, InvalidArgumentError } from "commander";
import { startStaticServer } from "../serve/static-server.js";
import { buildWebPage, isBuiltPage, WEB_DIST } from "../serve/web-page.js";

const DEFAULT_PORT = 8080;
const LOOPBACK = "127.0.0.1";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return port;
}

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
      parsePort,
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
