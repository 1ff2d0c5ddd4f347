/**
 * Forward + backward of the ops ConvMixer-256 spends its time in (batch 64, 256 channels,
 * 16x16), through pemn's addon and through PyTorch in the same invocation. The addon
 * should add no measurable overhead to libtorch's kernels: goal ratio >= 0.97.
 */
import { fileURLToPath } from "node:url";
import { F, getThreads, noGrad, randn, type Tensor, tidy } from "../src/engine/index.js";
import { referenceUnavailable, runReference, SAME_ALLOCATOR_ENV } from "./python-reference.js";
import { measure } from "./timing.js";

type Case =
  | {
      kind: "conv";
      name: string;
      batch: number;
      channels: number;
      size: number;
      kernel: number;
      groups: number;
      channelsLast: boolean;
    }
  | { kind: "matmul"; name: string; rows: number; features: number; batch: number };

const BATCH = 64;
const CHANNELS = 256;
const SIZE = 16;

export const CASES: Case[] = [
  {
    kind: "conv",
    name: "pointwise conv 1x1",
    batch: BATCH,
    channels: CHANNELS,
    size: SIZE,
    kernel: 1,
    groups: 1,
    channelsLast: false,
  },
  {
    kind: "conv",
    name: "depthwise conv 5x5",
    batch: BATCH,
    channels: CHANNELS,
    size: SIZE,
    kernel: 5,
    groups: CHANNELS,
    channelsLast: false,
  },
  {
    kind: "conv",
    name: "pointwise conv 1x1, channels-last",
    batch: BATCH,
    channels: CHANNELS,
    size: SIZE,
    kernel: 1,
    groups: 1,
    channelsLast: true,
  },
  {
    kind: "conv",
    name: "depthwise conv 5x5, channels-last",
    batch: BATCH,
    channels: CHANNELS,
    size: SIZE,
    kernel: 5,
    groups: CHANNELS,
    channelsLast: true,
  },
  {
    kind: "matmul",
    name: "matmul [16384x256]x[256x256]",
    rows: BATCH * SIZE * SIZE,
    features: CHANNELS,
    batch: BATCH,
  },
];

function stepFor(c: Case): { step: () => void; release: () => void } {
  const held: Tensor[] = [];
  const keep = (t: Tensor) => {
    held.push(t);
    return t;
  };
  let step: () => void;
  if (c.kind === "conv") {
    const format = c.channelsLast ? "channels_last" : "contiguous";
    const x = keep(
      randn([c.batch, c.channels, c.size, c.size]).contiguous(format).setRequiresGrad(),
    );
    const w = keep(
      randn([c.channels, c.channels / c.groups, c.kernel, c.kernel])
        .mul(0.05)
        .contiguous(format)
        .setRequiresGrad(),
    );
    const g = keep(noGrad(() => randn([c.batch, c.channels, c.size, c.size]).contiguous(format)));
    step = () =>
      tidy(() => {
        F.conv2d(x, w, { padding: "same", groups: c.groups }).backward(g);
        x.clearGrad();
        w.clearGrad();
      });
  } else {
    const a = keep(randn([c.rows, c.features]).setRequiresGrad());
    const b = keep(randn([c.features, c.features]).mul(0.05).setRequiresGrad());
    const g = keep(randn([c.rows, c.features]));
    step = () =>
      tidy(() => {
        a.matmul(b).backward(g);
        a.clearGrad();
        b.clearGrad();
      });
  }
  return {
    step,
    release: () => {
      for (const t of held) t.dispose();
    },
  };
}

export interface OpsRow {
  name: string;
  pemnImgPerS: number;
  torchImgPerS: number | null;
  ratio: number | null;
}

export async function benchEngineOps(options: {
  minSeconds: number;
  minIterations: number;
  rounds: number;
}): Promise<{
  rows: OpsRow[];
  note: string | null;
}> {
  const unavailable = await referenceUnavailable();
  const script = fileURLToPath(new URL("./reference/engine_ops.py", import.meta.url));
  const pemnTimes = new Map<string, number[]>();
  const torchTimes = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, name: string, value: number) =>
    map.set(name, [...(map.get(name) ?? []), value]);
  // Alternate the two engines: a busy neighbour or thermal drift then affects both alike.
  for (let round = 0; round < options.rounds; round++) {
    for (const c of CASES) {
      const { step, release } = stepFor(c);
      push(pemnTimes, c.name, measure(step, options.minSeconds, options.minIterations));
      release();
    }
    if (!unavailable) {
      const spec = {
        threads: getThreads(),
        cases: CASES,
        minSeconds: options.minSeconds,
        minIterations: options.minIterations,
      };
      // Same allocator settings as pemn's: the ratio then measures the binding alone.
      const reference = await runReference<{ results: Record<string, number> }>(
        script,
        spec,
        SAME_ALLOCATOR_ENV,
      );
      for (const c of CASES) push(torchTimes, c.name, reference.results[c.name] as number);
    }
  }
  const best = (values: number[] | undefined) => (values ? Math.min(...values) : null);
  const rows = CASES.map((c) => {
    const pemn = best(pemnTimes.get(c.name)) as number;
    const torch = best(torchTimes.get(c.name));
    return {
      name: c.name,
      pemnImgPerS: c.batch / pemn,
      torchImgPerS: torch === null ? null : c.batch / torch,
      ratio: torch === null ? null : torch / pemn,
    };
  });
  return { rows, note: unavailable };
}
