import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { FASHION_MNIST_DEFAULT_DIR } from "../../../src/data/dataset-source.js";
import type { Catalogue } from "../../../src/data/download/dataset-catalogue.js";
import { DownloadError } from "../../../src/data/download/download-error.js";
import type { DownloadProgress } from "../../../src/data/download/download-progress.js";
import { ensureDatasetDir } from "../../../src/data/download/ensure-dataset.js";
import { type FetchOptions, fetchDataset } from "../../../src/data/download/fetch-dataset.js";
import { loadDataset } from "../../../src/data/load-dataset.js";
import { cifarBytes, idxBytes, temporaryDirectory } from "../helpers.js";
import { type LocalServer, md5, type Route, startServer, tarGz, zip } from "./helpers.js";

const temp = temporaryDirectory();
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  temp.remove();
});

// --- generated datasets, and their checksums computed here ---------------------------------

/** Tiny MNIST-style files: 3 training images 2x2 labelled 0, 1, 2; 1 test image labelled 9. */
const IDX_FILES: Record<string, Buffer> = {
  "train-images-idx3-ubyte.gz": gzipSync(idxBytes(0x803, [3, 2, 2], [...Array(12).keys()])),
  "train-labels-idx1-ubyte.gz": gzipSync(idxBytes(0x801, [3], [0, 1, 2])),
  "t10k-images-idx3-ubyte.gz": gzipSync(idxBytes(0x803, [1, 2, 2], [9, 9, 9, 9])),
  "t10k-labels-idx1-ubyte.gz": gzipSync(idxBytes(0x801, [1], [9])),
};

/** CIFAR-10 binary batches: two records per training batch, three test records. */
const CIFAR10_TAR = tarGz([
  { name: "cifar-10-batches-bin/", type: "dir" },
  ...[1, 2, 3, 4, 5].map((batch) => ({
    name: `cifar-10-batches-bin/data_batch_${batch}.bin`,
    data: cifarBytes([[batch], [9 - batch]]),
  })),
  { name: "cifar-10-batches-bin/test_batch.bin", data: cifarBytes([[0], [1], [2]]) },
  { name: "cifar-10-batches-bin/batches.meta.txt", data: Buffer.from("airplane\n") },
]);

const CIFAR100_TAR = tarGz([
  {
    name: "cifar-100-binary/train.bin",
    data: cifarBytes([
      [3, 30],
      [4, 99],
    ]),
  },
  { name: "cifar-100-binary/test.bin", data: cifarBytes([[19, 0]]) },
]);

const TINY_ZIP = zip([
  { name: "tiny-imagenet-200/", type: "dir" },
  { name: "tiny-imagenet-200/wnids.txt", data: Buffer.from("n01443537\n") },
  { name: "tiny-imagenet-200/words.txt", data: Buffer.from("n01443537\tgoldfish\n") },
  { name: "tiny-imagenet-200/train/n01443537/images/n01443537_0.JPEG", data: Buffer.from("jpg") },
  {
    name: "tiny-imagenet-200/val/val_annotations.txt",
    data: Buffer.from("val_0.JPEG\tn01443537\t0\t0\t63\t63\n"),
  },
  { name: "tiny-imagenet-200/val/images/val_0.JPEG", data: Buffer.from("jpg") },
]);

/** A catalogue entry for each dataset, served from `origin` (paths /<dataset>/<file>). */
function catalogueAt(origin: string, overrides: { md5?: string; bytes?: number } = {}): Catalogue {
  const file = (dataset: string, name: string, data: Buffer) => ({
    name,
    md5: overrides.md5 ?? md5(data),
    bytes: overrides.bytes ?? data.length,
    urls: [`${origin}/${dataset}/${name}`],
  });
  const archive = (dataset: string, name: string, data: Buffer) => [file(dataset, name, data)];
  return {
    mnist: {
      title: "MNIST (test)",
      source: origin,
      files: Object.entries(IDX_FILES).map(([name, data]) => file("mnist", name, data)),
      layout: { kind: "files" },
      complete: Object.keys(IDX_FILES),
    },
    cifar10: {
      title: "CIFAR-10 (test)",
      source: origin,
      files: archive("cifar10", "cifar-10-binary.tar.gz", CIFAR10_TAR),
      layout: { kind: "archive", format: "tar.gz", root: "cifar-10-batches-bin" },
      complete: [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.bin`).concat("test_batch.bin"),
    },
    cifar100: {
      title: "CIFAR-100 (test)",
      source: origin,
      files: archive("cifar100", "cifar-100-binary.tar.gz", CIFAR100_TAR),
      layout: { kind: "archive", format: "tar.gz", root: "cifar-100-binary" },
      complete: ["train.bin", "test.bin"],
    },
    "tiny-imagenet": {
      title: "Tiny ImageNet (test)",
      source: origin,
      files: archive("tiny-imagenet", "tiny-imagenet-200.zip", TINY_ZIP),
      layout: { kind: "archive", format: "zip", root: "tiny-imagenet-200" },
      complete: ["wnids.txt", "words.txt", "train/", "val/val_annotations.txt"],
    },
  };
}

function goodRoutes(): Record<string, Route> {
  return {
    ...Object.fromEntries(
      Object.entries(IDX_FILES).map(([name, data]) => [`/mnist/${name}`, { kind: "bytes", data }]),
    ),
    "/cifar10/cifar-10-binary.tar.gz": { kind: "bytes", data: CIFAR10_TAR },
    "/cifar100/cifar-100-binary.tar.gz": { kind: "bytes", data: CIFAR100_TAR },
    "/tiny-imagenet/tiny-imagenet-200.zip": { kind: "bytes", data: TINY_ZIP },
  } as Record<string, Route>;
}

async function server(routes: Record<string, Route> = goodRoutes()): Promise<LocalServer> {
  const started = await startServer(routes);
  servers.push(started);
  return started;
}

let caseCount = 0;
/** A fresh cache (PEMN_DATA) and fetch options against `local`. */
function setup(
  local: LocalServer,
  catalogue: Catalogue = catalogueAt(local.origin),
): { cache: string; options: FetchOptions; notes: string[] } {
  const cache = join(temp.dir, `cache-${caseCount++}`);
  const notes: string[] = [];
  const progress: DownloadProgress = {
    start() {},
    advance() {},
    stop() {},
    note: (line) => notes.push(line),
  };
  return {
    cache,
    notes,
    options: {
      catalogue,
      env: { PEMN_DATA: cache },
      stallTimeoutSeconds: 2,
      retries: 0,
      retryDelayMs: 0,
      progress,
    },
  };
}

async function fetchError(promise: Promise<unknown>): Promise<DownloadError> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof DownloadError, `expected a DownloadError, got ${String(caught)}`);
  return caught;
}

// --- good downloads ----------------------------------------------------------------------

test("mnist: four checked files in <cache>/mnist, read by the loader; a second fetch downloads nothing", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  const result = await fetchDataset("mnist", options);
  assert.equal(result.dir, join(cache, "mnist"));
  assert.deepEqual([...result.downloaded].sort(), Object.keys(IDX_FILES).sort());
  assert.deepEqual(readdirSync(cache).sort(), ["mnist"]); // no .download, no lock left
  for (const [name, data] of Object.entries(IDX_FILES)) {
    assert.equal(md5(readFileSync(join(result.dir, name))), md5(data));
  }
  const train = loadDataset({ name: "mnist", dir: result.dir }, "train");
  assert.deepEqual(Array.from(train.labels), [0, 1, 2]);
  assert.equal(loadDataset({ name: "mnist", dir: result.dir }, "test").count, 1);
  const requests = local.requests.length;
  assert.deepEqual((await fetchDataset("mnist", options)).downloaded, []);
  assert.equal(local.requests.length, requests);
});

test("cifar10 and cifar100: the archive checked, unpacked, its folder renamed to <cache>/<name>, the archive gone", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  const ten = await fetchDataset("cifar10", options);
  assert.equal(ten.dir, join(cache, "cifar10"));
  assert.deepEqual(ten.downloaded, ["cifar-10-binary.tar.gz"]);
  const train = loadDataset({ name: "cifar10", dir: ten.dir }, "train");
  assert.equal(train.count, 10);
  assert.deepEqual(Array.from(train.labels), [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
  assert.equal(loadDataset({ name: "cifar10", dir: ten.dir }, "test").count, 3);
  const hundred = await fetchDataset("cifar100", options);
  const fine = loadDataset({ name: "cifar100", dir: hundred.dir, labels: "fine" }, "train");
  assert.deepEqual(Array.from(fine.labels), [30, 99]);
  assert.deepEqual(readdirSync(cache).sort(), ["cifar10", "cifar100"]);
});

test("tiny-imagenet: the zip unpacked, tiny-imagenet-200/ renamed to <cache>/tiny-imagenet", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  const result = await fetchDataset("tiny-imagenet", options);
  assert.equal(result.dir, join(cache, "tiny-imagenet"));
  assert.equal(readFileSync(join(result.dir, "wnids.txt"), "utf8"), "n01443537\n");
  assert.ok(existsSync(join(result.dir, "train/n01443537/images/n01443537_0.JPEG")));
  assert.ok(existsSync(join(result.dir, "val/val_annotations.txt")));
});

test("--dir: the dataset goes where asked, the cache untouched", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  const dir = join(temp.dir, "mine", "cifar");
  const result = await fetchDataset("cifar10", { ...options, dir });
  assert.equal(result.dir, dir);
  assert.equal(loadDataset({ name: "cifar10", dir }, "test").count, 3);
  assert.equal(existsSync(cache), false);
});

test("a redirect, and a first location that fails, still end with the checked file", async () => {
  const local = await server({
    ...goodRoutes(),
    "/moved/cifar-100-binary.tar.gz": { kind: "redirect", to: "/cifar100/cifar-100-binary.tar.gz" },
  });
  const catalogue = catalogueAt(local.origin);
  const entry = catalogue.cifar100;
  assert.ok(entry);
  const [file] = entry.files;
  assert.ok(file);
  const urls = [
    `${local.origin}/gone/cifar-100-binary.tar.gz`,
    `${local.origin}/moved/cifar-100-binary.tar.gz`,
  ];
  const { options } = setup(local, { cifar100: { ...entry, files: [{ ...file, urls }] } });
  const result = await fetchDataset("cifar100", options);
  assert.equal(
    loadDataset({ name: "cifar100", dir: result.dir, labels: "coarse" }, "test").count,
    1,
  );
  assert.deepEqual(
    local.requests.map((request) => request.path),
    [
      "/gone/cifar-100-binary.tar.gz",
      "/moved/cifar-100-binary.tar.gz",
      "/cifar100/cifar-100-binary.tar.gz",
    ],
  );
});

// --- bad downloads -----------------------------------------------------------------------

test("a wrong checksum: refused naming the URL, the file, both md5s and where to put it by hand; nothing kept", async () => {
  const local = await server();
  const published = "0123456789abcdef0123456789abcdef";
  const { cache, options } = setup(local, catalogueAt(local.origin, { md5: published }));
  const error = await fetchError(fetchDataset("cifar10", options));
  assert.equal(error.code, "checksum-mismatch");
  const url = `${local.origin}/cifar10/cifar-10-binary.tar.gz`;
  const handPath = join(cache, "cifar10.download", "cifar-10-binary.tar.gz");
  assert.equal(error.url, url);
  assert.equal(error.file, handPath);
  assert.ok(error.message.includes(`could not download cifar-10-binary.tar.gz (md5 ${published}`));
  assert.ok(error.message.includes(`${url}: md5 of the download is ${md5(CIFAR10_TAR)}`));
  assert.ok(error.message.includes(`save it as ${handPath}`));
  assert.equal(existsSync(join(cache, "cifar10")), false);
  assert.deepEqual(readdirSync(cache), []); // no .part, no empty .download
});

test("a truncated file: refused by its published size, or else by its md5", async () => {
  const short = CIFAR10_TAR.subarray(0, CIFAR10_TAR.length - 100);
  const local = await server({ "/cifar10/cifar-10-binary.tar.gz": { kind: "bytes", data: short } });
  const bySize = setup(local, catalogueAt(local.origin));
  const sizeError = await fetchError(fetchDataset("cifar10", bySize.options));
  assert.equal(sizeError.code, "size-mismatch");
  assert.match(
    sizeError.message,
    new RegExp(
      `announces ${short.length} bytes, but the file is published with ${CIFAR10_TAR.length}`,
    ),
  );
  const catalogue = catalogueAt(local.origin);
  const entry = catalogue.cifar10;
  assert.ok(entry);
  const files = entry.files.map(({ bytes: _bytes, ...file }) => file);
  const byMd5 = setup(local, { cifar10: { ...entry, files } });
  const md5Error = await fetchError(fetchDataset("cifar10", byMd5.options));
  assert.equal(md5Error.code, "checksum-mismatch");
  assert.ok(md5Error.message.includes(`md5 of the download is ${md5(short)}`));
  assert.equal(existsSync(join(byMd5.cache, "cifar10")), false);
});

test("a stalled server: a clear timeout naming the URL, and no dataset folder", async () => {
  const local = await server({
    "/cifar10/cifar-10-binary.tar.gz": {
      kind: "stall",
      data: CIFAR10_TAR,
      after: Math.floor(CIFAR10_TAR.length / 2),
    },
  });
  const { cache, options } = setup(local);
  const error = await fetchError(fetchDataset("cifar10", { ...options, stallTimeoutSeconds: 0.3 }));
  assert.equal(error.code, "stalled");
  assert.match(
    error.message,
    new RegExp(`${local.origin}/cifar10/cifar-10-binary.tar.gz: no data for 0\\.3 s`),
  );
  assert.equal(existsSync(join(cache, "cifar10")), false);
});

test("a download killed half-way: the re-run resumes it with a Range and ends checked", async () => {
  const half = Math.floor(CIFAR10_TAR.length / 2);
  const local = await server({
    "/cifar10/cifar-10-binary.tar.gz": { kind: "cut", data: CIFAR10_TAR, after: half },
  });
  const { cache, options } = setup(local);
  const error = await fetchError(fetchDataset("cifar10", options));
  assert.equal(error.code, "network");
  assert.match(error.message, /the connection closed early/);
  // The partial bytes wait under a name no loader reads; the dataset's folder does not exist.
  const part = join(cache, "cifar10.download", "cifar-10-binary.tar.gz.part");
  const kept = readFileSync(part);
  assert.ok(kept.length > 0 && kept.length < CIFAR10_TAR.length);
  assert.equal(existsSync(join(cache, "cifar10")), false);
  assert.throws(() => loadDataset({ name: "cifar10", dir: join(cache, "cifar10") }, "test"));

  local.route("/cifar10/cifar-10-binary.tar.gz", { kind: "bytes", data: CIFAR10_TAR });
  const result = await fetchDataset("cifar10", options);
  assert.equal(local.requests.at(-1)?.range, `bytes=${kept.length}-`);
  assert.equal(loadDataset({ name: "cifar10", dir: result.dir }, "train").count, 10);
  assert.deepEqual(readdirSync(cache), ["cifar10"]);
});

test("a stale part of other bytes: the resumed file fails its md5, and is fetched again whole", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  const work = join(cache, "cifar10.download");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "cifar-10-binary.tar.gz.part"), Buffer.alloc(100, 7));
  const result = await fetchDataset("cifar10", options);
  assert.deepEqual(
    local.requests.map((request) => request.range),
    ["bytes=100-", undefined],
  );
  assert.equal(loadDataset({ name: "cifar10", dir: result.dir }, "test").count, 3);
});

test("a connection cut once is resumed within the same fetch when retries are allowed", async () => {
  const data = IDX_FILES["train-images-idx3-ubyte.gz"] as Buffer;
  const local = await server({
    ...goodRoutes(),
    "/mnist/train-images-idx3-ubyte.gz": {
      kind: "cut",
      data,
      after: 40,
      afterwards: { kind: "bytes", data },
    },
  });
  const { options } = setup(local);
  const result = await fetchDataset("mnist", { ...options, retries: 1 });
  const ranges = local.requests.filter((request) =>
    request.path.endsWith("train-images-idx3-ubyte.gz"),
  );
  assert.equal(ranges.length, 2);
  assert.match(ranges[1]?.range ?? "", /^bytes=\d+-$/);
  assert.equal(loadDataset({ name: "mnist", dir: result.dir }, "train").count, 3);
});

test("offline: the error names every URL, the file and its md5, and where to save it by hand", async () => {
  const local = await startServer();
  await local.close();
  const { cache, options } = setup(local);
  const error = await fetchError(fetchDataset("mnist", options));
  assert.equal(error.code, "network");
  const name = "train-images-idx3-ubyte.gz";
  assert.ok(
    error.message.includes(`could not download ${name} (md5 ${md5(IDX_FILES[name] as Buffer)}`),
  );
  assert.ok(error.message.includes(`${local.origin}/mnist/${name}: ECONNREFUSED`));
  assert.ok(error.message.includes(`Download it by hand from ${local.origin}/mnist/${name}`));
  assert.ok(error.message.includes(`save it as ${join(cache, "mnist.download", name)}`));
});

test("an archive with a ../ entry, even with the right md5, is refused and leaves nothing", async () => {
  const evil = tarGz([
    { name: "cifar-10-batches-bin/test_batch.bin", data: cifarBytes([[0]]) },
    { name: "cifar-10-batches-bin/../../escaped.txt", data: Buffer.from("x") },
  ]);
  const local = await server({ "/cifar10/cifar-10-binary.tar.gz": { kind: "bytes", data: evil } });
  const catalogue = catalogueAt(local.origin);
  const entry = catalogue.cifar10;
  assert.ok(entry);
  const files = entry.files.map((file) => ({ ...file, md5: md5(evil), bytes: evil.length }));
  const { cache, options } = setup(local, { cifar10: { ...entry, files } });
  const error = await fetchError(fetchDataset("cifar10", options));
  assert.equal(error.code, "unsafe-archive");
  assert.match(error.message, /"cifar-10-batches-bin\/\.\.\/\.\.\/escaped\.txt" climbs out/);
  assert.equal(existsSync(join(cache, "cifar10")), false);
  assert.equal(existsSync(join(cache, "escaped.txt")), false);
  assert.equal(existsSync(join(cache, "cifar10.download", "escaped.txt")), false);
  assert.deepEqual(
    readdirSync(join(cache, "cifar10.download")).filter((name) => name.startsWith("unpacking-")),
    [],
  );
});

test("a folder in the way is not overwritten; an empty one is used", async () => {
  const local = await server();
  const { cache, options } = setup(local);
  mkdirSync(join(cache, "cifar100"), { recursive: true });
  writeFileSync(join(cache, "cifar100", "notes.txt"), "mine");
  const error = await fetchError(fetchDataset("cifar100", options));
  assert.equal(error.code, "target-in-the-way");
  assert.match(
    error.message,
    /cifar100 exists but is no complete CIFAR-100 \(test\) \(it lacks train\.bin, test\.bin\)/,
  );
  assert.equal(readFileSync(join(cache, "cifar100", "notes.txt"), "utf8"), "mine");
  mkdirSync(join(cache, "cifar10"));
  const result = await fetchDataset("cifar10", options);
  assert.equal(loadDataset({ name: "cifar10", dir: result.dir }, "test").count, 3);
});

test("a file saved by hand where the error said is checked and used without the network", async () => {
  const local = await server({});
  const { cache, options } = setup(local);
  mkdirSync(join(cache, "cifar10.download"), { recursive: true });
  writeFileSync(join(cache, "cifar10.download", "cifar-10-binary.tar.gz"), CIFAR10_TAR);
  const result = await fetchDataset("cifar10", options);
  assert.deepEqual(result.downloaded, []);
  assert.equal(local.requests.length, 0);
  assert.equal(loadDataset({ name: "cifar10", dir: result.dir }, "test").count, 3);
});

test("a corrupt file already in the folder is fetched again", async () => {
  const local = await server();
  const { cache, options, notes } = setup(local);
  const name = "t10k-labels-idx1-ubyte.gz";
  mkdirSync(join(cache, "mnist"), { recursive: true });
  writeFileSync(join(cache, "mnist", name), "garbage");
  const result = await fetchDataset("mnist", options);
  assert.equal(md5(readFileSync(join(result.dir, name))), md5(IDX_FILES[name] as Buffer));
  assert.ok(notes.some((note) => note.includes(`${name}: md5 ${md5(Buffer.from("garbage"))}`)));
});

test("two fetches of one dataset at once: one downloads, the other waits and finds it done", async () => {
  const local = await server();
  const { options, notes } = setup(local);
  const [first, second] = await Promise.all([
    fetchDataset("cifar10", options),
    fetchDataset("cifar10", options),
  ]);
  assert.equal(first.dir, second.dir);
  assert.equal(local.requests.length, 1);
  assert.ok(
    notes.some((note) => /^waiting for pemn process \d+, which is fetching into/.test(note)),
  );
});

test("an unknown name lists the known ones", async () => {
  const local = await server();
  const { options } = setup(local);
  const error = await fetchError(fetchDataset("imagenet", options));
  assert.equal(error.code, "unknown-dataset");
  assert.match(
    error.message,
    /no dataset "imagenet" to download; known: mnist, cifar10, cifar100, tiny-imagenet/,
  );
});

// --- --download: which folder is read -------------------------------------------------------

test("ensureDatasetDir: a complete folder is used as it is, an incomplete one gives way to the cache", async () => {
  const local = await server();
  const { cache, options, notes } = setup(local);
  const own = join(temp.dir, "own-mnist");
  mkdirSync(own);
  for (const [name, data] of Object.entries(IDX_FILES)) writeFileSync(join(own, name), data);
  assert.equal(await ensureDatasetDir("mnist", own, options), own);
  assert.equal(local.requests.length, 0);

  const partial = join(temp.dir, "partial-cifar");
  mkdirSync(partial);
  writeFileSync(join(partial, "test_batch.bin"), cifarBytes([[1]]));
  assert.equal(await ensureDatasetDir("cifar10", partial, options), join(cache, "cifar10"));
  assert.ok(notes.some((note) => note.startsWith(`${partial} lacks data_batch_1.bin`)));
  assert.equal(local.requests.length, 1);
  // Now cached: no download, whatever folder was named.
  assert.equal(await ensureDatasetDir("cifar10", undefined, options), join(cache, "cifar10"));
  assert.equal(local.requests.length, 1);
  // Not in the catalogue: nothing to do.
  assert.equal(await ensureDatasetDir("folder", "/x", options), undefined);
});

test("ensureDatasetDir: Debian's Fashion-MNIST stays the default, nothing downloaded", {
  skip: !existsSync(join(FASHION_MNIST_DEFAULT_DIR, "t10k-labels-idx1-ubyte.gz")),
}, async () => {
  const local = await server({});
  const { options } = setup(local, {
    "fashion-mnist": { ...(catalogueAt(local.origin).mnist as NonNullable<Catalogue["mnist"]>) },
  });
  assert.equal(
    await ensureDatasetDir("fashion-mnist", undefined, options),
    FASHION_MNIST_DEFAULT_DIR,
  );
  assert.equal(local.requests.length, 0);
});
