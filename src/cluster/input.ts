/**
 * A live cluster as scan input: discovery, paged lists, and objects turned
 * into `KubeObject`s with cluster provenance (or, with a source map, the
 * provenance of the manifest that produced them), in the same `FileBatch`
 * shape the file loader yields, so the same Scanner judges them.
 */
import type { RampartConfig } from '../config/config.js';
import type { FileBatch } from '../load/load.js';
import { BUILTIN_POD_TEMPLATE_LOCATIONS, DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS } from '../model/podTemplates.js';
import { isJsonObject, type Diagnostic, type JsonObject, type KubeObject, type ObjectSource, type PositionIndex } from '../model/types.js';
import { ClusterConnection, ClusterError, type ClusterOptions } from './connection.js';
import { discoverResources, type ClusterResource } from './discovery.js';
import { newReadReport, readInNamespaceOrder, type ReadOptions, type ReadReport } from './read.js';
import type { SourceMap } from './sourceMap.js';

export interface ClusterReadFlags extends ClusterOptions {
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly pageSize?: number;
  readonly concurrency?: number;
}

/**
 * A batch of the cluster input. `completeNamespaces` follows the last object
 * of those namespaces: the scan may judge them and let their objects go
 * (Scanner.finishNamespace).
 */
export interface ClusterBatch extends FileBatch {
  readonly completeNamespaces?: readonly string[];
}

/** Objects read from a cluster have no file and line: every field "is" at the object. */
const AT_OBJECT: PositionIndex = { locate: () => ({ line: 1, column: 1, exact: false }) };

export interface ClusterInput {
  readonly connection: ClusterConnection;
  readonly resources: readonly ClusterResource[];
  readonly report: ReadReport;
  /** The file name findings of unmapped objects carry: `cluster/<context>`. */
  readonly file: string;
  /** Pages of objects namespace by namespace (cluster-scoped first), each namespace marked complete after its last object, then one batch with the read's diagnostics. */
  readonly batches: AsyncIterable<ClusterBatch>;
}

export function readOptionsOf(flags: ClusterReadFlags): ReadOptions {
  if (flags.namespace !== undefined && flags.allNamespaces === true) throw new ClusterError('give either -n/--namespace or -A/--all-namespaces, not both');
  return { namespace: flags.namespace, pageSize: flags.pageSize, concurrency: flags.concurrency };
}

/** Connects (failing fast on a bad config, an unreachable server or refused credentials) and discovers what to read. */
export async function openCluster(flags: ClusterReadFlags, config: Pick<RampartConfig, 'podTemplates'>): Promise<{ connection: ClusterConnection; resources: ClusterResource[] }> {
  const connection = await ClusterConnection.open(flags);
  const resources = await discoverResources(connection, [...BUILTIN_POD_TEMPLATE_LOCATIONS, ...DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS, ...config.podTemplates]);
  return { connection, resources };
}

export async function clusterInput(flags: ClusterReadFlags, config: Pick<RampartConfig, 'podTemplates'>, sourceMap?: SourceMap): Promise<ClusterInput> {
  const options = readOptionsOf(flags);
  const { connection, resources } = await openCluster(flags, config);
  const report = newReadReport();
  const file = `cluster/${connection.context}`;
  async function* batches(): AsyncGenerator<ClusterBatch> {
    for await (const read of readInNamespaceOrder(connection, resources, report, options)) {
      if ('complete' in read) yield { file, objects: [], diagnostics: [], completeNamespaces: [read.complete] };
      else yield { file, objects: read.objects.map((raw) => toKubeObject(raw, file, sourceMap)), diagnostics: [] };
    }
    yield { file, objects: [], diagnostics: readDiagnostics(report, connection.context, file) };
  }
  return { connection, resources, report, file, batches: batches() };
}

export function toKubeObject(raw: JsonObject, file: string, sourceMap?: SourceMap): KubeObject {
  const metadata = isJsonObject(raw.metadata) ? raw.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  const apiVersion = String(raw.apiVersion);
  const kind = String(raw.kind);
  const mapped = sourceMap?.find(apiVersion, kind, namespace, name);
  const source: ObjectSource = mapped ?? { file, documentIndex: 0, pathInDocument: [], positions: AT_OBJECT };
  return { apiVersion, kind, name, namespace, raw, source };
}

/** One warning naming every type the credentials may not read (the scan is partial), one error per type that failed otherwise. */
export function readDiagnostics(report: ReadReport, context: string, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (report.forbidden.length > 0) {
    const types = [...report.forbidden].sort();
    diagnostics.push({
      severity: 'warning',
      code: 'cluster-partial',
      message: `partial scan: the credentials of context "${context}" may not list ${types.join(', ')} (403 Forbidden); ${types.length === 1 ? 'that type was' : 'those types were'} skipped and the rest scanned`,
      file,
    });
  }
  for (const failure of report.failed) {
    diagnostics.push({ severity: 'error', code: 'cluster-read-failed', message: `could not list ${failure.resource} on context "${context}": ${failure.reason}`, file });
  }
  return diagnostics;
}
