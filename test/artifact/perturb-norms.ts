import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import type { Layer } from "../../src/nn/index.js";
import { normTensors } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";

/** Gives every trained tensor outside the masked layers values far from its initial ones. */
export function perturbTrainedState(model: Layer, seed: number): void {
  const random = createGenerator(seed, "test/perturb");
  noGrad(() => {
    for (const [name, target] of normTensors(model)) {
      const values = new Float32Array(target.size);
      if (name.endsWith("runningVar")) random.fillUniform(values, 0.5, 2);
      else if (name.endsWith("weight")) random.fillUniform(values, 0.5, 1.5);
      else random.fillUniform(values, -0.5, 0.5);
      tidy(() => {
        target.copy_(tensor(values, target.shape));
      });
    }
  });
}
