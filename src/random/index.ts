export type { RandomSource } from "./generator.js";
export {
  createGenerator,
  GENERATOR_VERSION,
  type GeneratorSnapshot,
  type GeneratorVersion,
  generatorAt,
  type SeededGenerator,
} from "./generator.js";
export { portableLog } from "./portable-log.js";
export { portableSqrt } from "./portable-sqrt.js";
export { standardNormal } from "./standard-normal.js";
export { normalizeSeed, type StreamKey } from "./stream-key.js";
