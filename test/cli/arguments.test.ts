import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { boundedNumber, integer, positiveNumber } from "../../src/cli/arguments.js";
import { assertRefusals, runPemn } from "../helpers/run-pemn.js";

const pemn = runPemn;

const refuses = (parse: (value: string) => unknown, value: string, message: string) =>
  assert.throws(
    () => parse(value),
    (error: unknown) => error instanceof InvalidArgumentError && error.message === message,
    value,
  );

test("integer: whole numbers within the bounds given, each bound named when refused", () => {
  assert.equal(integer()("-7"), -7);
  assert.equal(integer({ min: 0 })("0"), 0);
  assert.equal(integer({ min: 1 })("12"), 12);
  assert.equal(integer({ min: 0, max: 65535 })("65535"), 65535);
  refuses(integer(), "2.5", 'expected an integer, got "2.5"');
  refuses(integer(), "", 'expected an integer, got ""');
  refuses(integer(), " ", 'expected an integer, got " "');
  refuses(integer(), "abc", 'expected an integer, got "abc"');
  refuses(
    integer({ min: 0 }),
    "9007199254740993",
    'expected an integer >= 0, got "9007199254740993", which is past Number.MAX_SAFE_INTEGER (9007199254740991): larger integers cannot be represented exactly',
  );
  refuses(
    integer(),
    "-9007199254740993",
    'expected an integer, got "-9007199254740993", which is past Number.MIN_SAFE_INTEGER (-9007199254740991): smaller integers cannot be represented exactly',
  );
  refuses(integer({ min: 0 }), "-1", 'expected an integer >= 0, got "-1"');
  refuses(integer({ min: 1 }), "0", 'expected an integer >= 1, got "0"');
  refuses(integer({ max: 16 }), "17", 'expected an integer <= 16, got "17"');
  refuses(
    integer({ min: 1, max: 8, why: "4 x the 2 cores" }),
    "9",
    'expected an integer from 1 to 8 (4 x the 2 cores), got "9"',
  );
  refuses(
    integer({ min: 0, max: 65535, what: "a port" }),
    "70000",
    'expected a port from 0 to 65535, got "70000"',
  );
});

test("boundedNumber and positiveNumber: finite numbers within bounds; blank text is no number", () => {
  const number = boundedNumber();
  assert.equal(number("-0.25"), -0.25);
  assert.equal(number("1e-3"), 0.001);
  assert.equal(positiveNumber("0.01"), 0.01);
  refuses(number, "", 'expected a number, got ""');
  refuses(number, "abc", 'expected a number, got "abc"');
  refuses(number, "Infinity", 'expected a number, got "Infinity"');
  refuses(positiveNumber, "0", 'expected a number > 0, got "0"');
  refuses(positiveNumber, "-2", 'expected a number > 0, got "-2"');
  refuses(positiveNumber, "NaN", 'expected a number > 0, got "NaN"');
  const ratio = boundedNumber({
    min: { value: 0, inclusive: false },
    max: { value: 1, inclusive: true },
  });
  assert.equal(ratio("1"), 1);
  refuses(ratio, "0", 'expected a number in (0, 1], got "0"');
  refuses(ratio, "1.5", 'expected a number in (0, 1], got "1.5"');
  const below = boundedNumber({ max: { value: 1, inclusive: false } });
  refuses(below, "1", 'expected a number < 1, got "1"');
});

test("pemn demo accepts its own default seed, 0", async () => {
  const { status, stdout, stderr } = await pemn("demo", "--seed", "0", "--epochs", "1");
  assert.equal(status, 0, stderr);
  assert.match(stdout, /^epoch 1: loss [\d.]+, accuracy [\d.]+%/);
  assert.match(stdout, /demo finished: training accuracy [\d.]+%/);
});

test("bad numbers are refused before anything runs, naming the flag and the bound", async () => {
  // Each run starts node and the engine (about 1.5 s): a few, one per kind of bound.
  const cases: [string[], RegExp][] = [
    [
      ["train", "--threads", "0"],
      /option '--threads <n>' argument '0' is invalid\. expected an integer from 1 to \d+ \(4 x the \d+ cores of this machine\), got "0"/,
    ],
    [
      ["train", "--epochs", "-1"],
      /option '--epochs <n>' argument '-1' is invalid\. expected an integer from 0 to 100000, got "-1"/,
    ],
    [
      ["train", "--lr", "abc"],
      /option '--lr <x>' argument 'abc' is invalid\. expected a number > 0, got "abc"/,
    ],
    [
      ["eval", "x.pemn", "--batch-size", "0"],
      /option '--batch-size <n>' argument '0' is invalid\. expected an integer >= 1, got "0"/,
    ],
  ];
  await assertRefusals(cases, pemn);
});
