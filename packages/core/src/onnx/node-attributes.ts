import { PasticheError } from '../errors.js';
import { attr, type AttributeValue } from './graph-builder.js';
import { AttributeType, type AttributeProto, type NodeProto } from './onnx-types.js';

const utf8 = new TextDecoder();

/** `'Conv' node 'conv1'`, for messages. */
export function describeNode(node: NodeProto): string {
  return `${node.opType} node '${node.name || node.outputs[0] || '?'}'`;
}

function find(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attributes.find((a) => a.name === name);
}

/** An INT attribute, or `fallback` when absent. */
export function intAttr(node: NodeProto, name: string, fallback: number): number {
  return find(node, name)?.i ?? fallback;
}

/** A FLOAT attribute, or `fallback` when absent. */
export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  return find(node, name)?.f ?? fallback;
}

/** An INTS attribute, or `fallback` when absent. */
export function intsAttr(node: NodeProto, name: string, fallback?: readonly number[]): number[] | undefined {
  const a = find(node, name);
  return a?.ints ? [...a.ints] : fallback && [...fallback];
}

/** A STRING attribute, or `fallback` when absent. */
export function stringAttr(node: NodeProto, name: string, fallback: string): string {
  const s = find(node, name)?.s;
  return s ? utf8.decode(s) : fallback;
}

/** Old writers leave `type` at 0; the field that is set says what the attribute holds. */
function attributeType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.f !== undefined) return AttributeType.FLOAT;
  if (a.i !== undefined) return AttributeType.INT;
  if (a.s !== undefined) return AttributeType.STRING;
  if (a.t !== undefined) return AttributeType.TENSOR;
  if (a.floats !== undefined) return AttributeType.FLOATS;
  if (a.ints !== undefined) return AttributeType.INTS;
  if (a.strings !== undefined) return AttributeType.STRINGS;
  return 0;
}

/**
 * A decoded node's attributes in the form GraphBuilder takes, so forward nodes can be copied as they are.
 * @throws PasticheError `E_MODEL_SIGNATURE` for subgraph and other attributes that cannot be copied.
 */
export function copyAttributes(node: NodeProto): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const a of node.attributes) {
    switch (attributeType(a)) {
      case AttributeType.FLOAT: out[a.name] = attr.float(a.f ?? 0); break;
      case AttributeType.INT: out[a.name] = attr.int(a.i ?? 0); break;
      case AttributeType.STRING: out[a.name] = attr.string(utf8.decode(a.s ?? new Uint8Array())); break;
      case AttributeType.TENSOR: out[a.name] = attr.tensor(a.t!); break;
      case AttributeType.FLOATS: out[a.name] = attr.floats(a.floats ?? []); break;
      case AttributeType.INTS: out[a.name] = attr.ints(a.ints ?? []); break;
      case AttributeType.STRINGS: out[a.name] = attr.strings((a.strings ?? []).map((s) => utf8.decode(s))); break;
      default:
        throw new PasticheError(
          'E_MODEL_SIGNATURE',
          `Cannot copy attribute '${a.name}' (type ${a.type}) of ${describeNode(node)} into a gradient graph: ` +
            'subgraph and sparse attributes are not supported on the path to the loss layers.',
        );
    }
  }
  return out;
}
