/** The native pre-filters only skip CEL that would have said no: verdicts with and without them are the same. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from './engine.js';
import { buildRuleSet, builtinRuleTexts } from './rules.js';
import { event, podSpec, type EventSpec } from './testSupport.js';

const IMAGES = ['docker.io/library/nginx:1.27', 'quay.io/someone/xmrig:6', 'evil.example.com/tools/scan:1', 'registry.k8s.io/pause:3.9', 'calico/node:v3', 'ghcr.io/x/cpuminer-opt'];
const ARGS = [[], ['--port', '80'], ['-o', 'stratum+tcp://pool.example:3333'], ['-o', 'xmr.2miners.com:2222', '--donate-level', '1'], ['-a', 'rx/0']];

function* workloads(): Generator<EventSpec> {
  let index = 0;
  for (const image of IMAGES) {
    for (const args of ARGS) {
      for (const extra of [{}, { securityContext: { privileged: true } }, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }, { ports: [{ containerPort: 80, hostPort: 8080 }] }, { env: [{ name: 'URL', value: 'stratum+ssl://x:1' }] }]) {
        index++;
        const pod = { hostNetwork: index % 7 === 0, hostPID: index % 11 === 0, hostIPC: index % 13 === 0, volumes: index % 5 === 0 ? [{ name: 'h', hostPath: { path: index % 10 === 0 ? '/etc' : '/data' } }] : [] };
        const namespace = index % 9 === 0 ? 'kube-system' : 'default';
        yield { verb: 'create', resource: 'pods', namespace, name: `p${index}`, requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `p${index}` }, spec: podSpec({ image, args, ...extra }, pod) } };
      }
    }
  }
  yield { verb: 'get', resource: 'configmaps', namespace: 'shop', user: 'system:serviceaccount:shop:a', userAgent: 'kubectl/v1.30', extra: { 'authentication.kubernetes.io/pod-name': ['a-1'], 'authentication.kubernetes.io/node-name': ['n1'] } };
  yield { verb: 'create', resource: 'nodes', name: 'n9' };
}

test('with and without the native pre-filters, every rule gives the same alerts', () => {
  const set = buildRuleSet(builtinRuleTexts());
  const enabled = { ...set, lists: { ...set.lists, allowedImages: ['docker.io/library/nginx'], allowedNodes: ['n1'] }, rules: set.rules.map((rule) => ({ ...rule, enabled: true })) };
  const stripped = { ...enabled, rules: enabled.rules.map((rule) => ({ ...rule, match: { ...rule.match, podFacts: [], containers: undefined, requiresLists: [], userAgentPrefixes: [], namespaces: [], userExtra: [] } })) };
  const fast = new DetectionEngine(enabled);
  const slow = new DetectionEngine(stripped);
  let alerts = 0;
  for (const spec of workloads()) {
    const parsed = event(spec);
    const expected = slow.process(parsed).map((alert) => alert.ruleId).sort();
    assert.deepEqual(fast.process(parsed).map((alert) => alert.ruleId).sort(), expected, JSON.stringify(spec).slice(0, 300));
    alerts += expected.length;
  }
  assert.ok(alerts > 500, `${alerts} alerts compared`);
  for (const [id, stats] of slow.stats) assert.equal(stats.errors, 0, `${id}: ${stats.lastError ?? ''}`);
});
