import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import AdmZip from "adm-zip";
import { extract as extractTar, type ReadEntry } from "tar";
import { DownloadError } from "./download-error.js";

export type ArchiveFormat = "tar.gz" | "zip";

/**
 * Unpacks `archive` into the empty folder `into`. Only regular files and folders are
 * written; an entry whose path is absolute or climbs out with `..`, or that is a link (symbolic
 * or hard), a device or a FIFO, refuses the whole archive ("unsafe-archive"), and a corrupt or
 * truncated archive is "bad-archive". On a refusal `into` may hold part of the archive: the
 * caller unpacks into a temporary folder and removes it.
 */
export async function extractArchive(
  archive: string,
  format: ArchiveFormat,
  into: string,
): Promise<void> {
  if (readdirSync(into).length > 0) throw new Error(`${into}: must be an empty folder`);
  if (format === "tar.gz") await extractTarGz(archive, into);
  else extractZip(archive, into);
}

/** Tar entry types that are written: files and folders, nothing that points elsewhere. */
const TAR_FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

async function extractTarGz(archive: string, into: string): Promise<void> {
  let refusal: DownloadError | null = null;
  try {
    await extractTar({
      file: archive,
      cwd: into,
      // Warnings (a bad header, a truncated body) are errors: a damaged archive is refused.
      strict: true,
      // The archive's owners and permissions beyond the mode are not ours to copy (as root
      // tar would chown by default).
      preserveOwner: false,
      filter: (path, entry) => {
        if (refusal !== null) return false;
        const type = (entry as ReadEntry).type;
        if (type === "GlobalExtendedHeader") return false; // metadata, not a file
        if (type === "Directory" && namesTheFolder(path)) return false; // "./"
        const problem =
          entryPathProblem(path) ??
          (TAR_FILE_TYPES.has(type) || type === "Directory"
            ? null
            : `is a ${describeTarType(type)}`);
        if (problem !== null) refusal = unsafeEntry(archive, path, problem);
        return problem === null;
      },
    });
  } catch (error) {
    if (refusal !== null) throw refusal;
    throw new DownloadError(
      "bad-archive",
      `${archive}: cannot unpack: ${(error as Error).message}`,
      {
        file: archive,
        cause: error,
      },
    );
  }
  if (refusal !== null) throw refusal;
}

function describeTarType(type: string): string {
  const names: Record<string, string> = {
    SymbolicLink: "symbolic link",
    Link: "hard link",
    CharacterDevice: "character device",
    BlockDevice: "block device",
    FIFO: "FIFO",
  };
  return names[type] ?? `${type} entry`;
}

/** Unix file types in the high 16 bits of a zip entry's external attributes. */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function extractZip(archive: string, into: string): void {
  let entries: AdmZip.IZipEntry[];
  try {
    entries = new AdmZip(archive).getEntries();
  } catch (error) {
    throw badZip(archive, error);
  }
  // Every entry is checked before the first is written.
  const planned = entries.map((entry) => {
    const name = entry.entryName;
    const mode = (entry.header.attr >>> 16) & S_IFMT;
    const problem =
      entryPathProblem(name) ??
      (mode === S_IFLNK
        ? "is a symbolic link"
        : mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR
          ? `is not a regular file or folder (mode ${mode.toString(8)})`
          : null);
    if (problem !== null) throw unsafeEntry(archive, name, problem);
    if (namesTheFolder(name) && !entry.isDirectory)
      throw unsafeEntry(archive, name, "names no file");
    return { entry, path: join(into, ...name.split(/[\\/]/).filter(isPathPart)) };
  });
  for (const { entry, path } of planned) {
    if (entry.isDirectory) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    let data: Buffer;
    try {
      data = entry.getData();
    } catch (error) {
      throw badZip(archive, error, entry.entryName);
    }
    mkdirSync(dirname(path), { recursive: true });
    // "wx": an entry named twice is refused rather than overwriting the first.
    try {
      writeFileSync(path, data, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new DownloadError(
        "bad-archive",
        `${archive}: entry "${entry.entryName}" appears twice`,
        { file: archive },
      );
    }
  }
}

function badZip(archive: string, error: unknown, entry?: string): DownloadError {
  const where = entry === undefined ? "" : ` entry "${entry}"`;
  const reason = typeof error === "string" ? error : (error as Error).message;
  return new DownloadError("bad-archive", `${archive}:${where} cannot unpack: ${reason}`, {
    file: archive,
    cause: error,
  });
}

function isPathPart(part: string): boolean {
  return part !== "" && part !== ".";
}

/**
 * Why an entry's path may not be written under the target folder, or null: absolute paths
 * (`/x`, `C:\x`, `\\server\x`), `..` anywhere (either separator), and NUL characters.
 */
export function entryPathProblem(path: string): string | null {
  if (path.includes("\0")) return "holds a NUL character";
  if (/^([\\/]|[A-Za-z]:)/.test(path)) return "is an absolute path";
  if (path.split(/[\\/]/).includes("..")) return "climbs out of the folder with ..";
  return null;
}

/** Whether a path names the target folder itself (`./`, `.`): nothing to write. */
function namesTheFolder(path: string): boolean {
  return !path.split(/[\\/]/).some(isPathPart);
}

function unsafeEntry(archive: string, entry: string, problem: string): DownloadError {
  return new DownloadError(
    "unsafe-archive",
    `${archive}: entry "${entry}" ${problem}: the archive is refused, nothing of it is kept`,
    { file: archive },
  );
}
