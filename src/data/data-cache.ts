import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where pemn keeps data it made or fetched: `PEMN_DATA` when set, else `pemn` in the user's
 * cache directory (`XDG_CACHE_HOME`, else `~/.cache`).
 */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PEMN_DATA) return env.PEMN_DATA;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pemn");
}
