import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LOSS_NETWORK, buildGatysGraphs, decodeModel, exportLossGraphs, resolveModelReference, type Pooling } from '@pastiche/core';
import { writeFileAtomic } from './atomic-write.js';
import { checkModelLocations, type ModelLocationOptions } from './model-store.js';
import { env } from './env.js';
import { nodePlatform } from './node-platform.js';

export interface ExportGradientOptions extends ModelLocationOptions {
  /** @default 'squeezenet' */
  lossNetwork?: string | Uint8Array;
  contentLayers?: string[];
  styleLayers?: string[];
  pooling?: Pooling;
}

/**
 * Writes a loss network's features and loss+gradient graphs as `.onnx` files that onnxruntime in Node
 * and in the browser can load: `<name>.features.onnx` and `<name>.loss-grad.onnx` in `outDir`.
 */
export async function exportGradientGraphs(outDir: string, options: ExportGradientOptions = {}): Promise<{ features: string; lossGrad: string }> {
  checkModelLocations(options);
  const reference = await resolveModelReference(nodePlatform, options.lossNetwork ?? DEFAULT_LOSS_NETWORK, 'loss network', {
    options,
    settings: env,
    sha256: undefined,
    signal: undefined,
    onLoadProgress: undefined,
  });
  const graphs = buildGatysGraphs(decodeModel(await reference.read()), options);
  const bytes = exportLossGraphs(graphs);
  await mkdir(outDir, { recursive: true });
  const paths = { features: join(outDir, `${reference.name}.features.onnx`), lossGrad: join(outDir, `${reference.name}.loss-grad.onnx`) };
  await writeFileAtomic(paths.features, bytes.features);
  await writeFileAtomic(paths.lossGrad, bytes.lossGrad);
  return paths;
}
