import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_LOSS_NETWORK,
  PasticheError,
  buildGatysGraphs,
  checkLayerNames,
  checkModelArgument,
  decodeModel,
  expectKnownKeys,
  expectOneOf,
  expectOptions,
  expectString,
  exportLossGraphs,
  resolveModelReference,
  type Pooling,
} from '@pastiche/core';
import { writeFileAtomic } from './atomic-write.js';
import { checkModelLocations, MODEL_LOCATION_KEYS, type ModelLocationOptions } from './model-store.js';
import { env } from './env.js';
import { nodePlatform } from './node-platform.js';

export interface ExportGradientOptions extends ModelLocationOptions {
  /** @default 'squeezenet' */
  lossNetwork?: string | Uint8Array;
  contentLayers?: string[];
  styleLayers?: string[];
  pooling?: Pooling;
}

const EXPORT_KEYS = new Set(['lossNetwork', 'contentLayers', 'styleLayers', 'pooling', ...MODEL_LOCATION_KEYS]);

/**
 * Writes a loss network's features and loss+gradient graphs as `.onnx` files that onnxruntime in Node
 * and in the browser can load: `<name>.features.onnx` and `<name>.loss-grad.onnx` in `outDir`.
 */
export async function exportGradientGraphs(outDir: string, options: ExportGradientOptions = {}): Promise<{ features: string; lossGrad: string }> {
  expectString('outDir', outDir, 'a folder path');
  const o = expectOptions<ExportGradientOptions>('options', options) as ExportGradientOptions;
  expectKnownKeys('options', o, EXPORT_KEYS);
  checkModelLocations(o);
  const lossNetwork = o.lossNetwork ?? DEFAULT_LOSS_NETWORK;
  checkModelArgument(nodePlatform, lossNetwork, 'loss network');
  const layers = { contentLayers: checkLayerNames('contentLayers', o.contentLayers), styleLayers: checkLayerNames('styleLayers', o.styleLayers) };
  const pooling = o.pooling === undefined ? undefined : expectOneOf('pooling', o.pooling, ['max', 'average'] as const);
  const reference = await resolveModelReference(nodePlatform, lossNetwork, 'loss network', {
    options: o,
    settings: env,
    sha256: undefined,
    signal: undefined,
    onLoadProgress: undefined,
  });
  const model = decodeModel(await reference.read());
  let bytes: ReturnType<typeof exportLossGraphs>;
  try {
    bytes = exportLossGraphs(buildGatysGraphs(model, { ...layers, pooling }));
  } catch (cause) {
    if (cause instanceof PasticheError) throw cause;
    // The options were checked above: what fails here is the network's own graph.
    throw new PasticheError('E_MODEL_SIGNATURE', `Building the gradient graphs of loss network '${reference.name}' failed: ${(cause as Error).message}`, { cause });
  }
  const paths = { features: join(outDir, `${reference.name}.features.onnx`), lossGrad: join(outDir, `${reference.name}.loss-grad.onnx`) };
  try {
    await mkdir(outDir, { recursive: true });
    await writeFileAtomic(paths.features, bytes.features);
    await writeFileAtomic(paths.lossGrad, bytes.lossGrad);
  } catch (cause) {
    throw new PasticheError('E_IO', `Could not write the gradient graphs to '${outDir}': ${(cause as Error).message}. Pass a writable folder.`, { cause });
  }
  return paths;
}
