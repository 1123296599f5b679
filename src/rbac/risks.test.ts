/** The risk catalogue: every primitive is found where it is granted, and only there. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../testing/paths.js';
import { loadBootstrapPolicy } from './defaults/index.js';
import { RISK_CATALOGUE } from './riskCatalogue.js';
import { findRisks, type RiskFinding } from './risks.js';
import { objectsFromYaml, policyFromYaml, policyWithDefaults } from './testSupport.js';

function doc(value: unknown): string {
  return JSON.stringify(value);
}

function clusterRole(name: string, rules: unknown[]): string {
  return doc({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: string, subjects: unknown[], namespace?: string, roleKind = 'ClusterRole'): string {
  return doc({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
    subjects,
  });
}

const user = (name: string): unknown => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });

/** One user per primitive, granted exactly that primitive (the first probe of each requirement group, or a matching rule). */
function catalogueFixture(): string {
  const documents: string[] = [clusterRole('harmless', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }])];
  for (const primitive of RISK_CATALOGUE) {
    const subject = user(`u-${primitive.id}`);
    if (primitive.kind === 'permission') {
      const rules = primitive.requires.map((group) => {
        const probe = group[0]!;
        return { apiGroups: [probe.group], resources: [probe.subresource === undefined ? probe.resource : `${probe.resource}/${probe.subresource}`], verbs: [...probe.verbs] };
      });
      documents.push(clusterRole(`r-${primitive.id}`, rules), binding('ClusterRoleBinding', `b-${primitive.id}`, `r-${primitive.id}`, [subject]));
    }
  }
  documents.push(
    clusterRole('r-RBAC-WILDCARD-RESOURCES', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }]),
    binding('ClusterRoleBinding', 'b-wildcard-resources', 'r-RBAC-WILDCARD-RESOURCES', [user('u-RBAC-WILDCARD-RESOURCES')]),
    clusterRole('r-RBAC-WILDCARD-VERBS', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }]),
    binding('ClusterRoleBinding', 'b-wildcard-verbs', 'r-RBAC-WILDCARD-VERBS', [user('u-RBAC-WILDCARD-VERBS')]),
    clusterRole('r-RBAC-WILDCARD-URLS', [{ nonResourceURLs: ['*'], verbs: ['get'] }]),
    binding('ClusterRoleBinding', 'b-wildcard-urls', 'r-RBAC-WILDCARD-URLS', [user('u-RBAC-WILDCARD-URLS')]),
    // cluster-admin itself is not in the input: the binding is the finding.
    binding('ClusterRoleBinding', 'b-cluster-admin', 'cluster-admin', [user('u-RBAC-BINDING-CLUSTER-ADMIN')]),
    binding('ClusterRoleBinding', 'b-masters', 'harmless', [{ kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' }]),
    binding('ClusterRoleBinding', 'b-anonymous', 'harmless', [user('system:anonymous'), { kind: 'Group', name: 'system:unauthenticated', apiGroup: 'rbac.authorization.k8s.io' }]),
  );
  return documents.join('\n---\n');
}

function idsBySubject(findings: readonly RiskFinding[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const finding of findings) {
    const key = `${finding.subject.kind}/${finding.subject.name}@${finding.scope}`;
    map.set(key, [...(map.get(key) ?? []), finding.primitive.id].sort());
  }
  return map;
}

test('the catalogue has at least 25 primitives with unique IDs', () => {
  assert.ok(RISK_CATALOGUE.length >= 25, `${RISK_CATALOGUE.length}`);
  assert.equal(new Set(RISK_CATALOGUE.map((primitive) => primitive.id)).size, RISK_CATALOGUE.length);
});

test('docs/rbac.md lists every primitive with its severity, and no other', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs', 'rbac.md'), 'utf8');
  const rows = [...docs.matchAll(/^\| (RBAC-[A-Z-]+) \| (\w+) \|/gm)].map((match) => `${match[1]} ${match[2]}`);
  assert.deepEqual(rows, RISK_CATALOGUE.map((primitive) => `${primitive.id} ${primitive.severity}`));
});

test('every primitive is found for the subject granted it, and nothing else is', () => {
  const findings = findRisks(policyFromYaml(catalogueFixture()));
  const found = idsBySubject(findings);
  for (const primitive of RISK_CATALOGUE) {
    if (primitive.id === 'RBAC-BINDING-SYSTEM-MASTERS') {
      assert.deepEqual(found.get('Group/system:masters@'), [primitive.id]);
    } else if (primitive.id === 'RBAC-BINDING-ANONYMOUS') {
      assert.deepEqual(found.get('User/system:anonymous@'), [primitive.id]);
      assert.deepEqual(found.get('Group/system:unauthenticated@'), [primitive.id]);
    } else {
      assert.deepEqual(found.get(`User/u-${primitive.id}@`), [primitive.id], primitive.id);
    }
  }
  assert.equal(found.size, RISK_CATALOGUE.length + 1);
  const anonymous = findings.find((finding) => finding.subject.name === 'system:unauthenticated');
  assert.equal(anonymous?.broadSubject, true);
});

const SEMANTICS = [
  // resourceNames never grant create: not a pod creator.
  clusterRole('named-create', [{ apiGroups: [''], resources: ['pods'], resourceNames: ['x'], verbs: ['create'] }]),
  binding('ClusterRoleBinding', 'named-create', 'named-create', [user('named')]),
  // resourceNames do limit get: a narrow Secrets reader.
  clusterRole('named-get', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['app-token', 'db'], verbs: ['get'] }]),
  binding('ClusterRoleBinding', 'named-get', 'named-get', [user('narrow')]),
  // A RoleBinding never grants cluster-scoped targets.
  clusterRole('node-proxy', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]),
  binding('RoleBinding', 'node-proxy-in-ns', 'node-proxy', [user('ns-only')], 'shop'),
  // Half of CSR approval (approval without a signer) is not the primitive; the other half elsewhere completes it.
  clusterRole('csr-approval', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }]),
  clusterRole('csr-signer', [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/signer'], verbs: ['approve'] }]),
  binding('ClusterRoleBinding', 'half', 'csr-approval', [user('half'), user('both')]),
  binding('ClusterRoleBinding', 'other-half', 'csr-signer', [user('both')]),
  // A namespace grant completed by a cluster-wide one counts in that namespace.
  clusterRole('status', [{ apiGroups: [''], resources: ['services/status'], verbs: ['patch'] }]),
  binding('RoleBinding', 'status', 'status', [{ kind: 'ServiceAccount', name: 'lb' }], 'edge'),
  // An RBAC write in a namespace, through a Role.
  doc({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'binder', namespace: 'team' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind'] }] }),
  binding('RoleBinding', 'binder', 'binder', [user('lead')], 'team', 'Role'),
  // Everyone authenticated may exec: flagged as a broad subject.
  clusterRole('exec', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }]),
  binding('RoleBinding', 'everyone-exec', 'exec', [{ kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' }], 'dev'),
].join('\n---\n');

test('primitives follow the authorizer: names, scopes and combined permissions', () => {
  const findings = findRisks(policyFromYaml(SEMANTICS));
  const found = idsBySubject(findings);
  assert.equal(found.get('User/named@'), undefined, 'resourceNames never grant create');
  assert.deepEqual(found.get('User/narrow@'), ['RBAC-SECRETS-GET']);
  assert.deepEqual(findings.find((finding) => finding.subject.name === 'narrow')?.onlyNames, ['app-token', 'db']);
  assert.equal(found.get('User/ns-only@shop'), undefined, 'a RoleBinding cannot grant nodes/proxy');
  assert.equal(found.get('User/half@'), undefined, 'approval without a signer is not enough');
  assert.deepEqual(found.get('User/both@'), ['RBAC-CSR-APPROVE']);
  const both = findings.find((finding) => finding.subject.name === 'both');
  assert.deepEqual(both?.onlyNames, ['example.com/signer']);
  assert.equal(both?.evidence.length, 2);
  assert.deepEqual(found.get('ServiceAccount/lb@edge'), ['RBAC-SERVICES-STATUS']);
  assert.deepEqual(found.get('User/lead@team'), ['RBAC-BIND']);
  const everyone = findings.find((finding) => finding.subject.name === 'system:authenticated');
  assert.equal(everyone?.primitive.id, 'RBAC-PODS-EXEC', 'get on pods/exec counts: WebSocket exec was authorized with get before v1.35');
  assert.equal(everyone?.broadSubject, true);
  assert.equal(everyone?.scope, 'dev');
});

test('a primitive held cluster-wide is not repeated per namespace', () => {
  const policy = policyFromYaml(
    [
      clusterRole('reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      binding('ClusterRoleBinding', 'everywhere', 'reader', [user('amy')]),
      binding('RoleBinding', 'here-too', 'reader', [user('amy')], 'shop'),
    ].join('\n---\n'),
  );
  const findings = findRisks(policy);
  assert.deepEqual(
    findings.map((finding) => `${finding.primitive.id}@${finding.scope}`),
    ['RBAC-SECRETS-GET@'],
  );
});

test('what the bootstrap policy grants itself is hidden unless asked for; what users bind to its roles is not', () => {
  const defaults = loadBootstrapPolicy().objects;
  const editors = objectsFromYaml(binding('RoleBinding', 'editors', 'edit', [user('dev')], 'shop'));
  const policy = policyWithDefaults(defaults, editors);
  const hidden = findRisks(policy);
  assert.ok(hidden.length > 0);
  assert.ok(hidden.every((finding) => finding.subject.name === 'dev' && finding.scope === 'shop'));
  assert.deepEqual(
    [...new Set(hidden.map((finding) => finding.primitive.id))].sort(),
    [
      'RBAC-EVENTS-DELETE',
      'RBAC-IMPERSONATE-SERVICEACCOUNTS',
      'RBAC-PODS-ATTACH',
      'RBAC-PODS-CREATE',
      'RBAC-PODS-EXEC',
      'RBAC-PODS-PORTFORWARD',
      'RBAC-SECRETS-CREATE',
      'RBAC-SECRETS-GET',
      'RBAC-SECRETS-LIST',
      'RBAC-SERVICEACCOUNT-TOKEN',
      'RBAC-WORKLOADS-WRITE',
    ],
  );
  const all = findRisks(policy, { includeDefaults: true });
  const ids = (subject: string): string[] => all.filter((finding) => finding.subject.name === subject).map((finding) => finding.primitive.id);
  // The helper notes of the corpus: the aggregation controller escalates, kubelet-api-admin is unbound, GC and namespace controller wildcard.
  assert.ok(ids('clusterrole-aggregation-controller').includes('RBAC-ESCALATE'));
  assert.ok(ids('generic-garbage-collector').includes('RBAC-WILDCARD-RESOURCES'));
  assert.ok(ids('namespace-controller').includes('RBAC-SECRETS-LIST'));
  assert.ok(ids('system:masters').includes('RBAC-BINDING-CLUSTER-ADMIN'));
  assert.ok(ids('system:masters').includes('RBAC-BINDING-SYSTEM-MASTERS'));
  assert.ok(all.every((finding) => finding.fromDefaultsOnly || finding.subject.name === 'dev'));
});
