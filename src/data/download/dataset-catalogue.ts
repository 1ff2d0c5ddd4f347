import { z } from "zod";
import { parseConfig } from "../../config/parse-config.js";
import { readInputText } from "../../io/read-input-file.js";

/** The datasets pemn can download. */
export const DOWNLOADABLE_DATASETS = [
  "mnist",
  "fashion-mnist",
  "cifar10",
  "cifar100",
  "tiny-imagenet",
] as const;
export type DownloadableDataset = (typeof DOWNLOADABLE_DATASETS)[number];

/** A bare file name: no folder, nothing a path could climb out with. */
const fileName = z
  .string()
  .regex(/^[\w][\w.-]*$/, { error: "must be a plain file name (letters, digits, . _ -)" });

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" });

/** One published file: its name, its published md5 and size, and where to get it (in order). */
export const catalogueFileSchema = z.strictObject({
  name: fileName,
  md5: z.string().regex(/^[0-9a-f]{32}$/, { error: "must be 32 lower-case hex digits" }),
  /** Its size in bytes, where published: a download may not grow past it. */
  bytes: z.number().int().positive().optional(),
  /** Locations tried in order: the official one and its published mirrors. */
  urls: z.array(httpUrl).min(1),
});
export type CatalogueFile = z.output<typeof catalogueFileSchema>;

/**
 * How the files become the dataset's folder: "files" moves each verified file into it (the
 * IDX loader reads the .gz files as they are); "archive" unpacks the one file and renames
 * its top folder `root` to be the dataset's folder.
 */
const layoutSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("files") }),
  z.strictObject({
    kind: z.literal("archive"),
    format: z.enum(["tar.gz", "zip"]),
    root: fileName,
  }),
]);

/** One dataset: its files and what its folder must hold to be complete. */
export const catalogueEntrySchema = z
  .strictObject({
    title: z.string().min(1),
    /** Where the files and their checksums are published. */
    source: httpUrl,
    files: z.array(catalogueFileSchema).min(1),
    layout: layoutSchema,
    /**
     * What the dataset's folder holds once complete, relative to it (a trailing `/` for a
     * folder). For "files" an IDX file may also be there inflated (without .gz).
     */
    complete: z
      .array(
        z.string().regex(/^[\w][\w.-]*(\/[\w][\w.-]*)*\/?$/, {
          error: "must be a relative path of plain names",
        }),
      )
      .min(1),
  })
  .refine((entry) => entry.layout.kind === "files" || entry.files.length === 1, {
    error: "an archive layout has exactly one file",
    path: ["files"],
  });
export type CatalogueEntry = z.output<typeof catalogueEntrySchema>;

export const catalogueSchema = z.partialRecord(z.enum(DOWNLOADABLE_DATASETS), catalogueEntrySchema);
export type Catalogue = z.output<typeof catalogueSchema>;

const idxFiles = (urls: readonly string[], md5s: Record<string, [string, number]>) =>
  Object.entries(md5s).map(([name, [md5, bytes]]) => ({
    name,
    md5,
    bytes,
    urls: urls.map((base) => `${base}${name}`),
  }));

const IDX_COMPLETE = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

/**
 * The official locations and published checksums (as torchvision lists them, and the
 * datasets' own pages: yann.lecun.com/exdb/mnist, github.com/zalandoresearch/fashion-mnist,
 * www.cs.toronto.edu/~kriz/cifar.html, cs231n.stanford.edu). MNIST's own site has refused
 * downloads for years; PyTorch's mirror comes first, as torchvision now orders them.
 */
export const OFFICIAL_CATALOGUE: Catalogue = parseConfig(
  catalogueSchema,
  {
    mnist: {
      title: "MNIST",
      source: "http://yann.lecun.com/exdb/mnist/",
      files: idxFiles(
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
        {
          "train-images-idx3-ubyte.gz": ["f68b3c2dcbeaaa9fbdd348bbdeb94873", 9912422],
          "train-labels-idx1-ubyte.gz": ["d53e105ee54ea40749a09fcbcd1e9432", 28881],
          "t10k-images-idx3-ubyte.gz": ["9fb629c4189551a2d022fa330f9573f3", 1648877],
          "t10k-labels-idx1-ubyte.gz": ["ec29112dd5afa0611ce80d1b7f02629c", 4542],
        },
      ),
      layout: { kind: "files" },
      complete: IDX_COMPLETE,
    },
    "fashion-mnist": {
      title: "Fashion-MNIST",
      source: "https://github.com/zalandoresearch/fashion-mnist",
      files: idxFiles(["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"], {
        "train-images-idx3-ubyte.gz": ["8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880],
        "train-labels-idx1-ubyte.gz": ["25c81989df183df01b3e8a0aad5dffbe", 29515],
        "t10k-images-idx3-ubyte.gz": ["bef4ecab320f06d8554ea6380940ec79", 4422102],
        "t10k-labels-idx1-ubyte.gz": ["bb300cfdad3c16e7a12a480ee83cd310", 5148],
      }),
      layout: { kind: "files" },
      complete: IDX_COMPLETE,
    },
    cifar10: {
      title: "CIFAR-10 (binary version)",
      source: "https://www.cs.toronto.edu/~kriz/cifar.html",
      files: [
        {
          name: "cifar-10-binary.tar.gz",
          md5: "c32a1d4ab5d03f1284b67883e8d87530",
          bytes: 170052171,
          urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
        },
      ],
      layout: { kind: "archive", format: "tar.gz", root: "cifar-10-batches-bin" },
      complete: [1, 2, 3, 4, 5].map((batch) => `data_batch_${batch}.bin`).concat("test_batch.bin"),
    },
    cifar100: {
      title: "CIFAR-100 (binary version)",
      source: "https://www.cs.toronto.edu/~kriz/cifar.html",
      files: [
        {
          name: "cifar-100-binary.tar.gz",
          md5: "03b5dce01913d631647c71ecec9e9cb8",
          bytes: 168513733,
          urls: ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"],
        },
      ],
      layout: { kind: "archive", format: "tar.gz", root: "cifar-100-binary" },
      complete: ["train.bin", "test.bin"],
    },
    "tiny-imagenet": {
      title: "Tiny ImageNet (200 classes, 64x64)",
      source: "http://cs231n.stanford.edu/",
      files: [
        {
          name: "tiny-imagenet-200.zip",
          md5: "90528d7ca1a48142e341f4ef8d21d0de",
          bytes: 248100043,
          urls: ["http://cs231n.stanford.edu/tiny-imagenet-200.zip"],
        },
      ],
      layout: { kind: "archive", format: "zip", root: "tiny-imagenet-200" },
      complete: ["wnids.txt", "words.txt", "train/", "val/val_annotations.txt"],
    },
  },
  "dataset catalogue",
);

/** Largest catalogue file read from PEMN_DATA_CATALOGUE. */
const MAX_CATALOGUE_BYTES = 1 << 20;

/**
 * The catalogue in use: the official one, with each dataset PEMN_DATA_CATALOGUE's file (JSON,
 * validated like the official one) describes replacing it (a local copy of the data with its
 * own checksums, and the tests' local server); PEMN_DATA_MIRROR, a base URL, then replaces
 * every file's locations with `<base>/<dataset>/<file name>` (an organisation's mirror of
 * the official files: the checksums stay).
 */
export function catalogueFromEnvironment(env: NodeJS.ProcessEnv = process.env): Catalogue {
  let catalogue: Catalogue = OFFICIAL_CATALOGUE;
  const file = env.PEMN_DATA_CATALOGUE;
  if (file) {
    const text = readInputText(file, MAX_CATALOGUE_BYTES);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file} (PEMN_DATA_CATALOGUE): not JSON: ${(error as Error).message}`);
    }
    catalogue = {
      ...catalogue,
      ...parseConfig(catalogueSchema, parsed, `dataset catalogue ${file} (PEMN_DATA_CATALOGUE)`),
    };
  }
  const mirror = env.PEMN_DATA_MIRROR;
  return mirror ? withMirror(catalogue, mirror) : catalogue;
}

/** Every file's locations replaced by `<base>/<dataset>/<file name>`. */
export function withMirror(catalogue: Catalogue, base: string): Catalogue {
  const parsedBase = httpUrl.safeParse(base);
  if (!parsedBase.success) {
    throw new Error(`PEMN_DATA_MIRROR must be an http or https URL, got "${base}"`);
  }
  const prefix = base.endsWith("/") ? base : `${base}/`;
  return Object.fromEntries(
    Object.entries(catalogue).map(([name, entry]) => [
      name,
      {
        ...entry,
        files: entry.files.map((file) => ({ ...file, urls: [`${prefix}${name}/${file.name}`] })),
      },
    ]),
  ) as Catalogue;
}

/** The catalogue's entry for `name`, or undefined. */
export function catalogueEntry(
  catalogue: Catalogue,
  name: string,
): (CatalogueEntry & { name: DownloadableDataset }) | undefined {
  if (!(DOWNLOADABLE_DATASETS as readonly string[]).includes(name)) return undefined;
  const entry = catalogue[name as DownloadableDataset];
  return entry && { ...entry, name: name as DownloadableDataset };
}
