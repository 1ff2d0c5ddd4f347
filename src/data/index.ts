export {
  affineNearest,
  type InverseAffine,
  rotation,
  shearX,
  shearY,
  translation,
} from "./augment/affine.js";
export {
  type AugmentationConfig,
  type AugmentationConfigInput,
  type AugmentationStep,
  type AugmentationStepInput,
  augmentationSchema,
  parseAugmentationConfig,
} from "./augment/augmentation-config.js";
export { type ColorJitterSettings, colorJitterStep } from "./augment/color-jitter.js";
export {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
  luma,
} from "./augment/enhance.js";
export { flipHorizontalInPlace, horizontalFlipStep } from "./augment/flip.js";
export { ImagePipeline } from "./augment/image-pipeline.js";
export {
  applyRandAugmentOp,
  RAND_AUGMENT_OPS,
  type RandAugmentOp,
  type RandAugmentSettings,
  randAugmentStep,
  randAugmentStrength,
} from "./augment/rand-augment.js";
export { cropPadded, randomCropStep } from "./augment/random-crop.js";
export {
  drawErasingBox,
  type RandomErasingSettings,
  randomErasingStep,
} from "./augment/random-erasing.js";
export type { CropBox } from "./augment/resized-crop.js";
export {
  drawSquareCropBox,
  randomResizedCropStep,
  resizeCropBilinear,
} from "./augment/resized-crop.js";
export type { PixelStep, TensorStep } from "./augment/step.js";
export { autocontrast, equalize, posterize, solarize } from "./augment/tone.js";
export {
  assembleBatch,
  type Batch,
  BatchLoader,
  type BatchLoaderOptions,
  type BatchRecipe,
  type BatchStream,
} from "./batch-loader.js";
export {
  type BatchWorkerOptions,
  BatchWorkerPool,
  DataWorkerError,
  defaultDataWorkers,
  MAX_DATA_WORKERS,
} from "./batch-workers.js";
export {
  type CifarRecordLayout,
  type CifarRecords,
  cifarClassCount,
  parseCifarRecords,
} from "./cifar.js";
export { CLASS_NAMES } from "./class-names.js";
export { dataCacheDir } from "./data-cache.js";
export {
  builtInDatasetRecord,
  type DataDescription,
  type DatasetRecordLike,
  dataMismatch,
  describeData,
  type ModelShape,
} from "./data-description.js";
export {
  type Dataset,
  type DatasetName,
  type Labels,
  MAX_CLASSES,
  subsetDataset,
} from "./dataset.js";
export { DatasetError, type DatasetProblem } from "./dataset-error.js";
export {
  type DatasetInfo,
  datasetClassNames,
  datasetInfo,
  resolveDatasetSource,
} from "./dataset-info.js";
export {
  DATASET_NAMES,
  type DatasetSource,
  type DatasetSourceInput,
  type DatasetSplit,
  DEFAULT_DATASET,
  datasetSourceSchema,
  FASHION_MNIST_DEFAULT_DIR,
  type ImageFileSource,
  imageSize,
  parseDatasetSource,
} from "./dataset-source.js";
export { checkShardable, type DataShard, shardRange } from "./distributed-sampler.js";
export { gunzipIfCompressed } from "./gzip.js";
export { type IdxImages, parseIdxImages, parseIdxLabels } from "./idx.js";
export {
  type ImageDatasetOptions,
  listImageSource,
  type PreparedImages,
  type PrepareImageOptions,
  prepareImageDataset,
} from "./image-files/image-dataset.js";
export type { ImageFile, ImageListing } from "./image-files/image-listing.js";
export { type ImageShape, valuesPerImage } from "./image-shape.js";
export { IMAGENET100_CLASSES } from "./imagenet100-classes.js";
export { loadDataset, loadDatasetAsync, prepareDataset } from "./load-dataset.js";
export { type ChannelStats, DATASET_STATS, datasetStats, Normalizer } from "./normalization.js";
export {
  type RandomSource,
  randomBelow,
  randomBetween,
  randomNormal,
  shuffleInPlace,
} from "./random-source.js";
export {
  isNoValidation,
  parseValidationSplit,
  type SplitDatasets,
  splitValidation,
  type ValidationSplit,
  type ValidationSplitInput,
  validationSplitSchema,
} from "./validation-split.js";
