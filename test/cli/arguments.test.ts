import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { commaList, integer, json, number, positiveNumber } from "../../src/cli/arguments.js";
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

test("number and positiveNumber: finite numbers; blank text is no number", () => {
  assert.equal(number("-0.25"), -0.25);
  assert.equal(number("1e-3"), 0.001);
  assert.equal(positiveNumber("0.01"), 0.01);
  refuses(number, "", 'expected a number, got ""');
  refuses(number, "abc", 'expected a number, got "abc"');
  refuses(number, "Infinity", 'expected a number, got "Infinity"');
  refuses(positiveNumber, "0", 'expected a number > 0, got "0"');
  refuses(positiveNumber, "-2", 'expected a number > 0, got "-2"');
  refuses(positiveNumber, "NaN", 'expected a number > 0, got "NaN"');
});

test("commaList reads each item with its parser; json reads any JSON value", () => {
  assert.deepEqual(commaList(integer())("100, 50,25"), [100, 50, 25]);
  refuses(commaList(integer()), "100,x", 'expected an integer, got "x"');
  assert.deepEqual(json('[{"kind":"horizontalFlip"}]'), [{ kind: "horizontalFlip" }]);
  assert.equal(json("null"), null);
  refuses(json, "{kind: 1}", 'expected JSON, got "{kind: 1}"');
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
      /option '--epochs <n>' argument '-1' is invalid\. expected an integer >= 0, got "-1"/,
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
