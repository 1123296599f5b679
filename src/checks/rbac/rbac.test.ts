/** The CIS 5.1.x RBAC controls in `rampart scan`: each control on a positive and a negative case, positions, and the scan hook. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scanner } from '../../engine/scan.js';
import { loadText } from '../../load/load.js';
import type { Finding } from '../../model/types.js';
import { HARDENING_CHECKS } from '../common/catalogue.js';
import { SEVERITY_BASES, severityOf } from '../common/define.js';
import { allCheckMetas } from '../index.js';
import { RBAC_CONTROLS } from './controls.js';
import { createRbacScanCheck, RBAC_CHECK_METAS } from './index.js';

function scan(yaml: string, disabled: string[] = []): { findings: Finding[]; checksOf: (name: string) => readonly string[] } {
  const batch = loadText(yaml, 'rbac.yaml');
  assert.deepEqual(batch.diagnostics, []);
  const scanner = new Scanner({ checks: [], wholeInputChecks: [createRbacScanCheck({ disabledChecks: new Set(disabled) })] });
  for (const object of batch.objects) scanner.add(object);
  const result = scanner.finish();
  return {
    findings: result.findings.filter((finding) => finding.checkId.startsWith('RBAC-')),
    checksOf: (name) => result.objects.find((entry) => entry.object.name === name)?.checks ?? [],
  };
}

const role = (rules: string, extra = ''): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: r${extra}
rules:
${rules}
`;
const ids = (findings: readonly Finding[]): string[] => [...new Set(findings.map((finding) => finding.checkId))].sort();

describe('rule controls', () => {
  const cases: Array<[string, string, string[]]> = [
    ['5.1.2 secrets get', '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]', ['RBAC-secrets-access']],
    ['5.1.2 secrets watch via verb *', '- apiGroups: [""]\n  resources: [secrets]\n  verbs: ["*"]', ['RBAC-secrets-access', 'RBAC-wildcard-rule']],
    ['5.1.3 wildcard in apiGroups only', '- apiGroups: ["*"]\n  resources: [configmaps]\n  verbs: [get]', ['RBAC-wildcard-rule']],
    ['5.1.3 wildcard nonResourceURLs', '- nonResourceURLs: ["*"]\n  verbs: [get]', ['RBAC-wildcard-rule']],
    ['5.1.4 create pods', '- apiGroups: [""]\n  resources: [pods]\n  verbs: [create]', ['RBAC-pod-create']],
    ['5.1.8 bind', '- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [bind]', ['RBAC-bind-escalate-impersonate']],
    ['5.1.8 escalate', '- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  verbs: [escalate]', ['RBAC-bind-escalate-impersonate']],
    ['5.1.8 impersonate', '- apiGroups: [""]\n  resources: [users, groups]\n  verbs: [impersonate]', ['RBAC-bind-escalate-impersonate']],
    ['5.1.9 persistent volumes', '- apiGroups: [""]\n  resources: [persistentvolumes]\n  verbs: [create]', ['RBAC-persistentvolume-create']],
    ['5.1.10 nodes/proxy', '- apiGroups: [""]\n  resources: [nodes/proxy]\n  verbs: [get]', ['RBAC-nodes-proxy']],
    ['5.1.11 CSR approval', '- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n  verbs: [update]', ['RBAC-csr-approval']],
    ['5.1.12 webhooks', '- apiGroups: [admissionregistration.k8s.io]\n  resources: [validatingwebhookconfigurations]\n  verbs: [delete]', ['RBAC-webhook-configuration']],
    ['5.1.13 token creation', '- apiGroups: [""]\n  resources: [serviceaccounts/token]\n  verbs: [create]', ['RBAC-serviceaccount-token-create']],
    ['* on * is one wildcard finding', '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]', ['RBAC-wildcard-rule']],
    ['* on * of the core group is every core control too', '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["*"]', ['RBAC-bind-escalate-impersonate', 'RBAC-nodes-proxy', 'RBAC-persistentvolume-create', 'RBAC-pod-create', 'RBAC-secrets-access', 'RBAC-serviceaccount-token-create', 'RBAC-wildcard-rule']],
    ['* on * of another group is only a wildcard', '- apiGroups: [metrics.k8s.io]\n  resources: ["*"]\n  verbs: ["*"]', ['RBAC-wildcard-rule']],
    ['harmless rule', '- apiGroups: [""]\n  resources: [configmaps, pods, secrets/status]\n  verbs: [get, list]', []],
    ['pods/exec is not create pods', '- apiGroups: [""]\n  resources: [pods/exec]\n  verbs: [create]', []],
    ['wrong group is not secrets', '- apiGroups: [apps]\n  resources: [secrets]\n  verbs: [get]', []],
    ['nodes without proxy', '- apiGroups: [""]\n  resources: [nodes]\n  verbs: [get, proxy]', []],
    // Cases carried over from the hardening catalogue's literal role checks, which these controls replace.
    ['5.1.3 wildcard in verbs', '- apiGroups: [""]\n  resources: [configmaps]\n  verbs: ["*"]', ['RBAC-wildcard-rule']],
    ['5.1.4 get and list pods is not create', '- apiGroups: [""]\n  resources: [pods]\n  verbs: [get, list]', []],
    ['5.1.8 reading roles is not bind', '- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  verbs: [get]', []],
    ['5.1.8 impersonate service accounts', '- apiGroups: [""]\n  resources: [serviceaccounts]\n  verbs: [impersonate]', ['RBAC-bind-escalate-impersonate']],
    ['5.1.10 nodes/metrics is not nodes/proxy', '- apiGroups: [""]\n  resources: [nodes/metrics]\n  verbs: [get]', []],
    ['5.1.12 patch mutating webhooks', '- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [patch]', ['RBAC-webhook-configuration']],
    ['5.1.12 reading webhooks', '- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [get]', []],
  ];
  for (const [name, rules, expected] of cases) {
    test(name, () => assert.deepEqual(ids(scan(role(rules)).findings), expected));
  }

  test('findings sit on the rule, name the binding and subject, and carry the CIS mapping', () => {
    const yaml = `${role('- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get]\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [list]')}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects:
- {kind: ServiceAccount, name: app}
`;
    const [finding] = scan(yaml).findings;
    assert.equal(finding!.checkId, 'RBAC-secrets-access');
    assert.equal(finding!.location.line, 9);
    assert.deepEqual(finding!.frameworks[0], { framework: 'CIS', id: '5.1.2' });
    assert.deepEqual(finding!.frameworks, RBAC_CHECK_METAS.find((meta) => meta.id === 'RBAC-secrets-access')!.frameworks);
    assert.match(finding!.message, /^rule 1 allows list on secrets; bound by RoleBinding shop\/reader to ServiceAccount shop\/app$/);
  });

  test('a namespaced Role is judged like a ClusterRole', () => {
    const yaml = role('- apiGroups: [""]\n  resources: ["*"]\n  verbs: [get]').replace('kind: ClusterRole\nmetadata:\n', 'kind: Role\nmetadata:\n  namespace: app\n');
    // `*` resources include subresources such as nodes/proxy, as the authorizer reads them.
    assert.deepEqual(ids(scan(yaml).findings), ['RBAC-nodes-proxy', 'RBAC-secrets-access', 'RBAC-wildcard-rule']);
  });

  test('a role granting everything, bound before it is defined: one wildcard finding on its rule, and 5.1.1 on the binding', () => {
    const yaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: god-binding}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, name: jane}]
---
${role('- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]')}`;
    const { findings } = scan(yaml);
    assert.deepEqual(ids(findings), ['RBAC-cluster-admin-binding', 'RBAC-wildcard-rule']);
    assert.equal(findings.length, 2);
    assert.match(findings.find((finding) => finding.checkId === 'RBAC-wildcard-rule')!.message, /every verb on every resource.*bound by ClusterRoleBinding god-binding to User jane/);
    assert.match(findings.find((finding) => finding.checkId === 'RBAC-cluster-admin-binding')!.message, /^ClusterRoleBinding god-binding grants ClusterRole r, cluster-admin in all but name .* cluster-wide to User jane$/);
  });

  test('5.1.1: the seven standard verbs on everything count as cluster-admin, also through aggregation; one group does not', () => {
    const bound = (name: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b-${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: User, name: jane}]
`;
    const allVerbs = '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: [get, list, watch, create, update, patch, delete]';
    assert.ok(ids(scan(`${role(allVerbs)}---\n${bound('r')}`).findings).includes('RBAC-cluster-admin-binding'));
    const aggregated = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: collector}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {collect: "true"}}]
rules: []
---
${role('- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]').replace('  name: r\n', '  name: r\n  labels: {collect: "true"}\n')}---
${bound('collector')}`;
    const finding = scan(aggregated).findings.find((candidate) => candidate.checkId === 'RBAC-cluster-admin-binding');
    assert.match(finding?.message ?? '', /grants ClusterRole collector, cluster-admin in all but name \(every verb on every resource of every API group, aggregated from ClusterRole r\)/);
    const coreOnly = '- apiGroups: [""]\n  resources: ["*"]\n  verbs: ["*"]';
    assert.ok(!ids(scan(`${role(coreOnly)}---\n${bound('r')}`).findings).includes('RBAC-cluster-admin-binding'));
  });

  test('roles of the bootstrap policy (kubernetes.io/bootstrapping: rbac-defaults) are not reported', () => {
    const yaml = role('- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]').replace('  name: r\n', '  name: r\n  labels: {kubernetes.io/bootstrapping: rbac-defaults}\n');
    assert.deepEqual(scan(yaml).findings, []);
  });
});

describe('binding controls', () => {
  const binding = (roleRef: string, subject: string, labels = ''): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: b${labels}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleRef}}
subjects:
- {kind: User, name: alice}
- ${subject}
`;
  test('5.1.1 cluster-admin bindings, on roleRef.name', () => {
    const { findings } = scan(binding('cluster-admin', '{kind: User, name: bob}'));
    assert.deepEqual(ids(findings), ['RBAC-cluster-admin-binding']);
    assert.equal(findings[0]!.location.line, 5);
    assert.match(findings[0]!.message, /grants cluster-admin cluster-wide to User alice, User bob/);
    assert.deepEqual(scan(binding('cluster-admin', '{kind: Group, name: "system:masters"}', '\n  labels: {kubernetes.io/bootstrapping: rbac-defaults}')).findings, []);
    assert.deepEqual(scan(binding('view', '{kind: User, name: bob}')).findings, []);
    const namespaced = scan(binding('cluster-admin', '{kind: User, name: bob}').replace('kind: ClusterRoleBinding\nmetadata:\n', 'kind: RoleBinding\nmetadata:\n  namespace: app\n')).findings;
    assert.deepEqual(ids(namespaced), ['RBAC-cluster-admin-binding']);
    assert.match(namespaced[0]!.message, /grants cluster-admin in namespace app to/);
  });
  test('5.1.1 judges content and labels, not names: a system:-named binding without the bootstrap label is reported', () => {
    assert.deepEqual(ids(scan(binding('cluster-admin', '{kind: User, name: bob}').replace('name: b\n', 'name: "system:test"\n')).findings), ['RBAC-cluster-admin-binding']);
  });
  test('5.1.5 the default service account in a binding, on the subject', () => {
    const { findings } = scan(binding('view', '{kind: ServiceAccount, name: default, namespace: shop}'));
    assert.deepEqual(ids(findings), ['RBAC-default-service-account-bound']);
    assert.equal(findings[0]!.location.line, 8);
    assert.deepEqual(scan(binding('view', '{kind: ServiceAccount, name: app, namespace: shop}')).findings, []);
  });
  test('5.1.7 system:masters in a binding', () => {
    assert.deepEqual(ids(scan(binding('view', '{kind: Group, name: "system:masters"}')).findings), ['RBAC-system-masters-binding']);
  });
});

describe('one reporter per grant', () => {
  test('with the whole catalogue, as `rampart scan` runs it, the grants of the CIS 5.1 controls are reported by them alone', () => {
    const yaml = `${role(
      [
        '- apiGroups: [""]\n  resources: [secrets, pods, nodes/proxy]\n  verbs: [get, create]',
        '- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [bind]',
        '- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [patch]',
        '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]',
      ].join('\n'),
    )}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: jane}]
`;
    const scanner = new Scanner({ checks: HARDENING_CHECKS, wholeInputChecks: [createRbacScanCheck()] });
    for (const object of loadText(yaml, 'rbac.yaml').objects) scanner.add(object);
    const reported = [...new Set(scanner.finish().findings.map((finding) => finding.checkId))].sort();
    // pods/exec (granted by the `*` rule) has no CIS 5.1 control: the hardening catalogue's role-exec-into-pods judges it.
    assert.deepEqual(reported, ['RBAC-bind-escalate-impersonate', 'RBAC-cluster-admin-binding', 'RBAC-nodes-proxy', 'RBAC-pod-create', 'RBAC-secrets-access', 'RBAC-webhook-configuration', 'RBAC-wildcard-rule', 'role-exec-into-pods']);
  });
});

describe('scan hook', () => {
  test('RBAC objects list the controls that judged them; disabled controls neither run nor are listed', () => {
    const yaml = `${role('- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: x}
`;
    const all = scan(yaml);
    assert.ok(all.checksOf('r').includes('RBAC-secrets-access'));
    assert.deepEqual(all.checksOf('c'), []);
    const disabled = scan(yaml, ['RBAC-secrets-access']);
    assert.deepEqual(disabled.findings, []);
    assert.ok(!disabled.checksOf('r').includes('RBAC-secrets-access'));
  });

  test('a binding before its role is still judged with it', () => {
    const yaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: early}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, name: zed}]
---
${role('- apiGroups: [""]\n  resources: [pods]\n  verbs: [create]')}`;
    assert.match(scan(yaml).findings[0]!.message, /bound by ClusterRoleBinding early to User zed/);
  });

  test('metadata: every CIS 5.1 control but 5.1.6 (judged per pod by the identity checks), in the catalogue', () => {
    const cis = RBAC_CONTROLS.map((control) => control.cis);
    assert.deepEqual(cis, ['5.1.1', '5.1.2', '5.1.3', '5.1.4', '5.1.5', '5.1.7', '5.1.8', '5.1.9', '5.1.10', '5.1.11', '5.1.12', '5.1.13']);
    const catalogue = new Set(allCheckMetas().map((meta) => meta.id));
    for (const meta of RBAC_CHECK_METAS) {
      assert.ok(catalogue.has(meta.id), meta.id);
      assert.equal(meta.category, 'rbac');
      assert.ok(meta.remediation.length > 20);
      assert.ok(meta.frameworks.some((mapping) => mapping.framework === 'NSA-CISA'), `${meta.id} maps to the NSA/CISA guide`);
      assert.ok(meta.frameworks.some((mapping) => mapping.framework === 'MITRE-ATTACK' && /^T\d{4}(\.\d{3})?$/.test(mapping.id)), `${meta.id} maps to a MITRE ATT&CK technique`);
      const basis = SEVERITY_BASES.get(meta.id);
      assert.ok(basis !== undefined && basis.reason.length > 0, `${meta.id} has a severity basis`);
      assert.equal(meta.severity, severityOf(basis.gain, basis.effort), meta.id);
    }
  });

  test('the controls carry the equivalents of the literal role checks they replaced, so the corpora still score them', () => {
    const equivalents = new Map(RBAC_CHECK_METAS.map((meta) => [meta.id, meta.equivalents ?? []]));
    assert.ok(equivalents.get('RBAC-cluster-admin-binding')!.includes('polaris:clusterrolebindingClusterAdmin'));
    assert.ok(equivalents.get('RBAC-cluster-admin-binding')!.includes('kube-linter:cluster-admin-role-binding'));
    assert.ok(equivalents.get('RBAC-secrets-access')!.includes('kube-linter:access-to-secrets'));
    assert.ok(equivalents.get('RBAC-wildcard-rule')!.includes('kube-linter:wildcard-in-rules'));
    assert.ok(equivalents.get('RBAC-pod-create')!.includes('kubescape:rule-can-create-pod'));
    assert.ok(equivalents.get('RBAC-bind-escalate-impersonate')!.includes('kubescape:C-0065'));
    assert.ok(equivalents.get('RBAC-nodes-proxy')!.includes('kubescape:rule-can-access-proxy-subresource'));
    assert.ok(equivalents.get('RBAC-webhook-configuration')!.includes('kubescape:rule-can-modify-admission-webhooks'));
  });
});
