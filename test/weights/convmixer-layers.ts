import type { MaskedLayerSpec } from "../../src/weights/index.js";

/**
 * The masked layers of a ConvMixer (patch conv, then per block a depthwise and a pointwise
 * conv, then the classifier), written out here so the tests do not depend on src/models.
 */
export function convMixerLayers(options: {
  dim: number;
  depth: number;
  kernel: number;
  patch: number;
  classes: number;
  inputChannels: number;
}): MaskedLayerSpec[] {
  const { dim, depth, kernel, patch, classes, inputChannels } = options;
  const layers: MaskedLayerSpec[] = [
    {
      name: "patch",
      shape: [dim, inputChannels, patch, patch],
      fanIn: inputChannels * patch * patch,
    },
  ];
  for (let block = 0; block < depth; block++) {
    layers.push({
      name: `blocks.${block}.depthwise`,
      shape: [dim, 1, kernel, kernel],
      fanIn: kernel * kernel,
    });
    layers.push({ name: `blocks.${block}.pointwise`, shape: [dim, dim, 1, 1], fanIn: dim });
  }
  layers.push({ name: "classifier", shape: [classes, dim], fanIn: dim });
  return layers;
}

/** ConvMixer-256/6 with kernel 5 and patch 2 on CIFAR-10, the paper's main example. */
export const CONVMIXER_256_6 = convMixerLayers({
  dim: 256,
  depth: 6,
  kernel: 5,
  patch: 2,
  classes: 10,
  inputChannels: 3,
});
