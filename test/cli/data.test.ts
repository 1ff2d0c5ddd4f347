import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { type LocalServer, md5, startServer } from "../data/download/helpers.js";
import { temporaryDirectory } from "../data/helpers.js";
import { PEMN_BIN } from "../helpers/run-pemn.js";

/*
 * pemn data fetch, and --download on train, eval and sweep, against a local server: the
 * catalogue comes from PEMN_DATA_CATALOGUE (a synthetic MNIST with checksums computed
 * here), the cache from PEMN_DATA.
 */

const temp = temporaryDirectory();
let server: LocalServer;
let catalogueFile: string;
let files: Record<string, Buffer>;

before(async () => {
  const raw = join(temp.dir, "raw");
  mkdirSync(raw);
  writeSyntheticMnist(raw, 120, 40);
  files = Object.fromEntries(
    readdirSync(raw).map((name) => [`${name}.gz`, gzipSync(readFileSync(join(raw, name)))]),
  );
  server = await startServer(
    Object.fromEntries(
      Object.entries(files).map(([name, data]) => [`/mnist/${name}`, { kind: "bytes", data }]),
    ),
  );
  catalogueFile = join(temp.dir, "catalogue.json");
  writeFileSync(catalogueFile, JSON.stringify(catalogueAt(server.origin)));
});
after(async () => {
  await server.close();
  temp.remove();
});

function catalogueAt(origin: string): unknown {
  return {
    mnist: {
      title: "synthetic MNIST",
      source: origin,
      files: Object.entries(files).map(([name, data]) => ({
        name,
        md5: md5(data),
        bytes: data.length,
        urls: [`${origin}/mnist/${name}`],
      })),
      layout: { kind: "files" },
      complete: Object.keys(files),
    },
  };
}

let caseCount = 0;
function freshCache(): string {
  return join(temp.dir, `cache-${caseCount++}`);
}

function pemn(
  cache: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PEMN_BIN, ...args],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          PEMN_THREADS: "1",
          PEMN_DATA: cache,
          PEMN_DATA_CATALOGUE: catalogueFile,
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("pemn data fetch: progress lines on stderr (no terminal), the folder alone on stdout", async () => {
  const cache = freshCache();
  const result = await pemn(cache, ["data", "fetch", "mnist"]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${join(cache, "mnist")}\n`);
  for (const [name, data] of Object.entries(files)) {
    assert.ok(
      result.stderr.includes(`downloading ${name} (`) &&
        result.stderr.includes(`from ${server.origin}/mnist/${name}`),
      result.stderr,
    );
    assert.ok(result.stderr.includes(`${name}: md5 ${md5(data)} matches`));
    assert.equal(md5(readFileSync(join(cache, "mnist", name))), md5(data));
  }
  assert.match(result.stderr, /mnist: downloaded and checked /);
  const again = await pemn(cache, ["data", "fetch", "mnist", "--progress", "none"]);
  assert.equal(again.stdout, `${join(cache, "mnist")}\n`);
  assert.equal(again.stderr, "");
  const list = await pemn(cache, ["data", "list"]);
  assert.match(
    list.stdout,
    new RegExp(`^mnist +synthetic MNIST +complete +${join(cache, "mnist")}$`, "m"),
  );
  assert.match(list.stdout, /^cifar10 +CIFAR-10 \(binary version\) +not downloaded /m);
});

test("pemn data fetch --dir, an unknown name, and offline", async () => {
  const cache = freshCache();
  const dir = join(temp.dir, "my-mnist");
  const placed = await pemn(cache, ["data", "fetch", "mnist", "--dir", dir, "--progress", "none"]);
  assert.equal(placed.stdout, `${dir}\n`);
  assert.equal(existsSync(cache), false);

  const unknown = await pemn(cache, ["data", "fetch", "imagenet"]);
  assert.equal(unknown.status, 1);
  assert.match(
    unknown.stderr,
    /Allowed choices are mnist, fashion-mnist, cifar10, cifar100, tiny-imagenet/,
  );

  const offlineCatalogue = join(temp.dir, "offline.json");
  writeFileSync(offlineCatalogue, JSON.stringify(catalogueAt("http://127.0.0.1:9")));
  const offline = await pemn(cache, ["data", "fetch", "mnist"], {
    PEMN_DATA_CATALOGUE: offlineCatalogue,
  });
  assert.equal(offline.status, 1);
  const name = "t10k-images-idx3-ubyte.gz";
  assert.ok(
    offline.stderr.includes(`pemn: could not download ${name} (md5 ${md5(files[name] as Buffer)}`),
    offline.stderr,
  );
  assert.ok(offline.stderr.includes(`http://127.0.0.1:9/mnist/${name}: ECONNREFUSED`));
  assert.ok(offline.stderr.includes(`save it as ${join(cache, "mnist.download", name)}`));
  assert.equal(offline.stdout, "");
});

test("train --download reads the cache when --data-dir lacks files; eval --download fetches a run's data again", async () => {
  const cache = freshCache();
  const runDir = join(temp.dir, "run");
  const absent = join(temp.dir, "absent-mnist");
  const train = await pemn(cache, [
    ...["train", "--model", "mlp", "--hidden", "16", "--dataset", "mnist"],
    ...["--data-dir", absent, "--download", "--epochs", "1", "--batch-size", "40"],
    ...["--val-fraction", "0", "--progress", "lines", "--run-dir", runDir, "--json"],
  ]);
  assert.equal(train.status, 0, train.stderr);
  assert.ok(
    train.stderr.startsWith(
      `${absent} does not exist: reading mnist from ${join(cache, "mnist")}\n`,
    ),
    train.stderr,
  );
  const config = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8"));
  assert.equal(config.data.source.dir, join(cache, "mnist"));
  assert.notEqual(JSON.parse(train.stdout).test_accuracy, null);

  // The cache's copy moved away: the run's folder lacks its files, --download fetches them.
  renameSync(join(cache, "mnist"), join(temp.dir, "moved-mnist"));
  const without = await pemn(cache, ["eval", runDir, "--json"]);
  assert.equal(without.status, 1);
  const evaluated = await pemn(cache, ["eval", runDir, "--download", "--json"]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(JSON.parse(evaluated.stdout).count, 40);
});

test("sweep --download: runs whose folder lacks files read the cache's, their ids follow, a dry run downloads nothing", async () => {
  const cache = freshCache();
  const spec = join(temp.dir, "sweep.yaml");
  writeFileSync(
    spec,
    [
      "name: download-check",
      "title: download check",
      "description: one run, to see where its data is read",
      "figure: representation",
      "base:",
      "  model: { name: mlp, hidden: [8] }",
      `  data: { source: { name: mnist, dir: ${join(temp.dir, "nowhere")} } }`,
      "  train: { epochs: 1 }",
      "axes:",
      "  seed:",
      "    - { label: '1', config: { seed: 1 } }",
    ].join("\n"),
  );
  const plain = await pemn(cache, ["sweep", spec, "--out", join(temp.dir, "out"), "--dry-run"]);
  assert.equal(plain.status, 0, plain.stderr);
  const downloaded = await pemn(cache, [
    ...["sweep", spec, "--out", join(temp.dir, "out"), "--dry-run", "--download"],
  ]);
  assert.equal(downloaded.status, 0, downloaded.stderr);
  // A dry run names the cache's folder but downloads nothing.
  assert.equal(existsSync(join(cache, "mnist")), false);
  const id = (text: string) => text.trim().split(/\s+/)[1];
  assert.notEqual(id(downloaded.stdout), id(plain.stdout));
  // The run's config is the one a sweep with --set data.source.dir=<cache folder> has.
  const set = await pemn(cache, [
    ...["sweep", spec, "--out", join(temp.dir, "out"), "--dry-run"],
    ...["--set", `data.source.dir=${join(cache, "mnist")}`],
  ]);
  assert.equal(id(set.stdout), id(downloaded.stdout));
});
