/**
 * The CIS 5.1.x RBAC controls as a whole-input scan hook: RBAC objects are
 * collected while the scan streams, and judged once the input ends, because a
 * binding's meaning depends on roles anywhere in the input. Findings sit on
 * the rule (for role controls) or on the binding's roleRef or subject.
 */
import type { WholeInputCheck } from '../../engine/scan.js';
import { describeBinding, describeRole, describeSubject, formatRule, SYSTEM_MASTERS, type BindingEntry, type RoleEntry, type SourcedRule } from '../../rbac/model.js';
import { isRbacBinding, isRbacRole } from '../../rbac/parse.js';
import { RbacPolicyBuilder, type RbacPolicy } from '../../rbac/policy.js';
import { ruleGrantsProbe } from '../../rbac/risks.js';
import { locate, objectRef, type FieldPath, type Finding, type FrameworkMapping, type KubeObject } from '../../model/types.js';
import { SEVERITY_BASES, severityOf } from '../common/define.js';
import { documentationLink, type CheckMeta } from '../types.js';
import { RBAC_CATEGORY, RBAC_CONTROLS, type RbacControl } from './controls.js';

/** Objects the API server manages itself (bootstrap policy); they are reconciled at every start, so findings on them cannot be acted on. */
const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

function metaOf(control: RbacControl): CheckMeta {
  // Severity follows from gain and effort, as for the hardening catalogue (docs/severity.md lists both).
  SEVERITY_BASES.set(control.id, control.severity);
  const frameworks: FrameworkMapping[] = [
    { framework: 'CIS', id: control.cis },
    ...control.nsa.map((id): FrameworkMapping => ({ framework: 'NSA-CISA', id })),
    ...control.mitre.map((id): FrameworkMapping => ({ framework: 'MITRE-ATTACK', id })),
  ];
  return {
    id: control.id,
    title: control.title,
    severity: severityOf(control.severity.gain, control.severity.effort),
    category: RBAC_CATEGORY,
    description: `${control.description} CIS Kubernetes Benchmark ${control.cis} (v1.8 to v1.12), automated.`,
    remediation: control.remediation,
    frameworks,
    documentation: documentationLink(control.id),
    equivalents: control.equivalents,
  };
}

export const RBAC_CHECK_METAS: readonly CheckMeta[] = RBAC_CONTROLS.map(metaOf);
const META_BY_ID = new Map(RBAC_CHECK_METAS.map((meta) => [meta.id, meta]));

export interface RbacScanOptions {
  readonly disabledChecks?: ReadonlySet<string>;
}

function isBootstrap(object: KubeObject): boolean {
  const metadata = object.raw.metadata as { labels?: Record<string, unknown> } | undefined;
  return metadata?.labels?.[BOOTSTRAP_LABEL] === 'rbac-defaults';
}

/** The whole-input hook `rampart scan` registers. */
export function createRbacScanCheck(options: RbacScanOptions = {}): WholeInputCheck {
  const controls = RBAC_CONTROLS.filter((control) => options.disabledChecks?.has(control.id) !== true);
  const roleIds = controls.filter((control) => control.on !== 'binding').map((control) => control.id);
  const bindingIds = controls.filter((control) => control.on === 'binding').map((control) => control.id);
  let builder = new RbacPolicyBuilder();
  return {
    observe(object) {
      if (isRbacRole(object)) {
        builder.add(object);
        return roleIds;
      }
      if (isRbacBinding(object)) {
        builder.add(object);
        return bindingIds;
      }
      // ServiceAccounts, Namespaces and CRDs feed the policy's context without being judged here.
      if (object.kind === 'ServiceAccount' || object.kind === 'Namespace' || object.kind === 'CustomResourceDefinition') builder.add(object);
      return [];
    },
    finish() {
      const policy = builder.finish();
      builder = new RbacPolicyBuilder();
      return judgePolicy(policy, controls);
    },
  };
}

/** The verbs that, on every resource of every group, make a role cluster-admin in all but name (Polaris and kubescape count them too). */
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/**
 * The rule that makes a role cluster-admin in all but name, if any: every
 * verb on every resource of every API group, unrestricted by resourceNames.
 * Read from the rules the authorizer uses, so an aggregated ClusterRole that
 * collects such a rule counts.
 */
function adminRule(role: RoleEntry): SourcedRule | undefined {
  return role.rules.find(
    ({ rule }) =>
      rule.apiGroups.includes('*') &&
      rule.resources.includes('*') &&
      rule.resourceNames.length === 0 &&
      (rule.verbs.includes('*') || ALL_VERBS.every((verb) => rule.verbs.includes(verb))),
  );
}

/** Findings of the controls over a policy (exported for tests and other front-ends). */
export function judgePolicy(policy: RbacPolicy, controls: readonly RbacControl[] = RBAC_CONTROLS): Finding[] {
  const findings: Finding[] = [];
  const bindingsByRole = new Map<RoleEntry, BindingEntry[]>();
  const allBindings = [...policy.clusterRoleBindings, ...[...policy.roleBindingsByNamespace.values()].flat()];
  for (const binding of allBindings) {
    const role = policy.roleFor(binding);
    if (role === undefined) continue;
    const list = bindingsByRole.get(role);
    if (list === undefined) bindingsByRole.set(role, [binding]);
    else list.push(binding);
  }
  const report = (control: RbacControl, object: KubeObject, path: FieldPath, message: string): void => {
    const meta = META_BY_ID.get(control.id) ?? metaOf(control);
    findings.push({
      checkId: control.id,
      severity: meta.severity,
      title: control.title,
      message,
      object: objectRef(object),
      location: locate(object, path),
      frameworks: meta.frameworks,
      path,
    });
  };

  for (const role of policy.roles.values()) {
    if (role.isDefault || isBootstrap(role.object)) continue;
    const holders = bindingsByRole.get(role) ?? [];
    const who =
      holders.length === 0
        ? 'not bound in the input'
        : `bound by ${holders
            .slice(0, 3)
            .map((binding) => `${describeBinding(binding)} to ${binding.subjects.map(describeSubject).join(', ') || 'no subject'}`)
            .join('; ')}${holders.length > 3 ? ` and ${holders.length - 3} more` : ''}`;
    for (const sourced of role.ownRules) {
      const { rule, index } = sourced;
      // Every verb on every resource: one wildcard finding says it all, instead of one per control.
      const everything = rule.verbs.includes('*') && rule.resources.includes('*') && rule.apiGroups.includes('*');
      for (const control of controls) {
        if (control.on === 'rule') {
          if (everything) continue;
          const hits = control.probes.filter((probe) => ruleGrantsProbe(rule, probe));
          if (hits.length === 0) continue;
          const allowed = hits.map((probe) => {
            const verbs = rule.verbs.includes('*') ? probe.verbs : probe.verbs.filter((verb) => rule.verbs.includes(verb));
            const resource = `${probe.resource}${probe.subresource === undefined ? '' : `/${probe.subresource}`}${probe.group === '' ? '' : `.${probe.group}`}`;
            return `${verbs.join(', ')} on ${resource}`;
          });
          const names = rule.resourceNames.length > 0 ? ` (only ${rule.resourceNames.join(', ')})` : '';
          report(control, role.object, ['rules', index], `rule ${index} allows ${allowed.join('; ')}${names}; ${who}`);
        } else if (control.on === 'wildcard') {
          const fields = (['verbs', 'apiGroups', 'resources', 'nonResourceURLs'] as const).filter((field) => rule[field].includes('*'));
          if (fields.length === 0) continue;
          const implied = everything ? ', so it grants every verb on every resource: Secrets, pods, bind, escalate, impersonate and nodes/proxy included' : '';
          report(control, role.object, ['rules', index, fields[0]!], `rule ${index} uses * in ${fields.join(', ')} (${formatRule(rule)})${implied}; ${who}`);
        }
      }
    }
  }

  for (const binding of allBindings) {
    if (binding.isDefault || isBootstrap(binding.object)) continue;
    for (const control of controls) {
      if (control.on !== 'binding') continue;
      if (control.matches === 'cluster-admin-role') {
        const named = binding.roleRef.kind === 'ClusterRole' && binding.roleRef.name === 'cluster-admin';
        const role = named ? undefined : policy.roleFor(binding);
        const everything = role === undefined ? undefined : adminRule(role);
        if (!named && everything === undefined) continue;
        const scope = binding.kind === 'RoleBinding' ? `in namespace ${binding.namespace ?? ''}` : 'cluster-wide';
        const subjects = binding.subjects.map(describeSubject).join(', ') || 'no subject';
        const what =
          role === undefined || everything === undefined
            ? 'cluster-admin'
            : `${describeRole(role)}, cluster-admin in all but name (every verb on every resource of every API group${everything.definedIn === role ? '' : `, aggregated from ${describeRole(everything.definedIn)}`}),`;
        report(control, binding.object, ['roleRef', 'name'], `${describeBinding(binding)} grants ${what} ${scope} to ${subjects}`);
      } else {
        for (const subject of binding.subjects) {
          const hit =
            control.matches === 'default-service-account'
              ? subject.kind === 'ServiceAccount' && subject.name === 'default'
              : subject.kind === 'Group' && subject.name === SYSTEM_MASTERS;
          if (!hit) continue;
          report(control, binding.object, ['subjects', subject.index], `${describeBinding(binding)} grants ${binding.roleRef.kind} ${binding.roleRef.name} to ${describeSubject(subject)}`);
        }
      }
    }
  }
  return findings;
}
