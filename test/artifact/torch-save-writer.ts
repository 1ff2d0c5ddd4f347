import AdmZip from "adm-zip";

/*
 * A torch.save zip written by hand for tests, from PyTorch's documented layout (a folder with
 * data.pkl and data/<key>), with pickle opcodes of protocol 2 spelled out below: the reader's
 * behaviour is checked against files built independently of it, on machines without torch.
 */

/** A pickled value: a string, an integer, a bool, a tuple (array), or raw opcodes. */
export type PickleValue = string | number | boolean | readonly PickleValue[] | PickleOps;

/** Opcodes written as they are: a global, a call, a persistent id. */
export class PickleOps {
  constructor(readonly bytes: Uint8Array) {}
}

const op = (...codes: number[]) => Uint8Array.from(codes);
const MARK = 0x28;
const TUPLE = 0x74;
const EMPTY_TUPLE = 0x29;
const REDUCE = 0x52;
const BINPERSID = 0x51;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function pickleValue(value: PickleValue): Uint8Array {
  if (value instanceof PickleOps) return value.bytes;
  if (typeof value === "string") {
    const text = new TextEncoder().encode(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, text.length, true);
    return concat([op(0x58), length, text]); // BINUNICODE
  }
  if (typeof value === "boolean") return op(value ? 0x88 : 0x89); // NEWTRUE / NEWFALSE
  if (typeof value === "number") {
    const bytes = new Uint8Array(5);
    bytes[0] = 0x4a; // BININT, a signed 32-bit integer
    new DataView(bytes.buffer).setInt32(1, value, true);
    return bytes;
  }
  if (value.length === 0) return op(EMPTY_TUPLE);
  return concat([op(MARK), ...value.map(pickleValue), op(TUPLE)]);
}

/** GLOBAL module.name */
export function global(module: string, name: string): PickleOps {
  return new PickleOps(concat([op(0x63), new TextEncoder().encode(`${module}\n${name}\n`)]));
}

/** callable(*args), as REDUCE does it. */
export function call(callable: PickleValue, args: readonly PickleValue[]): PickleOps {
  return new PickleOps(concat([pickleValue(callable), pickleValue(args), op(REDUCE)]));
}

/** A storage's persistent id, as torch.save writes it. */
export function storage(type: string, key: string, numel: number): PickleOps {
  const id = ["storage", global("torch", type), key, "cpu", numel] as const;
  return new PickleOps(concat([pickleValue(id), op(BINPERSID)]));
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
export function tensorOf(
  source: PickleOps,
  offset: number,
  size: readonly number[],
  stride: readonly number[],
): PickleOps {
  return call(global("torch._utils", "_rebuild_tensor_v2"), [
    source,
    offset,
    size,
    stride,
    false,
    call(global("collections", "OrderedDict"), []),
  ]);
}

/** A dict of string keys, in order: EMPTY_DICT, then MARK key value ... SETITEMS. */
export function dict(entries: readonly (readonly [string, PickleValue])[]): PickleOps {
  const items = entries.flatMap(([key, value]) => [pickleValue(key), pickleValue(value)]);
  return new PickleOps(concat([op(0x7d, MARK), ...items, op(0x75)]));
}

/** The pickle of `value`: PROTO 2, the value, STOP. */
export function pickle(value: PickleValue): Uint8Array {
  return concat([op(0x80, 2), pickleValue(value), op(0x2e)]);
}

/** A torch.save zip: `folder`/data.pkl, `folder`/data/<key> per storage, and a byteorder entry. */
export function torchSaveZip(
  saved: PickleValue,
  storages: Readonly<Record<string, Uint8Array>>,
  options: { folder?: string; byteorder?: string | null } = {},
): Buffer {
  const folder = options.folder ?? "archive";
  const zip = new AdmZip();
  zip.addFile(`${folder}/data.pkl`, Buffer.from(pickle(saved)));
  if (options.byteorder !== null) {
    zip.addFile(`${folder}/byteorder`, Buffer.from(options.byteorder ?? "little"));
  }
  for (const [key, bytes] of Object.entries(storages)) {
    zip.addFile(`${folder}/data/${key}`, Buffer.from(bytes));
  }
  zip.addFile(`${folder}/version`, Buffer.from("3\n"));
  return zip.toBuffer();
}

/** float32 values as little-endian (or big-endian) bytes. */
export function float32Bytes(values: readonly number[], bigEndian = false): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => {
    view.setFloat32(4 * index, value, !bigEndian);
  });
  return bytes;
}
