/** Reading a cluster: paging, faults, permissions, credentials and secrets, against the test API server. */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { ClusterConnection, retryDelay } from './connection.js';
import { discoverResources, resourceName } from './discovery.js';
import { newReadReport, readResources } from './read.js';
import { rampartAsync, rampartAsyncWithEnv, writeKubeconfig, type JsonReport } from './testing.js';
import { tempDir } from '../testing/tempDir.js';

const SECRET_VALUE = 'c3VwZXItc2VjcmV0LXBhc3N3b3Jk';

function pod(name: string, namespace: string, privileged = false): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }] },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0', securityContext: { privileged } }] },
    status: { phase: 'Running' },
  };
}

const SEED: JsonObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } },
  ...Array.from({ length: 7 }, (_, index) => pod(`web-${index}`, 'shop')),
  pod('root-shell', 'tools', true),
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db-password',
      namespace: 'shop',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { password: SECRET_VALUE } }) },
    },
    data: { password: SECRET_VALUE },
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'secret-reader', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'everything' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { hostNetwork: true, containers: [{ name: 'api', image: 'registry.example/api:2' }] } } } },
];

describe('reading a cluster', () => {
  const server = new TestApiServer({
    tokens: { admin: { name: 'admin' }, limited: { name: 'auditor', forbidden: ['secrets', 'roles.rbac.authorization.k8s.io'] } },
  });
  let dir: string;
  let adminConfig: string;

  before(async () => {
    await server.start();
    dir = tempDir('rampart-cluster-');
    assert.deepEqual(server.seed(SEED), []);
    adminConfig = writeKubeconfig(dir, 'admin', server.kubeconfig({ token: 'admin' }));
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('discovery picks the types the checks judge, Namespaces first; pages follow continue tokens', async () => {
    const connection = await ClusterConnection.open({ kubeconfig: adminConfig });
    const resources = await discoverResources(connection, []);
    const names = resources.map(resourceName);
    assert.equal(names[0], 'namespaces');
    for (const wanted of ['pods', 'secrets', 'deployments.apps', 'roles.rbac.authorization.k8s.io', 'validatingwebhookconfigurations.admissionregistration.k8s.io']) assert.ok(names.includes(wanted), wanted);
    for (const unwanted of ['events', 'endpoints', 'customresourcedefinitions.apiextensions.k8s.io']) assert.ok(!names.includes(unwanted), unwanted);
    const report = newReadReport();
    const pages = [];
    for await (const page of readResources(connection, resources.filter((resource) => resource.plural === 'pods'), report, { pageSize: 3 })) pages.push(page);
    assert.deepEqual(pages.map((page) => page.objects.length), [3, 3, 2]);
    const first = pages[0]?.objects[0] as { apiVersion: string; kind: string; metadata: Record<string, unknown>; status?: unknown };
    assert.equal(first.kind, 'Pod');
    assert.equal(first.apiVersion, 'v1');
    assert.equal(first.metadata.managedFields, undefined, 'managedFields are dropped on arrival');
    assert.equal(first.status, undefined);
  });

  test('an expired continue token restarts the list and no object is handed on twice; 429 waits for Retry-After', async () => {
    const sleeps: number[] = [];
    const connection = await ClusterConnection.open({ kubeconfig: adminConfig }, async (ms) => {
      sleeps.push(ms);
    });
    const pods = (await discoverResources(connection, [])).filter((resource) => resource.plural === 'pods');
    const report = newReadReport();
    server.expireNextContinueToken();
    server.throttle(2, 3);
    const names: string[] = [];
    for await (const page of readResources(connection, pods, report, { pageSize: 3 })) {
      for (const object of page.objects) names.push(String((object.metadata as { name: string }).name));
    }
    assert.equal(report.restarts, 1);
    assert.deepEqual(names.sort(), SEED.filter((object) => object.kind === 'Pod').map((object) => String((object.metadata as { name: string }).name)).sort());
    assert.deepEqual(sleeps, [3000, 3000]);
    assert.equal(retryDelay(undefined, 2), 2000, 'without Retry-After the delay doubles from 0.5 s');
  });

  test('a partial-permission scan names the skipped types once and still scans the rest', async () => {
    const kubeconfig = writeKubeconfig(dir, 'limited', server.kubeconfig({ token: 'limited' }));
    const result = await rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    const partial = report.diagnostics.filter((diagnostic) => diagnostic.code === 'cluster-partial');
    assert.equal(partial.length, 1);
    assert.match(partial[0]?.message ?? '', /may not list roles\.rbac\.authorization\.k8s\.io, secrets \(403 Forbidden\)/);
    assert.equal(report.summary.objects, SEED.length - 2);
    assert.ok(report.findings.some((finding) => finding.checkId === 'PSS-privileged' && finding.object.name === 'root-shell'));
    assert.ok(report.findings.some((finding) => finding.object.kind === 'ClusterRole' && finding.object.name === 'everything'));
    assert.ok(!report.findings.some((finding) => finding.object.kind === 'Role' || finding.object.kind === 'Secret'));
  });

  test('client-certificate credentials read the same cluster; -n limits namespaced objects to one namespace', async () => {
    const certificate = writeKubeconfig(dir, 'certificate', server.kubeconfig({ certificate: true }));
    const [byCertificate, byToken, oneNamespace] = await Promise.all([
      rampartAsync(['scan', '--cluster', '--kubeconfig', certificate, '--format', 'json']),
      rampartAsync(['scan', '--cluster', '--kubeconfig', adminConfig, '--format', 'json']),
      rampartAsync(['scan', '--cluster', '--kubeconfig', adminConfig, '-n', 'tools', '--format', 'json']),
    ]);
    const certificateReport = JSON.parse(byCertificate.stdout) as JsonReport;
    const tokenReport = JSON.parse(byToken.stdout) as JsonReport;
    assert.equal(certificateReport.summary.objects, SEED.length);
    assert.deepEqual(certificateReport.findings, tokenReport.findings);
    const scoped = JSON.parse(oneNamespace.stdout) as JsonReport;
    const namespaces = new Set(scoped.findings.flatMap((finding) => (finding.object.namespace !== undefined ? [finding.object.namespace] : [])));
    assert.deepEqual([...namespaces], ['tools']);
    assert.ok(scoped.findings.some((finding) => finding.object.kind === 'ClusterRole'), 'cluster-scoped objects are still read');
  });

  test('no Secret value reaches the report, even through the last-applied annotation', async () => {
    const result = await rampartAsync(['scan', '--cluster', '--kubeconfig', adminConfig, '--format', 'json']);
    assert.ok(!result.stdout.includes(SECRET_VALUE));
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.ok(report.findings.every((finding) => finding.checkId !== 'secret-data-in-manifest'));
  });

  test('an unreachable server, refused credentials, an unknown context or a missing kubeconfig exit 2 with one line naming context and cause', async () => {
    const down = writeKubeconfig(dir, 'down', server.kubeconfig({ token: 'admin' }, 'prod').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9'));
    const refused = writeKubeconfig(dir, 'refused', server.kubeconfig({ token: 'stolen' }, 'staging'));
    const cases: Array<[string[], RegExp]> = [
      [['--kubeconfig', down], /^rampart: cannot reach the API server of context "prod" \(https:\/\/127\.0\.0\.1:9\): connect ECONNREFUSED/],
      [['--kubeconfig', refused], /^rampart: the API server of context "staging" .* refused the credentials: 401 Unauthorized$/],
      [['--kubeconfig', adminConfig, '--context', 'nope'], /^rampart: context "nope" is not in the kubeconfig \(it has "test"\)$/],
      [['--kubeconfig', path.join(dir, 'missing')], /^rampart: kubeconfig .*missing does not exist$/],
    ];
    const results = await Promise.all(cases.map(([args]) => rampartAsync(['scan', '--cluster', ...args])));
    results.forEach((result, index) => {
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr.trim(), cases[index]?.[1] as RegExp);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  });

  test('usage: --cluster takes no paths, and the cluster options need --cluster', async () => {
    const both = await rampartAsync(['scan', '--cluster', 'examples/demo-shop']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--cluster reads the cluster: give no paths/);
    const alone = await rampartAsync(['scan', 'examples/demo-shop', '--kubeconfig', adminConfig]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /need --cluster/);
  });
});

describe('other credentials', () => {
  const server = new TestApiServer({ tokens: { 'exec-token': { name: 'exec-user' }, 'pod-token': { name: 'system:serviceaccount:rampart-system:rampart' } } });
  let dir: string;

  before(async () => {
    await server.start();
    dir = tempDir('rampart-credentials-');
    assert.deepEqual(server.seed([pod('root-shell', 'tools', true)]), []);
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an exec credential plugin in the kubeconfig supplies the token', async () => {
    const plugin = path.join(dir, 'credential-plugin.mjs');
    writeFileSync(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'exec-token' } }));\n`);
    const config = JSON.parse(server.kubeconfig({ token: 'unused' })) as { users: Array<{ user: Record<string, unknown> }> };
    config.users[0] = { ...config.users[0], user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } } };
    const kubeconfig = writeKubeconfig(dir, 'exec', JSON.stringify(config));
    const result = await rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.ok(report.findings.some((finding) => finding.checkId === 'PSS-privileged' && finding.object.name === 'root-shell'));
    assert.ok(server.requests.length > 0);
  });

  test('without a kubeconfig, in a pod, the service-account token and CA are used', async () => {
    const accountDir = path.join(dir, 'root', 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(path.join(accountDir, 'token'), 'pod-token');
    writeFileSync(path.join(accountDir, 'ca.crt'), server.pki.caCert);
    writeFileSync(path.join(accountDir, 'namespace'), 'rampart-system');
    const port = new URL(server.url).port;
    const home = path.join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const result = await rampartAsyncWithEnv(['scan', '--cluster', '--format', 'json'], {
      HOME: home,
      KUBECONFIG: '',
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: port,
      RAMPART_IN_CLUSTER_ROOT: path.join(dir, 'root'),
    });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.ok(report.findings.some((finding) => finding.checkId === 'PSS-privileged' && finding.location.file === 'cluster/inClusterContext'));
    const withoutAny = await rampartAsyncWithEnv(['scan', '--cluster'], { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' });
    assert.equal(withoutAny.code, 2);
    assert.match(withoutAny.stderr, /^rampart: no kubeconfig found .* and not running in a cluster\n$/);
  });
});

describe('custom resources with pod templates', () => {
  const server = new TestApiServer({ tokens: { admin: { name: 'admin' } } });
  let dir: string;
  const definition = (group: string, kind: string, plural: string): JsonObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: { group, scope: 'Namespaced', names: { kind, plural }, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
  });
  const withTemplate = (apiVersion: string, kind: string, name: string): JsonObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace: 'apps' },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { privileged: true } }] } } },
  });

  before(async () => {
    await server.start();
    dir = tempDir('rampart-custom-');
    assert.deepEqual(
      server.seed([
        definition('argoproj.io', 'Rollout', 'rollouts'),
        definition('example.com', 'WebApp', 'webapps'),
        definition('example.com', 'Gadget', 'gadgets'),
        withTemplate('argoproj.io/v1alpha1', 'Rollout', 'canary'),
        withTemplate('example.com/v1alpha1', 'WebApp', 'shop'),
        withTemplate('example.com/v1alpha1', 'Gadget', 'widget'),
      ]),
      [],
    );
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('built-in (Argo Rollout) and configured (podTemplates) kinds are read and judged; other custom resources are not read', async () => {
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig', server.kubeconfig({ token: 'admin' }));
    const configFile = path.join(dir, 'rampart.yaml');
    writeFileSync(configFile, 'podTemplates:\n  - apiVersion: example.com/v1\n    kind: WebApp\n    templatePath: spec.template\n');
    const [plain, configured] = await Promise.all([
      rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json']),
      rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--config', configFile, '--format', 'json']),
    ]);
    const privileged = (result: { stdout: string }): string[] =>
      (JSON.parse(result.stdout) as JsonReport).findings.filter((finding) => finding.checkId === 'PSS-privileged').map((finding) => `${finding.object.kind}/${finding.object.name}`).sort();
    assert.deepEqual(privileged(plain), ['Rollout/canary']);
    assert.deepEqual(privileged(configured), ['Rollout/canary', 'WebApp/shop']);
    assert.ok(!server.requests.some((request) => request.includes('/gadgets')), 'a custom resource without a pod template is not listed');
  });
});
