#!/usr/bin/env node
/**
 * Experiment (BENCHMARKS.md (a.3)), not part of the build: variants of
 * dist/bundle/scan.js (scripts/bundle.mjs), to compare what went into it.
 * Run `npm run build` first; writes dist/experiments/scan-VARIANT.js.
 *
 *   node scripts/experiments/scanVariants.mjs
 *   RAMPART_SCAN_VARIANT=inlined node scripts/experiments/binScanVariant.mjs scan …
 *
 * - product:  as scripts/bundle.mjs builds it (only scan; commander and js-yaml
 *             inlined, other packages required or imported when first used).
 * - inlined:  only scan, every pure-JavaScript package a scan can reach inlined
 *             (CEL, protobuf, re2, re2js, tar-stream, yaml, …), as in (a.2).
 * - whole:    the whole CLI (every command) in one file, packages as product.
 * - required: only scan, no package inlined: commander and js-yaml required too.
 * - minified: product with esbuild's whitespace and syntax minification.
 *
 * The other commands are not in the scan-only variants (a rejection in their
 * place): these files are only for timing `rampart scan`.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliMain = path.join(root, 'dist', 'cli', 'main.js');
const packageName = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const VARIANTS = {
  product: { scanOnly: true, inline: (name) => name === 'commander' || name === 'js-yaml' },
  inlined: { scanOnly: true, inline: () => true },
  whole: { scanOnly: false, inline: (name) => name === 'commander' || name === 'js-yaml' },
  required: { scanOnly: true, inline: () => false },
  minified: { scanOnly: true, inline: (name) => name === 'commander' || name === 'js-yaml', minify: true },
};

for (const [variant, { scanOnly, inline, minify = false }] of Object.entries(VARIANTS)) {
  const result = await build({
    entryPoints: [cliMain],
    outfile: path.join(root, 'dist', 'experiments', `scan-${variant}.js`),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    minifyWhitespace: minify,
    minifySyntax: minify,
    banner: { js: "import { createRequire as __rampartCreateRequire } from 'node:module';\nconst require = __rampartCreateRequire(import.meta.url);" },
    logLevel: 'error',
    plugins: [
      {
        name: 'variant',
        setup(b) {
          b.onResolve({ filter: /^\.\/\w+\.js$/, namespace: 'file' }, (args) =>
            scanOnly && args.importer === cliMain && args.kind === 'dynamic-import' && args.path !== './scan.js' ? { path: args.path, namespace: 'left-out' } : undefined,
          );
          b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: `throw new Error('${args.path} is not in this variant');`, loader: 'js' }));
          b.onResolve({ filter: /^[^./]/, namespace: 'file' }, (args) => {
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) {
              // Optional dependencies that are not installed (cyclonedx's XML plugins) stay run-time requires.
              try {
                createRequire(args.importer).resolve(args.path);
                return undefined;
              } catch {
                return { path: args.path, external: true };
              }
            }
            if (args.kind === 'dynamic-import') return { path: args.path, external: true };
            return inline(packageName(args.path)) ? undefined : { path: args.path, namespace: 'lazy-require' };
          });
          b.onResolve({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ path: args.path, external: true }));
          b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
        },
      },
    ],
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`dist/experiments/scan-${variant}.js ${(bytes / 1e6).toFixed(2)} MB`);
}
