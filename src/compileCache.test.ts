import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cacheDirectory } from './compileCache.js';

// Each load runs in a fresh process, as the CLI does: V8 keeps compiled code per process, so a
// second load in this process would say nothing about the cache on disk.
const LOADER = pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname), 'compileCache.js')).href;

let work: string;
let bundle: string;

/** Loads `bundle` in a child process with the given cache setting; returns what the bundle and the loader report. */
function load(cache: string, file = bundle, env: Record<string, string> = {}): { state: string; answer: unknown } {
  const script = `
    const { loadBundle } = await import(${JSON.stringify(LOADER)});
    const loaded = loadBundle(${JSON.stringify(file)});
    const answer = await loaded.exports.run();
    loaded.save();
    process.stdout.write(JSON.stringify({ state: loaded.state, answer }));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, RAMPART_COMPILE_CACHE: cache, ...env }, encoding: 'utf8' });
  return JSON.parse(output) as { state: string; answer: unknown };
}

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rampart-compile-cache-test-'));
  bundle = path.join(work, 'bundle.cjs');
  // A CommonJS bundle that uses what a real one does: require, __dirname, module.exports, a lazy
  // function, and import() of a built-in (rewritten to __rampartImport, as scripts/bundle.mjs does).
  const functions = Array.from({ length: 200 }, (_, index) => `function f${index}(x) { return x + ${index}; }`).join('\n');
  writeFileSync(
    bundle,
    `"use strict";\nconst path = require('node:path');\n${functions}\nmodule.exports.run = async () => {\n  const { sep } = await __rampartImport('node:path');\n  let total = 0;\n  ${Array.from({ length: 200 }, (_, index) => `total = f${index}(total);`).join(' ')}\n  return { total, dir: path.basename(__dirname), sep };\n};\n`,
  );
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('compile cache', () => {
  test('the first run writes a cache for the user alone, the next run uses it, and the bundle behaves the same', () => {
    const directory = path.join(work, 'cache-a');
    const first = load(directory);
    assert.equal(first.state, 'missing');
    const expected = { total: (199 * 200) / 2, dir: path.basename(work), sep: '/' };
    assert.deepEqual(first.answer, expected);
    const files = readdirSync(directory);
    assert.equal(files.length, 1);
    assert.match(files[0] ?? '', /^bundle\.cjs-[0-9a-f]{32}\.bin$/);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(directory, files[0] ?? '')).mode & 0o777, 0o600);
    const second = load(directory);
    assert.equal(second.state, 'used');
    assert.deepEqual(second.answer, expected);
  });

  test('a cache from a small run is replaced after a run that compiles clearly more, and kept otherwise', () => {
    const directory = path.join(work, 'cache-grow');
    const growing = path.join(work, 'growing', 'bundle.cjs');
    mkdirSync(path.dirname(growing));
    // run() calls a few functions when RAMPART_TEST_SMALL is set, all 400 otherwise.
    const functions = Array.from({ length: 400 }, (_, index) => `function g${index}(x) { const values = [x, ${index}, x * ${index}]; return values.reduce((a, b) => a + b, 0) % 1000; }`).join('\n');
    writeFileSync(
      growing,
      `"use strict";\n${functions}\nconst all = [${Array.from({ length: 400 }, (_, index) => `g${index}`).join(', ')}];\nmodule.exports.run = async () => all.slice(0, process.env.RAMPART_TEST_SMALL ? 3 : all.length).reduce((total, g) => g(total), 1);\n`,
    );
    const sizeOf = () => statSync(path.join(directory, readdirSync(directory)[0] ?? '')).size;
    assert.equal(load(directory, growing, { RAMPART_TEST_SMALL: '1' }).state, 'missing');
    const small = sizeOf();
    assert.equal(load(directory, growing, { RAMPART_TEST_SMALL: '1' }).state, 'used');
    assert.equal(sizeOf(), small);
    const big = load(directory, growing);
    assert.equal(big.state, 'used');
    const grown = sizeOf();
    assert.ok(grown > small * 1.1, `${grown} against ${small}`);
    // The same big run again: nothing new to keep, and a later small run does not shrink it.
    assert.equal(load(directory, growing).state, 'used');
    assert.equal(load(directory, growing, { RAMPART_TEST_SMALL: '1' }).state, 'used');
    assert.equal(sizeOf(), grown);
    assert.equal(readdirSync(directory).length, 1);
  });

  test('a changed bundle gets its own cache file; a corrupt cache is rejected by V8 and replaced', () => {
    const directory = path.join(work, 'cache-b');
    load(directory);
    const changed = path.join(work, 'changed', 'bundle.cjs');
    mkdirSync(path.dirname(changed));
    writeFileSync(changed, 'module.exports.run = async () => 42;\n');
    assert.equal(load(directory, changed).state, 'missing');
    assert.deepEqual(load(directory, changed).answer, 42);
    assert.equal(readdirSync(directory).length, 2);
    // Same name, same length as V8 expects, wrong bytes.
    for (const name of readdirSync(directory)) {
      const file = path.join(directory, name);
      writeFileSync(file, Buffer.alloc(statSync(file).size, 7));
    }
    const corrupt = load(directory);
    assert.equal(corrupt.state, 'rejected');
    assert.deepEqual(corrupt.answer, { total: (199 * 200) / 2, dir: path.basename(work), sep: '/' });
    assert.equal(load(directory).state, 'used');
  });

  test('a directory that others can write to is not used, and RAMPART_COMPILE_CACHE=0 turns the cache off', () => {
    const open = path.join(work, 'cache-open');
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o777);
    assert.equal(load(open).state, 'unsafe');
    assert.deepEqual(readdirSync(open), []);
    assert.equal(load('0').state, 'off');
    assert.equal(cacheDirectory({ RAMPART_COMPILE_CACHE: 'off' }), undefined);
    assert.equal(cacheDirectory({ RAMPART_COMPILE_CACHE: 'relative/dir' }), path.resolve('relative/dir'));
    assert.match(cacheDirectory({}) ?? '', /rampart-compile-cache-/);
  });

  test('a path that is a file, not a directory, is not used', () => {
    const file = path.join(work, 'not-a-directory');
    writeFileSync(file, 'x');
    const result = load(file);
    assert.equal(result.state, 'unsafe');
    assert.deepEqual(result.answer, { total: (199 * 200) / 2, dir: path.basename(work), sep: '/' });
  });

  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  test('a directory or cache file that belongs to another user is not used', { skip: root ? false : 'needs root to give a file to another user' }, () => {
    const directory = path.join(work, 'cache-other');
    load(directory);
    const [name] = readdirSync(directory);
    // The file is someone else's now: it is not read (the run compiles afresh and cannot replace it).
    chownSync(path.join(directory, name ?? ''), 65534, 65534);
    assert.equal(load(directory).state, 'missing');
    chownSync(directory, 65534, 65534);
    assert.equal(load(directory).state, 'unsafe');
  });
});
