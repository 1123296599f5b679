/** audit2rbac: generated RBAC allows every successful request (checked by the RBAC evaluator), nothing denied, names where possible; unused grants. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../load/load.js';
import { authorize } from '../rbac/authorize.js';
import { buildRbacPolicy } from '../rbac/policy.js';
import { coverage, generateRbac, policyFromObjects, requestOf, RequestCollector, unusedGrants } from './audit2rbac.js';
import { event, type EventSpec } from './testSupport.js';

const SA = 'system:serviceaccount:shop:cart';
const sa = (spec: Omit<EventSpec, 'user'>): EventSpec => ({ user: SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'], ...spec });

const TRACE: EventSpec[] = [
  sa({ verb: 'get', resource: 'configmaps', namespace: 'shop', name: 'cart-config' }),
  sa({ verb: 'update', resource: 'configmaps', namespace: 'shop', name: 'cart-config' }),
  sa({ verb: 'list', resource: 'pods', namespace: 'shop' }),
  sa({ verb: 'watch', resource: 'pods', namespace: 'shop' }),
  sa({ verb: 'create', resource: 'events', namespace: 'shop', apiGroup: 'events.k8s.io' }),
  sa({ verb: 'get', resource: 'deployments', subresource: 'scale', namespace: 'shop', name: 'cart', apiGroup: 'apps' }),
  sa({ verb: 'get', resource: 'secrets', namespace: 'billing', name: 'stripe' }),
  sa({ verb: 'list', resource: 'nodes' }),
  sa({ verb: 'list', resource: 'pods' }),
  // Denied: must not be granted.
  sa({ verb: 'list', resource: 'secrets', namespace: 'shop', code: 403, decision: 'forbid' }),
  sa({ verb: 'delete', resource: 'pods', namespace: 'shop', name: 'x', code: 403, decision: 'forbid' }),
  // Another identity: not selected.
  { verb: 'delete', resource: 'namespaces', name: 'prod', user: 'alice' },
];

function collect(specs: readonly EventSpec[]): RequestCollector {
  const collector = new RequestCollector({ kind: 'serviceAccount', namespace: 'shop', name: 'cart' });
  for (const spec of specs) collector.add(event(spec));
  // The same request logged at two stages counts once.
  collector.add(event({ ...TRACE[0]!, auditID: 'dup', stage: 'ResponseStarted' }));
  collector.add(event({ ...TRACE[0]!, auditID: 'dup' }));
  return collector;
}

test('the generated roles allow every successful request, per the RBAC evaluator, and nothing that was denied', () => {
  const collector = collect(TRACE);
  assert.deepEqual([...collector.identities.keys()], [SA]);
  const identity = collector.identities.get(SA)!;
  assert.equal(identity.denied, 2);
  const objects = generateRbac(identity);
  assert.deepEqual(objects.map((object) => `${object.kind as string}/${(object.metadata as { namespace?: string }).namespace ?? ''}`), ['ClusterRole/', 'ClusterRoleBinding/', 'Role/billing', 'RoleBinding/billing', 'Role/shop', 'RoleBinding/shop']);
  const policy = policyFromObjects(objects);
  const user = { name: SA, groups: [] };
  for (const spec of TRACE.filter((item) => item.user === SA && item.code === undefined)) assert.ok(authorize(policy, user, requestOf(event(spec))).allowed, JSON.stringify(spec));
  assert.deepEqual(coverage(policy, identity), { allowed: identity.requests.size, total: identity.requests.size, notAllowed: [] });
  for (const spec of TRACE.filter((item) => item.code === 403)) assert.ok(!authorize(policy, user, requestOf(event(spec))).allowed, `denied request stays denied: ${JSON.stringify(spec)}`);
  // Least privilege: named objects only, no other verbs, no other namespaces.
  const ask = (verb: string, resource: string, namespace: string, name = '', apiGroup = '', subresource = '') => authorize(policy, user, { kind: 'resource', verb, apiGroup, resource, subresource, name, namespace }).allowed;
  assert.ok(!ask('get', 'configmaps', 'shop', 'other-config'), 'get limited to the name used');
  assert.ok(!ask('get', 'secrets', 'billing', 'other'));
  assert.ok(!ask('delete', 'configmaps', 'shop', 'cart-config'));
  assert.ok(ask('list', 'pods', ''), 'pods were listed across all namespaces');
  assert.ok(!ask('watch', 'pods', ''), 'but only watched in shop');
  assert.ok(!ask('get', 'deployments', 'shop', 'cart', 'apps'), 'the scale subresource does not give the deployment');
  const shopRole = objects.find((object) => object.kind === 'Role' && (object.metadata as { namespace: string }).namespace === 'shop') as { rules: { resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
  assert.deepEqual(shopRole.rules.find((rule) => rule.resources.includes('configmaps')), { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cart-config'], verbs: ['get', 'update'] });
  assert.deepEqual(shopRole.rules.find((rule) => rule.resources.includes('pods'))?.verbs, ['list', 'watch']);
});

test('granted but never used: rules of the current RBAC no observed request needed', () => {
  const identity = collect(TRACE).identities.get(SA)!;
  const current = buildRbacPolicy(
    loadText(
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cart, namespace: shop}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, update]}
- {apiGroups: [""], resources: [secrets], verbs: [get, list, delete]}
- {apiGroups: [""], resources: [pods], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cart, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cart}
subjects: [{kind: ServiceAccount, name: cart, namespace: shop}]
`,
      'current.yaml',
    ).objects,
  );
  const unused = unusedGrants(current, identity);
  assert.equal(unused.length, 1);
  assert.deepEqual(unused[0]!.rule.resources, ['secrets']);
  assert.equal(unused[0]!.scope, 'shop');
});

test('--all-service-accounts: one set of roles per service account; users are left out', () => {
  const collector = new RequestCollector({ kind: 'allServiceAccounts' });
  collector.add(event(sa({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'a' })));
  collector.add(event({ verb: 'get', resource: 'pods', namespace: 'ops', name: 'b', user: 'system:serviceaccount:ops:bot' }));
  collector.add(event({ verb: 'get', resource: 'pods', namespace: 'ops', name: 'b', user: 'alice' }));
  collector.add(event({ verb: 'get', resource: '', user: 'system:serviceaccount:ops:bot' }));
  assert.deepEqual([...collector.identities.keys()].sort(), ['system:serviceaccount:ops:bot', SA]);
  const bot = collector.identities.get('system:serviceaccount:ops:bot')!;
  const objects = generateRbac(bot);
  assert.equal(coverage(policyFromObjects(objects), bot).allowed, 2);
  const clusterRole = objects.find((object) => object.kind === 'ClusterRole') as { rules: { nonResourceURLs?: string[] }[] };
  assert.deepEqual(clusterRole.rules[0]!.nonResourceURLs, ['/api/v1/']);
});
