import type { MemoryFormat, Tensor } from "../engine/index.js";
import { Module } from "./module.js";

/** A module with one input and one output: every layer and model. */
export abstract class Layer extends Module {
  abstract forward(input: Tensor): Tensor;

  /** The layout a caller should give its input in for speed (any layout gives the same result). */
  get inputMemoryFormat(): MemoryFormat {
    return "contiguous";
  }
}
