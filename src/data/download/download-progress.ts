import { SingleBar } from "cli-progress";
import { formatBytes } from "../../io/read-input-file.js";

/** What a dataset fetch tells a person while it works. */
export interface DownloadProgress {
  /** A transfer starts: `from` bytes were already there (resumed), `total` if the server says. */
  start(file: string, url: string, from: number, total: number | null): void;
  /** `bytes` more arrived. */
  advance(bytes: number): void;
  /** The transfer ended (done or failed). */
  stop(): void;
  /** A line for a person: a file checked, an archive unpacked, a wait for another process. */
  note(line: string): void;
}

/** "auto": a bar on a terminal, lines otherwise (logs stay readable); "none": silent. */
export type DownloadProgressMode = "auto" | "bar" | "lines" | "none";

export const SILENT_PROGRESS: DownloadProgress = {
  start() {},
  advance() {},
  stop() {},
  note() {},
};

/** Progress on `stream` (stderr by default), as `mode` says. */
export function createDownloadProgress(
  mode: DownloadProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): DownloadProgress {
  const resolved = mode === "auto" ? (stream.isTTY ? "bar" : "lines") : mode;
  if (resolved === "none") return SILENT_PROGRESS;
  const write = (line: string) => stream.write(`${line}\n`);
  if (resolved === "lines") {
    return {
      start: (file, url, from, total) => write(startLine(file, url, from, total)),
      advance() {},
      stop() {},
      note: write,
    };
  }
  return barProgress(stream, write);
}

function startLine(file: string, url: string, from: number, total: number | null): string {
  const size = total === null ? "" : ` (${formatBytes(total)})`;
  const resumed = from > 0 ? `, resuming at ${formatBytes(from)}` : "";
  return `downloading ${file}${size} from ${url}${resumed}`;
}

/** A bar per transfer with bytes, speed and ETA; the house style of src/train/progress.ts. */
function barProgress(stream: NodeJS.WriteStream, write: (line: string) => void): DownloadProgress {
  let bar: SingleBar | null = null;
  let received = 0;
  let startedAt = 0;
  let from = 0;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    start(file, url, resumedFrom, total) {
      stop();
      write(startLine(file, url, resumedFrom, total));
      from = resumedFrom;
      received = resumedFrom;
      startedAt = Date.now();
      bar = new SingleBar({
        stream,
        format: `${file} {bar} {percentage}% | {done} of {size} | {speed}/s | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
      });
      bar.start(total ?? 0, resumedFrom, {
        done: formatBytes(resumedFrom),
        size: total === null ? "?" : formatBytes(total),
        speed: "-",
      });
    },
    advance(bytes) {
      received += bytes;
      const seconds = (Date.now() - startedAt) / 1000;
      bar?.update(received, {
        done: formatBytes(received),
        speed: seconds > 0 ? formatBytes(Math.round((received - from) / seconds)) : "-",
      });
    },
    stop,
    note(line) {
      stop();
      write(line);
    },
  };
}
