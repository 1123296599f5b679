/**
 * The questions: can this user do this (`authorize`), who can do this
 * (`whoCan`), and what can this user do (`permissionsOf`). All three walk the
 * same bindings the same way the Kubernetes RBAC authorizer does:
 * ClusterRoleBindings always, RoleBindings only of the request's namespace
 * (so a request without a namespace — cluster-scoped resources, non-resource
 * URLs, or a question across all namespaces — is answered by
 * ClusterRoleBindings alone), and `system:masters` before RBAC.
 */
import { subjectMatchesUser } from './identity.js';
import { SYSTEM_MASTERS, type AuthorizationRequest, type BindingEntry, type RoleEntry, type SourcedRule, type Subject, type UserInfo } from './model.js';
import type { RbacPolicy } from './policy.js';
import { ruleAllows } from './rules.js';

/** One path to a permission: the binding, the subject in it that matched, the role and the rule. */
export interface Grant {
  readonly binding: BindingEntry;
  readonly subject: Subject;
  readonly role: RoleEntry;
  readonly rule: SourcedRule;
}

export interface Decision {
  readonly allowed: boolean;
  /** Allowed because the user is in `system:masters`, which the API server lets through before RBAC. */
  readonly systemMasters: boolean;
  /** Every rule that allows the request (empty when denied). */
  readonly grants: readonly Grant[];
  /**
   * Bindings that name the user but whose role is not in the input. When the
   * answer is no, one of them might have said yes.
   */
  readonly unresolvedBindings: readonly BindingEntry[];
}

/** The bindings the authorizer consults for a request in `namespace` ('' = none). */
export function bindingsInScope(policy: RbacPolicy, namespace: string): BindingEntry[] {
  const roleBindings = namespace === '' ? [] : (policy.roleBindingsByNamespace.get(namespace) ?? []);
  return [...policy.clusterRoleBindings, ...roleBindings];
}

function requestNamespace(request: AuthorizationRequest): string {
  return request.kind === 'resource' ? request.namespace : '';
}

export function authorize(policy: RbacPolicy, user: UserInfo, request: AuthorizationRequest): Decision {
  const systemMasters = user.groups.includes(SYSTEM_MASTERS);
  const grants: Grant[] = [];
  const unresolvedBindings: BindingEntry[] = [];
  for (const binding of bindingsInScope(policy, requestNamespace(request))) {
    // The authorizer credits a binding to the first of its subjects that names the user.
    const subject = binding.subjects.find((candidate) => subjectMatchesUser(candidate, user));
    if (subject === undefined) continue;
    const role = policy.roleFor(binding);
    if (role === undefined) {
      unresolvedBindings.push(binding);
      continue;
    }
    for (const rule of role.rules) {
      if (ruleAllows(rule.rule, request)) grants.push({ binding, subject, role, rule });
    }
  }
  return { allowed: systemMasters || grants.length > 0, systemMasters, grants, unresolvedBindings };
}

export interface WhoCanEntry {
  readonly subject: Subject;
  /** True for the `system:masters` group, allowed before RBAC whatever the bindings say. */
  readonly systemMasters: boolean;
  readonly grants: readonly Grant[];
}

export interface WhoCanResult {
  readonly entries: readonly WhoCanEntry[];
  /** Bindings in scope whose role is not in the input: their subjects might also be able to. */
  readonly unresolvedBindings: readonly BindingEntry[];
}

export function subjectKey(subject: Pick<Subject, 'kind' | 'name' | 'namespace'>): string {
  return `${subject.kind}/${subject.namespace ?? ''}/${subject.name}`;
}

const SUBJECT_ORDER: Record<Subject['kind'], number> = { Group: 0, User: 1, ServiceAccount: 2 };

export function whoCan(policy: RbacPolicy, request: AuthorizationRequest): WhoCanResult {
  const bySubject = new Map<string, { subject: Subject; grants: Grant[] }>();
  const unresolvedBindings: BindingEntry[] = [];
  for (const binding of bindingsInScope(policy, requestNamespace(request))) {
    if (binding.subjects.length === 0) continue;
    const role = policy.roleFor(binding);
    if (role === undefined) {
      unresolvedBindings.push(binding);
      continue;
    }
    const allowing = role.rules.filter((rule) => ruleAllows(rule.rule, request));
    if (allowing.length === 0) continue;
    for (const subject of binding.subjects) {
      const key = subjectKey(subject);
      let entry = bySubject.get(key);
      if (entry === undefined) {
        entry = { subject, grants: [] };
        bySubject.set(key, entry);
      }
      for (const rule of allowing) entry.grants.push({ binding, subject, role, rule });
    }
  }
  const mastersKey = subjectKey({ kind: 'Group', name: SYSTEM_MASTERS, namespace: undefined });
  const masters = bySubject.get(mastersKey);
  bySubject.delete(mastersKey);
  const entries: WhoCanEntry[] = [
    { subject: { kind: 'Group', name: SYSTEM_MASTERS, namespace: undefined, index: -1 }, systemMasters: true, grants: masters?.grants ?? [] },
    ...[...bySubject.values()]
      .map((entry) => ({ subject: entry.subject, systemMasters: false, grants: entry.grants }))
      .sort(
        (a, b) =>
          SUBJECT_ORDER[a.subject.kind] - SUBJECT_ORDER[b.subject.kind] ||
          (a.subject.namespace ?? '').localeCompare(b.subject.namespace ?? '') ||
          a.subject.name.localeCompare(b.subject.name),
      ),
  ];
  return { entries, unresolvedBindings };
}

/** A grant together with where it applies: '' for cluster-wide (ClusterRoleBinding), else the RoleBinding's namespace. */
export interface ScopedGrant {
  readonly scope: string;
  readonly binding: BindingEntry;
  readonly subject: Subject;
  readonly role: RoleEntry;
  readonly rules: readonly SourcedRule[];
}

export interface Permissions {
  readonly systemMasters: boolean;
  readonly grants: readonly ScopedGrant[];
  readonly unresolvedBindings: readonly BindingEntry[];
}

/** Every binding that names the user, in every namespace, with its role's rules. */
export function permissionsOf(policy: RbacPolicy, user: UserInfo, onlyNamespace?: string): Permissions {
  const grants: ScopedGrant[] = [];
  const unresolvedBindings: BindingEntry[] = [];
  const consider = (binding: BindingEntry, scope: string): void => {
    const subject = binding.subjects.find((candidate) => subjectMatchesUser(candidate, user));
    if (subject === undefined) return;
    const role = policy.roleFor(binding);
    if (role === undefined) unresolvedBindings.push(binding);
    else grants.push({ scope, binding, subject, role, rules: role.rules });
  };
  for (const binding of policy.clusterRoleBindings) consider(binding, '');
  const namespaces = [...policy.roleBindingsByNamespace.keys()].sort();
  for (const namespace of namespaces) {
    if (onlyNamespace !== undefined && namespace !== onlyNamespace) continue;
    for (const binding of policy.roleBindingsByNamespace.get(namespace) ?? []) consider(binding, namespace);
  }
  return { systemMasters: user.groups.includes(SYSTEM_MASTERS), grants, unresolvedBindings };
}
