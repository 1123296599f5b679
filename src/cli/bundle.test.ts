/**
 * Which build bin/rampart.js runs (scripts/bundle.mjs): `rampart scan` from
 * dist/bundle/scan.cjs alone when it is fresh (through dist/compileCache.js,
 * which keeps a V8 code cache for it), the compiled modules when tsc has run
 * since, and the chunked bundle for other commands. What a process loaded is
 * observed from outside the product: a preloaded module registers a load hook
 * that logs every ES module URL, and at exit it logs every CommonJS file in
 * require's cache; that scan.cjs ran shows in the code cache it leaves in
 * RAMPART_COMPILE_CACHE. Each case runs a copy of bin/rampart.js in a
 * temporary tree whose dist/ links to the real build, so the modification
 * times that decide can be set without touching the repository's dist/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

const DIST = path.join(REPO_ROOT, 'dist');
const SCAN_BUNDLE = path.join(DIST, 'bundle', 'scan.cjs');

const POD = `apiVersion: v1
kind: Pod
metadata: {name: root-shell, namespace: tools}
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext: {privileged: true}
`;

const LOAD_HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) {
  log = data.log;
}
export async function load(url, context, nextLoad) {
  appendFileSync(log, 'esm ' + url + '\\n');
  return nextLoad(url, context);
}
`;

const PRELOAD = `
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const log = process.env.RAMPART_TEST_LOAD_LOG;
register(new URL('./hooks.mjs', import.meta.url), { data: { log } });
const require = createRequire(import.meta.url);
process.on('exit', () => {
  for (const file of Object.keys(require.cache)) appendFileSync(log, 'cjs ' + file + '\\n');
});
`;

let work = '';
let cacheDirectory = '';
let root = '';
let manifest = '';
let preload = '';

before(() => {
  assert.ok(existsSync(SCAN_BUNDLE), `${SCAN_BUNDLE} is missing: run npm run build`);
  work = tempDir('rampart-bundle-test-');
  preload = path.join(work, 'preload.mjs');
  writeFileSync(preload, PRELOAD);
  writeFileSync(path.join(work, 'hooks.mjs'), LOAD_HOOKS);
  manifest = path.join(work, 'pod.yaml');
  writeFileSync(manifest, POD);
  // The tree bin/rampart.js looks at: its own copy of everything whose modification time decides.
  root = path.join(work, 'rampart');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  copyFileSync(CLI, path.join(root, 'bin', 'rampart.js'));
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  mkdirSync(path.join(root, 'dist', 'bundle'), { recursive: true });
  for (const entry of readdirSync(DIST)) {
    if (entry !== 'bundle' && entry !== '.tsbuildinfo') symlinkSync(path.join(DIST, entry), path.join(root, 'dist', entry));
  }
  for (const entry of readdirSync(path.join(DIST, 'bundle'))) {
    if (entry === 'scan.cjs') copyFileSync(path.join(DIST, 'bundle', entry), path.join(root, 'dist', 'bundle', entry));
    else symlinkSync(path.join(DIST, 'bundle', entry), path.join(root, 'dist', 'bundle', entry));
  }
  writeFileSync(path.join(root, 'dist', '.tsbuildinfo'), '{}');
  cacheDirectory = path.join(work, 'compile-cache');
});

const cacheFiles = (): string[] => (existsSync(cacheDirectory) ? readdirSync(cacheDirectory) : []);

/** Makes tsc's build-info file an hour older (bundle fresh) or newer (bundle stale) than the copied scan.cjs. */
function setTscRun(relativeToBundle: 'before' | 'after'): void {
  const bundledAt = statSync(path.join(root, 'dist', 'bundle', 'scan.cjs')).mtimeMs / 1000;
  const at = relativeToBundle === 'before' ? bundledAt - 3600 : bundledAt + 3600;
  utimesSync(path.join(root, 'dist', '.tsbuildinfo'), at, at);
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every ES module URL and CommonJS file the process loaded. */
  readonly loaded: string[];
}

let runs = 0;
function run(bin: string, args: string[], env: Record<string, string> = {}): Run {
  const log = path.join(work, `loaded-${++runs}.log`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, bin, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', RAMPART_UNBUNDLED: '', RAMPART_COMPILE_CACHE: cacheDirectory, ...env, RAMPART_TEST_LOAD_LOG: log },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const rampartCode = (loaded: string[]): string[] => loaded.filter((line) => line.includes('/dist/')).map((line) => line.slice(line.indexOf('/dist/') + 1));

test('a fresh scan.cjs runs the scan alone, with a code cache from the second run: no chunk, no compiled command, no npm package file, the same report', () => {
  setTscRun('before');
  rmSync(cacheDirectory, { recursive: true, force: true });
  const fromBundle = run(path.join(root, 'bin', 'rampart.js'), ['scan', manifest, '--format', 'json']);
  const compiled = run(path.join(root, 'bin', 'rampart.js'), ['scan', manifest, '--format', 'json'], { RAMPART_UNBUNDLED: '1' });
  assert.equal(fromBundle.status, 1, fromBundle.stderr);
  // The only module of Rampart's loaded as a module is the loader; scan.cjs is compiled by it.
  assert.deepEqual(rampartCode(fromBundle.loaded), ['dist/compileCache.js']);
  assert.deepEqual(cacheFiles().map((name) => name.replace(/-[0-9a-f]{32}\.bin$/, '')), ['scan.cjs']);
  // commander and js-yaml are inside scan.cjs; @kubernetes/client-node, CEL and the rest wait for the options that need them.
  assert.deepEqual(
    fromBundle.loaded.filter((line) => line.includes('node_modules')),
    [],
  );
  assert.ok(rampartCode(compiled.loaded).includes('dist/cli/scan.js'));
  assert.equal(fromBundle.stdout, compiled.stdout);
  assert.equal(fromBundle.stderr, compiled.stderr);
  assert.equal(fromBundle.status, compiled.status);
  assert.match(fromBundle.stdout, /PSS-privileged/);
  // From the cache the same run gives the same report, and leaves the cache as it was.
  const [cacheFile] = cacheFiles();
  const written = statSync(path.join(cacheDirectory, cacheFile ?? '')).mtimeMs;
  const fromCache = run(path.join(root, 'bin', 'rampart.js'), ['scan', manifest, '--format', 'json']);
  assert.equal(fromCache.stdout, compiled.stdout);
  assert.equal(fromCache.status, 1);
  assert.equal(statSync(path.join(cacheDirectory, cacheFile ?? '')).mtimeMs, written);
  // Without the cache (RAMPART_COMPILE_CACHE=0), the same again, and nothing written.
  rmSync(cacheDirectory, { recursive: true, force: true });
  const uncached = run(path.join(root, 'bin', 'rampart.js'), ['scan', manifest, '--format', 'json'], { RAMPART_COMPILE_CACHE: '0' });
  assert.equal(uncached.stdout, compiled.stdout);
  assert.deepEqual(cacheFiles(), []);
});

test('when tsc has run since the bundle was made, scan runs from the compiled modules', () => {
  setTscRun('after');
  const result = run(path.join(root, 'bin', 'rampart.js'), ['scan', manifest, '--format', 'json']);
  assert.equal(result.status, 1, result.stderr);
  const code = rampartCode(result.loaded);
  assert.ok(code.includes('dist/cli/main.js') && code.includes('dist/cli/scan.js'), code.join('\n'));
  assert.deepEqual(
    code.filter((file) => file.startsWith('dist/bundle/')),
    [],
  );
});

test('other commands run from the chunked bundle, not scan.cjs', () => {
  setTscRun('before');
  const result = run(path.join(root, 'bin', 'rampart.js'), ['pss', manifest]);
  assert.equal(result.status, 1, result.stderr);
  const code = rampartCode(result.loaded);
  assert.ok(code.includes('dist/bundle/main.js'), code.join('\n'));
  assert.ok(code.some((file) => /^dist\/bundle\/chunk-\w+\.js$/.test(file)));
  assert.ok(!code.includes('dist/compileCache.js'));
  assert.ok(!code.some((file) => file.startsWith('dist/cli/')));
});

test("scan.cjs's main hands any other command to the chunked bundle", () => {
  const script = path.join(work, 'callScanBundle.mjs');
  writeFileSync(
    script,
    `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'compileCache.js')).href)});\nprocess.exitCode = await loadBundle(${JSON.stringify(SCAN_BUNDLE)}).exports.main(process.argv.slice(2));\n`,
  );
  const direct = run(script, ['pss', manifest]);
  const viaBin = run(CLI, ['pss', manifest]);
  assert.equal(direct.status, 1, direct.stderr);
  assert.equal(direct.stdout, viaBin.stdout);
  assert.ok(rampartCode(direct.loaded).includes('dist/bundle/main.js'));
});
