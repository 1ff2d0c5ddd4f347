import { cpus, hostname } from "node:os";
import { engineInfo } from "../engine/index.js";
import type { Environment } from "./sweep-record.js";

/** Where this sweep runs, for its records; `threads` is what each run is given. */
export function currentEnvironment(pemnVersion: string, threads: number): Environment {
  return {
    pemn_version: pemnVersion,
    libtorch_version: engineInfo().libtorchVersion,
    node_version: process.version,
    threads,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    hostname: hostname(),
  };
}
