import type { DecodedModel } from "../artifact/decode-model.js";
import { rejectUnknownTensors, requireStoredTensor } from "../artifact/stored-tensors.js";
import { noGrad, tensor, tidy } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import type { Layer } from "../nn/index.js";
import { normTensors } from "./norm-tensors.js";

/**
 * The engine model a decoded `.pemn` describes, in evaluation mode: masked layers built dense
 * on their effective weights W * M (so nothing is masked again), norm tensors restored. It
 * computes what the trained model computed, bit for bit. The caller disposes it.
 */
export function buildDecodedModel(decoded: DecodedModel): Layer {
  const model = buildModel(decoded.model, {
    mode: { kind: "dense" },
    values: new Map([...decoded.maskedWeights].map(([name, weight]) => [name, weight.values])),
    // Scores do not exist in dense mode; a learned position embedding is restored below.
    scoreSeed: 0,
  });
  try {
    const state = normTensors(model);
    rejectUnknownTensors(decoded, new Set(state.map(([name]) => name)));
    const pairs = state.map(([name, target]) => ({
      target,
      stored: requireStoredTensor(decoded, name, target.shape),
    }));
    noGrad(() => {
      for (const { target, stored } of pairs) {
        tidy(() => {
          target.copy_(tensor(stored.values, stored.shape));
        });
      }
    });
    return model.eval();
  } catch (error) {
    model.dispose();
    throw error;
  }
}
