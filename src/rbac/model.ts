/**
 * The RBAC data model: roles, bindings and subjects as the Kubernetes RBAC
 * authorizer sees them, each carrying the object it was read from so every
 * answer can name its file and line.
 */
import type { KubeObject } from '../model/types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Groups and names the API server gives identities (k8s.io/apiserver/pkg/authentication/user). */
export const SYSTEM_MASTERS = 'system:masters';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** One entry of a role's `rules`, with every list read as strings (malformed entries dropped with a diagnostic). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';
export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/** A rule together with the role and the position it was written at. */
export interface SourcedRule {
  readonly rule: PolicyRule;
  /** The role whose `rules` list holds this rule (for an aggregated ClusterRole: the aggregated-from role). */
  readonly definedIn: RoleEntry;
  /** Index in `definedIn.ownRules`. */
  readonly index: number;
}

/** `aggregationRule.clusterRoleSelectors[i]`, parsed. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

export interface RoleEntry {
  readonly kind: RoleKind;
  /** Set for Roles; undefined for ClusterRoles. */
  readonly namespace: string | undefined;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly object: KubeObject;
  /** True for objects of the built-in bootstrap policy (`--with-defaults`). */
  readonly isDefault: boolean;
  /** The rules written in the object. */
  readonly ownRules: readonly SourcedRule[];
  /** For ClusterRoles with an `aggregationRule`: its selectors (invalid ones dropped). */
  readonly aggregationSelectors: readonly LabelSelector[] | undefined;
  /**
   * The rules the authorizer uses: `ownRules`, or for an aggregated ClusterRole
   * the rules the aggregation controller would write into it.
   */
  rules: readonly SourcedRule[];
  /** For an aggregated ClusterRole: the ClusterRoles it aggregates, by name. */
  aggregatedFrom: readonly string[];
}

export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

export interface Subject {
  readonly kind: SubjectKind;
  readonly name: string;
  /**
   * For ServiceAccounts: the namespace, defaulted to the binding's namespace as
   * the authorizer does; undefined when neither is set (such a subject never matches).
   */
  readonly namespace: string | undefined;
  /** Index in the binding's `subjects`. */
  readonly index: number;
}

export interface BindingEntry {
  readonly kind: BindingKind;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly roleRef: RoleRef;
  /** Subjects the authorizer can match; unknown kinds are dropped with a diagnostic. */
  readonly subjects: readonly Subject[];
  readonly object: KubeObject;
  readonly isDefault: boolean;
}

/** Who is asking: `user.Info` of the API server, reduced to what RBAC reads. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface ResourceRequest {
  readonly kind: 'resource';
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  /** '' when the request is not for a subresource. */
  readonly subresource: string;
  /** '' when the request carries no name (list, create, deletecollection, …). */
  readonly name: string;
  /** '' for cluster-scoped resources and for requests across all namespaces. */
  readonly namespace: string;
}

export interface NonResourceRequest {
  readonly kind: 'nonResource';
  readonly verb: string;
  readonly path: string;
}

export type AuthorizationRequest = ResourceRequest | NonResourceRequest;

export function roleKey(kind: string, namespace: string | undefined, name: string): string {
  return kind === 'Role' ? `Role/${namespace ?? ''}/${name}` : `ClusterRole/${name}`;
}

export function describeRole(role: Pick<RoleEntry, 'kind' | 'namespace' | 'name'>): string {
  return role.kind === 'Role' ? `Role ${role.namespace ?? ''}/${role.name}` : `ClusterRole ${role.name}`;
}

export function describeBinding(binding: Pick<BindingEntry, 'kind' | 'namespace' | 'name'>): string {
  return binding.kind === 'RoleBinding' ? `RoleBinding ${binding.namespace ?? ''}/${binding.name}` : `ClusterRoleBinding ${binding.name}`;
}

export function describeSubject(subject: Pick<Subject, 'kind' | 'name' | 'namespace'>): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount ${subject.namespace ?? '<no namespace>'}/${subject.name}`;
  return `${subject.kind} ${subject.name}`;
}

export function describeRequest(request: AuthorizationRequest): string {
  if (request.kind === 'nonResource') return `${request.verb} ${request.path}`;
  const resource = request.apiGroup === '' ? request.resource : `${request.resource}.${request.apiGroup}`;
  const sub = request.subresource === '' ? '' : `/${request.subresource}`;
  const name = request.name === '' ? '' : ` named ${JSON.stringify(request.name)}`;
  const scope = request.namespace === '' ? '' : ` in namespace ${request.namespace}`;
  return `${request.verb} ${resource}${sub}${name}${scope}`;
}

/** Renders a rule compactly, in the order Kubernetes prints rules in escalation errors. */
export function formatRule(rule: PolicyRule): string {
  const parts: string[] = [];
  const list = (values: readonly string[]): string => `[${values.map((value) => (value === '' ? '""' : value)).join(' ')}]`;
  if (rule.apiGroups.length > 0) parts.push(`apiGroups ${list(rule.apiGroups)}`);
  if (rule.resources.length > 0) parts.push(`resources ${list(rule.resources)}`);
  if (rule.nonResourceURLs.length > 0) parts.push(`nonResourceURLs ${list(rule.nonResourceURLs)}`);
  if (rule.resourceNames.length > 0) parts.push(`resourceNames ${list(rule.resourceNames)}`);
  parts.push(`verbs ${list(rule.verbs)}`);
  return parts.join(', ');
}
