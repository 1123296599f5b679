/**
 * ValidatingAdmissionPolicies (and their bindings and params) enforced by the
 * webhook with the evaluator `rampart policy test` uses, so a policy behaves
 * here as it does offline and as the API server's own plugin would run it.
 * Loaded once at start (`--vap PATH`); each request is evaluated as the
 * AdmissionReview it is, with the namespace's labels from the namespace source.
 */
import { loadFiles } from '../load/load.js';
import type { InputLimits } from '../load/limits.js';
import type { Diagnostic, KubeObject } from '../model/types.js';
import { parseKubernetesVersion } from '../policy/environment.js';
import { evaluateReview, type PolicySet } from '../policy/vap/evaluate.js';
import { buildPolicySet } from '../policy/vap/index.js';
import type { AdmissionRequest } from './review.js';

export interface VapPolicies {
  readonly set: PolicySet;
  readonly policies: number;
  readonly bindings: number;
}

export async function loadVapPolicies(paths: readonly string[], limits: InputLimits): Promise<{ policies: VapPolicies; diagnostics: Diagnostic[]; notes: string[] }> {
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for await (const batch of loadFiles(paths, limits)) {
    diagnostics.push(...batch.diagnostics);
    objects.push(...batch.objects);
  }
  const version = parseKubernetesVersion('latest');
  if (version === undefined) throw new Error('no latest Kubernetes version');
  const built = buildPolicySet({ policyObjects: objects, resources: [], namespaceObjects: [], version });
  diagnostics.push(...built.diagnostics);
  return { policies: { set: built.set, policies: built.set.policies.size, bindings: built.set.bindings.length }, diagnostics, notes: built.notes };
}

export interface VapVerdict {
  readonly denials: ReadonlyArray<{ readonly policy: string; readonly message: string }>;
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
  /** A request the evaluator could not use (it then admits). */
  readonly problem?: string;
}

const NO_POSITIONS = { locate: () => ({ line: 1, column: 1, exact: false }) };

export function evaluateVap(policies: VapPolicies, request: AdmissionRequest, namespaceLabels: Readonly<Record<string, string>> | undefined): VapVerdict {
  const review: KubeObject = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    name: request.uid,
    namespace: request.namespace,
    raw: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...request } as unknown as Record<string, unknown> },
    source: { file: '<admission request>', documentIndex: 0, pathInDocument: [], positions: NO_POSITIONS },
  };
  // The namespace's labels come from the namespace source, as matchResources.namespaceSelector needs them.
  const namespaces = new Map<string, KubeObject>();
  if (request.namespace !== undefined) {
    namespaces.set(request.namespace, { ...review, apiVersion: 'v1', kind: 'Namespace', name: request.namespace, namespace: undefined, raw: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: request.namespace, labels: { ...(namespaceLabels ?? {}) } } } });
  }
  const outcome = evaluateReview(review, { ...policies.set, namespaces }, undefined);
  if (typeof outcome === 'string') return { denials: [], warnings: [], auditAnnotations: {}, problem: outcome };
  const denials: Array<{ policy: string; message: string }> = [];
  const warnings: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  for (const binding of outcome.bindings) {
    if (binding.decision === 'deny') for (const message of binding.denials) denials.push({ policy: binding.policy, message });
    for (const warning of binding.warnings) warnings.push(`[ValidatingAdmissionPolicy ${binding.policy}] ${warning}`);
    for (const [key, value] of Object.entries(binding.auditAnnotations)) auditAnnotations[`vap.${binding.policy}.${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 63)] = value;
  }
  return { denials, warnings, auditAnnotations };
}
