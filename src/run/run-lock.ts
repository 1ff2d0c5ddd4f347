import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { readInputText } from "../io/read-input-file.js";
import { temporaryName } from "../io/temporary-name.js";
import { RUN_LOCK_FILE } from "./run-paths.js";
import { onTermination } from "./termination-cleanup.js";

/**
 * `pemn train`'s exit status when another live process holds its run directory (EX_TEMPFAIL of
 * sysexits.h: try again later). A sweep tells a busy run from a failed one by it.
 */
export const RUN_IN_USE_EXIT_STATUS = 75;

/**
 * Why a lock was not taken: "in-use", another live process holds it (or kept taking it);
 * "takeover-died", a process died taking over a stale lock (a person must look).
 */
export type RunLockProblem = "in-use" | "takeover-died";

/** The run directory's lock could not be taken; `code` says why. */
export class RunLockError extends Error {
  override readonly name = "RunLockError";

  constructor(
    readonly code: RunLockProblem,
    readonly runDir: string,
    readonly holder: LockHolder,
    message: string,
  ) {
    super(message);
  }
}

export interface LockOptions {
  /** The lock file in the directory (default run.lock; a sweep's job holds sweep.lock). */
  readonly file?: string;
  /**
   * Release it when SIGINT, SIGTERM or SIGHUP stop the process, which then exits (default
   * true); false for a process that handles these signals itself and releases it then.
   */
  readonly releaseOnTermination?: boolean;
}

/** Who holds a lock: enough to tell a live holder from a dead one whose pid was reused. */
export interface LockHolder {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), null off Linux. */
  readonly start: number | null;
  readonly host: string;
}

export interface RunLock {
  /**
   * Gives the directory up (also done when the process exits, and when SIGINT, SIGTERM or
   * SIGHUP stop it unless releaseOnTermination is false; a process killed outright leaves a
   * stale lock).
   */
  release(): void;
}

/**
 * Makes this process the one owner of `runDir` until release() or its exit. Node has no
 * flock, so the lock is a file created atomically with link(2), which fails if it exists,
 * holding the owner's pid and start time. A lock whose holder is dead (no such pid, or a
 * pid since reused by a process started at another time) is stale and taken over, under a
 * second lock file so that two processes cannot both take over the same stale lock.
 */
export function lockRunDirectory(runDir: string, options: LockOptions = {}): RunLock {
  const lockFile = join(runDir, options.file ?? RUN_LOCK_FILE);
  const self = currentProcess();
  const text = JSON.stringify(self);
  const owned = () => ownedLock(lockFile, text, options.releaseOnTermination ?? true);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(lockFile, text)) return owned();
    const holder = readHolder(lockFile);
    if (holder === null) continue; // released between our attempt and the read
    if (isAlive(holder.parsed)) throw inUse(runDir, lockFile, holder.parsed);
    if (takeOver(runDir, lockFile, holder.text, text)) return owned();
  }
  throw new RunLockError(
    "in-use",
    runDir,
    self,
    `${runDir}: could not take ${basename(lockFile)} (other processes kept taking it)`,
  );
}

/** The live process holding `file` of `runDir` (default run.lock), or null if none does. */
export function liveLockHolder(runDir: string, file = RUN_LOCK_FILE): LockHolder | null {
  const holder = readHolder(join(runDir, file));
  return holder !== null && isAlive(holder.parsed) ? holder.parsed : null;
}

function ownedLock(lockFile: string, text: string, releaseOnTermination: boolean): RunLock {
  const release = () => {
    process.removeListener("exit", release);
    forgetOnTermination();
    try {
      // Only our own lock: after a stale takeover by mistake, never remove another's.
      if (readHolder(lockFile)?.text === text) rmSync(lockFile, { force: true });
    } catch {} // best effort: a lock left behind is stale once this process has exited
  };
  process.on("exit", release);
  // SIGINT, SIGTERM and SIGHUP kill a process without its "exit" listeners.
  const forgetOnTermination = releaseOnTermination ? onTermination(release) : () => {};
  return { release };
}

/** Replaces a stale lock under the takeover lock; false if another process got there first. */
function takeOver(runDir: string, lockFile: string, staleText: string, text: string): boolean {
  const guardFile = `${lockFile}.takeover`;
  if (!createExclusive(guardFile, text)) {
    const guard = readHolder(guardFile);
    if (guard === null || isAlive(guard.parsed)) return false; // another takeover is under way
    throw new RunLockError(
      "takeover-died",
      runDir,
      guard.parsed,
      `${guardFile}: process ${guard.parsed.pid} died while taking over a stale lock; delete this file if no pemn process uses ${runDir}`,
    );
  }
  try {
    // Read again inside the guard: the lock replaced only if it is still the stale one.
    if (readHolder(lockFile)?.text !== staleText) return false;
    rmSync(lockFile, { force: true });
    return createExclusive(lockFile, text);
  } finally {
    rmSync(guardFile, { force: true });
  }
}

/** Creates `file` holding `text` unless it exists: written aside, then linked into place. */
function createExclusive(file: string, text: string): boolean {
  for (let attempt = 0; ; attempt++) {
    // Named like writeFileAtomic's, so that a run start cleans one a kill left behind.
    const temporary = join(dirname(file), temporaryName(basename(file)));
    writeFileSync(temporary, text, { flag: "wx" });
    try {
      linkSync(temporary, file);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      // A run starting in the directory (a sweep's lock beside its run) cleaned it away.
      if (code === "ENOENT" && attempt < 2 && existsSync(dirname(file))) continue;
      throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
}

function readHolder(file: string): { text: string; parsed: LockHolder } | null {
  let text: string;
  try {
    text = readInputText(file, "record");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockHolder;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === "string") return { text, parsed };
  } catch {}
  // Unreadable contents: a lock torn by a crash of an older writer; nobody can hold it.
  return { text, parsed: { pid: 0, start: null, host: hostname() } };
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // another machine's process cannot be checked
  if (holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return holder.start === null || processStart(holder.pid) === holder.start;
}

function currentProcess(): LockHolder {
  return { pid: process.pid, start: processStart(process.pid), host: hostname() };
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

function inUse(runDir: string, lockFile: string, holder: LockHolder): RunLockError {
  const where = holder.host === hostname() ? "" : ` on ${holder.host}`;
  return new RunLockError(
    "in-use",
    runDir,
    holder,
    `${runDir} is in use by pemn process ${holder.pid}${where} (${lockFile}); wait for it to finish or use another run directory`,
  );
}
