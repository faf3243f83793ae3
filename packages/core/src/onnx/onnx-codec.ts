/**
 * ONNX protobuf (de)serialisation at the wire level, with no generated code: {@link encodeModel} and
 * {@link decodeModel} map bytes to and from the plain objects of onnx-types.ts.
 */
export { decodeModel } from './onnx-decode.js';
export { encodeModel } from './onnx-encode.js';
