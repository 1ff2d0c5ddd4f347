export * from "./batch-norm.js";
export * from "./layer-norm.js";
export * from "./masked-conv2d.js";
export * from "./masked-linear.js";
export * from "./masked-weight.js";
export * from "./module.js";
export * from "./weight-quantizer.js";
