export * from "./config-file.js";
export * from "./deep-merge.js";
export * from "./evaluate-run.js";
export * from "./read-run-config.js";
export * from "./run-config.js";
export * from "./run-data.js";
export * from "./run-summary.js";
export * from "./run-training.js";
