#!/usr/bin/env node
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bundles (scripts/bundle.mjs) start and run faster than the modules tsc wrote: `rampart scan`
// runs from dist/bundle/scan.cjs, the scan alone in one file, with a V8 code cache kept between runs
// (dist/compileCache.js; both cut the scan's time, BENCHMARKS.md (a.3), (a.4)); every other command from
// dist/bundle/main.js and its chunks.
// The modules tsc wrote are used when there is no bundle, when tsc has run since the bundle was made
// (`npx tsc` alone), so the CLI is never stale, or when RAMPART_UNBUNDLED=1 asks for them
// (bench/phases.mjs instruments those modules).
// tsc builds incrementally and rewrites only the files that changed, so "tsc has run" is read from
// its build-info file, which it writes whenever it emits anything (not from dist/cli/main.js).
const scan = process.argv[2] === 'scan';
const bundle = new URL(scan ? '../dist/bundle/scan.cjs' : '../dist/bundle/main.js', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const buildInfo = new URL('../dist/.tsbuildinfo', import.meta.url);
const bundled = statSync(bundle, { throwIfNoEntry: false });
const compiledAt = Math.max(statSync(compiled, { throwIfNoEntry: false })?.mtimeMs ?? 0, statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0);
const fresh = process.env.RAMPART_UNBUNDLED !== '1' && bundled !== undefined && bundled.mtimeMs >= compiledAt;
let main;
let afterRun = () => {};
if (fresh && scan) {
  const { loadBundle } = await import('../dist/compileCache.js');
  const loaded = loadBundle(fileURLToPath(bundle));
  main = loaded.exports.main;
  // The cache is written once the scan has run, so that it holds what the scan compiled.
  afterRun = () => loaded.save();
} else {
  ({ main } = await import(fresh ? bundle.href : compiled.href));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    afterRun();
  },
  (error) => {
    // Reaching this point means a bug in Rampart, not a user mistake.
    console.error('rampart: internal error:', error instanceof Error ? error.stack : error);
    process.exitCode = 70;
  },
);
