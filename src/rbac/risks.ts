/**
 * Which subjects hold which dangerous primitives, and where. Every binding is
 * read once: its role's rules are matched against the catalogue's probes with
 * the authorizer's own matching, a RoleBinding only ever counts in its
 * namespace and never for cluster-scoped targets, and a primitive that needs
 * several permissions may collect them from several bindings of the same
 * subject (cluster-wide permissions count in every namespace).
 */
import { severityRank } from '../model/types.js';
import { subjectKey } from './authorize.js';
import type { BindingEntry, PolicyRule, RoleEntry, SourcedRule, Subject } from './model.js';
import type { RbacPolicy } from './policy.js';
import { RISK_CATALOGUE, isBroadSubject, type PermissionPrimitive, type Probe, type RiskPrimitive } from './riskCatalogue.js';
import { apiGroupMatches, resourceMatches, verbMatches } from './rules.js';

export interface RiskEvidence {
  readonly binding: BindingEntry;
  readonly subject: Subject;
  /** Undefined for primitives about the binding itself. */
  readonly role: RoleEntry | undefined;
  readonly rule: SourcedRule | undefined;
}

export interface RiskFinding {
  readonly primitive: RiskPrimitive;
  readonly subject: Subject;
  /** '' for cluster-wide, else the namespace. */
  readonly scope: string;
  readonly evidence: readonly RiskEvidence[];
  /** When every granting rule lists resourceNames: the only objects it reaches. */
  readonly onlyNames: readonly string[] | undefined;
  /** The subject stands for everyone authenticated, every service account, or everyone. */
  readonly broadSubject: boolean;
  /** Every binding behind the finding is part of the bootstrap policy. */
  readonly fromDefaultsOnly: boolean;
}

export interface RiskOptions {
  /** Report findings that come only from the bootstrap policy's own bindings (hidden by default). */
  readonly includeDefaults?: boolean;
  readonly catalogue?: readonly RiskPrimitive[];
}

/** Verbs whose requests never carry an object name, so resourceNames rules cannot grant them. */
function carriesName(verb: string, subresource: string | undefined): boolean {
  if (verb === 'deletecollection') return false;
  return !(verb === 'create' && subresource === undefined);
}

/** Does this rule grant the probe, for at least one object name? */
export function ruleGrantsProbe(rule: PolicyRule, probe: Probe): boolean {
  if (!apiGroupMatches(rule, probe.group)) return false;
  const resourceOk =
    probe.anySubresource === true
      ? rule.resources.some((resource) => resource === '*' || resource === probe.resource || resource.startsWith(`${probe.resource}/`) || resource.startsWith('*/'))
      : resourceMatches(rule, probe.resource, probe.subresource ?? '');
  if (!resourceOk) return false;
  const verbs = probe.verbs.filter((verb) => verbMatches(rule, verb));
  if (verbs.length === 0) return false;
  return rule.resourceNames.length === 0 || verbs.some((verb) => carriesName(verb, probe.subresource ?? (probe.anySubresource === true ? 'any' : undefined)));
}

interface Accumulated {
  readonly primitive: RiskPrimitive;
  readonly subject: Subject;
  readonly scope: string;
  /** For permission primitives: evidence per requirement group. */
  readonly groups: Map<number, RiskEvidence[]>;
  readonly evidence: RiskEvidence[];
}

export function findRisks(policy: RbacPolicy, options: RiskOptions = {}): RiskFinding[] {
  const catalogue = options.catalogue ?? RISK_CATALOGUE;
  const accumulated = new Map<string, Accumulated>();
  const entry = (primitive: RiskPrimitive, subject: Subject, scope: string): Accumulated => {
    const key = JSON.stringify([primitive.id, subjectKey(subject), scope]);
    let found = accumulated.get(key);
    if (found === undefined) {
      found = { primitive, subject, scope, groups: new Map(), evidence: [] };
      accumulated.set(key, found);
    }
    return found;
  };

  const visit = (binding: BindingEntry, scope: string): void => {
    if (binding.subjects.length === 0) return;
    for (const primitive of catalogue) {
      if (primitive.kind !== 'binding') continue;
      for (const subject of binding.subjects) {
        if (primitive.matches(binding, subject)) entry(primitive, subject, scope).evidence.push({ binding, subject, role: policy.roleFor(binding), rule: undefined });
      }
    }
    const role = policy.roleFor(binding);
    if (role === undefined) return;
    for (const sourced of role.rules) {
      for (const primitive of catalogue) {
        if (primitive.kind === 'rule') {
          if (!primitive.matches(sourced.rule)) continue;
          for (const subject of binding.subjects) entry(primitive, subject, scope).evidence.push({ binding, subject, role, rule: sourced });
        } else if (primitive.kind === 'permission') {
          primitive.requires.forEach((group, index) => {
            if (!group.some((probe) => !(scope !== '' && probe.clusterScoped === true) && ruleGrantsProbe(sourced.rule, probe))) return;
            for (const subject of binding.subjects) {
              const groups = entry(primitive, subject, scope).groups;
              const list = groups.get(index) ?? [];
              list.push({ binding, subject, role, rule: sourced });
              groups.set(index, list);
            }
          });
        }
      }
    }
  };
  for (const binding of policy.clusterRoleBindings) visit(binding, '');
  for (const [namespace, bindings] of policy.roleBindingsByNamespace) for (const binding of bindings) visit(binding, namespace);

  const findings: RiskFinding[] = [];
  for (const item of accumulated.values()) {
    const byGroup = item.primitive.kind === 'permission' ? permissionEvidence(item, item.primitive, accumulated) : [item.evidence];
    if (byGroup === undefined) continue;
    const evidence = distinct(byGroup.flat());
    if (evidence.length === 0) continue;
    const fromDefaultsOnly = evidence.every((piece) => piece.binding.isDefault);
    if (fromDefaultsOnly && options.includeDefaults !== true) continue;
    findings.push({
      primitive: item.primitive,
      subject: item.subject,
      scope: item.scope,
      evidence,
      onlyNames: item.primitive.kind === 'permission' ? onlyNames(byGroup) : undefined,
      broadSubject: isBroadSubject(item.subject),
      fromDefaultsOnly,
    });
  }
  const order = new Map(catalogue.map((primitive, index) => [primitive.id, index]));
  return findings.sort(
    (a, b) =>
      severityRank(b.primitive.severity) - severityRank(a.primitive.severity) ||
      (order.get(a.primitive.id) ?? 0) - (order.get(b.primitive.id) ?? 0) ||
      a.scope.localeCompare(b.scope) ||
      subjectKey(a.subject).localeCompare(subjectKey(b.subject)),
  );
}

/**
 * Evidence for a permission primitive at the entry's scope, one list per
 * requirement group, when every group is held there (counting the subject's
 * cluster-wide grants in a namespace); undefined when a group is missing, or
 * when the subject already holds the whole primitive cluster-wide.
 */
function permissionEvidence(item: Accumulated, primitive: PermissionPrimitive, all: ReadonlyMap<string, Accumulated>): RiskEvidence[][] | undefined {
  const cluster = item.scope === '' ? undefined : all.get(JSON.stringify([primitive.id, subjectKey(item.subject), '']));
  const complete = (groups: ReadonlyMap<number, RiskEvidence[]>): boolean => primitive.requires.every((_group, index) => (groups.get(index)?.length ?? 0) > 0);
  if (cluster !== undefined && complete(cluster.groups)) return undefined;
  const byGroup: RiskEvidence[][] = [];
  for (let index = 0; index < primitive.requires.length; index++) {
    const here = item.groups.get(index) ?? cluster?.groups.get(index);
    if (here === undefined || here.length === 0) return undefined;
    byGroup.push(here);
  }
  return byGroup;
}

/** The same binding and rule once, even when it satisfies several requirement groups. */
function distinct(evidence: readonly RiskEvidence[]): RiskEvidence[] {
  const seen = new Set<string>();
  return evidence.filter((piece) => {
    const key = `${piece.binding.kind}/${piece.binding.namespace ?? ''}/${piece.binding.name}#${piece.rule?.definedIn.name ?? ''}/${piece.rule?.index ?? -1}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Names the primitive is limited to: those of every requirement group whose granting rules all list resourceNames. */
function onlyNames(byGroup: readonly (readonly RiskEvidence[])[]): string[] | undefined {
  const names = new Set<string>();
  let restricted = false;
  for (const group of byGroup) {
    if (group.length === 0 || group.some((piece) => (piece.rule?.rule.resourceNames.length ?? 0) === 0)) continue;
    restricted = true;
    for (const piece of group) for (const name of piece.rule?.rule.resourceNames ?? []) names.add(name);
  }
  return restricted ? [...names].sort() : undefined;
}
