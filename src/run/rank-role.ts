/**
 * This process's place in a data-parallel job, read from the environment torchrun sets
 * (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) or Slurm's (SLURM_PROCID,
 * SLURM_NTASKS, SLURM_LOCALID, with the master from MASTER_ADDR or a flag). Pure: no engine.
 */
export interface RankRole {
  readonly rank: number;
  readonly worldSize: number;
  /** The rank among this machine's ranks. */
  readonly localRank: number;
  readonly masterAddr: string;
  readonly masterPort: number;
  /** Which environment said so. */
  readonly source: "torchrun" | "slurm";
}

/** As torchrun's default. */
export const DEFAULT_MASTER_PORT = 29500;

/** A distributed environment variable (or flag) was missing or malformed; the message names it. */
export class RankRoleError extends Error {
  override readonly name = "RankRoleError";
}

export interface MasterFlags {
  readonly masterAddr?: string;
  readonly masterPort?: number;
}

function count(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const text = env[name];
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new RankRoleError(`${name} must be an integer >= ${min}, got "${text ?? ""}"`);
  }
  return value;
}

function port(env: NodeJS.ProcessEnv, flags: MasterFlags): number {
  if (flags.masterPort !== undefined) return checkedPort(flags.masterPort, "--master-port");
  if (env.MASTER_PORT === undefined || env.MASTER_PORT === "") return DEFAULT_MASTER_PORT;
  return checkedPort(Number(env.MASTER_PORT), "MASTER_PORT");
}

function checkedPort(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new RankRoleError(`${name} must be a port in [1, 65535], got ${value}`);
  }
  return value;
}

/**
 * The role the environment gives, or null when this process runs alone (no RANK, and no
 * Slurm job of more than one task). Flags win over MASTER_ADDR / MASTER_PORT.
 */
export function rankRoleFromEnv(env: NodeJS.ProcessEnv, flags: MasterFlags = {}): RankRole | null {
  const torchrun = env.RANK !== undefined && env.RANK !== "";
  const slurm = !torchrun && env.SLURM_PROCID !== undefined && Number(env.SLURM_NTASKS ?? "1") > 1;
  if (!torchrun && !slurm) return null;
  const [rankName, worldName, localName] = torchrun
    ? ["RANK", "WORLD_SIZE", "LOCAL_RANK"]
    : ["SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"];
  const worldSize = count(env, worldName, 1);
  const rank = count(env, rankName, 0);
  if (rank >= worldSize) {
    throw new RankRoleError(`${rankName} (${rank}) must be below ${worldName} (${worldSize})`);
  }
  const localRank = env[localName] === undefined ? rank : count(env, localName, 0);
  const masterAddr = flags.masterAddr ?? env.MASTER_ADDR;
  if (masterAddr === undefined || masterAddr === "") {
    throw new RankRoleError(
      torchrun
        ? "RANK is set but MASTER_ADDR is not: set MASTER_ADDR (rank 0's host) or pass --master-addr"
        : "a Slurm job of several tasks needs rank 0's host: set MASTER_ADDR (e.g. the first of `scontrol show hostnames $SLURM_JOB_NODELIST`) or pass --master-addr",
    );
  }
  return {
    rank,
    worldSize,
    localRank,
    masterAddr,
    masterPort: port(env, flags),
    source: torchrun ? "torchrun" : "slurm",
  };
}
