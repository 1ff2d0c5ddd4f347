import { decodeHeader, encodeHeader } from "../../src/artifact/format/header.js";
import { encodePemn } from "../../src/artifact/format/index.js";
import { maskedLayout, parseModelConfig } from "../../src/models/pure.js";
import { fixtureContents } from "../artifact/pemn-fixtures.js";
import { sealedSections, sectionsOf } from "../artifact/pemn-surgery.js";

/**
 * A `.pemn` decompression bomb: an MLP on 28x28 images with one hidden layer of `hidden` units,
 * seeded values and every mask range-coded "keep all" in 0 bytes, so the file stays a few
 * hundred bytes however many weights it declares. Built small with the project's encoder, then
 * the header is widened (the 0-byte masks need no change).
 */
export function mlpBombPemn(hidden: number): Uint8Array {
  const config = (width: number) => ({
    name: "mlp",
    input: { channels: 1, height: 28, width: 28 },
    classes: 10,
    hidden: [width],
    batchNorm: false,
  });
  const small = parseModelConfig(config(16));
  const file = encodePemn(
    fixtureContents({
      seed: 7,
      model: small as never,
      strategy: { kind: "mask" },
      masked: maskedLayout(small).map(({ name, shape }) => ({ name, shape })),
      keepFraction: 1,
    }),
  );
  const sections = sectionsOf(file);
  const header = decodeHeader(sections.header);
  const wide = maskedLayout(parseModelConfig(config(hidden)));
  const layers = header.layers.map((layer, index) => {
    const shape = (wide[index] as { shape: readonly number[] }).shape;
    if (layer.mask.encoding !== "range" || layer.mask.byteLength !== 0)
      throw new Error("the small file's masks should be range-coded in 0 bytes");
    return {
      ...layer,
      shape,
      mask: { ...layer.mask, kept: shape.reduce((product, n) => product * n, 1) },
    };
  });
  return sealedSections({
    ...sections,
    header: encodeHeader({ ...header, model: config(hidden), layers }),
  });
}
