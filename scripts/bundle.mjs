#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/cli/main.js and everything it imports from
 * dist/) into dist/bundle/, which bin/rampart.js runs. Two builds:
 *
 * - dist/bundle/main.js and its chunks: the whole CLI, one chunk per lazily
 *   loaded command. npm packages stay external (Node loads them from
 *   node_modules as usual).
 * - dist/bundle/scan.cjs: `rampart scan` in ONE CommonJS file, which
 *   bin/rampart.js runs through src/compileCache.ts (a V8 code cache kept
 *   between runs) when the first argument is `scan`. The same code uses
 *   100-200 ms less CPU per scan of the real-world corpus from one file than
 *   from esbuild's chunks, and the code cache takes 30-60 ms more on a quiet
 *   machine (BENCHMARKS.md (a.3), (a.4)); why V8 runs the chunked code
 *   slower was not found. Its `main` runs every other
 *   command by handing the whole run to dist/bundle/main.js, so this file
 *   holds only the scan's code: the more text a file has, the longer Node
 *   takes to start it.
 *
 * Why bundle at all: a scan imports about 180 of Rampart's own modules, and
 * Node resolves, reads, compiles and links each one on every run. Files that
 * ship beside the compiled code are found through src/distFiles.ts, which
 * works from every layout. Tests import dist/ directly and run the CLI through
 * the bundles.
 *
 *   npm run build   (tsc, then this script)
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');
const cliMain = path.join(dist, 'cli', 'main.js');
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [cliMain],
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

/**
 * Packages the scan loads on every run anyway: their code goes into scan.cjs.
 * Every other package a scan can reach (CEL and protobuf for --policies,
 * tar-stream for --images, yaml for the careful parse path, …) is loaded only
 * when the code that needs it first runs, as from the chunks:
 * - imported with `import()` in Rampart's code (@kubernetes/client-node for
 *   --cluster, better-sqlite3, …): the `import()` stays as it is;
 * - imported statically: the import becomes a `require()` that runs when the
 *   importing module is first initialised (esbuild initialises modules behind
 *   an `import()` lazily). In one ES module file an external static import
 *   would be hoisted to the top of the file and load at start (700 ms of CPU
 *   for an empty file when every package was loaded so, BENCHMARKS.md (a.2));
 *   inlining them instead would make the file, and its start, bigger.
 *   Packages published in both formats (CEL, protobuf) are thus loaded as
 *   their CommonJS build, where the chunks import their ES module build: the
 *   same version, and the reports compare equal (BENCHMARKS.md (a.3)).
 */
const INLINED_PACKAGES = new Set(['commander', 'js-yaml']);
/**
 * Whether Node loads this file as CommonJS. A package without a CommonJS entry
 * could be require()d only by Node versions that load ES modules so, with a
 * warning on stderr: the build refuses it instead.
 */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (file.endsWith('.mjs')) return false;
  for (let directory = path.dirname(file); path.dirname(directory) !== directory; directory = path.dirname(directory)) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}
const packageName = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

/**
 * The entry of scan.cjs. `rampart scan …` runs in this file; any other first
 * argument runs the whole CLI from the chunked bundle (bin/rampart.js sends
 * only scans here, so that path is for callers of this file alone).
 */
const SCAN_ENTRY = `
import { main as mainWithScanOnly } from ${JSON.stringify(cliMain)};
export async function main(argv) {
  if (argv[0] === 'scan') return mainWithScanOnly(argv);
  return (await import('./main.js')).main(argv);
}
`;

const scanEntry = path.join(outdir, 'scan-entry.js');
const requireFromScanJs = createRequire(path.join(outdir, 'scan.cjs'));
const scanOnly = {
  name: 'rampart-scan-only',
  setup(onefile) {
    // The other commands' modules are left out: main() registers only `scan` when the first argument is `scan`.
    onefile.onResolve({ filter: /^\.\/\w+\.js$/, namespace: 'file' }, (args) => {
      if (args.importer === scanEntry && args.path === './main.js') return { path: args.path, external: true };
      if (args.importer === cliMain && args.kind === 'dynamic-import' && args.path !== './scan.js') return { path: args.path, namespace: 'not-in-scan-build' };
      return undefined;
    });
    onefile.onLoad({ filter: /.*/, namespace: 'not-in-scan-build' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`rampart: dist/bundle/scan.cjs holds only the scan command, not ${args.path}`)});`,
      loader: 'js',
    }));
    onefile.onResolve({ filter: /^[^./]/, namespace: 'file' }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      // Inside a package: esbuild bundles its dependencies as usual.
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      if (args.kind === 'dynamic-import') return { path: args.path, external: true };
      if (INLINED_PACKAGES.has(packageName(args.path))) return undefined;
      return { path: args.path, namespace: 'lazy-require' };
    });
    onefile.onResolve({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ path: args.path, external: true }));
    onefile.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => {
      if (!isCommonJs(requireFromScanJs.resolve(args.path))) throw new Error(`${args.path} has no CommonJS entry for scan.cjs to require(): inline it (INLINED_PACKAGES) or import() it`);
      return { contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' };
    });
  },
};

const scanFile = path.join(outdir, 'scan.cjs');
const scan = await build({
  stdin: { contents: SCAN_ENTRY, resolveDir: outdir, sourcefile: path.basename(scanEntry), loader: 'js' },
  outfile: scanFile,
  bundle: true,
  splitting: false,
  // CommonJS, so that src/compileCache.ts can run it with a V8 code cache (a vm.Script; Node 20 can
  // compile an ES module from outside only behind a flag). The code keeps its ES module semantics:
  // the loader runs it in strict mode, and `import.meta.url` is the file's own URL.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  define: { 'import.meta.url': '__rampartMetaUrl' },
  banner: { js: "var __rampartMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  plugins: [scanOnly],
});

// A static import of a package in scan.cjs would load it on every scan: fail the build rather than slow every run.
const eager = Object.values(scan.metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.external && entry.kind === 'import-statement' && !entry.path.startsWith('node:')));
if (eager.length > 0) throw new Error(`scripts/bundle.mjs: dist/bundle/scan.cjs would import ${eager.map((entry) => entry.path).join(', ')} at start`);

// `import()` in code that V8 took from a code cache has no loader on Node 20 (src/compileCache.ts),
// so the few left (packages that are ES modules only, the chunked bundle for other commands, node:
// built-ins) call the loader's `__rampartImport` instead. esbuild writes them as `import("…")`;
// anything else that still says `import(` afterwards (a computed specifier) fails the build.
// The rewrite shifts the columns after it on those few lines, so scan.cjs.map is off there by 9.
let scanText = readFileSync(scanFile, 'utf8');
scanText = scanText.replace(/\bimport\("/g, '__rampartImport("');
const left = /\bimport\(/.exec(scanText);
if (left !== null) throw new Error(`scripts/bundle.mjs: dist/bundle/scan.cjs keeps an import() that the loader cannot serve: ${scanText.slice(left.index, left.index + 80)}`);
writeFileSync(scanFile, scanText);
