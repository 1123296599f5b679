/** `rampart policy export --vap`: translations, compilation per Kubernetes version, v1.35+ semantics, messages, bindings, UPDATE. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEWEST_POLICY_MINOR, PSS_CHECKS, evaluatePod } from '../../checks/pss/registry.js';
import type { PssLevel } from '../../checks/pss/types.js';
import { loadText } from '../../load/load.js';
import type { KubeObject } from '../../model/types.js';
import { PodTemplateFinder } from '../../model/podTemplates.js';
import { buildPodView } from '../../model/podView.js';
import { parseKubernetesVersion, type KubernetesVersion } from '../environment.js';
import { evaluateCreate, type PolicySet } from '../vap/evaluate.js';
import { testPolicies } from '../vap/index.js';
import { PSS_CEL } from './pssCel.js';
import { exportedPolicySet } from './testSupport.js';
import { exportPssPolicies, parseNamespaceSelector, parsePssTarget, renderYaml } from './vap.js';

function k8s(text: string): KubernetesVersion {
  const version = parseKubernetesVersion(text);
  assert.ok(version !== undefined);
  return version;
}

function object(json: unknown): KubeObject {
  const batch = loadText(JSON.stringify(json), 'pod.json');
  assert.deepEqual(batch.diagnostics, []);
  assert.ok(batch.objects[0] !== undefined);
  return batch.objects[0];
}

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return object({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'apps', ...metadata }, spec });
}

const finder = new PodTemplateFinder();

function builtInChecks(subject: KubeObject, level: PssLevel, minor: number): string[] {
  const found = finder.find(subject);
  assert.ok(found.kind === 'template');
  return evaluatePod(buildPodView(found.template), level, minor).map((violation) => violation.check.id);
}

const CHECK_IN_DENIAL = /violates PodSecurity "[a-z]+:v1\.\d+": [^(]*\(([A-Za-z_]+)\): /;

function vapChecks(subject: KubeObject, set: PolicySet): { checks: string[]; denials: string[] } {
  const outcome = evaluateCreate(subject, set);
  assert.deepEqual(outcome.bindings.flatMap((binding) => binding.notes), []);
  const denials = outcome.bindings.flatMap((binding) => binding.denials);
  return { checks: denials.map((denial) => CHECK_IN_DENIAL.exec(denial)?.[1] ?? denial), denials };
}

const RESTRICTED_CONTEXT = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const RESTRICTED_POD_CONTEXT = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

describe('PSS CEL translations', () => {
  it('translate every implementation of every PSS check, and nothing else', () => {
    for (const check of PSS_CHECKS) {
      assert.deepEqual(Object.keys(PSS_CEL[check.id] ?? {}), check.versions.map((version) => version.minimumVersion), check.id);
    }
    assert.deepEqual(Object.keys(PSS_CEL).sort(), PSS_CHECKS.map((check) => check.id).sort());
  });

  it('compile on Kubernetes 1.30 and latest at every level and policy version', () => {
    for (const version of ['1.30', 'latest']) {
      const targets = [];
      for (let minor = 0; minor <= NEWEST_POLICY_MINOR; minor++) for (const level of ['baseline', 'restricted'] as const) targets.push({ level, minor, requested: `v1.${minor}` });
      const result = exportPssPolicies({ targets, kubernetesVersion: k8s(version), workloads: true });
      assert.deepEqual(result.problems, []);
      assert.equal(result.objects.length, targets.length * 4);
    }
  });

  it('refuses Kubernetes versions without admissionregistration.k8s.io/v1 policies and unknown checks', () => {
    const result = exportPssPolicies({ targets: [{ level: 'baseline', minor: 30, requested: 'v1.30' }], kubernetesVersion: k8s('1.29'), checks: ['PSS-privileged', 'nope'] });
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0] ?? '', /needs Kubernetes 1\.30/);
    assert.match(result.problems[1] ?? '', /unknown check "nope"/);
  });
});

describe('v1.35+ semantics against the built-in checks', () => {
  // Generated pods around the v1.35–v1.37 changes: user namespaces relax runAsNonRoot, runAsUser and baseline procMount;
  // restricted keeps procMount; v1.37 widens the sysctls.
  const variants: Array<{ name: string; spec: Record<string, unknown> }> = [];
  for (const hostUsers of [undefined, false, true]) {
    for (const procMount of [undefined, 'Default', 'Unmasked']) {
      for (const user of ['nonRoot', 'root', 'unset', 'nonRootFalse']) {
        for (const sysctl of [undefined, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_rmem', 'kernel.msgmax']) {
          const podContext: Record<string, unknown> = { seccompProfile: { type: 'RuntimeDefault' } };
          if (user === 'nonRoot') podContext.runAsNonRoot = true;
          if (user === 'root') Object.assign(podContext, { runAsNonRoot: true, runAsUser: 0 });
          if (user === 'nonRootFalse') podContext.runAsNonRoot = false;
          if (sysctl !== undefined) podContext.sysctls = [{ name: sysctl, value: '1' }];
          const context: Record<string, unknown> = { ...RESTRICTED_CONTEXT, ...(procMount !== undefined ? { procMount } : {}) };
          variants.push({
            name: `hostUsers=${String(hostUsers)} procMount=${String(procMount)} user=${user} sysctl=${String(sysctl)}`,
            spec: { ...(hostUsers !== undefined ? { hostUsers } : {}), securityContext: podContext, containers: [{ name: 'app', image: 'app:1', securityContext: context }] },
          });
        }
      }
    }
  }

  for (const level of ['baseline', 'restricted'] as const) {
    it(`${level}: the same failing checks as the built-in checks at v1.33–v1.37 on ${variants.length} pods`, () => {
      const seen = new Set<string>();
      for (let minor = 33; minor <= 37; minor++) {
        const set = exportedPolicySet({ level, minor, requested: `v1.${minor}` }, k8s('latest'));
        for (const variant of variants) {
          const subject = pod(variant.spec);
          const expected = builtInChecks(subject, level, minor);
          assert.deepEqual(vapChecks(subject, set).checks, expected, `${level} v1.${minor} ${variant.name}`);
          seen.add(expected.join(','));
        }
      }
      // The variants exercise allowed pods and several distinct failures.
      assert.ok(seen.has(''));
      assert.ok(seen.size >= (level === 'baseline' ? 3 : 6), [...seen].join(' | '));
    });
  }

  it('relaxes exactly where the built-in checks do', () => {
    const unmasked = pod({ hostUsers: false, containers: [{ name: 'app', image: 'a', securityContext: { procMount: 'Unmasked' } }] });
    assert.deepEqual(vapChecks(unmasked, exportedPolicySet({ level: 'baseline', minor: 34, requested: 'v1.34' }, k8s('latest'))).checks, ['procMount']);
    assert.deepEqual(vapChecks(unmasked, exportedPolicySet({ level: 'baseline', minor: 35, requested: 'v1.35' }, k8s('latest'))).checks, []);
    const sysctl = pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }] }, containers: [{ name: 'app', image: 'a' }] });
    assert.deepEqual(vapChecks(sysctl, exportedPolicySet({ level: 'baseline', minor: 36, requested: 'v1.36' }, k8s('latest'))).checks, ['sysctls']);
    assert.deepEqual(vapChecks(sysctl, exportedPolicySet({ level: 'baseline', minor: 37, requested: 'v1.37' }, k8s('latest'))).checks, []);
  });
});

describe('exported policy messages', () => {
  const restricted = exportedPolicySet({ level: 'restricted', minor: 37, requested: 'latest' }, k8s('latest'));

  it('name the containers and fields, like Rampart findings', () => {
    const subject = pod({
      securityContext: RESTRICTED_POD_CONTEXT,
      initContainers: [{ name: 'init', image: 'a', securityContext: { ...RESTRICTED_CONTEXT, privileged: true } }],
      containers: [
        { name: 'app', image: 'a', securityContext: { ...RESTRICTED_CONTEXT, privileged: true, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'NET_BIND_SERVICE'] } } },
        { name: 'side', image: 'a', securityContext: { capabilities: { drop: ['ALL'] } } },
      ],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    });
    const { denials } = vapChecks(subject, restricted);
    const prefix = "ValidatingAdmissionPolicy 'rampart-pss-restricted-v1.37' with binding 'rampart-pss-restricted-v1.37' denied request: violates PodSecurity \"restricted:v1.37\": ";
    assert.deepEqual(denials, [
      `${prefix}privileged (privileged): containers "init", "app" must not set securityContext.privileged=true`,
      `${prefix}restricted volume types (restrictedVolumes): volume "host" must not use volume type "hostPath"`,
      `${prefix}allowPrivilegeEscalation != false (allowPrivilegeEscalation): container "side" must set securityContext.allowPrivilegeEscalation=false`,
      `${prefix}unrestricted capabilities (capabilities_restricted): container "app" must not add "SYS_ADMIN" to securityContext.capabilities.add (only "NET_BIND_SERVICE" may be added)`,
    ]);
  });

  it('name pod-level fields and annotations', () => {
    const baseline = exportedPolicySet({ level: 'baseline', minor: 18, requested: 'v1.18' }, k8s('latest'));
    const subject = pod(
      { hostNetwork: true, hostPID: true, securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'app', image: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }] },
      { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } },
    );
    const details = vapChecks(subject, baseline).denials.map((denial) => denial.replace(/^.*?\): /, ''));
    assert.deepEqual(details, [
      'pod must not set hostNetwork=true, hostPID=true',
      'container "app" must not set hostPort 8080',
      'annotation "container.apparmor.security.beta.kubernetes.io/app" must not be "unconfined"',
      'annotation "seccomp.security.alpha.kubernetes.io/pod" must not be "unconfined"',
      'pod must not set sysctl "kernel.msgmax"',
    ]);
  });
});

describe('bindings and requests', () => {
  it('parses --pss targets and namespace selectors', () => {
    assert.deepEqual(parsePssTarget('restricted@v1.30'), { level: 'restricted', minor: 30, requested: 'v1.30' });
    assert.deepEqual(parsePssTarget('baseline'), { level: 'baseline', minor: NEWEST_POLICY_MINOR, requested: 'latest' });
    assert.equal(parsePssTarget('privileged@v1.30'), undefined);
    assert.equal(parsePssTarget('baseline@1.30'), undefined);
    assert.deepEqual(parseNamespaceSelector('pss=restricted,team!=infra,!legacy'), {
      matchLabels: { pss: 'restricted' },
      matchExpressions: [
        { key: 'team', operator: 'NotIn', values: ['infra'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(parseNamespaceSelector('a in (b)'), undefined);
  });

  const POLICY_YAML = renderYaml(
    exportPssPolicies({ targets: [{ level: 'baseline', minor: 34, requested: 'v1.34' }], kubernetesVersion: k8s('latest'), validationActions: ['Warn', 'Audit'], namespaceSelector: { matchLabels: { enforce: 'pss' } } }).objects,
  );
  const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: NS, labels: {app: x}}\nspec:\n  containers: [{name: app, image: a, securityContext: {privileged: true}}]\n';
  const NAMESPACES = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: on, labels: {enforce: pss}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: off}\n';

  function run(resources: string): ReturnType<typeof testPolicies> {
    const load = (text: string, file: string): KubeObject[] => loadText(text, file).objects;
    return testPolicies({ policyObjects: load(POLICY_YAML, 'policies.yaml'), resources: load(resources, 'resources.yaml'), namespaceObjects: load(NAMESPACES, 'ns.yaml'), version: k8s('latest') });
  }

  it('applies the validation actions and selects namespaces by label', () => {
    const result = run(`${PRIVILEGED.replace('NS', 'on')}---\n${PRIVILEGED.replace('NS', 'off')}`);
    assert.equal(result.requests.length, 2);
    const [on, off] = result.requests;
    assert.equal(on?.allowed, true);
    assert.equal(on?.bindings[0]?.warnings.length, 1);
    assert.match(on?.bindings[0]?.auditAnnotations['validation.policy.admission.k8s.io/validation_failure'] ?? '', /privileged/);
    assert.deepEqual(off?.bindings, []);
  });

  it('judges an UPDATE only when the spec or a security annotation changes, as PSA does', () => {
    const review = (newLabels: string, newContainer: string): string => `apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  uid: u
  kind: {group: "", version: v1, kind: Pod}
  resource: {group: "", version: v1, resource: pods}
  namespace: on
  operation: UPDATE
  userInfo: {username: alice}
  object:
    apiVersion: v1
    kind: Pod
    metadata: {name: bad, namespace: on, labels: ${newLabels}}
    spec: {containers: [${newContainer}]}
  oldObject:
    apiVersion: v1
    kind: Pod
    metadata: {name: bad, namespace: on, labels: {app: x}}
    spec: {containers: [{name: app, image: a, securityContext: {privileged: true}}]}
`;
    const labelsOnly = run(review('{app: y}', '{name: app, image: a, securityContext: {privileged: true}}'));
    assert.deepEqual(labelsOnly.requests[0]?.bindings, []);
    const specChange = run(review('{app: x}', '{name: app, image: b, securityContext: {privileged: true}}'));
    assert.equal(specChange.requests[0]?.bindings[0]?.warnings.length, 1);
  });
});
