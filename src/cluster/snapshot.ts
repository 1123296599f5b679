/**
 * `rampart snapshot`: what a cluster scan reads, written as a multi-document
 * YAML file that `rampart scan FILE` (or rbac, or any offline command) reads
 * back. Objects are written page by page as they arrive, already sanitized:
 * Secret values are blank, managedFields, status and last-applied copies gone.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import yaml from 'js-yaml';
import type { RampartConfig } from '../config/config.js';
import type { Diagnostic } from '../model/types.js';
import { ClusterError, describe } from './connection.js';
import { openCluster, readDiagnostics, readOptionsOf, type ClusterReadFlags } from './input.js';
import { newReadReport, readResources, type ReadReport } from './read.js';

export interface SnapshotOutcome {
  readonly objects: number;
  readonly report: ReadReport;
  readonly diagnostics: Diagnostic[];
  readonly context: string;
}

/** Writes the snapshot to `output` (a file, or stdout when undefined or `-`). */
export async function writeSnapshot(flags: ClusterReadFlags, config: Pick<RampartConfig, 'podTemplates'>, output: string | undefined, now = new Date()): Promise<SnapshotOutcome> {
  const options = readOptionsOf(flags);
  const { connection, resources } = await openCluster(flags, config);
  const report = newReadReport();
  const toStdout = output === undefined || output === '-';
  const stream: WriteStream | NodeJS.WriteStream = toStdout ? process.stdout : createWriteStream(output, { flags: 'w' });
  let streamError: unknown;
  stream.on('error', (error) => (streamError ??= error));
  const write = async (text: string): Promise<void> => {
    if (streamError !== undefined) throw new ClusterError(`cannot write ${output ?? 'stdout'}: ${describe(streamError)}`);
    if (!stream.write(text)) await once(stream, 'drain');
  };
  await write(
    `# rampart snapshot of context "${connection.context}" (${connection.server}) at ${now.toISOString()}\n` +
      `# ${options.namespace === undefined ? 'all namespaces' : `namespace ${options.namespace} and cluster-scoped objects`}; Secret values redacted; managedFields, status and last-applied annotations dropped.\n`,
  );
  for await (const page of readResources(connection, resources, report, options)) {
    let text = '';
    for (const object of page.objects) text += `---\n${yaml.dump(object, { noRefs: true, lineWidth: -1, sortKeys: false })}`;
    await write(text);
  }
  const diagnostics = readDiagnostics(report, connection.context, output ?? '<stdout>');
  if (diagnostics.length > 0) await write(diagnostics.map((diagnostic) => `# ${diagnostic.severity}: ${diagnostic.message}\n`).join(''));
  if (!toStdout) {
    (stream as WriteStream).end();
    await once(stream, 'finish');
  }
  if (streamError !== undefined) throw new ClusterError(`cannot write ${output ?? 'stdout'}: ${describe(streamError)}`);
  return { objects: report.objects, report, diagnostics, context: connection.context };
}
