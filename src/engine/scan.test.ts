/**
 * Scanner.finishNamespace: judging a namespace as soon as its objects are in
 * gives the findings of judging the whole input at the end, whatever order
 * the namespace's objects (its Namespace, NetworkPolicy, quota, pods) arrive
 * in, and the Scanner lets go of the namespace's objects afterwards.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { hardeningChecks } from '../checks/common/catalogue.js';
import { createPssDeferredCheck } from '../checks/pss/index.js';
import { createRbacScanCheck } from '../checks/rbac/index.js';
import type { Check } from '../checks/types.js';
import type { Finding, JsonObject, KubeObject, PositionIndex } from '../model/types.js';
import { Scanner, type ScanResult } from './scan.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const CHECKS = hardeningChecks();
const AT_OBJECT: PositionIndex = { locate: () => ({ line: 1, column: 1, exact: false }) };

function newScanner(): Scanner {
  return new Scanner({
    checks: CHECKS,
    deferredPodChecks: [createPssDeferredCheck({ level: 'restricted', version: 'latest' })],
    wholeInputChecks: [createRbacScanCheck()],
  });
}

/** Each object has its own document index, so the sorted findings do not depend on arrival order. */
function kube(raw: JsonObject, documentIndex: number): KubeObject {
  const metadata = raw.metadata as { name: string; namespace?: string };
  return { apiVersion: String(raw.apiVersion), kind: String(raw.kind), name: metadata.name, namespace: metadata.namespace, raw, source: { file: 'cluster/test', documentIndex, pathInDocument: [], positions: AT_OBJECT } };
}

function pod(name: string, namespace: string, labels: Record<string, string>, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { serviceAccountName: 'web-sa', containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { privileged: name.endsWith('-priv') } }], ...extra },
  };
}

/** Cluster-scoped objects, read first by a cluster scan. */
const CLUSTER_SCOPED: JsonObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'early' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tail' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'guard' },
    webhooks: [{ name: 'guard.example.com', failurePolicy: 'Fail', clientConfig: { service: { name: 'guard', namespace: 'shop' } }, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
  },
];

/** A namespace finished before any pod was seen: whether the input holds pods is not known yet. */
const EARLY: JsonObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely', namespace: 'early' }, spec: { selector: { app: 'nobody' } } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'front', namespace: 'early' }, spec: { defaultBackend: { service: { name: 'lonely', port: { number: 80 } } } } },
];

/** Objects of `shop` that arrive before the permuted ones. */
const SHOP_FIXED: JsonObject[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'missing', containers: [{ name: 'api', image: 'registry.example/api:2' }] } } } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: 'shop' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }, { path: '/old', pathType: 'Prefix', backend: { service: { name: 'gone', port: { number: 80 } } } }] } }] } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: 'shop' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'web-sa', namespace: 'shop' }] },
];

/** The objects whose order within `shop` changes every verdict that reads the namespace. */
const SHOP_PERMUTED: JsonObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-in', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: 'shop' }, spec: { hard: { 'requests.cpu': '4' } } },
  pod('web-priv', 'shop', { app: 'web' }),
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web-sa', namespace: 'shop' }, automountServiceAccountToken: false },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } },
];

/** A namespace never marked complete (judged at finish), without a Namespace object of its own in the input. */
const TAIL: JsonObject[] = [pod('worker', 'tail', { app: 'worker' }), pod('stray', 'nowhere', { app: 'stray' })];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

interface Step {
  readonly objects: KubeObject[];
  /** Namespaces complete after these objects. */
  readonly complete: readonly string[];
}

function stepsFor(shop: readonly JsonObject[]): Step[] {
  const all = [...CLUSTER_SCOPED, ...EARLY, ...SHOP_FIXED, ...SHOP_PERMUTED, ...TAIL];
  const documentIndex = (raw: JsonObject): number => all.indexOf(raw);
  const objects = (raws: readonly JsonObject[]): KubeObject[] => raws.map((raw) => kube(raw, documentIndex(raw)));
  return [
    { objects: objects(CLUSTER_SCOPED), complete: [] },
    { objects: objects(EARLY), complete: ['early'] },
    { objects: objects([...SHOP_FIXED, ...shop]), complete: ['shop'] },
    { objects: objects(TAIL), complete: [] },
  ];
}

function scan(steps: readonly Step[], perNamespace: boolean): { result: ScanResult; scanner: Scanner } {
  const scanner = newScanner();
  for (const step of steps) {
    for (const object of step.objects) scanner.add(object);
    if (perNamespace) for (const namespace of step.complete) scanner.finishNamespace(namespace);
  }
  return { result: scanner.finish(), scanner };
}

describe('Scanner.finishNamespace', () => {
  test('gives the whole-input findings for every arrival order of a namespace’s Namespace, NetworkPolicy, quota, pod, ServiceAccount and Service', () => {
    const orders = permutations(SHOP_PERMUTED);
    assert.equal(orders.length, 720);
    let reference: string | undefined;
    for (const order of orders) {
      const steps = stepsFor(order);
      const whole = scan(steps, false).result;
      const perNamespace = scan(steps, true).result;
      assert.deepEqual(perNamespace, whole, `order ${order.map((raw) => raw.kind).join(', ')}`);
      // The input's order changes neither: the findings are those of every other order.
      const findings = JSON.stringify({ findings: whole.findings, diagnostics: whole.diagnostics });
      reference ??= findings;
      assert.equal(findings, reference, `order ${order.map((raw) => raw.kind).join(', ')}`);
    }
    const { findings } = scan(stepsFor(SHOP_PERMUTED), true).result;
    const has = (checkId: string, name: string): boolean => findings.some((finding) => finding.checkId === checkId && finding.object.name === name);
    // Verdicts that read the namespace's other objects, each one way or the other.
    assert.ok(has('namespace-without-default-deny-egress', 'shop'));
    assert.ok(!has('namespace-without-resource-quota', 'shop'), 'the quota arrived within the namespace');
    assert.ok(has('namespace-without-resource-quota', 'early'));
    assert.ok(has('pod-not-isolated-by-network-policy', 'web-priv'), 'selected for ingress only');
    assert.ok(has('pod-not-selected-by-network-policy', 'worker'));
    assert.ok(!has('pod-service-account-token-mounted', 'web-priv'), 'its ServiceAccount turns the token off');
    assert.ok(has('pod-service-account-not-found', 'api'));
    assert.ok(!has('pod-service-account-not-found', 'web-priv'));
    assert.ok(has('ingress-backend-missing', 'shop'));
    assert.ok(!has('service-selects-no-pods', 'web'));
    assert.ok(has('service-selects-no-pods', 'lonely'), 'early was complete before any pod was seen; the pods came later');
    assert.ok(has('webhook-intercepts-own-namespace', 'guard'));
    assert.ok(findings.some((finding) => finding.checkId.startsWith('PSS-') && finding.object.name === 'web-priv'), 'Pod Security judged web-priv');
    assert.ok(has('RBAC-secrets-access', 'reader'), 'RBAC (whole input) still judged the Role of a released namespace, with its binding');
    assert.ok(has('RBAC-wildcard-rule', 'everything'));
  });

  test('releases a finished namespace’s objects, pod views and contexts; the others stay until finish', async () => {
    const scanner = newScanner();
    for (const raw of CLUSTER_SCOPED) scanner.add(kube(raw, 0));
    const base = scanner.held();
    assert.equal(base.objects, 3, 'two Namespaces and a webhook configuration wait for the namespaces they read');
    const released: Array<WeakRef<object>> = [];
    // Built in a function of its own, so that nothing but the Scanner refers to them.
    const addNamespace = (namespace: string, weak: boolean): void => {
      const raws: JsonObject[] = [
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace }, spec: { selector: { app: 'web' } } },
      ];
      for (let index = 0; index < 40; index++) raws.push(pod(`web-${index}`, namespace, { app: 'web' }));
      for (const raw of raws) {
        const object = kube(raw, 0);
        if (weak) released.push(new WeakRef(object), new WeakRef(raw));
        scanner.add(object);
      }
    };
    addNamespace('gone', true);
    addNamespace('kept', false);
    const before = scanner.held();
    assert.equal(before.pods, 80);
    assert.equal(before.objects - base.objects, 84, '80 pods, 2 Services and 2 NetworkPolicies wait for their namespace');
    scanner.finishNamespace('gone');
    assert.deepEqual(scanner.held(), { checks: base.checks + (before.checks - base.checks) / 2, pods: 40, objects: base.objects + 42 });
    const alive = (): number => released.filter((ref) => ref.deref() !== undefined).length;
    for (let attempt = 0; attempt < 50 && alive() > 0; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    assert.equal(alive(), 0, `${alive()} of ${released.length} objects of the finished namespace are still reachable`);
    const result = scanner.finish();
    assert.deepEqual(scanner.held(), { checks: 0, pods: 0, objects: 0 });
    // Both namespaces were judged: the released one by finishNamespace, the other at finish.
    for (const namespace of ['gone', 'kept']) {
      assert.equal(result.findings.filter((finding) => finding.checkId === 'pod-service-account-not-found' && finding.object.namespace === namespace).length, 40, namespace);
      assert.ok(result.findings.some((finding) => finding.checkId.startsWith('PSS-') && finding.object.namespace === namespace), namespace);
    }
    assert.ok(!result.findings.some((finding) => finding.checkId === 'pod-not-selected-by-network-policy'), 'the default-deny policy was seen in both');
  });

  test('an object of a namespace already judged is reported and judged at finish', () => {
    const scanner = newScanner();
    scanner.add(kube(pod('first', 'shop', { app: 'web' }), 0));
    scanner.finishNamespace('shop');
    scanner.add(kube(pod('second', 'shop', { app: 'web' }), 1));
    scanner.add(kube(pod('third', 'shop', { app: 'web' }), 2));
    const result = scanner.finish();
    const reopened = result.diagnostics.filter((diagnostic) => diagnostic.code === 'namespace-reopened');
    assert.equal(reopened.length, 1, 'one warning per namespace');
    assert.equal(reopened[0]?.severity, 'warning');
    assert.match(reopened[0]?.message ?? '', /Pod second of namespace shop arrived after that namespace was judged/);
    assert.equal(result.findings.filter((finding) => finding.checkId === 'pod-not-selected-by-network-policy').length, 3);
  });

  test('a file scan (no finishNamespace) holds everything until finish', () => {
    const scanner = newScanner();
    for (const raw of [...SHOP_FIXED, ...SHOP_PERMUTED]) scanner.add(kube(raw, 0));
    const held = scanner.held();
    assert.equal(held.pods, 2);
    assert.equal(held.objects, 6, 'Deployment, Ingress, Namespace, NetworkPolicy, Pod and Service wait for the end');
    scanner.finish();
    assert.deepEqual(scanner.held(), { checks: 0, pods: 0, objects: 0 });
  });
});

describe('shared finding parts', () => {
  const twoPods = (): KubeObject[] => [kube(pod('a', 'shop', { app: 'a' }), 0), kube(pod('b', 'shop', { app: 'b' }), 1)];
  const findingsOf = (shareParts: boolean | undefined): ScanResult => {
    const scanner = new Scanner({ checks: CHECKS, deferredPodChecks: [createPssDeferredCheck({ level: 'restricted', version: 'latest' })], ...(shareParts === undefined ? {} : { shareParts }) });
    for (const object of twoPods()) scanner.add(object);
    return scanner.finish();
  };
  /** Pairs of findings of the two pods from the same check with equal paths. */
  const pairs = (result: ScanResult): [NonNullable<ScanResult['findings'][number]['path']>, NonNullable<ScanResult['findings'][number]['path']>][] => {
    const ofA = new Map(result.findings.filter((entry) => entry.object.name === 'a' && entry.path !== undefined).map((entry) => [`${entry.checkId} ${JSON.stringify(entry.path)}`, entry.path!]));
    return result.findings.filter((entry) => entry.object.name === 'b' && entry.path !== undefined && ofA.has(`${entry.checkId} ${JSON.stringify(entry.path)}`)).map((entry) => [ofA.get(`${entry.checkId} ${JSON.stringify(entry.path)}`)!, entry.path!]);
  };

  test('by default equal paths are one array; with shareParts: false each finding has its own, and the findings are equal', () => {
    const shared = findingsOf(undefined);
    const own = findingsOf(false);
    assert.deepEqual(own.findings, shared.findings);
    const sharedPairs = pairs(shared);
    assert.ok(sharedPairs.length >= 5, `the two pods share findings with equal paths (${sharedPairs.length})`);
    assert.ok(sharedPairs.every(([a, b]) => a === b), 'shared by default');
    assert.ok(pairs(own).every(([a, b]) => a !== b), 'copies when turned off');
  });

  test('paths are shared only when every segment is equal: a prefix, or "0" for 0, is another path', () => {
    const reported: Array<Array<string | number>> = [['spec', 0, 'name'], ['spec', '0', 'name'], ['spec', 0], ['spec'], ['spec', 0, 'name'], []];
    const check: Check = {
      meta: { id: 'test-paths', title: 'paths', severity: 'low', category: 'test', description: '', remediation: '', frameworks: [], documentation: '' },
      run: () => reported.map((path, index) => ({ message: `report ${index}`, path: [...path] })),
    };
    const scanner = new Scanner({ checks: [check] });
    scanner.add(kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'shop' } }, 0));
    scanner.add(kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: 'shop' } }, 1));
    const findings = scanner.finish().findings;
    assert.equal(findings.length, 12);
    const byMessage = (name: string, index: number): readonly (string | number)[] => findings.find((finding) => finding.object.name === name && finding.message === `report ${index}`)!.path!;
    for (const [index, path] of reported.entries()) {
      assert.deepEqual(byMessage('one', index), path);
      assert.equal(byMessage('one', index), byMessage('two', index), `report ${index} shared between the objects`);
    }
    assert.equal(byMessage('one', 0), byMessage('one', 4));
    const distinct = new Set([0, 1, 2, 3, 5].map((index) => byMessage('one', index)));
    assert.equal(distinct.size, 5);
  });
});

describe('finding locations', () => {
  test("an object's findings at one place share one location, whatever came between them; other objects' do not", () => {
    // Line = depth of the path: ['a'] and ['x'] are on line 2, ['a', 'b'] on line 3.
    const byDepth: PositionIndex = { locate: (path) => ({ line: path.length + 1, column: 1, exact: true }) };
    const check: Check = {
      meta: { id: 'test-places', title: 'places', severity: 'low', category: 'test', description: '', remediation: '', frameworks: [], documentation: '' },
      run: () => [['a'], ['a', 'b'], ['x'], ['a']].map((path, index) => ({ message: `report ${index}`, path })),
    };
    const scanner = new Scanner({ checks: [check] });
    for (const [index, name] of ['one', 'two'].entries()) {
      scanner.add({ ...kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' } }, index), source: { file: 'test.yaml', documentIndex: index, pathInDocument: [], positions: byDepth } });
    }
    const findings = scanner.finish().findings;
    const at = (name: string, index: number): Finding['location'] => findings.find((finding) => finding.object.name === name && finding.message === `report ${index}`)!.location;
    assert.deepEqual(at('one', 0), { file: 'test.yaml', documentIndex: 0, line: 2, column: 1 });
    assert.deepEqual(at('one', 1), { file: 'test.yaml', documentIndex: 0, line: 3, column: 1 });
    assert.equal(at('one', 0), at('one', 2));
    assert.equal(at('one', 0), at('one', 3));
    assert.notEqual(at('one', 0), at('one', 1));
    assert.notEqual(at('one', 0), at('two', 0));
    assert.deepEqual(at('two', 3), { file: 'test.yaml', documentIndex: 1, line: 2, column: 1 });
  });
});

describe('the check IDs of each scanned object', () => {
  test('are sorted, include the deferred Pod Security checks, and are one array for objects judged by the same checks', () => {
    const scanner = newScanner();
    const objects = [
      kube(pod('a', 'shop', { app: 'a' }), 0),
      kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { mode: 'fast' } }, 1),
      kube(pod('b', 'shop', { app: 'b' }), 2),
      kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'more', namespace: 'shop' }, data: {} }, 3),
    ];
    for (const object of objects) scanner.add(object);
    const result = scanner.finish();
    const [podA, configA, podB, configB] = result.objects;
    assert.ok(podA && configA && podB && configB);
    for (const entry of result.objects) assert.deepEqual(entry.checks, [...entry.checks].sort());
    assert.ok(podA.checks.includes('PSS-privileged'));
    assert.ok(podA.checks.includes('container-privileged'));
    assert.ok(!configA.checks.includes('PSS-privileged'));
    assert.ok(!configA.checks.includes('container-privileged'));
    assert.equal(podA.checks, podB.checks);
    assert.equal(configA.checks, configB.checks);
    assert.notEqual(podA.checks, configA.checks);
    // Every check that reported on a pod is among the checks that judged it.
    for (const finding of result.findings) {
      const entry = result.objects.find((scanned) => scanned.object.name === finding.object.name && scanned.object.kind === finding.object.kind);
      assert.ok(entry?.checks.includes(finding.checkId), `${finding.checkId} on ${finding.object.name}`);
    }
  });
});
