import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp, { type ResizeOptions } from 'sharp';
import { encodeModel, type ModelProto } from '../../packages/core/src/onnx/index.js';
import { loadCatalog, type CatalogLossNetwork } from '../../scripts/catalog.js';
import type { LossNetworkInfo } from '../../packages/core/src/converters/loss-network.js';
import { importSqueezeNetNcnn } from '../../packages/core/src/converters/squeezenet-ncnn.js';
import { importVgg19Tfjs, type TfjsLayersModelJson } from '../../packages/core/src/converters/vgg19-tfjs.js';
import { asset } from '../helpers/assets.js';

/** A catalog loss network (throws when the catalog lacks it). */
export function catalogLossNetwork(name: string): CatalogLossNetwork {
  const net = loadCatalog().lossNetworks.find((n) => n.name === name);
  if (!net) throw new Error(`The catalog has no loss network ${name}`);
  return net;
}

export function lossInfo(net: CatalogLossNetwork): LossNetworkInfo {
  return { name: net.name, title: net.title, license: net.license, source: net.source.repository };
}

/** One source file of a loss network from ../shared/assets (throws with the path when missing). */
export function readLossSource(net: CatalogLossNetwork, file: string): Uint8Array {
  return new Uint8Array(readFileSync(asset(join(net.source.assets, file))));
}

export const squeezeNetFiles = () => {
  const net = catalogLossNetwork('squeezenet1.1');
  return { param: readLossSource(net, 'squeezenet_v1.1.param'), bin: readLossSource(net, 'squeezenet_v1.1.bin') };
};

export function importSqueezeNet(): ModelProto {
  return importSqueezeNetNcnn(squeezeNetFiles(), lossInfo(catalogLossNetwork('squeezenet1.1')));
}

/** The VGG19 TF.js files; `has` limits which of the catalog's shards exist (all by default). */
export function vggFiles(has: (shard: string) => boolean = () => true) {
  const net = catalogLossNetwork('vgg19-partial');
  const listed = new Set(net.source.files.map((f) => f.name));
  // The assets folder must hold every listed file; unlisted shards (later layers) are absent on purpose.
  for (const name of listed) asset(join(net.source.assets, name));
  return {
    model: JSON.parse(new TextDecoder().decode(readLossSource(net, 'model.json'))) as TfjsLayersModelJson,
    read: (path: string) => (listed.has(path) && has(path) ? readLossSource(net, path) : undefined),
  };
}

export function importVgg19Partial(has?: (shard: string) => boolean): ModelProto {
  return importVgg19Tfjs(vggFiles(has), lossInfo(catalogLossNetwork('vgg19-partial')));
}

export function session(model: ModelProto): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model));
}

/** Interleaved RGB bytes → planar float [3, h, w] on the 0..255 scale. */
export function planar(rgb: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[c * width * height + i] = rgb[i * 3 + c];
  return out;
}

export async function decodeRgb(path: string, resize?: ResizeOptions & { width: number; height: number }) {
  let pipeline = sharp(path).removeAlpha();
  if (resize) pipeline = pipeline.resize(resize);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

export const imageTensor = (data: Float32Array, width: number, height: number) => new ort.Tensor('float32', data, [1, 3, height, width]);

export function mean(data: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  return sum / data.length;
}

export const relativeError = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

/** Indices of the k largest values, largest first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a])
    .slice(0, k);
}
