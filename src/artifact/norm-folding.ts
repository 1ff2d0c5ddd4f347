import type { LayerDeclaration } from "../models/network-layout.js";
import { RUNNING_MEAN, RUNNING_VAR, runningStatisticName } from "./format/norm-names.js";

/*
 * BatchNorm at inference is y = (x - mean) / sqrt(var + eps) * weight + bias: one scale and
 * one shift per channel, s = weight / sqrt(var + eps) and t = bias - mean * s. A `.pemn` may
 * store an affine BatchNorm so, as `<norm>.scale` and `<norm>.shift` in place of its weight,
 * bias and running statistics: half the numbers. The decoder turns them back into the four
 * tensors every runtime knows (weight s * sqrt(1 + eps), bias t, mean 0, variance 1), equal
 * at inference up to float32 rounding (about 1e-7 relative). Pure.
 */
export const FOLDED_SCALE = "scale";
export const FOLDED_SHIFT = "shift";

/** A named float32 tensor, as the `.pemn` norms section and the decoder hold them. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

type BatchNormDeclaration = Extract<LayerDeclaration, { kind: "batchNorm" }>;

const part = (norm: string, name: string) => (norm === "" ? name : `${norm}.${name}`);

function batchNorms(declarations: readonly LayerDeclaration[]): BatchNormDeclaration[] {
  return declarations.filter(
    (declaration): declaration is BatchNormDeclaration => declaration.kind === "batchNorm",
  );
}

/**
 * The tensors with every affine BatchNorm folded: its four tensors replaced, where its first
 * stood, by its scale and shift (float64 arithmetic, rounded to float32 once).
 */
export function foldBatchNorms(
  tensors: readonly NamedTensor[],
  declarations: readonly LayerDeclaration[],
): NamedTensor[] {
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const replaced = new Map<string, NamedTensor[]>();
  for (const norm of batchNorms(declarations)) {
    if (!norm.affine) continue; // its two running statistics are already two numbers a channel
    const [weight, bias, mean, variance] = [
      part(norm.name, "weight"),
      part(norm.name, "bias"),
      runningStatisticName(norm.name, RUNNING_MEAN),
      runningStatisticName(norm.name, RUNNING_VAR),
    ].map((name) => {
      const tensor = byName.get(name);
      if (tensor === undefined) throw new Error(`cannot fold ${norm.name}: no tensor "${name}"`);
      return tensor;
    }) as [NamedTensor, NamedTensor, NamedTensor, NamedTensor];
    const scale = new Float32Array(norm.features);
    const shift = new Float32Array(norm.features);
    for (let channel = 0; channel < norm.features; channel++) {
      const s =
        (weight.values[channel] as number) /
        Math.sqrt((variance.values[channel] as number) + Math.fround(norm.eps));
      scale[channel] = s;
      shift[channel] = (bias.values[channel] as number) - (mean.values[channel] as number) * s;
    }
    const folded = [
      { name: part(norm.name, FOLDED_SCALE), shape: [norm.features], values: scale },
      { name: part(norm.name, FOLDED_SHIFT), shape: [norm.features], values: shift },
    ];
    replaced.set(weight.name, folded);
    for (const gone of [bias, mean, variance]) replaced.set(gone.name, []);
  }
  return tensors.flatMap((tensor) => replaced.get(tensor.name) ?? [tensor]);
}

/**
 * The tensors as the model names them, each folded BatchNorm unfolded. A scale without its
 * shift (or the reverse), or a folded norm that is not an affine BatchNorm of the model, is
 * left as it is: the model's check then names it.
 */
export function unfoldBatchNorms(
  tensors: ReadonlyMap<string, Omit<NamedTensor, "name">>,
  declarations: readonly LayerDeclaration[],
): Map<string, Omit<NamedTensor, "name">> {
  const unfolded = new Map(tensors);
  for (const norm of batchNorms(declarations)) {
    const scaleName = part(norm.name, FOLDED_SCALE);
    const shiftName = part(norm.name, FOLDED_SHIFT);
    const scale = tensors.get(scaleName);
    const shift = tensors.get(shiftName);
    if (!norm.affine || scale === undefined || shift === undefined) continue;
    if (scale.values.length !== norm.features || shift.values.length !== norm.features) continue;
    unfolded.delete(scaleName);
    unfolded.delete(shiftName);
    const shape = [norm.features];
    const unit = Math.sqrt(1 + Math.fround(norm.eps));
    unfolded.set(part(norm.name, "weight"), {
      shape,
      values: Float32Array.from(scale.values, (s) => s * unit),
    });
    unfolded.set(part(norm.name, "bias"), { shape, values: shift.values });
    unfolded.set(runningStatisticName(norm.name, RUNNING_MEAN), {
      shape,
      values: new Float32Array(norm.features),
    });
    unfolded.set(runningStatisticName(norm.name, RUNNING_VAR), {
      shape,
      values: new Float32Array(norm.features).fill(1),
    });
  }
  return unfolded;
}
