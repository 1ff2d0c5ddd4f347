import { F, type MemoryFormat, type Tensor } from "../engine/index.js";
import { BatchNorm2d, Layer, type MaskedConv2d, type MaskedLinear, pipe } from "../nn/index.js";
import { assertInputShape } from "./input-shape-check.js";
import type { MaskedLayerMaker } from "./masked-layer-maker.js";
import type { MaskedLayerSpec } from "./masked-layer-spec.js";
import type { ResnetConfig } from "./resnet-config.js";
import { type ResnetBlockLayout, resnetLayout } from "./resnet-layout.js";
import { Sequential } from "./sequential.js";

/** Option A shortcut: keep every stride-th pixel and zero-pad the new channels on both sides. */
class SubsampleAndPad extends Layer {
  readonly #stride: number;
  readonly #padBefore: number;
  readonly #padAfter: number;

  constructor(stride: number, inChannels: number, outChannels: number) {
    super();
    this.#stride = stride;
    this.#padBefore = Math.floor((outChannels - inChannels) / 2);
    this.#padAfter = outChannels - inChannels - this.#padBefore;
  }

  forward(input: Tensor): Tensor {
    const [, , height, width] = input.shape as [number, number, number, number];
    return input
      .slice(2, 0, height, this.#stride)
      .slice(3, 0, width, this.#stride)
      .pad([0, 0, 0, 0, this.#padBefore, this.#padAfter]);
  }
}

/** Option B shortcut: masked 1x1 conv (with the block's stride) + BN. */
class ProjectionShortcut extends Layer {
  readonly conv: MaskedConv2d;
  readonly norm: BatchNorm2d;

  constructor(layer: MaskedLayerSpec, stride: number, affine: boolean, layers: MaskedLayerMaker) {
    super();
    this.conv = this.registerModule("conv", layers.conv(layer, { stride }));
    this.norm = this.registerModule(
      "norm",
      new BatchNorm2d({ channels: layer.shape[0] as number, affine }),
    );
  }

  forward(input: Tensor): Tensor {
    return this.norm.forward(this.conv.forward(input));
  }
}

/** relu(BN(conv2(relu(BN(conv1(x))))) + shortcut(x)) */
class BasicBlock extends Layer {
  readonly conv1: MaskedConv2d;
  readonly norm1: BatchNorm2d;
  readonly conv2: MaskedConv2d;
  readonly norm2: BatchNorm2d;
  /** null: identity. */
  readonly shortcut: Layer | null;

  constructor(layout: ResnetBlockLayout, affine: boolean, layers: MaskedLayerMaker) {
    super();
    const [outChannels, inChannels] = layout.conv1.shape as [number, number];
    const { stride } = layout;
    this.conv1 = this.registerModule("conv1", layers.conv(layout.conv1, { stride, padding: 1 }));
    this.norm1 = this.registerModule("norm1", new BatchNorm2d({ channels: outChannels, affine }));
    this.conv2 = this.registerModule("conv2", layers.conv(layout.conv2, { padding: 1 }));
    this.norm2 = this.registerModule("norm2", new BatchNorm2d({ channels: outChannels, affine }));
    const shortcut = layout.projection
      ? new ProjectionShortcut(layout.projection, stride, affine, layers)
      : stride !== 1 || inChannels !== outChannels
        ? new SubsampleAndPad(stride, inChannels, outChannels)
        : null;
    this.shortcut = shortcut && this.registerModule("shortcut", shortcut);
  }

  forward(input: Tensor): Tensor {
    return pipe(
      input,
      (x) => this.conv1.forward(x),
      (x) => this.norm1.forward(x),
      F.relu,
      (x) => this.conv2.forward(x),
      (x) => this.norm2.forward(x),
      (x) => x.add(this.shortcut ? this.shortcut.forward(input) : input),
      F.relu,
    );
  }
}

/** CIFAR ResNet: 3x3 stem conv -> BN -> ReLU, three stages of basic blocks, average pool, classifier. */
export class Resnet extends Layer {
  readonly config: ResnetConfig;
  readonly stem: MaskedConv2d;
  readonly stemNorm: BatchNorm2d;
  readonly stages: Sequential<Sequential<BasicBlock>>;
  readonly classifier: MaskedLinear;

  constructor(config: ResnetConfig, layers: MaskedLayerMaker) {
    super();
    this.config = config;
    const layout = resnetLayout(config);
    const affine = config.affineBatchNorm;
    this.stem = this.registerModule("stem", layers.conv(layout.stem, { padding: 1 }));
    this.stemNorm = this.registerModule(
      "stemNorm",
      new BatchNorm2d({ channels: layout.stem.shape[0] as number, affine }),
    );
    this.stages = this.registerModule(
      "stages",
      new Sequential(
        layout.stages.map(
          (blocks) => new Sequential(blocks.map((block) => new BasicBlock(block, affine, layers))),
        ),
      ),
    );
    this.classifier = this.registerModule("classifier", layers.linear(layout.classifier));
  }

  /**
   * Channels-last input makes every conv take oneDNN's NHWC kernels (a training step at
   * batch 64: ConvMixer-256/8 56 -> 62 img/s, ResNet-32 280 -> 341).
   */
  override get inputMemoryFormat(): MemoryFormat {
    return "channels_last";
  }

  forward(input: Tensor): Tensor {
    assertInputShape(input, this.config.input, "resnet");
    return pipe(
      input,
      (x) => this.stem.forward(x),
      (x) => this.stemNorm.forward(x),
      F.relu,
      (x) => this.stages.forward(x),
      (x) => x.mean([2, 3]),
      (x) => this.classifier.forward(x),
    );
  }
}
