import { z } from "zod";
import { defineBackbone } from "../backbone.js";
import { affineBatchNormField, classesField, inputShapeSchema } from "../config-fields.js";

/**
 * ImageNet ResNets (He et al. 2016, table 1) as torchvision lays them out: a stem, four
 * stages of basic blocks (18, 34) or bottlenecks (50) with 64, 128, 256, 512 planes, global
 * average pooling and the classifier. Bottlenecks stride on their 3x3 conv (torchvision's
 * "v1.5"). Layers are named as torchvision's modules are (`layer2.0.downsample.0`), so a
 * state_dict maps name for name.
 */
export const imagenetResnetConfigSchema = z.strictObject({
  name: z.literal("imagenet-resnet"),
  input: inputShapeSchema,
  classes: classesField,
  depth: z
    .union([z.literal(18), z.literal(34), z.literal(50)], {
      error: "depth must be 18, 34 or 50",
    })
    .default(50),
  /**
   * `imagenet`: 7x7 conv with stride 2, then 3x3 max pooling with stride 2 (224x224 images
   * reach the stages at 56x56). `small`: one 3x3 conv with stride 1 and no pooling, for
   * 32x32 or 64x64 images, which the ImageNet stem would shrink to 8x8 or 16x16 at once.
   */
  stem: z
    .enum(["imagenet", "small"], { error: 'stem must be "imagenet" or "small"' })
    .default("imagenet"),
  /** Multiplies every width (stem, planes), rounded: 1 is torchvision's network. */
  width: z
    .number({ error: "width must be a number" })
    .positive({ error: "width must be > 0" })
    .default(1),
  affineBatchNorm: affineBatchNormField,
});

export type ImagenetResnetConfig = z.output<typeof imagenetResnetConfigSchema>;

/** Blocks per stage and the block of each depth (torchvision's resnet18/34/50). */
const ARCHITECTURES = {
  18: { block: "basic", blocks: [2, 2, 2, 2] },
  34: { block: "basic", blocks: [3, 4, 6, 3] },
  50: { block: "bottleneck", blocks: [3, 4, 6, 3] },
} as const;

/** Planes of the four stages at width 1; a bottleneck's output has 4x its planes. */
const STAGE_PLANES = [64, 128, 256, 512] as const;
const BOTTLENECK_EXPANSION = 4;

export const imagenetResnet = defineBackbone({
  name: "imagenet-resnet",
  summary:
    "ImageNet ResNet-18/34/50 (He et al. 2016) as torchvision: 7x7 or small stem, basic or bottleneck blocks",
  schema: imagenetResnetConfigSchema,
  // ResNet-50 at a sixteenth of the width: bottlenecks, downsampling and the max-pool stem.
  small: { depth: 50, width: 0.0625 },
  flags: [
    { field: "depth", value: "integer", help: "layers: 18, 34 or 50" },
    { field: "stem", value: "string", help: "imagenet (7x7 + max pool) or small (3x3)" },
    { field: "width", value: "number", help: "multiplier of every hidden width" },
  ],
  channelsLast: true,
  network(b, input, config) {
    type V = typeof input;
    const affine = config.affineBatchNorm;
    const { block, blocks } = ARCHITECTURES[config.depth];
    const scaled = (channels: number) => Math.max(1, Math.round(channels * config.width));
    const norm = (x: V, name: string) => b.batchNorm(x, name, { affine });
    const conv = (x: V, name: string, outChannels: number, kernel: 1 | 3, stride = 1) =>
      b.conv(x, name, { outChannels, kernel, stride, padding: (kernel - 1) / 2 });
    const expansion = block === "bottleneck" ? BOTTLENECK_EXPANSION : 1;

    // Chains: the engine releases each intermediate once the next step used it, which at
    // 224x224 is what keeps evaluation's peak near one block's output.
    /** conv3x3 (stride) -> BN -> ReLU -> conv3x3 -> BN */
    const basic = (x: V, planes: number, stride: number) =>
      b.chain(
        x,
        (y) => conv(y, "conv1", planes, 3, stride),
        (y) => b.relu(norm(y, "bn1")),
        (y) => conv(y, "conv2", planes, 3),
        (y) => norm(y, "bn2"),
      );
    /** conv1x1 -> BN -> ReLU -> conv3x3 (stride) -> BN -> ReLU -> conv1x1 (4x planes) -> BN */
    const bottleneck = (x: V, planes: number, stride: number) =>
      b.chain(
        x,
        (y) => conv(y, "conv1", planes, 1),
        (y) => b.relu(norm(y, "bn1")),
        (y) => conv(y, "conv2", planes, 3, stride),
        (y) => b.relu(norm(y, "bn2")),
        (y) => conv(y, "conv3", planes * expansion, 1),
        (y) => norm(y, "bn3"),
      );
    /** relu(residual(x) + identity), the identity a strided 1x1 conv + BN where shapes change. */
    const residualBlock = (x: V, planes: number, stride: number) => {
      const projects = stride !== 1 || b.shape(x)[1] !== planes * expansion;
      const identity = () =>
        projects
          ? b.scope("downsample", () => norm(conv(x, "0", planes * expansion, 1, stride), "1"))
          : x;
      return b.chain(
        (block === "basic" ? basic : bottleneck)(x, planes, stride),
        (residual) => b.add(residual, identity()),
        (sum) => b.relu(sum),
      );
    };

    /** imagenet: 7x7 conv, stride 2 -> BN -> ReLU -> 3x3 max pool, stride 2; small: 3x3 conv -> BN -> ReLU */
    const stemWidth = scaled(STAGE_PLANES[0]);
    const stem = b.chain(
      input,
      (x) =>
        config.stem === "imagenet"
          ? b.conv(x, "conv1", { outChannels: stemWidth, kernel: 7, stride: 2, padding: 3 })
          : conv(x, "conv1", stemWidth, 3),
      (x) => b.relu(norm(x, "bn1")),
      (x) => (config.stem === "imagenet" ? b.maxPool(x, 3, 2, 1) : x),
    );
    // Stages are torchvision's layer1..layer4; blocks layer<s>.<index>.
    const features = STAGE_PLANES.reduce(
      (x, planes, stage) =>
        b.sequence(`layer${stage + 1}`, x, blocks[stage] as number, (y, index) =>
          residualBlock(y, scaled(planes), stage > 0 && index === 0 ? 2 : 1),
        ),
      stem,
    );
    return b.linear(b.mean(features, [2, 3]), "fc", config.classes);
  },
});
