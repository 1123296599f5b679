// CEL / ValidatingAdmissionPolicy latency: a PSS-restricted-style policy (12 validations,
// written by hand in CEL) evaluated against CREATE of a pod with three containers.
// Run: npx tsc -p . && node bench/cel.mjs   (standalone; imports ../dist)
import { loadText } from '../dist/load/load.js';
import { parseKubernetesVersion } from '../dist/policy/environment.js';
import { buildPolicySet } from '../dist/policy/vap/index.js';
import { evaluateCreate } from '../dist/policy/vap/evaluate.js';
import { timeRuns } from './timing.mjs';

const containers = '(object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : []))';
const validations = [
  `!has(object.spec.hostNetwork) || object.spec.hostNetwork == false`,
  `!has(object.spec.hostPID) || object.spec.hostPID == false`,
  `!has(object.spec.hostIPC) || object.spec.hostIPC == false`,
  `!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))`,
  `${containers}.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))`,
  `${containers}.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)`,
  `${containers}.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)`,
  `${containers}.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)`,
  `${containers}.all(c, !has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(a, a == 'NET_BIND_SERVICE'))`,
  `${containers}.all(c, (has(c.securityContext) && has(c.securityContext.runAsNonRoot)) ? c.securityContext.runAsNonRoot == true : (has(object.spec.securityContext) && has(object.spec.securityContext.runAsNonRoot) && object.spec.securityContext.runAsNonRoot == true))`,
  `${containers}.all(c, (has(c.securityContext) && has(c.securityContext.seccompProfile)) ? c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost'] : (has(object.spec.securityContext) && has(object.spec.securityContext.seccompProfile) && object.spec.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']))`,
  `${containers}.all(c, !has(c.securityContext) || !has(c.securityContext.runAsUser) || c.securityContext.runAsUser != 0)`,
];
const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: pss-restricted}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}]
  validations:
${validations.map((expression) => `  - expression: ${JSON.stringify(expression)}`).join('\n')}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: pss-restricted}
spec: {policyName: pss-restricted, validationActions: [Deny]}
`;
const container = (name) => `  - name: ${name}
    image: registry.example.com/${name}:1.0
    ports: [{containerPort: 8080}]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}`;
const pod = `apiVersion: v1
kind: Pod
metadata: {name: three, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
${['app', 'proxy', 'metrics'].map(container).join('\n')}
`;

const version = parseKubernetesVersion('latest');
const { set, diagnostics } = buildPolicySet({ policyObjects: loadText(policy, 'policy.yaml').objects, resources: [], namespaceObjects: [], version });
if (diagnostics.length > 0) throw new Error(JSON.stringify(diagnostics));
const [object] = loadText(pod, 'pod.yaml').objects;
const first = evaluateCreate(object, set);
if (!first.allowed || first.bindings.length !== 1) throw new Error(`unexpected verdict: ${JSON.stringify(first)}`);

const WARMUP = 500;
const RUNS = 3000;
const timing = timeRuns(() => evaluateCreate(object, set), { warmup: WARMUP, runs: RUNS });
console.log(`VAP pss-restricted (${validations.length} validations), CREATE of a pod with 3 containers, ${RUNS} runs: p50 ${timing.p50} µs, p90 ${timing.p90} µs, p99 ${timing.p99} µs, max ${timing.max} µs; mean CPU time ${timing.meanCpu} µs (steadier than wall time on a shared machine)`);
