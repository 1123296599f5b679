/**
 * ClusterRole aggregation, computed offline. In a cluster the
 * clusterrole-aggregation controller sets the rules of every ClusterRole
 * that has an `aggregationRule` to the union of the rules of the ClusterRoles
 * its selectors match, skipping the role itself and dropping duplicate rules.
 * Aggregated roles may select other aggregated roles (`admin` selects `edit`,
 * which selects `view`'s aggregate-to roles); the controller converges to the
 * transitive union, which is what we compute: the least fixed point.
 */
import type { Diagnose } from './parse.js';
import { formatSelector, selectorMatches } from './labelSelector.js';
import type { LabelSelector, PolicyRule, RoleEntry, SourcedRule } from './model.js';

function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames, rule.nonResourceURLs]);
}

/** Fills `rules` and `aggregatedFrom` of every aggregated ClusterRole in `clusterRoles`. */
export function aggregateClusterRoles(clusterRoles: readonly RoleEntry[], diagnose: Diagnose): void {
  const sorted = [...clusterRoles].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const aggregated = sorted.filter((role) => role.aggregationSelectors !== undefined);
  if (aggregated.length === 0) return;
  const candidatesFor = labelIndex(sorted);

  // Which roles each aggregated role selects, in the controller's order: selector by selector, by name.
  const selected = new Map<RoleEntry, RoleEntry[]>();
  for (const role of aggregated) {
    const matches: RoleEntry[] = [];
    const seen = new Set<RoleEntry>();
    for (const [index, selector] of (role.aggregationSelectors ?? []).entries()) {
      for (const candidate of candidatesFor(selector)) {
        if (!selectorMatches(selector, candidate.labels)) continue;
        if (candidate === role) {
          diagnose(
            role.object,
            ['aggregationRule', 'clusterRoleSelectors', index],
            'rbac-aggregation-self',
            `ClusterRole ${role.name} selects itself (${formatSelector(selector)}); the aggregation controller skips a role's own rules`,
            'warning',
          );
          continue;
        }
        if (!seen.has(candidate)) {
          seen.add(candidate);
          matches.push(candidate);
        }
      }
    }
    selected.set(role, matches);
    role.aggregatedFrom = matches.map((match) => match.name);
  }

  // Components come out of Tarjan's algorithm after every component they select, so one pass in that
  // order suffices; only the roles of a cycle need iterating until nothing changes (the least fixed point).
  const components = stronglyConnectedComponents(aggregated, selected);
  reportCycles(components, diagnose);
  const computed = new Map<RoleEntry, SourcedRule[]>();
  const rulesOf = (role: RoleEntry): readonly SourcedRule[] => (role.aggregationSelectors === undefined ? role.ownRules : (computed.get(role) ?? []));
  const union = (role: RoleEntry): SourcedRule[] => {
    const next: SourcedRule[] = [];
    const keys = new Set<string>();
    for (const source of selected.get(role) ?? []) {
      for (const sourced of rulesOf(source)) {
        const key = ruleKey(sourced.rule);
        if (keys.has(key)) continue;
        keys.add(key);
        next.push(sourced);
      }
    }
    return next;
  };
  for (const component of components) {
    for (let changed = true; changed; ) {
      changed = false;
      for (const role of component) {
        const next = union(role);
        // Rules only ever grow, so a change shows in the count.
        if (next.length !== (computed.get(role)?.length ?? -1)) {
          computed.set(role, next);
          changed = component.length > 1;
        }
      }
    }
  }
  for (const role of aggregated) role.rules = computed.get(role) ?? [];
}

/**
 * Candidate roles for a selector: those carrying its rarest matchLabels pair,
 * or every role when it has none. Callers still check the whole selector.
 */
function labelIndex(roles: readonly RoleEntry[]): (selector: LabelSelector) => readonly RoleEntry[] {
  const byLabel = new Map<string, RoleEntry[]>();
  for (const role of roles) {
    for (const [key, value] of Object.entries(role.labels)) {
      const pair = `${key}=${value}`;
      const list = byLabel.get(pair) ?? [];
      list.push(role);
      byLabel.set(pair, list);
    }
  }
  return (selector) => {
    let best: readonly RoleEntry[] | undefined;
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      const list = byLabel.get(`${key}=${value}`) ?? [];
      if (best === undefined || list.length < best.length) best = list;
    }
    return best ?? roles;
  };
}

/** Tarjan's algorithm over "selects an aggregated role", iteratively so a long chain cannot overflow the stack. */
function stronglyConnectedComponents(aggregated: readonly RoleEntry[], selected: ReadonlyMap<RoleEntry, readonly RoleEntry[]>): RoleEntry[][] {
  let counter = 0;
  const index = new Map<RoleEntry, number>();
  const low = new Map<RoleEntry, number>();
  const stack: RoleEntry[] = [];
  const onStack = new Set<RoleEntry>();
  const components: RoleEntry[][] = [];
  const edges = (role: RoleEntry): RoleEntry[] => (selected.get(role) ?? []).filter((target) => target.aggregationSelectors !== undefined);
  const visit = (role: RoleEntry): void => {
    index.set(role, counter);
    low.set(role, counter++);
    stack.push(role);
    onStack.add(role);
  };

  for (const root of aggregated) {
    if (index.has(root)) continue;
    visit(root);
    const work: Array<{ role: RoleEntry; targets: RoleEntry[]; next: number }> = [{ role: root, targets: edges(root), next: 0 }];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.targets.length) {
        const target = frame.targets[frame.next++]!;
        if (!index.has(target)) {
          visit(target);
          work.push({ role: target, targets: edges(target), next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.role, Math.min(low.get(frame.role)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.role, Math.min(low.get(parent.role)!, low.get(frame.role)!));
      if (low.get(frame.role) === index.get(frame.role)) {
        const component: RoleEntry[] = [];
        for (;;) {
          const member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
          if (member === frame.role) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}

/** Aggregated roles that select each other, directly or through others: reported on each role of the cycle. */
function reportCycles(components: readonly RoleEntry[][], diagnose: Diagnose): void {
  for (const component of components) {
    if (component.length < 2) continue;
    const names = component.map((role) => role.name).sort();
    for (const role of component) {
      diagnose(
        role.object,
        ['aggregationRule', 'clusterRoleSelectors'],
        'rbac-aggregation-cycle',
        `ClusterRole ${role.name} aggregates itself through ${names.filter((name) => name !== role.name).join(', ')}; each role of the cycle receives the rules of all of them`,
        'warning',
      );
    }
  }
}
