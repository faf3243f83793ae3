import type { ModelConventionOverrides } from '@pastiche/core';
import catalogJson from '../../../models/onnx/catalog.json';

/** One built-in style of `models/onnx/catalog.json`. */
export interface CatalogStyle {
  name: string;
  title: string;
  family: string;
  license: string;
  /** File name of the converted model inside a model folder. */
  file: string;
  conventions: ModelConventionOverrides;
  source: { repository: string; ref: string; path: string };
  /** A published ONNX file, when one exists, with its checksum. */
  onnx?: { url: string; sha256: string };
}

/** One loss network of the catalog (for the optimisation method). */
export interface CatalogLossNetwork {
  name: string;
  title: string;
  license: string;
  file: string;
  layers: string[];
  source: { repository: string; ref: string; path: string };
}

export interface Catalog {
  version: number;
  default: string;
  styles: CatalogStyle[];
  lossNetworks: CatalogLossNetwork[];
}

/** The catalog bundled with this package (built from the repository's models/onnx/catalog.json). */
export const CATALOG: Readonly<Catalog> = catalogJson as Catalog;

export function findCatalogStyle(name: string): CatalogStyle | undefined {
  return CATALOG.styles.find((s) => s.name === name);
}

export function findCatalogLossNetwork(name: string): CatalogLossNetwork | undefined {
  return CATALOG.lossNetworks.find((n) => n.name === name);
}

/** The checksum the catalog knows for a model URL, if any. */
export function knownSha256(url: string): string | undefined {
  return CATALOG.styles.find((s) => s.onnx?.url === url)?.onnx?.sha256;
}
