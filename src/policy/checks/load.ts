/** Reads CelCheck files for `rampart scan --policies`. */
import { loadFiles } from '../../load/load.js';
import type { Diagnostic, KubeObject } from '../../model/types.js';
import type { InputLimits } from '../../load/limits.js';
import { celChecksFrom, type LoadedCelChecks } from './celChecks.js';

export async function loadCelChecks(paths: readonly string[], limits?: InputLimits): Promise<LoadedCelChecks> {
  if (paths.length === 0) return { checks: [], diagnostics: [] };
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for await (const batch of loadFiles(paths, limits)) {
    objects.push(...batch.objects);
    diagnostics.push(...batch.diagnostics);
  }
  const loaded = celChecksFrom(objects);
  return { checks: loaded.checks, diagnostics: [...diagnostics, ...loaded.diagnostics] };
}
