/**
 * Models: backbones registered by name (./registry.ts), each defined once over the
 * layer-building operations (./network.ts) and built by three builders: the pure layout,
 * the engine's modules (here) and the ONNX graph (../onnx). The pure part is ./pure.js.
 */
export * from "./engine-network.js";
export * from "./masked-layers.js";
export * from "./pemn-model.js";
export * from "./pure.js";
