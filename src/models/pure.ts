/** The engine-free part of models: configs, their schema and the masked-layer layouts. */
export * from "./convmixer-config.js";
export * from "./convmixer-layout.js";
export * from "./masked-layer-spec.js";
export * from "./masked-layout.js";
export * from "./mlp-config.js";
export * from "./mlp-layout.js";
export * from "./model-schema.js";
export * from "./resnet-config.js";
export * from "./resnet-layout.js";
export * from "./sincos-position-embedding.js";
export * from "./uses-batch-norm.js";
export * from "./vit-config.js";
export * from "./vit-layout.js";
