/**
 * `rampart audit2rbac`: least-privilege RBAC from what identities really did.
 *
 * Every request an identity made that was authorized (not 401/403, not
 * decision "forbid") becomes an RBAC request attribute set, as the API
 * server's authorizer saw it. From those: per namespace one Role and
 * RoleBinding, and for cluster-scoped resources, requests across all
 * namespaces and non-resource URLs one ClusterRole and ClusterRoleBinding.
 * Rules are as small as the requests allow: a verb is limited to the names
 * used when every request for it named its object (never for list, watch,
 * create and deletecollection, which RBAC cannot limit by name); resources
 * with the same verbs and names share a rule.
 *
 * The result is checked with Rampart's RBAC evaluator (src/rbac): coverage
 * is the share of observed requests it allows, which should be 100%. Given
 * the current RBAC, each rule granted to the identity that no observed
 * request used is reported.
 */
import { stringify } from 'yaml';
import { loadText } from '../load/load.js';
import { authorize, permissionsOf } from '../rbac/authorize.js';
import { parseServiceAccountUsername, serviceAccountUser } from '../rbac/identity.js';
import { describeRole, type AuthorizationRequest, type PolicyRule, type ResourceRequest, type UserInfo } from '../rbac/model.js';
import { buildRbacPolicy, type RbacPolicy } from '../rbac/policy.js';
import { ruleAllows } from '../rbac/rules.js';
import type { AuditEvent } from './event.js';

export type IdentitySelection = { readonly kind: 'user'; readonly name: string } | { readonly kind: 'serviceAccount'; readonly namespace: string; readonly name: string } | { readonly kind: 'allServiceAccounts' };

export interface ObservedIdentity {
  readonly name: string;
  readonly groups: Set<string>;
  /** Distinct requests, by a stable key. */
  readonly requests: Map<string, AuthorizationRequest>;
  denied: number;
}

const UNNAMEABLE_VERBS = new Set(['list', 'watch', 'create', 'deletecollection']);

function selected(selection: IdentitySelection, username: string): boolean {
  switch (selection.kind) {
    case 'user':
      return username === selection.name;
    case 'serviceAccount':
      return username === `system:serviceaccount:${selection.namespace}:${selection.name}`;
    default:
      return parseServiceAccountUsername(username) !== undefined;
  }
}

/** The attributes the authorizer saw for the request an event records. */
export function requestOf(event: AuditEvent): AuthorizationRequest {
  const ref = event.objectRef;
  if (ref.resource === '') {
    const path = event.requestURI.split('?')[0] ?? '/';
    return { kind: 'nonResource', verb: event.verb, path };
  }
  return { kind: 'resource', verb: event.verb, apiGroup: ref.apiGroup, resource: ref.resource, subresource: ref.subresource, name: ref.name, namespace: ref.namespace };
}

function requestKey(request: AuthorizationRequest): string {
  return request.kind === 'nonResource' ? `N|${request.verb}|${request.path}` : `R|${request.verb}|${request.apiGroup}|${request.resource}|${request.subresource}|${request.namespace}|${request.name}`;
}

export function isDenied(event: AuditEvent): boolean {
  return event.code === 401 || event.code === 403 || event.annotations['authorization.k8s.io/decision'] === 'forbid';
}

/** Collects, per selected identity, the requests it made with success (each audit ID once, whatever the stages logged). */
export class RequestCollector {
  readonly identities = new Map<string, ObservedIdentity>();
  private readonly seen = new Set<string>();

  constructor(private readonly selection: IdentitySelection) {}

  add(event: AuditEvent): void {
    const username = event.user.username;
    if (!selected(this.selection, username)) return;
    // The authorization decision is known from ResponseStarted on; RequestReceived comes before it.
    if (event.stage === 'RequestReceived') return;
    const id = `${event.auditID}|${username}`;
    if (event.auditID !== '' && this.seen.has(id)) return;
    if (event.auditID !== '') this.seen.add(id);
    let identity = this.identities.get(username);
    if (identity === undefined) {
      identity = { name: username, groups: new Set(), requests: new Map(), denied: 0 };
      this.identities.set(username, identity);
    }
    for (const group of event.user.groups) identity.groups.add(group);
    if (isDenied(event)) {
      identity.denied++;
      return;
    }
    const request = requestOf(event);
    identity.requests.set(requestKey(request), request);
  }
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

/** Smallest rules for resource requests of one scope. */
function resourceRules(requests: readonly ResourceRequest[]): Record<string, unknown>[] {
  // (group, resource) → verb → names ('' in the set means unnamed).
  const table = new Map<string, Map<string, Set<string>>>();
  for (const request of requests) {
    const resource = request.subresource === '' ? request.resource : `${request.resource}/${request.subresource}`;
    const key = `${request.apiGroup}\u0000${resource}`;
    const verbs = table.get(key) ?? new Map<string, Set<string>>();
    const names = verbs.get(request.verb) ?? new Set<string>();
    names.add(UNNAMEABLE_VERBS.has(request.verb) ? '' : request.name);
    verbs.set(request.verb, names);
    table.set(key, verbs);
  }
  // (group, verbs, names) → resources
  const merged = new Map<string, { group: string; verbs: string[]; names: string[]; resources: Set<string> }>();
  const addRule = (group: string, verbs: string[], names: string[], resource: string): void => {
    const key = `${group}\u0000${verbs.join(',')}\u0000${names.join(',')}`;
    const entry = merged.get(key) ?? { group, verbs, names, resources: new Set<string>() };
    entry.resources.add(resource);
    merged.set(key, entry);
  };
  for (const [key, verbs] of table) {
    const [group = '', resource = ''] = key.split('\u0000');
    const unrestricted: string[] = [];
    const byNames = new Map<string, string[]>();
    for (const [verb, names] of verbs) {
      if (names.has('')) unrestricted.push(verb);
      else {
        const namesKey = sorted(names).join(',');
        byNames.set(namesKey, [...(byNames.get(namesKey) ?? []), verb]);
      }
    }
    if (unrestricted.length > 0) addRule(group, sorted(unrestricted), [], resource);
    for (const [namesKey, namedVerbs] of byNames) addRule(group, sorted(namedVerbs), namesKey.split(','), resource);
  }
  return [...merged.values()]
    .map((entry) => ({ apiGroups: [entry.group], resources: sorted(entry.resources), ...(entry.names.length > 0 ? { resourceNames: entry.names } : {}), verbs: entry.verbs }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function nonResourceRules(requests: readonly { verb: string; path: string }[]): Record<string, unknown>[] {
  const byPath = new Map<string, Set<string>>();
  for (const request of requests) byPath.set(request.path, (byPath.get(request.path) ?? new Set()).add(request.verb));
  const byVerbs = new Map<string, string[]>();
  for (const [path, verbs] of byPath) {
    const key = sorted(verbs).join(',');
    byVerbs.set(key, [...(byVerbs.get(key) ?? []), path]);
  }
  return [...byVerbs].map(([verbs, paths]) => ({ nonResourceURLs: sorted(paths), verbs: verbs.split(',') })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function subjectOf(username: string): Record<string, unknown> {
  const serviceAccount = parseServiceAccountUsername(username);
  if (serviceAccount !== undefined) return { kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace };
  return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: username };
}

function objectName(username: string): string {
  const serviceAccount = parseServiceAccountUsername(username);
  const base = serviceAccount !== undefined ? `${serviceAccount.namespace}:${serviceAccount.name}` : username;
  return `audit2rbac:${base}`.toLowerCase().replace(/[^a-z0-9.:-]/g, '-').slice(0, 253);
}

/** The Roles, ClusterRoles and bindings for one identity, as plain objects. */
export function generateRbac(identity: ObservedIdentity): Record<string, unknown>[] {
  const name = objectName(identity.name);
  const subject = subjectOf(identity.name);
  const labels = { 'app.kubernetes.io/managed-by': 'rampart-audit2rbac' };
  const requests = [...identity.requests.values()];
  const clusterResource = requests.filter((request): request is ResourceRequest => request.kind === 'resource' && request.namespace === '');
  const nonResource = requests.filter((request): request is Extract<AuthorizationRequest, { kind: 'nonResource' }> => request.kind === 'nonResource');
  const objects: Record<string, unknown>[] = [];
  if (clusterResource.length > 0 || nonResource.length > 0) {
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: [...resourceRules(clusterResource), ...nonResourceRules(nonResource)] });
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [subject] });
  }
  const byNamespace = new Map<string, ResourceRequest[]>();
  for (const request of requests) if (request.kind === 'resource' && request.namespace !== '') byNamespace.set(request.namespace, [...(byNamespace.get(request.namespace) ?? []), request]);
  for (const namespace of sorted(byNamespace.keys())) {
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels }, rules: resourceRules(byNamespace.get(namespace)!) });
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [subject] });
  }
  return objects;
}

export function userInfoOf(identity: ObservedIdentity): UserInfo {
  const serviceAccount = parseServiceAccountUsername(identity.name);
  if (serviceAccount !== undefined) return serviceAccountUser(serviceAccount.namespace, serviceAccount.name);
  return { name: identity.name, groups: [...identity.groups] };
}

export function policyFromObjects(objects: readonly Record<string, unknown>[]): RbacPolicy {
  const text = objects.map((object) => stringify(object)).join('---\n');
  return buildRbacPolicy(loadText(text, 'audit2rbac').objects);
}

export interface Coverage {
  readonly allowed: number;
  readonly total: number;
  readonly notAllowed: readonly AuthorizationRequest[];
}

/** How many of the identity's observed requests `policy` allows, asked of Rampart's RBAC evaluator. Group bindings of the identity are not used: only its own name. */
export function coverage(policy: RbacPolicy, identity: ObservedIdentity): Coverage {
  const user = { name: identity.name, groups: [] };
  const notAllowed = [...identity.requests.values()].filter((request) => !authorize(policy, user, request).allowed);
  return { allowed: identity.requests.size - notAllowed.length, total: identity.requests.size, notAllowed };
}

export interface UnusedGrant {
  readonly role: string;
  readonly binding: string;
  readonly scope: string;
  readonly rule: PolicyRule;
}

/** The rules the current RBAC grants the identity that no observed request used (in the scope the binding gives them). */
export function unusedGrants(current: RbacPolicy, identity: ObservedIdentity): UnusedGrant[] {
  const permissions = permissionsOf(current, userInfoOf(identity));
  const requests = [...identity.requests.values()];
  const out: UnusedGrant[] = [];
  for (const grant of permissions.grants) {
    for (const sourced of grant.rules) {
      const used = requests.some((request) => (grant.scope === '' || (request.kind === 'resource' && request.namespace === grant.scope)) && ruleAllows(sourced.rule, request));
      if (!used) out.push({ role: describeRole(grant.role), binding: `${grant.binding.kind} ${grant.binding.namespace !== undefined ? `${grant.binding.namespace}/` : ''}${grant.binding.name}`, scope: grant.scope === '' ? 'cluster-wide' : grant.scope, rule: sourced.rule });
    }
  }
  return out;
}

export function describeRule(rule: PolicyRule): string {
  if (rule.nonResourceURLs.length > 0) return `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`;
  const groups = rule.apiGroups.map((group) => (group === '' ? 'core' : group)).join(',');
  return `${rule.verbs.join(',')} ${rule.resources.join(',')} (${groups})${rule.resourceNames.length > 0 ? ` names ${rule.resourceNames.join(',')}` : ''}`;
}
