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

/**
 * A collective or the rendezvous failed: a peer was lost, the timeout passed, the address was
 * wrong. `lostRank` is the rank found lost (its heartbeat stopped), when one is known.
 */
export class CollectiveError extends EngineError {
  readonly lostRank: number | null;
  constructor(message: string, op: string, lostRank: number | null = null) {
    super(message, op);
    this.lostRank = lostRank;
  }
}

/**
 * A device ran out of memory. The run directory is left as its last committed epoch; a
 * smaller batch (or a smaller model) needs less.
 */
export class EngineOutOfMemoryError extends EngineError {}

/** The native addon could not be loaded; the message says what to install or build. */
export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

export type NativeErrorKind = "torch" | "argument" | "disposed" | "collective" | "out-of-memory";

/** Called by the addon to build the error it throws. */
export function makeEngineError(
  message: string,
  op: string,
  kind: NativeErrorKind,
  lostRank?: number,
): EngineError {
  switch (kind) {
    case "collective":
      return new CollectiveError(message, op, lostRank ?? null);
    case "disposed":
      return new TensorDisposedError(message, op);
    case "argument":
      return new EngineArgumentError(message, op);
    case "out-of-memory":
      return new EngineOutOfMemoryError(
        `${message} (out of device memory: try a smaller batch size)`,
        op,
      );
    default:
      return new TorchError(message, op);
  }
}
