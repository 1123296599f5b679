/**
 * `node bench/admission.mjs`: the admission webhook under load on loopback.
 * Starts `rampart admission serve --cert --key` as a child process (with
 * bench/peakRss.mjs preloaded, so the server reports its own peak RSS), in a
 * namespace labelled PSS restricted with the full catalogue running, and
 * drives /validate with autocannon: 50 connections, a mix of a compliant
 * pod, a privileged pod (denied) and a Deployment (warned).
 *
 * Budgets (issue 7): >= 2,000 reviews/s, p99 <= 5 ms, 0 errors, peak RSS <= 150 MB.
 *   RAMPART_BENCH_SECONDS (default 10), RAMPART_BENCH_CONNECTIONS (default 50),
 *   RAMPART_BENCH_SERVER_FLAGS (node flags for the server process only),
 *   RAMPART_BENCH_CORE_ONLY=1 (only the in-process decision core, e.g. under `node --cpu-prof`),
 *   RAMPART_BENCH_CORE_REVIEWS (default 3,000 measured after as many warm-up reviews).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SECONDS = Number(process.env.RAMPART_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.RAMPART_BENCH_CONNECTIONS ?? 50);
const BUDGET = { reviewsPerSecond: 2000, p99Ms: 5, errors: 0, rssMb: 150 };

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-bench-admission-'));
const usageFile = path.join(directory, 'usage.json');
const namespacesFile = path.join(directory, 'namespaces.yaml');
writeFileSync(
  namespacesFile,
  ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: shop', '  labels:', '    pod-security.kubernetes.io/enforce: restricted', '    pod-security.kubernetes.io/audit: restricted', ''].join('\n'),
);

function review(uid, object) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: `${object.kind.toLowerCase()}s` },
      name: object.metadata.name,
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
    },
  });
}

const compliantSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  serviceAccountName: 'web',
  containers: [
    {
      name: 'app',
      image: `registry.example/shop/web@sha256:${'a'.repeat(64)}`,
      imagePullPolicy: 'Always',
      ports: [{ containerPort: 8080 }],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '1Gi' } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
      livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    },
  ],
};
const bodies = [
  review('bench-compliant', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: compliantSpec }),
  review('bench-privileged', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug', namespace: 'shop' },
    spec: { hostPID: true, containers: [{ name: 'shell', image: 'busybox:latest', securityContext: { privileged: true } }] },
  }),
  review('bench-deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  }),
];

/** The server as it runs in a cluster: certificate and key from files (generated here), logs to stdout. */
async function startServer() {
  const { generateSelfSigned } = await import(path.join(ROOT, 'dist', 'admission', 'tls.js'));
  const certificate = await generateSelfSigned('rampart.bench');
  writeFileSync(path.join(directory, 'tls.crt'), certificate.cert);
  writeFileSync(path.join(directory, 'tls.key'), certificate.key);
  const child = spawn(
    process.execPath,
    [
      // RAMPART_BENCH_SERVER_FLAGS: V8/Node flags for the server only (e.g. --max-semi-space-size=32), for experiments.
      ...(process.env.RAMPART_BENCH_SERVER_FLAGS ?? '').split(' ').filter((flag) => flag !== ''),
      '--import',
      path.join(HERE, 'peakRss.mjs'),
      path.join(ROOT, 'bin', 'rampart.js'),
      'admission',
      'serve',
      '--cert',
      path.join(directory, 'tls.crt'),
      '--key',
      path.join(directory, 'tls.key'),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--namespaces',
      namespacesFile,
    ],
    { env: { ...process.env, RAMPART_BENCH_USAGE: usageFile }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const read = (chunk) => {
      output += chunk.toString('utf8');
      const listening = /"port":(\d+)[^\n]*admission webhook listening/.exec(output);
      if (listening !== null) {
        // From here on the log (one line per denial) is drained, not kept.
        child.stdout.off('data', read);
        child.stdout.resume();
        resolve({ child, ca: certificate.ca, port: Number(listening[1]) });
      }
    };
    child.stdout.on('data', read);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** CPU time (user + system) the server process has used so far, in ms; undefined where /proc is not there. */
function serverCpuMs(pid) {
  try {
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th (clock ticks, 100 per second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function check(port, ca, body) {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest({ host: '127.0.0.1', port, method: 'POST', path: '/validate', ca, servername: 'rampart.bench', headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(JSON.parse(text).response));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The decision core alone, in this process: what a review costs before HTTPS, JSON and the event loop. */
async function coreTimings() {
  const { Decider } = await import(path.join(ROOT, 'dist', 'admission', 'decide.js'));
  const { parseReview, reviewResponse } = await import(path.join(ROOT, 'dist', 'admission', 'review.js'));
  const { DEFAULT_ADMISSION_CONFIG } = await import(path.join(ROOT, 'dist', 'admission', 'config.js'));
  const { DEFAULT_CONFIG } = await import(path.join(ROOT, 'dist', 'config', 'config.js'));
  const decider = new Decider({ scan: DEFAULT_CONFIG, admission: DEFAULT_ADMISSION_CONFIG });
  const labels = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' };
  const times = [];
  const measured = Number(process.env.RAMPART_BENCH_CORE_REVIEWS ?? 3000);
  let cpu;
  for (let index = 0; index < 2 * measured; index++) {
    if (index === measured) cpu = process.cpuUsage();
    const started = performance.now();
    // What the server does per review besides HTTPS: parse, decide, serialise the answer.
    JSON.stringify(reviewResponse(decider.decide(parseReview(bodies[index % bodies.length]), labels).response));
    if (index >= measured) times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  return { p50Us: Math.round(times[Math.floor(times.length / 2)] * 1000), p99Us: Math.round(times[Math.floor(times.length * 0.99)] * 1000), cpuUs: Math.round((used.user + used.system) / measured) };
}

/** The body check and parse alone (jsonDepth, then parseReview, which includes it), per review, over the three bodies. */
async function parseTimings() {
  const { jsonDepth, parseReview } = await import(path.join(ROOT, 'dist', 'admission', 'review.js'));
  const perCall = (work) => {
    const rounds = 30_000;
    for (let index = 0; index < rounds; index++) work(bodies[index % bodies.length]);
    const started = performance.now();
    for (let index = 0; index < rounds; index++) work(bodies[index % bodies.length]);
    return (((performance.now() - started) * 1000) / rounds).toFixed(1);
  };
  return { depthUs: perCall((body) => jsonDepth(body, 100)), parseUs: perCall((body) => parseReview(body)) };
}

const parsing = await parseTimings();
process.stdout.write(`request body in process (mean over ${bodies.map((body) => body.length).join(', ')}-byte bodies): depth check ${parsing.depthUs} µs, parseReview (depth check + JSON.parse + field checks) ${parsing.parseUs} µs\n`);
const core = await coreTimings();
const coreReviews = Number(process.env.RAMPART_BENCH_CORE_REVIEWS ?? 3000).toLocaleString('en');
process.stdout.write(`decision core in process (parse + decide + response JSON, ${coreReviews} reviews after ${coreReviews} warm-up): p50 ${core.p50Us} µs, p99 ${core.p99Us} µs, CPU ${core.cpuUs} µs per review\n`);
if (process.env.RAMPART_BENCH_CORE_ONLY === '1') {
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
}
const { child, ca, port } = await startServer();
try {
  // The answers are right before they are fast: verified with the CA, over a checked TLS connection.
  const answers = await Promise.all(bodies.map((body) => check(port, ca, body)));
  const verdicts = answers.map((answer) => answer.allowed);
  if (JSON.stringify(verdicts) !== JSON.stringify([true, false, true])) throw new Error(`unexpected verdicts ${JSON.stringify(verdicts)}`);
  process.stdout.write(`warm-up: compliant allowed (${answers[0].warnings?.length ?? 0} warnings), privileged denied (${answers[1].status.details.causes.length} causes), deployment allowed (${answers[2].warnings.length} warnings)\n`);
  const run = (extra) =>
    autocannon({
      url: `https://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: bodies.map((body) => ({ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body })),
      ...extra,
    });
  const warm = await autocannon({ url: `https://127.0.0.1:${port}`, connections: CONNECTIONS, duration: 2, requests: bodies.map((body) => ({ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body })) });
  // Closed loop (every connection sends again as soon as it is answered): the most the server can do.
  // Latency there is queueing (50 connections / throughput, Little's law), so p99 is measured in a
  // second run at the target rate, 2,000 reviews/s offered over the same 50 connections.
  const cpuBefore = serverCpuMs(child.pid);
  const saturated = await run({});
  const paced = await run({ overallRate: BUDGET.reviewsPerSecond });
  const cpuAfter = serverCpuMs(child.pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  // autocannon counts a timeout in errors too.
  const errorsOf = (result) => result.errors + result.non2xx;
  const reviews = warm.requests.total + saturated.requests.total + paced.requests.total + bodies.length;
  const figures = {
    reviewsPerSecond: Math.round(saturated.requests.average),
    saturatedP99Ms: saturated.latency.p99,
    pacedRate: Math.round(paced.requests.average),
    p50Ms: paced.latency.p50,
    p99Ms: paced.latency.p99,
    errors: errorsOf(saturated) + errorsOf(paced),
    rssMb: Math.round(usage.maxRssKb / 1024),
    // The measured runs alone: start-up and the server's warm-up are not in it.
    cpuUsPerReview: cpuBefore === undefined || cpuAfter === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / (saturated.requests.total + paced.requests.total)),
  };
  process.stdout.write(
    `admission /validate, ${CONNECTIONS} connections, ${SECONDS} s per run, PSS restricted + full catalogue:\n` +
      `  saturated: reviews/s ${figures.reviewsPerSecond} (budget >= ${BUDGET.reviewsPerSecond}), p99 ${figures.saturatedP99Ms} ms (queueing)\n` +
      `  at ${BUDGET.reviewsPerSecond} reviews/s offered: served ${figures.pacedRate}/s, latency p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms (budget <= ${BUDGET.p99Ms})\n` +
      `  errors ${figures.errors} (budget ${BUDGET.errors}): ${saturated.timeouts + paced.timeouts} timeouts (no answer within autocannon's 10 s), ${saturated.non2xx + paced.non2xx} non-2xx, ${saturated.errors + paced.errors - saturated.timeouts - paced.timeouts} other\n` +
      `  server peak RSS ${figures.rssMb} MB (budget <= ${BUDGET.rssMb}), server CPU ${Math.round(usage.userMs + usage.systemMs)} ms for ${reviews} reviews ` +
      `(${Math.round(((usage.userMs + usage.systemMs) * 1000) / reviews)} µs per review, start-up included)\n` +
      `  server CPU per review during the two measured runs: ${figures.cpuUsPerReview ?? 'n/a'} µs (HTTPS, parsing, decision, response, log, metrics)\n`,
  );
  const over = [];
  if (figures.reviewsPerSecond < BUDGET.reviewsPerSecond) over.push('throughput');
  if (figures.p99Ms > BUDGET.p99Ms) over.push('p99');
  if (figures.errors > BUDGET.errors) over.push('errors');
  if (figures.rssMb > BUDGET.rssMb) over.push('rss');
  process.stdout.write(over.length === 0 ? 'within budget\n' : `OVER BUDGET: ${over.join(', ')}\n`);
  process.exitCode = over.length === 0 ? 0 : 1;
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
}
