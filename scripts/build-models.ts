/**
 * `npm run models`: converts every style, loss network and arbitrary-style network of packages/core/src/catalog/catalog.json into
 * models/onnx/<file>, skipping the ones that are up to date, then copies catalog.json there too (browsers
 * fetch `<modelBaseUrl>catalog.json` from that folder, and Node finds the repository's models by it).
 *
 *   --assets DIR      read source weights from DIR (the layout of ../shared/assets); env PASTICHE_ASSETS
 *   --fetch [BASE]    download them from BASE/OWNER/REPO/REF/PATH/FILE instead; env PASTICHE_FETCH_BASE
 *                     (default base https://raw.githubusercontent.com)
 *   --only a,b        only these models (styles, loss networks, arbitrary-style networks)
 *   --out DIR         write the models to DIR instead of models/onnx
 *   --force           rebuild even when up to date
 *
 * Without --assets or --fetch it reads ../shared/assets, or downloads from GitHub when that is missing.
 * Every source file is checked against the catalog's sha256. Exits 1 with a one-line reason on failure.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildModel } from './build/build-model.js';
import { DEFAULT_FETCH_BASE, httpSource, localSource, type ModelSource } from './build/model-sources.js';
import { CATALOG_PATH, loadCatalog, REPO_ROOT, type CatalogEntry } from './catalog.js';

interface Args {
  assets?: string;
  fetch?: string;
  only?: string[];
  out: string;
  force: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { out: join(REPO_ROOT, 'models', 'onnx'), force: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--assets': args.assets = resolve(value()); break;
      case '--fetch': args.fetch = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : DEFAULT_FETCH_BASE; break;
      case '--only': args.only = value().split(',').filter(Boolean); break;
      case '--out': args.out = resolve(value()); break;
      case '--force': args.force = true; break;
      default: throw new Error(`unknown option ${flag} (expected --assets DIR, --fetch [BASE], --only a,b, --out DIR, --force)`);
    }
  }
  return args;
}

/** Explicit choices first (flags, then environment), then the local assets, then GitHub. */
function chooseSource(args: Args): ModelSource {
  const fetchBase = args.fetch ?? process.env.PASTICHE_FETCH_BASE;
  if (fetchBase) return httpSource(fetchBase);
  const explicit = args.assets ?? (process.env.PASTICHE_ASSETS && resolve(process.env.PASTICHE_ASSETS));
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`assets folder ${explicit} does not exist`);
    return localSource(explicit);
  }
  const local = resolve(REPO_ROOT, '..', 'shared', 'assets');
  if (existsSync(local)) return localSource(relative(process.cwd(), local) || '.');
  console.log(`No local assets at ${local}: downloading the source weights from ${DEFAULT_FETCH_BASE}`);
  return httpSource(DEFAULT_FETCH_BASE);
}

function selectEntries(entries: CatalogEntry[], only: string[] | undefined): CatalogEntry[] {
  if (!only) return entries;
  const unknown = only.filter((name) => !entries.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown model ${unknown.join(', ')} (the catalog has ${entries.map((s) => s.name).join(', ')})`);
  return entries.filter((s) => only.includes(s.name));
}

/**
 * A byte-identical copy of the catalog source in `outDir`. Made before the builds, so that the folder keeps
 * a catalog even when one build fails, as it always had one while catalog.json was committed there.
 */
function copyCatalog(outDir: string): void {
  const target = join(outDir, 'catalog.json');
  const file = relative(process.cwd(), target);
  if (existsSync(target) && readFileSync(target).equals(readFileSync(CATALOG_PATH))) {
    console.log(`${file}: up to date`);
    return;
  }
  copyFileSync(CATALOG_PATH, target);
  console.log(`${file}: copied from ${relative(process.cwd(), CATALOG_PATH)}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const catalog = loadCatalog();
  const styles = selectEntries([...catalog.styles, ...catalog.lossNetworks, ...catalog.arbitraryNetworks], args.only);
  const source = chooseSource(args);
  mkdirSync(args.out, { recursive: true });
  copyCatalog(args.out);
  const started = performance.now();
  let built = 0;
  for (const style of styles) {
    const t0 = performance.now();
    const result = await buildModel(style, source, args.out, args.force).catch((err: Error) => {
      throw new Error(`${style.name}: ${err.message}`, { cause: err });
    });
    const file = relative(process.cwd(), result.path);
    if (result.status === 'up to date') {
      console.log(`${file}: up to date`);
    } else {
      built++;
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`${file}: built from ${source.description}, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds} s`);
    }
  }
  console.log(`${built} built, ${styles.length - built} up to date in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: Error) => {
  console.error(`build-models: ${err.message}`);
  process.exit(1);
});
