import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runScan } from '../cli/scan.js';
import { DEFAULT_CONFIG } from '../config/config.js';
import { severityRank } from '../model/types.js';
import { CLI } from '../testing/paths.js';
import { lintWebhookFiles } from './lint.js';
import { loadText } from '../load/load.js';
import { parseKubernetesVersion } from '../policy/environment.js';
import { testPolicies } from '../policy/vap/index.js';
import { manifestObjects, NAMESPACE_CONDITION } from './manifests.js';

interface Webhook {
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  namespaceSelector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> };
  matchConditions: unknown[];
}

describe('rampart admission manifests', () => {
  it('prints a deployment that its own scanner finds clean of high findings and its own linter finds safe', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-manifests-'));
    try {
      const text = execFileSync(process.execPath, [CLI, 'admission', 'manifests', '--namespace', 'guard', '--failure-policy', 'Fail'], { encoding: 'utf8' });
      const file = path.join(directory, 'rampart.yaml');
      writeFileSync(file, text);
      const objects = parseAllDocuments(text).map((document) => document.toJSON() as { kind: string; metadata: { namespace?: string }; spec?: Record<string, unknown>; webhooks?: Webhook[] });
      assert.deepEqual(objects.map((object) => object.kind), [
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'NetworkPolicy',
        'Service',
        'ValidatingWebhookConfiguration',
        'MutatingWebhookConfiguration',
      ]);
      // Least privilege: one ClusterRole, read-only on Namespaces (the cache) and list on Pods (existing pods of a
      // tightened namespace), bound to the webhook's account alone; no other role.
      const roles = parseAllDocuments(text).map((document) => document.toJSON() as { kind: string; metadata: { name: string }; rules?: unknown; subjects?: unknown; roleRef?: unknown });
      assert.deepEqual(roles.filter((object) => /Role$/.test(object.kind)).map((object) => [object.kind, object.rules]), [
        ['ClusterRole', [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }]],
      ]);
      assert.deepEqual(roles.filter((object) => /Binding$/.test(object.kind)).map((object) => [object.subjects, object.roleRef]), [
        [[{ kind: 'ServiceAccount', name: 'rampart-admission', namespace: 'guard' }], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rampart-admission' }],
      ]);
      const deployment = objects.find((object) => object.kind === 'Deployment');
      const podSpec = (deployment?.spec?.template as { spec: { containers: Array<{ args: string[]; volumeMounts: Array<{ name: string; mountPath: string }> }>; volumes: Array<{ name: string; projected?: unknown }> } }).spec;
      const container = podSpec.containers[0];
      assert.ok(container?.args.includes('--in-cluster'), 'the namespace cache reads the cluster with the pod\'s credentials');
      const tokenMount = container?.volumeMounts.find((mount) => mount.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount');
      assert.ok(tokenMount !== undefined && podSpec.volumes.some((volume) => volume.name === tokenMount.name && volume.projected !== undefined));
      assert.equal(deployment?.spec?.replicas, 2);
      assert.equal(deployment?.metadata.namespace, 'guard');
      for (const configuration of objects.filter((object) => object.kind.endsWith('WebhookConfiguration'))) {
        for (const webhook of configuration.webhooks ?? []) {
          assert.equal(webhook.failurePolicy, 'Fail');
          assert.equal(webhook.sideEffects, 'None');
          assert.ok(webhook.timeoutSeconds <= 5);
          assert.ok(webhook.matchConditions.length > 0);
          assert.deepEqual(webhook.namespaceSelector.matchExpressions[0], { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'guard'] });
        }
      }
      const scan = await runScan([file], DEFAULT_CONFIG, { policies: [], inlineExceptions: true });
      const high = scan.result.findings.filter((finding) => severityRank(finding.severity) >= severityRank('high'));
      assert.deepEqual(high.map((finding) => `${finding.checkId}: ${finding.message}`), []);
      assert.equal(scan.result.summary.diagnostics.errors, 0);
      const lint = await lintWebhookFiles([file]);
      assert.equal(lint.webhookConfigurations, 2);
      assert.deepEqual(lint.problems.map((problem) => problem.checkId), []);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a --namespace that is not a DNS label, and a bad --failure-policy, with exit 2', () => {
    assert.equal(spawnSync(process.execPath, [CLI, 'admission', 'manifests', '--namespace', 'Bad_Name'], { encoding: 'utf8' }).status, 2);
    assert.equal(spawnSync(process.execPath, [CLI, 'admission', 'manifests', '--failure-policy', 'Sometimes'], { encoding: 'utf8' }).status, 2);
  });
});

describe('rampart admission lint', () => {
  it('reports self-matching, kube-system, fail-open, long timeouts and missing sideEffects, and exits 1', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-lint-'));
    try {
      const file = path.join(directory, 'webhooks.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: admissionregistration.k8s.io/v1',
          'kind: ValidatingWebhookConfiguration',
          'metadata: {name: greedy}',
          'webhooks:',
          '  - name: everything.example.com',
          '    clientConfig: {service: {namespace: policy, name: guard}}',
          '    failurePolicy: Fail',
          '    timeoutSeconds: 30',
          '    admissionReviewVersions: [v1]',
          '---',
          'apiVersion: admissionregistration.k8s.io/v1',
          'kind: ValidatingWebhookConfiguration',
          'metadata: {name: security-scanner}',
          'webhooks:',
          '  - name: scan.security.example.com',
          '    clientConfig: {service: {namespace: sec, name: scanner}}',
          '    failurePolicy: Ignore',
          '    sideEffects: None',
          '    timeoutSeconds: 5',
          '    admissionReviewVersions: [v1]',
          '',
        ].join('\n'),
      );
      const result = spawnSync(process.execPath, [CLI, 'admission', 'lint', file, '--format', 'json'], { encoding: 'utf8' });
      assert.equal(result.status, 1, result.stderr);
      const report = JSON.parse(result.stdout) as { problems: Array<{ checkId: string; object: { name: string } }> };
      const found = report.problems.map((problem) => `${problem.object.name} ${problem.checkId}`).sort();
      assert.deepEqual(found, [
        'greedy webhook-intercepts-kube-system',
        'greedy webhook-intercepts-own-namespace',
        'greedy webhook-long-timeout',
        'greedy webhook-side-effects-unsafe',
        'security-scanner webhook-fails-open',
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the validating webhook\'s matchConditions for namespaces', () => {
  // The conditions are run by Rampart's own ValidatingAdmissionPolicy evaluator (the API server's CEL
  // semantics): a policy with the webhook's rules and matchConditions that denies whatever it receives
  // tells which requests the API server would send to the webhook.
  const webhook = (manifestObjects({ namespace: 'guard', failurePolicy: 'Fail', image: 'x' }).find((object) => object.kind === 'ValidatingWebhookConfiguration') as { webhooks: Array<{ rules: unknown[]; matchConditions: Array<{ name: string; expression: string }> }> }).webhooks[0];
  const policy = JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'sent-to-webhook' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: webhook?.rules }, matchConditions: webhook?.matchConditions, validations: [{ expression: 'false', message: 'sent' }] },
  });
  const binding = JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'sent' }, spec: { policyName: 'sent-to-webhook', validationActions: ['Deny'] } });
  const namespace = (name: string, labels: Record<string, string>): string => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const sent = (resources: string[], old: string[] = []): Record<string, boolean> => {
    const version = parseKubernetesVersion('latest');
    assert.ok(version !== undefined);
    const load = (texts: string[], file: string) => loadText(texts.join('\n---\n'), file).objects;
    const result = testPolicies({ policyObjects: load([policy, binding], 'policy.yaml'), resources: load(resources, 'new.yaml'), namespaceObjects: [], oldResources: load(old, 'old.yaml'), version });
    return Object.fromEntries(result.requests.map((request) => [`${request.operation} ${request.object.name}`, !request.allowed]));
  };

  it('sends namespace CREATEs with Pod Security labels and UPDATEs that change them, and nothing else about namespaces', () => {
    assert.ok(webhook?.matchConditions.some((condition) => condition.name === NAMESPACE_CONDITION.name));
    const enforce = 'pod-security.kubernetes.io/enforce';
    assert.deepEqual(
      sent([namespace('labelled', { [enforce]: 'baseline' }), namespace('plain', { team: 'a' }), namespace('bare', {})]),
      { 'CREATE labelled': true, 'CREATE plain': false, 'CREATE bare': false },
    );
    assert.deepEqual(
      sent(
        [namespace('tightened', { [enforce]: 'restricted' }), namespace('relabelled', { [enforce]: 'baseline', team: 'b' }), namespace('unlabelled', { team: 'a' }), namespace('versioned', { [enforce]: 'baseline', [`${enforce}-version`]: 'v1.30' }), namespace('first', { [enforce]: 'baseline' })],
        [namespace('tightened', { [enforce]: 'baseline' }), namespace('relabelled', { [enforce]: 'baseline', team: 'a' }), namespace('unlabelled', { [enforce]: 'baseline', team: 'a' }), namespace('versioned', { [enforce]: 'baseline' }), namespace('first', {})],
      ),
      { 'UPDATE tightened': true, 'UPDATE relabelled': false, 'UPDATE unlabelled': true, 'UPDATE versioned': true, 'UPDATE first': true },
    );
    // Pods and workloads are not filtered by it.
    assert.deepEqual(sent([JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'a', image: 'a' }] } })]), { 'CREATE p': true });
  });
});
