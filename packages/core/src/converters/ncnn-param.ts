import { convertError } from './convert-error.js';

/** ncnn's text network description (`.param`): its layers with their blobs and `key=value` parameters. */

export type NcnnParamValue = number | number[];

export interface NcnnLayer {
  type: string;
  name: string;
  bottoms: string[];
  tops: string[];
  /** `key=value` pairs; array values (keys ≤ -23300 in the file) under their plain key. */
  params: Map<number, NcnnParamValue>;
  /** 1-based line in the .param text, for messages. */
  line: number;
}

/** What a .param is called in messages when the caller gives no file name. */
export const NCNN_PARAM_LABEL = 'the ncnn .param';

/** The first line of every text .param. */
const PARAM_MAGIC = 7767517;
/** Keys at or below this hold arrays: key -23300 - k is array k, value `count,v1,…`. */
const ARRAY_KEY_BASE = -23300;

/**
 * Parses a text `.param`.
 * @param file names the file in messages, e.g. `squeezenet_v1.1.param`.
 * @throws PasticheError `E_CONVERT` naming the file and line on anything malformed.
 */
export function parseNcnnParam(text: string, file = NCNN_PARAM_LABEL): NcnnLayer[] {
  const fail = (problem: string): never => {
    throw convertError(file, problem);
  };
  const parseNumber = (token: string, where: string): number => {
    const value = Number(token);
    if (token === '' || !Number.isFinite(value)) fail(`Expected a number ${where} but found ${JSON.stringify(token)}`);
    return value;
  };
  const lines = text.split(/\r?\n/);
  const content = lines.map((line, i) => ({ tokens: line.trim().split(/\s+/).filter(Boolean), line: i + 1 })).filter((l) => l.tokens.length);
  if (content[0]?.tokens[0] !== String(PARAM_MAGIC)) {
    fail(`Expected an ncnn text .param starting with the magic number ${PARAM_MAGIC} but found ${JSON.stringify(lines[0]?.slice(0, 40) ?? '')}`);
  }
  const [layerCount, blobCount] = (content[1]?.tokens ?? []).map((t) => parseNumber(t, 'for the layer and blob counts (line 2)'));
  if (!Number.isInteger(layerCount) || !Number.isInteger(blobCount)) fail('Expected the layer and blob counts on line 2');
  const layers = content.slice(2).map(({ tokens, line }): NcnnLayer => {
    const where = `on line ${line}`;
    const [type, name, bottomText, topText] = tokens;
    const bottomCount = parseNumber(bottomText ?? '', where);
    const topCount = parseNumber(topText ?? '', where);
    const bottoms = tokens.slice(4, 4 + bottomCount);
    const tops = tokens.slice(4 + bottomCount, 4 + bottomCount + topCount);
    if (bottoms.length !== bottomCount || tops.length !== topCount) fail(`Expected ${bottomCount} inputs and ${topCount} outputs ${where}`);
    const params = new Map<number, NcnnParamValue>();
    for (const pair of tokens.slice(4 + bottomCount + topCount)) {
      const match = /^(-?\d+)=(.+)$/.exec(pair);
      if (!match) return fail(`Expected key=value but found ${JSON.stringify(pair)} ${where}`);
      const key = Number(match[1]);
      if (key <= ARRAY_KEY_BASE) {
        const [count, ...values] = match[2].split(',').map((v) => parseNumber(v, where));
        if (values.length !== count) fail(`Expected ${count} values for array key ${key} ${where}`);
        params.set(ARRAY_KEY_BASE - key, values);
      } else {
        params.set(key, parseNumber(match[2], where));
      }
    }
    return { type, name, bottoms, tops, params, line };
  });
  if (layers.length !== layerCount) fail(`Announces ${layerCount} layers but lists ${layers.length}`);
  return layers;
}
