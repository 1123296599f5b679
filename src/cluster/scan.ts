/** `rampart scan --cluster`: the cluster as the input of the ordinary scan (src/cli/scan.ts runs the same Scanner). */
import type { RampartConfig } from '../config/config.js';
import type { FileBatch } from '../load/load.js';
import { clusterInput, type ClusterReadFlags } from './input.js';
import { SourceMap } from './sourceMap.js';

export { orderClusterResult } from './order.js';

export async function clusterScanInput(flags: ClusterReadFlags & { sourceMap?: string }, config: Pick<RampartConfig, 'podTemplates' | 'limits'>): Promise<AsyncIterable<FileBatch>> {
  const sourceMap = flags.sourceMap === undefined ? undefined : await SourceMap.load([flags.sourceMap], config.limits);
  const input = await clusterInput(flags, config, sourceMap);
  async function* withSourceMapDiagnostics(): AsyncGenerator<FileBatch> {
    if (sourceMap !== undefined && sourceMap.diagnostics.length > 0) yield { file: input.file, objects: [], diagnostics: sourceMap.diagnostics };
    yield* input.batches;
  }
  return withSourceMapDiagnostics();
}
