// One fresh process, as an app starts: import the built @pastiche/node, load a style network, stylize one image.
// Plain JavaScript against the built package (npm run build), so no TypeScript loader is timed.
// Usage: node first-result-worker.mjs '<{"model", "size", "loadOptions"}>' → one JSON line of milestones in ms since
// the process started (performance.now() counts from there).
const config = JSON.parse(process.argv[2]);
const imported = performance.now();
const { loadStyle } = await import('@pastiche/node');
const afterImport = performance.now();
const style = await loadStyle(config.model, config.loadOptions);
const loaded = performance.now();
const { size } = config;
const pixels = new Uint8Array(size * size * 3);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
await style.stylize({ data: pixels, width: size, height: size, channels: 3 });
const done = performance.now();
await style.dispose();
process.stdout.write(`${JSON.stringify({ start: imported, import: afterImport - imported, load: loaded - afterImport, run: done - loaded, total: done })}\n`);
