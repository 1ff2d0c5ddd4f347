import { DatasetError } from "./dataset-error.js";

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
/** One image: R plane, G plane, B plane, each 32 x 32 row-major. */
const CIFAR_IMAGE_BYTES = CIFAR_CHANNELS * CIFAR_SIDE * CIFAR_SIDE;

/** Which label bytes a record carries and which one to keep. */
export type CifarRecordLayout =
  | { readonly kind: "cifar10" }
  | { readonly kind: "cifar100"; readonly labels: "fine" | "coarse" };

export interface CifarRecords {
  readonly count: number;
  /** count x 3 x 32 x 32, channel-major, as stored. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export function cifarClassCount(layout: CifarRecordLayout): number {
  if (layout.kind === "cifar10") return 10;
  return layout.labels === "fine" ? 100 : 20;
}

/**
 * Parses a CIFAR binary file. CIFAR-10 records: 1 label byte + 3072 pixel bytes.
 * CIFAR-100 records: coarse label byte, fine label byte, then 3072 pixel bytes.
 */
export function parseCifarRecords(
  bytes: Uint8Array,
  file: string,
  layout: CifarRecordLayout,
): CifarRecords {
  // Class count of each label byte; both CIFAR-100 labels are checked, kept or not.
  const labelRanges = layout.kind === "cifar10" ? [10] : [20, 100];
  const labelBytes = labelRanges.length;
  const labelOffset = layout.kind === "cifar100" && layout.labels === "fine" ? 1 : 0;
  const recordBytes = labelBytes + CIFAR_IMAGE_BYTES;
  if (bytes.length === 0) {
    throw new DatasetError(file, "truncated", "file is empty");
  }
  if (bytes.length % recordBytes !== 0) {
    throw new DatasetError(
      file,
      "truncated",
      `size ${bytes.length} is not a multiple of the ${recordBytes}-byte ${layout.kind} record ` +
        `(last record has ${bytes.length % recordBytes} bytes)`,
    );
  }
  const count = bytes.length / recordBytes;
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let record = 0; record < count; record++) {
    const start = record * recordBytes;
    for (let b = 0; b < labelBytes; b++) {
      const label = bytes[start + b] as number;
      const classes = labelRanges[b] as number;
      if (label >= classes) {
        const which = layout.kind === "cifar10" ? "label" : b === 0 ? "coarse label" : "fine label";
        throw new DatasetError(
          file,
          "label-out-of-range",
          `record ${record} has ${which} ${label}, outside [0, ${classes})`,
        );
      }
    }
    labels[record] = bytes[start + labelOffset] as number;
    images.set(bytes.subarray(start + labelBytes, start + recordBytes), record * CIFAR_IMAGE_BYTES);
  }
  return { count, images, labels };
}
