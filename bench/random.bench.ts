/**
 * Throughput of the specified generator. Run: node --import tsx bench/random.bench.ts
 * The figure that matters: ConvMixer-512/8 has about 2.2 million masked weights, all drawn
 * as normals when a network is built or a .pemn file decoded.
 */
import { createGenerator } from "../src/random/index.js";

const NORMAL_COUNT = 2_200_000;
const REPEATS = 7;

function medianMilliseconds(run: () => void): number {
  run(); // warm-up, lets the JIT optimise
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(REPEATS / 2)] as number;
}

function report(label: string, count: number, milliseconds: number): void {
  const perSecond = (count / milliseconds) * 1000;
  console.log(
    `${label.padEnd(28)} ${milliseconds.toFixed(1).padStart(7)} ms  ${(perSecond / 1e6).toFixed(1).padStart(6)} M values/s`,
  );
}

const normals = new Float32Array(NORMAL_COUNT);
report(
  `fillNormal x ${NORMAL_COUNT}`,
  NORMAL_COUNT,
  medianMilliseconds(() => createGenerator(1, "bench").fillNormal(normals, 0, 1)),
);

const uniforms = new Float32Array(NORMAL_COUNT);
report(
  `fillUniform x ${NORMAL_COUNT}`,
  NORMAL_COUNT,
  medianMilliseconds(() => createGenerator(1, "bench").fillUniform(uniforms, -1, 1)),
);

const WORD_COUNT = 10_000_000;
report(
  `nextUint32 x ${WORD_COUNT}`,
  WORD_COUNT,
  medianMilliseconds(() => {
    const generator = createGenerator(1, "bench");
    let sink = 0;
    for (let i = 0; i < WORD_COUNT; i++) sink ^= generator.nextUint32();
    if (sink === 0.5) console.log(sink); // keeps the loop from being optimised away
  }),
);

const PERMUTATION_LENGTH = 1_000_000;
report(
  `permutation(${PERMUTATION_LENGTH})`,
  PERMUTATION_LENGTH,
  medianMilliseconds(() => createGenerator(1, "bench").permutation(PERMUTATION_LENGTH)),
);
