/** Attack scenarios on the built-in rules: workloads and patches, crypto-mining, tokens, correlation. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BoundedMap, type DetectionEngine } from './engine.js';
import { builtinEngine, deployment, event, podSpec, ruleIds, type EventSpec } from './testSupport.js';

let shared: DetectionEngine;
before(() => {
  shared = builtinEngine();
});

const fired = (spec: EventSpec, engine: DetectionEngine = shared): string[] => ruleIds(engine.process(event(spec)));

test('a privileged container is found in every workload kind, through the effective security context', () => {
  const privileged = podSpec({ securityContext: { privileged: true } });
  assert.ok(fired({ verb: 'create', resource: 'deployments', apiGroup: 'apps', namespace: 'default', requestObject: deployment(privileged) }).includes('audit-privileged-pod'));
  const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: privileged } } } } };
  assert.ok(fired({ verb: 'create', resource: 'cronjobs', namespace: 'default', requestObject: cronJob }).includes('audit-privileged-pod'));
  // Not privileged: a container that sets privileged: false.
  assert.ok(!fired({ verb: 'create', resource: 'deployments', namespace: 'default', requestObject: deployment(podSpec({ securityContext: { privileged: false } })) }).includes('audit-privileged-pod'));
  // Capabilities come through the effective context too.
  assert.ok(fired({ verb: 'create', resource: 'pods', namespace: 'default', requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: podSpec({ securityContext: { capabilities: { add: ['CAP_SYS_ADMIN'] } } }) } }).includes('audit-dangerous-capabilities'));
});

test('PATCH: the response object when logged, else the patch content (JSON patch and merge patch)', () => {
  const jsonPatch = [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext', value: { privileged: true } }];
  assert.ok(fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: jsonPatch }).includes('audit-privileged-pod'));
  const mergePatch = { spec: { template: { spec: { hostPID: true, containers: [{ name: 'app', $patch: 'merge' }] } } } };
  assert.ok(fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: mergePatch }).includes('audit-host-pid-pod'));
  // The response (the object after the patch) wins over the patch: here the patch sets a label, the object was already fine.
  const labels = [{ op: 'add', path: '/metadata/labels/x', value: 'y' }];
  assert.ok(!fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: labels, responseObject: deployment(podSpec({})) }).includes('audit-privileged-pod'));
  assert.ok(fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: labels, responseObject: deployment(podSpec({}, { hostNetwork: true })) }).includes('audit-host-network-pod'));
});

test('crypto-mining: miner image, stratum URL in env, pool host in args, limits removed, big scale-up', () => {
  const create = (spec: Record<string, unknown>) => fired({ verb: 'create', resource: 'deployments', namespace: 'default', requestObject: deployment(spec) });
  assert.ok(create(podSpec({ image: 'docker.io/someone/xmrig:6.21' })).includes('audit-miner-image'));
  assert.ok(!create(podSpec({ image: 'docker.io/library/nginx:1.27' })).includes('audit-miner-image'));
  assert.ok(create(podSpec({ env: [{ name: 'POOL', value: 'stratum+tcp://203.0.113.9:3333' }] })).includes('audit-stratum-url'));
  assert.ok(create(podSpec({ args: ['-o', 'gulf.moneroocean.stream:10128', '--donate-level', '1'] })).includes('audit-mining-pool-host'));
  assert.ok(create(podSpec({ args: ['-o', 'gulf.moneroocean.stream:10128', '--donate-level', '1'] })).includes('audit-miner-arguments'));
  const remove = [{ op: 'remove', path: '/spec/template/spec/containers/0/resources/limits' }];
  assert.ok(fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: remove }).includes('audit-resource-limits-removed'));
  const mergeNull = { spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: null } }] } } } };
  assert.ok(fired({ verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: mergeNull }).includes('audit-resource-limits-removed'));
  assert.ok(fired({ verb: 'patch', resource: 'deployments', subresource: 'scale', namespace: 'default', name: 'web', requestObject: { spec: { replicas: 200 } } }).includes('audit-large-scale-up'));
  assert.ok(!fired({ verb: 'patch', resource: 'deployments', subresource: 'scale', namespace: 'default', name: 'web', requestObject: { spec: { replicas: 3 } } }).includes('audit-large-scale-up'));
});

test('exec is reported once per request although the API server logs two stages', () => {
  const engine = builtinEngine();
  const spec: EventSpec = { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', auditID: 'exec-1', code: 101 };
  assert.ok(fired({ ...spec, stage: 'ResponseStarted' }, engine).includes('audit-exec-pod'));
  assert.ok(!fired({ ...spec, stage: 'ResponseComplete' }, engine).includes('audit-exec-pod'));
});

const SA = 'system:serviceaccount:shop:cart';
const podToken = (pod: string, node: string, uid = 'uid-1'): Record<string, string[]> => ({
  'authentication.kubernetes.io/pod-name': [pod],
  'authentication.kubernetes.io/pod-uid': [uid],
  'authentication.kubernetes.io/node-name': [node],
  'authentication.kubernetes.io/credential-id': ['JTI=abc'],
});

test('token misuse: a pod-bound token used off its node, and after its pod was deleted', () => {
  const engine = builtinEngine();
  // The kubelet of node-a shows the node's address.
  fired({ verb: 'get', resource: 'nodes', name: 'node-a', user: 'system:node:node-a', sourceIPs: ['10.0.1.10'], userAgent: 'kubelet/v1.30' }, engine);
  assert.ok(!fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: SA, extra: podToken('cart-1', 'node-a'), sourceIPs: ['10.0.1.10'], userAgent: 'Go-http-client/2.0' }, engine).includes('audit-token-used-off-node'));
  const stolen = fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: SA, extra: podToken('cart-1', 'node-a'), sourceIPs: ['198.51.100.7'], userAgent: 'Go-http-client/2.0' }, engine);
  assert.ok(stolen.includes('audit-token-used-off-node'));
  // Deleted pod: used 10 s after deletion is the grace period; 5 minutes after is misuse.
  fired({ verb: 'delete', resource: 'pods', namespace: 'shop', name: 'cart-1', time: '2026-01-01T00:00:00Z' }, engine);
  assert.ok(!fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: SA, extra: podToken('cart-1', 'node-a'), sourceIPs: ['10.0.1.10'], time: '2026-01-01T00:00:10Z' }, engine).includes('audit-token-used-after-pod-deleted'));
  assert.ok(fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: SA, extra: podToken('cart-1', 'node-a'), sourceIPs: ['10.0.1.10'], time: '2026-01-01T00:05:00Z' }, engine).includes('audit-token-used-after-pod-deleted'));
  // A pod of the same name created again (a StatefulSet) clears the record.
  fired({ verb: 'create', resource: 'pods', namespace: 'shop', name: 'cart-1', code: 201, time: '2026-01-01T00:06:00Z', user: 'system:serviceaccount:kube-system:statefulset-controller' }, engine);
  assert.ok(!fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: SA, extra: podToken('cart-1', 'node-a', 'uid-2'), sourceIPs: ['10.0.1.10'], time: '2026-01-01T00:09:00Z' }, engine).includes('audit-token-used-after-pod-deleted'));
});

test('threshold: 20 forbidden answers to one identity within a minute, reported once', () => {
  const engine = builtinEngine();
  let count = 0;
  for (let second = 0; second < 25; second++) {
    const alerts = fired({ verb: 'list', resource: 'secrets', namespace: `ns${second}`, code: 403, decision: 'forbid', user: 'mallory', time: `2026-01-01T00:00:${String(second).padStart(2, '0')}Z` }, engine);
    count += alerts.filter((id) => id === 'audit-forbidden-burst').length;
    if (second === 18) assert.equal(count, 0, 'not before the 20th');
  }
  assert.equal(count, 1);
  // Spread over 20 minutes: never 20 in one window.
  const slow = builtinEngine();
  let slowCount = 0;
  for (let minute = 0; minute < 25; minute++) slowCount += fired({ verb: 'get', resource: 'pods', code: 403, user: 'bob', time: `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z` }, slow).filter((id) => id === 'audit-forbidden-burst').length;
  assert.equal(slowCount, 0);
});

test('sequence: a pod created then exec\'d into within ten minutes; not after', () => {
  const engine = builtinEngine();
  fired({ verb: 'create', resource: 'pods', namespace: 'default', name: 'tool', code: 201, time: '2026-01-01T00:00:00Z', requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'tool' }, spec: podSpec({}) } }, engine);
  assert.ok(fired({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'tool', code: 101, stage: 'ResponseStarted', time: '2026-01-01T00:03:00Z' }, engine).includes('audit-exec-after-create'));
  fired({ verb: 'create', resource: 'pods', namespace: 'default', name: 'old', code: 201, time: '2026-01-01T00:00:00Z', requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'old' }, spec: podSpec({}) } }, engine);
  assert.ok(!fired({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'old', code: 101, stage: 'ResponseStarted', time: '2026-01-01T00:30:00Z' }, engine).includes('audit-exec-after-create'));
});

test('first-seen: after the learning hour, a known identity using a new verb on a resource', () => {
  const engine = builtinEngine();
  const sa = 'system:serviceaccount:shop:cart';
  fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: sa, time: '2026-01-01T00:00:00Z' }, engine);
  // Within the learning period: learned, not reported.
  assert.ok(!fired({ verb: 'list', resource: 'pods', namespace: 'shop', user: sa, time: '2026-01-01T00:30:00Z' }, engine).includes('audit-first-seen-permission'));
  assert.ok(!fired({ verb: 'get', resource: 'configmaps', namespace: 'shop', user: sa, time: '2026-01-01T02:00:00Z' }, engine).includes('audit-first-seen-permission'));
  assert.ok(!fired({ verb: 'list', resource: 'pods', namespace: 'shop', user: sa, time: '2026-01-01T02:00:00Z' }, engine).includes('audit-first-seen-permission'));
  assert.ok(fired({ verb: 'list', resource: 'secrets', namespace: 'shop', user: sa, time: '2026-01-01T02:01:00Z' }, engine).includes('audit-first-seen-permission'));
});

test('correlation state is bounded', () => {
  const engine = builtinEngine([], { maxStateEntries: 50 });
  for (let index = 0; index < 500; index++) fired({ verb: 'get', resource: 'pods', code: 403, user: `user-${index}` }, engine);
  const map = new BoundedMap<number, number>(3);
  for (let index = 0; index < 10; index++) map.set(index, index);
  assert.equal(map.size, 3);
  assert.equal(map.get(9), 9);
  assert.equal(map.get(0), undefined);
});

test('RBAC, access and exposure rules on their own events', () => {
  const binding = { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'system:unauthenticated' }] };
  assert.ok(fired({ verb: 'create', resource: 'clusterrolebindings', requestObject: binding }).includes('audit-binding-to-anonymous'));
  const role = { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['escalate'] }] };
  assert.ok(fired({ verb: 'update', resource: 'roles', namespace: 'default', name: 'r', requestObject: role }).includes('audit-escalation-verbs-role'));
  assert.ok(fired({ verb: 'list', resource: 'secrets', user: 'eve' }).includes('audit-secrets-listed-cluster-wide'));
  assert.ok(!fired({ verb: 'list', resource: 'secrets', user: 'system:kube-controller-manager' }).includes('audit-secrets-listed-cluster-wide'));
  assert.ok(fired({ verb: 'get', resource: 'pods', user: 'alice', impersonate: 'system:serviceaccount:kube-system:admin' }).includes('audit-impersonation'));
  const service = { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'ClusterIP', externalIPs: ['203.0.113.1'] } };
  assert.ok(fired({ verb: 'create', resource: 'services', namespace: 'default', requestObject: service }).includes('audit-service-external-ips'));
  const ingress = { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'i' }, spec: { rules: [{ host: 'a.example' }] } };
  assert.ok(fired({ verb: 'create', resource: 'ingresses', namespace: 'default', code: 201, requestObject: ingress }).includes('audit-ingress-without-tls'));
  assert.ok(!fired({ verb: 'create', resource: 'ingresses', namespace: 'default', code: 201, requestObject: { ...ingress, spec: { ...ingress.spec, tls: [{ hosts: ['a.example'] }] } } }).includes('audit-ingress-without-tls'));
  assert.ok(fired({ verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1', user: 'eve', code: 200 }).includes('audit-node-proxy'));
});

test('correlation state: a snapshot restored into a new engine (through JSON) remembers first-seen values, sequences, thresholds and token facts', () => {
  const t = (seconds: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();
  const original = builtinEngine();
  // Learning (one hour) starts with the first event; alice uses get on pods.
  original.process(event({ verb: 'get', resource: 'pods', namespace: 'team', name: 'a', user: 'alice', time: t(0) }));
  // eve creates a pod (the first step of exec-after-create).
  original.process(event({ verb: 'create', resource: 'pods', namespace: 'team', name: 'tool', user: 'eve', code: 201, time: t(1) }));
  // 19 forbidden requests by mallory: one short of the threshold.
  for (let index = 0; index < 19; index++) original.process(event({ verb: 'list', resource: 'secrets', namespace: 'team', user: 'mallory', code: 403, decision: 'forbid', time: t(2) }));
  const state = JSON.parse(JSON.stringify(original.snapshot())) as unknown;

  const after = builtinEngine();
  assert.ok(after.restore(state) > 0);
  const later = new Date(Date.UTC(2026, 0, 1, 13, 30)).toISOString();
  // Past the learning period counted from the restored first event: alice's new verb is reported.
  assert.ok(fired({ verb: 'delete', resource: 'pods', namespace: 'team', name: 'a', user: 'alice', time: later }, after).includes('audit-first-seen-permission'));
  // An engine without the state has never seen alice (and is still learning).
  assert.ok(!fired({ verb: 'delete', resource: 'pods', namespace: 'team', name: 'a', user: 'alice', time: later }, builtinEngine()).includes('audit-first-seen-permission'));
  assert.ok(fired({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team', name: 'tool', user: 'eve', code: 101, stage: 'ResponseStarted', time: t(30) }, after).includes('audit-exec-after-create'));
  assert.ok(fired({ verb: 'list', resource: 'secrets', namespace: 'team', user: 'mallory', code: 403, decision: 'forbid', time: t(3) }, after).includes('audit-forbidden-burst'));
});

test('correlation state: entries of a rule whose correlation type changed, unknown rules and malformed data are ignored', () => {
  const engine = builtinEngine();
  assert.equal(engine.restore(null), 0);
  assert.equal(engine.restore({ version: 2 }), 0);
  const restored = engine.restore({
    version: 1,
    rules: {
      'audit-forbidden-burst': { type: 'sequence', entries: [['mallory', 1]] },
      'no-such-rule': { type: 'threshold', entries: [['x', 1, 1, false]] },
      'audit-exec-after-create': { type: 'sequence', entries: [['team/tool', 'not a number'], 42] },
    },
    nodeAddresses: [['node-1', ['10.0.0.1']], ['bad']],
    deletedPods: 'nope',
  });
  assert.equal(restored, 1, 'only the node address');
});
