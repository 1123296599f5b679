/**
 * Builds the policy set from loaded objects and runs CREATE of each resource
 * through it. Configuration problems Kubernetes would accept silently (a
 * binding to a policy that does not exist) are reported as notes.
 */
import type { Diagnostic, KubeObject } from '../../model/types.js';
import type { KubernetesVersion } from '../environment.js';
import { DEFAULT_USER, evaluateChange, evaluateCreate, evaluateReview, isAdmissionReview, type PolicySet, type RequestOutcome, type UserInfo } from './evaluate.js';
import { locate } from '../../model/types.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './model.js';
import { isBinding, isPolicy, parseBinding, parsePolicy } from './parse.js';
import { ResourceCatalogue } from './resources.js';
import { buildRbacPolicy } from '../../rbac/policy.js';

export interface PolicyInput {
  /** Objects from --policies: policies, bindings, params, CRDs. */
  readonly policyObjects: readonly KubeObject[];
  /** Objects from --resources: the objects to CREATE. Namespaces among them also count as namespaces. */
  readonly resources: readonly KubeObject[];
  /** Objects from --namespaces. */
  readonly namespaceObjects: readonly KubeObject[];
  /**
   * Objects from --old: the stored versions. A resource with an old version of the same
   * kind, namespace and name is an UPDATE from it; an old version with no resource is a DELETE.
   */
  readonly oldResources?: readonly KubeObject[];
  readonly version: KubernetesVersion;
  /** The requesting user; default: kubernetes-admin for manifests, the review's userInfo for AdmissionReviews. */
  readonly user?: UserInfo;
}

export interface PolicyTestResult {
  readonly version: KubernetesVersion;
  readonly user: UserInfo;
  readonly policies: readonly string[];
  readonly bindings: readonly string[];
  readonly requests: readonly RequestOutcome[];
  /** Binding-level configuration notes: bindings to missing policies and the like. */
  readonly notes: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

function isCrd(object: KubeObject): boolean {
  return object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/');
}

export function buildPolicySet(input: PolicyInput): { set: PolicySet; notes: string[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const policies = new Map<string, ValidatingAdmissionPolicy>();
  const bindings: ValidatingAdmissionPolicyBinding[] = [];
  const catalogue = new ResourceCatalogue();
  const namespaces = new Map<string, KubeObject>();
  for (const object of [...input.policyObjects, ...input.resources, ...input.namespaceObjects]) {
    if (isCrd(object)) catalogue.addCustomResourceDefinition(object);
  }
  for (const object of [...input.namespaceObjects, ...input.resources]) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') namespaces.set(object.name, object);
  }
  for (const object of input.policyObjects) {
    if (isPolicy(object)) {
      const parsed = parsePolicy(object, input.version);
      diagnostics.push(...parsed.diagnostics);
      if (policies.has(object.name)) notes.push(`ValidatingAdmissionPolicy ${object.name} is defined twice; the later definition is used`);
      policies.set(object.name, parsed.policy);
      if (parsed.policy.matchConstraints === undefined) notes.push(`ValidatingAdmissionPolicy ${object.name} has no spec.matchConstraints, so it matches no request (Kubernetes requires the field)`);
    } else if (isBinding(object)) {
      const parsed = parseBinding(object);
      diagnostics.push(...parsed.diagnostics);
      bindings.push(parsed.binding);
    }
  }
  for (const binding of bindings) {
    if (!policies.has(binding.policyName)) {
      notes.push(`ValidatingAdmissionPolicyBinding ${binding.name} refers to ValidatingAdmissionPolicy ${binding.policyName}, which is not in the input; Kubernetes ignores such a binding, so it admits every request`);
    }
    const policy = policies.get(binding.policyName);
    if (policy !== undefined && policy.paramKind === undefined && binding.paramRef !== undefined) {
      notes.push(`ValidatingAdmissionPolicyBinding ${binding.name} has a paramRef but policy ${policy.name} has no paramKind; the paramRef is not used`);
    }
  }
  return {
    set: {
      policies,
      bindings,
      paramCandidates: input.policyObjects.filter((object) => !isPolicy(object) && !isBinding(object)),
      namespaces,
      catalogue,
      rbac: buildRbacPolicy([...input.policyObjects, ...input.resources, ...input.namespaceObjects].filter((object) => object.apiVersion.startsWith('rbac.authorization.k8s.io/'))),
    },
    notes,
    diagnostics,
  };
}

export function testPolicies(input: PolicyInput): PolicyTestResult {
  const user = input.user ?? DEFAULT_USER;
  const { set, notes, diagnostics } = buildPolicySet(input);
  const requests: RequestOutcome[] = [];
  const olds = new Map<string, KubeObject>();
  for (const object of input.oldResources ?? []) {
    if (!isPolicy(object) && !isBinding(object) && !isAdmissionReview(object)) olds.set(changeKey(object), object);
  }
  for (const object of input.resources) {
    if (isPolicy(object) || isBinding(object)) continue;
    if (!isAdmissionReview(object)) {
      const old = olds.get(changeKey(object));
      olds.delete(changeKey(object));
      requests.push(old === undefined ? evaluateCreate(object, set, user) : evaluateChange(old, object, set, user));
      continue;
    }
    const outcome = evaluateReview(object, set, input.user);
    if (typeof outcome !== 'string') requests.push(outcome);
    else {
      const location = locate(object, ['request']);
      diagnostics.push({ severity: 'error', code: 'admission-review-invalid', message: `AdmissionReview ${object.name}: ${outcome}; skipped`, file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column });
    }
  }
  for (const old of olds.values()) requests.push(evaluateChange(old, undefined, set, user));
  return { version: input.version, user, policies: [...set.policies.keys()], bindings: set.bindings.map((binding) => binding.name), requests, notes, diagnostics };
}

/** An old and a new manifest are one object when group, kind, namespace and name agree (the version may differ). */
function changeKey(object: KubeObject): string {
  const slash = object.apiVersion.indexOf('/');
  return JSON.stringify([slash === -1 ? '' : object.apiVersion.slice(0, slash), object.kind, object.namespace ?? '', object.name]);
}
