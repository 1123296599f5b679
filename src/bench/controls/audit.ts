/**
 * The audit policy, evaluated the way the API server does: the first rule
 * that matches a request decides its level. Used by CIS 3.2.x.
 */
import { isRecord, parseYamlText } from '../yamlText.js';

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export interface AuditRequest {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly verb: string;
}

export type AuditPolicy = { ok: true; rules: Record<string, unknown>[] } | { ok: false; error: string };

export function parseAuditPolicy(text: string): AuditPolicy {
  const parsed = parseYamlText(text);
  if (!parsed.ok) return { ok: false, error: `malformed YAML: ${parsed.error}` };
  const document = parsed.documents[0]?.value;
  if (!isRecord(document) || document.kind !== 'Policy') return { ok: false, error: 'not an audit Policy (kind: Policy)' };
  if (!Array.isArray(document.rules) || document.rules.length === 0) return { ok: false, error: 'the policy has no rules, so nothing is audited' };
  return { ok: true, rules: document.rules.filter(isRecord) };
}

/**
 * The level a request made by an arbitrary user gets. Rules limited to some
 * users, groups or namespaces do not cover every request, so they are skipped:
 * a conservative reading (the level shown is what other users get).
 */
export function auditLevel(rules: readonly Record<string, unknown>[], request: AuditRequest): AuditLevel {
  for (const rule of rules) {
    if (rule.users !== undefined || rule.userGroups !== undefined || rule.namespaces !== undefined || rule.nonResourceURLs !== undefined) continue;
    const verbs = Array.isArray(rule.verbs) ? rule.verbs : undefined;
    if (verbs !== undefined && !verbs.includes(request.verb) && !verbs.includes('*')) continue;
    if (rule.resources !== undefined && !matchesResources(rule.resources, request)) continue;
    const level = typeof rule.level === 'string' && (AUDIT_LEVELS as readonly string[]).includes(rule.level) ? (rule.level as AuditLevel) : 'None';
    return level;
  }
  return 'None';
}

function matchesResources(resources: unknown, request: AuditRequest): boolean {
  if (!Array.isArray(resources)) return false;
  const full = request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
  return resources.some((entry) => {
    if (!isRecord(entry)) return false;
    const group = typeof entry.group === 'string' ? entry.group : '';
    if (group !== request.group && group !== '*') return false;
    const names = Array.isArray(entry.resources) ? entry.resources : undefined;
    if (names === undefined || names.length === 0) return true;
    return names.some((name) => name === '*' || name === full || (name === `${request.resource}/*` && request.subresource !== undefined) || (name === `*/${request.subresource}` && request.subresource !== undefined));
  });
}

export function levelRank(level: AuditLevel): number {
  return AUDIT_LEVELS.indexOf(level);
}
