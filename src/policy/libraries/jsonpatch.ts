/**
 * Kubernetes JSONPatch library: `jsonpatch.escapeKey`, for building JSON
 * Patch paths from keys that contain `/` or `~` (RFC 6901). Kubernetes adds it
 * in 1.32 with MutatingAdmissionPolicy's environment; Rampart offers it from
 * 1.32 in every environment.
 */
import { celFunc, CelScalar } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';

export const jsonPatchLibrary: CelLibrary = {
  name: 'Kubernetes JSONPatch',
  introducedIn: 32,
  functions: [celFunc('jsonpatch.escapeKey', [CelScalar.STRING], CelScalar.STRING, (key) => key.replace(/~/g, '~0').replace(/\//g, '~1'))],
};
