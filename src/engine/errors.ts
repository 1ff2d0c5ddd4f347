/** Base of every error the engine raises; `op` names the operation that failed. */
export class EngineError extends Error {
  readonly op: string;
  constructor(message: string, op: string) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
    this.op = op;
  }
}

/** libtorch refused the operation (shape mismatch, wrong dtype, index out of range...). */
export class TorchError extends EngineError {
  /** libtorch's own message, without the op prefix. */
  readonly torchMessage: string;
  constructor(message: string, op: string) {
    super(message, op);
    this.torchMessage = message;
  }
}

/** An argument had the wrong JavaScript type or an unknown name (dtype, reduction...). */
export class EngineArgumentError extends EngineError {}

/** A tensor was used after `dispose()` (or after the scope that owned it ended). */
export class TensorDisposedError extends EngineError {}

/** The native addon could not be loaded; the message says what to install or build. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

export type NativeErrorKind = "torch" | "argument" | "disposed";

/** Called by the addon to build the error it throws. */
export function makeEngineError(message: string, op: string, kind: NativeErrorKind): EngineError {
  switch (kind) {
    case "disposed":
      return new TensorDisposedError(message, op);
    case "argument":
      return new EngineArgumentError(message, op);
    default:
      return new TorchError(message, op);
  }
}
