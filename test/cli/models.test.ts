import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { BACKBONE_NAMES } from "../../src/models/pure.js";
import { PEMN_BIN, runPemn } from "../helpers/run-pemn.js";

test("pemn models --json: every registered backbone, its defaults, and sizes worked out by hand", async () => {
  const { status, stdout } = await runPemn("models", "--json");
  assert.equal(status, 0);
  const entries = JSON.parse(stdout) as {
    name: string;
    defaults: Record<string, unknown>;
    size: { fits: boolean; maskedWeights?: number };
  }[];
  assert.deepEqual(
    entries.map((entry) => entry.name),
    BACKBONE_NAMES,
  );
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  assert.deepEqual(byName.get("conv")?.defaults, { depth: 4, width: 1 });
  // Conv-4 on 3x32x32: 9 (3*64 + 64*64 + 64*128 + 128*128) + 8192*256 + 256*256 + 256*10.
  assert.equal(byName.get("conv")?.size.maskedWeights, 2_425_024);
  // ResNet-32, shortcut A: 432 + 5 * 2 * 2304 + (4608 + 9 * 9216) + (18432 + 9 * 36864) + 640.
  assert.equal(byName.get("resnet")?.size.maskedWeights, 461_872);
});

test("pemn models on images a default does not fit says why, and lists the others", async () => {
  const { status, stdout } = await runPemn("models", "--input", "1x4x4");
  assert.equal(status, 0);
  assert.match(
    stdout,
    /convmixer[^\n]*\n(?:.*\n){2} {2}size {6}the defaults do not fit these images: .*kernel 5 is larger than the 2-pixel height/,
  );
  // MLP 16 -> 100 -> 100 -> 100 -> 10: 1600 + 2 * 10000 + 1000.
  assert.match(stdout, /mlp[^\n]*\n(?:.*\n){2} {2}size {6}4 masked layers, 22,600 masked weights/);
});

test("pemn models refuses a bad --input or --classes, naming the flag", async () => {
  const classes = await runPemn("models", "--classes", "1");
  assert.notEqual(classes.status, 0);
  assert.match(classes.stderr, /--classes <n>' argument '1' is invalid\. expected an integer >= 2/);
  const input = await runPemn("models", "--input", "3x32");
  assert.notEqual(input.status, 0);
  assert.match(input.stderr, /--input <CxHxW>' argument '3x32' is invalid\. expected CxHxW/);
});

test("a reader that stops early is no error: pemn models | head -1 exits 0", () => {
  const result = spawnSync(
    "bash",
    ["-c", `"${process.execPath}" "${PEMN_BIN}" models | head -1; exit \${PIPESTATUS[0]}`],
    {
      encoding: "utf8",
    },
  );
  assert.equal(result.stdout.trim(), "sizes of each default config on 3x32x32 images, 10 classes");
  assert.equal(result.status, 0, result.stderr);
});
