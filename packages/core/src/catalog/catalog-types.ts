import type { ChannelOrder, TensorLayout, ValueRange } from '../image/tensor-conventions.js';

/**
 * The schema of catalog.json: the built-in styles and loss networks, and where their weights come from.
 * One schema for everyone: the build scripts need `source` to fetch and verify the weights, and the adapters
 * read the same file (bundled, or served next to the models), so no reader gets a thinner variant.
 */

/** Importers of style networks, one per upstream weight format; parseCatalog rejects any other. */
export const STYLE_FAMILIES = ['pytorch-examples', 'ml5'] as const;
export type StyleFamily = (typeof STYLE_FAMILIES)[number];

/** Importers of loss networks, one per upstream weight format; parseCatalog rejects any other. */
export const LOSS_NETWORK_FAMILIES = ['squeezenet-ncnn', 'vgg19-tfjs'] as const;
export type LossNetworkFamily = (typeof LOSS_NETWORK_FAMILIES)[number];

/** Converters of the arbitrary-style method's networks (`tflite`: a TensorFlow Lite flatbuffer); parseCatalog rejects any other. */
export const ARBITRARY_NETWORK_FAMILIES = ['tflite'] as const;
export type ArbitraryNetworkFamily = (typeof ARBITRARY_NETWORK_FAMILIES)[number];

/** What an arbitrary-style network does: image → style vector, or content image + style vector → image. */
export const ARBITRARY_NETWORK_ROLES = ['predictor', 'transfer'] as const;
export type ArbitraryNetworkRole = (typeof ARBITRARY_NETWORK_ROLES)[number];

/** One upstream file of a style or loss network. */
export interface CatalogSourceFile {
  /** File name inside `source.path` (and inside `source.assets`). */
  name: string;
  /** Lower-case hex SHA-256 of the file's bytes: downloads and local copies are checked against it. */
  sha256: string;
}

/** The converted model of an entry. */
export interface CatalogOnnx {
  /**
   * sha256 and size of the ONNX file core's converter makes from the source files
   * (`convertCatalogEntry` of @pastiche/core/converters, which `npm run models` runs): lower-case hex.
   * A model file is checked against it, and a converter change that alters the output must update it.
   */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
}

/** Where the weights of an entry are published. */
export interface CatalogSource {
  /** `https://github.com/OWNER/REPO`. */
  repository: string;
  /** Branch, tag or commit the files are read from. */
  ref: string;
  /** Folder of the files inside the repository. */
  path: string;
  /** Every file the importer reads, each with its checksum. */
  files: CatalogSourceFile[];
  /** Folder of the same files under ../shared/assets (the offline copy). */
  assets: string;
}

/** How a style model's image tensors look; assignable to `ModelConventionOverrides`. */
export interface CatalogConventions {
  layout: TensorLayout;
  range: ValueRange;
  channelOrder: ChannelOrder;
  /** Height and width are padded to a multiple of this. */
  sizeMultiple: number;
}

/** A feed-forward style network of the fast method. */
export interface CatalogStyle {
  /** What users type (`--style candy`); unique across styles and loss networks. */
  name: string;
  /** Human-readable name for lists and menus. */
  title: string;
  family: StyleFamily;
  /** SPDX identifier or short licence text. */
  license: string;
  /** File name of the converted model inside a model folder (models/onnx, the cache, `modelBaseUrl`). */
  file: string;
  /** sha256 and size of the ONNX file core's converter makes from the source files. */
  onnx: CatalogOnnx;
  conventions: CatalogConventions;
  source: CatalogSource;
}

/** A pretrained network whose feature maps give the content and style losses of the optimisation method. */
export interface CatalogLossNetwork {
  /** Catalog name; users may also type an alias (see LOSS_NETWORK_ALIASES). */
  name: string;
  title: string;
  family: LossNetworkFamily;
  /** SPDX identifier or short licence text. */
  license: string;
  /** File name of the converted model inside a model folder. */
  file: string;
  /** sha256 and size of the ONNX file core's converter makes from the source files. */
  onnx: CatalogOnnx;
  /** The selectable layer tensors of the converted model, in network order. */
  layers: string[];
  source: CatalogSource;
}

/** A network of the arbitrary-style method (Magenta): a style predictor or a style transfer network. */
export interface CatalogArbitraryNetwork {
  /** Catalog name, the value of the `predictor` / `transferNetwork` load options. */
  name: string;
  title: string;
  family: ArbitraryNetworkFamily;
  role: ArbitraryNetworkRole;
  /** SPDX identifier or short licence text. */
  license: string;
  /** File name of the converted model inside a model folder. */
  file: string;
  /** sha256 and size of the ONNX file core's converter makes from the source files. */
  onnx: CatalogOnnx;
  source: CatalogSource;
}

/** Anything built from source files: a style, a loss network or an arbitrary-style network. */
export type CatalogEntry = CatalogStyle | CatalogLossNetwork | CatalogArbitraryNetwork;

export interface Catalog {
  /** Schema version; a reader that meets another one refuses the file rather than misread it. */
  version: 1;
  /** Name of the style used when none is given; one of `styles`. */
  default: string;
  styles: CatalogStyle[];
  /** Loss networks of the optimisation method; `[]` when the file lists none. */
  lossNetworks: CatalogLossNetwork[];
  /** Networks of the arbitrary-style method; `[]` when the file lists none. */
  arbitraryNetworks: CatalogArbitraryNetwork[];
}
