/** Role checks share a shape: report each rule that grants a dangerous permission. */
import type { Check } from '../types.js';
import { objectCheck, type CheckSpec } from '../common/define.js';
import { RBAC_GROUP, ROLE_KINDS, rulesOf, type RuleView } from './rbacRules.js';

export function ruleCheck(spec: CheckSpec, matches: (rule: RuleView) => string | undefined): Check {
  return objectCheck(
    spec,
    ROLE_KINDS,
    (object) =>
      rulesOf(object).flatMap((rule) => {
        const what = matches(rule);
        return what === undefined ? [] : [{ message: `${object.kind} ${object.name} rule ${rule.index} ${what}`, path: ['rules', rule.index] }];
      }),
    { group: RBAC_GROUP },
  );
}
