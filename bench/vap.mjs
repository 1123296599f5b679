// The exported PSS restricted ValidatingAdmissionPolicy (`rampart policy export --vap --pss restricted@latest`)
// evaluated by Rampart's VAP evaluator against CREATE of a pod with three containers.
// Run: npx tsc -p . && node bench/vap.mjs [runs]   (standalone; imports ../dist)
// Prints the evaluator (closures: Rampart's closure compiler, src/policy/interpreter.ts; planner: @bufbuild/cel's),
// p50/p90/p99 wall time per pod for an allowed pod (every validation runs to the end) and for a
// denied pod (every validation fails, so every messageExpression runs too), the mean CPU time, and the
// machine's load average, since wall-time percentiles on a shared machine move with the load.
import { loadavg, cpus } from 'node:os';
import { loadText } from '../dist/load/load.js';
import { parseKubernetesVersion } from '../dist/policy/environment.js';
import { exportPssPolicies } from '../dist/policy/export/vap.js';
import { evaluateCreate } from '../dist/policy/vap/evaluate.js';
import { buildPolicySet } from '../dist/policy/vap/index.js';
import { timeRuns } from './timing.mjs';

const RUNS = Number(process.argv[2] ?? 5000);
const WARMUP = 1000;

const version = parseKubernetesVersion('latest');
const exported = exportPssPolicies({ targets: [{ level: 'restricted', minor: 37, requested: 'latest' }], kubernetesVersion: version });
if (exported.problems.length > 0) throw new Error(exported.problems.join('\n'));
const policyObjects = loadText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: exported.objects }), 'exported.json').objects;
const { set, diagnostics } = buildPolicySet({ policyObjects, resources: [], namespaceObjects: [], version });
if (diagnostics.length > 0) throw new Error(JSON.stringify(diagnostics));
const validations = exported.objects[0].spec.validations.length;

const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
const careless = { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] }, seccompProfile: { type: 'Unconfined' }, procMount: 'Unmasked' };
const podWith = (name, podContext, containerContext, extra = {}) =>
  loadText(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop' },
      spec: {
        securityContext: podContext,
        containers: ['app', 'proxy', 'metrics'].map((container) => ({ name: container, image: `registry.example.com/${container}:1.0`, ports: [{ containerPort: 8080, ...(extra.hostPort ? { hostPort: 8080 } : {}) }], securityContext: containerContext })),
        ...(extra.volumes ? { volumes: [{ name: 'host', hostPath: { path: '/' } }] } : {}),
        ...(extra.hostNetwork ? { hostNetwork: true } : {}),
      },
    }),
    `${name}.json`,
  ).objects[0];

const allowedPod = podWith('allowed', { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, hardened);
const deniedPod = podWith('denied', { runAsNonRoot: false, sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, careless, { hostPort: true, volumes: true, hostNetwork: true });

function measure(label, object, expectAllowed) {
  const first = evaluateCreate(object, set);
  if (first.allowed !== expectAllowed || first.bindings.length !== 1 || first.bindings[0].notes.length > 0) throw new Error(`unexpected verdict: ${JSON.stringify(first)}`);
  const timing = timeRuns(() => evaluateCreate(object, set), { warmup: WARMUP, runs: RUNS });
  const denials = first.bindings[0].denials.length;
  console.log(
    `${label} (${denials} of ${validations} validations deny), ${RUNS} runs: p50 ${timing.p50} µs, p90 ${timing.p90} µs, p99 ${timing.p99} µs, max ${timing.max} µs; mean CPU ${timing.meanCpu} µs; target p99 <= 200 µs: ${Number(timing.p99) <= 200 ? 'met' : 'MISSED'}`,
  );
}

const engines = [...new Set([...set.policies.values()].flatMap((policy) => [...policy.variables, ...policy.validations].flatMap((entry) => [entry.expression, entry.messageExpression]).filter((expression) => expression?.program !== undefined).map((expression) => expression.program.engine)))];
console.log(`exported PSS restricted v1.37 VAP, CREATE of a pod with 3 containers; node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}; evaluator: ${engines.join(', ')}`);
measure('allowed pod', allowedPod, true);
measure('denied pod ', deniedPod, false);
console.log(`load average after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
