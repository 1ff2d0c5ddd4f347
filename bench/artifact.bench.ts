/**
 * The .pemn artifact of ConvMixer-256/8 RP 1e-3 at k = 0.5: bits per masked weight in seed
 * mode (goal <= 1.01, header included), decode time from file bytes to ready weights (goal
 * <= 50 ms), and inference img/s of the decoded model in pemn and in onnxruntime-node
 * against PyTorch's eval of the same network (goal >= 1.0x).
 */
import { fileURLToPath } from "node:url";
import { decodeModelBytes, encodePemn, inspectPemn } from "../src/artifact/index.js";
import { getThreads, noGrad, randn, tidy } from "../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../src/models/index.js";
import { refreshMasks } from "../src/nn/index.js";
import { exportOnnx } from "../src/onnx/index.js";
import { buildDecodedModel, packModel } from "../src/packing/index.js";
import { parseWeightStrategy } from "../src/weights/index.js";
import { referenceUnavailable, runReference } from "./python-reference.js";
import { measure } from "./timing.js";

const BATCH = 64;
const SHAPE = { dim: 256, depth: 8, kernel: 5, patch: 2, classes: 10 };

export interface ArtifactFigures {
  bitsPerMaskedWeight: number;
  fileBytes: number;
  decodeMs: number;
  pemnImgPerS: number;
  onnxruntimeImgPerS: number;
  torchImgPerS: number | null;
  pemnRatio: number | null;
  onnxruntimeRatio: number | null;
  note: string | null;
}

export async function benchArtifact(options: {
  minSeconds: number;
  minIterations: number;
}): Promise<ArtifactFigures> {
  const spec = {
    model: parseModelConfig({
      name: "convmixer",
      ...SHAPE,
      input: { channels: 3, height: 32, width: 32 },
    }),
    strategy: parseWeightStrategy({ kind: "rp", ratio: 1e-3 }),
    keepFraction: 0.5,
    seed: 0,
  };
  const { model } = createPemnModel(spec);
  refreshMasks(model);
  const bytes = encodePemn(packModel(model, spec, { values: "seed", norms: "fp32" }));
  model.dispose();
  const inspection = inspectPemn(bytes);
  const decodeSeconds = measure(
    () => decodeModelBytes(bytes),
    options.minSeconds,
    options.minIterations,
  );
  const decoded = decodeModelBytes(bytes);

  const rebuilt = buildDecodedModel(decoded).eval();
  const input = randn([BATCH, 3, 32, 32]);
  const pemnSeconds = measure(
    () => tidy(() => noGrad(() => rebuilt.forward(input.contiguous(rebuilt.inputMemoryFormat)))),
    options.minSeconds,
    options.minIterations,
  );
  // Loaded here, so bundles of the other suites (scripts/gpu-bundle.sh) need no onnxruntime.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(exportOnnx(decoded), {
    intraOpNumThreads: getThreads(),
  });
  const feeds = {
    [session.inputNames[0] as string]: new ort.Tensor("float32", input.toFloat32Array(), [
      BATCH,
      3,
      32,
      32,
    ]),
  };
  await session.run(feeds);
  const ortTimes: number[] = [];
  const started = performance.now();
  while (
    ortTimes.length < options.minIterations ||
    performance.now() - started < options.minSeconds * 1000
  ) {
    const t0 = performance.now();
    await session.run(feeds);
    ortTimes.push((performance.now() - t0) / 1000);
  }
  ortTimes.sort((a, b) => a - b);
  const ortSeconds = ortTimes[ortTimes.length >> 1] as number;
  rebuilt.dispose();
  input.dispose();

  const unavailable = await referenceUnavailable();
  let torchImgPerS: number | null = null;
  if (!unavailable) {
    const script = fileURLToPath(new URL("./reference/inference.py", import.meta.url));
    const reference = await runReference<{ img_per_s: number }>(script, {
      model: { ...SHAPE, channels: 3, size: 32 },
      batch: BATCH,
      threads: getThreads(),
      ...options,
    });
    torchImgPerS = reference.img_per_s;
  }
  const pemnImgPerS = BATCH / pemnSeconds;
  const onnxruntimeImgPerS = BATCH / ortSeconds;
  return {
    bitsPerMaskedWeight: inspection.bitsPerMaskedWeight.withoutNorms,
    fileBytes: bytes.byteLength,
    decodeMs: decodeSeconds * 1000,
    pemnImgPerS,
    onnxruntimeImgPerS,
    torchImgPerS,
    pemnRatio: torchImgPerS === null ? null : pemnImgPerS / torchImgPerS,
    onnxruntimeRatio: torchImgPerS === null ? null : onnxruntimeImgPerS / torchImgPerS,
    note: unavailable,
  };
}
