/**
 * `rampart admission lint`: webhook configurations judged by the scanner's
 * webhook checks (fail-open, kube-system, own namespace, long timeouts) plus
 * one only the linter needs: sideEffects that are missing or not None/NoneOnDryRun
 * (the API server then refuses dry-run requests and cannot reason about retries).
 */
import { webhookFailOpen } from '../checks/cluster/webhookFailOpen.js';
import { webhookKubeSystem } from '../checks/cluster/webhookKubeSystem.js';
import { webhookOwnNamespace } from '../checks/cluster/webhookOwnNamespace.js';
import { ADMISSION_GROUP, WEBHOOK_KINDS } from '../checks/cluster/webhooks.js';
import { webhookTimeout } from '../checks/cluster/webhookTimeout.js';
import { list, mapping } from '../checks/common/fields.js';
import { documentationLink, type Check } from '../checks/types.js';
import { Scanner } from '../engine/scan.js';
import type { ClusterOptions } from '../cluster/connection.js';
import type { FileBatch } from '../load/load.js';
import { loadFiles } from '../load/load.js';
import type { Diagnostic, Finding } from '../model/types.js';

const SAFE_SIDE_EFFECTS = new Set(['None', 'NoneOnDryRun']);

export const webhookSideEffects: Check = {
  meta: {
    id: 'webhook-side-effects-unsafe',
    title: 'Admission webhook side effects missing or unsafe',
    severity: 'medium',
    category: 'cluster',
    description:
      'A webhook whose sideEffects is missing (v1beta1 defaults to Unknown), Unknown or Some makes every dry-run request that it matches fail, so `kubectl apply --dry-run=server`, `kubectl diff` and policy tooling break, and its effects are not rolled back when a later admission step rejects the request.',
    remediation: 'Set sideEffects: None (or NoneOnDryRun when the webhook writes elsewhere only outside dry runs).',
    frameworks: [],
    documentation: documentationLink('webhook-side-effects-unsafe'),
  },
  appliesTo: (object) => (WEBHOOK_KINDS as readonly string[]).includes(object.kind) && object.apiVersion.startsWith(`${ADMISSION_GROUP}/`),
  run: ({ object }) =>
    list(object.raw.webhooks).flatMap((entry, index) => {
      const webhook = mapping(entry);
      if (webhook === undefined) return [];
      const name = typeof webhook.name === 'string' ? webhook.name : `webhooks[${index}]`;
      const sideEffects = webhook.sideEffects;
      if (typeof sideEffects === 'string' && SAFE_SIDE_EFFECTS.has(sideEffects)) return [];
      const what = typeof sideEffects === 'string' ? `sideEffects ${sideEffects}` : 'no sideEffects';
      return [{ message: `webhook ${name} declares ${what}; dry-run requests it matches are rejected`, path: typeof sideEffects === 'string' ? ['webhooks', index, 'sideEffects'] : ['webhooks', index] }];
    }),
};

export const LINT_CHECKS: readonly Check[] = [webhookFailOpen, webhookKubeSystem, webhookOwnNamespace, webhookTimeout, webhookSideEffects];

export interface LintResult {
  readonly problems: readonly Finding[];
  readonly diagnostics: readonly Diagnostic[];
  readonly webhookConfigurations: number;
}

export async function lintWebhookFiles(paths: readonly string[]): Promise<LintResult> {
  return lintWebhookBatches(loadFiles(paths));
}

/**
 * The webhook configurations of a live cluster (the kubeconfig context or
 * in-cluster credentials), judged exactly as files are. Both kinds must be
 * readable: a 403 is an error, since a lint that saw nothing proves nothing.
 */
export async function lintWebhookCluster(options: ClusterOptions): Promise<LintResult & { context: string }> {
  const { ClusterConnection } = await import('../cluster/connection.js');
  const { readResources, newReadReport } = await import('../cluster/read.js');
  const { toKubeObject } = await import('../cluster/input.js');
  const connection = await ClusterConnection.open(options);
  const resources = WEBHOOK_KINDS.map((kind) => ({ group: ADMISSION_GROUP, version: 'v1', kind, plural: `${kind.toLowerCase()}s`, namespaced: false }));
  const report = newReadReport();
  const file = `cluster/${connection.context}`;
  async function* batches(): AsyncGenerator<FileBatch> {
    for await (const page of readResources(connection, resources, report)) yield { file, objects: page.objects.map((raw) => toKubeObject(raw, file)), diagnostics: [] };
    const diagnostics: Diagnostic[] = [];
    for (const name of report.forbidden) {
      diagnostics.push({ severity: 'error', code: 'cluster-forbidden', message: `the credentials of context "${connection.context}" may not list ${name} (403 Forbidden); nothing of that kind was linted`, file });
    }
    for (const failure of report.failed) diagnostics.push({ severity: 'error', code: 'cluster-read-failed', message: `could not list ${failure.resource} on context "${connection.context}": ${failure.reason}`, file });
    yield { file, objects: [], diagnostics };
  }
  try {
    return { ...(await lintWebhookBatches(batches())), context: connection.context };
  } finally {
    connection.close();
  }
}

async function lintWebhookBatches(batches: AsyncIterable<FileBatch>): Promise<LintResult> {
  const scanner = new Scanner({ checks: LINT_CHECKS });
  let webhookConfigurations = 0;
  for await (const batch of batches) {
    scanner.addDiagnostics(batch.diagnostics);
    for (const object of batch.objects) {
      if ((WEBHOOK_KINDS as readonly string[]).includes(object.kind)) webhookConfigurations++;
      scanner.add(object);
    }
  }
  const result = scanner.finish();
  // Unknown kinds are expected here (the input may hold anything); only real input problems are kept.
  return { problems: result.findings, diagnostics: result.diagnostics.filter((diagnostic) => diagnostic.code !== 'unknown-kind'), webhookConfigurations };
}

export function renderLint(result: LintResult, format: 'table' | 'json'): string {
  if (format === 'json') return `${JSON.stringify({ webhookConfigurations: result.webhookConfigurations, problems: result.problems, diagnostics: result.diagnostics }, null, 2)}\n`;
  const lines = result.problems.map(
    (problem) => `${problem.location.file}:${problem.location.line}  ${problem.severity.padEnd(8)} ${problem.checkId.padEnd(34)} ${problem.object.kind}/${problem.object.name}: ${problem.message}`,
  );
  for (const diagnostic of result.diagnostics) lines.push(`${diagnostic.file}:${diagnostic.line ?? 1}  ${diagnostic.severity.padEnd(8)} ${diagnostic.code}: ${diagnostic.message}`);
  lines.push(`${result.webhookConfigurations} webhook configuration(s), ${result.problems.length} problem(s)`);
  return `${lines.join('\n')}\n`;
}
