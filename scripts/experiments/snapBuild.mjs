#!/usr/bin/env node
/**
 * Experiment (BENCHMARKS.md (a.2)), not part of the build: bundles a snapshot
 * entry and everything it imports into one CommonJS file that
 * `node --snapshot-blob X.blob --build-snapshot FILE.cjs` accepts.
 *
 *   node scripts/experiments/snapBuild.mjs ENTRY.mjs OUT.cjs [--scan-only] [--minify]
 *
 * - npm packages the scan path needs (commander, js-yaml, yaml) are inlined;
 *   every other package stays an external require(), which the snapshot
 *   cannot serve, so only commands that avoid them work from the blob.
 *   INLINE_EXTRA=pkg,pkg inlines more (e.g. the CEL packages, so that an
 *   --esm file does not import them eagerly at its top).
 * - `import('node:x')` becomes a require() (a deserialized snapshot has no
 *   dynamic-import callback).
 * - `import.meta.url` becomes a global the banner sets to this checkout's
 *   dist/cli, so the paths baked in at build time are this checkout's.
 * - --scan-only replaces every lazily imported command except scan by a
 *   rejected promise (smaller heap to deserialize); --minify minifies
 *   whitespace and syntax, keeping names.
 * - --esm writes one ES module instead (no snapshot possible; for comparing
 *   the module format alone): import.meta.url and import('node:x') are kept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [entry, outfile, ...flags] = process.argv.slice(2);
const scanOnly = flags.includes('--scan-only');
const esm = flags.includes('--esm');
const inline = new Set(['commander', 'js-yaml', 'yaml', ...(process.env.INLINE_EXTRA ?? '').split(',').filter(Boolean)]);
const packageName = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const metaUrl = pathToFileURL(path.join(root, 'dist', 'cli', 'main.js')).href;

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: esm ? 'esm' : 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: flags.includes('--minify'),
  minifySyntax: flags.includes('--minify'),
  define: esm ? {} : { 'import.meta.url': 'globalThis.__rampartMetaUrl' },
  banner: { js: esm ? "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" : `globalThis.__rampartMetaUrl = ${JSON.stringify(metaUrl)};` },
  logLevel: 'error',
  plugins: [
    {
      name: 'snapshot',
      setup(b) {
        b.onLoad({ filter: /[/\\]dist[/\\].*\.js$/ }, (args) => {
          let text = readFileSync(args.path, 'utf8');
          if (!esm) text = text.replace(/\bimport\((['"])(node:[\w/]+)\1\)/g, 'Promise.resolve().then(() => require("$2"))');
          if (scanOnly && args.path.endsWith(path.join('dist', 'cli', 'main.js'))) {
            text = text.replace(/\(await import\('\.\/(\w+)\.js'\)\)/g, (whole, name) => (name === 'scan' ? whole : `(await Promise.reject(new Error('${name} is not in this snapshot')))`));
          }
          return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
        });
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') || inline.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
