/**
 * Runs a CommonJS bundle with a V8 code cache kept between runs, so that a CLI
 * run does not parse and compile the same functions again every time.
 *
 * Why Rampart has its own: Node 22 does this for every module with
 * `module.enableCompileCache()`, but Rampart runs on Node 20, which has no
 * such switch. The npm package v8-compile-cache asks V8 for the cache when a
 * file is compiled, before it runs, so the cache holds only what V8 compiles
 * eagerly: for a bundle whose modules are initialised lazily that is the top
 * level and little else. Here the cache is taken after the command has run
 * (`Script.createCachedData()`), so it holds every function the run compiled.
 * BENCHMARKS.md (a.3) has the figures.
 *
 * Safety:
 * - The cache file is named by a SHA-256 of the bundle's text (as wrapped), Node's version,
 *   the platform and V8 flags given on the command line, so a rebuilt bundle
 *   or another Node never meets an old cache. V8 checks its own version, flags
 *   and the source's length again and rejects what does not match; a rejected
 *   or unreadable cache only costs the compile it would have saved.
 * - Code cache is code: a cache file that someone else could have written
 *   would run as the user. The directory is created for the user alone (mode
 *   0700) and is used only if it belongs to the user and nobody else can write
 *   to it; files in it are read only when they belong to the user too.
 * - A new cache is written to a temporary file and renamed, so a reader never
 *   sees half a file and runs at once never see each other's partial writes.
 * - Every failure (read-only or full disk, a directory that is not safe) is
 *   silent: the bundle runs uncached.
 *
 * The bundle is a CommonJS file (vm.Script compiles scripts; ES modules
 * would need vm.SourceTextModule, which Node 20 has only behind a flag) that
 * calls `__rampartImport(specifier)` where it needs `import()`
 * (scripts/bundle.mjs rewrites them).
 *
 * RAMPART_COMPILE_CACHE=DIR puts the cache in DIR; RAMPART_COMPILE_CACHE=0
 * turns it off. The default directory is `rampart-compile-cache-UID` under
 * the system's temporary directory (Node 22's own cache is under it too).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** What happened to the cache on this run (for tests and `RAMPART_COMPILE_CACHE_DEBUG`). */
export type CacheState = 'off' | 'unsafe' | 'missing' | 'rejected' | 'used';

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  readonly exports: Record<string, unknown>;
  readonly state: CacheState;
  /**
   * Writes the cache when this run had none that V8 accepted, or when it
   * compiled clearly more than the cache it had; call it once the command has
   * run, so that the cache holds what it compiled. Never throws.
   */
  save(): void;
}

/** How much bigger than the cache it ran with a run's cache must be to replace it. */
const GROWTH_TO_REPLACE = 1.1;

/** The directory for the cache, or undefined when caching is off. */
export function cacheDirectory(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = environment.RAMPART_COMPILE_CACHE;
  if (configured === '0' || configured === 'off') return undefined;
  if (configured !== undefined && configured !== '') return path.resolve(configured);
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return path.join(tmpdir(), `rampart-compile-cache-${user}`);
}

/** True when `directory` exists or was made, is a real directory, is the user's, and only the user can write to it. */
function safeDirectory(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stat = lstatSync(directory);
    if (!stat.isDirectory()) return false;
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return false;
    return (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The cache file's bytes, if it is a regular file of the user's. */
function readOwnFile(file: string): Buffer | undefined {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    const stat = fstatSync(descriptor);
    if (!stat.isFile()) return undefined;
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return undefined;
    return readFileSync(descriptor);
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Loads the CommonJS bundle `file` and runs its top level, with the code cache when there is a safe one. */
export function loadBundle(file: string, environment: NodeJS.ProcessEnv = process.env): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const directory = cacheDirectory(environment);
  const usable = directory !== undefined && safeDirectory(directory);
  // The wrapper Node puts around a CommonJS module, so the bundle sees require, module and
  // __dirname, in strict mode (the bundle is built from ES modules, which are strict), plus
  // `__rampartImport`: `import()` written in a vm.Script has no loader once its code
  // comes from a cache (Node 20 throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, and
  // vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental and warns), so the bundle's few
  // `import()`s of packages that are ES modules only are rewritten to call this module's own.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __rampartImport) {'use strict';${source}\n})`;
  // The key covers the wrapped text, so a change of the wrapper or of the bundle never meets an old cache.
  const key = createHash('sha256').update(wrapped).update('\0').update(process.version).update(process.arch).update(process.execArgv.join(' ')).digest('hex').slice(0, 32);
  const cacheFile = usable ? path.join(directory, `${path.basename(file)}-${key}.bin`) : undefined;
  const cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile);
  const script = new vm.Script(wrapped, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const state: CacheState = directory === undefined ? 'off' : !usable ? 'unsafe' : cachedData === undefined ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string, importModule: (specifier: string) => Promise<unknown>) => void;
  const bundleUrl = pathToFileURL(file);
  // Relative specifiers resolve from the bundle, bare ones from this package's node_modules (this
  // module and the bundle are in the same package).
  const importModule = (specifier: string): Promise<unknown> => import(specifier.startsWith('.') ? new URL(specifier, bundleUrl).href : specifier);
  run(module.exports, createRequire(file), module, file, path.dirname(file), importModule);
  let saved = false;
  return {
    exports: module.exports,
    state,
    save() {
      if (saved || cacheFile === undefined) return;
      saved = true;
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      try {
        // A cache taken after a small run (a scan of one file) lacks what a bigger run compiles (the
        // reports, the careful YAML path, --policies): such a run replaces it. Taking the cache costs
        // about 5 ms for a scan's 0.5-0.8 MB; V8 may have flushed functions a long run no longer used,
        // so a cache that is not clearly bigger is kept.
        const data = script.createCachedData();
        if (state === 'used' && data.length < (cachedData?.length ?? 0) * GROWTH_TO_REPLACE) return;
        writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
        renameSync(temporary, cacheFile);
      } catch {
        try {
          unlinkSync(temporary);
        } catch {
          // Nothing was written.
        }
      }
    },
  };
}
