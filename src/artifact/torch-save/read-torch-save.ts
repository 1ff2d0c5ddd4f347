import AdmZip from "adm-zip";
import { NameRegistry, Parser } from "pickleparser";
import { formatBytes } from "../../io/read-input-file.js";
import {
  elementCount,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "../safetensors/index.js";
import { TorchSaveError } from "./torch-save-error.js";

/*
 * torch.save's format since PyTorch 1.6 (torch/serialization.py): a zip whose one folder holds
 * data.pkl, a pickle of the saved object, and data/<key>, each storage's bytes. In the pickle a
 * tensor is torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 * hooks[, metadata]) and a storage the persistent id ("storage", torch.<Type>Storage, key,
 * location, numel); the entry `byteorder` says "little" or "big" (absent before 2.1: little).
 * No Python runs and nothing of the pickle's choosing is called: the names below resolve to
 * pemn's own functions, every other global to an inert record (pickleparser's default).
 */

/** torch's typed storages by the safetensors dtype of their elements. */
const STORAGE_DTYPES: Readonly<Record<string, SafetensorsDtype>> = {
  DoubleStorage: "F64",
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

/** A storage as the pickle names it: its elements' dtype and its bytes (little-endian). */
interface Storage {
  readonly dtype: SafetensorsDtype;
  readonly bytes: Uint8Array;
  readonly numel: number;
}

/** A tensor as _rebuild_tensor_v2 describes it, checked and copied out once it has a name. */
class TensorView {
  constructor(
    readonly storage: Storage,
    readonly offset: unknown,
    readonly size: unknown,
    readonly stride: unknown,
  ) {}
}

/** Storage types pemn recognises but cannot read, named in the error. */
const UNREADABLE_STORAGES = [
  "ComplexFloatStorage",
  "ComplexDoubleStorage",
  "QInt8Storage",
  "QUInt8Storage",
  "QInt32Storage",
];

/**
 * torch.<Type>Storage for the pickle's GLOBAL to resolve to: a function (the resolver's type),
 * never called, known by identity.
 */
const STORAGE_TYPES = new Map<unknown, string>(
  [...Object.keys(STORAGE_DTYPES), ...UNREADABLE_STORAGES].map((name) => [
    () => {
      throw new TorchSaveError("bad-pickle", `torch.${name} is called, not used as a storage type`);
    },
    name,
  ]),
);

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => Number.isSafeInteger(item) && item >= 0);
}

/**
 * The tensors of a torch.save file's bytes, in the saved dict's order: the dict under `key`
 * when given, else the dict under "state_dict" (the official PEMN code's and hidden-networks'
 * checkpoints) or the dict saved, as scripts/pemn_torch.py's to-safetensors picks it; entries
 * that are not tensors are left out. Each tensor's data is row-major and little-endian
 * whatever its strides: a view into its storage where the layout is that already, else a copy.
 */
export function readTorchSave(
  bytes: Uint8Array,
  options: { readonly key?: string; readonly maxBytes?: number } = {},
): SafetensorsTensor[] {
  const { key, maxBytes = Number.POSITIVE_INFINITY } = options;
  // Bytes allocated beyond the file's own: entries unpacked, strided views copied.
  let allocated = 0;
  const allocate = (count: number, what: string, tensor?: string): void => {
    allocated += count;
    if (allocated > maxBytes) {
      throw new TorchSaveError(
        "too-large",
        `${what} would take the bytes read past ${formatBytes(maxBytes)}, the memory allowed (PEMN_MAX_MEMORY)`,
        undefined,
        tensor,
      );
    }
  };
  const unpack = (entry: AdmZip.IZipEntry): Buffer => {
    // A deflated entry may declare (and unpack to) far more than the file holds.
    allocate(entry.header.size, `${entry.entryName} (${formatBytes(entry.header.size)} unpacked)`);
    return entry.getData();
  };
  let zip: AdmZip;
  let entries: AdmZip.IZipEntry[];
  try {
    zip = new AdmZip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    entries = zip.getEntries();
  } catch (error) {
    throw new TorchSaveError("not-torch-save", `not a readable zip: ${(error as Error).message}`);
  }
  const pickles = entries.filter((entry) => /^[^/]+\/data\.pkl$/.test(entry.entryName));
  const pickle = pickles[0];
  if (pickle === undefined || pickles.length > 1) {
    throw new TorchSaveError(
      "not-torch-save",
      `a torch.save zip holds one <folder>/data.pkl; this one holds ${pickles.length}`,
    );
  }
  const folder = pickle.entryName.slice(0, -"data.pkl".length);
  const byName = new Map(entries.map((entry) => [entry.entryName, entry]));
  const byteOrderEntry = byName.get(`${folder}byteorder`);
  const byteOrder =
    byteOrderEntry === undefined ? "little" : unpack(byteOrderEntry).toString("latin1");
  if (byteOrder !== "little" && byteOrder !== "big") {
    throw new TorchSaveError("bad-storage", `byteorder says "${byteOrder}", not little or big`);
  }

  const storages = new Map<string, Storage>();
  const loadStorage = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== "storage" || pid.length < 5) {
      throw new TorchSaveError("bad-pickle", `a persistent id is not a storage: ${describe(pid)}`);
    }
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    const typeName = STORAGE_TYPES.get(type);
    if (typeName === undefined) {
      throw new TorchSaveError("bad-pickle", `storage ${String(key)} has no storage type`);
    }
    const dtype = STORAGE_DTYPES[typeName];
    if (dtype === undefined) {
      throw new TorchSaveError(
        "unsupported-dtype",
        `storage ${String(key)} is torch.${typeName}; pemn reads ${Object.keys(STORAGE_DTYPES).join(", ")}`,
      );
    }
    if (typeof key !== "string" || !Number.isSafeInteger(numel) || (numel as number) < 0) {
      throw new TorchSaveError("bad-pickle", `storage id ${describe(pid)} is malformed`);
    }
    const cached = storages.get(key);
    if (cached !== undefined) return cached;
    const entry = byName.get(`${folder}data/${key}`);
    if (entry === undefined) {
      throw new TorchSaveError(
        "bad-storage",
        `storage ${key}: the zip has no ${folder}data/${key}`,
      );
    }
    const width = SAFETENSORS_DTYPES[dtype];
    const data: Uint8Array = unpack(entry);
    if (data.length < (numel as number) * width) {
      throw new TorchSaveError(
        "bad-storage",
        `storage ${key}: ${data.length} bytes for ${numel} elements of ${width} bytes`,
      );
    }
    if (byteOrder === "big" && width > 1) swapBytes(data, width);
    const storage = { dtype, bytes: data, numel: numel as number };
    storages.set(key, storage);
    return storage;
  };

  const names = new NameRegistry()
    .register("torch._utils", "_rebuild_tensor_v2", (storage, offset, size, stride) => {
      return new TensorView(storage as Storage, offset, size, stride);
    })
    .register("torch._utils", "_rebuild_parameter", (data) => data)
    .register("torch._utils", "_rebuild_parameter_with_state", (data) => data)
    .register("collections", "OrderedDict", () => new Map());
  for (const [marker, name] of STORAGE_TYPES) {
    names.register("torch", name, marker as () => never);
  }
  let saved: unknown;
  try {
    saved = new Parser({
      nameResolver: names,
      persistentResolver: { resolve: loadStorage },
      unpicklingTypeOfDictionary: "Map",
    }).parse(unpack(pickle));
  } catch (error) {
    if (error instanceof TorchSaveError) throw error;
    throw new TorchSaveError("bad-pickle", `data.pkl: ${(error as Error).message}`);
  }
  const stateDict = pickDict(saved, key);
  const tensors = [...stateDict.entries()].flatMap(([name, value]) =>
    value instanceof TensorView ? [contiguous(String(name), value, allocate)] : [],
  );
  if (tensors.length === 0) {
    const where =
      saved === stateDict ? "the saved dict" : `the saved dict's ${key ?? "state_dict"}`;
    throw new TorchSaveError(
      "no-tensors",
      `no tensors in ${where} (keys: ${keysOf(stateDict)}): name the dict that holds them with --key`,
    );
  }
  return tensors;
}

/** The dict whose tensors are read: under `key`, else under "state_dict", else the saved one. */
function pickDict(saved: unknown, key: string | undefined): Map<unknown, unknown> {
  if (!(saved instanceof Map)) {
    throw new TorchSaveError(
      "no-tensors",
      `the file holds ${describe(saved)}, not a dict of tensors`,
    );
  }
  if (key === undefined) {
    const stateDict = saved.get("state_dict");
    return stateDict instanceof Map ? stateDict : saved;
  }
  const chosen = saved.get(key);
  if (!(chosen instanceof Map)) {
    const found =
      chosen === undefined ? `no "${key}"` : `"${key}" as ${describe(chosen)}, not a dict`;
    throw new TorchSaveError("no-tensors", `the saved dict has ${found} (keys: ${keysOf(saved)})`);
  }
  return chosen;
}

function keysOf(dict: Map<unknown, unknown>): string {
  const keys = [...dict.keys()].map(String);
  if (keys.length === 0) return "none";
  return `${keys.slice(0, 10).join(", ")}${keys.length > 10 ? ", ..." : ""}`;
}

/** The tensor's elements, row-major, once they are checked to lie within its storage. */
function contiguous(
  name: string,
  view: TensorView,
  allocate: (bytes: number, what: string, tensor: string) => void,
): SafetensorsTensor {
  const { storage, offset, size, stride } = view;
  if (
    !Number.isSafeInteger(offset) ||
    (offset as number) < 0 ||
    !isIndexList(size) ||
    !isIndexList(stride) ||
    size.length !== stride.length
  ) {
    throw new TorchSaveError(
      "bad-pickle",
      `offset ${describe(offset)}, size ${describe(size)} and stride ${describe(stride)} do not describe a tensor`,
      undefined,
      name,
    );
  }
  const count = elementCount(size);
  const start = offset as number;
  const last = size.reduce(
    (end, extent, axis) => end + (extent - 1) * (stride[axis] as number),
    start,
  );
  if (Number.isNaN(count) || (count > 0 && last >= storage.numel)) {
    throw new TorchSaveError(
      "bad-storage",
      `size ${size.join("x")} with strides ${stride.join(",")} from element ${start} runs past its storage's ${storage.numel} elements`,
      undefined,
      name,
    );
  }
  const width = SAFETENSORS_DTYPES[storage.dtype];
  if (isRowMajor(size, stride)) {
    const data = storage.bytes.subarray(start * width, (start + count) * width);
    return { name, dtype: storage.dtype, shape: size, data };
  }
  allocate(count * width, `its row-major copy (${formatBytes(count * width)})`, name);
  const data = new Uint8Array(count * width);
  // A counter per axis, the last moving fastest, walks the strides through the storage.
  const index = new Array<number>(size.length).fill(0);
  let source = start;
  for (let element = 0; element < count; element++) {
    for (let byte = 0; byte < width; byte++) {
      data[element * width + byte] = storage.bytes[source * width + byte] as number;
    }
    for (let axis = size.length - 1; axis >= 0; axis--) {
      const extent = size[axis] as number;
      const step = stride[axis] as number;
      const next = (index[axis] as number) + 1;
      source += step;
      if (next < extent) {
        index[axis] = next;
        break;
      }
      source -= step * extent;
      index[axis] = 0;
    }
  }
  return { name, dtype: storage.dtype, shape: size, data };
}

/** Whether strides lay the tensor out row-major without gaps (axes of extent 1 aside). */
function isRowMajor(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = size.length - 1; axis >= 0; axis--) {
    const extent = size[axis] as number;
    if (extent !== 1 && stride[axis] !== expected) return false;
    expected *= extent;
  }
  return true;
}

function swapBytes(data: Uint8Array, width: number): void {
  for (let start = 0; start + width <= data.length; start += width) {
    data.subarray(start, start + width).reverse();
  }
}

/** A value for a message: short JSON, or its kind where JSON fails (a list holding itself). */
function describe(value: unknown): string {
  if (value instanceof Map) return `a dict of ${value.size} entries`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // circular, or nested past the stack
  }
  if (text === undefined)
    return Array.isArray(value) ? `a list of ${value.length}` : `a ${typeof value}`;
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
