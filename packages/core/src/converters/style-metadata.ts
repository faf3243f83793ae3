import { METADATA_KEYS } from '../models/metadata-keys.js';

/** What an importer needs to know about a style besides its weights. */
export interface StyleInfo {
  /** Short identifier, e.g. `candy`. */
  name: string;
  title: string;
  /** Where the weights come from (a URL). */
  source: string;
  /** SPDX identifier or short licence text. */
  license: string;
}

/**
 * The `pastiche.*` metadata of a transform net that takes and returns RGB 0..255 NCHW images whose sides
 * must be multiples of 4 (two stride-2 convs down, two ×2 steps up).
 */
export function styleMetadata(info: StyleInfo): Record<string, string> {
  const k = METADATA_KEYS;
  return {
    [k.name]: info.name,
    [k.title]: info.title,
    [k.source]: info.source,
    [k.license]: info.license,
    [k.kind]: 'style-transfer',
    [k.sizeMultiple]: '4',
    [k.inputLayout]: 'NCHW',
    [k.inputRange]: '0-255',
    [k.inputChannelOrder]: 'RGB',
  };
}
