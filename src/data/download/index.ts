export { cachedDatasetDir, downloadDir, partialName } from "./data-cache.js";
export {
  type Catalogue,
  type CatalogueEntry,
  type CatalogueFile,
  catalogueEntry,
  catalogueFromEnvironment,
  catalogueSchema,
  DOWNLOADABLE_DATASETS,
  type DownloadableDataset,
  OFFICIAL_CATALOGUE,
  withMirror,
} from "./dataset-catalogue.js";
export { missingFiles } from "./dataset-files.js";
export { DownloadError, type DownloadProblem } from "./download-error.js";
export {
  createDownloadProgress,
  type DownloadProgress,
  type DownloadProgressMode,
  SILENT_PROGRESS,
} from "./download-progress.js";
export { ensureDatasetDir } from "./ensure-dataset.js";
export { type ArchiveFormat, entryPathProblem, extractArchive } from "./extract-archive.js";
export {
  type FetchOptions,
  type FetchResult,
  fetchDataset,
  stallTimeoutFromEnv,
} from "./fetch-dataset.js";
export { downloadToFile, type HttpDownloadOptions } from "./http-download.js";
export { md5OfFile } from "./md5-file.js";
