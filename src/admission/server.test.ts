import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { FIXTURES } from '../testing/paths.js';
import { call } from './httpsClient.js';
import { applyPatch, type PatchOperation } from './mutate.js';
import { StaticNamespaceSource } from './namespaces.js';
import { startAdmissionServer, type AdmissionServer } from './server.js';
import { deployment, ENFORCE, pod, privilegedPod, request, restrictedPod, reviewBody, webhookConfig } from './testSupport.js';
import { generateSelfSigned, type ServingCertificate } from './tls.js';
import type { JsonObject } from '../model/types.js';

const GOLDEN = path.join(FIXTURES, 'admission');

function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const NAMESPACES = new StaticNamespaceSource({
  shop: { [ENFORCE]: 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' },
  audited: { 'pod-security.kubernetes.io/audit': 'restricted' },
  open: {},
  mutated: { 'rampart.dev/mutate': 'enabled' },
});

function inNamespace(object: JsonObject, namespace: string): JsonObject {
  return { ...object, metadata: { ...(object.metadata as JsonObject), namespace } };
}

/** Compares the whole response with its golden file; RAMPART_UPDATE_GOLDEN=1 rewrites the files. */
function assertGolden(name: string, actual: unknown): void {
  const file = path.join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.RAMPART_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')), `golden file ${file} differs (RAMPART_UPDATE_GOLDEN=1 to rewrite after checking the change)`);
}

describe('admission server over HTTPS on loopback', () => {
  let certificate: ServingCertificate;
  let server: AdmissionServer;
  let logs: ReturnType<typeof captureLogger>;
  const post = (endpoint: string, body: string, headers: Record<string, string> = {}) => call(server.port, 'POST', endpoint, body, { ca: certificate.ca }, headers);

  before(async () => {
    certificate = await generateSelfSigned('rampart.test');
    logs = captureLogger();
    server = await startAdmissionServer({ config: webhookConfig(), namespaces: NAMESPACES, tls: certificate, port: 0, host: '127.0.0.1', logger: logs.logger });
  });
  after(async () => {
    await server.close(1000);
  });

  const cases: Array<[string, string, ReturnType<typeof request>]> = [
    ['validate-pod-denied-by-enforce', '/validate', request(privilegedPod())],
    ['validate-pod-allowed-with-warnings', '/validate', request(inNamespace(restrictedPod('tagged', 'nginx:1.27'), 'shop'))],
    ['validate-deployment-warned-not-denied', '/validate', request(deployment('web', privilegedPod().spec as JsonObject))],
    ['validate-pod-audit-only', '/validate', request(inNamespace(privilegedPod(), 'audited'))],
    ['validate-pod-update-unchanged', '/validate', request(privilegedPod(), { operation: 'UPDATE', oldObject: { ...privilegedPod(), metadata: { name: 'bad', namespace: 'shop', labels: { a: 'b' } } } })],
    ['validate-pod-exec-ignored', '/validate', request(privilegedPod(), { subResource: 'exec', operation: 'CONNECT' })],
    [
      'validate-ephemeral-container-denied',
      '/validate',
      request({ ...restrictedPod('debugged'), spec: { ...(restrictedPod().spec as JsonObject), ephemeralContainers: [{ name: 'shell', image: 'busybox', securityContext: { privileged: true } }] } }, {
        subResource: 'ephemeralcontainers',
        operation: 'UPDATE',
        oldObject: restrictedPod('debugged'),
      }),
    ],
    ['validate-dry-run-denied', '/validate', request(privilegedPod(), { dryRun: true })],
    ['mutate-pod-patched', '/mutate', request(inNamespace(pod('plain', { containers: [{ name: 'app', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' }] }), 'mutated'))],
    ['mutate-pod-not-opted-in', '/mutate', request(inNamespace(pod('plain', { containers: [{ name: 'app', image: 'nginx:1.27' }] }), 'open'))],
  ];
  for (const [name, endpoint, admissionRequest] of cases) {
    it(`answers ${name} as its golden AdmissionReview`, async () => {
      const response = await post(endpoint, reviewBody(admissionRequest));
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'application/json');
      const review = JSON.parse(response.body) as { apiVersion: string; kind: string; response: { uid: string } };
      assert.equal(review.apiVersion, 'admission.k8s.io/v1');
      assert.equal(review.response.uid, admissionRequest.uid);
      assertGolden(name, review);
    });
  }

  it('gives dry-run requests the same verdict without counting them as decisions', async () => {
    const metricsBefore = (await call(server.port, 'GET', '/metrics', undefined, { ca: certificate.ca })).body;
    const denied = (text: string): number => Number(/rampart_admission_decisions_total\{endpoint="validate",decision="denied"\} (\d+)/.exec(text)?.[1] ?? 0);
    const wet = JSON.parse((await post('/validate', reviewBody(request(privilegedPod())))).body) as { response: unknown };
    const dry = JSON.parse((await post('/validate', reviewBody(request(privilegedPod(), { dryRun: true })))).body) as { response: unknown };
    assert.deepEqual(dry.response, wet.response);
    const metricsAfter = (await call(server.port, 'GET', '/metrics', undefined, { ca: certificate.ca })).body;
    assert.equal(denied(metricsAfter), denied(metricsBefore) + 1);
  });

  it('mutates idempotently: the patched object reviewed again needs no patch, and user values are kept', async () => {
    const original = inNamespace(
      pod('user-values', {
        securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } },
        containers: [
          { name: 'app', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', securityContext: { capabilities: { drop: ['NET_RAW'] } } },
          { name: 'root', image: 'busybox', securityContext: { privileged: true } },
        ],
        initContainers: [{ name: 'init', image: 'busybox' }],
      }),
      'mutated',
    );
    const first = JSON.parse((await post('/mutate', reviewBody(request(original)))).body) as { response: { patch?: string; patchType?: string } };
    assert.equal(first.response.patchType, 'JSONPatch');
    const operations = JSON.parse(Buffer.from(first.response.patch ?? '', 'base64').toString('utf8')) as PatchOperation[];
    assert.ok(operations.every((operation) => operation.op === 'add'));
    const patched = applyPatch(original, operations);
    const spec = patched.spec as { securityContext: JsonObject; containers: JsonObject[]; initContainers: JsonObject[]; automountServiceAccountToken: boolean };
    assert.deepEqual(spec.securityContext.seccompProfile, { type: 'Localhost', localhostProfile: 'p.json' }, 'user seccomp kept');
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.containers[0]?.imagePullPolicy, 'IfNotPresent', 'user pull policy kept');
    assert.deepEqual((spec.containers[0]?.securityContext as JsonObject).capabilities, { drop: ['NET_RAW'] }, 'user drop list kept');
    assert.equal((spec.containers[1]?.securityContext as JsonObject).allowPrivilegeEscalation, undefined, 'not beside privileged: the API server would reject it');
    assert.equal((spec.initContainers[0]?.securityContext as JsonObject).allowPrivilegeEscalation, false);
    const second = JSON.parse((await post('/mutate', reviewBody(request(patched)))).body) as { response: { patch?: string; allowed: boolean } };
    assert.equal(second.response.allowed, true);
    assert.equal(second.response.patch, undefined, 'reinvocation adds nothing');
  });

  it('answers malformed, oversized, wrongly versioned, uid-less and mismatched bodies with a clear 400 and a log line, and keeps serving', async () => {
    const good = reviewBody(request(restrictedPod()));
    const review = JSON.parse(good) as { request: Record<string, unknown> };
    const bad: Array<[string, string, RegExp]> = [
      ['malformed', '{"apiVersion": "admission.k8s.io/v1", "kind": ', /not valid JSON/],
      ['not an object', '[1,2]', /must be a JSON object/],
      ['wrong version', good.replace('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'), /apiVersion must be admission\.k8s\.io\/v1, got "admission\.k8s\.io\/v1beta1"/],
      ['missing uid', JSON.stringify({ ...JSON.parse(good), request: { ...review.request, uid: undefined } }), /request\.uid is missing/],
      ['kind mismatch', JSON.stringify({ ...JSON.parse(good), request: { ...review.request, object: { ...(review.request.object as JsonObject), kind: 'ConfigMap' } } }), /request\.object is "v1" "ConfigMap", but request\.kind says v1 Pod/],
      ['too deep', `{"a":${'['.repeat(500)}${']'.repeat(500)}}`, /nests deeper than the limit of 100/],
      ['oversized', JSON.stringify({ pad: 'x'.repeat(7 * 1024 * 1024) }), /larger than the limit of 6291456 bytes/],
    ];
    for (const [label, body, message] of bad) {
      const response = await post('/validate', body);
      assert.equal(response.status, 400, label);
      assert.match((JSON.parse(response.body) as { error: string }).error, message, label);
    }
    const warnings = logs.lines().filter((line) => line.msg === 'bad admission request');
    assert.ok(warnings.length >= bad.length, 'one log line per bad request');
    assert.ok(warnings.some((line) => typeof line.problem === 'string' && /request\.uid is missing/.test(line.problem)));
    assert.equal((await call(server.port, 'GET', '/validate', undefined, { ca: certificate.ca })).status, 405);
    const after = await post('/validate', good);
    assert.equal(after.status, 200, 'still serving');
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    assert.equal((await call(server.port, 'GET', '/healthz', undefined, { ca: certificate.ca })).status, 200);
    assert.equal((await call(server.port, 'GET', '/readyz', undefined, { ca: certificate.ca })).status, 200);
    const metrics = (await call(server.port, 'GET', '/metrics', undefined, { ca: certificate.ca })).body;
    for (const name of [
      'rampart_admission_requests_total{endpoint="validate",code="200"}',
      'rampart_admission_requests_total{endpoint="validate",code="400"}',
      'rampart_admission_request_duration_seconds_bucket{le="0.005",endpoint="validate"}',
      'rampart_admission_check_family_duration_seconds_count{family="pss"}',
      'rampart_admission_check_family_duration_seconds_count{family="catalogue"}',
      'rampart_admission_errors_total{endpoint="validate",kind="bad-request"}',
      'rampart_admission_namespace_cache_staleness_seconds 0',
    ]) {
      assert.ok(metrics.includes(name), `metrics lack ${name}`);
    }
    assert.equal((await call(server.port, 'GET', '/nothing', undefined, { ca: certificate.ca })).status, 404);
  });

  it('refuses TLS older than 1.2', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: server.port, ca: certificate.ca, servername: 'rampart.test', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve(socket.getProtocol()));
        socket.on('error', reject);
      }),
    );
  });
});

describe('admission server with a config file: golden responses for config-decided paths', () => {
  it('answers config denials, audits, exemptions and oversized warning lists as their golden AdmissionReviews', async () => {
    const certificate = await generateSelfSigned('rampart.test');
    const { parseWebhookConfig } = await import('./config.js');
    const config = await parseWebhookConfig(
      [
        'exceptions:',
        '  - {checks: [container-cpu-limit-missing], match: {kind: Pod}, reason: burstable by design, owner: platform}',
        'admission:',
        '  rules:',
        '    - {action: deny, checks: [image-tag-mutable], namespaces: [shop]}',
        '    - {action: audit, minSeverity: high}',
        '    - {action: ignore, checks: [container-liveness-probe-missing, container-readiness-probe-missing]}',
        '  podSecurity:',
        '    exemptions: {usernames: ["system:serviceaccount:ci:deployer"], runtimeClasses: [kata]}',
        '',
      ].join('\n'),
      'rampart.yaml',
    );
    const server = await startAdmissionServer({ config, namespaces: NAMESPACES, tls: certificate, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
    try {
      const many = pod('many', { containers: Array.from({ length: 12 }, (_, index) => ({ name: `container-${index}`, image: 'nginx:1.27' })) });
      const cases: Array<[string, ReturnType<typeof request>]> = [
        ['validate-config-rule-denied', request(restrictedPod('tagged', 'nginx:latest'))],
        ['validate-config-audit-and-exception', request(inNamespace(privilegedPod(), 'open'))],
        ['validate-exempt-username', request(privilegedPod(), { username: 'system:serviceaccount:ci:deployer' })],
        ['validate-exempt-runtime-class', request(pod('kata', { runtimeClassName: 'kata', containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] }))],
        ['validate-warnings-bounded', request(inNamespace(many, 'open'))],
      ];
      for (const [name, admissionRequest] of cases) {
        const response = await call(server.port, 'POST', '/validate', reviewBody(admissionRequest), { ca: certificate.ca });
        assert.equal(response.status, 200, name);
        assertGolden(name, JSON.parse(response.body));
      }
    } finally {
      await server.close(1000);
    }
  });
});

describe('admission server with a pluggable namespace source', () => {
  it('reports not ready until the source is, exports its staleness, and reads labels through it', async () => {
    const certificate = await generateSelfSigned('rampart.test');
    let synced = false;
    const lookups: string[] = [];
    // What a watched cluster cache looks like to the server: not ready before its first list, then stale by some seconds.
    const watched = {
      labels: (name: string) => {
        lookups.push(name);
        return synced ? { [ENFORCE]: 'baseline' } : undefined;
      },
      ready: () => synced,
      stalenessSeconds: () => (synced ? 7 : 0),
    };
    const server = await startAdmissionServer({ config: webhookConfig(), namespaces: watched, tls: certificate, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
    try {
      const options = { ca: certificate.ca };
      const readyz = await call(server.port, 'GET', '/readyz', undefined, options);
      assert.equal(readyz.status, 503);
      assert.match(readyz.body, /namespace source not ready/);
      synced = true;
      assert.equal((await call(server.port, 'GET', '/readyz', undefined, options)).status, 200);
      assert.match((await call(server.port, 'GET', '/metrics', undefined, options)).body, /rampart_admission_namespace_cache_staleness_seconds 7/);
      const review = JSON.parse((await call(server.port, 'POST', '/validate', reviewBody(request(privilegedPod())), options)).body) as { response: { allowed: boolean } };
      assert.equal(review.response.allowed, false, 'labels from the source decide');
      assert.deepEqual(lookups, ['shop']);
    } finally {
      await server.close(1000);
    }
  });
});

describe('admission server reloads and drains', () => {
  it('reloads the certificate without dropping an open connection, and the config with a refused broken version', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-admission-'));
    try {
      const first = await generateSelfSigned('rampart.test');
      const second = await generateSelfSigned('rampart.test');
      const certFile = path.join(directory, 'tls.crt');
      const keyFile = path.join(directory, 'tls.key');
      const configFile = path.join(directory, 'rampart.yaml');
      writeFileSync(certFile, first.cert);
      writeFileSync(keyFile, first.key);
      writeFileSync(configFile, 'admission:\n  defaultAction: warn\n');
      const { loadWebhookConfig } = await import('./config.js');
      const server = await startAdmissionServer({
        config: await loadWebhookConfig(configFile),
        configFile,
        namespaces: NAMESPACES,
        tls: { cert: first.cert, key: first.key, certFile, keyFile },
        port: 0,
        host: '127.0.0.1',
        logger: pino({ level: 'silent' }),
        watchIntervalMs: 50,
      });
      try {
        const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
        const tagged = reviewBody(request(inNamespace(restrictedPod('tagged', 'nginx:latest'), 'open')));
        assert.equal((await call(server.port, 'POST', '/validate', tagged, { ca: first.ca, agent: keepAlive })).status, 200);
        writeFileSync(certFile, second.cert);
        writeFileSync(keyFile, second.key);
        await waitFor(async () => {
          try {
            return (await call(server.port, 'GET', '/healthz', undefined, { ca: second.ca })).status === 200;
          } catch {
            return false;
          }
        });
        // The connection opened under the first certificate still works.
        assert.equal((await call(server.port, 'POST', '/validate', tagged, { ca: first.ca, agent: keepAlive })).status, 200);
        keepAlive.destroy();
        await assert.rejects(call(server.port, 'GET', '/healthz', undefined, { ca: first.ca }), 'new connections see only the new certificate');

        writeFileSync(configFile, 'admission:\n  rules: [{action: deny, checks: [image-tag-mutable]}]\n');
        await waitFor(async () => !(JSON.parse((await call(server.port, 'POST', '/validate', tagged, { ca: second.ca })).body) as { response: { allowed: boolean } }).response.allowed);
        writeFileSync(configFile, 'admission:\n  rules: [{action: explode}]\n');
        await waitFor(async () => /config_reloads_total\{result="failure"\} 1/.test((await call(server.port, 'GET', '/metrics', undefined, { ca: second.ca })).body));
        const stillDenied = JSON.parse((await call(server.port, 'POST', '/validate', tagged, { ca: second.ca })).body) as { response: { allowed: boolean } };
        assert.equal(stillDenied.response.allowed, false, 'the broken config is refused; the previous one stays');
      } finally {
        await server.close(1000);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('drains: a request in flight when close begins is answered, readiness turns 503, then the port closes', async () => {
    const certificate = await generateSelfSigned('rampart.test');
    const server = await startAdmissionServer({ config: webhookConfig(), namespaces: NAMESPACES, tls: certificate, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
    const body = reviewBody(request(privilegedPod()));
    const { request: httpsRequest } = await import('node:https');
    const answered = new Promise<number>((resolve, reject) => {
      const outgoing = httpsRequest(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/validate', ca: certificate.ca, servername: 'rampart.test', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      // Half the body now, the rest after close() has begun.
      outgoing.write(body.slice(0, 100));
      setTimeout(() => outgoing.end(body.slice(100)), 150);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close(5000);
    assert.equal(await answered, 200);
    await closing;
    await assert.rejects(call(server.port, 'GET', '/healthz', undefined, { ca: certificate.ca }));
  });
});

/** Polls until the condition holds; 20 s, because a loaded 2-core machine can take seconds to poll a file and reload. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('condition not reached in time');
}
