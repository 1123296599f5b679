#!/usr/bin/env node
// Variant of scripts/bundle.mjs for BENCHMARKS.md (a.2): the same ESM chunks in dist/bundle-x/, but
// with commander, js-yaml and yaml inlined (--inline) or not, to separate the module format from
// the inlining. Run it with `node scripts/experiments/binChunks.mjs` (bin/rampart.js pointed here).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = path.join(root, 'dist', 'bundle-x');
const inline = new Set(process.argv.includes('--inline') ? ['commander', 'js-yaml', 'yaml'] : []);
const packageName = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'dist', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  logLevel: 'error',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [
    {
      name: 'inline',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') || inline.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
