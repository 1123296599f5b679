import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ClusterConnection } from '../cluster/connection.js';
import type { JsonObject } from '../model/types.js';
import { BUILTIN_RESOURCES, TestApiServer } from '../testing/apiServer.js';
import { CLI } from '../testing/paths.js';
import { call } from './httpsClient.js';
import { WatchedNamespaceSource } from './namespaceCache.js';
import { startAdmissionServer } from './server.js';
import { ENFORCE, privilegedPod, request, reviewBody, webhookConfig } from './testSupport.js';
import { generateSelfSigned } from './tls.js';

const WAIT_MS = 20_000;

/** Polls `condition` until it holds (or fails the test after 20 s); the machine may be loaded, so no tight timing. */
async function eventually(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${WAIT_MS / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function namespace(name: string, labels: Record<string, string> = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function configMap(name: string): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n: name } };
}

/** Watch requests the API server has received (it registers a watcher as it receives the request). */
function watchRequests(server: TestApiServer): number {
  return server.requests.filter((line) => line.startsWith('GET /api/v1/namespaces?') && line.includes('watch=1')).length;
}

function metricValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

describe('the watched namespace cache against the test API server', () => {
  // A short event history, so a watch resumed after a burst of changes meets 410 Gone.
  const forbidden = ['namespaces'];
  const server = new TestApiServer({ tokens: { admin: { name: 'admin' }, late: { name: 'late', forbidden } }, eventHistory: 5 });
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    await server.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-nscache-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig({ token: 'admin' }));
    writeFileSync(path.join(dir, 'late'), server.kubeconfig({ token: 'late' }));
    server.seed([namespace('shop', { [ENFORCE]: 'restricted' }), namespace('dev'), ...Array.from({ length: 7 }, (_, index) => namespace(`team-${index}`))]);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists (paged), follows ADDED/MODIFIED/DELETED, reconnects after the server drops the watch, and relists after 410 Gone', async () => {
    const connection = await ClusterConnection.open({ kubeconfig });
    const cache = new WatchedNamespaceSource(connection, { pageSize: 4, initialBackoffMs: 50, maxBackoffMs: 500 });
    try {
      assert.equal(cache.ready(), false);
      cache.start();
      await cache.whenReady();
      assert.equal(cache.ready(), true);
      assert.deepEqual(cache.labels('shop'), { [ENFORCE]: 'restricted' });
      assert.deepEqual(cache.labels('dev'), {});
      assert.equal(cache.labels('nowhere'), undefined);
      assert.equal(cache.names().length, 9, 'three pages of four');
      assert.ok(server.requests.filter((line) => line.startsWith('GET /api/v1/namespaces?limit=4')).length >= 3, server.requests.join('\n'));
      await eventually('the watch is open', () => watchRequests(server) >= 1);

      server.put(namespace('fresh', { [ENFORCE]: 'baseline' }));
      server.put(namespace('dev', { [ENFORCE]: 'privileged' }));
      server.delete('v1', 'Namespace', undefined, 'team-0');
      await eventually('the events are applied', () => cache.labels('fresh')?.[ENFORCE] === 'baseline' && cache.labels('dev')?.[ENFORCE] === 'privileged' && cache.labels('team-0') === undefined);
      assert.ok(cache.stalenessSeconds() < 60, 'an event just confirmed the view');

      // The server drops every watch (a restart, a load balancer): the cache reopens it from where it was.
      assert.equal(cache.stats().connected, true);
      server.endWatches();
      await eventually('the watch is reopened', () => watchRequests(server) >= 2);
      server.put(namespace('dev', { [ENFORCE]: 'baseline' }));
      await eventually('an event after the reconnect is applied', () => cache.labels('dev')?.[ENFORCE] === 'baseline');
      assert.equal(cache.stats().relists, 0, 'a resumable watch is not a relist');

      // The watch ends and, before it is reopened, more changes than the server keeps: the resume is 410 Gone.
      server.endWatches();
      server.put(namespace('shop', { [ENFORCE]: 'baseline' }));
      for (let index = 0; index < 8; index++) server.put(configMap(`filler-${index}`));
      await eventually('the cache relisted after 410', () => cache.stats().relists >= 1 && cache.labels('shop')?.[ENFORCE] === 'baseline');
      assert.ok(cache.stats().lists >= 2);
      await eventually('the watch is open again after the relist', () => watchRequests(server) >= 4);
      server.put(namespace('after-relist'));
      await eventually('events flow after the relist', () => cache.labels('after-relist') !== undefined);
    } finally {
      await cache.closed();
    }
    assert.equal(cache.stats().connected, false);
  });

  it('before the first list /readyz and /validate answer 503; once the credentials may list, the cache fills and decides', async () => {
    const certificate = await generateSelfSigned('rampart.test');
    const connection = await ClusterConnection.open({ kubeconfig: path.join(dir, 'late') });
    const warnings: string[] = [];
    const cache = new WatchedNamespaceSource(connection, { initialBackoffMs: 50, maxBackoffMs: 300, log: (level, message) => level === 'warn' && warnings.push(message) });
    cache.start();
    const admission = await startAdmissionServer({ config: webhookConfig(), namespaces: cache, tls: certificate, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
    const get = (urlPath: string) => call(admission.port, 'GET', urlPath, undefined, { ca: certificate.ca, timeoutMs: WAIT_MS });
    const validate = (object: JsonObject) => call(admission.port, 'POST', '/validate', reviewBody(request(object)), { ca: certificate.ca, timeoutMs: WAIT_MS });
    try {
      await eventually('a forbidden list is retried', () => cache.stats().failures >= 2);
      assert.match(warnings.join('\n'), /may not list namespaces \(403\)/);
      assert.equal((await get('/readyz')).status, 503);
      const early = await validate(privilegedPod());
      assert.equal(early.status, 503, 'no verdict without namespace labels: the API server applies the failure policy');
      const notReady = (await get('/metrics')).body;
      assert.equal(metricValue(notReady, 'rampart_admission_namespace_cache_ready'), 0);
      assert.ok((metricValue(notReady, 'rampart_admission_namespace_cache_failures_total') ?? 0) >= 2);
      assert.equal(metricValue(notReady, 'rampart_admission_errors_total{endpoint="validate",kind="not-ready"}'), 1);

      forbidden.length = 0; // the ClusterRole is granted
      await eventually('/readyz turns 200', async () => (await get('/readyz')).status === 200);
      const denied = JSON.parse((await validate(privilegedPod())).body) as { response: { allowed: boolean } };
      assert.equal(denied.response.allowed, false, 'shop enforces a Pod Security level, read from the cluster');
      const metrics = (await get('/metrics')).body;
      assert.equal(metricValue(metrics, 'rampart_admission_namespace_cache_ready'), 1);
      assert.ok((metricValue(metrics, 'rampart_admission_namespace_cache_namespaces') ?? 0) >= 9);
      assert.ok((metricValue(metrics, 'rampart_admission_namespace_cache_staleness_seconds') ?? -1) >= 0);

      // A namespace the watch has not delivered yet is looked up once.
      const lookupsBefore = cache.stats().lookups;
      const unknown = await validate({ ...privilegedPod(), metadata: { name: 'bad', namespace: 'nowhere' } });
      assert.equal(unknown.status, 200);
      assert.equal(cache.stats().lookups, lookupsBefore + 1);
      // Concurrent lookups of one name share one GET; a namespace created meanwhile is found and kept.
      server.put(namespace('brand-new', { [ENFORCE]: 'baseline' }));
      const gets = (): number => server.requests.filter((line) => line === 'GET /api/v1/namespaces/brand-new').length;
      const answers = await Promise.all([cache.lookup('brand-new'), cache.lookup('brand-new'), cache.lookup('brand-new')]);
      assert.ok(answers.every((labels) => labels?.[ENFORCE] === 'baseline'), JSON.stringify(answers));
      assert.ok(gets() <= 1, 'at most one GET (none when the watch delivered it first)');
    } finally {
      await admission.close(1000);
      await cache.closed();
    }
  });
});

describe('rampart admission serve --kubeconfig (the command, as a child process)', () => {
  // The in-cluster account may read Namespaces and nothing else, as the ClusterRole of `admission manifests` grants.
  const onlyNamespaces = BUILTIN_RESOURCES.map((resource) => (resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`)).filter((name) => name !== 'namespaces');
  const server = new TestApiServer({ tokens: { admin: { name: 'admin' }, 'pod-token': { name: 'system:serviceaccount:rampart-system:rampart-admission', forbidden: onlyNamespaces } } });
  let dir: string;
  let child: ChildProcess | undefined;

  before(async () => {
    await server.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-nscache-cli-'));
    writeFileSync(path.join(dir, 'kubeconfig'), server.kubeconfig({ token: 'admin' }, 'lab'));
    server.seed([namespace('shop')]);
  });
  after(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a namespace relabelled or created on the API server changes the verdict; a dropped watch is re-established; metrics show the cache', async () => {
    const started = spawn(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'rampart.test', '--port', '0', '--host', '127.0.0.1', '--warm-up-ms', '0', '--kubeconfig', path.join(dir, 'kubeconfig'), '--context', 'lab'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: '' },
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    await eventually('the server listens', () => /admission webhook listening/.test(output));
    const ca = output.slice(0, output.indexOf('-----END CERTIFICATE-----') + 26);
    const port = Number(/"port":(\d+)/.exec(output)?.[1]);
    const get = (urlPath: string) => call(port, 'GET', urlPath, undefined, { ca, timeoutMs: WAIT_MS });
    const allowed = async (namespaceName: string): Promise<boolean> => {
      const reply = await call(port, 'POST', '/validate', reviewBody(request({ ...privilegedPod(), metadata: { name: 'bad', namespace: namespaceName } })), { ca, timeoutMs: WAIT_MS });
      assert.equal(reply.status, 200, reply.body);
      return (JSON.parse(reply.body) as { response: { allowed: boolean } }).response.allowed;
    };
    await eventually('ready', async () => (await get('/readyz')).status === 200);
    assert.equal(await allowed('shop'), true, 'shop has no Pod Security labels yet');

    server.put(namespace('shop', { [ENFORCE]: 'baseline' }));
    await eventually('the relabelled namespace denies', async () => !(await allowed('shop')));
    server.put(namespace('locked', { [ENFORCE]: 'restricted' }));
    await eventually('a new namespace denies', async () => !(await allowed('locked')));

    const before = watchRequests(server);
    assert.ok(before >= 1);
    server.endWatches();
    await eventually('the watch is re-established', () => watchRequests(server) > before);
    server.put(namespace('shop', { [ENFORCE]: 'privileged' }));
    await eventually('events after the reconnect change the verdict', () => allowed('shop'));
    const metrics = (await get('/metrics')).body;
    assert.equal(metricValue(metrics, 'rampart_admission_namespace_cache_connected'), 1);
    assert.ok((metricValue(metrics, 'rampart_admission_namespace_cache_watches_total') ?? 0) >= 2);
    assert.ok(metricValue(metrics, 'rampart_admission_namespace_cache_staleness_seconds') !== undefined);
    assert.match(output, /"context":"lab"/);

    started.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('--in-cluster reads the service-account token and CA of the pod, and needs no permission beyond reading Namespaces', async () => {
    const root = path.join(dir, 'root');
    const account = path.join(root, 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
    mkdirSync(account, { recursive: true });
    writeFileSync(path.join(account, 'token'), 'pod-token');
    writeFileSync(path.join(account, 'ca.crt'), server.pki.caCert);
    writeFileSync(path.join(account, 'namespace'), 'rampart-system');
    server.put(namespace('strict', { [ENFORCE]: 'restricted' }));
    const started = spawn(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'rampart.test', '--port', '0', '--host', '127.0.0.1', '--warm-up-ms', '0', '--in-cluster'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: path.join(dir, 'kubeconfig'), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(server.url).port, RAMPART_IN_CLUSTER_ROOT: root },
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    await eventually('the server listens', () => /admission webhook listening/.test(output));
    const ca = output.slice(0, output.indexOf('-----END CERTIFICATE-----') + 26);
    const port = Number(/"port":(\d+)/.exec(output)?.[1]);
    await eventually('ready', async () => (await call(port, 'GET', '/readyz', undefined, { ca, timeoutMs: WAIT_MS })).status === 200);
    const reply = await call(port, 'POST', '/validate', reviewBody(request({ ...privilegedPod(), metadata: { name: 'bad', namespace: 'strict' } })), { ca, timeoutMs: WAIT_MS });
    assert.equal((JSON.parse(reply.body) as { response: { allowed: boolean } }).response.allowed, false);
    assert.match(output, /"context":"inClusterContext"/, 'the in-cluster credentials, not the kubeconfig in KUBECONFIG');
    assert.doesNotMatch(output, /failed|forbidden/i);
    started.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('refuses --namespaces together with a cluster, and an unknown --context, with exit 2 and no stack trace', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const process_ = spawn(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'x', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
        let stderr = '';
        process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        process_.on('exit', (code) => resolve({ code, stderr }));
      });
    writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    const both = await run(['--namespaces', path.join(dir, 'ns.yaml'), '--kubeconfig', path.join(dir, 'kubeconfig')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /two sources of namespace labels/);
    const context = await run(['--kubeconfig', path.join(dir, 'kubeconfig'), '--context', 'elsewhere']);
    assert.equal(context.code, 2);
    assert.match(context.stderr, /context "elsewhere" is not in the kubeconfig/);
    assert.doesNotMatch(context.stderr, /\n\s+at /);
  });
});
