/** The CIS 5.1.x RBAC controls in `rampart scan`: each control on a positive and a negative case, positions, and the scan hook. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scanner } from '../../engine/scan.js';
import { loadText } from '../../load/load.js';
import type { Finding } from '../../model/types.js';
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
    assert.deepEqual(finding!.frameworks, [{ framework: 'CIS', id: '5.1.2' }]);
    assert.match(finding!.message, /^rule 1 allows list on secrets; bound by RoleBinding shop\/reader to ServiceAccount shop\/app$/);
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
    }
  });
});
