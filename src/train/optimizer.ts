import { keep, noGrad, type Tensor, tidy } from "../engine/index.js";
import type { OptimizerKind } from "./optimizer-config.js";

/** One parameter's optimizer state. Exported slots are the optimizer's own tensors (borrowed). */
export interface ParameterState {
  readonly name: string;
  /** Updates this parameter has received (PyTorch's per-parameter `step`). */
  readonly steps: number;
  /** State tensors by name ("exp_avg", "momentum_buffer", ...); absent until first needed. */
  readonly slots: Readonly<Record<string, Tensor>>;
}

/** Everything an optimizer needs to continue exactly where it stopped. */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  readonly parameters: readonly ParameterState[];
}

/** One parameter's part of a step: the tensor, its gradient, its state. */
export interface ParameterUpdate {
  readonly parameter: Tensor;
  readonly grad: Tensor;
  readonly state: SlotStore;
}

/** Trainable tensors by name, as Module.namedParameters() lists them. */
export type NamedParameters = readonly (readonly [string, Tensor])[];

/** What an update rule sees of one parameter's state. */
export interface SlotStore {
  readonly steps: number;
  get(slot: string): Tensor | undefined;
  /** Stores `tensor` as the slot's value; the optimizer owns (and later frees) it. */
  create(slot: string, tensor: Tensor): Tensor;
}

class TrackedParameter implements SlotStore {
  steps = 0;
  readonly slots = new Map<string, Tensor>();

  constructor(
    readonly name: string,
    readonly tensor: Tensor,
  ) {}

  get(slot: string): Tensor | undefined {
    return this.slots.get(slot);
  }

  create(slot: string, tensor: Tensor): Tensor {
    this.slots.get(slot)?.dispose();
    this.slots.set(slot, keep(tensor));
    return tensor;
  }
}

/**
 * Base of the optimizers: walks the parameters that have a gradient (PyTorch skips the
 * others too), counts their steps and owns their state tensors. Subclasses give the rule.
 */
export abstract class Optimizer {
  abstract readonly kind: OptimizerKind;
  /** Set before each step by the schedule. */
  learningRate: number;
  readonly #parameters: TrackedParameter[];

  constructor(parameters: NamedParameters, learningRate: number) {
    const seen = new Set<string>();
    for (const [name] of parameters) {
      if (seen.has(name)) throw new Error(`optimizer: parameter "${name}" is listed twice`);
      seen.add(name);
    }
    this.#parameters = parameters.map(([name, tensor]) => new TrackedParameter(name, tensor));
    this.learningRate = learningRate;
  }

  /** Names of the state tensors this rule keeps per parameter. */
  protected abstract readonly slotNames: readonly string[];

  /** Updates `parameter` in place from `grad`; runs with autograd off, inside a scope. */
  protected abstract update(parameter: Tensor, grad: Tensor, state: SlotStore): void;

  /**
   * Updates every parameter that has a gradient (their steps already counted), with autograd
   * off. By default one at a time, each in its own scope so temporaries never pile up across
   * a large model; a rule may override it to update them all at once (foreach ops).
   */
  protected updateAll(updates: readonly ParameterUpdate[]): void {
    for (const { parameter, grad, state } of updates) {
      tidy(() => this.update(parameter, grad, state));
    }
  }

  step(): void {
    noGrad(() =>
      tidy(() => {
        const updates: ParameterUpdate[] = [];
        for (const parameter of this.#parameters) {
          const grad = parameter.tensor.grad;
          if (grad === null) continue;
          parameter.steps += 1;
          updates.push({ parameter: parameter.tensor, grad, state: parameter });
        }
        this.updateAll(updates);
      }),
    );
  }

  /** Drops every gradient (set to none, as PyTorch's default zero_grad). */
  zeroGrad(): void {
    for (const parameter of this.#parameters) parameter.tensor.clearGrad();
  }

  exportState(): OptimizerState {
    return {
      kind: this.kind,
      parameters: this.#parameters.map((parameter) => ({
        name: parameter.name,
        steps: parameter.steps,
        slots: Object.fromEntries(parameter.slots),
      })),
    };
  }

  /**
   * Replaces the state with copies of `state`'s tensors, after checking that it names the
   * same parameters and that every slot matches its parameter's shape and dtype.
   */
  importState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new Error(`optimizer state is for ${state.kind}, this optimizer is ${this.kind}`);
    }
    const byName = new Map(state.parameters.map((entry) => [entry.name, entry]));
    for (const name of byName.keys()) {
      if (!this.#parameters.some((parameter) => parameter.name === name)) {
        throw new Error(`optimizer state holds parameter "${name}", which the model does not have`);
      }
    }
    for (const parameter of this.#parameters) {
      const entry = byName.get(parameter.name);
      if (!entry) throw new Error(`optimizer state lacks parameter "${parameter.name}"`);
      this.#checkEntry(parameter, entry);
    }
    for (const parameter of this.#parameters) {
      const entry = byName.get(parameter.name) as ParameterState;
      for (const tensor of parameter.slots.values()) tensor.dispose();
      parameter.slots.clear();
      for (const [slot, tensor] of Object.entries(entry.slots)) {
        // On the parameter's device: a checkpoint may come from another one.
        parameter.create(
          slot,
          tidy(() => noGrad(() => tensor.toDevice(parameter.tensor.device).clone())),
        );
      }
      parameter.steps = entry.steps;
    }
  }

  dispose(): void {
    for (const parameter of this.#parameters) {
      for (const tensor of parameter.slots.values()) tensor.dispose();
      parameter.slots.clear();
    }
  }

  #checkEntry(parameter: TrackedParameter, entry: ParameterState): void {
    if (!Number.isInteger(entry.steps) || entry.steps < 0) {
      throw new Error(
        `optimizer state of "${parameter.name}": steps ${entry.steps} is not a count`,
      );
    }
    const expected = `${parameter.tensor.dtype} [${parameter.tensor.shape.join(", ")}]`;
    for (const [slot, tensor] of Object.entries(entry.slots)) {
      if (!this.slotNames.includes(slot)) {
        throw new Error(
          `optimizer state of "${parameter.name}": unknown slot "${slot}" (${this.kind} keeps ${this.slotNames.join(", ")})`,
        );
      }
      const actual = `${tensor.dtype} [${tensor.shape.join(", ")}]`;
      if (actual !== expected) {
        throw new Error(
          `optimizer state of "${parameter.name}": slot ${slot} is ${actual}, the parameter is ${expected}`,
        );
      }
    }
  }
}
