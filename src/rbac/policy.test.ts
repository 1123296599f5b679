/** Rule matching, identities, aggregation and the diagnostics for bad input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { impersonatedUser, parseServiceAccountUsername, serviceAccountUser } from './identity.js';
import { parseLabelSelector, selectorMatches } from './labelSelector.js';
import type { PolicyRule } from './model.js';
import { nonResourceURLMatches, resourceMatches, resourceNameMatches, verbMatches } from './rules.js';
import { ask, policyFromYaml } from './testSupport.js';

function rule(partial: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

test('resource matching: exact, *, */subresource, and nothing else', () => {
  const cases: Array<[string[], string, string, boolean]> = [
    [['pods'], 'pods', '', true],
    [['pods'], 'pods', 'exec', false],
    [['pods/exec'], 'pods', 'exec', true],
    [['pods/exec'], 'pods', '', false],
    [['*'], 'pods', 'exec', true],
    [['*/exec'], 'pods', 'exec', true],
    [['*/exec'], 'pods', '', false],
    [['*/exec'], 'pods', 'execute', false],
    [['*/scale'], 'deployments', 'scale', true],
    [['pods/*'], 'pods', 'exec', false], // no such wildcard: matched literally
    [['*/*'], 'pods', 'exec', false],
    [[], 'pods', '', false],
  ];
  for (const [resources, resource, subresource, expected] of cases) {
    assert.equal(resourceMatches(rule({ resources }), resource, subresource), expected, `${resources.join(',')} vs ${resource}/${subresource}`);
  }
});

test('verbs and names', () => {
  assert.equal(verbMatches(rule({ verbs: ['*'] }), 'anything'), true);
  assert.equal(verbMatches(rule({ verbs: ['get'] }), 'Get'), false);
  assert.equal(verbMatches(rule({ verbs: [] }), 'get'), false);
  assert.equal(resourceNameMatches(rule({}), ''), true);
  assert.equal(resourceNameMatches(rule({ resourceNames: ['a'] }), ''), false);
  assert.equal(resourceNameMatches(rule({ resourceNames: ['a'] }), 'a'), true);
  assert.equal(resourceNameMatches(rule({ resourceNames: ['*'] }), 'a'), false, 'resourceNames has no wildcard');
});

test('non-resource URLs: every trailing star is trimmed, a star elsewhere is literal', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['*'], '/anything', true],
    [['/api/*'], '/api/v1', true],
    [['/api/*'], '/api', false],
    [['/api*'], '/api', true],
    [['/api**'], '/apis', true],
    [['/a/*/b'], '/a/x/b', false],
    [['/a/*/b'], '/a/*/b', true],
    [['/healthz'], '/healthz/', false],
  ];
  for (const [urls, path, expected] of cases) assert.equal(nonResourceURLMatches(rule({ nonResourceURLs: urls }), path), expected, `${urls.join(',')} vs ${path}`);
});

test('identities as the API server builds them', () => {
  assert.deepEqual(serviceAccountUser('shop', 'ci'), {
    name: 'system:serviceaccount:shop:ci',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
  });
  assert.deepEqual(impersonatedUser('alice'), { name: 'alice', groups: ['system:authenticated'] });
  assert.deepEqual(impersonatedUser('alice', ['dev']), { name: 'alice', groups: ['dev', 'system:authenticated'] });
  assert.deepEqual(impersonatedUser('alice', ['system:authenticated', 'dev']), { name: 'alice', groups: ['system:authenticated', 'dev'] });
  assert.deepEqual(impersonatedUser('alice', ['system:unauthenticated']), { name: 'alice', groups: ['system:unauthenticated'] });
  assert.deepEqual(impersonatedUser('system:anonymous'), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.deepEqual(impersonatedUser('system:serviceaccount:shop:ci'), serviceAccountUser('shop', 'ci'));
  assert.deepEqual(impersonatedUser('system:serviceaccount:shop:ci', ['x']), { name: 'system:serviceaccount:shop:ci', groups: ['x', 'system:authenticated'] });
  assert.equal(parseServiceAccountUsername('system:serviceaccount:a:b:c'), undefined);
  assert.equal(parseServiceAccountUsername('system:serviceaccount::b'), undefined);
  assert.deepEqual(parseServiceAccountUsername('system:serviceaccount:a:b'), { namespace: 'a', name: 'b' });
});

test('label selectors: matchLabels and matchExpressions all must hold; an empty selector matches everything', () => {
  const parse = (value: unknown) => {
    const parsed = parseLabelSelector(value);
    assert.ok('selector' in parsed, JSON.stringify(parsed));
    return parsed.selector;
  };
  const labels = { a: '1', b: '2' };
  assert.equal(selectorMatches(parse({}), labels), true);
  assert.equal(selectorMatches(parse({ matchLabels: { a: '1' } }), labels), true);
  assert.equal(selectorMatches(parse({ matchLabels: { a: '1', c: '3' } }), labels), false);
  assert.equal(selectorMatches(parse({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '9'] }] }), labels), true);
  assert.equal(selectorMatches(parse({ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['1'] }] }), labels), true);
  assert.equal(selectorMatches(parse({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }), labels), false);
  assert.equal(selectorMatches(parse({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }), labels), true);
  assert.equal(selectorMatches(parse({ matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }), labels), false);
  assert.equal(selectorMatches(parse({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['3'] }] }), labels), false);
  assert.equal(selectorMatches(parse({ matchLabels: { ['__proto__']: 'x' } }), labels), false);
  for (const bad of [
    { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['1'] }] },
    { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['1'] }] },
    { matchLabels: { a: 1 } },
    'a=1',
  ]) {
    assert.ok('error' in parseLabelSelector(bad), JSON.stringify(bad));
  }
});

const BAD_INPUT = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: to-nowhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
subjects:
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: odd-subjects, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: Robot, name: r2d2}
- {kind: User}
- just-a-string
- {kind: User, name: bob}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
- not-a-rule
- {apiGroups: [""], resources: [pods], verbs: []}
- {apiGroups: ["apps/v1"], resources: [deployments], verbs: [get]}
- {apiGroups: [""], resources: [pod], verbs: [list]}
- {apiGroups: [""], resources: [pods, 7], verbs: [watch]}
- {apiGroups: [""], resources: [secrets], resourceNames: [""], verbs: [get]}
- {apiGroups: [""], resources: [pods], nonResourceURLs: [/x], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: narcissus, labels: {mirror: "yes"}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {mirror: "yes"}
  - matchExpressions: [{key: x, operator: Near}]
rules:
- {apiGroups: [""], resources: [pods], verbs: [delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ping, labels: {pong: "yes"}}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {ping: "yes"}}, {matchLabels: {leaf: "yes"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pong, labels: {ping: "yes"}}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {pong: "yes"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf, labels: {leaf: "yes"}}
rules:
- {apiGroups: [""], resources: [events], verbs: [delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pong}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pong}
subjects: [{kind: User, name: carol}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: narcissus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: narcissus}
subjects: [{kind: User, name: dan}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: to-a-role}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, name: erin}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: no-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, name: fay}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: no-role-ref, namespace: shop}
subjects: [{kind: User, name: gus}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: odd-subjects, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: User, name: bob}
`;

function lineOf(text: string, needle: string, occurrence = 1): number {
  let from = -1;
  for (let seen = 0; seen < occurrence; seen++) from = text.indexOf(needle, from + 1);
  assert.ok(from >= 0, `${needle} not in the fixture`);
  return text.slice(0, from).split('\n').length;
}

test('bad input becomes diagnostics with file and line, and the analysis goes on', () => {
  const policy = policyFromYaml(BAD_INPUT, 'bad.yaml');
  const found = policy.diagnostics.map((diagnostic) => `${diagnostic.code}:${diagnostic.line}`);
  const expect = (code: string, line: number): void => assert.ok(found.includes(`${code}:${line}`), `${code} at line ${line} not in ${found.join(' ')}`);
  for (const diagnostic of policy.diagnostics) assert.equal(diagnostic.file, 'bad.yaml');
  expect('rbac-missing-role', lineOf(BAD_INPUT, 'name: missing}'));
  expect('rbac-unknown-subject-kind', lineOf(BAD_INPUT, 'kind: Robot'));
  expect('rbac-invalid-subject', lineOf(BAD_INPUT, '- {kind: User}'));
  expect('rbac-invalid-subject', lineOf(BAD_INPUT, '- just-a-string'));
  expect('rbac-invalid-rule', lineOf(BAD_INPUT, '- not-a-rule'));
  expect('rbac-invalid-rule', lineOf(BAD_INPUT, 'verbs: []}'));
  expect('rbac-suspicious-rule', lineOf(BAD_INPUT, '"apps/v1"'));
  expect('rbac-suspicious-rule', lineOf(BAD_INPUT, 'resources: [pod]'));
  expect('rbac-invalid-rule', lineOf(BAD_INPUT, 'resources: [pods, 7]'));
  expect('rbac-suspicious-rule', lineOf(BAD_INPUT, 'resourceNames: [""]'));
  expect('rbac-invalid-rule', lineOf(BAD_INPUT, 'nonResourceURLs: [/x]'));
  expect('rbac-aggregation-self', lineOf(BAD_INPUT, '- matchLabels: {mirror: "yes"}'));
  expect('rbac-invalid-selector', lineOf(BAD_INPUT, 'operator: Near'));
  expect('rbac-aggregated-rules-replaced', lineOf(BAD_INPUT, 'resources: [pods], verbs: [delete]') - 1);
  expect('rbac-aggregation-cycle', lineOf(BAD_INPUT, 'clusterRoleSelectors: [{matchLabels: {ping'));
  expect('rbac-aggregation-cycle', lineOf(BAD_INPUT, 'clusterRoleSelectors: [{matchLabels: {pong'));
  expect('rbac-invalid-role-ref', lineOf(BAD_INPUT, 'kind: Role, name: reader'));
  expect('rbac-missing-namespace', lineOf(BAD_INPUT, 'metadata: {name: no-namespace}'));
  // roleRef is missing: the diagnostic points at the start of the object (its apiVersion line).
  expect('rbac-invalid-role-ref', lineOf(BAD_INPUT, 'metadata: {name: no-role-ref') - 2);
  expect('rbac-duplicate', lineOf(BAD_INPUT, 'metadata: {name: odd-subjects', 2));

  // The good parts still count.
  assert.equal(ask(policy, 'bob', { verb: 'get', resource: 'pods', namespace: 'shop', name: 'p' }).allowed, true);
  assert.equal(ask(policy, 'bob', { verb: 'watch', resource: 'pods', namespace: 'shop' }).allowed, true, 'the string entry of the list is dropped, not the rule');
  // The Robot subject matches no one; alice's role is missing; a ClusterRoleBinding to a Role grants nothing.
  assert.equal(ask(policy, 'r2d2', { verb: 'get', resource: 'pods', namespace: 'shop', name: 'p' }).allowed, false);
  assert.equal(ask(policy, 'alice', { verb: 'get', resource: 'pods', namespace: 'shop', name: 'p' }).unresolvedBindings.length, 1);
  assert.equal(ask(policy, 'erin', { verb: 'get', resource: 'pods', name: 'p', namespace: 'shop' }).allowed, false);
  // A RoleBinding without a namespace lands in default, as kubectl apply would put it.
  assert.equal(ask(policy, 'fay', { verb: 'get', resource: 'pods', namespace: 'default', name: 'p' }).allowed, true);
  // The aggregation controller skips the role itself and replaces written rules: narcissus grants nothing.
  assert.equal(ask(policy, 'dan', { verb: 'delete', resource: 'pods', namespace: 'shop', name: 'p' }).allowed, false);
  // A cycle gets the union of everything in it: pong ⊇ ping ⊇ leaf.
  assert.equal(ask(policy, 'carol', { verb: 'delete', resource: 'events', namespace: 'shop', name: 'e' }).allowed, true);
  // The duplicate RoleBinding replaced the first one: its subjects are gone.
  assert.equal(ask(policy, 'r2d2', { verb: 'get', resource: 'pods', namespace: 'shop', name: 'p' }).allowed, false);
});

test('a long chain of aggregated roles is resolved without recursion', () => {
  const documents: string[] = [];
  const depth = 3000;
  for (let index = 0; index < depth; index++) {
    documents.push(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r${index}, labels: {level: "${index}"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {level: "${index + 1}"}}]}`);
  }
  documents.push(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: bottom, labels: {level: "${depth}"}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: top}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r0}
subjects: [{kind: User, name: top}]`);
  const policy = policyFromYaml(documents.join('\n---\n'));
  assert.equal(ask(policy, 'top', { verb: 'get', resource: 'pods' }).allowed, true);
});
