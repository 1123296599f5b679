/** Role checks share a shape: report each rule that grants a dangerous permission. */
import type { Check } from '../types.js';
import { objectCheck, type CheckSpec } from '../common/define.js';
import { RBAC_GROUP, ROLE_KINDS, rulesOf, type RuleView } from './rbacRules.js';

/**
 * Kubernetes’ own roles (the `system:` ones and the user-facing defaults)
 * exist in every cluster whether or not a manifest repeats them; judging what
 * they grant is `rampart rbac`’s job, not a manifest finding.
 */
export const BOOTSTRAP_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

/** Kubernetes reserves the `system:` prefix for its own components’ roles and bindings. */
export function isBootstrapRole(kind: string, name: string): boolean {
  return name.startsWith('system:') || (kind === 'ClusterRole' && BOOTSTRAP_CLUSTER_ROLES.has(name));
}

export function ruleCheck(spec: CheckSpec, matches: (rule: RuleView) => string | undefined): Check {
  return objectCheck(
    spec,
    ROLE_KINDS,
    (object) =>
      isBootstrapRole(object.kind, object.name) ? [] : rulesOf(object).flatMap((rule) => {
        const what = matches(rule);
        return what === undefined ? [] : [{ message: `${object.kind} ${object.name} rule ${rule.index} ${what}`, path: ['rules', rule.index] }];
      }),
    { group: RBAC_GROUP },
  );
}
