#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/cli/main.js and everything it imports from
 * dist/) into dist/bundle/, which bin/rampart.js runs.
 *
 * Why: a scan imports about 180 of Rampart's own modules, and Node resolves,
 * reads, compiles and links each one on every run; one bundle with a chunk per
 * lazily loaded command costs a fraction of that (BENCHMARKS.md). npm packages
 * stay external (Node loads them from node_modules as usual), and the modules
 * keep their lazy `import()`s as separate chunks. Files that ship beside the
 * compiled code are found through src/distFiles.ts, which works from both
 * layouts. Tests import dist/ directly and run the CLI through the bundle.
 *
 *   npm run build   (tsc, then this script)
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'dist', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
