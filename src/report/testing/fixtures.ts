/** Builders for reporter tests: findings, diagnostics and scan results with a consistent summary. */
import type { CheckMeta } from '../../checks/types.js';
import { documentationLink } from '../../checks/types.js';
import type { ScanResult } from '../../engine/scan.js';
import type { Diagnostic, Finding, ObjectRef, Severity } from '../../model/types.js';

export interface FindingSpec {
  readonly checkId?: string;
  readonly severity?: Severity;
  readonly title?: string;
  readonly message?: string;
  readonly object?: Partial<ObjectRef>;
  readonly file?: string;
  readonly documentIndex?: number;
  readonly line?: number;
  readonly column?: number;
  readonly container?: string;
  readonly path?: readonly (string | number)[];
}

export function finding(spec: FindingSpec = {}): Finding {
  // `object: { namespace: undefined }` builds a cluster-scoped object; without `object` the namespace is `shop`.
  const namespace = spec.object !== undefined && 'namespace' in spec.object ? spec.object.namespace : 'shop';
  const object: ObjectRef = {
    apiVersion: spec.object?.apiVersion ?? 'apps/v1',
    kind: spec.object?.kind ?? 'Deployment',
    name: spec.object?.name ?? 'api',
    ...(namespace !== undefined ? { namespace } : {}),
  };
  return {
    checkId: spec.checkId ?? 'TEST-privileged',
    severity: spec.severity ?? 'high',
    title: spec.title ?? 'Privileged containers',
    message: spec.message ?? 'container "app" must not set securityContext.privileged=true',
    object,
    location: { file: spec.file ?? 'manifests/api.yaml', documentIndex: spec.documentIndex ?? 0, line: spec.line ?? 10, column: spec.column ?? 5 },
    frameworks: [{ framework: 'PSS', id: 'privileged', level: 'baseline' }],
    ...(spec.container !== undefined ? { container: spec.container } : {}),
    ...(spec.path !== undefined ? { path: spec.path } : {}),
  };
}

export function diagnostic(spec: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', code: 'yaml-syntax', message: 'unexpected end of the stream', file: 'manifests/broken.yaml', line: 3, column: 7, ...spec };
}

/** A scan result whose summary agrees with its findings and diagnostics. */
export function scanResult(findings: readonly Finding[] = [], diagnostics: readonly Diagnostic[] = [], counts: { files?: number; objects?: number } = {}): ScanResult {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const entry of findings) bySeverity[entry.severity]++;
  const files = (): number => new Set([...findings.map((entry) => entry.location.file), ...diagnostics.map((entry) => entry.file)]).size;
  const objects = (): number => new Set(findings.map((entry) => JSON.stringify([entry.location.file, entry.location.documentIndex, entry.object]))).size;
  return {
    findings: [...findings],
    objects: [],
    diagnostics: [...diagnostics],
    summary: {
      files: counts.files ?? files(),
      objects: counts.objects ?? objects(),
      findings: findings.length,
      bySeverity,
      diagnostics: {
        errors: diagnostics.filter((entry) => entry.severity === 'error').length,
        warnings: diagnostics.filter((entry) => entry.severity === 'warning').length,
      },
    },
  };
}

export function meta(spec: Partial<CheckMeta> & { id: string }): CheckMeta {
  return {
    title: `Title of ${spec.id}`,
    severity: 'medium',
    category: 'pod-security',
    description: `What ${spec.id} looks for and why it matters.`,
    remediation: `How to fix what ${spec.id} reports.`,
    frameworks: [{ framework: 'PSS', id: spec.id.toLowerCase(), level: 'baseline' }],
    documentation: documentationLink(spec.id),
    ...spec,
  };
}

export const TOOL = { name: 'rampart', version: '0.1.0-test' } as const;
