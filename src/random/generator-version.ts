/**
 * Name of the generator specified in docs/generator.md. The `.pemn` format records it, so any
 * change to the bits this module produces (algorithm, constants, stream derivation, value
 * derivation) must come with a new name.
 */
export const GENERATOR_VERSION = "pemn-threefry4x32-20-v1";

export type GeneratorVersion = typeof GENERATOR_VERSION;
