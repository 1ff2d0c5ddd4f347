import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConfigError } from "../../../src/config/parse-config.js";
import { dataCacheDir } from "../../../src/data/data-cache.js";
import { cachedDatasetDir, downloadDir } from "../../../src/data/download/data-cache.js";
import {
  catalogueFromEnvironment,
  DOWNLOADABLE_DATASETS,
  OFFICIAL_CATALOGUE,
} from "../../../src/data/download/dataset-catalogue.js";
import { temporaryDirectory } from "../helpers.js";

const temp = temporaryDirectory();
after(temp.remove);

test("the official catalogue: every dataset, each file with a 32-digit md5 and its locations", () => {
  assert.deepEqual(Object.keys(OFFICIAL_CATALOGUE).sort(), [...DOWNLOADABLE_DATASETS].sort());
  // The published checksums and sizes, as torchvision and the datasets' pages list them.
  const published = Object.fromEntries(
    Object.entries(OFFICIAL_CATALOGUE).flatMap(([name, entry]) =>
      entry.files.map((file) => [`${name}/${file.name}`, `${file.md5} ${file.bytes}`]),
    ),
  );
  assert.deepEqual(published, {
    "mnist/train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873 9912422",
    "mnist/train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432 28881",
    "mnist/t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3 1648877",
    "mnist/t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c 4542",
    "fashion-mnist/train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d 26421880",
    "fashion-mnist/train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe 29515",
    "fashion-mnist/t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79 4422102",
    "fashion-mnist/t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310 5148",
    "cifar10/cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530 170052171",
    "cifar100/cifar-100-binary.tar.gz": "03b5dce01913d631647c71ecec9e9cb8 168513733",
    "tiny-imagenet/tiny-imagenet-200.zip": "90528d7ca1a48142e341f4ef8d21d0de 248100043",
  });
  assert.deepEqual(OFFICIAL_CATALOGUE.cifar10?.files[0]?.urls, [
    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
  ]);
  assert.deepEqual(OFFICIAL_CATALOGUE.mnist?.files[0]?.urls, [
    "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
    "http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz",
  ]);
});

test("PEMN_DATA_CATALOGUE replaces the datasets its file describes; PEMN_DATA_MIRROR every location", () => {
  const file = join(temp.dir, "catalogue.json");
  const entry = {
    title: "local MNIST",
    source: "http://127.0.0.1:1/",
    files: [{ name: "a.gz", md5: "0".repeat(32), urls: ["http://127.0.0.1:1/a.gz"] }],
    layout: { kind: "files" },
    complete: ["a.gz"],
  };
  writeFileSync(file, JSON.stringify({ mnist: entry }));
  const catalogue = catalogueFromEnvironment({ PEMN_DATA_CATALOGUE: file });
  assert.equal(catalogue.mnist?.title, "local MNIST");
  assert.equal(catalogue.cifar10, OFFICIAL_CATALOGUE.cifar10);
  const mirrored = catalogueFromEnvironment({ PEMN_DATA_MIRROR: "https://mirror.example/data" });
  assert.deepEqual(mirrored.cifar100?.files[0]?.urls, [
    "https://mirror.example/data/cifar100/cifar-100-binary.tar.gz",
  ]);
  assert.equal(mirrored.cifar100?.files[0]?.md5, OFFICIAL_CATALOGUE.cifar100?.files[0]?.md5);
  assert.throws(
    () => catalogueFromEnvironment({ PEMN_DATA_MIRROR: "file:///srv/data" }),
    /PEMN_DATA_MIRROR must be an http or https URL, got "file:\/\/\/srv\/data"/,
  );
});

test("a bad catalogue file is refused naming the field", () => {
  const file = join(temp.dir, "bad.json");
  const cases: [unknown, RegExp][] = [
    [
      {
        cifar10: {
          ...OFFICIAL_CATALOGUE.cifar10,
          files: [{ name: "../x", md5: "0".repeat(32), urls: ["http://a/"] }],
        },
      },
      /must be a plain file name[\s\S]*at cifar10\.files\[0\]\.name/,
    ],
    [
      {
        mnist: {
          ...OFFICIAL_CATALOGUE.mnist,
          files: [{ name: "x", md5: "ABC", urls: ["http://a/"] }],
        },
      },
      /32 lower-case hex digits[\s\S]*at mnist\.files\[0\]\.md5/,
    ],
    [
      {
        mnist: {
          ...OFFICIAL_CATALOGUE.mnist,
          files: [{ name: "x", md5: "0".repeat(32), urls: ["ftp://a/x"] }],
        },
      },
      /http or https URL[\s\S]*at mnist\.files\[0\]\.urls\[0\]/,
    ],
    [{ imagenet: OFFICIAL_CATALOGUE.mnist }, /imagenet/],
  ];
  for (const [value, pattern] of cases) {
    writeFileSync(file, JSON.stringify(value));
    assert.throws(
      () => catalogueFromEnvironment({ PEMN_DATA_CATALOGUE: file }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /^invalid dataset catalogue .*bad\.json \(PEMN_DATA_CATALOGUE\):/,
        );
        assert.match(error.message, pattern);
        return true;
      },
    );
  }
  writeFileSync(file, "{");
  assert.throws(
    () => catalogueFromEnvironment({ PEMN_DATA_CATALOGUE: file }),
    /bad\.json \(PEMN_DATA_CATALOGUE\): not JSON/,
  );
});

test("the cache: PEMN_DATA, else $XDG_CACHE_HOME/pemn/data (absolute only), else ~/.cache/pemn/data", () => {
  assert.equal(dataCacheDir({ PEMN_DATA: "/srv/pemn", XDG_CACHE_HOME: "/x" }), "/srv/pemn");
  assert.equal(dataCacheDir({ XDG_CACHE_HOME: "/var/cache/me" }), "/var/cache/me/pemn/data");
  assert.equal(dataCacheDir({ XDG_CACHE_HOME: "relative" }), join(homedir(), ".cache/pemn/data"));
  assert.equal(dataCacheDir({}), join(homedir(), ".cache/pemn/data"));
  assert.equal(cachedDatasetDir("cifar10", { PEMN_DATA: "/d" }), "/d/cifar10");
  assert.equal(downloadDir("/d/cifar10/"), "/d/cifar10.download");
});
