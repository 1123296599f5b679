/**
 * Answers → data that names its sources (JSON) and → readable lines. Shared by
 * the rbac commands so can-i, who-can and permissions cite rules the same way.
 */
import { locate, type FieldPath, type KubeObject } from '../model/types.js';
import type { Grant, Permissions, ScopedGrant } from './authorize.js';
import { describeBinding, describeRole, describeSubject, formatRule, type BindingEntry, type PolicyRule, type RoleEntry, type SourcedRule, type Subject } from './model.js';

export interface Place {
  readonly file: string;
  readonly line: number;
}

function placeOf(object: KubeObject, path: FieldPath = []): Place {
  const location = locate(object, path);
  return { file: location.file, line: location.line };
}

export function formatPlace(place: Place): string {
  return `${place.file}:${place.line}`;
}

export interface RuleJson extends Place {
  readonly role: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly index: number;
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface GrantJson {
  readonly binding: { readonly kind: string; readonly namespace?: string; readonly name: string } & Place;
  readonly subject: { readonly kind: string; readonly namespace?: string; readonly name: string } & Place;
  readonly role: { readonly kind: string; readonly namespace?: string; readonly name: string } & Place;
  /** The rule, where it is written (for an aggregated ClusterRole: in the role it was aggregated from). */
  readonly rule: RuleJson;
}

function withNamespace<T extends object>(value: T, namespace: string | undefined): T & { namespace?: string } {
  return namespace === undefined ? value : { ...value, namespace };
}

export function bindingJson(binding: BindingEntry): GrantJson['binding'] {
  return withNamespace({ kind: binding.kind, name: binding.name, ...placeOf(binding.object) }, binding.namespace);
}

export function subjectJson(subject: Subject, binding: BindingEntry | undefined): GrantJson['subject'] {
  const place = binding === undefined || subject.index < 0 ? { file: '', line: 0 } : placeOf(binding.object, ['subjects', subject.index]);
  return withNamespace({ kind: subject.kind, name: subject.name, ...place }, subject.namespace);
}

export function roleJson(role: RoleEntry): GrantJson['role'] {
  return withNamespace({ kind: role.kind, name: role.name, ...placeOf(role.object) }, role.namespace);
}

export function ruleJson(sourced: SourcedRule): RuleJson {
  const { rule, definedIn, index } = sourced;
  const out: Record<string, unknown> = {
    role: withNamespace({ kind: definedIn.kind, name: definedIn.name }, definedIn.namespace),
    index,
    ...placeOf(definedIn.object, ['rules', index]),
    verbs: rule.verbs,
  };
  for (const field of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) if (rule[field].length > 0) out[field] = rule[field];
  return out as unknown as RuleJson;
}

export function grantJson(grant: Grant): GrantJson {
  return { binding: bindingJson(grant.binding), subject: subjectJson(grant.subject, grant.binding), role: roleJson(grant.role), rule: ruleJson(grant.rule) };
}

/** `ClusterRoleBinding x (f:3) → ClusterRole edit rule 4 from ClusterRole system:aggregate-to-edit (f:120): apiGroups [""], …` */
export function describeGrant(grant: Pick<Grant, 'binding' | 'role' | 'rule'>): string {
  return `${describeBinding(grant.binding)} (${formatPlace(placeOf(grant.binding.object))}) → ${describeRuleSource(grant.role, grant.rule)}`;
}

/** `RoleBinding shop/x (f:1) → ClusterRole edit rule 2 of system:aggregate-to-edit (f:215)`: the grant without the rule's text. */
export function describeGrantBrief(grant: Pick<Grant, 'binding' | 'role' | 'rule'>): string {
  const { role, rule } = grant;
  const at = formatPlace(placeOf(rule.definedIn.object, ['rules', rule.index]));
  const origin = rule.definedIn === role ? `rule ${rule.index}` : `rule ${rule.index} of ${describeRole(rule.definedIn)}`;
  return `${describeBinding(grant.binding)} (${formatPlace(placeOf(grant.binding.object))}) → ${describeRole(role)} ${origin} (${at})`;
}

export function describeRuleSource(role: RoleEntry, sourced: SourcedRule): string {
  const at = formatPlace(placeOf(sourced.definedIn.object, ['rules', sourced.index]));
  const origin = sourced.definedIn === role ? `${describeRole(role)} rule ${sourced.index}` : `${describeRole(role)}, aggregating ${describeRole(sourced.definedIn)} rule ${sourced.index}`;
  return `${origin} (${at}): ${formatRule(sourced.rule)}`;
}

/** `ClusterRoleBinding x (f:3) → ClusterRole cluster-admin`. */
export function describeBindingAt(binding: BindingEntry): string {
  return `${describeBinding(binding)} (${formatPlace(placeOf(binding.object))}) → ${binding.roleRef.kind} ${binding.roleRef.name}`;
}

export function describeSubjectAt(subject: Subject, binding: BindingEntry): string {
  return `${describeSubject(subject)} (${formatPlace(placeOf(binding.object, ['subjects', subject.index]))})`;
}

export function describeUnresolved(binding: BindingEntry): string {
  return `${describeBinding(binding)} (${formatPlace(placeOf(binding.object, ['roleRef']))}) references ${binding.roleRef.kind} ${binding.roleRef.name}, which is not in the input`;
}

/** `pods`, `deployments.apps`, `deployments.apps/scale`, `*.*`, `*.apps/scale`. */
export function resourceLabel(group: string, resource: string): string {
  if (group === '') return resource;
  const slash = resource.indexOf('/');
  return slash === -1 ? `${resource}.${group}` : `${resource.slice(0, slash)}.${group}${resource.slice(slash)}`;
}

export interface PermissionRow {
  /** '' for cluster-wide. */
  readonly scope: string;
  readonly nonResourceURL: boolean;
  /** `pods`, `deployments.apps/scale`, `*.*`, or a non-resource URL such as `/healthz`. */
  readonly target: string;
  readonly resourceNames: readonly string[];
  readonly verbs: readonly string[];
  /** `ClusterRoleBinding x → ClusterRole view`, one per granting binding. */
  readonly via: readonly string[];
}

interface ExpandedRule {
  readonly url: boolean;
  readonly target: string;
  readonly resourceNames: readonly string[];
}

function expandRule(rule: PolicyRule): ExpandedRule[] {
  const rows: ExpandedRule[] = [];
  const names = [...rule.resourceNames].sort();
  for (const group of rule.apiGroups) for (const resource of rule.resources) rows.push({ url: false, target: resourceLabel(group, resource), resourceNames: names });
  for (const url of rule.nonResourceURLs) rows.push({ url: true, target: url, resourceNames: [] });
  return rows;
}

function scopedVia(grant: ScopedGrant): string {
  return `${describeBinding(grant.binding)} → ${describeRole(grant.role)}`;
}

/**
 * Merges the user's grants into one row per scope, resource (or URL) and set
 * of resource names, with the union of verbs and every binding that grants
 * them. Non-resource URLs only count cluster-wide, as the authorizer only
 * consults ClusterRoleBindings for them; Role rules naming them are dropped.
 */
export function mergePermissions(permissions: Permissions): PermissionRow[] {
  const rows = new Map<string, { scope: string; url: boolean; target: string; resourceNames: readonly string[]; verbs: Set<string>; via: Set<string> }>();
  for (const grant of permissions.grants) {
    for (const sourced of grant.rules) {
      for (const expanded of expandRule(sourced.rule)) {
        if (expanded.url && grant.scope !== '') continue;
        const key = JSON.stringify([grant.scope, expanded.url, expanded.target, expanded.resourceNames]);
        let row = rows.get(key);
        if (row === undefined) {
          row = { scope: grant.scope, url: expanded.url, target: expanded.target, resourceNames: expanded.resourceNames, verbs: new Set(), via: new Set() };
          rows.set(key, row);
        }
        for (const verb of sourced.rule.verbs) row.verbs.add(verb);
        row.via.add(scopedVia(grant));
      }
    }
  }
  return [...rows.values()]
    .map((row) => ({
      scope: row.scope,
      nonResourceURL: row.url,
      target: row.target,
      resourceNames: row.resourceNames,
      verbs: row.verbs.has('*') ? ['*'] : [...row.verbs].sort(),
      via: [...row.via].sort(),
    }))
    .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === '' ? -1 : b.scope === '' ? 1 : a.scope.localeCompare(b.scope)) || a.target.localeCompare(b.target) || a.resourceNames.join().localeCompare(b.resourceNames.join()));
}
