/**
 * `npm run bench [-- --json] [-- --quick] [-- --only ops|training|artifact|distributed|estimate|data]`: pemn against
 * references measured in the same invocation. Targets live here, never in unit tests.
 * --json prints one JSON object per line: one per op case, one per model.
 */
import { parseArgs } from "node:util";
import { engineInfo, resolveDevice } from "../src/engine/index.js";
import { precisionSchema } from "../src/train/precision.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    // The training suite's step: where, in which precision, at which batch.
    device: { type: "string", default: "cpu" },
    precision: { type: "string", default: "fp32" },
    batch: { type: "string", default: "64" },
  },
});
const SUITES = ["ops", "training", "artifact", "distributed", "estimate", "data"];
if (values.only !== undefined && !SUITES.includes(values.only)) {
  console.error(`--only must be one of ${SUITES.join(", ")}, got "${values.only}"`);
  process.exit(2);
}
const runs = (suite: string) => values.only === undefined || values.only === suite;

const info = engineInfo();
const timing = values.quick
  ? { minSeconds: 0.5, minIterations: 3, rounds: 1 }
  : { minSeconds: 2, minIterations: 5, rounds: 3 };
const fixed = (value: number | null | undefined, digits: number) => value?.toFixed(digits) ?? "n/a";
const table = (cells: string[], widths: number[]) =>
  cells
    .map((cell, i) =>
      i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number),
    )
    .join(" ");

if (!values.json) {
  console.log(
    `engine: libtorch ${info.libtorchVersion}, ${info.threads} threads, BLAS ${info.blas.kind}`,
  );
}

if (runs("ops")) {
  const { benchEngineOps } = await import("./engine-ops.bench.js");
  const ops = await benchEngineOps(timing);
  if (values.json) {
    for (const row of ops.rows) console.log(JSON.stringify({ suite: "engine-ops", ...row }));
  } else {
    const widths = [36, 11, 12, 7];
    console.log("\nforward + backward, batch 64 at ConvMixer-256 sizes (goal: ratio >= 0.97)");
    console.log(table(["case", "pemn img/s", "torch img/s", "ratio"], widths));
    for (const row of ops.rows) {
      console.log(
        table(
          [row.name, fixed(row.pemnImgPerS, 1), fixed(row.torchImgPerS, 1), fixed(row.ratio, 3)],
          widths,
        ),
      );
    }
    if (ops.note) console.log(`note: ${ops.note}`);
  }
}

if (runs("training")) {
  const { benchTrainingSteps } = await import("./training-step.bench.js");
  const steps = await benchTrainingSteps({
    ...timing,
    device: resolveDevice(values.device),
    precision: precisionSchema.parse(values.precision),
    batch: Number(values.batch),
  });
  if (values.json) {
    for (const row of steps.rows) {
      console.log(
        JSON.stringify({
          suite: "training-step",
          model: row.model,
          device: values.device,
          precision: values.precision,
          batch: Number(values.batch),
          pemn_img_per_s: row.pemn.img_per_s,
          reference_img_per_s: row.reference?.img_per_s ?? null,
          speed_ratio: row.speedRatio,
          pemn_mask_share: row.pemn.mask_share,
          reference_mask_share: row.reference?.mask_share ?? null,
          pemn_peak_rss_mb: row.pemn.peak_rss_mb,
          reference_peak_rss_mb: row.reference?.peak_rss_mb ?? null,
          memory_ratio: row.memoryRatio,
        }),
      );
    }
  } else {
    const widths = [34, 9, 9, 6, 7, 7, 9, 9, 6];
    console.log(
      `\nfull training step, batch ${values.batch}, 3x32x32, ${values.device} ${values.precision} (goals: speed >= 1.25x, mask <= 1%, memory <= 1.1x)`,
    );
    console.log(
      table(
        ["model", "pemn/s", "torch/s", "speed", "mask%", "t.mask%", "pemn MB", "torch MB", "mem"],
        widths,
      ),
    );
    for (const row of steps.rows) {
      console.log(
        table(
          [
            row.model,
            fixed(row.pemn.img_per_s, 1),
            fixed(row.reference?.img_per_s, 1),
            fixed(row.speedRatio, 2),
            fixed(100 * row.pemn.mask_share, 2),
            fixed(row.reference ? 100 * row.reference.mask_share : null, 2),
            fixed(row.pemn.peak_rss_mb, 0),
            fixed(row.reference?.peak_rss_mb, 0),
            fixed(row.memoryRatio, 2),
          ],
          widths,
        ),
      );
    }
    if (steps.note) console.log(`note: ${steps.note}`);
  }
}

if (runs("artifact")) {
  // Each suite is loaded when it runs (onnxruntime, for one, only for the artifact's).
  const { benchArtifact } = await import("./artifact.bench.js");
  const figures = await benchArtifact(timing);
  if (values.json) {
    console.log(
      JSON.stringify({ suite: "artifact", model: "ConvMixer-256/8, RP 1e-3, k 0.5", ...figures }),
    );
  } else {
    console.log("\n.pemn of ConvMixer-256/8, RP 1e-3, k = 0.5, seed mode");
    console.log(
      `bits per masked weight (header included, no norms; goal <= 1.01): ${figures.bitsPerMaskedWeight.toFixed(4)}`,
    );
    console.log(`file bytes with fp32 norms: ${figures.fileBytes}`);
    console.log(
      `decode, file bytes to ready weights (goal <= 50 ms): ${figures.decodeMs.toFixed(1)} ms`,
    );
    console.log(`inference, batch 64 (goal >= 1.0x PyTorch eval):`);
    console.log(
      `  pemn            ${figures.pemnImgPerS.toFixed(0)} img/s (${fixed(figures.pemnRatio, 2)}x)`,
    );
    console.log(
      `  onnxruntime     ${figures.onnxruntimeImgPerS.toFixed(0)} img/s (${fixed(figures.onnxruntimeRatio, 2)}x)`,
    );
    console.log(`  PyTorch eval    ${fixed(figures.torchImgPerS, 0)} img/s`);
    if (figures.note) console.log(`note: ${figures.note}`);
  }
}

if (runs("distributed")) {
  const { benchDistributed } = await import("./distributed.bench.js");
  const figures = await benchDistributed({
    minIterations: values.quick ? 4 : 10,
    rounds: values.quick ? 1 : 2,
  });
  if (values.json) {
    console.log(JSON.stringify({ suite: "distributed", ...figures }));
  } else {
    console.log(`\ndata-parallel step, ${figures.model}, batch 64 in total, 1 thread per rank`);
    console.log(`  1 rank            ${figures.singleImgPerS.toFixed(1)} img/s`);
    console.log(`  2 ranks (Gloo)    ${figures.dataParallelImgPerS.toFixed(1)} img/s`);
    console.log(
      `  throughput ratio  ${figures.throughputRatio.toFixed(2)}, efficiency ${figures.efficiency.toFixed(2)} (goal >= 0.9)`,
    );
    console.log(
      `  all-reduced/step  ${figures.allReducedBytesPerStep.toLocaleString("en-US")} bytes per rank; DDP on the dense network: ${figures.denseDdpBytesPerStep.toLocaleString("en-US")}`,
    );
  }
}

if (runs("estimate")) {
  const { benchSweepEstimate } = await import("./sweep-estimate.bench.js");
  const figures = benchSweepEstimate(values.quick);
  if (values.json) {
    console.log(JSON.stringify({ suite: "sweep-estimate", ...figures }));
  } else {
    console.log(
      `\nsweep time model: ${figures.runs} small Fashion-MNIST runs, pemn sweep --cores 2`,
    );
    console.log(`  estimated   ${figures.estimatedSeconds.toFixed(1)} s`);
    console.log(`  measured    ${figures.measuredSeconds.toFixed(1)} s`);
    console.log(`  ratio       ${figures.ratio.toFixed(2)} (goal 0.67-1.5)`);
  }
}

if (runs("data")) {
  const { benchDataWorkers } = await import("./data-workers.bench.js");
  const figures = await benchDataWorkers({ quick: values.quick });
  if (values.json) {
    for (const row of figures.rows) {
      console.log(
        JSON.stringify({
          suite: "data",
          pipeline: "cifar-reference",
          images: figures.images,
          batch: figures.batch,
          cores: figures.cores,
          workers: row.workers,
          img_per_s: row.imgPerS,
          ratio: row.ratio,
          start_ms: row.startMs,
          cpu_us_per_image: row.cpuUsPerImage,
        }),
      );
    }
    console.log(
      JSON.stringify({ suite: "data", case: "recipes", img_per_s: figures.recipesImgPerS }),
    );
  } else {
    console.log(
      `\nCIFAR reference augmentation into batches of ${figures.batch}, ${figures.images} random 3x32x32 images, ${figures.cores} cores`,
    );
    const widths = [12, 10, 7, 10, 12];
    console.log(table(["workers", "img/s", "ratio", "start ms", "CPU µs/img"], widths));
    for (const row of figures.rows) {
      console.log(
        table(
          [
            row.workers === 0 ? "0 (main)" : String(row.workers),
            fixed(row.imgPerS, 0),
            fixed(row.ratio, 2),
            fixed(row.startMs, 0),
            fixed(row.cpuUsPerImage, 1),
          ],
          widths,
        ),
      );
    }
    console.log(
      `main thread's share with workers (walking the draws, no pixels): ${fixed(figures.recipesImgPerS, 0)} img/s`,
    );
  }
  const { benchTrainEndToEnd } = await import("./train-end-to-end.bench.js");
  const endToEnd = await benchTrainEndToEnd({ quick: values.quick });
  if (values.json) {
    for (const row of endToEnd.rows) {
      console.log(
        JSON.stringify({
          suite: "data",
          case: "pemn-train-end-to-end",
          setting: row.setting,
          images: row.images,
          network: endToEnd.network,
          batch: endToEnd.batch,
          threads: endToEnd.threads,
          workers: row.workers,
          step_img_per_s: row.stepImgPerS,
          train_img_per_s: row.trainImgPerS,
          first_epoch_img_per_s: row.firstEpochImgPerS,
          ratio: row.ratio,
        }),
      );
    }
  } else {
    console.log(
      `\npemn train end to end against its training step, ${endToEnd.network}, batch ${endToEnd.batch}, threads: ${endToEnd.threads} (goal: ratio >= 0.95)`,
    );
    const widths = [42, 8, 10, 10, 12, 7];
    console.log(table(["setting", "workers", "step/s", "train/s", "1st epoch/s", "ratio"], widths));
    for (const row of endToEnd.rows) {
      console.log(
        table(
          [
            row.setting,
            String(row.workers),
            fixed(row.stepImgPerS, 0),
            fixed(row.trainImgPerS, 0),
            fixed(row.firstEpochImgPerS, 0),
            fixed(row.ratio, 2),
          ],
          widths,
        ),
      );
    }
  }
}
