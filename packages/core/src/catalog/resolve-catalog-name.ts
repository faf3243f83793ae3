import type { ArbitraryNetworkRole, Catalog, CatalogArbitraryNetwork, CatalogLossNetwork, CatalogStyle } from './catalog-types.js';

/** The loss network used when none is given: the fastest one. */
export const DEFAULT_LOSS_NETWORK = 'squeezenet';

/** Short names users type for the catalog's loss networks (`lossNetworks` of catalog.json). */
export const LOSS_NETWORK_ALIASES: Readonly<Record<string, string>> = Object.freeze({ squeezenet: 'squeezenet1.1', vgg19: 'vgg19-partial' });

/**
 * A full VGG19 exported with scripts/export-torchvision-vgg19.py. It is not in the catalog (it is built from
 * torchvision, not fetched), so `vgg19` means it only where a model folder holds it; elsewhere `vgg19-partial`.
 */
export const FULL_VGG19_FILE = 'vgg19.onnx';

/** The arbitrary-style method's style predictor when none is given. */
export const DEFAULT_STYLE_PREDICTOR = 'magenta-predictor';

/** The arbitrary-style method's transfer network when none is given: fp16 weights, float activations (the int8 one is `magenta-transfer-int8`). */
export const DEFAULT_TRANSFER_NETWORK = 'magenta-transfer-f16';

/** Which list of the catalog a name is looked up in (the arbitrary-style networks by role). */
export type CatalogKind = 'style' | 'loss network' | 'style predictor' | 'transfer network';

const ARBITRARY_ROLES: Readonly<Record<'style predictor' | 'transfer network', ArbitraryNetworkRole>> = { 'style predictor': 'predictor', 'transfer network': 'transfer' };

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

/** The catalog's arbitrary-style network of a name, of `role` when given. */
export function findCatalogArbitraryNetwork(catalog: Catalog, name: string, role?: ArbitraryNetworkRole): CatalogArbitraryNetwork | undefined {
  return catalog.arbitraryNetworks.find((n) => n.name === name && (role === undefined || n.role === role));
}

/** Names of the catalog's arbitrary-style networks of one role, in catalog order. */
export function arbitraryNetworkNames(catalog: Catalog, role: ArbitraryNetworkRole): string[] {
  return catalog.arbitraryNetworks.filter((n) => n.role === role).map((n) => n.name);
}

/** The names a catalog entry of `kind` can be selected by, for messages. */
export function catalogNames(catalog: Catalog, kind: CatalogKind): string[] {
  if (kind === 'style') return catalogStyleNames(catalog);
  if (kind === 'loss network') return lossNetworkNames(catalog);
  return arbitraryNetworkNames(catalog, ARBITRARY_ROLES[kind]);
}

/** The catalog entry a name of `kind` stands for (a loss network's alias too; ignores the full-VGG19 rule). */
export function findCatalogEntry(catalog: Catalog, kind: CatalogKind, name: string): CatalogStyle | CatalogLossNetwork | CatalogArbitraryNetwork | undefined {
  if (kind === 'style') return findCatalogStyle(catalog, name);
  if (kind === 'loss network') return findCatalogLossNetwork(catalog, name);
  return findCatalogArbitraryNetwork(catalog, name, ARBITRARY_ROLES[kind]);
}

/**
 * The model file a style, loss-network or arbitrary-style network name stands for, and the name it resolved to (the catalog name, or
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
  if (kind === 'loss network' && name === 'vgg19' && hasFile?.(FULL_VGG19_FILE)) return { name, file: FULL_VGG19_FILE };
  const entry = findCatalogEntry(catalog, kind, name);
  return entry && { name: entry.name, file: entry.file };
}
