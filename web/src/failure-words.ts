import type { PemnFormatProblem, PemnModelProblem } from "../../src/artifact/index.js";
import type { LoadFailure } from "./protocol.js";

/** The decoder's typed errors in words; every problem the format and the model name. */
const FORMAT_WORDS: Readonly<Record<PemnFormatProblem, string>> = {
  "bad-magic": "This is not a .pemn file: it does not start with the .pemn signature.",
  "unsupported-version": "This .pemn file has a format version this page cannot read.",
  truncated: "The file is cut short: it ends before the data it announces.",
  "trailing-data": "The file has extra bytes after the end it announces.",
  "checksum-mismatch": "The file is damaged: its bytes no longer match their checksum.",
  "bad-header": "The file's header (model, strategy, layer tables) is not valid.",
  "size-limit": "The file announces shapes or counts beyond the format's limits.",
  "shape-mismatch": "The file's sections do not have the lengths its header announces.",
  "bad-mask": "A mask in the file does not decode to the shape and kept count it announces.",
  "bad-norm":
    "A norm tensor in the file holds NaN, an infinity or a negative variance: the network would output NaN.",
  "bad-values":
    "A quantized layer in the file holds a negative or non-finite scale, or a code that is not a level.",
  "invalid-contents": "The contents cannot be written faithfully in the format.",
};

const MODEL_WORDS: Readonly<Record<PemnModelProblem, string>> = {
  "unknown-generator":
    "The file's weights come from a random generator version this page does not implement.",
  "invalid-model": "The file's model configuration is not one pemn can build.",
  "invalid-strategy": "The file's weight strategy is not one pemn knows.",
  "layer-mismatch": "The file's masked layers do not match the model it names.",
  "norm-mismatch": "The file's norm tensors do not match the model it names.",
  "dataset-mismatch": "The model does not take the dataset's images.",
  "too-large": "The model is larger than the memory there is to build it in.",
};

/** A headline and the decoder's own detail for a file that could not be opened. */
export function failureInWords(failure: LoadFailure): { headline: string; detail: string } {
  switch (failure.family) {
    case "format":
      return {
        headline: FORMAT_WORDS[failure.code],
        detail: `${failure.code}: ${failure.detail}`,
      };
    case "model":
      return {
        headline: MODEL_WORDS[failure.code],
        detail: `${failure.code}: ${failure.detail}`,
      };
    case "other":
      return { headline: "The file could not be opened.", detail: failure.detail };
  }
}
