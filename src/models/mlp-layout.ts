import { type BackboneLayout, linearLayer, type MaskedLayerSpec } from "./masked-layer-spec.js";
import type { MlpConfig } from "./mlp-config.js";

export interface MlpLayout extends BackboneLayout {
  /** Widths from the flattened input to the classes, e.g. [784, 100, 100, 100, 10]. */
  readonly sizes: readonly number[];
  readonly hidden: readonly MaskedLayerSpec[];
  readonly classifier: MaskedLayerSpec;
}

/** The MLP's masked layers: one linear per hidden width, then the classifier. */
export function mlpLayout(config: MlpConfig): MlpLayout {
  const { channels, height, width } = config.input;
  const sizes = [channels * height * width, ...config.hidden, config.classes];
  const linears = sizes
    .slice(1)
    .map((out, index) =>
      linearLayer(
        index < config.hidden.length ? `hidden.${index}.linear` : "classifier",
        out,
        sizes[index] as number,
      ),
    );
  const classifier = linears[linears.length - 1] as MaskedLayerSpec;
  return { sizes, hidden: linears.slice(0, -1), classifier, layers: linears };
}
