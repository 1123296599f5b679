/**
 * Kubernetes regex library (1.0+): `find`, `findAll`. Patterns run on re2js,
 * a linear-time RE2 engine, so no pattern can make matching super-linear
 * (design principle 6). Compiled patterns are cached: policies reuse a few
 * literal patterns over and over.
 */
import { celMethod, CelScalar, listType } from '@bufbuild/cel';
import { RE2JS } from 're2js';
import { charge } from '../cost.js';
import type { CelLibrary } from '../library.js';

const { STRING, INT } = CelScalar;
const CACHE_LIMIT = 256;
const cache = new Map<string, RE2JS>();

/** Compiles with RE2 syntax; a bad pattern is a CEL error naming the pattern. */
export function compileRegex(pattern: string): RE2JS {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function findAll(text: string, pattern: string, limit: number): string[] {
  const found: string[] = [];
  if (limit === 0) return found;
  const matcher = compileRegex(pattern).matcher(text);
  while (matcher.find()) {
    found.push(matcher.group() ?? '');
    if (limit > 0 && found.length >= limit) break;
  }
  return found;
}

export const regexLibrary: CelLibrary = {
  name: 'Kubernetes regex',
  introducedIn: 0,
  functions: [
    celMethod('matches', STRING, [STRING], CelScalar.BOOL, function (pattern) {
      charge(this.length / 10);
      return compileRegex(pattern).matcher(this).find();
    }),
    celMethod('find', STRING, [STRING], STRING, function (pattern) {
      charge(this.length / 10);
      const matcher = compileRegex(pattern).matcher(this);
      return matcher.find() ? (matcher.group() ?? '') : '';
    }),
    celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
      charge(this.length / 10);
      return findAll(this, pattern, -1);
    }),
    celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, limit) {
      charge(this.length / 10);
      return findAll(this, pattern, Number(limit));
    }),
  ],
};
