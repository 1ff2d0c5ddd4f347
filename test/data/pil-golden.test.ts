import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  affineNearest,
  rotation,
  shearX,
  shearY,
  translation,
} from "../../src/data/augment/affine.js";
import {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
} from "../../src/data/augment/enhance.js";
import { resizeCropBilinear } from "../../src/data/augment/resized-crop.js";
import { autocontrast, equalize, posterize, solarize } from "../../src/data/augment/tone.js";
import type { ImageShape } from "../../src/data/image-shape.js";

/** Pillow's own outputs, written by fixtures/make-pil-golden.py. */
interface Golden {
  pillow: string;
  height: number;
  width: number;
  inputs: Record<string, { channels: number; pixels: string }>;
  cases: { input: string; op: string; param: number | number[]; output: string }[];
}

const golden = JSON.parse(
  readFileSync(new URL("./fixtures/pil-golden.json", import.meta.url), "utf8"),
) as Golden;

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));

/** Runs our version of a Pillow op; returns the buffer holding the result. */
function run(
  op: string,
  param: number | number[],
  image: Uint8Array,
  shape: ImageShape,
): Uint8Array {
  const scratch = new Uint8Array(image.length);
  const affine = (inverse: Parameters<typeof affineNearest>[3]) => {
    affineNearest(image, scratch, shape, inverse, 0);
    return scratch;
  };
  const value = param as number;
  const [first = 0, second = 0, third = 0] = Array.isArray(param) ? param : [];
  switch (op) {
    case "brightness":
      adjustBrightness(image, value);
      return image;
    case "color":
      adjustSaturation(image, shape, value);
      return image;
    case "contrast":
      adjustContrast(image, shape, value);
      return image;
    case "sharpness":
      adjustSharpness(image, scratch, shape, value);
      return image;
    case "posterize":
      posterize(image, value);
      return image;
    case "solarize":
      solarize(image, value);
      return image;
    case "autocontrast":
      autocontrast(image, shape);
      return image;
    case "equalize":
      equalize(image, shape);
      return image;
    case "rotate":
      return affine(rotation(value, shape));
    case "shearX":
      return affine(shearX(value));
    case "shearY":
      return affine(shearY(value));
    case "translate":
      return affine(translation(first, second));
    case "resizedCrop":
      resizeCropBilinear(image, scratch, shape, {
        top: first,
        left: second,
        height: third,
        width: third,
      });
      return scratch;
    default:
      throw new Error(`no such op in the golden file: ${op}`);
  }
}

test(`every op matches Pillow ${golden.pillow} pixel for pixel (${golden.cases.length} cases)`, () => {
  assert.ok(golden.cases.length > 80);
  const mismatches: string[] = [];
  for (const { input, op, param, output } of golden.cases) {
    const source = golden.inputs[input];
    assert.ok(source !== undefined);
    const shape = { channels: source.channels, height: golden.height, width: golden.width };
    const result = run(op, param, bytes(source.pixels), shape);
    const expected = bytes(output);
    let differing = 0;
    for (let i = 0; i < expected.length; i++) if (result[i] !== expected[i]) differing++;
    if (differing > 0)
      mismatches.push(`${op}(${JSON.stringify(param)}) on ${input}: ${differing} values differ`);
  }
  assert.deepEqual(mismatches, []);
});
