import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { rampartAsync } from '../cluster/testing.js';
import type { JsonObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { CLI } from '../testing/paths.js';

const OTHERS = [
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
  'kind: MutatingWebhookConfiguration',
  'metadata: {name: security-scanner}',
  'webhooks:',
  '  - name: scan.security.example.com',
  '    clientConfig: {service: {namespace: sec, name: scanner}}',
  '    failurePolicy: Ignore',
  '    sideEffects: None',
  '    timeoutSeconds: 5',
  '    admissionReviewVersions: [v1]',
  '',
].join('\n');

interface LintJson {
  webhookConfigurations: number;
  problems: Array<{ checkId: string; message: string; object: { kind: string; name: string }; location: { file: string } }>;
  diagnostics: Array<{ severity: string; message: string }>;
}

describe('rampart admission lint --cluster', () => {
  const server = new TestApiServer({ tokens: { admin: { name: 'admin' }, viewer: { name: 'viewer', forbidden: ['mutatingwebhookconfigurations.admissionregistration.k8s.io'] } } });
  let dir: string;
  let files: string;

  before(async () => {
    await server.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-lint-cluster-'));
    writeFileSync(path.join(dir, 'admin'), server.kubeconfig({ token: 'admin' }, 'prod'));
    writeFileSync(path.join(dir, 'viewer'), server.kubeconfig({ token: 'viewer' }));
    // Rampart's own webhooks (safe) beside two dangerous ones, installed as `kubectl apply` would.
    const own = execFileSync(process.execPath, [CLI, 'admission', 'manifests', '--namespace', 'guard'], { encoding: 'utf8' });
    const webhooks = parseAllDocuments(own)
      .map((document) => document.toJSON() as JsonObject)
      .filter((object) => String(object.kind).endsWith('WebhookConfiguration'));
    const others = parseAllDocuments(OTHERS).map((document) => document.toJSON() as JsonObject);
    assert.deepEqual(server.seed([...webhooks, ...others, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-a-webhook' } }]), []);
    files = path.join(dir, 'webhooks.yaml');
    writeFileSync(files, [own, OTHERS].join('\n---\n'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the same problems in the cluster as in the same configurations as files, and exits 1', async () => {
    const cluster = await rampartAsync(['admission', 'lint', '--kubeconfig', path.join(dir, 'admin'), '--context', 'prod', '--format', 'json']);
    assert.equal(cluster.code, 1, cluster.stderr);
    const fromCluster = JSON.parse(cluster.stdout) as LintJson;
    const fromFiles = JSON.parse((await rampartAsync(['admission', 'lint', files, '--format', 'json'])).stdout) as LintJson;
    assert.equal(fromCluster.webhookConfigurations, 4);
    assert.equal(fromFiles.webhookConfigurations, 4);
    const summary = (report: LintJson): string[] => report.problems.map((problem) => `${problem.object.kind}/${problem.object.name} ${problem.checkId}: ${problem.message}`).sort();
    assert.deepEqual(summary(fromCluster), summary(fromFiles));
    assert.deepEqual(
      fromCluster.problems.map((problem) => `${problem.object.name} ${problem.checkId}`).sort(),
      ['greedy webhook-intercepts-kube-system', 'greedy webhook-intercepts-own-namespace', 'greedy webhook-long-timeout', 'greedy webhook-side-effects-unsafe', 'security-scanner webhook-fails-open'],
    );
    assert.ok(fromCluster.problems.every((problem) => problem.location.file === 'cluster/prod'));
    assert.deepEqual(fromCluster.diagnostics, []);
    const table = await rampartAsync(['admission', 'lint', '--kubeconfig', path.join(dir, 'admin')]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /^cluster\/prod:1 +medium +webhook-side-effects-unsafe +ValidatingWebhookConfiguration\/greedy: /m);
    assert.match(table.stdout, /4 webhook configuration\(s\), 5 problem\(s\)\n$/);
  });

  it('credentials that may not list one of the kinds: an error naming it, exit 2', async () => {
    const result = await rampartAsync(['admission', 'lint', '--kubeconfig', path.join(dir, 'viewer'), '--format', 'json']);
    assert.equal(result.code, 2, result.stderr);
    const report = JSON.parse(result.stdout) as LintJson;
    assert.equal(report.webhookConfigurations, 2, 'the validating ones were still read');
    assert.ok(report.diagnostics.some((diagnostic) => diagnostic.severity === 'error' && /may not list mutatingwebhookconfigurations\.admissionregistration\.k8s\.io \(403 Forbidden\)/.test(diagnostic.message)), result.stdout);
  });

  it('usage errors: neither files nor --cluster, both, an unreadable kubeconfig (exit 2, no stack trace)', async () => {
    const none = await rampartAsync(['admission', 'lint']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give files or directories to lint, - for stdin, or --cluster/);
    const both = await rampartAsync(['admission', 'lint', files, '--cluster']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give files or --cluster, not both/);
    const missing = await rampartAsync(['admission', 'lint', '--kubeconfig', path.join(dir, 'absent')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /kubeconfig .*absent does not exist/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });
});
