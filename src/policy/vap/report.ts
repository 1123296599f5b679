/** `rampart policy test` output: a terminal table grouped by object, and JSON. */
import type { Diagnostic } from '../../model/types.js';
import { formatVersion } from '../environment.js';
import type { RequestOutcome } from './evaluate.js';
import type { ExpectationResult } from './expectations.js';
import type { PolicyTestResult } from './index.js';

function objectName(request: RequestOutcome): string {
  const { object } = request;
  const namespace = object.namespace ?? (request.resource.namespaced ? 'default' : undefined);
  return `${object.apiVersion}/${object.kind} ${namespace !== undefined ? `${namespace}/` : ''}${object.name}`;
}

function diagnosticLine(diagnostic: Diagnostic): string {
  const where = diagnostic.line !== undefined ? `${diagnostic.file}:${diagnostic.line}:${diagnostic.column ?? 1}` : diagnostic.file;
  return `${diagnostic.severity}: ${where}: ${diagnostic.message}`;
}

export function renderPolicyTable(result: PolicyTestResult): string {
  const lines: string[] = [];
  lines.push(
    `Kubernetes ${formatVersion(result.version)} CEL environment${result.version.requested !== formatVersion(result.version) ? ` (requested ${result.version.requested})` : ''}; ` +
      `user ${result.user.username} (groups ${result.user.groups.join(', ') || 'none'}); ${result.policies.length} policies, ${result.bindings.length} bindings`,
  );
  for (const diagnostic of result.diagnostics) lines.push(diagnosticLine(diagnostic));
  for (const note of result.notes) lines.push(`note: ${note}`);
  lines.push('');
  for (const request of result.requests) {
    const verdict = request.allowed ? 'ADMITTED' : 'DENIED';
    lines.push(`${request.operation} ${objectName(request)} (${request.location.file}:${request.location.line})  ${verdict}${request.bindings.length === 0 ? ' (no binding matches)' : ''}`);
    for (const binding of request.bindings) {
      lines.push(`  [${binding.decision === 'deny' ? 'DENY' : 'ADMIT'}] ${binding.policy} / ${binding.binding}  actions ${binding.validationActions.join(', ')}${binding.params.length > 0 ? `  params ${binding.params.join(', ')}` : ''}`);
      for (const denial of binding.denials) lines.push(`      deny: ${denial}`);
      for (const warning of binding.warnings) lines.push(`      warning: ${warning}`);
      for (const [key, value] of Object.entries(binding.auditAnnotations)) lines.push(`      audit: ${key}=${value}`);
      for (const note of binding.notes) lines.push(`      note: ${note}`);
    }
  }
  const denied = result.requests.filter((request) => !request.allowed).length;
  lines.push('');
  lines.push(`${result.requests.length} requests: ${result.requests.length - denied} admitted, ${denied} denied`);
  return `${lines.join('\n')}\n`;
}

export function renderPolicyJson(result: PolicyTestResult, expectations?: readonly ExpectationResult[]): string {
  return `${JSON.stringify(
    {
      kubernetesVersion: formatVersion(result.version),
      requestedKubernetesVersion: result.version.requested,
      user: result.user,
      policies: result.policies,
      bindings: result.bindings,
      notes: result.notes,
      diagnostics: result.diagnostics,
      requests: result.requests.map((request) => ({
        operation: request.operation,
        object: request.object,
        location: request.location,
        resource: { group: request.resource.group, version: request.resource.version, resource: request.resource.resource, namespaced: request.resource.namespaced },
        allowed: request.allowed,
        bindings: request.bindings,
      })),
      summary: { requests: result.requests.length, denied: result.requests.filter((request) => !request.allowed).length },
      ...(expectations !== undefined
        ? { expectations: expectations.map((entry) => ({ name: entry.expectation.name, source: entry.expectation.source, passed: entry.passed, failures: entry.failures })) }
        : {}),
    },
    null,
    2,
  )}\n`;
}
