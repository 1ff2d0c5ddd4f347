import { firstBitDifference } from "../artifact/bit-difference.js";
import {
  type JsonObject,
  type MaskedLayer,
  type NormDtype,
  type NormTensor,
  type PemnContents,
  packMask,
  type QuantizedValues,
  storedLayerValues,
  type ValueReference,
} from "../artifact/format/index.js";
import { foldBatchNorms } from "../artifact/norm-folding.js";
import { prunedLayers } from "../artifact/pruned-layers.js";
import { tidy } from "../engine/index.js";
import { maskedLayout, maskedWeightsOf, modelLayout, type PemnModelSpec } from "../models/index.js";
import type { MaskedWeight, Module } from "../nn/index.js";
import { firstNonFinite, type TensorData } from "../train/index.js";
import { planWeights, type WeightPlan, weightQuantization } from "../weights/index.js";
import { normTensors } from "./norm-tensors.js";
import { PemnPackError } from "./pemn-pack-error.js";
import { storedSlices } from "./stored-slices.js";

/**
 * How a `.pemn` file holds the masked layers' fixed values: `seed` regenerates them from the
 * generator and seed (a few bytes, whatever their number); `stored` keeps them as float32,
 * each shared run of values once (the paper's accounting of unique values).
 */
export type ValueMode = "seed" | "stored";

export interface PackOptions {
  readonly values: ValueMode;
  /** Precision of norm parameters and running statistics in the file. */
  readonly norms: NormDtype;
  /**
   * Store each affine BatchNorm as one scale and one shift per channel (artifact/norm-folding.ts):
   * the same network at inference up to float32 rounding, half its norm numbers. Default false:
   * a file then decodes to the trained network bit for bit.
   */
  readonly foldNorms?: boolean;
}

/**
 * The `.pemn` contents of a built (and trained) model: each masked layer's current mask
 * (MaskedWeight.mask()), its values by seed or stored, the trained tensors outside the masked
 * layers (normTensors). `spec` must be what the model was built from (createPemnModel).
 */
export function packModel(model: Module, spec: PemnModelSpec, options: PackOptions): PemnContents {
  const plan = planWeights({
    strategy: spec.strategy,
    seed: spec.seed,
    layers: maskedLayout(spec.model),
  });
  const weights = maskedWeightsOf(model, plan.layers);
  refuseNonFinite(model);
  const values = new Map(
    plan.layers.map((layer, index) => [
      layer.name,
      (weights[index] as MaskedWeight).values.toArray<"float32">(),
    ]),
  );
  const masks = weights.map((weight) => tidy(() => weight.mask()?.toArray<"float32">()));
  const quantization = weightQuantization(spec.strategy);
  const { maskedLayers, storedValues } = quantization
    ? // Whatever the value mode: the levels and scales the forward pass multiplies.
      maskedLayersOf(plan, masks, {
        references: weights.map((weight) => quantizedValues(weight, quantization.bits)),
        storedValues: new Float32Array(0),
      })
    : spec.strategy.kind === "pruned"
      ? // Whatever the value mode: no seed stands for trained values.
        prunedLayers(
          plan.layers.map((layer, index) => ({
            ...layer,
            values: values.get(layer.name) as Float32Array,
            mask: masks[index] as Float32Array,
          })),
          spec.strategy.index,
        )
      : maskedLayersOf(
          plan,
          masks,
          options.values === "seed"
            ? seedReferences(spec, plan, values)
            : storedReferences(plan, values),
        );
  const trained = normTensors(model).map(([name, tensor]) => ({
    name,
    shape: tensor.shape,
    values: tensor.toArray<"float32">(),
  }));
  const norms = (
    options.foldNorms === true
      ? foldBatchNorms(trained, modelLayout(spec.model).declarations)
      : trained
  ).map((tensor): NormTensor => ({ ...tensor, dtype: options.norms }));
  return {
    model: spec.model as JsonObject,
    strategy: spec.strategy as JsonObject,
    generator: { name: plan.generator, seed: plan.seed },
    maskedLayers,
    storedValues,
    norms,
  };
}

interface ValueReferences {
  readonly references: readonly ValueReference[];
  readonly storedValues: Float32Array;
}

/** Seed mode, after checking that the generator regenerates exactly the model's values. */
function seedReferences(
  spec: PemnModelSpec,
  plan: WeightPlan,
  values: ReadonlyMap<string, Float32Array>,
): ValueReferences {
  if (spec.strategy.kind === "dense") {
    throw new PemnPackError(
      "dense-needs-stored",
      "a dense network's weights are trained, no seed regenerates them: pack it with --values stored",
    );
  }
  const differing = plan.layers.find(
    (layer) => firstBitDifference(layer.values, values.get(layer.name) as Float32Array) >= 0,
  );
  if (differing) {
    throw new PemnPackError(
      "values-not-regenerable",
      `layer "${differing.name}" holds values that ${plan.generator} with seed ${plan.seed} does not regenerate: pack it with --values stored`,
    );
  }
  return {
    references: plan.layers.map(() => ({ kind: "seed" })),
    storedValues: new Float32Array(0),
  };
}

/** Stored mode: each distinct slice (stored-slices.ts) once, checked to give every layer's values. */
function storedReferences(
  plan: WeightPlan,
  values: ReadonlyMap<string, Float32Array>,
): ValueReferences {
  const offsets = new Map<string, number>();
  const parts: Float32Array[] = [];
  let stored = 0;
  const references = storedSlices(plan).map(({ owner, length }): ValueReference => {
    const key = `${length} ${owner}`;
    let start = offsets.get(key);
    if (start === undefined) {
      start = stored;
      offsets.set(key, start);
      parts.push((values.get(owner) as Float32Array).subarray(0, length));
      stored += length;
    }
    return { kind: "stored", start, length };
  });
  const storedValues = new Float32Array(stored);
  let offset = 0;
  for (const part of parts) {
    storedValues.set(part, offset);
    offset += part.length;
  }
  plan.layers.forEach((layer, index) => {
    const reference = references[index] as ValueReference;
    const tiled = storedLayerValues(storedValues, { ...layer, values: reference });
    if (firstBitDifference(tiled, values.get(layer.name) as Float32Array) >= 0) {
      // The slices follow from the plan; a model whose values do not is not the plan's.
      throw new PemnPackError(
        "values-not-regenerable",
        `layer "${layer.name}" holds values its ${plan.strategy.kind} slice does not reproduce`,
      );
    }
  });
  return { references, storedValues };
}

/** The layers with their masks (a dense layer keeps every weight) and value references. */
function maskedLayersOf(
  plan: WeightPlan,
  masks: readonly (Float32Array | undefined)[],
  { references, storedValues }: ValueReferences,
): { maskedLayers: MaskedLayer[]; storedValues: Float32Array } {
  const maskedLayers = plan.layers.map(
    (layer, index): MaskedLayer => ({
      name: layer.name,
      shape: layer.shape,
      values: references[index] as ValueReference,
      mask: packMask(masks[index] ?? new Uint8Array(layer.size).fill(1)),
    }),
  );
  return { maskedLayers, storedValues };
}

/** A quantized or binary layer's levels and scales, as its forward pass computes them. */
function quantizedValues(weight: MaskedWeight, bits: number): QuantizedValues {
  return tidy(() => {
    const quantization = weight.quantization();
    if (quantization === null) throw new Error("a quantized strategy built a layer that is not");
    return {
      kind: "quantized",
      bits,
      // The quantizer rounds its scales to bfloat16 (nn/weight-quantizer.ts): stored exactly.
      scaleDtype: "bf16",
      scales: quantization.scales.toArray<"float32">(),
      // Integers within [-127, 127]; -0 becomes 0.
      levels: Int8Array.from(quantization.levels.toArray<"float32">()),
    };
  });
}

/** A NaN score would make the mask arbitrary, a NaN norm every output NaN: refused by name. */
function refuseNonFinite(model: Module): void {
  const state = new Map<string, TensorData>(
    model.namedState().flatMap(([name, tensor]): [string, TensorData][] => {
      const dtype = tensor.dtype;
      return dtype === "float32" || dtype === "float64"
        ? [[name, { dtype, shape: tensor.shape, data: tensor.toArray() }]]
        : [];
    }),
  );
  const bad = firstNonFinite(state);
  if (bad) {
    throw new PemnPackError(
      "non-finite",
      `tensor "${bad.name}" holds ${bad.value} at element ${bad.index}; a .pemn file stores finite values only`,
    );
  }
}
