/**
 * `node bench/admission.mjs`: the admission webhook under load on loopback.
 * Starts `rampart admission serve --cert --key` as a child process (with
 * bench/peakRss.mjs preloaded, so the server reports its own peak RSS), in a
 * namespace labelled PSS restricted with the full catalogue running, and
 * drives /validate over 50 connections with a mix of a compliant pod, a
 * privileged pod (denied) and a Deployment (warned): autocannon for the
 * warm-up and the closed loop (throughput), autocannon's `overallRate` at
 * 2,000/s (kept for comparison: it sends each second's quota at once), and
 * bench/pacedLoad.mjs at 2,000/s evenly spaced, the run the p99 budget is
 * judged on. The server's own histogram (/metrics) gives its share of each
 * review's time.
 *
 * Budgets (issue 7): >= 2,000 reviews/s, p99 <= 5 ms, 0 errors, peak RSS <= 150 MB.
 *   RAMPART_BENCH_SECONDS (default 10), RAMPART_BENCH_CONNECTIONS (default 50),
 *   RAMPART_BENCH_SERVER_FLAGS (node flags for the server process only),
 *   RAMPART_BENCH_SERVER_ARGS (more arguments for `rampart admission serve`, e.g. `--max-semi-space-mb 0`),
 *   RAMPART_BENCH_CORE_ONLY=1 (only the in-process decision core, e.g. under `node --cpu-prof`),
 *   RAMPART_BENCH_CORE_REVIEWS (default 3,000 measured after as many warm-up reviews).
 *   --floor: afterwards, the same paced run against bench/floorServer.mjs (what the machine, TLS and the
 *   generator cost without Rampart).
 */
import { spawn } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bodies, decisionCore } from './admissionBodies.mjs';
import { pacedLoad, postRequest } from './pacedLoad.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SECONDS = Number(process.env.RAMPART_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.RAMPART_BENCH_CONNECTIONS ?? 50);
const BUDGET = { reviewsPerSecond: 2000, p99Ms: 5, errors: 0, rssMb: 150 };

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-bench-admission-'));
const usageFile = path.join(directory, 'usage.json');
const namespacesFile = path.join(directory, 'namespaces.yaml');
const logFile = path.join(directory, 'server.log');
writeFileSync(
  namespacesFile,
  ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: shop', '  labels:', '    pod-security.kubernetes.io/enforce: restricted', '    pod-security.kubernetes.io/audit: restricted', ''].join('\n'),
);


/**
 * The server as it runs in a cluster: certificate and key from files (generated here), logs to stdout.
 * `floor`: bench/floorServer.mjs instead, with the same certificate (`--floor`).
 */
async function startServer(floor = false) {
  const { generateSelfSigned } = await import(path.join(ROOT, 'dist', 'admission', 'tls.js'));
  const certificate = await generateSelfSigned('rampart.bench');
  writeFileSync(path.join(directory, 'tls.crt'), certificate.cert);
  writeFileSync(path.join(directory, 'tls.key'), certificate.key);
  const log = floor ? `${logFile}.floor` : logFile;
  const command = floor
    ? [path.join(HERE, 'floorServer.mjs'), path.join(directory, 'tls.crt'), path.join(directory, 'tls.key')]
    : [
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
      ...(process.env.RAMPART_BENCH_SERVER_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    ];
  const child = spawn(
    process.execPath,
    command,
    // The log (one line per denial) goes to a file, as a container runtime takes it: a pipe that this
    // process (the load generator) had to drain would stall the server whenever the generator is busy.
    { env: { ...process.env, RAMPART_BENCH_USAGE: usageFile }, stdio: ['ignore', openSync(log, 'w'), 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`server exited with ${code}`));
    child.on('exit', onExit);
    const poll = setInterval(() => {
      const listening = /"port":(\d+)[^\n]*admission webhook listening/.exec(readFileSync(log, 'utf8'));
      if (listening === null) return;
      clearInterval(poll);
      child.off('exit', onExit);
      resolve({ child, ca: certificate.ca, port: Number(listening[1]) });
    }, 20);
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

/** The server's own request_duration histogram for /validate (cumulative bucket counts by upper bound). */
function serverHistogram(port, ca) {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest({ host: '127.0.0.1', port, method: 'GET', path: '/metrics', ca, servername: 'rampart.bench' }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        const buckets = new Map();
        for (const match of text.matchAll(/^rampart_admission_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
          const bound = /le="([^"]+)"/.exec(match[1]);
          if (bound !== null && match[1].includes('endpoint="validate"')) buckets.set(bound[1], Number(match[2]));
        }
        resolve(buckets);
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
/** From two snapshots: the share of reviews the server answered within each bucket bound, during the run between them. */
function serverShares(before, after) {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  const share = (bound) => (total === 0 ? 0 : ((after.get(bound) ?? 0) - (before.get(bound) ?? 0)) / total);
  return { total, within1ms: share('0.001'), within2500us: share('0.0025'), within5ms: share('0.005'), within10ms: share('0.01') };
}

/** The decision core alone, in this process: what a review costs before HTTPS, JSON and the event loop. */
async function coreTimings() {
  const { decider, parseReview, reviewResponse, labels } = await decisionCore();
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
  // autocannon at 2,000/s offered: per-second bursts (see evenlyPaced), kept for comparison with earlier figures.
  const paced = await run({ overallRate: BUDGET.reviewsPerSecond });
  const histogramBefore = await serverHistogram(port, ca);
  // The p99 target's run: 2,000 reviews/s evenly spaced over the 50 connections (bench/pacedLoad.mjs says why not autocannon).
  const even = await pacedLoad({
    port,
    ca,
    servername: 'rampart.bench',
    requests: bodies.map((body) => postRequest('/validate', body)),
    rate: BUDGET.reviewsPerSecond,
    seconds: SECONDS,
    connections: CONNECTIONS,
  });
  const server = serverShares(histogramBefore, await serverHistogram(port, ca));
  const cpuAfter = serverCpuMs(child.pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  // autocannon counts a timeout in errors too.
  const errorsOf = (result) => result.errors + result.non2xx;
  const reviews = warm.requests.total + saturated.requests.total + paced.requests.total + even.total + CONNECTIONS + bodies.length;
  const figures = {
    reviewsPerSecond: Math.round(saturated.requests.average),
    saturatedP99Ms: saturated.latency.p99,
    burstRate: Math.round(paced.requests.average),
    burstP50Ms: paced.latency.p50,
    burstP99Ms: paced.latency.p99,
    pacedRate: even.rate,
    p50Ms: even.p50,
    p99Ms: even.p99,
    errors: errorsOf(saturated) + errorsOf(paced) + even.errors,
    rssMb: Math.round(usage.maxRssKb / 1024),
    // The measured runs alone: start-up and the server's warm-up are not in it.
    cpuUsPerReview: cpuBefore === undefined || cpuAfter === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / (saturated.requests.total + paced.requests.total + even.total)),
  };
  const pct = (share) => `${(share * 100).toFixed(2)}%`;
  process.stdout.write(
    `admission /validate, ${CONNECTIONS} connections, ${SECONDS} s per run, PSS restricted + full catalogue:\n` +
      `  saturated: reviews/s ${figures.reviewsPerSecond} (budget >= ${BUDGET.reviewsPerSecond}), p99 ${figures.saturatedP99Ms} ms (queueing)\n` +
      `  autocannon overallRate ${BUDGET.reviewsPerSecond}/s (each second's quota sent at once): served ${figures.burstRate}/s, latency p50 ${figures.burstP50Ms} ms, p99 ${figures.burstP99Ms} ms\n` +
      `  at ${BUDGET.reviewsPerSecond} reviews/s evenly spaced over ${CONNECTIONS} connections (${even.total} reviews, bench/pacedLoad.mjs, ${even.generatorCpuUsPerRequest} µs of generator CPU per review): served ${figures.pacedRate}/s, latency from the due time p50 ${figures.p50Ms} ms, p90 ${even.p90} ms, p99 ${figures.p99Ms} ms (budget <= ${BUDGET.p99Ms}), p99.9 ${even.p999} ms, max ${even.max} ms\n` +
      `    split: due time to write (the generator) p50 ${even.sendLate.p50} ms, p99 ${even.sendLate.p99} ms, max ${even.sendLate.max} ms; write to last byte p50 ${even.roundTrip.p50} ms, p99 ${even.roundTrip.p99} ms, max ${even.roundTrip.max} ms\n` +
      `    the server's own time (request read to response written, its histogram): ${pct(server.within1ms)} within 1 ms, ${pct(server.within2500us)} within 2.5 ms, ${pct(server.within5ms)} within 5 ms, ${pct(server.within10ms)} within 10 ms\n` +
      `  errors ${figures.errors} (budget ${BUDGET.errors}): ${saturated.timeouts + paced.timeouts} timeouts (no answer within autocannon's 10 s), ${saturated.non2xx + paced.non2xx} non-2xx, ${saturated.errors + paced.errors - saturated.timeouts - paced.timeouts} other from autocannon; ${even.errors} failed in the evenly paced run\n` +
      `  server peak RSS ${figures.rssMb} MB (budget <= ${BUDGET.rssMb}), server CPU ${Math.round(usage.userMs + usage.systemMs)} ms for ${reviews} reviews ` +
      `(${Math.round(((usage.userMs + usage.systemMs) * 1000) / reviews)} µs per review, start-up included)\n` +
      `  server CPU per review during the three measured runs: ${figures.cpuUsPerReview ?? 'n/a'} µs (HTTPS, parsing, decision, response, log, metrics)\n`,
  );
  const over = [];
  if (figures.reviewsPerSecond < BUDGET.reviewsPerSecond) over.push('throughput');
  if (figures.p99Ms > BUDGET.p99Ms) over.push('p99');
  if (figures.errors > BUDGET.errors) over.push('errors');
  if (figures.rssMb > BUDGET.rssMb) over.push('rss');
  process.stdout.write(over.length === 0 ? 'within budget\n' : `OVER BUDGET: ${over.join(', ')}\n`);
  process.exitCode = over.length === 0 ? 0 : 1;
  if (process.argv.includes('--floor')) {
    // The same paced run against a server that only parses the body and sends a fixed answer: the part of the
    // latency that is this machine, TLS and the generator.
    const floor = await startServer(true);
    try {
      const requests = bodies.map((body) => postRequest('/validate', body));
      await pacedLoad({ port: floor.port, ca: floor.ca, servername: 'rampart.bench', requests, rate: BUDGET.reviewsPerSecond, seconds: 2, connections: CONNECTIONS });
      const result = await pacedLoad({ port: floor.port, ca: floor.ca, servername: 'rampart.bench', requests, rate: BUDGET.reviewsPerSecond, seconds: SECONDS, connections: CONNECTIONS });
      process.stdout.write(
        `  floor (bench/floorServer.mjs: parse the body, fixed answer), same paced run: served ${result.rate}/s, p50 ${result.p50} ms, p90 ${result.p90} ms, p99 ${result.p99} ms, p99.9 ${result.p999} ms, max ${result.max} ms, ${result.errors} errors\n` +
          `    split: due time to write p50 ${result.sendLate.p50} ms, p99 ${result.sendLate.p99} ms, max ${result.sendLate.max} ms; write to last byte p50 ${result.roundTrip.p50} ms, p99 ${result.roundTrip.p99} ms, max ${result.roundTrip.max} ms\n`,
      );
    } finally {
      floor.child.kill('SIGTERM');
    }
  }
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
}
