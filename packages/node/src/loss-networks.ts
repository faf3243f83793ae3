import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOSS_NETWORK_ALIASES } from '@pastiche/core';
import { CATALOG, findCatalogLossNetwork } from './catalog.js';
import { modelSearchPath } from './model-locations.js';
import type { ModelKind } from './resolve-style.js';

/** A full VGG19 exported with scripts/export-torchvision-vgg19.py, preferred over the partial one when present. */
export const FULL_VGG19_FILE = 'vgg19.onnx';

/** How loss-network names resolve: `squeezenet`, `vgg19` (full when exported, else partial), or catalog names. */
export const LOSS_NETWORKS: ModelKind = {
  noun: 'loss network',
  names: [...Object.keys(LOSS_NETWORK_ALIASES), ...CATALOG.lossNetworks.map((n) => n.name)],
  fileOf(name, options) {
    if (name === 'vgg19' && modelSearchPath(options).some((dir) => existsSync(join(dir, FULL_VGG19_FILE)))) return FULL_VGG19_FILE;
    return findCatalogLossNetwork(LOSS_NETWORK_ALIASES[name] ?? name)?.file;
  },
};
