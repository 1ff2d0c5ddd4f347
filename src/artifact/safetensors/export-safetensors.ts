import { decodeUnmasked, maskedValues } from "../decode-model.js";
import { encodeFloat32 } from "../format/float32-bytes.js";
import type { PemnContents } from "../format/index.js";
import type { SafetensorsTensor } from "./safetensors-format.js";
import { TORCH_MASK, TORCH_WEIGHT, torchStateName, torchTensorName } from "./torch-names.js";

/**
 * How a `.pemn` model leaves as safetensors:
 * - `folded`: each masked layer's effective weight W * M as `<layer>.weight`, and the norm
 *   tensors: a plain PyTorch state dict of the network (scripts/pemn_torch.py), for inference.
 * - `masked`: each layer's fixed values W as `<layer>.weight` and its mask M as `<layer>.mask`,
 *   packed bits in a U8 tensor (bit i of the layer's row-major weights is bit i % 8, least
 *   significant first, of byte floor(i / 8); 1 = kept), the norm tensors, and the model,
 *   strategy and generator in `__metadata__`: the PEMN itself, weights and masks apart.
 */
export type SafetensorsForm = "folded" | "masked";

export const SAFETENSORS_FORMS: readonly SafetensorsForm[] = ["folded", "masked"];

/** `__metadata__` keys pemn writes (values are strings, JSON where they are objects). */
export const SAFETENSORS_METADATA = {
  /** The safetensors convention for PyTorch tensors (Hugging Face's loaders check it). */
  format: "format",
  /** "folded" or "masked". */
  form: "pemn.form",
  /** The model configuration, JSON: scripts/pemn_torch.py builds the module from it. */
  model: "pemn.model",
  /** The weight strategy, JSON. */
  strategy: "pemn.strategy",
  /** masked form: the generator's name and seed (decimal string), JSON. */
  generator: "pemn.generator",
} as const;

export interface SafetensorsExport {
  readonly tensors: readonly SafetensorsTensor[];
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * A `.pemn` file's contents as safetensors tensors and metadata, named as the PyTorch module
 * of the same network names its state (torch-names.ts). Throws PemnModelError when the contents
 * do not fit the model they name, as decodeModel does.
 */
export function pemnToSafetensors(
  contents: PemnContents,
  form: SafetensorsForm,
): SafetensorsExport {
  const decoded = decodeUnmasked(contents);
  const f32 = (name: string, shape: readonly number[], values: Float32Array) => ({
    name,
    dtype: "F32" as const,
    shape,
    data: encodeFloat32(values),
  });
  const tensors: SafetensorsTensor[] = [];
  for (const layer of decoded.layers) {
    const weight = torchTensorName(layer.name, TORCH_WEIGHT);
    if (form === "folded") {
      tensors.push(f32(weight, layer.shape, maskedValues(layer.values, layer.mask)));
    } else {
      tensors.push(f32(weight, layer.shape, layer.values));
      tensors.push({
        name: torchTensorName(layer.name, TORCH_MASK),
        dtype: "U8",
        shape: [layer.mask.length],
        data: layer.mask,
      });
    }
  }
  for (const [name, tensor] of decoded.normTensors) {
    tensors.push(f32(torchStateName(name), tensor.shape, tensor.values));
  }
  const metadata: Record<string, string> = {
    [SAFETENSORS_METADATA.format]: "pt",
    [SAFETENSORS_METADATA.form]: form,
    [SAFETENSORS_METADATA.model]: JSON.stringify(decoded.model),
    [SAFETENSORS_METADATA.strategy]: JSON.stringify(decoded.strategy),
  };
  if (form === "masked") {
    metadata[SAFETENSORS_METADATA.generator] = JSON.stringify({
      name: decoded.generator.name,
      seed: decoded.generator.seed.toString(),
    });
  }
  return { tensors, metadata };
}
