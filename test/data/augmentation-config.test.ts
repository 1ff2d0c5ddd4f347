import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import { parseAugmentationConfig } from "../../src/data/augment/augmentation-config.js";

test("defaults fill in every step", () => {
  const steps = parseAugmentationConfig([
    { kind: "randomResizedCrop" },
    { kind: "horizontalFlip" },
    { kind: "randAugment" },
    { kind: "colorJitter", brightness: 0.1 },
    { kind: "randomCrop", padding: 4 },
    { kind: "randomErasing" },
  ]);
  assert.deepEqual(steps, [
    { kind: "randomResizedCrop", scale: [0.08, 1] },
    { kind: "horizontalFlip", p: 0.5 },
    { kind: "randAugment", numOps: 2, magnitude: 9, magnitudeBins: 31, fill: 0 },
    { kind: "colorJitter", brightness: 0.1, contrast: 0, saturation: 0 },
    { kind: "randomCrop", padding: 4, fill: 0 },
    { kind: "randomErasing", p: 0.5, scale: [0.02, 0.33], ratio: [0.3, 3.3], fill: "zero" },
  ]);
  assert.deepEqual(parseAugmentationConfig([]), []);
});

/** Asserts the config is rejected with a message matching every pattern. */
function rejects(value: unknown, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseAugmentationConfig(value),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

test("bad values are rejected with the step and field named", () => {
  rejects(
    [{ kind: "horizontalFlip", p: 1.5 }],
    /p must be a probability in \[0, 1\]/,
    /at \[0\]\.p/,
  );
  rejects([{ kind: "randomCrop" }], /at \[0\]\.padding/);
  rejects(
    [{ kind: "randomCrop", padding: 4, fill: 300 }],
    /fill must be in 0\.\.255/,
    /at \[0\]\.fill/,
  );
  rejects(
    [{ kind: "randomResizedCrop", scale: [0.9, 0.5] }],
    /must be \[low, high\] with 0 < low <= high <= 1/,
    /at \[0\]\.scale/,
  );
  rejects(
    [{ kind: "randAugment", magnitude: 31 }],
    /magnitude must be below magnitudeBins/,
    /at \[0\]\.magnitude/,
  );
  rejects([{ kind: "randAugment", numOps: -1 }], /numOps must be >= 0/);
  rejects([{ kind: "colorJitter", hue: 0.1 }], /Unrecognized key: "hue"/, /at \[0\]/);
  rejects([{ kind: "mixup" }], /at \[0\]\.kind/);
  rejects({ kind: "horizontalFlip" }, /expected array/);
  rejects([{ kind: "randomErasing", fill: "noise" }], /at \[0\]\.fill/);
});

test("a pixel step after random erasing is rejected: erasing works on the normalised image", () => {
  rejects(
    [{ kind: "randomErasing" }, { kind: "horizontalFlip" }],
    /horizontalFlip works on uint8 pixels, so it must come before randomErasing \(step 0\)/,
    /at \[1\]\.kind/,
  );
});
