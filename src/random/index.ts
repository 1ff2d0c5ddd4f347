export { createGenerator, type SeededGenerator } from "./generator.js";
export { GENERATOR_VERSION, type GeneratorVersion } from "./generator-version.js";
export { portableLog } from "./portable-log.js";
export { portableSqrt } from "./portable-sqrt.js";
export type { RandomSource } from "./random-source.js";
export { standardNormal } from "./standard-normal.js";
export { normalizeSeed, type StreamKey } from "./stream-key.js";
