import { ELEMENT_BYTES } from "./dtype.js";
import { type CollectiveBackend, native } from "./native.js";
import { Tensor } from "./tensor.js";

export type { CollectiveBackend } from "./native.js";

/** Where and how the ranks of one job meet (torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT). */
export interface ProcessGroupOptions {
  readonly rank: number;
  readonly worldSize: number;
  /** Host of rank 0, which serves the rendezvous store. */
  readonly masterAddr: string;
  readonly masterPort: number;
  /** Longest wait of the rendezvous and of every collective; then a CollectiveError. */
  readonly timeoutMs?: number;
  readonly backend?: CollectiveBackend;
  /**
   * Gloo's network device: "default" (this host's name), "hostname:<address>" or
   * "interface:<name>". By default $GLOO_SOCKET_IFNAME's interface (as PyTorch), the
   * loopback address when the master is on loopback, else "default".
   */
  readonly device?: string;
}

export const DEFAULT_COLLECTIVE_TIMEOUT_MS = 120_000;

export type ReduceOp = "sum" | "average";

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}

/** The Gloo device for `masterAddr` when none is given (see ProcessGroupOptions.device). */
export function defaultGlooDevice(
  masterAddr: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const iface = env.GLOO_SOCKET_IFNAME;
  if (iface !== undefined && iface !== "") return `interface:${iface}`;
  return isLoopback(masterAddr) ? "hostname:127.0.0.1" : "default";
}

/**
 * A c10d process group (TCPStore rendezvous, Gloo or NCCL collectives). Collectives block
 * until every rank joins them, at most the timeout; all ranks must call them in one order.
 * Failures throw CollectiveError naming the op and, when found, the lost rank.
 */
export class ProcessGroup {
  #id: number | null;
  #bytesAllReduced = 0;

  private constructor(
    id: number,
    readonly rank: number,
    readonly worldSize: number,
    readonly backend: CollectiveBackend,
    readonly timeoutMs: number,
  ) {
    this.#id = id;
  }

  /** Joins the group: returns once all worldSize ranks have met, or throws CollectiveError. */
  static init(options: ProcessGroupOptions): ProcessGroup {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COLLECTIVE_TIMEOUT_MS;
    const backend = options.backend ?? "gloo";
    if (options.rank === 0 && isLoopback(options.masterAddr) && !ProcessGroup.storeBindsMaster()) {
      // A local run's store should be reachable from this machine only; this libtorch
      // cannot bind it to one address, so say so rather than expose it silently.
      process.emitWarning(
        `this libtorch's TCPStore listens on every interface, so the rendezvous store on port ${options.masterPort} is reachable from the network during this run, not only on ${options.masterAddr}; libtorch >= 2.6 binds it to MASTER_ADDR (docs/distributed.md, "The store's address")`,
        { code: "PEMN_STORE_ON_ALL_INTERFACES" },
      );
    }
    const id = native().processGroupInit(
      options.rank,
      options.worldSize,
      options.masterAddr,
      options.masterPort,
      timeoutMs,
      backend,
      options.device ?? defaultGlooDevice(options.masterAddr),
    );
    return new ProcessGroup(id, options.rank, options.worldSize, backend, timeoutMs);
  }

  /**
   * Whether rank 0's rendezvous store listens on masterAddr's address only. False with
   * libtorch 1.13, whose TCPStore listens on every interface (a warning says so when a rank 0
   * on loopback starts one); true from libtorch 2.6, where the addon binds the socket itself.
   */
  static storeBindsMaster(): boolean {
    return native().storeBindsMaster();
  }

  /** Backends this addon can use: always gloo; nccl when built with CUDA and a GPU is seen. */
  static backends(): CollectiveBackend[] {
    return native().collectiveBackends();
  }

  private get id(): number {
    if (this.#id === null) throw new Error("the process group was destroyed");
    return this.#id;
  }

  /** Bytes this rank contributed to all-reduces so far (one flat buffer per call). */
  get bytesAllReduced(): number {
    return this.#bytesAllReduced;
  }

  /**
   * Reduces `tensors` over ranks in place, through one flat buffer (one collective per
   * call, so pass a bucket, not one tensor at a time). Returns the bytes all-reduced.
   */
  allReduce(tensors: readonly Tensor[], op: ReduceOp = "sum"): number {
    const bytes = native().allReduce(
      this.id,
      tensors.map((t) => t.handle),
      op,
    );
    this.#bytesAllReduced += bytes;
    return bytes;
  }

  /**
   * The sum over ranks as a new tensor whose gradient is the sum of the ranks' gradients
   * (counted as two all-reduces: the forward's and the backward's).
   */
  allReduceWithGrad(tensor: Tensor): Tensor {
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    this.#bytesAllReduced += 2 * count * ELEMENT_BYTES[tensor.dtype];
    return Tensor.fromHandle(native().allReduceWithGrad(this.id, tensor.handle));
  }

  /** Copies `root`'s values of `tensors` to every rank, in place. */
  broadcast(tensors: readonly Tensor[], root = 0): void {
    native().broadcast(
      this.id,
      tensors.map((t) => t.handle),
      root,
    );
  }

  /** Returns once every rank has reached it. */
  barrier(): void {
    native().barrier(this.id);
  }

  /** Leaves the group; the object is unusable after. Destroying twice is harmless. */
  destroy(): void {
    if (this.#id === null) return;
    native().processGroupDestroy(this.#id);
    this.#id = null;
  }
}
