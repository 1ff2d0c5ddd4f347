import { keep, type MemoryFormat, noGrad, type Tensor, tidy } from "../engine/index.js";

/**
 * Base of every layer and model: named sub-modules, trainable parameters and buffers
 * (state that is saved but not trained: fixed random weights, running statistics).
 * Tensors registered here are kept out of tidy() scopes and freed by dispose().
 */
export abstract class Module {
  #training = true;
  readonly #modules = new Map<string, Module>();
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();

  get training(): boolean {
    return this.#training;
  }

  /** Switches this module and all below it between training and evaluation behaviour. */
  train(on = true): this {
    this.#training = on;
    for (const module of this.#modules.values()) module.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.#claim(name);
    this.#modules.set(name, module);
    return module;
  }

  /** A trainable tensor: it gets requiresGrad and is returned by parameters(). */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    this.#claim(name);
    this.#parameters.set(name, keep(tensor.setRequiresGrad(true)));
    return tensor;
  }

  protected registerBuffer(name: string, tensor: Tensor): Tensor {
    this.#claim(name);
    this.#buffers.set(name, keep(tensor));
    return tensor;
  }

  /** Trainable tensors of this module and below, by dotted name, in registration order. */
  namedParameters(): [string, Tensor][] {
    return this.#collect((module) => module.#parameters);
  }

  namedBuffers(): [string, Tensor][] {
    return this.#collect((module) => module.#buffers);
  }

  /** Parameters and buffers: everything a checkpoint must hold. */
  namedState(): [string, Tensor][] {
    return [...this.namedParameters(), ...this.namedBuffers()];
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, tensor]) => tensor);
  }

  namedModules(prefix = ""): [string, Module][] {
    const result: [string, Module][] = [[prefix, this]];
    for (const [name, module] of this.#modules)
      result.push(...module.namedModules(join(prefix, name)));
    return result;
  }

  /** Where the module's tensors live ("cpu", "cuda:0"): its first tensor's device. */
  get device(): string {
    return this.namedState()[0]?.[1].device ?? "cpu";
  }

  /**
   * Moves every parameter and buffer of this module and below to `device` ("cpu",
   * "cuda:0") in place, as PyTorch's `module.to(device)`: the tensors keep their handles, so
   * an optimizer made before or after sees the same ones. Returns this.
   */
  to(device: string): this {
    noGrad(() =>
      tidy(() => {
        for (const [, tensor] of this.namedState()) {
          if (tensor.device !== device) tensor.setData_(tensor.toDevice(device));
        }
      }),
    );
    for (const [, module] of this.namedModules()) module.moved();
    return this;
  }

  /** Called after `to()` moved the tensors: drop what was derived from them on the old device. */
  protected moved(): void {}

  dispose(): void {
    for (const tensor of [...this.#parameters.values(), ...this.#buffers.values()])
      tensor.dispose();
    for (const module of this.#modules.values()) module.dispose();
  }

  #claim(name: string): void {
    if (this.#modules.has(name) || this.#parameters.has(name) || this.#buffers.has(name)) {
      throw new Error(`${this.constructor.name} already has a member named "${name}"`);
    }
  }

  #collect(pick: (module: Module) => Map<string, Tensor>, prefix = ""): [string, Tensor][] {
    const result: [string, Tensor][] = [];
    for (const [name, tensor] of pick(this)) result.push([join(prefix, name), tensor]);
    for (const [name, module] of this.#modules)
      result.push(...module.#collect(pick, join(prefix, name)));
    return result;
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** A module with one input and one output: every layer and model. */
export abstract class Layer extends Module {
  abstract forward(input: Tensor): Tensor;

  /** The layout a caller should give its input in for speed (any layout gives the same result). */
  get inputMemoryFormat(): MemoryFormat {
    return "contiguous";
  }
}
