/** Paths used by tests and corpus scripts, resolved from the compiled file's location (dist/testing/). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared, read-only corpora beside the repository (see ../shared/corpora/README.md). */
export const CORPORA = process.env.RAMPART_CORPORA ?? path.resolve(REPO_ROOT, '..', 'shared', 'corpora');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
export const CLI = path.join(REPO_ROOT, 'bin', 'rampart.js');
