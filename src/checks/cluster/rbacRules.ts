/** Reading RBAC rules and bindings as written in manifests (no aggregation: see `rampart rbac` for that). */
import type { KubeObject } from '../../model/types.js';
import { list, mapping } from '../common/fields.js';

export interface RuleView {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly index: number;
}

function strings(value: unknown): string[] {
  return list(value).filter((entry): entry is string => typeof entry === 'string');
}

export function rulesOf(object: KubeObject): RuleView[] {
  return list(object.raw.rules).flatMap((entry, index) => {
    const rule = mapping(entry);
    if (rule === undefined) return [];
    return [{ apiGroups: strings(rule.apiGroups), resources: strings(rule.resources), verbs: strings(rule.verbs), index }];
  });
}

/** Whether the rule grants one of `verbs` on `resource` (`pods/exec` style for subresources) in the core group or `group`. */
export function grants(rule: RuleView, group: string, resource: string, verbs: readonly string[]): boolean {
  const groupOk = rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
  const [base] = resource.split('/');
  const resourceOk = rule.resources.includes('*') || rule.resources.includes(resource) || (resource.includes('/') && rule.resources.includes(`${base}/*`));
  const verbOk = rule.verbs.includes('*') || verbs.some((verb) => rule.verbs.includes(verb));
  return groupOk && resourceOk && verbOk;
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const ROLE_KINDS = ['Role', 'ClusterRole'] as const;
export const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'] as const;

export interface SubjectView {
  readonly kind: string;
  readonly name: string;
  readonly index: number;
}

export function subjectsOf(object: KubeObject): SubjectView[] {
  return list(object.raw.subjects).flatMap((entry, index) => {
    const subject = mapping(entry);
    if (subject === undefined || typeof subject.kind !== 'string' || typeof subject.name !== 'string') return [];
    return [{ kind: subject.kind, name: subject.name, index }];
  });
}

export function roleRefOf(object: KubeObject): { kind: string; name: string } | undefined {
  const ref = mapping(object.raw.roleRef);
  return typeof ref?.kind === 'string' && typeof ref.name === 'string' ? { kind: ref.kind, name: ref.name } : undefined;
}
