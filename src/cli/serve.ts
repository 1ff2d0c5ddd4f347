import { statSync } from "node:fs";
import type { Command } from "commander";
import { readPemnFile } from "../artifact/pemn-file.js";
import { startStaticServer } from "../serve/static-server.js";
import { buildWebPage, isBuiltPage, WEB_DIST } from "../serve/web-page.js";
import { integer } from "./arguments.js";

const DEFAULT_PORT = 8080;
const LOOPBACK = "127.0.0.1";
/** Where a model given on the command line is served; the page opens it with ?model=. */
const MODEL_PATH = "model.pemn";

interface ServeOptions {
  port?: number;
  host?: string;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the web page (a .pemn file in the browser) on a local port")
    .argument(
      "[paths...]",
      "a built page's directory (default: this checkout's web/dist, built if missing) and/or a .pemn file for the page to open instead of its example",
    )
    .option(
      "--port <n>",
      `port to listen on, 0 for any free one (default ${DEFAULT_PORT})`,
      integer({ min: 0, max: 65535, what: "a port" }),
    )
    .option("--host <address>", `address to listen on (default ${LOOPBACK}, this machine only)`)
    .action(async (paths: string[], options: ServeOptions) => {
      const { dir, model } = pageAndModel(paths);
      // Checked now, so a bad file is refused here rather than on the page.
      if (model !== undefined) readPemnFile(model);
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
        namedFiles: new Map(model === undefined ? [] : [[`/${MODEL_PATH}`, model]]),
      });
      console.log(`serving ${root} at ${server.url} (Ctrl-C stops)`);
      if (model !== undefined) {
        console.log(
          `${model} is served as ${server.url}${MODEL_PATH}; the page opens it at ${server.url}?model=${MODEL_PATH}`,
        );
      }
    });
}

/** The arguments as a page directory and a model file, at most one of each, in any order. */
function pageAndModel(paths: readonly string[]): { dir?: string; model?: string } {
  let dir: string | undefined;
  let model: string | undefined;
  for (const path of paths) {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined) throw new Error(`${path}: no such file or directory`);
    if (stats.isFile()) {
      if (model !== undefined) throw new Error(`${path}: one model at a time (${model} is given)`);
      model = path;
    } else {
      if (dir !== undefined) throw new Error(`${path}: one page at a time (${dir} is given)`);
      dir = path;
    }
  }
  return { dir, model };
}
