/** Why a supermask checkpoint cannot be imported as the model given. */
export type SupermaskProblem =
  /** The file is not safetensors (a torch.save zip or pickle, say): the message says what to do. */
  | "unsupported-file"
  /** No model is given, and the file's metadata names none (or none this pemn knows). */
  | "unknown-model"
  /** No naming scheme (pemn, pemn-official, hidden-networks) fits the model and the tensors. */
  | "unknown-naming"
  /** A tensor the model needs is not in the file. */
  | "missing-tensor"
  /** The file holds a tensor the model does not have. */
  | "unexpected-tensor"
  /** A tensor's shape differs from the model's. */
  | "wrong-shape"
  /** A tensor is not float32 (F32), or a packed mask not U8. */
  | "wrong-dtype"
  /** A tensor holds NaN or an infinity, or a running variance a negative value. */
  | "non-finite"
  /** A packed mask sets bits past its layer's weights. */
  | "bad-mask";

/** A supermask checkpoint does not fit the model; `tensor` names the tensor concerned. */
export class SupermaskError extends Error {
  override readonly name = "SupermaskError";

  constructor(
    readonly code: SupermaskProblem,
    readonly detail: string,
    /** The file's path, when the tensors came from one. */
    readonly file?: string,
    /** The checkpoint's name of the tensor concerned, when there is one. */
    readonly tensor?: string,
  ) {
    super(file === undefined ? `${code}: ${detail}` : `${file}: ${code}: ${detail}`);
  }
}
