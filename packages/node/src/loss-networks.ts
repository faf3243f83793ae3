import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, findCatalogLossNetwork } from './catalog.js';
import { modelSearchPath } from './model-locations.js';
import type { ModelKind } from './resolve-style.js';

/** The loss network used when none is given: the fastest one. */
export const DEFAULT_LOSS_NETWORK = 'squeezenet';

/** A full VGG19 exported with scripts/export-torchvision-vgg19.py, preferred over the partial one when present. */
export const FULL_VGG19_FILE = 'vgg19.onnx';

const ALIASES: Readonly<Record<string, string>> = Object.freeze({ squeezenet: 'squeezenet1.1', vgg19: 'vgg19-partial' });

/** How loss-network names resolve: `squeezenet`, `vgg19` (full when exported, else partial), or catalog names. */
export const LOSS_NETWORKS: ModelKind = {
  noun: 'loss network',
  names: [...Object.keys(ALIASES), ...CATALOG.lossNetworks.map((n) => n.name)],
  fileOf(name, options) {
    if (name === 'vgg19' && modelSearchPath(options).some((dir) => existsSync(join(dir, FULL_VGG19_FILE)))) return FULL_VGG19_FILE;
    return findCatalogLossNetwork(ALIASES[name] ?? name)?.file;
  },
};
