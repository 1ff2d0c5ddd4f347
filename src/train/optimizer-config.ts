import { z } from "zod";
import { flag } from "../config/config-flags.js";

const learningRate = z
  .number({ error: "lr must be a number" })
  .positive({ error: "lr must be positive" })
  .meta(flag("lr", "peak learning rate"));

const weightDecay = (fallback: number) =>
  z
    .number({ error: "weightDecay must be a number" })
    .min(0, { error: "weightDecay must be >= 0" })
    .default(fallback)
    .meta(flag("weight-decay", "weight decay"));

const beta = z
  .number({ error: "each beta must be a number" })
  .min(0, { error: "each beta must be in [0, 1)" })
  .lt(1, { error: "each beta must be in [0, 1)" });

/** torch.optim.AdamW: decoupled weight decay, defaults as PyTorch's. */
const adamwSchema = z.strictObject({
  kind: z.literal("adamw"),
  /** The peak learning rate; schedules scale it per step. */
  lr: learningRate,
  betas: z.tuple([beta, beta], { error: "betas must be [beta1, beta2]" }).default([0.9, 0.999]),
  eps: z
    .number({ error: "eps must be a number" })
    .positive({ error: "eps must be positive" })
    .default(1e-8),
  weightDecay: weightDecay(0.01),
});

/** torch.optim.SGD with dampening 0: L2 weight decay added to the gradient, optional Nesterov. */
const sgdSchema = z
  .strictObject({
    kind: z.literal("sgd"),
    lr: learningRate,
    momentum: z
      .number({ error: "momentum must be a number" })
      .min(0, { error: "momentum must be in [0, 1)" })
      .lt(1, { error: "momentum must be in [0, 1)" })
      .default(0)
      .meta(flag("momentum", "sgd: momentum")),
    nesterov: z
      .boolean({ error: "nesterov must be true or false" })
      .default(false)
      .meta(flag("nesterov", "sgd: Nesterov momentum")),
    weightDecay: weightDecay(0),
  })
  .refine((config) => !config.nesterov || config.momentum > 0, {
    error: "nesterov needs momentum > 0",
    path: ["nesterov"],
  });

export const optimizerConfigSchema = z
  .discriminatedUnion("kind", [adamwSchema, sgdSchema], {
    error: 'optimizer.kind must be "adamw" or "sgd"',
  })
  .meta(flag("optimizer", "optimizer", { valueName: "kind" }));

export type OptimizerConfigInput = z.input<typeof optimizerConfigSchema>;
export type OptimizerConfig = z.output<typeof optimizerConfigSchema>;
export type AdamWConfig = Extract<OptimizerConfig, { kind: "adamw" }>;
export type SgdConfig = Extract<OptimizerConfig, { kind: "sgd" }>;
export type OptimizerKind = OptimizerConfig["kind"];

/** The optimizer kinds, for checking stored state (checkpoints) against them. */
export const optimizerKindSchema = z.enum(
  optimizerConfigSchema.options.map((option) => option.shape.kind.value) as [
    OptimizerKind,
    ...OptimizerKind[],
  ],
);
