import type { LoadFailure, ReplyValue, WorkerReply, WorkerRequest } from "./protocol.js";

/** A request's fields without its id (the client numbers requests). */
type Ask = WorkerRequest extends infer Request
  ? Request extends WorkerRequest
    ? Omit<Request, "id">
    : never
  : never;

/** Thrown by the client when the worker could not answer; `failure` says why. */
export class WorkerFailure extends Error {
  constructor(readonly failure: LoadFailure) {
    super(failure.detail);
  }
}

/** The page's side of the decoder worker: each request a promise of its reply. */
export class DecoderClient {
  readonly #worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  readonly #pending = new Map<number, (reply: WorkerReply) => void>();
  #nextId = 0;

  constructor() {
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const settle = this.#pending.get(event.data.id);
      this.#pending.delete(event.data.id);
      settle?.(event.data);
    };
  }

  ask<R extends Ask>(request: R, transfer: Transferable[] = []) {
    const id = this.#nextId++;
    return new Promise<ReplyValue[R["kind"]]>((resolve, reject) => {
      this.#pending.set(id, (reply) => {
        if (reply.ok) resolve(reply.value as ReplyValue[R["kind"]]);
        else reject(new WorkerFailure(reply.failure));
      });
      this.#worker.postMessage({ ...request, id }, transfer);
    });
  }
}
