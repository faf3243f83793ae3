import type { Catalog, CatalogLossNetwork, CatalogStyle } from './catalog-types.js';

/** The loss network used when none is given: the fastest one. */
export const DEFAULT_LOSS_NETWORK = 'squeezenet';

/** Short names users type for the catalog's loss networks (`lossNetworks` of catalog.json). */
export const LOSS_NETWORK_ALIASES: Readonly<Record<string, string>> = Object.freeze({ squeezenet: 'squeezenet1.1', vgg19: 'vgg19-partial' });

/**
 * A full VGG19 exported with scripts/export-torchvision-vgg19.py. It is not in the catalog (it is built from
 * torchvision, not fetched), so `vgg19` means it only where a model folder holds it; elsewhere `vgg19-partial`.
 */
export const FULL_VGG19_FILE = 'vgg19.onnx';

/** Which list of the catalog a name is looked up in. */
export type CatalogKind = 'style' | 'loss network';

/** The catalog name an alias stands for, or the name itself (own keys only: `toString` is no alias). */
function unalias(name: string): string {
  return Object.hasOwn(LOSS_NETWORK_ALIASES, name) ? LOSS_NETWORK_ALIASES[name] : name;
}

/** Names of the catalog's styles, in catalog order. */
export function catalogStyleNames(catalog: Catalog): string[] {
  return catalog.styles.map((s) => s.name);
}

export function findCatalogStyle(catalog: Catalog, name: string): CatalogStyle | undefined {
  return catalog.styles.find((s) => s.name === name);
}

/** Every name a loss network can be selected by: the aliases first (what users should type), then catalog names. */
export function lossNetworkNames(catalog: Catalog): string[] {
  return [...new Set([...Object.keys(LOSS_NETWORK_ALIASES), ...catalog.lossNetworks.map((n) => n.name)])];
}

/** The catalog loss network of a name or alias (`squeezenet` → `squeezenet1.1`). Ignores the full-VGG19 rule. */
export function findCatalogLossNetwork(catalog: Catalog, name: string): CatalogLossNetwork | undefined {
  const target = unalias(name);
  return catalog.lossNetworks.find((n) => n.name === target);
}

/**
 * The model file a style or loss-network name stands for, and the name it resolved to (the catalog name, or
 * `vgg19` for the full network). `hasFile` says whether some model folder holds a file; given, the loss
 * network `vgg19` resolves to {@link FULL_VGG19_FILE} when that file is present. Without it (or when the file
 * is absent) `vgg19` is the catalog's `vgg19-partial`. `undefined` for a name the catalog does not know.
 */
export function catalogFileFor(
  catalog: Catalog,
  kind: CatalogKind,
  name: string,
  hasFile?: (file: string) => boolean,
): { name: string; file: string } | undefined {
  if (kind === 'style') {
    const style = findCatalogStyle(catalog, name);
    return style && { name: style.name, file: style.file };
  }
  if (name === 'vgg19' && hasFile?.(FULL_VGG19_FILE)) return { name, file: FULL_VGG19_FILE };
  const network = findCatalogLossNetwork(catalog, name);
  return network && { name: network.name, file: network.file };
}
