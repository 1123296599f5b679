/** `rampart scan --cluster`: the cluster as the input of the ordinary scan (src/cli/scan.ts runs the same Scanner). */
import type { RampartConfig } from '../config/config.js';
import { clusterInput, type ClusterBatch, type ClusterReadFlags } from './input.js';
import { SourceMap } from './sourceMap.js';

export { orderClusterResult } from './order.js';
export type { ClusterBatch } from './input.js';

export async function clusterScanInput(flags: ClusterReadFlags & { sourceMap?: string }, config: Pick<RampartConfig, 'podTemplates' | 'limits'>): Promise<AsyncIterable<ClusterBatch>> {
  const sourceMap = flags.sourceMap === undefined ? undefined : await SourceMap.load([flags.sourceMap], config.limits);
  const input = await clusterInput(flags, config, sourceMap);
  async function* withSourceMapDiagnostics(): AsyncGenerator<ClusterBatch> {
    if (sourceMap !== undefined && sourceMap.diagnostics.length > 0) yield { file: input.file, objects: [], diagnostics: sourceMap.diagnostics };
    yield* input.batches;
  }
  return withSourceMapDiagnostics();
}
