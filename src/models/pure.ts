/** The engine-free part of models: the registry, configs and their schemas, layouts. */

export type { MaskedLayerSpec } from "../weights/layer-spec.js";
export * from "./backbone.js";
export * from "./backbone-flags.js";
export * from "./backbones/convmixer.js";
export * from "./backbones/imagenet-resnet.js";
export * from "./backbones/mlp.js";
export * from "./backbones/resnet.js";
export * from "./backbones/vit.js";
export * from "./catalogue.js";
export * from "./model-layout.js";
export * from "./network.js";
export * from "./network-layout.js";
export * from "./registry.js";
