import type { LayerDeclaration, ModelConfig } from "../../models/pure.js";
import { RUNNING_MEAN, RUNNING_VAR } from "../format/norm-names.js";
import {
  TORCH_MASK,
  TORCH_SCORES,
  TORCH_WEIGHT,
  torchStateName,
} from "../safetensors/torch-names.js";

/*
 * How supermask checkpoints of PyTorch code name a pemn network's tensors. Every scheme keeps
 * PyTorch's tensor names within a module (a masked layer's fixed `weight` and trained
 * `scores`, BatchNorm's `weight`, `bias`, `running_mean`, `running_var`), and differs in the
 * modules' paths:
 * - `pemn`: pemn's own paths (`blocks.0.pointwise`), as scripts/pemn_torch.py names them;
 *   every backbone.
 * - `pemn-official`: the official PEMN code (github.com/yueb17/PEMN/src/convmixer/models.py):
 *   ConvMixer as one nn.Sequential, `0` the patch conv, `2` its BatchNorm, `3 + i` block i
 *   (`.0.fn.0` depthwise, `.0.fn.2` its norm, `.1` pointwise, `.3` its norm), `5 + depth` the
 *   classifier.
 * - `hidden-networks`: edge-popup's code (github.com/allenai/hidden-networks,
 *   models/frankle.py): Conv-2/4/6/8 and its `Wide` variants as `convs` (the 3x3 convs at 5p
 *   and 5p + 2 of pair p) and `linear`, and the FC network as `linear`; the linear layers are
 *   1x1 convolutions, their weights [out, in, 1, 1].
 * A DataParallel model's `module.` prefix is taken off first (readSupermask).
 */
export const CHECKPOINT_NAMINGS = ["pemn", "pemn-official", "hidden-networks"] as const;
export type CheckpointNaming = (typeof CHECKPOINT_NAMINGS)[number];

/** One tensor the checkpoint should hold for the model, and where it goes in pemn. */
export interface ExpectedTensor {
  /** Its name in the checkpoint. */
  readonly name: string;
  /** Its shape in the checkpoint (a linear stored as a 1x1 conv has two more dimensions). */
  readonly shape: readonly number[];
  /** F32, or U8 for a packed mask. */
  readonly dtype: "F32" | "U8";
  /** What it is to pemn. */
  readonly role:
    | {
        /** The fixed values, the trained scores, or (pemn's masked form) the packed mask. */
        readonly kind: "weight" | "scores" | "mask";
        readonly layer: string;
        readonly shape: readonly number[];
      }
    | { readonly kind: "norm"; readonly state: string };
}

/**
 * What a checkpoint holds beside each masked layer's weight: edge-popup's `scores`, or the
 * mask itself, packed (`<layer>.mask`, U8, as `pemn export --form masked` writes it; pemn's
 * naming only).
 */
export type MaskSource = "scores" | "mask";

/** Why `naming` cannot describe this model, or null when it can. */
export function namingUnsupported(naming: CheckpointNaming, model: ModelConfig): string | null {
  switch (naming) {
    case "pemn":
      return null;
    case "pemn-official":
      return model.name === "convmixer"
        ? null
        : `the official PEMN code publishes ConvMixer only, not ${model.name}`;
    case "hidden-networks":
      if (model.name === "conv") return null;
      if (model.name === "mlp" && !model.batchNorm) return null;
      return model.name === "mlp"
        ? "hidden-networks' FC network has no BatchNorm"
        : `hidden-networks' networks are Conv-2/4/6/8 (conv) and FC (mlp), not ${model.name}`;
  }
}

/** The checkpoint's module path of a pemn module path (the scheme must support the model). */
function modulePath(naming: CheckpointNaming, model: ModelConfig, path: string): string {
  if (naming === "pemn") return path;
  const parts = path.split(".");
  const index = (at: number) => Number(parts[at]);
  if (naming === "pemn-official" && model.name === "convmixer") {
    if (path === "patchEmbed") return "0";
    if (path === "patchEmbedNorm") return "2";
    if (path === "classifier") return String(5 + model.depth);
    const block = 3 + index(1);
    const part = {
      depthwise: "0.fn.0",
      depthwiseNorm: "0.fn.2",
      pointwise: "1",
      pointwiseNorm: "3",
    }[parts[2] as string];
    if (parts[0] === "blocks" && part !== undefined) return `${block}.${part}`;
  }
  if (naming === "hidden-networks") {
    const hidden = model.name === "conv" ? 2 : model.name === "mlp" ? model.hidden.length : 0;
    if (path === "classifier") return `linear.${2 * hidden}`;
    if (parts[0] === "hidden" && parts[2] === "linear") return `linear.${2 * index(1)}`;
    if (parts[0] === "pairs") return `convs.${5 * index(1) + (parts[2] === "conv1" ? 0 : 2)}`;
  }
  throw new Error(`${naming} has no name for ${model.name}'s "${path}"`);
}

/** Every tensor a checkpoint of `naming` holds for the model's declarations, in their order. */
export function expectedTensors(
  naming: CheckpointNaming,
  model: ModelConfig,
  declarations: readonly LayerDeclaration[],
  masks: MaskSource = "scores",
): ExpectedTensor[] {
  const name = (path: string, part: string) => {
    const module = modulePath(naming, model, path);
    return module === "" ? part : `${module}.${part}`;
  };
  const tensors: ExpectedTensor[] = [];
  for (const declaration of declarations) {
    switch (declaration.kind) {
      case "conv":
      case "linear": {
        const { name: layer, shape } = declaration.spec;
        const stored =
          naming === "hidden-networks" && declaration.kind === "linear" ? [...shape, 1, 1] : shape;
        tensors.push({
          name: name(layer, TORCH_WEIGHT),
          shape: stored,
          dtype: "F32",
          role: { kind: "weight", layer, shape },
        });
        const size = shape.reduce((product, dimension) => product * dimension, 1);
        tensors.push(
          masks === "scores"
            ? {
                name: name(layer, TORCH_SCORES),
                shape: stored,
                dtype: "F32",
                role: { kind: "scores", layer, shape },
              }
            : {
                name: name(layer, TORCH_MASK),
                shape: [Math.ceil(size / 8)],
                dtype: "U8",
                role: { kind: "mask", layer, shape },
              },
        );
        break;
      }
      case "batchNorm":
      case "layerNorm": {
        const { name: module, features } = declaration;
        const parts = [
          ...(declaration.kind === "layerNorm" || declaration.affine ? ["weight", "bias"] : []),
          ...(declaration.kind === "batchNorm" ? [RUNNING_MEAN, RUNNING_VAR] : []),
        ];
        for (const part of parts) {
          const state = `${module}.${part}`;
          tensors.push({
            name: name(module, torchStateName(part)),
            shape: [features],
            dtype: "F32",
            role: { kind: "norm", state },
          });
        }
        break;
      }
      case "parameter":
        tensors.push({
          name: modulePath(naming, model, declaration.name),
          shape: declaration.shape,
          dtype: "F32",
          role: { kind: "norm", state: declaration.name },
        });
        break;
      case "constant":
        break; // recomputed from the config, never stored
    }
  }
  return tensors;
}

/** Tensors PyTorch saves that pemn has no use for: BatchNorm's count of batches seen. */
export function isIgnoredTensor(name: string): boolean {
  return name === "num_batches_tracked" || name.endsWith(".num_batches_tracked");
}
