import { existsSync } from "node:fs";
import { join } from "node:path";
import { Argument, type Command, Option } from "commander";
import {
  cachedDatasetDir,
  catalogueFromEnvironment,
  createDownloadProgress,
  DOWNLOADABLE_DATASETS,
  type DownloadProgressMode,
  downloadDir,
  fetchDataset,
  missingFiles,
  partialName,
} from "../data/download/index.js";
import { dataCacheDir } from "../data/index.js";

interface FetchFlags {
  dir?: string;
  progress: DownloadProgressMode;
}

export function registerData(program: Command): void {
  const data = program
    .command("data")
    .description("datasets: download them into the cache with their checksums checked");
  data
    .command("fetch")
    .description(
      "download a dataset (checked against its published md5) and print the folder to pass as --data-dir",
    )
    .addArgument(new Argument("<name>", "the dataset").choices(DOWNLOADABLE_DATASETS))
    .option("--dir <dir>", "the dataset's folder (default $PEMN_DATA/<name>, see pemn data list)")
    .addOption(
      new Option("--progress <mode>", "progress display on stderr")
        .choices(["auto", "bar", "lines", "none"])
        .default("auto"),
    )
    .action(async (name: string, flags: FetchFlags) => {
      const progress = createDownloadProgress(flags.progress);
      const result = await fetchDataset(name, { dir: flags.dir, progress });
      progress.note(
        result.downloaded.length === 0
          ? `${name}: complete, nothing to download`
          : `${name}: downloaded and checked ${result.downloaded.join(", ")}`,
      );
      // Alone on stdout, for `--data-dir "$(pemn data fetch cifar10)"`.
      console.log(result.dir);
    });
  data
    .command("list")
    .description("the datasets pemn can download, where they go, and which are there")
    .action(() => {
      const catalogue = catalogueFromEnvironment();
      console.log(`cache: ${dataCacheDir()} ($PEMN_DATA)`);
      for (const name of DOWNLOADABLE_DATASETS) {
        const entry = catalogue[name];
        if (entry === undefined) continue;
        const dir = cachedDatasetDir(name);
        const state =
          missingFiles(entry, dir).length === 0
            ? "complete"
            : entry.files.some((file) => existsSync(join(downloadDir(dir), partialName(file.name))))
              ? "partly downloaded"
              : "not downloaded";
        console.log(`${name.padEnd(14)} ${entry.title.padEnd(36)} ${state.padEnd(18)} ${dir}`);
      }
    });
}
