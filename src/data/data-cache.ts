import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Where pemn keeps data it fetched or made: $PEMN_DATA, else $XDG_CACHE_HOME/pemn/data, else
 * ~/.cache/pemn/data (a relative XDG_CACHE_HOME is ignored, as the XDG spec says). Downloaded
 * datasets go in `<cache>/<name>`, decoded image folders in `<cache>/decoded`.
 */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PEMN_DATA) return resolve(env.PEMN_DATA);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "pemn", "data");
}
