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
      // Least privilege: one ClusterRole, read-only on Namespaces (the cache), bound to the webhook's account alone; no other role.
      const roles = parseAllDocuments(text).map((document) => document.toJSON() as { kind: string; metadata: { name: string }; rules?: unknown; subjects?: unknown; roleRef?: unknown });
      assert.deepEqual(roles.filter((object) => /Role$/.test(object.kind)).map((object) => [object.kind, object.rules]), [
        ['ClusterRole', [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]],
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
