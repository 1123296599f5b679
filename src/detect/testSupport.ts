/** Builders of audit events for the detection tests. */
import { parseAuditEvent, type AuditEvent } from './event.js';
import { DetectionEngine, type Alert, type EngineOptions } from './engine.js';
import { buildRuleSet, builtinRuleTexts, type RuleText } from './rules.js';

let counter = 0;

export interface EventSpec {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly extra?: Record<string, string[]>;
  readonly code?: number;
  readonly stage?: string;
  readonly requestObject?: unknown;
  readonly responseObject?: unknown;
  readonly sourceIPs?: readonly string[];
  readonly time?: string;
  readonly auditID?: string;
  readonly decision?: string;
  readonly userAgent?: string;
  readonly apiGroup?: string;
  readonly impersonate?: string;
}

export function rawEvent(spec: EventSpec): Record<string, unknown> {
  counter++;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: spec.auditID ?? `id-${counter}`,
    stage: spec.stage ?? 'ResponseComplete',
    requestURI: `/api/v1/${spec.resource}`,
    verb: spec.verb,
    user: { username: spec.user ?? 'alice', groups: spec.groups ?? ['system:authenticated'], ...(spec.extra !== undefined ? { extra: spec.extra } : {}) },
    ...(spec.impersonate !== undefined ? { impersonatedUser: { username: spec.impersonate } } : {}),
    sourceIPs: spec.sourceIPs ?? ['10.0.0.5'],
    userAgent: spec.userAgent ?? 'kubectl/v1.30.0',
    objectRef: { resource: spec.resource, ...(spec.subresource !== undefined ? { subresource: spec.subresource } : {}), ...(spec.namespace !== undefined ? { namespace: spec.namespace } : {}), ...(spec.name !== undefined ? { name: spec.name } : {}), apiGroup: spec.apiGroup ?? '', apiVersion: 'v1' },
    responseStatus: { code: spec.code ?? 200 },
    ...(spec.requestObject !== undefined ? { requestObject: spec.requestObject } : {}),
    ...(spec.responseObject !== undefined ? { responseObject: spec.responseObject } : {}),
    requestReceivedTimestamp: spec.time ?? '2026-01-01T00:00:00.000Z',
    stageTimestamp: spec.time ?? '2026-01-01T00:00:00.000Z',
    annotations: { 'authorization.k8s.io/decision': spec.decision ?? 'allow', 'authorization.k8s.io/reason': '' },
  };
}

export function event(spec: EventSpec): AuditEvent {
  const result = parseAuditEvent(rawEvent(spec));
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

export function builtinEngine(extra: readonly RuleText[] = [], options: EngineOptions = {}): DetectionEngine {
  return new DetectionEngine(buildRuleSet([...builtinRuleTexts(), ...extra]), options);
}

export function ruleIds(alerts: readonly Alert[]): string[] {
  return alerts.map((alert) => alert.ruleId);
}

export function podSpec(container: Record<string, unknown>, pod: Record<string, unknown> = {}): Record<string, unknown> {
  return { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', ...container }], ...pod };
}

export function deployment(spec: Record<string, unknown>, name = 'web'): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec: { replicas: 1, template: { metadata: { labels: { app: name } }, spec } } };
}

export const HEADER = 'apiVersion: rampart.dev/v1alpha1\nkind: DetectionRules\n';
