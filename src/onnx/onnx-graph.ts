import onnxProto from "onnx-proto";
import { encodeFloat32 } from "../artifact/format/float32-bytes.js";

const { onnx } = onnxProto;

/** The operator set the graphs use: 17 brings LayerNormalization. */
const ONNX_OPSET = 17;
/** The IR version of ONNX 1.12, the first with opset 17. */
const ONNX_IR_VERSION = 8;

/** A node attribute; ONNX tells ints from floats, so the kind is explicit. */
export type OnnxAttribute =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "float"; readonly value: number };

export const intAttribute = (value: number): OnnxAttribute => ({ kind: "int", value });
export const intsAttribute = (value: readonly number[]): OnnxAttribute => ({ kind: "ints", value });
export const floatAttribute = (value: number): OnnxAttribute => ({ kind: "float", value });

/**
 * An ONNX graph under construction: float32 and int64 initializers, nodes whose outputs are
 * named for them, one float32 input and one output. Values are names (strings), as in ONNX.
 */
export class OnnxGraph {
  readonly #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  readonly #names = new Set<string>();
  readonly #scalars = new Map<number, string>();
  #nodeCount = 0;

  /** A float32 initializer named `name` (a model tensor's own name, where it has one). */
  float32(name: string, shape: readonly number[], values: Float32Array): string {
    this.#claim(name);
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...shape],
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: encodeFloat32(values),
      }),
    );
    return name;
  }

  /** A float32 scalar constant (shape []), broadcast by the elementwise ops; one per value. */
  scalar(value: number): string {
    let name = this.#scalars.get(value);
    if (name === undefined) {
      name = this.float32(`constant_${this.#initializers.length}`, [], Float32Array.of(value));
      this.#scalars.set(value, name);
    }
    return name;
  }

  /** An int64 initializer (shapes, axes, pads, indices); shape [] makes a scalar. */
  int64(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const name = `constant_${this.#initializers.length}`;
    this.#claim(name);
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...shape],
        dataType: onnx.TensorProto.DataType.INT64,
        int64Data: [...values],
      }),
    );
    return name;
  }

  /** Adds a node of `op` over `inputs`; returns the name of its (single) output. */
  node(
    op: string,
    inputs: readonly string[],
    attributes: Record<string, OnnxAttribute> = {},
  ): string {
    const output = `${op}_${this.#nodeCount++}`;
    this.#claim(output);
    this.#nodes.push(
      onnx.NodeProto.create({
        opType: op,
        input: [...inputs],
        output: [output],
        name: output,
        attribute: Object.entries(attributes).map(([name, attribute]) =>
          encodeAttribute(name, attribute),
        ),
      }),
    );
    return output;
  }

  /**
   * The serialized model: `input` a float32 tensor of `inputShape` (null: a dynamic batch
   * dimension) and `output` renamed to `outputName` through an Identity node.
   */
  encode(options: {
    readonly name: string;
    readonly input: string;
    readonly inputShape: readonly (number | null)[];
    readonly output: string;
    readonly outputName: string;
    readonly outputShape: readonly (number | null)[];
    /** The model's metadata_props (key, value), in order. */
    readonly metadata?: readonly (readonly [string, string])[];
    readonly docString?: string;
  }): Uint8Array {
    this.#nodes.push(
      onnx.NodeProto.create({
        opType: "Identity",
        input: [options.output],
        output: [options.outputName],
        name: options.outputName,
      }),
    );
    return onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: ONNX_IR_VERSION,
        opsetImport: [{ domain: "", version: ONNX_OPSET }],
        producerName: "pemn",
        docString: options.docString ?? "",
        metadataProps: (options.metadata ?? []).map(([key, value]) => ({ key, value })),
        graph: {
          name: options.name,
          node: this.#nodes,
          initializer: this.#initializers,
          input: [valueInfo(options.input, options.inputShape)],
          output: [valueInfo(options.outputName, options.outputShape)],
        },
      }),
    ).finish();
  }

  #claim(name: string): void {
    if (this.#names.has(name)) throw new Error(`the ONNX graph already has a value "${name}"`);
    this.#names.add(name);
  }
}

function encodeAttribute(name: string, attribute: OnnxAttribute) {
  const { AttributeType } = onnx.AttributeProto;
  switch (attribute.kind) {
    case "int":
      return { name, type: AttributeType.INT, i: attribute.value };
    case "ints":
      return { name, type: AttributeType.INTS, ints: [...attribute.value] };
    case "float":
      return { name, type: AttributeType.FLOAT, f: attribute.value };
  }
}

/** A float32 tensor's name, element type and shape; null dimensions are the batch. */
function valueInfo(name: string, shape: readonly (number | null)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: {
          dim: shape.map((length) =>
            length === null ? { dimParam: "batch" } : { dimValue: length },
          ),
        },
      },
    },
  };
}
