/** Every built-in rule fires on an event written for it, and stays quiet on a harmless neighbour. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from './engine.js';
import { buildRuleSet, builtinRuleTexts } from './rules.js';
import { deployment, event, podSpec, type EventSpec } from './testSupport.js';

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: podSpec(spec, extra) });
const role = (rules: unknown[]): Record<string, unknown> => ({ kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r' }, rules });
const binding = (roleName: string, subject = 'alice'): Record<string, unknown> => ({ kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: subject }] });
const createPod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}, namespace = 'default'): EventSpec => ({ verb: 'create', resource: 'pods', namespace, name: 'p', code: 201, requestObject: pod(spec, extra) });
const SA_TOKEN = { 'authentication.kubernetes.io/pod-name': ['a-1'], 'authentication.kubernetes.io/pod-uid': ['u1'], 'authentication.kubernetes.io/node-name': ['n1'] };

/** Each rule: events leading up to it (state for correlation rules), the event that must fire it, and a similar event that must not. */
const CASES: Record<string, { before?: EventSpec[]; fires: EventSpec; quiet: EventSpec }> = {
  'audit-privileged-pod': { fires: createPod({ securityContext: { privileged: true } }), quiet: createPod({}) },
  'audit-host-network-pod': { fires: createPod({}, { hostNetwork: true }), quiet: createPod({}, { hostNetwork: false }) },
  'audit-host-pid-pod': { fires: createPod({}, { hostPID: true }), quiet: createPod({}) },
  'audit-host-ipc-pod': { fires: createPod({}, { hostIPC: true }), quiet: createPod({}) },
  'audit-sensitive-host-mount': { fires: createPod({}, { volumes: [{ name: 'v', hostPath: { path: '/var/run/docker.sock' } }] }), quiet: createPod({}, { volumes: [{ name: 'v', hostPath: { path: '/data' } }] }) },
  'audit-host-path-mount': { fires: createPod({}, { volumes: [{ name: 'v', hostPath: { path: '/data' } }] }), quiet: createPod({}, { volumes: [{ name: 'v', emptyDir: {} }] }) },
  'audit-dangerous-capabilities': { fires: createPod({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), quiet: createPod({ securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }) },
  'audit-host-port': { fires: createPod({ ports: [{ containerPort: 80, hostPort: 80 }] }), quiet: createPod({ ports: [{ containerPort: 80 }] }) },
  'audit-pod-in-kube-namespace': { fires: createPod({ image: 'docker.io/evil/backdoor:1' }, {}, 'kube-system'), quiet: createPod({ image: 'docker.io/evil/backdoor:1' }, {}, 'default') },
  'audit-image-not-allowed': { fires: createPod({ image: 'docker.io/other/app:1' }), quiet: createPod({ image: 'registry.k8s.io/pause:3.9' }) },
  'audit-untrusted-registry': { fires: createPod({ image: 'evil.example.com/app:1' }), quiet: createPod({ image: 'quay.io/app/app:1' }) },
  'audit-ephemeral-container': { fires: { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'default', name: 'p' }, quiet: { verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'default', name: 'p' } },
  'audit-cronjob-created': { fires: { verb: 'create', resource: 'cronjobs', namespace: 'default', name: 'c' }, quiet: { verb: 'create', resource: 'cronjobs', namespace: 'default', name: 'c', user: 'system:serviceaccount:x:y' } },
  'audit-sidecar-injected': { fires: { verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'x', image: 'a' } }] }, quiet: { verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: [{ op: 'replace', path: '/spec/replicas', value: 2 }] } },
  'audit-miner-image': { fires: createPod({ image: 'docker.io/x/xmrig:latest' }), quiet: createPod({ image: 'docker.io/x/xmlrpc:latest' }) },
  'audit-stratum-url': { fires: createPod({ args: ['--url=stratum+tcp://1.2.3.4:3333'] }), quiet: createPod({ args: ['--url=https://1.2.3.4'] }) },
  'audit-mining-pool-host': { fires: createPod({ env: [{ name: 'P', value: 'pool.supportxmr.com:443' }] }), quiet: createPod({ env: [{ name: 'P', value: 'db.example.com:5432' }] }) },
  'audit-miner-arguments': { fires: createPod({ args: ['--donate-level=1'] }), quiet: createPod({ args: ['--level=1'] }) },
  'audit-resource-limits-removed': { fires: { verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: [{ op: 'remove', path: '/spec/template/spec/containers/0/resources/limits/cpu' }] }, quiet: { verb: 'patch', resource: 'deployments', namespace: 'default', name: 'web', requestObject: [{ op: 'remove', path: '/spec/template/spec/containers/0/env' }] } },
  'audit-large-scale-up': { fires: { verb: 'update', resource: 'deployments', subresource: 'scale', namespace: 'default', name: 'web', requestObject: { spec: { replicas: 80 } } }, quiet: { verb: 'update', resource: 'deployments', subresource: 'scale', namespace: 'default', name: 'web', requestObject: { spec: { replicas: 8 } } } },
  'audit-exec-pod': { fires: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', code: 101 }, quiet: { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default', name: 'p' } },
  'audit-exec-kube-system': { fires: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'kube-system', name: 'p', code: 101 }, quiet: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', code: 101 } },
  'audit-port-forward': { fires: { verb: 'create', resource: 'pods', subresource: 'portforward', namespace: 'default', name: 'p' }, quiet: { verb: 'get', resource: 'pods', namespace: 'default', name: 'p' } },
  'audit-node-proxy': { fires: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1' }, quiet: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1', user: 'system:kube-apiserver' } },
  'audit-anonymous-allowed': { fires: { verb: 'get', resource: '', user: 'system:anonymous', groups: ['system:unauthenticated'] }, quiet: { verb: 'get', resource: '', user: 'system:anonymous', decision: 'forbid', code: 403 } },
  'audit-unauthenticated-group-allowed': { fires: { verb: 'get', resource: 'pods', user: 'weird', groups: ['system:unauthenticated'] }, quiet: { verb: 'get', resource: 'pods', user: 'weird', groups: ['system:authenticated'] } },
  'audit-user-not-allowed': { fires: { verb: 'get', resource: 'pods', user: 'mallory' }, quiet: { verb: 'get', resource: 'pods', user: 'kubernetes-admin' } },
  'audit-full-admin-user': { fires: { verb: 'get', resource: 'pods', user: 'kubernetes-admin' }, quiet: { verb: 'get', resource: 'pods', user: 'alice' } },
  'audit-impersonation': { fires: { verb: 'get', resource: 'pods', impersonate: 'bob' }, quiet: { verb: 'get', resource: 'pods' } },
  'audit-secret-read': { fires: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }, quiet: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's', code: 403 } },
  'audit-secret-read-denied': { fires: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's', code: 403 }, quiet: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's' } },
  'audit-secret-read-unexpected': { fires: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's', user: 'system:serviceaccount:shop:cart' }, quiet: { verb: 'get', resource: 'secrets', namespace: 'default', name: 's', user: 'system:node:n1' } },
  'audit-secrets-listed-cluster-wide': { fires: { verb: 'list', resource: 'secrets' }, quiet: { verb: 'list', resource: 'secrets', namespace: 'default' } },
  'audit-configmap-credentials': { fires: { verb: 'create', resource: 'configmaps', namespace: 'default', name: 'c', requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { DB_PASSWORD: 'x' } } }, quiet: { verb: 'create', resource: 'configmaps', namespace: 'default', name: 'c', requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { LOG_LEVEL: 'debug' } } } },
  'audit-token-requested': { fires: { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'sa', code: 201 }, quiet: { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'sa', code: 201, user: 'system:node:n1' } },
  'audit-legacy-token-secret-created': { fires: { verb: 'create', resource: 'secrets', namespace: 'default', name: 't', requestObject: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 't' }, type: 'kubernetes.io/service-account-token' } }, quiet: { verb: 'create', resource: 'secrets', namespace: 'default', name: 't', requestObject: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 't' }, type: 'Opaque' } } },
  'audit-csr-approved': { fires: { verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c' }, quiet: { verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c', user: 'system:kube-controller-manager' } },
  'audit-events-deleted': { fires: { verb: 'deletecollection', resource: 'events', namespace: 'default' }, quiet: { verb: 'list', resource: 'events', namespace: 'default' } },
  'audit-admission-webhook-changed': { fires: { verb: 'create', resource: 'mutatingwebhookconfigurations', name: 'w' }, quiet: { verb: 'get', resource: 'mutatingwebhookconfigurations', name: 'w' } },
  'audit-node-joined': { fires: { verb: 'create', resource: 'nodes', name: 'rogue', code: 201 }, quiet: { verb: 'create', resource: 'nodes', name: 'n1', code: 201 } },
  'audit-node-join-refused': { fires: { verb: 'create', resource: 'nodes', name: 'rogue', code: 403 }, quiet: { verb: 'create', resource: 'nodes', name: 'n1', code: 403 } },
  'audit-cluster-admin-binding': { fires: { verb: 'create', resource: 'clusterrolebindings', name: 'b', requestObject: binding('cluster-admin') }, quiet: { verb: 'create', resource: 'clusterrolebindings', name: 'b', requestObject: binding('view') } },
  'audit-binding-to-anonymous': { fires: { verb: 'create', resource: 'clusterrolebindings', name: 'b', requestObject: binding('view', 'system:anonymous') }, quiet: { verb: 'create', resource: 'clusterrolebindings', name: 'b', requestObject: binding('view') } },
  'audit-wildcard-role': { fires: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]) }, quiet: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]) } },
  'audit-write-role': { fires: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }]) }, quiet: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]) } },
  'audit-exec-role': { fires: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]) }, quiet: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]) } },
  'audit-escalation-verbs-role': { fires: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'] }]) }, quiet: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['users'], verbs: ['get'] }]) } },
  'audit-secret-access-role': { fires: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]) }, quiet: { verb: 'create', resource: 'clusterroles', name: 'r', requestObject: role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }]) } },
  'audit-system-role-changed': { fires: { verb: 'patch', resource: 'clusterroles', name: 'system:node' }, quiet: { verb: 'patch', resource: 'clusterroles', name: 'system:coredns' } },
  'audit-sa-in-kube-namespace': { fires: { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'helper', code: 201 }, quiet: { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'coredns', code: 201 } },
  'audit-nodeport-service': { fires: { verb: 'create', resource: 'services', namespace: 'default', name: 's', requestObject: { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'NodePort' } } }, quiet: { verb: 'create', resource: 'services', namespace: 'default', name: 's', requestObject: { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'ClusterIP' } } } },
  'audit-loadbalancer-service': { fires: { verb: 'create', resource: 'services', namespace: 'default', name: 's', requestObject: { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'LoadBalancer' } } }, quiet: { verb: 'create', resource: 'services', namespace: 'default', name: 's', requestObject: { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'NodePort' } } } },
  'audit-service-external-ips': { fires: { verb: 'patch', resource: 'services', namespace: 'default', name: 's', requestObject: { spec: { externalIPs: ['1.2.3.4'] } } }, quiet: { verb: 'patch', resource: 'services', namespace: 'default', name: 's', requestObject: { spec: { ports: [] } } } },
  'audit-ingress-without-tls': { fires: { verb: 'create', resource: 'ingresses', namespace: 'default', name: 'i', code: 201, requestObject: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'i' }, spec: {} } }, quiet: { verb: 'create', resource: 'ingresses', namespace: 'default', name: 'i', code: 201, requestObject: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'i' }, spec: { tls: [{}] } } } },
  'audit-namespace-not-allowed': { fires: { verb: 'create', resource: 'namespaces', name: 'crypto' }, quiet: { verb: 'create', resource: 'namespaces', name: 'default' } },
  'audit-token-used-off-node': { before: [{ verb: 'get', resource: 'nodes', name: 'n1', user: 'system:node:n1', sourceIPs: ['10.0.0.1'] }], fires: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', extra: SA_TOKEN, sourceIPs: ['203.0.113.5'] }, quiet: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', extra: SA_TOKEN, sourceIPs: ['10.0.0.1'] } },
  'audit-token-used-after-pod-deleted': { before: [{ verb: 'delete', resource: 'pods', namespace: 'a', name: 'a-1', time: '2026-01-01T00:00:00Z' }], fires: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', extra: SA_TOKEN, time: '2026-01-01T01:00:00Z' }, quiet: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', extra: { ...SA_TOKEN, 'authentication.kubernetes.io/pod-name': ['a-2'], 'authentication.kubernetes.io/pod-uid': ['u2'] }, time: '2026-01-01T01:00:00Z' } },
  'audit-sa-token-from-outside': { fires: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', userAgent: 'kubectl/v1.31.0' }, quiet: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', userAgent: 'controller/v1' } },
  'audit-forbidden-burst': { before: Array.from({ length: 19 }, () => ({ verb: 'get', resource: 'secrets', code: 403, user: 'mallory' })), fires: { verb: 'get', resource: 'secrets', code: 403, user: 'mallory' }, quiet: { verb: 'get', resource: 'secrets', code: 403, user: 'someone-else' } },
  'audit-unauthorized-burst': { before: Array.from({ length: 19 }, () => ({ verb: 'get', resource: 'pods', code: 401, sourceIPs: ['198.51.100.1'] })), fires: { verb: 'get', resource: 'pods', code: 401, sourceIPs: ['198.51.100.1'] }, quiet: { verb: 'get', resource: 'pods', code: 401, sourceIPs: ['198.51.100.2'] } },
  'audit-secret-enumeration': { before: Array.from({ length: 29 }, (_, index) => ({ verb: 'get', resource: 'secrets', namespace: 'default', name: `s${index}`, user: 'eve' })), fires: { verb: 'get', resource: 'secrets', namespace: 'default', name: 'last', user: 'eve' }, quiet: { verb: 'get', resource: 'secrets', namespace: 'default', name: 'x', user: 'frank' } },
  'audit-exec-after-create': { before: [createPod({})], fires: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', code: 101 }, quiet: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'other', code: 101 } },
  'audit-first-seen-permission': {
    before: [{ verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', time: '2026-01-01T00:00:00Z' }, { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', time: '2026-01-01T05:00:00Z' }],
    fires: { verb: 'delete', resource: 'pods', user: 'system:serviceaccount:a:b', time: '2026-01-01T05:00:00Z' },
    quiet: { verb: 'get', resource: 'pods', user: 'system:serviceaccount:a:b', time: '2026-01-01T05:00:00Z' },
  },
};

for (const kind of ['workload', 'service', 'configmap', 'namespace', 'serviceaccount', 'role', 'rolebinding', 'secret']) {
  const resource = { workload: 'deployments', service: 'services', configmap: 'configmaps', namespace: 'namespaces', serviceaccount: 'serviceaccounts', role: 'roles', rolebinding: 'rolebindings', secret: 'secrets' }[kind]!;
  CASES[`audit-${kind}-created`] = { fires: { verb: 'create', resource, namespace: 'default', name: 'x', code: 201, requestObject: kind === 'workload' ? deployment(podSpec({})) : undefined }, quiet: { verb: 'create', resource, namespace: 'default', name: 'x', code: 409 } };
  CASES[`audit-${kind}-deleted`] = { fires: { verb: 'delete', resource, namespace: 'default', name: 'x', code: 200 }, quiet: { verb: 'delete', resource, namespace: 'default', name: 'x', code: 404 } };
}

test('each built-in rule has a case here, fires on it, and not on its harmless neighbour', () => {
  const set = buildRuleSet(builtinRuleTexts());
  assert.deepEqual(set.rules.map((rule) => rule.id).filter((id) => CASES[id] === undefined), [], 'rules without a case');
  const lists = { ...set.lists, allowedImages: ['registry.k8s.io/pause'], allowedNodes: ['n1'] };
  for (const rule of set.rules) {
    const testCase = CASES[rule.id]!;
    const run = (spec: EventSpec): string[] => {
      // A fresh engine with only this rule (enabled), so state and once-per-audit-ID do not leak between cases.
      const engine = new DetectionEngine({ lists, rules: [{ ...rule, enabled: true }] });
      for (const before of testCase.before ?? []) engine.process(event(before));
      const alerts = engine.process(event(spec)).map((alert) => alert.ruleId);
      for (const [id, stats] of engine.stats) assert.equal(stats.errors, 0, `${id}: ${stats.lastError ?? ''}`);
      return alerts;
    };
    assert.deepEqual(run(testCase.fires), [rule.id], `${rule.id} fires`);
    assert.deepEqual(run(testCase.quiet), [], `${rule.id} stays quiet`);
  }
});
