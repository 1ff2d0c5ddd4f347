/**
 * pemn's library entry. Pure parts (random, weights, data parsing, model layouts) run
 * anywhere; engine-bound parts (engine, nn, model builders) load the native addon on first use.
 */

export * as artifact from "./artifact/index.js";
export { ConfigError } from "./config/parse-config.js";
export * as data from "./data/index.js";
export * as engine from "./engine/index.js";
export * as models from "./models/index.js";
export * as nn from "./nn/index.js";
export * as onnx from "./onnx/index.js";
export { buildDecodedModel } from "./packing/build-decoded-model.js";
export * as packing from "./packing/index.js";
export {
  type ClassifierOptions,
  PemnClassifier,
  type Prediction,
} from "./predict/pemn-classifier.js";
export { ImageFileError, readImagePixels } from "./predict/read-image.js";
export * as random from "./random/index.js";
export * as train from "./train/index.js";
export * as weights from "./weights/index.js";
