import { type ModelConfig, modelLayout, parseModelConfig } from "../../models/pure.js";
import { decodeFloat32 } from "../format/float32-bytes.js";
import { hasCleanPadding } from "../format/mask-bits.js";
import { isRunningVariance } from "../format/norm-names.js";
import type { NamedTensor } from "../norm-folding.js";
import type { SafetensorsTensor } from "../safetensors/safetensors-format.js";
import {
  CHECKPOINT_NAMINGS,
  type CheckpointNaming,
  type ExpectedTensor,
  expectedTensors,
  isIgnoredTensor,
  type MaskSource,
  namingUnsupported,
} from "./checkpoint-naming.js";
import { SupermaskError } from "./supermask-error.js";

/**
 * A masked layer of a supermask checkpoint: its fixed weight, and its trained scores or (pemn's
 * masked form) its mask.
 */
export interface SupermaskLayer {
  /** pemn's layer name (`blocks.0.pointwise`). */
  readonly name: string;
  /** pemn's shape of the layer (a linear is [out, in] whatever the checkpoint stored). */
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /** The scores, whose top k make the mask; null when the file holds the mask. */
  readonly scores: Float32Array | null;
  /** The mask as a `.pemn` bitset, when the file holds it (else null). */
  readonly mask: Uint8Array | null;
}

/** A checkpoint's tensors, checked against the model and renamed to pemn's names. */
export interface SupermaskCheckpoint {
  /**
   * The model, with `affineBatchNorm: false` where the checkpoint's BatchNorms have no weights,
   * or (an MLP) `batchNorm: false` where it has no BatchNorm.
   */
  readonly model: ModelConfig;
  readonly naming: CheckpointNaming;
  /** Whether each layer comes with its scores or its mask. */
  readonly masks: MaskSource;
  /** Taken off every name first: a DataParallel model's "module.", or "". */
  readonly prefix: string;
  /** In the model's layout order. */
  readonly layers: readonly SupermaskLayer[];
  /** Norm parameters, running statistics, a learned position embedding: pemn's state names. */
  readonly norms: readonly NamedTensor[];
  /** Tensors the file holds that pemn has no use for (BatchNorm's num_batches_tracked). */
  readonly ignored: readonly string[];
}

const DATA_PARALLEL_PREFIX = "module.";

/**
 * Reads a supermask checkpoint (edge-popup's fixed `weight` and `scores` per masked layer, the
 * norm tensors) as the model given. `naming` "auto" takes the scheme whose names fit the
 * tensors exactly (checkpoint-naming.ts). A model whose BatchNorms are affine is read without
 * their weights when the checkpoint has none (the official code's `--bn_type not-learn`), an
 * MLP without BatchNorm when it has none (hidden-networks' FC).
 * Under pemn's naming a layer may hold its packed `mask` (pemn's masked form) in place of its
 * scores. Throws SupermaskError naming the tensor: missing, unexpected, wrong shape, not F32
 * (a mask: not U8), non-finite, a mask with bits past its weights.
 */
export function readSupermask(
  tensors: readonly SafetensorsTensor[],
  model: ModelConfig,
  naming: CheckpointNaming | "auto" = "auto",
): SupermaskCheckpoint {
  const prefix =
    tensors.length > 0 && tensors.every((tensor) => tensor.name.startsWith(DATA_PARALLEL_PREFIX))
      ? DATA_PARALLEL_PREFIX
      : "";
  const byName = new Map(tensors.map((tensor) => [tensor.name.slice(prefix.length), tensor]));
  const ignored = [...byName.keys()].filter(isIgnoredTensor);
  const present = new Set([...byName.keys()].filter((name) => !isIgnoredTensor(name)));

  const namings = naming === "auto" ? CHECKPOINT_NAMINGS : [naming];
  const variants = modelVariants(model);
  if (
    naming !== "auto" &&
    variants.every((variant) => namingUnsupported(naming, variant) !== null)
  ) {
    throw new SupermaskError(
      "unknown-naming",
      `--naming ${naming}: ${namingUnsupported(naming, model)}`,
    );
  }
  const candidates = variants.flatMap((variant) =>
    namings
      .filter((scheme) => namingUnsupported(scheme, variant) === null)
      .flatMap((scheme) =>
        (scheme === "pemn" ? (["scores", "mask"] as const) : (["scores"] as const)).map((masks) => {
          const { declarations } = modelLayout(variant);
          const expected = expectedTensors(scheme, variant, declarations, masks);
          const names = new Set(expected.map((tensor) => tensor.name));
          return {
            naming: scheme,
            masks,
            model: variant,
            expected,
            missing: expected.filter((tensor) => !present.has(tensor.name)).length,
            extra: [...present].filter((name) => !names.has(name)).length,
          };
        }),
      ),
  );
  const exact = candidates.find((candidate) => candidate.missing === 0 && candidate.extra === 0);
  // Else the closest one, whose check below names what is wrong.
  const chosen =
    exact ?? [...candidates].sort((a, b) => a.missing + a.extra - (b.missing + b.extra))[0];
  if (chosen === undefined) {
    throw new SupermaskError(
      "unknown-naming",
      `no naming scheme (${CHECKPOINT_NAMINGS.join(", ")}) describes ${model.name}`,
    );
  }
  if (exact === undefined && naming === "auto" && chosen.missing > chosen.expected.length / 2) {
    throw new SupermaskError(
      "unknown-naming",
      `the tensors (${[...present].slice(0, 4).join(", ")}${present.size > 4 ? ", ..." : ""}) are not ${model.name}'s in any naming scheme pemn knows (${CHECKPOINT_NAMINGS.join(", ")}; docs/interop.md); closest: ${chosen.naming}, which lacks "${prefix}${chosen.expected.find((tensor) => !present.has(tensor.name))?.name}"`,
    );
  }
  return {
    model: chosen.model,
    naming: chosen.naming,
    masks: chosen.masks,
    prefix,
    ignored: ignored.map((name) => `${prefix}${name}`),
    ...checkedTensors(chosen.expected, byName, present, prefix),
  };
}

/**
 * The model, then the same with BatchNorm not affine where the backbone has that option, and
 * an MLP without BatchNorm (hidden-networks' FC): a checkpoint without those tensors is read
 * as the variant it fits, since neither option is a flag.
 */
function modelVariants(model: ModelConfig): ModelConfig[] {
  const variants = [model];
  const usesBatchNorm = modelLayout(model).declarations.some(
    (declaration) => declaration.kind === "batchNorm",
  );
  if (usesBatchNorm && "affineBatchNorm" in model && model.affineBatchNorm) {
    variants.push(parseModelConfig({ ...model, affineBatchNorm: false }));
  }
  if (model.name === "mlp" && model.batchNorm) {
    variants.push(parseModelConfig({ ...model, batchNorm: false }));
  }
  return variants;
}

function checkedTensors(
  expected: readonly ExpectedTensor[],
  byName: ReadonlyMap<string, SafetensorsTensor>,
  present: ReadonlySet<string>,
  prefix: string,
): { layers: SupermaskLayer[]; norms: NamedTensor[] } {
  const known = new Set(expected.map((tensor) => tensor.name));
  const unexpected = [...present].find((name) => !known.has(name));
  if (unexpected !== undefined) {
    throw new SupermaskError(
      "unexpected-tensor",
      `tensor "${prefix}${unexpected}" is not part of the model (its tensors: ${[...known]
        .slice(0, 3)
        .map((name) => `"${prefix}${name}"`)
        .join(", ")}, ...)`,
      undefined,
      `${prefix}${unexpected}`,
    );
  }
  const values = new Map<string, Float32Array | Uint8Array>();
  for (const tensor of expected) {
    const full = `${prefix}${tensor.name}`;
    const fail = (
      code: "missing-tensor" | "wrong-shape" | "wrong-dtype" | "non-finite" | "bad-mask",
      detail: string,
    ): never => {
      throw new SupermaskError(code, detail, undefined, full);
    };
    const found = byName.get(tensor.name);
    if (found === undefined) fail("missing-tensor", `tensor "${full}" is missing`);
    const stored = found as SafetensorsTensor;
    if (stored.shape.join() !== tensor.shape.join()) {
      fail(
        "wrong-shape",
        `tensor "${full}" is [${stored.shape.join(", ")}], the model's is [${tensor.shape.join(", ")}]`,
      );
    }
    if (stored.dtype !== tensor.dtype) {
      fail(
        "wrong-dtype",
        `tensor "${full}" is ${stored.dtype}, pemn imports ${tensor.dtype === "F32" ? "F32 (float32) tensors" : "a mask as U8 (packed bits)"}`,
      );
    }
    if (tensor.role.kind === "mask") {
      const weights = tensor.role.shape.reduce((product, dimension) => product * dimension, 1);
      if (!hasCleanPadding(stored.data, weights)) {
        fail("bad-mask", `mask "${full}" sets bits past its ${weights} weights`);
      }
      values.set(tensor.name, stored.data.slice());
      continue;
    }
    const data = decodeFloat32(stored.data);
    const bad = data.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) fail("non-finite", `tensor "${full}" holds ${data[bad]} at element ${bad}`);
    if (tensor.role.kind === "norm" && isRunningVariance(tensor.role.state)) {
      const negative = data.findIndex((value) => value < 0);
      if (negative >= 0) {
        fail(
          "non-finite",
          `running variance "${full}" holds ${data[negative]} at element ${negative}`,
        );
      }
    }
    values.set(tensor.name, data);
  }
  const layers: SupermaskLayer[] = [];
  const norms: NamedTensor[] = [];
  const pending = new Map<string, Float32Array>();
  for (const tensor of expected) {
    const data = values.get(tensor.name);
    const { role } = tensor;
    if (role.kind === "norm") {
      norms.push({ name: role.state, shape: tensor.shape, values: data as Float32Array });
    } else if (role.kind === "weight") {
      pending.set(role.layer, data as Float32Array);
    } else {
      layers.push({
        name: role.layer,
        shape: role.shape,
        values: pending.get(role.layer) as Float32Array,
        scores: role.kind === "scores" ? (data as Float32Array) : null,
        mask: role.kind === "mask" ? (data as Uint8Array) : null,
      });
    }
  }
  return { layers, norms };
}
