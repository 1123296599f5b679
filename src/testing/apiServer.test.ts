/** The test API server speaks the protocol real clients expect: kubectl is pointed at it, and raw HTTPS requests probe paging, watch and faults. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { TestApiServer } from './apiServer.js';
import { tempDir } from './tempDir.js';

const run = promisify(execFile);

const pod = (name: string, namespace?: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(server: TestApiServer, urlPath: string, token = 'admin-token', method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${server.url}${urlPath}`,
      { method, ca: server.pki.caCert, headers: { ...(token !== '' ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('test API server', () => {
  const server = new TestApiServer({ tokens: { 'admin-token': { name: 'admin' }, 'no-secrets': { name: 'viewer', forbidden: ['secrets', 'roles.rbac.authorization.k8s.io'] } } });
  let dir: string;

  before(async () => {
    await server.start();
    dir = tempDir('rampart-apiserver-');
    const rejected = server.seed([
      pod('web', 'shop'),
      pod('db'),
      pod('cache', 'shop'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { template: { spec: { containers: [] } } } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'shop' }, data: { password: 'aHVudGVyMg==' } },
      { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'old' } },
    ]);
    assert.deepEqual(
      rejected.map((entry) => entry.reason),
      ['no resource serves Deployment in extensions/v1beta1'],
    );
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function kubectl(kubeconfig: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, kubeconfig);
    try {
      const result = await run('kubectl', ['--kubeconfig', file, '--cache-dir', path.join(dir, 'cache'), ...args], { timeout: 30_000 });
      return { ...result, code: 0 };
    } catch (error) {
      const failed = error as { stdout: string; stderr: string; code: number };
      return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
  }

  test('kubectl get pods -A lists every pod with its namespace, with a bearer token and with a client certificate', async () => {
    for (const kubeconfig of [server.kubeconfig({ token: 'admin-token' }), server.kubeconfig({ certificate: true })]) {
      const result = await kubectl(kubeconfig, 'get', 'pods', '-A');
      assert.equal(result.code, 0, result.stderr);
      const rows = result.stdout.trim().split('\n').map((line) => line.split(/\s+/).slice(0, 2));
      assert.deepEqual(rows, [['NAMESPACE', 'NAME'], ['default', 'db'], ['shop', 'cache'], ['shop', 'web']]);
    }
  });

  test('kubectl get --raw /apis returns the group list, and kubectl resolves short names through discovery', async () => {
    const raw = await kubectl(server.kubeconfig({ token: 'admin-token' }), 'get', '--raw', '/apis');
    assert.equal(raw.code, 0, raw.stderr);
    const groups = (JSON.parse(raw.stdout) as { kind: string; groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> });
    assert.equal(groups.kind, 'APIGroupList');
    assert.equal(groups.groups.find((group) => group.name === 'apps')?.preferredVersion.groupVersion, 'apps/v1');
    assert.ok(groups.groups.some((group) => group.name === 'rbac.authorization.k8s.io'));
    const named = await kubectl(server.kubeconfig({ token: 'admin-token' }), 'get', 'deploy,secrets', '-n', 'shop', '-o', 'name');
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual(named.stdout.trim().split('\n'), ['deployment.apps/api', 'secret/token']);
  });

  test('kubectl sees 403 for a resource the token may not read and 401 for an unknown token', async () => {
    const forbidden = await kubectl(server.kubeconfig({ token: 'no-secrets' }), 'get', 'secrets', '-n', 'shop');
    assert.notEqual(forbidden.code, 0);
    assert.match(forbidden.stderr, /Forbidden.*User "viewer" cannot list resource "secrets"/);
    const unknown = await kubectl(server.kubeconfig({ token: 'wrong' }), 'get', 'pods');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Unauthorized|must be logged in/);
  });

  test('kubectl get -o json returns the stored objects with the metadata the server set', async () => {
    const result = await kubectl(server.kubeconfig({ token: 'admin-token' }), 'get', 'pod', 'db', '-o', 'json');
    assert.equal(result.code, 0, result.stderr);
    const object = JSON.parse(result.stdout) as { kind: string; metadata: { namespace: string; uid: string; resourceVersion: string }; spec: unknown };
    assert.equal(object.kind, 'Pod');
    assert.equal(object.metadata.namespace, 'default');
    assert.match(object.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(object.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(object.spec, pod('db').spec);
  });

  test('lists page with limit and continue; items carry no kind, the list carries resourceVersion', async () => {
    const first = await request(server, '/api/v1/pods?limit=2');
    assert.equal(first.status, 200);
    const page1 = JSON.parse(first.body) as { kind: string; metadata: { continue?: string; resourceVersion: string; remainingItemCount?: number }; items: Array<{ kind?: string; metadata: { name: string } }> };
    assert.equal(page1.kind, 'PodList');
    assert.deepEqual(page1.items.map((item) => item.metadata.name), ['db', 'cache']);
    assert.equal(page1.items[0]?.kind, undefined);
    assert.equal(page1.metadata.remainingItemCount, 1);
    assert.match(page1.metadata.resourceVersion, /^\d+$/);
    const second = JSON.parse((await request(server, `/api/v1/pods?limit=2&continue=${page1.metadata.continue}`)).body) as typeof page1;
    assert.deepEqual(second.items.map((item) => item.metadata.name), ['web']);
    assert.equal(second.metadata.continue, undefined);
    const namespaced = JSON.parse((await request(server, '/api/v1/namespaces/shop/pods')).body) as typeof page1;
    assert.deepEqual(namespaced.items.map((item) => item.metadata.name), ['cache', 'web']);
  });

  test('an expired continue token gets 410 Gone; the next requests after throttle() get 429 with Retry-After', async () => {
    const page1 = JSON.parse((await request(server, '/api/v1/pods?limit=1')).body) as { metadata: { continue: string } };
    server.expireContinueTokens();
    const gone = await request(server, `/api/v1/pods?limit=1&continue=${page1.metadata.continue}`);
    assert.equal(gone.status, 410);
    assert.equal((JSON.parse(gone.body) as { reason: string }).reason, 'Expired');
    server.throttle(2, 3);
    const throttled = [await request(server, '/api/v1/pods'), await request(server, '/api/v1/pods'), await request(server, '/api/v1/pods')];
    assert.deepEqual(throttled.map((reply) => reply.status), [429, 429, 200]);
    assert.equal(throttled[0]?.headers['retry-after'], '3');
  });

  test('a watch streams ADDED, MODIFIED and DELETED events as JSON lines and ends at timeoutSeconds', async () => {
    const list = JSON.parse((await request(server, '/api/v1/namespaces/shop/pods')).body) as { metadata: { resourceVersion: string } };
    const events: Array<{ type: string; object: { kind: string; metadata: { name: string } } }> = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = https.request(`${server.url}/api/v1/namespaces/shop/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`, { ca: server.pki.caCert, headers: { authorization: 'Bearer admin-token' } }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let newline;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffer.slice(0, newline)) as (typeof events)[number]);
            buffer = buffer.slice(newline + 1);
          }
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.put(pod('new', 'shop'));
    server.put({ ...pod('web', 'shop'), metadata: { name: 'web', namespace: 'shop', labels: { changed: 'yes' } } });
    server.put(pod('elsewhere', 'other'));
    assert.equal(server.delete('v1', 'Pod', 'shop', 'cache'), true);
    await done;
    assert.deepEqual(events.map((event) => `${event.type} ${event.object.kind}/${event.object.metadata.name}`), ['ADDED Pod/new', 'MODIFIED Pod/web', 'DELETED Pod/cache']);
  });

  test('create, replace, get and delete over HTTP; bad bodies are 400 and the server keeps serving', async () => {
    const created = await request(server, '/api/v1/namespaces/shop/configmaps', 'admin-token', 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }));
    assert.equal(created.status, 201);
    const again = await request(server, '/api/v1/namespaces/shop/configmaps', 'admin-token', 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }));
    assert.equal(again.status, 409);
    const replaced = await request(server, '/api/v1/namespaces/shop/configmaps/settings', 'admin-token', 'PUT', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '2' } }));
    assert.equal(replaced.status, 200);
    assert.deepEqual((JSON.parse((await request(server, '/api/v1/namespaces/shop/configmaps/settings')).body) as { data: unknown }).data, { a: '2' });
    assert.equal((await request(server, '/api/v1/namespaces/shop/configmaps', 'admin-token', 'POST', '{not json')).status, 400);
    assert.equal((await request(server, '/api/v1/namespaces/shop/configmaps/settings', 'admin-token', 'DELETE')).status, 200);
    assert.equal((await request(server, '/api/v1/namespaces/shop/configmaps/settings')).status, 404);
    assert.equal((await request(server, '/api/v1/pods', '')).status, 401);
  });
});
