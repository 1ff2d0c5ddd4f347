/** What keeps a torch.save file from being read as tensors. */
export type TorchSaveProblem =
  /** Not the zip that torch.save writes (PyTorch >= 1.6): no `<folder>/data.pkl`, or a damaged zip. */
  | "not-torch-save"
  /** torch.save's pre-1.6 format (a bare pickle stream), which pemn does not read. */
  | "legacy-format"
  /** data.pkl is not a pickle pemn can read, or holds something other than tensors where they belong. */
  | "bad-pickle"
  /** A storage of a dtype pemn has no safetensors dtype for (complex, quantized). */
  | "unsupported-dtype"
  /** A storage's bytes are missing or shorter than its tensor's size, offset and strides need. */
  | "bad-storage"
  /** Neither the saved object nor its `state_dict` is a dict holding tensors. */
  | "no-tensors"
  /**
   * What the zip's entries unpack to, or the tensors copied out of strided views (a view of
   * stride 0 repeats one element any number of times), would pass the memory allowed.
   */
  | "too-large";

/** A torch.save file that cannot be read; `tensor` names the tensor concerned. */
export class TorchSaveError extends Error {
  override readonly name = "TorchSaveError";

  constructor(
    readonly code: TorchSaveProblem,
    readonly detail: string,
    /** The file's path, when the bytes came from one. */
    readonly file?: string,
    readonly tensor?: string,
  ) {
    super(
      `${file === undefined ? "" : `${file}: `}${code}: ${tensor === undefined ? "" : `${tensor}: `}${detail}`,
    );
  }
}
