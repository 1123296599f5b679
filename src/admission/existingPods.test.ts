import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ClusterConnection } from '../cluster/connection.js';
import type { JsonObject } from '../model/types.js';
import { BUILTIN_RESOURCES, TestApiServer } from '../testing/apiServer.js';
import { CLI } from '../testing/paths.js';
import { Decider, MAX_WARNING_CHARS, MAX_WARNINGS_TOTAL_CHARS } from './decide.js';
import { existingPodWarnings, namespacePodCheck, type NamespacePodCheck } from './existingPods.js';
import { call } from './httpsClient.js';
import { StaticNamespaceSource } from './namespaces.js';
import { ClusterPodSource, StaticPodSource, type PodSource } from './pods.js';
import { requestTimeoutMs, startAdmissionServer, type AdmissionServer } from './server.js';
import { ENFORCE, request, reviewBody, webhookConfig } from './testSupport.js';
import { generateSelfSigned, type ServingCertificate } from './tls.js';
import { DEFAULT_ADMISSION_CONFIG } from './config.js';

const WAIT_MS = 20_000;
const VERSION = `${ENFORCE}-version`;
/** What restricted adds to baseline for a container that sets nothing. */
const RESTRICTED_REASONS = 'allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities';

function namespace(name: string, labels: Record<string, string>): JsonObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** The Namespace UPDATE the API server sends when `kubectl label` changes the labels. */
function relabel(name: string, from: Record<string, string>, to: Record<string, string>): ReturnType<typeof request> {
  return { ...request(namespace(name, to), { operation: 'UPDATE', oldObject: namespace(name, from) }), namespace: name };
}

function pod(name: string, namespaceName: string, spec: JsonObject, metadata: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: namespaceName, ...metadata }, spec };
}

/** Passes baseline, fails restricted. */
function plainPod(name: string, namespaceName: string, controller?: string): JsonObject {
  const owner = controller === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: controller, uid: `uid-${controller}`, controller: true }] };
  return pod(name, namespaceName, { containers: [{ name: 'app', image: 'nginx:1.27' }] }, owner);
}

function compliantPod(name: string, namespaceName: string): JsonObject {
  return pod(name, namespaceName, {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  });
}

function debugPod(name: string, namespaceName: string): JsonObject {
  return pod(name, namespaceName, { hostNetwork: true, containers: [{ name: 'shell', image: 'busybox:1.36', securityContext: { privileged: true } }] });
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

interface Reply {
  uid: string;
  allowed: boolean;
  warnings?: string[];
  status?: { code: number };
}

describe('which Namespace requests check existing pods (Pod Security Admission\'s rules)', () => {
  const admission = DEFAULT_ADMISSION_CONFIG;
  const check = (admissionRequest: ReturnType<typeof request>, config = admission): string | undefined => namespacePodCheck(admissionRequest, config)?.policy;

  it('tightening the level, or changing the version, checks; loosening, keeping, privileged, CREATE and exempt namespaces do not', () => {
    assert.equal(check(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' })), 'restricted:latest');
    assert.equal(check(relabel('shop', {}, { [ENFORCE]: 'baseline' })), 'baseline:latest');
    // Another version is another policy, stricter or not: PSA checks whenever the version changes.
    assert.equal(check(relabel('shop', { [ENFORCE]: 'restricted' }, { [ENFORCE]: 'restricted', [VERSION]: 'v1.24' })), 'restricted:v1.24');
    assert.equal(check(relabel('shop', { [ENFORCE]: 'restricted', [VERSION]: 'v1.30' }, { [ENFORCE]: 'baseline' })), 'baseline:latest');
    assert.equal(check(relabel('shop', { [ENFORCE]: 'restricted' }, { [ENFORCE]: 'baseline' })), undefined);
    assert.equal(check(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'baseline', team: 'a' })), undefined);
    assert.equal(check(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'privileged', [VERSION]: 'v1.20' })), undefined);
    assert.equal(check(request(namespace('shop', { [ENFORCE]: 'restricted' }))), undefined, 'a new namespace has no pods');
    assert.equal(check({ ...relabel('shop', {}, { [ENFORCE]: 'restricted' }), subResource: 'status' }), undefined);
    const exempt = { ...admission, podSecurity: { ...admission.podSecurity, exemptions: { ...admission.podSecurity.exemptions, namespaces: ['shop'] } } };
    assert.equal(check(relabel('shop', {}, { [ENFORCE]: 'restricted' }), exempt), undefined);
  });

  it('reads unlabelled modes from the configured defaults, and leaves requests the Decider refuses alone', () => {
    const defaults = { ...admission, podSecurity: { ...admission.podSecurity, defaults: { enforce: 'baseline' as const } } };
    // Removing a privileged label falls back to the default baseline: that tightens.
    assert.equal(check(relabel('shop', { [ENFORCE]: 'privileged' }, {}), defaults), 'baseline:latest');
    assert.equal(check(relabel('shop', { [ENFORCE]: 'privileged' }, {})), undefined);
    // A new invalid label is refused; an invalid label the namespace already had fails closed (restricted).
    assert.equal(check(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'strict' })), undefined);
    assert.equal(check(relabel('shop', { [ENFORCE]: 'strict', [VERSION]: 'v1.30' }, { [ENFORCE]: 'strict' })), 'restricted:latest');
  });
});

describe('the API server\'s timeout for a webhook call', () => {
  it('reads Go durations from the URL\'s timeout parameter', () => {
    assert.equal(requestTimeoutMs('/validate?timeout=3s'), 3000);
    assert.equal(requestTimeoutMs('/validate?timeout=1m0s'), 60_000);
    assert.equal(requestTimeoutMs('/validate?timeout=1.5s'), 1500);
    assert.equal(requestTimeoutMs('/validate?timeout=250ms'), 250);
    assert.equal(requestTimeoutMs('/validate'), undefined);
    assert.equal(requestTimeoutMs('/validate?timeout=soon'), undefined);
    assert.equal(requestTimeoutMs('/validate?timeout=0s'), undefined);
  });
});

describe('existing-pod warnings from a pod source', () => {
  // A generous time limit: the machine may be loaded, and this is not what these tests are about.
  const decider = new Decider(webhookConfig({ limits: { ...DEFAULT_ADMISSION_CONFIG.limits, existingPodsTimeoutMs: WAIT_MS } }));
  const restricted = namespacePodCheck(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }), decider.config.admission) as NamespacePodCheck;

  it('names the lexically first pod of each set of reasons with a count, sorted, after a headline; compliant and exempt pods are not named', async () => {
    const pods = [
      plainPod('web-7c9-b', 'shop', 'web-7c9'),
      plainPod('web-7c9-a', 'shop', 'web-7c9'),
      plainPod('web-7c9-c', 'shop', 'web-7c9'),
      plainPod('cron-1', 'shop'),
      debugPod('debug', 'shop'),
      compliantPod('fine', 'shop'),
      { ...debugPod('sandboxed', 'shop'), spec: { ...(debugPod('x', 'shop').spec as JsonObject), runtimeClassName: 'kata' } },
      debugPod('elsewhere', 'other'),
    ];
    const options = { ...decider.existingPodOptions(), exemptRuntimeClasses: ['kata'] };
    assert.deepEqual(await existingPodWarnings(new StaticPodSource(pods), restricted, options), [
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      `cron-1 (and 3 other pods): ${RESTRICTED_REASONS}`,
      'debug: host namespaces, privileged, allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities',
    ]);
    assert.deepEqual(await existingPodWarnings(new StaticPodSource([compliantPod('fine', 'shop')]), restricted, options), []);
  });

  it('checks at most maxPods pods, the first pod of every controller before the other replicas, and says how many of how many', async () => {
    const pods = [plainPod('a-1', 'shop', 'a'), plainPod('a-2', 'shop', 'a'), plainPod('a-3', 'shop', 'a'), debugPod('z-debug', 'shop')];
    const warnings = await existingPodWarnings(new StaticPodSource(pods), restricted, { ...decider.existingPodOptions(), maxPods: 2 });
    assert.deepEqual(warnings, [
      'the new PodSecurity enforce level "restricted:latest" was checked against only the first 2 of 4 existing pods of namespace "shop"',
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      `a-1: ${RESTRICTED_REASONS}`,
      'z-debug: host namespaces, privileged, allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities',
    ]);
  });

  it('applies exceptions as a pod CREATE would: an annotation or a config exception takes a check off a pod\'s reasons', async () => {
    const annotated = debugPod('debug', 'shop');
    (annotated.metadata as JsonObject).annotations = { 'rampart.dev/exceptions': JSON.stringify([{ checks: ['PSS-privileged', 'PSS-hostNamespaces'], reason: 'node debugging' }]) };
    const pods = [annotated, plainPod('web-a', 'shop', 'web'), plainPod('web-b', 'shop', 'web'), plainPod('batch', 'shop')];
    assert.deepEqual(await existingPodWarnings(new StaticPodSource(pods), restricted, decider.existingPodOptions()), [
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      `batch (and 3 other pods): ${RESTRICTED_REASONS}`,
    ]);
    // A config exception for the web pods by label: they keep only what it does not cover.
    const config = webhookConfig({ limits: { ...DEFAULT_ADMISSION_CONFIG.limits, existingPodsTimeoutMs: WAIT_MS } });
    const exception = { checks: ['PSS-runAsNonRoot', 'PSS-seccompProfile_restricted'], match: { name: 'web-a' }, reason: 'legacy image', owner: 'team-web', file: 'rampart.yaml', line: 1 };
    const excepting = new Decider({ ...config, scan: { ...config.scan, exceptions: [exception] } });
    assert.deepEqual(await existingPodWarnings(new StaticPodSource(pods), restricted, excepting.existingPodOptions()), [
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      // batch, web-b and debug (whose annotation still lifts privileged and host namespaces).
      `batch (and 2 other pods): ${RESTRICTED_REASONS}`,
      'web-a: allowPrivilegeEscalation != false, unrestricted capabilities',
    ]);
  });

  it('honours checks the configuration disables, and says so when there is no pod source at all', async () => {
    const config = webhookConfig();
    const without = new Decider({ ...config, admission: decider.config.admission, scan: { ...config.scan, disabledChecks: new Set(['PSS-runAsNonRoot', 'PSS-seccompProfile_restricted', 'PSS-allowPrivilegeEscalation', 'PSS-capabilities_restricted']) } });
    const warnings = await existingPodWarnings(new StaticPodSource([plainPod('web', 'shop')]), restricted, without.existingPodOptions());
    assert.deepEqual(warnings, []);
    assert.deepEqual(await existingPodWarnings(undefined, restricted, decider.existingPodOptions()), [
      'existing pods in namespace "shop" were not checked against the new PodSecurity enforce level "restricted:latest": the webhook has no pod source',
    ]);
  });
});

/** An HTTPS server on loopback that accepts requests and never answers them (a hung API server). */
async function silentServer(pki: { serverCert: string; serverKey: string }): Promise<{ url: string; close: () => Promise<void> }> {
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('tightening a namespace through the webhook over HTTPS, with pods from the test API server', () => {
  // The webhook's account may read Namespaces and Pods and nothing else, as `admission manifests` grants.
  const allowedOnly = (...names: string[]) => BUILTIN_RESOURCES.map((resource) => (resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`)).filter((name) => !names.includes(name));
  const api = new TestApiServer({ tokens: { webhook: { name: 'system:serviceaccount:rampart-system:rampart-admission', forbidden: allowedOnly('namespaces', 'pods') }, 'no-pods': { name: 'no-pods', forbidden: allowedOnly('namespaces') } } });
  let dir: string;
  let certificate: ServingCertificate;
  const servers: AdmissionServer[] = [];
  const connections: ClusterConnection[] = [];

  // Listing gets a generous time (the machine may be loaded) except where the time limit itself is tested.
  const startWebhook = async (pods: PodSource, existingPodsTimeoutMs = WAIT_MS, urlPath = '/validate'): Promise<(body: ReturnType<typeof request>) => Promise<Reply>> => {
    const server = await startAdmissionServer({
      config: webhookConfig({ limits: { ...DEFAULT_ADMISSION_CONFIG.limits, existingPodsTimeoutMs } }),
      namespaces: new StaticNamespaceSource({ shop: { [ENFORCE]: 'baseline' } }),
      pods,
      tls: certificate,
      port: 0,
      host: '127.0.0.1',
      logger: pino({ level: 'silent' }),
    });
    servers.push(server);
    return async (admissionRequest) => {
      const reply = await call(server.port, 'POST', urlPath, reviewBody(admissionRequest), { ca: certificate.ca, timeoutMs: WAIT_MS });
      assert.equal(reply.status, 200, reply.body);
      return (JSON.parse(reply.body) as { response: Reply }).response;
    };
  };
  const connect = async (token: string, file: string, server?: string): Promise<ClusterConnection> => {
    const kubeconfig = JSON.parse(api.kubeconfig({ token })) as { clusters: Array<{ cluster: { server: string } }> };
    if (server !== undefined) for (const entry of kubeconfig.clusters) entry.cluster.server = server;
    writeFileSync(path.join(dir, file), JSON.stringify(kubeconfig));
    const connection = await ClusterConnection.open({ kubeconfig: path.join(dir, file) });
    connections.push(connection);
    return connection;
  };

  before(async () => {
    await api.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-existing-pods-'));
    certificate = await generateSelfSigned('rampart.test');
    api.seed([
      namespace('shop', { [ENFORCE]: 'baseline' }),
      namespace('crowded', { [ENFORCE]: 'baseline' }),
      plainPod('web-5d8-x2', 'shop', 'web-5d8'),
      plainPod('web-5d8-k9', 'shop', 'web-5d8'),
      debugPod('debug', 'shop'),
      compliantPod('fine', 'shop'),
      debugPod('elsewhere', 'default'),
    ]);
    // 5,000 violating pods with long names and 64 different sets of reasons: far more warning text than fits.
    const toggles: Array<(spec: JsonObject, container: JsonObject) => void> = [
      (spec) => (spec.hostNetwork = true),
      (spec) => (spec.hostPID = true),
      (spec) => (spec.hostIPC = true),
      (_, container) => (container.securityContext = { ...(container.securityContext as JsonObject), privileged: true }),
      (_, container) => (container.ports = [{ containerPort: 80, hostPort: 80 }]),
      (spec) => (spec.volumes = [{ name: 'root', hostPath: { path: '/' } }]),
    ];
    api.seed(
      Array.from({ length: 5000 }, (_, index) => {
        const container: JsonObject = { name: 'app', image: 'nginx:1.27' };
        const spec: JsonObject = { containers: [container] };
        toggles.forEach((toggle, bit) => (index & (1 << bit) ? toggle(spec, container) : undefined));
        return pod(`${'tenant-workload-'.repeat(12)}${String(index).padStart(4, '0')}`, 'crowded', spec);
      }),
    );
  });
  after(async () => {
    for (const server of servers) await server.close(1000);
    for (const connection of connections) connection.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('baseline -> restricted is allowed with warnings naming the violating pods (replicas counted once); restricted -> baseline warns nothing', async () => {
    const validate = await startWebhook(new ClusterPodSource(await connect('webhook', 'webhook.kubeconfig'), { pageSize: 2 }));
    const tightened = await validate(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }));
    assert.equal(tightened.allowed, true);
    assert.deepEqual(tightened.warnings, [
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      'debug: host namespaces, privileged, allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities',
      `web-5d8-k9 (and 1 other pod): ${RESTRICTED_REASONS}`,
    ]);
    // Two pages of two and one of one: the source followed the continue tokens of that namespace only.
    assert.ok(api.requests.filter((line) => line.startsWith('GET /api/v1/namespaces/shop/pods?limit=2')).length >= 2, api.requests.join('\n'));
    const loosened = await validate(relabel('shop', { [ENFORCE]: 'restricted' }, { [ENFORCE]: 'baseline' }));
    assert.equal(loosened.allowed, true);
    assert.equal(loosened.warnings, undefined);
    const unchanged = await validate(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'baseline', team: 'payments' }));
    assert.equal(unchanged.warnings, undefined);
    // A new invalid label is still refused, and nothing is listed for it.
    const lists = api.requests.length;
    const invalid = await validate(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'strictest' }));
    assert.equal(invalid.allowed, false);
    assert.equal(invalid.status?.code, 422);
    assert.equal(api.requests.length, lists);
  });

  it('5,000 violating pods: allowed, each warning at most 256 bytes and all at most 4,096, at most 3,000 pods checked', async () => {
    const validate = await startWebhook(new ClusterPodSource(await connect('webhook', 'crowded.kubeconfig')));
    const reply = await validate(relabel('crowded', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }));
    assert.equal(reply.allowed, true);
    const warnings = reply.warnings ?? [];
    assert.ok(warnings.length > 5, warnings.join('\n'));
    for (const warning of warnings) assert.ok(bytes(warning) <= MAX_WARNING_CHARS, `${bytes(warning)} bytes: ${warning}`);
    assert.ok(warnings.reduce((sum, warning) => sum + bytes(warning), 0) <= MAX_WARNINGS_TOTAL_CHARS);
    assert.equal(warnings[0], 'the new PodSecurity enforce level "restricted:latest" was checked against only the first 3000 of 5000 existing pods of namespace "crowded"');
    assert.equal(warnings[1], 'existing pods in namespace "crowded" violate the new PodSecurity enforce level "restricted:latest"');
    assert.match(warnings[2] ?? '', /^tenant-workload-(tenant-workload-)+\d{4} \(and \d+ other pods\): /);
    assert.match(warnings[warnings.length - 1] ?? '', /^\.\.\. and \d+ more/);
    // Paged, and no page past the 3,000th pod.
    const pages = api.requests.filter((line) => line.startsWith('GET /api/v1/namespaces/crowded/pods?'));
    assert.equal(pages.length, 6, pages.join('\n'));
  });

  it('a pod list that fails (403) or hangs past the time allowed still allows, with a warning that says so', async () => {
    const forbidden = await startWebhook(new ClusterPodSource(await connect('no-pods', 'no-pods.kubeconfig')));
    const refused = await forbidden(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }));
    assert.equal(refused.allowed, true);
    assert.deepEqual(refused.warnings, [
      'existing pods in namespace "shop" were not checked against the new PodSecurity enforce level "restricted:latest": the credentials may not list pods in namespace "shop" (403); the webhook\'s ClusterRole needs list on pods',
    ]);

    const silent = await silentServer(api.pki);
    try {
      const hung = await startWebhook(new ClusterPodSource(await connect('webhook', 'silent.kubeconfig', silent.url)), 300);
      const started = Date.now();
      const timedOut = await hung(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }));
      assert.equal(timedOut.allowed, true);
      assert.deepEqual(timedOut.warnings, ['existing pods in namespace "shop" were not checked against the new PodSecurity enforce level "restricted:latest": listing the pods took longer than 300 ms']);
      // Bounded by the time allowed, not by the connection's own 30 s timeout (a generous bound: the machine may be loaded).
      assert.ok(Date.now() - started < WAIT_MS);
      // The API server's ?timeout= for the webhook call caps it at half, as PSA caps its own check.
      const capped = await startWebhook(new ClusterPodSource(await connect('webhook', 'silent2.kubeconfig', silent.url)), WAIT_MS, '/validate?timeout=1s');
      assert.deepEqual((await capped(relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' }))).warnings, [
        'existing pods in namespace "shop" were not checked against the new PodSecurity enforce level "restricted:latest": listing the pods took longer than 500 ms',
      ]);
    } finally {
      await silent.close();
    }
  });
});

describe('rampart admission serve with a cluster and offline (the command, as a child process)', () => {
  const api = new TestApiServer({ tokens: { admin: { name: 'admin' } } });
  let dir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    await api.start();
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-existing-pods-cli-'));
    writeFileSync(path.join(dir, 'kubeconfig'), api.kubeconfig({ token: 'admin' }));
    api.seed([namespace('shop', { [ENFORCE]: 'baseline' }), plainPod('web-1', 'shop'), compliantPod('fine', 'shop')]);
    writeFileSync(path.join(dir, 'namespaces.yaml'), [namespace('shop', { [ENFORCE]: 'baseline' }), debugPod('debug', 'shop')].map((object) => JSON.stringify(object)).join('\n---\n'));
    writeFileSync(path.join(dir, 'pods.yaml'), JSON.stringify(plainPod('web-2', 'shop')));
    // The default second for listing pods is too short on a loaded machine: the config file raises it.
    writeFileSync(path.join(dir, 'rampart.yaml'), `admission:\n  limits:\n    existingPodsTimeoutMs: ${WAIT_MS}\n`);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (args: string[]): Promise<{ validate: (body: ReturnType<typeof request>) => Promise<Reply>; stop: () => Promise<number | null> }> => {
    const child = spawn(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'rampart.test', '--port', '0', '--host', '127.0.0.1', '--warm-up-ms', '0', '--config', path.join(dir, 'rampart.yaml'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + WAIT_MS;
    while (!/admission webhook listening/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the server did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ca = output.slice(0, output.indexOf('-----END CERTIFICATE-----') + 26);
    const port = Number(/"port":(\d+)/.exec(output)?.[1]);
    const readyBy = Date.now() + WAIT_MS;
    while ((await call(port, 'GET', '/readyz', undefined, { ca, timeoutMs: WAIT_MS })).status !== 200) {
      if (Date.now() > readyBy) assert.fail('not ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      validate: async (admissionRequest) => {
        const reply = await call(port, 'POST', '/validate', reviewBody(admissionRequest), { ca, timeoutMs: WAIT_MS });
        assert.equal(reply.status, 200, reply.body);
        return (JSON.parse(reply.body) as { response: Reply }).response;
      },
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  };

  it('--kubeconfig lists the namespace\'s pods from the cluster; --pods and the Pods of --namespaces files stand for them offline', async () => {
    const tighten = relabel('shop', { [ENFORCE]: 'baseline' }, { [ENFORCE]: 'restricted' });
    const cluster = await serve(['--kubeconfig', path.join(dir, 'kubeconfig')]);
    assert.deepEqual((await cluster.validate(tighten)).warnings, ['existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"', `web-1: ${RESTRICTED_REASONS}`]);
    assert.equal(await cluster.stop(), 0);

    const offline = await serve(['--namespaces', path.join(dir, 'namespaces.yaml'), '--pods', path.join(dir, 'pods.yaml')]);
    assert.deepEqual((await offline.validate(tighten)).warnings, [
      'existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"',
      'debug: host namespaces, privileged, allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities',
      `web-2: ${RESTRICTED_REASONS}`,
    ]);
    assert.equal(await offline.stop(), 0);
  });
});
