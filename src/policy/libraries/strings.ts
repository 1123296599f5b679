/**
 * CEL strings extension as Kubernetes pins it: version 0 up to 1.28, version
 * 2 from 1.29 (adds `format`, `strings.quote` and `join`'s versioned
 * behaviour). The functions are @bufbuild/cel's; what changes per version is
 * which names exist.
 */
import { strings } from '@bufbuild/cel/ext';
import type { CelLibrary } from '../library.js';

const VERSION_0_NAMES = new Set(['charAt', 'indexOf', 'join', 'lastIndexOf', 'lowerAscii', 'replace', 'split', 'substring', 'trim', 'upperAscii']);

export const stringsV0Library: CelLibrary = {
  name: 'CEL strings extension (version 0)',
  introducedIn: 0,
  removedIn: 29,
  functions: strings.filter((fn) => VERSION_0_NAMES.has(fn.name)),
};

export const stringsV2Library: CelLibrary = {
  name: 'CEL strings extension (version 2)',
  introducedIn: 29,
  functions: strings,
};
