/**
 * `npm run bench [-- --json] [-- --quick]`: pemn's speed against references measured in
 * the same invocation. Targets live here, never in unit tests.
 */
import { parseArgs } from "node:util";
import { engineInfo } from "../src/engine/index.js";
import { benchEngineOps } from "./engine-ops.bench.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
  },
});

const info = engineInfo();
const timing = values.quick
  ? { minSeconds: 0.5, minIterations: 3, rounds: 1 }
  : { minSeconds: 2, minIterations: 5, rounds: 3 };
const ops = await benchEngineOps(timing);

if (values.json) {
  console.log(JSON.stringify({ engine: info, engineOps: ops.rows, note: ops.note }));
} else {
  console.log(
    `engine: libtorch ${info.libtorchVersion}, ${info.threads} threads, BLAS ${info.blas.kind}`,
  );
  console.log("\nforward + backward, batch 64 at ConvMixer-256 sizes (goal: ratio >= 0.97)");
  console.log(
    [
      "case".padEnd(36),
      "pemn img/s".padStart(11),
      "torch img/s".padStart(12),
      "ratio".padStart(7),
    ].join(" "),
  );
  for (const row of ops.rows) {
    console.log(
      [
        row.name.padEnd(36),
        row.pemnImgPerS.toFixed(1).padStart(11),
        (row.torchImgPerS?.toFixed(1) ?? "n/a").padStart(12),
        (row.ratio?.toFixed(3) ?? "n/a").padStart(7),
      ].join(" "),
    );
  }
  if (ops.note) console.log(`\nnote: ${ops.note}`);
}
