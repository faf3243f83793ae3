/**
 * What tells a TensorFlow Lite file and this converter's output apart, in a module of its own: the kernel imports it
 * to recognise a `.tflite` model (and key its converted copy) without loading the converter.
 */

/** Bump when the generated graph changes, so that converted copies are rebuilt. */
export const TFLITE_CONVERTER_VERSION = 'tflite/1';

/** The flatbuffer file identifier of TFLite schema v3, at bytes 4–7 of every `.tflite` file. */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** True when `bytes` carry TFLite's file identifier (`TFL3` at bytes 4–7), whatever the file was called. */
export function isTfliteBytes(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33;
}
