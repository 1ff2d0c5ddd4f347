/**
 * Models: backbones registered by name and built from plain configs. The layouts and
 * schemas are pure (re-exported from ./pure.js for browser use); the builders need the engine.
 */
export * from "./build-model.js";
export * from "./convmixer.js";
export * from "./masked-layer-maker.js";
export * from "./mlp.js";
export * from "./pemn-model.js";
export * from "./pure.js";
export * from "./resnet.js";
export * from "./sequential.js";
export * from "./vit.js";
