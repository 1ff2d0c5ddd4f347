/** A checkpoint file is unreadable or does not fit the model or run; the message starts with the file. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";

  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
